//! A POSIX/bash command-line parser, built for judging commands rather than
//! running them: it keeps everything that decides what a line does
//! (pipelines, lists, subshells, command and process substitution,
//! redirects, here-docs, quoting, `$'…'` escapes, tilde and parameter
//! expansion) and flattens what does not (the control flow of `if`,
//! `while`, `for` and `case` becomes the list of commands they may run).
//!
//! It is hand-written because it sits on the gate's hot path: one pass over
//! the bytes, no backtracking beyond a `case` pattern, no regexes.

mod parser;

pub use parser::{ParseError, parse};

/// A list of and-or lists, separated by `;`, `&` or newlines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct List(pub Vec<AndOr>);

/// Pipelines joined by `&&` and `||`; the connectors do not matter to the
/// gate (either side may run), so only the pipelines are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct AndOr {
    pub pipelines: Vec<Pipeline>,
    /// Ended by `&`.
    pub background: bool,
}

/// Commands joined by `|` (or `|&`): each one's output feeds the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Simple(Simple),
    /// `( list )`, or a compound command (`if`, `while`, `{ … }`) flattened
    /// into the commands it may run.
    Group(List, Vec<Redirect>),
    /// `name() { body }` or `function name { body }`.
    Function(String, List),
}

/// Assignments, words and redirects of one command.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Simple {
    /// `NAME=value` prefixes.
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    /// The file descriptor written before the operator (`2>`), if any.
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: Word,
    /// A here-doc's body.
    pub body: Option<Word>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    In,
    /// `>`, `>|`, `&>`
    Out,
    /// `>>`, `&>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `<&`, `>&` with a descriptor or `-`.
    Dup,
    /// `<<`, `<<-`
    HereDoc,
    /// `<<<`
    HereString,
}

impl RedirOp {
    pub fn writes(self) -> bool {
        matches!(self, RedirOp::Out | RedirOp::Append | RedirOp::ReadWrite)
    }
}

/// A word: the pieces that, concatenated, make one argument.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Word(pub Vec<Part>);

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Unquoted text: globs and keywords count here.
    Bare(String),
    /// Text that was quoted or escaped: taken literally.
    Quoted(String),
    /// `~` or `~user` at the start of a word.
    Tilde(String),
    /// `$NAME`, `${NAME…}`, `$1`, `$@`…: the name, and whether it has an
    /// operator (`${X:-y}`) that makes its value unknowable.
    Param { name: String, plain: bool },
    /// `$( … )` or `` `…` ``.
    Subst(List),
    /// `<( … )` or `>( … )`.
    ProcSubst(List),
    /// `$(( … ))`.
    Arith,
}

/// Looks a variable up: `HOME`, and those set earlier on the line.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Part {
    /// The part's value, when it is known without running anything.
    fn value(&self, lookup: Lookup<'_>) -> Option<String> {
        match self {
            Part::Bare(s) | Part::Quoted(s) => Some(s.clone()),
            Part::Tilde(user) if user.is_empty() => lookup("HOME"),
            // Another user's home: where it usually is.
            Part::Tilde(user) if user == "root" => Some("/root".into()),
            Part::Tilde(user) => Some(format!("/home/{user}")),
            Part::Param { name, plain: true } => lookup(name),
            _ => None,
        }
    }
}

impl Word {
    /// The word's value when it is known without running anything: text,
    /// quotes, `~`, and the variables `lookup` knows. `None` when it
    /// depends on anything else.
    pub fn literal(&self, lookup: Lookup<'_>) -> Option<String> {
        self.0.iter().map(|p| p.value(lookup)).collect()
    }

    /// The known text the word starts with, before the first part whose
    /// value is unknown: `/home/` of `/home/$USER`.
    pub fn known_prefix(&self, lookup: Lookup<'_>) -> String {
        self.0.iter().map_while(|p| p.value(lookup)).collect()
    }

    /// The word as a glob: known parts as they are, `*` for each part whose
    /// value is unknown (`*/.ssh/id_rsa` of `$(echo ~)/.ssh/id_rsa`).
    pub fn pattern(&self, lookup: Lookup<'_>) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part.value(lookup) {
                Some(s) => out.push_str(&s),
                None if !out.ends_with('*') => out.push('*'),
                None => {}
            }
        }
        out
    }

    /// The word as written, for messages and policy patterns.
    pub fn source(&self) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Bare(s) | Part::Quoted(s) => out.push_str(s),
                Part::Tilde(user) => {
                    out.push('~');
                    out.push_str(user);
                }
                Part::Param { name, .. } => {
                    out.push_str("${");
                    out.push_str(name);
                    out.push('}');
                }
                Part::Subst(_) => out.push_str("$(…)"),
                Part::ProcSubst(_) => out.push_str("<(…)"),
                Part::Arith => out.push_str("$((…))"),
            }
        }
        out
    }

    /// Unquoted glob characters: the word may stand for many paths.
    pub fn has_glob(&self) -> bool {
        self.0.iter().any(|p| matches!(p, Part::Bare(s) if s.contains(['*', '?', '['])))
    }

    /// The command and process substitutions inside the word.
    pub fn substitutions(&self) -> impl Iterator<Item = &List> {
        self.0.iter().filter_map(|p| match p {
            Part::Subst(l) | Part::ProcSubst(l) => Some(l),
            _ => None,
        })
    }

    /// True when the word is plain unquoted text equal to `s` (keywords).
    pub fn is_bare(&self, s: &str) -> bool {
        matches!(self.0.as_slice(), [Part::Bare(b)] if b == s)
    }
}

impl List {
    /// Every simple command in the list, depth first, not entering
    /// substitutions (the classifier visits those on its own).
    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.0.iter().flat_map(|ao| ao.pipelines.iter()).flat_map(|p| p.commands.iter())
    }
}
