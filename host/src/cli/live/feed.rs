//! A session's transcript, read incrementally: each poll reads only the
//! events written since the last one and renders them onto the lines
//! already there.

use crate::session::{Store, StoreError};
use crate::transcript::{Line, Renderer, render};

/// Events read per query.
const PAGE: usize = 2_000;
/// Lines kept for scrolling back; older ones are dropped.
const KEPT_LINES: usize = 5_000;

/// The rendered transcript of one session, as far as it has been read.
pub struct Feed {
    name: String,
    id: i64,
    seen: i64,
    renderer: Renderer,
    /// The last line is open: the next streamed text continues it.
    lines: Vec<Line>,
    /// Lines dropped from the top: `lines[0]` is line number `dropped`.
    dropped: usize,
}

impl Feed {
    /// The transcript of session `name`, nothing read yet.
    pub fn open(store: &Store, name: &str) -> Result<Feed, StoreError> {
        Ok(Feed {
            name: name.to_string(),
            id: store.session_id(name)?,
            seen: 0,
            renderer: Renderer::new(Some(name.to_string()), false),
            lines: Vec::new(),
            dropped: 0,
        })
    }

    /// Whether this is the transcript of session `name` as it is now (a
    /// name freed by `grove rm` may be taken by a new session).
    pub fn is_of(&self, store: &Store, name: &str) -> bool {
        self.name == name && store.session_id(name).is_ok_and(|id| id == self.id)
    }

    /// Read what was written since the last poll. True when anything was.
    pub fn poll(&mut self, store: &Store) -> Result<bool, StoreError> {
        let mut any = false;
        loop {
            let events = store.events_after(self.id, self.seen, PAGE)?;
            let Some(last) = events.last() else { break };
            self.seen = last.id;
            any = true;
            render::extend_lines(&mut self.lines, &self.renderer.render_all(&events));
            if events.len() < PAGE {
                break;
            }
        }
        if self.lines.len() > KEPT_LINES {
            let drop = self.lines.len() - KEPT_LINES;
            self.lines.drain(..drop);
            self.dropped += drop;
        }
        Ok(any)
    }

    /// The id of the last event read.
    pub fn seen(&self) -> i64 {
        self.seen
    }

    /// The number of the first line kept (older ones were dropped).
    pub fn first(&self) -> usize {
        self.dropped
    }

    /// The lines read so far (without the open line while it is empty).
    pub fn lines(&self) -> &[Line] {
        match self.lines.split_last() {
            Some((last, rest)) if last.is_empty() => rest,
            _ => &self.lines,
        }
    }
}
