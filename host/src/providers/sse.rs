//! Server-sent events, decoded incrementally as bytes arrive: both
//! providers stream their answers this way.

/// One event: its `event:` name (empty when the server sent none) and its
/// `data:` lines joined with `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub data: String,
}

/// Collects bytes and hands out every event they complete.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    name: String,
    data: String,
    has_data: bool,
}

impl Decoder {
    /// Add bytes; push each event they complete onto `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        self.buf.extend_from_slice(bytes);
        let mut start = 0;
        while let Some(end) = self.buf[start..].iter().position(|&b| b == b'\n') {
            let mut line = &self.buf[start..start + end];
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            let line = String::from_utf8_lossy(line).into_owned();
            self.line(&line, out);
            start += end + 1;
        }
        self.buf.drain(..start);
    }

    /// True when bytes of an unfinished line or event are held: a stream
    /// that ends here was cut.
    pub fn pending(&self) -> bool {
        !self.buf.is_empty() || self.has_data
    }

    fn line(&mut self, line: &str, out: &mut Vec<Event>) {
        if line.is_empty() {
            if self.has_data {
                out.push(Event {
                    name: std::mem::take(&mut self.name),
                    data: std::mem::take(&mut self.data),
                });
                self.has_data = false;
            }
            self.name.clear();
            return;
        }
        if line.starts_with(':') {
            return; // a comment, used as keep-alive
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.name = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {} // `id:` and `retry:` mean nothing to a one-shot request
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(chunks: &[&str]) -> (Vec<Event>, bool) {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        for c in chunks {
            d.feed(c.as_bytes(), &mut out);
        }
        (out, d.pending())
    }

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let (events, pending) =
            decode(&["event: ping\nda", "ta: {\"a\":1}\r\n\r\n: keep-alive\n\ndata: x\ndata: y\n", "\n"]);
        assert_eq!(
            events,
            vec![
                Event { name: "ping".into(), data: "{\"a\":1}".into() },
                Event { name: String::new(), data: "x\ny".into() }
            ]
        );
        assert!(!pending);
    }

    #[test]
    fn a_cut_stream_leaves_something_pending() {
        let (events, pending) = decode(&["event: a\ndata: 1\n\nevent: b\ndata: {\"par"]);
        assert_eq!(events.len(), 1);
        assert!(pending);
    }
}
