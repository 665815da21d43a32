//! A command about to be judged: its words, expanded as far as they can be
//! without running anything, and the program's name split off.

use super::flow::Taint;

/// One word of a command, expanded as far as it can be without running.
#[derive(Debug, Clone)]
pub struct Arg {
    /// The value, or the word as written when it is not known.
    pub text: String,
    /// The value is known (no variable or substitution in it).
    pub known: bool,
    /// Unquoted glob characters.
    pub glob: bool,
    /// What its substitutions produce.
    pub taint: Taint,
    /// For a value not known: the known text it starts with.
    pub prefix: String,
    /// For a value not known: the word with `*` for each unknown part
    /// (`*/.ssh/id_rsa` of `$(echo ~)/.ssh/id_rsa`).
    pub pattern: String,
    /// For `<(echo …)`: what reading the file gives, when the line says.
    pub content: Option<String>,
    /// For a value not known: it is what a command prints (`$(cat list)`,
    /// a line of `xargs`' input), so it names files only known at run time.
    pub printed: bool,
    /// For a printed value: the paths it can be, when the command that
    /// prints it lists them (`$(find src)`, `git ls-files | xargs`).
    pub stands_for: Option<Vec<Arg>>,
}

impl Arg {
    pub fn lit(text: impl Into<String>) -> Arg {
        Arg {
            text: text.into(),
            known: true,
            glob: false,
            taint: Taint::default(),
            prefix: String::new(),
            pattern: String::new(),
            content: None,
            printed: false,
            stands_for: None,
        }
    }

    pub fn unknown(text: impl Into<String>) -> Arg {
        Arg {
            text: text.into(),
            known: false,
            glob: false,
            taint: Taint::default(),
            prefix: String::new(),
            pattern: String::new(),
            content: None,
            printed: false,
            stands_for: None,
        }
    }

    /// A file name read at run time from a command's output: one of
    /// `stands_for` when the command lists paths, else anything.
    pub fn printed(text: impl Into<String>, stands_for: Option<Vec<Arg>>) -> Arg {
        Arg { printed: true, stands_for, ..Arg::unknown(text) }
    }

    pub fn is(&self, s: &str) -> bool {
        self.known && self.text == s
    }

    pub fn is_flag(&self) -> bool {
        self.known && self.text.starts_with('-') && self.text.len() > 1
    }
}

/// A simple command about to be judged: its words, with the program's
/// name split off.
#[derive(Debug)]
pub struct Call<'a> {
    /// The program's base name (`/usr/bin/rm` is `rm`).
    pub name: &'a str,
    pub program: &'a Arg,
    pub args: &'a [Arg],
}

impl Call<'_> {
    /// The command as one line, for messages: short, and quoted as needed.
    pub fn line(&self) -> String {
        let mut out = String::new();
        for a in std::iter::once(self.program).chain(self.args) {
            if !out.is_empty() {
                out.push(' ');
            }
            if a.text.is_empty() || a.text.contains([' ', '\'', '"', '|', ';', '&']) {
                out.push('\'');
                out.push_str(&a.text);
                out.push('\'');
            } else {
                out.push_str(&a.text);
            }
            if out.len() > 120 {
                out.truncate(out.floor_char_boundary(117));
                out.push('…');
                break;
            }
        }
        format!("`{out}`")
    }

    /// Whether a flag is given, long (`--force`) or as a short letter in
    /// any cluster (`-rf` has `r`), up to `--`.
    pub fn has(&self, short: Option<char>, long: &[&str]) -> bool {
        for a in self.args {
            if !a.known {
                continue;
            }
            let t = a.text.as_str();
            if t == "--" {
                break;
            }
            if let Some(l) = t.strip_prefix("--") {
                let name = l.split('=').next().unwrap_or(l);
                // GNU tools and git accept any unambiguous prefix (`--rec`).
                if long.iter().any(|full| *full == name || name.len() >= 3 && full.starts_with(name)) {
                    return true;
                }
            } else if let (Some(c), Some(cluster)) = (short, t.strip_prefix('-'))
                && !cluster.is_empty()
                && cluster.chars().all(|x| x.is_ascii_alphanumeric())
                && cluster.contains(c)
            {
                return true;
            }
        }
        false
    }

    /// The arguments that are not options (after `--`, everything).
    pub fn operands(&self) -> impl Iterator<Item = &Arg> {
        let mut after_dashdash = false;
        self.args.iter().filter(move |a| {
            if after_dashdash {
                return true;
            }
            if a.is("--") {
                after_dashdash = true;
                return false;
            }
            !a.is_flag()
        })
    }

    /// The first operand that is not an option: a subcommand.
    pub fn sub(&self) -> Option<&str> {
        self.args.iter().find(|a| !a.is_flag()).filter(|a| a.known).map(|a| a.text.as_str())
    }
}
