//! Recording a page for a GIF: frames are screenshots taken where the page
//! can change (before and after each action, and while a wait goes on),
//! given to the evidence GIF recorder with the steps and clicks that
//! explain them. A page that sits still costs nothing: the recorder keeps
//! identical frames once.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::browser::Page;
use crate::evidence::gif::{Budget, Gif, RecordError, Recorder};

/// How often a frame is taken while an action or a wait goes on.
const WHILE_WAITING: Duration = Duration::from_millis(250);
/// After an action, frames are taken this far apart until the page stops
/// changing (or [`SETTLE_FRAMES`] were taken): a click's effect is often
/// a transition, not one paint.
const SETTLE: Duration = Duration::from_millis(120);
const SETTLE_FRAMES: usize = 4;
/// What the frames of one recording may hold in memory; past it, frames
/// between two actions replace each other (the recorder's limit).
const MEMORY: usize = 512 << 20;

/// One page's recording under way.
pub struct Film {
    recorder: Recorder,
    started: Instant,
}

impl Film {
    /// A recording of a `width`×`height` viewport; `caption` is its first step.
    pub fn start(width: u32, height: u32, caption: &str) -> Film {
        let frame_bytes = (width as usize * height as usize * 4).max(1);
        let mut recorder = Recorder::new(width, height).limit_frames((MEMORY / frame_bytes).max(16));
        recorder.step(caption);
        Film { recorder, started: Instant::now() }
    }

    pub fn step(&mut self, caption: &str) {
        self.recorder.step(caption);
    }

    /// A click at (`x`, `y`): ringed on the frames after it.
    pub fn click(&mut self, (x, y): (f64, f64)) {
        self.recorder.click(x.max(0.0).round() as u32, y.max(0.0).round() as u32);
    }

    /// Take one frame now; whether the page looked different from the
    /// frame before. A page between two documents cannot be captured:
    /// that frame is skipped, not an error of the action being filmed.
    pub async fn snap(&mut self, page: &Page) -> bool {
        let before = self.recorder.frames();
        let Ok(png) = page.screenshot(false).await else { return false };
        match self.recorder.frame_png(&png, self.started.elapsed()) {
            Ok(()) => self.recorder.frames() != before,
            Err(e) => {
                tracing::debug!("a frame of the recording was left out: {e}");
                false
            }
        }
    }

    /// Run `action`, taking a frame every [`WHILE_WAITING`] until it ends.
    pub async fn during<T>(&mut self, page: &Page, action: impl Future<Output = T>) -> T {
        let mut action = std::pin::pin!(action);
        loop {
            tokio::select! {
                biased;
                done = &mut action => return done,
                () = tokio::time::sleep(WHILE_WAITING) => {
                    self.snap(page).await;
                }
            }
        }
    }

    /// Frames until the page stops changing after an action.
    pub async fn settle(&mut self, page: &Page) {
        for taken in 0..SETTLE_FRAMES {
            if !self.snap(page).await && taken > 0 {
                return;
            }
            tokio::time::sleep(SETTLE).await;
        }
    }

    /// The GIF, within `budget`. Encoding takes a while: it runs off the
    /// async threads.
    pub async fn finish(self, budget: Budget) -> Result<Result<Gif, RecordError>, tokio::task::JoinError> {
        let recorder = self.recorder;
        tokio::task::spawn_blocking(move || recorder.finish(budget)).await
    }
}
