//! A terminal gets text, never control sequences, from anything a skill or
//! a program wrote. These run grove on a real pseudo-terminal (`script`)
//! and read the raw bytes it wrote there.

use crate::support::{grove_cmd, probe};

/// A clipboard write (OSC 52), a title change, a screen clear and a colour:
/// what a hostile skill would put on the user's terminal.
const HOSTILE: &str =
    "evil\u{1b}]52;c;cm0gLXJmIH4K\u{7} \u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}[1;31mred\u{1b}[0m";

/// Run grove with `args` on a pseudo-terminal, typing `input`; the raw
/// bytes the terminal received.
fn on_a_terminal(dir: &std::path::Path, args: &[&str], input: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    crate::support::on_a_terminal(grove_cmd(dir, home.path()), args, input, std::time::Duration::ZERO)
}

/// No sequence of the skill's acts on the terminal: each channel (log,
/// progress, WASI stdout and stderr, report, question and choice, the
/// error, the summary) shows it spelled out instead.
#[test]
fn skill_text_reaches_a_terminal_as_text() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    for ending in ["fail", "succeed"] {
        let raw = on_a_terminal(dir.path(), &["run", probe(), "hostile", HOSTILE, ending], "\n");
        for obeyed in ["\u{1b}]", "\u{1b}[2J", "\u{7}", "\u{1b}[1;31m"] {
            assert!(!raw.contains(obeyed), "{ending}: {obeyed:?} reached the terminal:\n{raw:?}");
        }
        let shown = raw.matches(r"\x1b]52;c;cm0gLXJmIH4K\x07").count();
        assert!(shown >= 8, "{ending}: the text was shown {shown} times:\n{raw}");
    }
}

/// The approval prompt is grove's: a target written to look like another
/// prompt stays on the one gutter line, and the only prompt names the
/// action the gate is asking about.
#[test]
fn a_forged_approval_prompt_stays_inside_the_gutter() {
    let dir = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let forged = "true\n\ngrove: skill `probe` asks for workspace.read (low risk):\n  │ README.md\n\
                  Allow [o]nce, allow for this [s]ession, or [d]eny? o\n\u{1b}[2K";
    let raw = on_a_terminal(
        dir.path(),
        &["run", "--mode", "manual", "--allow", "process", probe(), "run", "sh", "-c", forged],
        "d\n",
    );
    let prompts: Vec<&str> = raw.lines().filter(|l| l.starts_with("grove: skill")).collect();
    assert_eq!(prompts.len(), 1, "{raw}");
    assert!(prompts[0].contains("process.run"), "{raw}");
    let gutter: Vec<&str> = raw.lines().filter(|l| l.trim_start().starts_with('│')).collect();
    assert_eq!(gutter.len(), 1, "{raw}");
    assert!(gutter[0].contains("workspace.read") && gutter[0].contains('⏎'), "{raw}");
    // The forgery is there to read, but never starts a line of its own:
    // one question, one place to answer.
    assert_eq!(raw.lines().filter(|l| l.trim_start().starts_with("Allow [o]nce")).count(), 1, "{raw}");
    assert!(gutter[0].contains(r"\x1b[2K"), "{raw}");
}
