//! Keeping the conversation inside the model's window: capped tool output,
//! token estimates, and where to cut when old turns are summarized.

use grove_sdk::model::{Content, Message};

/// Keep the head and the tail of long tool output: the command line and
/// the final verdict are where the information is.
pub fn cap(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let half = limit / 2;
    let head = floor_char(text, half);
    let tail = ceil_char(text, text.len() - half);
    let cut = text[head..tail].lines().count();
    format!("{}\n… {} cut …\n{}", &text[..head], grove_sdk::text::count(cut, "line"), &text[tail..])
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A rough token count: about four bytes a token for code and English.
pub fn estimate(messages: &[Message]) -> u64 {
    let bytes: usize = messages
        .iter()
        .flat_map(|m| &m.content)
        .map(|c| match c {
            Content::Text(t) => t.len(),
            Content::Call(call) => call.name.len() + call.input.len() + 16,
            Content::Result(r) => r.content.len() + 16,
        })
        .sum();
    (bytes / 4) as u64
}

/// Where to cut a conversation to summarize its older part: messages
/// `1..cut` go into the summary, the task (message 0) and `cut..` stay.
/// `cut` lands on an assistant message, so the conversation still
/// alternates and no tool result loses its call. `None` when there is too
/// little to summarize.
pub fn cut_point(len: usize, keep: usize) -> Option<usize> {
    // Messages alternate user (even) / assistant (odd).
    let mut cut = len.checked_sub(keep)?;
    if cut % 2 == 0 {
        cut += 1;
    }
    (cut >= 3 && cut < len).then_some(cut)
}

/// The older turns as plain text for the summarizer, each block shortened.
pub fn transcript(messages: &[Message], per_block: usize) -> String {
    use grove_sdk::model::Role;
    let mut out = String::new();
    for m in messages {
        let who = match m.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        for c in &m.content {
            let line = match c {
                Content::Text(t) => format!("[{who}] {}", cap(t, per_block)),
                Content::Call(call) => format!("[tool call {}] {}", call.name, cap(&call.input, per_block)),
                Content::Result(r) => {
                    let tag = if r.is_error { "tool error" } else { "tool result" };
                    format!("[{tag}] {}", cap(&r.content, per_block))
                }
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_output_keeps_head_and_tail() {
        let text: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        let capped = cap(&text, 200);
        assert!(capped.starts_with("line 0\n"));
        assert!(capped.ends_with("line 999\n"));
        assert!(capped.contains("lines cut"));
        assert!(capped.len() < 260);
        assert_eq!(cap("short", 200), "short");
        // Never splits a character.
        let wide = "é".repeat(500);
        assert!(cap(&wide, 101).contains("cut"));
    }

    #[test]
    fn cuts_land_on_assistant_messages() {
        assert_eq!(cut_point(12, 4), Some(9));
        assert_eq!(cut_point(13, 4), Some(9));
        assert_eq!(cut_point(5, 4), None);
        assert_eq!(cut_point(3, 8), None);
    }
}
