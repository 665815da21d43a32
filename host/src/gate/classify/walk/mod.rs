//! Walking a parsed command line: every simple command, substitution,
//! redirect and pipe is judged; what flows through pipes is tracked, so
//! downloaded or decoded data piped into a shell, and secrets piped into
//! the network, are seen for what they are.
//!
//! This file holds the walk itself: lists, pipelines, groups, functions,
//! and handing each simple command to its program's rules. What flows
//! through pipes, a command's words, variables, expansion, redirects and
//! what commands do to paths each have a module below.

mod access;
mod call;
mod environment;
mod expand;
mod flow;
mod links;
mod redirects;

use std::path::PathBuf;

pub use access::Reader;
pub use call::{Arg, Call};
pub use environment::secret_name;
use expand::braces;
pub use flow::{Flow, Stdin, Taint};

use super::shell::{self, Command, List, Part, Pipeline, RedirOp, Simple};
use super::{Classifier, programs};
use crate::gate::level::{Assessment, Level};

/// How deep `sh -c`, `eval`, `sudo` and friends may nest before the
/// command is asked about instead of judged.
const MAX_NESTING: usize = 16;

/// Walks one action's commands, filling its assessment.
pub struct Walker<'c, 'a> {
    pub cx: &'c Classifier,
    pub a: &'a mut Assessment,
    /// The folder commands run in; `None` after a `cd` to somewhere unknown.
    cwd: Option<PathBuf>,
    depth: usize,
    /// What the command being judged reads on stdin, when the line spells
    /// it out (`echo / | xargs rm -rf`).
    pub stdin_text: Option<String>,
    /// Files this line filled with secrets or the environment.
    tainted: Vec<String>,
    /// Variables set earlier on the line (`X=/; rm -rf $X`).
    vars: Vec<(String, String)>,
    /// Functions defined earlier on the line: their bodies were judged.
    functions: Vec<String>,
    /// What variables set on the line carry (`X=$(curl …)`).
    var_taints: Vec<(String, Taint)>,
    /// What the last pipeline judged prints, when the line spells it out.
    last_text: Option<String>,
    /// The paths the last pipeline judged lists, when it lists paths.
    last_found: Option<Vec<Arg>>,
    /// The paths the command being judged reads on stdin, when the command
    /// before it in the pipe lists paths (`find src | xargs wc -l`).
    pub stdin_found: Option<Vec<Arg>>,
    /// Whether what the command being judged prints is used (piped on, or
    /// substituted): only then is working out what it lists worth a walk.
    pub output_used: bool,
    /// How many command substitutions the walk is inside.
    substituting: usize,
    /// Variables that hold a command's output (`X=$(cat list)`): a file
    /// they name is only known at run time (or one of the paths listed).
    printed_vars: Vec<(String, Option<Vec<Arg>>)>,
    /// Symlinks made earlier on the line: where they are, where they point.
    links: Vec<(String, String)>,
}

impl<'c, 'a> Walker<'c, 'a> {
    pub fn new(cx: &'c Classifier, a: &'a mut Assessment) -> Self {
        Walker {
            cwd: Some(cx.root().to_path_buf()),
            cx,
            a,
            depth: 0,
            stdin_text: None,
            tainted: Vec::new(),
            vars: Vec::new(),
            functions: Vec::new(),
            var_taints: Vec::new(),
            last_text: None,
            last_found: None,
            stdin_found: None,
            printed_vars: Vec::new(),
            output_used: false,
            substituting: 0,
            links: Vec::new(),
        }
    }

    pub fn home(&self) -> Option<&str> {
        self.cx.paths.home()
    }

    /// Judge a whole parsed script; returns what its last command outputs.
    pub fn script(&mut self, list: &List) -> Taint {
        let mut out = Taint::default();
        for ao in &list.0 {
            for p in &ao.pipelines {
                out = self.pipeline(p);
            }
        }
        out
    }

    /// Judge a command line given as text (from `sh -c`, `eval`, `watch`…).
    pub fn nested_line(&mut self, line: &str, via: &str) -> Taint {
        if self.depth >= MAX_NESTING {
            self.a.raise(Level::High, "shell.nesting", format!("{via} nests commands too deeply to judge"));
            return Taint::default();
        }
        match shell::parse(line) {
            Ok(list) => {
                self.depth += 1;
                let saved = self.cwd.clone();
                let t = self.script(&list);
                self.cwd = saved;
                self.depth -= 1;
                t
            }
            Err(e) => {
                self.a.raise(
                    Level::High,
                    "shell.unparsable",
                    format!("the command given to {via} does not parse: {e}"),
                );
                Taint::default()
            }
        }
    }

    /// Judge a program and its arguments, run without a shell, with the
    /// environment variables it is given.
    pub fn argv(&mut self, argv: &[String], env: &[(String, String)]) {
        for (name, value) in env {
            self.environment(name, &Arg::lit(value.as_str()));
        }
        let args: Vec<Arg> = argv.iter().map(|s| Arg::lit(s.as_str())).collect();
        self.words(&args);
    }

    fn pipeline(&mut self, p: &Pipeline) -> Taint {
        let mut upstream = Taint::default();
        let mut text: Option<String> = None;
        let mut found: Option<Vec<Arg>> = None;
        let (mut runs_stdin, mut uploads_stdin) = (false, false);
        for (i, cmd) in p.commands.iter().enumerate() {
            self.stdin_text = text.take();
            self.stdin_found = found.take();
            self.output_used = i + 1 < p.commands.len() || self.substituting > 0;
            let flow = self.command(cmd);
            let text_in = self.stdin_text.take();
            let found_in = self.stdin_found.take();
            // `find src | grep '\.rs$' | xargs …`: a filter passes on part
            // of the list of paths it is given.
            found = flow.found.clone().or_else(|| found_in.filter(|_| filters_lines(cmd)));
            runs_stdin |= flow.stdin == Stdin::Code;
            uploads_stdin |= flow.stdin == Stdin::Upload;
            if i > 0 {
                self.sink(flow.stdin, upstream, "the pipe");
                // `echo 'rm -rf /' | sh`: the code is on the line; judge it.
                if let (Stdin::Code, Some(code)) = (flow.stdin, &text_in) {
                    self.nested_line(code, "the pipe");
                }
            }
            upstream = upstream.union(flow.out);
            text = flow.text;
        }
        self.last_text = text;
        self.last_found = found;
        if runs_stdin && uploads_stdin && p.commands.len() > 1 {
            self.a.raise(
                Level::Critical,
                "net.reverse-shell",
                "a shell's input and output are wired to a network connection",
            );
        }
        upstream
    }

    /// Standard input from `source` reaches a command that does `stdin`.
    fn sink(&mut self, stdin: Stdin, source: Taint, via: &str) {
        match stdin {
            Stdin::Code if source.foreign_code() => self.a.raise(
                Level::Critical,
                "shell.remote-code",
                format!(
                    "{} is piped into a shell through {via}",
                    if source.network { "downloaded data" } else { "decoded data" }
                ),
            ),
            Stdin::Code => self.a.raise(
                Level::High,
                "shell.stdin-code",
                format!("a shell runs whatever comes through {via}"),
            ),
            Stdin::Upload if source.sensitive() => self.a.raise(
                Level::Critical,
                "net.exfiltration",
                format!(
                    "{} is sent over the network through {via}",
                    if source.secret { "a secret" } else { "the environment" }
                ),
            ),
            _ => {}
        }
    }

    fn command(&mut self, cmd: &Command) -> Flow {
        match cmd {
            Command::Simple(s) => self.simple(s),
            Command::Group(list, redirects) => {
                let saved = self.cwd.clone();
                let out = self.script(list);
                self.cwd = saved;
                let simple = Simple { redirects: redirects.clone(), ..Simple::default() };
                self.redirects(&simple, Flow::out(out))
            }
            Command::Function(name, body) => {
                self.functions.push(name.clone());
                if calls(body, name) {
                    if spawns(body, name) {
                        self.a.raise(
                            Level::Critical,
                            "shell.fork-bomb",
                            format!("function `{name}` calls itself in a pipe or the background"),
                        );
                    } else {
                        self.a.raise(
                            Level::Medium,
                            "shell.recursion",
                            format!("function `{name}` calls itself"),
                        );
                    }
                }
                self.script(body);
                Flow::NONE
            }
        }
    }

    fn simple(&mut self, s: &Simple) -> Flow {
        self.printed_vars.retain(|(n, _)| !s.assigns.iter().any(|(a, _)| a == n));
        for (name, value) in &s.assigns {
            let v = self.expand(value);
            if name.is_empty() {
                continue;
            }
            self.environment(name, &v);
            if v.taint != Taint::default() {
                self.var_taints.push((name.clone(), v.taint));
            }
            // `for f in a b`: the variable takes each value, so none is known.
            let varies = s.assigns.iter().filter(|(n, _)| n == name).count() > 1;
            if s.words.is_empty() || name == "CDPATH" {
                self.set_var(name, (v.known && !varies).then(|| v.text.clone()));
            }
            // `X=$(cat list)`, `for f in $(cat list)`: a printed file name.
            if !v.known && v.printed {
                self.printed_vars.push((name.clone(), v.stands_for.clone()));
            }
        }
        let mut args: Vec<Arg> = Vec::with_capacity(s.words.len());
        for word in &s.words {
            let arg = self.expand(word);
            // `rm -rf /{etc,usr}`, `{rm,-rf,/}`: brace expansion, as bash does it.
            if arg.known
                && word.0.iter().any(|p| matches!(p, Part::Bare(b) if b.contains('{') && b.contains('}')))
            {
                args.extend(braces(&arg.text).into_iter().map(|text| Arg { text, ..arg.clone() }));
            } else {
                args.push(arg);
            }
        }
        // What a here-doc or here-string feeds the command, when spelled out.
        if self.stdin_text.is_none() {
            self.stdin_text = s.redirects.iter().rev().find_map(|r| match r.op {
                RedirOp::HereDoc => r.body.as_ref()?.literal(&|n| self.var(n)),
                RedirOp::HereString => r.target.literal(&|n| self.var(n)),
                _ => None,
            });
        }
        let flow = if args.is_empty() { Flow::NONE } else { self.words(&args) };
        let passes_stdin = args.len() == 1 && args[0].is("cat");
        let mut flow = self.redirects(s, flow);
        if passes_stdin && let Some(body) = s.redirects.iter().rev().find_map(|r| r.body.as_ref()) {
            flow.text = body.literal(&|n| self.var(n));
        }
        flow
    }

    /// Judge one simple command given as words.
    pub fn words(&mut self, args: &[Arg]) -> Flow {
        let Some((program, rest)) = args.split_first() else { return Flow::NONE };
        self.a.facts.commands.push(args.iter().map(|a| a.text.clone()).collect());
        if !program.known {
            if program.taint.foreign_code() {
                self.a.raise(
                    Level::Critical,
                    "shell.remote-code",
                    "the program to run is downloaded or decoded at run time",
                );
            } else {
                self.a.raise(
                    Level::High,
                    "shell.dynamic-program",
                    format!("the program `{}` is only known at run time", program.text),
                );
            }
            return Flow::NONE;
        }
        if self.functions.contains(&program.text) {
            // A function of this line: its body was judged where it was defined.
            return Flow::NONE;
        }
        let normalized;
        let program = if program.text.starts_with('/') {
            normalized = Arg {
                text: super::paths::normalize(std::path::Path::new(&program.text))
                    .to_string_lossy()
                    .into_owned(),
                ..program.clone()
            };
            &normalized
        } else {
            program
        };
        let base = program.text.rsplit('/').next().unwrap_or(&program.text);
        // A shell or an interpreter anywhere (`/opt/homebrew/bin/bash`) is
        // judged as one: its rules are the strict ones.
        if program.text.contains('/')
            && !is_system_bin(&program.text)
            && !(program.text.starts_with('/') && RUNS_CODE.contains(&base))
        {
            let at = self.locate(program);
            self.a.raise(
                Level::Medium,
                "exec.local-program",
                format!(
                    "runs `{}`, a program grove does not know",
                    at.map_or(program.text.clone(), |l| l.shown)
                ),
            );
            return Flow::NONE;
        }
        if self.depth >= MAX_NESTING {
            self.a.raise(Level::High, "shell.nesting", "commands nest too deeply to judge");
            return Flow::NONE;
        }
        self.depth += 1;
        let call = Call { name: base, program, args: rest };
        let flow = programs::judge(self, &call);
        self.depth -= 1;
        flow
    }
}

/// A filter of its input's lines (`grep PATTERN`, `sort`, `head`): what
/// comes out is some of what went in.
fn filters_lines(cmd: &Command) -> bool {
    let Command::Simple(s) = cmd else { return false };
    let words: Vec<String> = s.words.iter().filter_map(|w| w.literal(&|_| None)).collect();
    if words.len() != s.words.len() || !s.redirects.is_empty() {
        return false;
    }
    let Some((name, args)) = words.split_first() else { return false };
    let operands = args.iter().filter(|a| !a.starts_with('-')).count();
    match name.rsplit('/').next().unwrap_or(name) {
        "sort" | "uniq" | "head" | "tail" | "cat" | "tac" | "shuf" => operands == 0,
        "grep" | "egrep" | "fgrep" | "rg" => operands <= 1 && !args.iter().any(|a| a == "-o"),
        "sed" => operands <= 1 && !args.iter().any(|a| a.starts_with("-i")),
        _ => false,
    }
}

/// Programs that run the code they are given, wherever they are installed.
const RUNS_CODE: &[&str] =
    &["sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python3", "node", "perl", "ruby", "php"];

fn is_system_bin(p: &str) -> bool {
    ["/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/", "/usr/local/sbin/"]
        .iter()
        .any(|d| p.strip_prefix(d).is_some_and(|rest| !rest.contains('/')))
}

/// The function body calls `name`.
fn calls(list: &List, name: &str) -> bool {
    list.commands().any(|c| match c {
        Command::Simple(s) => s.words.first().is_some_and(|w| w.literal(&|_| None).as_deref() == Some(name)),
        Command::Group(l, _) | Command::Function(_, l) => calls(l, name),
    })
}

/// The function body calls `name` in a pipeline or in the background.
fn spawns(list: &List, name: &str) -> bool {
    list.0.iter().any(|ao| {
        ao.pipelines.iter().any(|p| {
            let multi = p.commands.len() > 1 || ao.background;
            p.commands.iter().any(|c| match c {
                Command::Simple(_) => {
                    multi
                        && calls(
                            &List(vec![shell::AndOr {
                                pipelines: vec![Pipeline { commands: vec![c.clone()] }],
                                background: false,
                            }]),
                            name,
                        )
                }
                Command::Group(l, _) | Command::Function(_, l) => {
                    (multi && calls(l, name)) || spawns(l, name)
                }
            })
        })
    })
}
