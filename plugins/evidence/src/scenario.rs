//! Scenarios: what the browser does to show a change working, one TOML
//! file each in `.grove/scenarios/`.
//!
//! ```toml
//! name = "counter"                 # optional: the file's name
//! viewport = [800, 600]            # optional: 1280×720
//! url = "/counter.html"            # optional: where it starts, else [evidence] url
//!
//! [[steps]]
//! click = "#add"
//! caption = "Add one"              # optional on every step: shown under the GIF's frames
//!
//! [[steps]]
//! expect-text = { selector = "#count", text = "count: 1" }
//! ```
//!
//! A step does one of: `goto` (a path or URL), `click` (a selector),
//! `type` (`{ selector, text }`), `press` (a key), `wait-for` (a selector,
//! or `{ text = "…" }`), `expect-text` (`{ selector, text }`, or text
//! anywhere on the page), `screenshot` (its caption), `pause` (ms); waits
//! and expectations take `timeout-ms`. Parsing is strict, and every
//! mistake is named by file and step.

pub use grove_app::config::shown;
use toml::{Table, Value};

/// Where scenarios live, relative to the workspace root.
pub const DIR: &str = ".grove/scenarios";
/// The viewport when a scenario names none.
pub const DEFAULT_VIEWPORT: (u32, u32) = (1280, 720);
const ACTIONS: &[&str] =
    &["goto", "click", "type", "press", "wait-for", "expect-text", "screenshot", "pause"];
const TOP_KEYS: &[&str] = &["name", "viewport", "url", "steps"];
/// Longest wait a step may ask for.
const MAX_WAIT_MS: i64 = 120_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The file it came from, as shown to the user.
    pub file: String,
    pub name: String,
    pub viewport: (u32, u32),
    /// Where it starts; `None` for the configured url.
    pub url: Option<String>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    pub caption: Option<String>,
    pub timeout_ms: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Goto(String),
    Click(String),
    Type {
        selector: String,
        text: String,
    },
    Press(String),
    WaitFor(Wait),
    /// `selector: None` looks at the whole page.
    ExpectText {
        selector: Option<String>,
        text: String,
    },
    Screenshot(String),
    Pause(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    Selector(String),
    Text(String),
}

impl Step {
    /// What the step does, in words: its caption when it has none, and
    /// how failures name it.
    pub fn describe(&self) -> String {
        match &self.action {
            Action::Goto(url) => format!("go to {url}"),
            Action::Click(selector) => format!("click {selector}"),
            Action::Type { selector, text } => format!("type {text:?} into {selector}"),
            Action::Press(key) => format!("press {key}"),
            Action::WaitFor(Wait::Selector(selector)) => format!("wait for {selector}"),
            Action::WaitFor(Wait::Text(text)) => format!("wait for the text {text:?}"),
            Action::ExpectText { selector: Some(selector), text } => {
                format!("expect {selector} to show {text:?}")
            }
            Action::ExpectText { selector: None, text } => format!("expect the page to show {text:?}"),
            Action::Screenshot(caption) => format!("screenshot: {caption}"),
            Action::Pause(ms) => format!("pause {ms} ms"),
        }
    }

    /// The caption its frames carry.
    pub fn caption(&self) -> String {
        self.caption.clone().unwrap_or_else(|| self.describe())
    }
}

/// Parse the scenario file `file` (named by its path, for messages) whose
/// text is `text`. The error names the file and, inside a step, the step
/// (from 1).
pub fn parse(file: &str, text: &str) -> Result<Scenario, String> {
    let table: Table = toml::from_str(text).map_err(|e| format!("{file}: {}", e.to_string().trim_end()))?;
    let fail = |why: String| format!("{file}: {why}");
    if let Some(unknown) = table.keys().find(|k| !TOP_KEYS.contains(&k.as_str())) {
        return Err(fail(format!("unknown key `{unknown}` (a scenario has {})", TOP_KEYS.join(", "))));
    }
    let stem = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".toml").to_string();
    let name = match table.get("name") {
        None => stem,
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(other) => return Err(fail(format!("name is text, not {}", shown(other)))),
    };
    let viewport = match table.get("viewport") {
        None => DEFAULT_VIEWPORT,
        Some(Value::Array(sides)) => match sides.as_slice() {
            [Value::Integer(w), Value::Integer(h)]
                if (100..=4000).contains(w) && (100..=4000).contains(h) =>
            {
                (*w as u32, *h as u32)
            }
            _ => {
                return Err(fail(format!(
                    "viewport is [width, height], each 100 to 4000 pixels, not {}",
                    shown(&Value::Array(sides.clone()))
                )));
            }
        },
        Some(other) => return Err(fail(format!("viewport is [width, height], not {}", shown(other)))),
    };
    let url = match table.get("url") {
        None => None,
        Some(Value::String(u)) if is_url(u) => Some(u.clone()),
        Some(other) => {
            return Err(fail(format!(
                "url is a path (`/page.html`) or an http(s) URL, not {}",
                shown(other)
            )));
        }
    };
    let steps = match table.get("steps") {
        Some(Value::Array(steps)) if !steps.is_empty() => steps,
        Some(Value::Array(_)) | None => {
            return Err(fail("has no steps: add [[steps]] tables, e.g. [[steps]] click = \"#add\"".into()));
        }
        Some(other) => {
            return Err(fail(format!("steps is a list of [[steps]] tables, not {}", shown(other))));
        }
    };
    let steps = steps
        .iter()
        .enumerate()
        .map(|(i, step)| self::step(step).map_err(|why| fail(format!("step {}: {why}", i + 1))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario { file: file.to_string(), name, viewport, url, steps })
}

fn is_url(u: &str) -> bool {
    u.starts_with('/') || u.starts_with("http://") || u.starts_with("https://")
}

fn step(value: &Value) -> Result<Step, String> {
    let Value::Table(step) = value else { return Err(format!("a step is a table, not {}", shown(value))) };
    if let Some(unknown) =
        step.keys().find(|k| !ACTIONS.contains(&k.as_str()) && *k != "caption" && *k != "timeout-ms")
    {
        return Err(format!(
            "unknown key `{unknown}` (a step has one of {}, and may have caption and timeout-ms)",
            ACTIONS.join(", ")
        ));
    }
    let actions: Vec<&str> = ACTIONS.iter().copied().filter(|a| step.contains_key(*a)).collect();
    let kind = match actions.as_slice() {
        [one] => *one,
        [] => return Err(format!("a step does one of {}; this one does none", ACTIONS.join(", "))),
        many => return Err(format!("a step does one thing; this one has {}", many.join(" and "))),
    };
    let value = &step[kind];
    let text = |v: &Value, what: &str| match v {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        other => Err(format!("{kind} takes {what}, not {}", shown(other))),
    };
    let field = |t: &Table, key: &str, what: &str| match t.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(other) => Err(format!("{kind}.{key} is {what}, not {}", shown(other))),
        None => Err(format!("{kind} needs {key} ({what})")),
    };
    let only = |t: &Table, keys: &[&str]| match t.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(format!("{kind} has no `{k}` (it takes {})", keys.join(" and "))),
        None => Ok(()),
    };
    let action = match kind {
        "goto" => {
            let url = text(value, "a path or URL")?;
            if !is_url(&url) {
                return Err(format!("goto {url:?}: a path (`/page.html`) or an http(s) URL"));
            }
            Action::Goto(url)
        }
        "click" => Action::Click(text(value, "a CSS selector")?),
        "press" => Action::Press(text(value, "a key, e.g. \"Enter\"")?),
        "screenshot" => Action::Screenshot(text(value, "a caption")?),
        "type" => match value {
            Value::Table(t) => {
                only(t, &["selector", "text"])?;
                Action::Type {
                    selector: field(t, "selector", "a CSS selector")?,
                    text: field(t, "text", "text")?,
                }
            }
            other => {
                return Err(format!("type takes {{ selector = \"…\", text = \"…\" }}, not {}", shown(other)));
            }
        },
        "wait-for" => match value {
            Value::String(s) if !s.is_empty() => Action::WaitFor(Wait::Selector(s.clone())),
            Value::Table(t) if t.contains_key("text") => {
                only(t, &["text"])?;
                Action::WaitFor(Wait::Text(field(t, "text", "text")?))
            }
            Value::Table(t) => {
                only(t, &["selector"])?;
                Action::WaitFor(Wait::Selector(field(t, "selector", "a CSS selector")?))
            }
            other => {
                return Err(format!(
                    "wait-for takes a CSS selector or {{ text = \"…\" }}, not {}",
                    shown(other)
                ));
            }
        },
        "expect-text" => match value {
            Value::String(s) if !s.is_empty() => Action::ExpectText { selector: None, text: s.clone() },
            Value::Table(t) => {
                only(t, &["selector", "text"])?;
                let selector =
                    t.contains_key("selector").then(|| field(t, "selector", "a CSS selector")).transpose()?;
                Action::ExpectText { selector, text: field(t, "text", "text")? }
            }
            other => {
                return Err(format!(
                    "expect-text takes text or {{ selector = \"…\", text = \"…\" }}, not {}",
                    shown(other)
                ));
            }
        },
        "pause" => match value {
            Value::Integer(ms) if (0..=MAX_WAIT_MS).contains(ms) => Action::Pause(*ms as u32),
            other => {
                return Err(format!(
                    "pause takes milliseconds from 0 to {MAX_WAIT_MS}, not {}",
                    shown(other)
                ));
            }
        },
        _ => unreachable!("every action is matched"),
    };
    let caption = match step.get("caption") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()).filter(|s| !s.trim().is_empty()),
        Some(other) => return Err(format!("caption is text, not {}", shown(other))),
    };
    let timeout_ms = match step.get("timeout-ms") {
        None => None,
        Some(Value::Integer(ms)) if (1..=MAX_WAIT_MS).contains(ms) => Some(*ms as u32),
        Some(other) => {
            return Err(format!("timeout-ms is milliseconds from 1 to {MAX_WAIT_MS}, not {}", shown(other)));
        }
    };
    Ok(Step { action, caption, timeout_ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTER: &str = r##"
        viewport = [800, 600]

        [[steps]]
        click = "#add"
        caption = "Add one"

        [[steps]]
        expect-text = { selector = "#count", text = "count: 1" }
        timeout-ms = 2000

        [[steps]]
        type = { selector = "#name", text = "grove" }

        [[steps]]
        press = "Enter"

        [[steps]]
        wait-for = { text = "Saved" }

        [[steps]]
        wait-for = "#list li"

        [[steps]]
        expect-text = "Saved"

        [[steps]]
        screenshot = "the saved list"

        [[steps]]
        pause = 300

        [[steps]]
        goto = "/other.html"
    "##;

    #[test]
    fn every_step_reads_as_written() {
        let s = parse(".grove/scenarios/counter.toml", COUNTER).unwrap();
        assert_eq!(s.name, "counter");
        assert_eq!(s.viewport, (800, 600));
        assert_eq!(s.url, None);
        let actions: Vec<_> = s.steps.iter().map(|s| s.action.clone()).collect();
        assert_eq!(
            actions,
            vec![
                Action::Click("#add".into()),
                Action::ExpectText { selector: Some("#count".into()), text: "count: 1".into() },
                Action::Type { selector: "#name".into(), text: "grove".into() },
                Action::Press("Enter".into()),
                Action::WaitFor(Wait::Text("Saved".into())),
                Action::WaitFor(Wait::Selector("#list li".into())),
                Action::ExpectText { selector: None, text: "Saved".into() },
                Action::Screenshot("the saved list".into()),
                Action::Pause(300),
                Action::Goto("/other.html".into()),
            ]
        );
        assert_eq!(s.steps[0].caption(), "Add one");
        assert_eq!(s.steps[1].caption(), "expect #count to show \"count: 1\"");
        assert_eq!(s.steps[1].timeout_ms, Some(2000));
        let named =
            parse("x.toml", "name = \"Counting\"\nurl = \"/c.html\"\n[[steps]]\nclick = \"a\"\n").unwrap();
        assert_eq!(
            (named.name.as_str(), named.viewport, named.url.as_deref()),
            ("Counting", DEFAULT_VIEWPORT, Some("/c.html"))
        );
    }

    #[test]
    fn each_mistake_names_the_file_and_the_step() {
        let file = ".grove/scenarios/bad.toml";
        let err = |text: &str| parse(file, text).unwrap_err();
        let e = err("[[steps]]\nclick = \"#a\"\n[[steps]]\nclik = \"#b\"\n");
        assert!(e.starts_with(&format!("{file}: step 2: unknown key `clik`")), "{e}");
        let e = err("[[steps]]\nclick = \"#a\"\npress = \"Enter\"\n");
        assert!(e.contains("step 1: a step does one thing; this one has click and press"), "{e}");
        let e = err("[[steps]]\ncaption = \"nothing\"\n");
        assert!(e.contains("step 1: a step does one of goto"), "{e}");
        let e = err("[[steps]]\ntype = \"#name\"\n");
        assert!(e.contains("step 1: type takes { selector"), "{e}");
        let e = err("[[steps]]\ntype = { selector = \"#name\" }\n");
        assert!(e.contains("step 1: type needs text"), "{e}");
        let e = err("[[steps]]\nexpect-text = { selector = \"#a\", txt = \"b\" }\n");
        assert!(e.contains("expect-text has no `txt`"), "{e}");
        let e = err("[[steps]]\npause = -1\n");
        assert!(e.contains("step 1: pause takes milliseconds"), "{e}");
        let e = err("[[steps]]\ngoto = \"javascript:alert(1)\"\n");
        assert!(e.contains("step 1: goto"), "{e}");
        let e = err("viewport = [10, 10]\n[[steps]]\nclick = \"a\"\n");
        assert!(e.contains("viewport is [width, height]"), "{e}");
        let e = err("name = \"x\"\n");
        assert!(e.contains("has no steps"), "{e}");
        let e = err("steps = 3\n");
        assert!(e.contains("steps is a list"), "{e}");
        let e = err("title = \"x\"\n[[steps]]\nclick = \"a\"\n");
        assert!(e.contains("unknown key `title`"), "{e}");
        let e = err("[[steps]\n");
        assert!(e.starts_with(file), "{e}");
        let e = err("[[steps]]\nclick = \"a\"\ntimeout-ms = 0\n");
        assert!(e.contains("step 1: timeout-ms"), "{e}");
    }
}
