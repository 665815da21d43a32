//! Walking a parsed command line: every simple command, substitution,
//! redirect and pipe is judged; what flows through pipes is tracked, so
//! downloaded or decoded data piped into a shell, and secrets piped into
//! the network, are seen for what they are.

use std::path::PathBuf;

use super::paths::{Located, Zone};
use super::shell::{self, Command, List, Part, Pipeline, RedirOp, Simple, Word};
use super::{Classifier, programs};
use crate::gate::level::{Access, Assessment, Level};

/// How deep `sh -c`, `eval`, `sudo` and friends may nest before the
/// command is asked about instead of judged.
const MAX_NESTING: usize = 16;

/// What a command's output carries, as far as the rules care.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Taint {
    /// Fetched from the network.
    pub network: bool,
    /// Decoded or unpacked: its content is not what the command line shows.
    pub decoded: bool,
    /// Read from a secret file.
    pub secret: bool,
    /// The environment (tokens and keys live there).
    pub env: bool,
}

impl Taint {
    pub const NETWORK: Taint = Taint { network: true, decoded: false, secret: false, env: false };
    pub const DECODED: Taint = Taint { network: false, decoded: true, secret: false, env: false };
    pub const SECRET: Taint = Taint { network: false, decoded: false, secret: true, env: false };
    pub const ENV: Taint = Taint { network: false, decoded: false, secret: false, env: true };

    pub fn union(self, o: Taint) -> Taint {
        Taint {
            network: self.network | o.network,
            decoded: self.decoded | o.decoded,
            secret: self.secret | o.secret,
            env: self.env | o.env,
        }
    }

    /// Code that did not come from the command line itself.
    pub fn foreign_code(self) -> bool {
        self.network || self.decoded
    }

    pub fn sensitive(self) -> bool {
        self.secret || self.env
    }
}

/// What a command does with its standard input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stdin {
    /// Reads it as data, or not at all.
    #[default]
    Data,
    /// Runs it as code (`sh`, `python -`).
    Code,
    /// Sends it over the network (`curl --data-binary @-`, `nc`).
    Upload,
}

/// A command's effect on the pipeline it stands in.
#[derive(Debug, Clone, Default)]
pub struct Flow {
    pub out: Taint,
    pub stdin: Stdin,
    /// Its output when the command line spells it out (`echo …`).
    pub text: Option<String>,
}

impl Flow {
    pub const NONE: Flow = Flow {
        out: Taint { network: false, decoded: false, secret: false, env: false },
        stdin: Stdin::Data,
        text: None,
    };

    pub fn out(out: Taint) -> Flow {
        Flow { out, ..Flow::NONE }
    }

    pub fn stdin(stdin: Stdin) -> Flow {
        Flow { stdin, ..Flow::NONE }
    }
}

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
        }
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
            links: Vec::new(),
        }
    }

    pub fn home(&self) -> Option<&str> {
        self.cx.paths.home()
    }

    /// A variable's value, when this line set it or it is `$HOME`.
    fn var(&self, name: &str) -> Option<String> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Some(v.clone()),
            None if name == "HOME" => self.home().map(String::from),
            None => None,
        }
    }

    /// A variable set for a command (`NAME=v cmd`, `env NAME=v`, `export`):
    /// some change what programs load or run, and their value is a command.
    pub fn environment(&mut self, name: &str, value: &Arg) {
        if !(HIJACKING_VARIABLES.contains(&name) || name.starts_with("GIT_CONFIG")) {
            return;
        }
        // `GIT_PAGER=cat`: a command line, judged as one; other variables
        // (`LD_PRELOAD`, `GIT_CONFIG_*`) change what runs in ways no line shows.
        if RUNS_ITS_VALUE.contains(&name) && value.known {
            self.nested_line(value.text.trim_start_matches(['|', '!']), name);
        } else {
            self.a.raise(Level::High, "env.hijack", format!("`{name}=…` changes what programs load or run"));
            if value.known && name.starts_with("GIT_CONFIG") {
                self.nested_line(value.text.trim_start_matches(['|', '!']), name);
            }
        }
    }

    fn var_taint(&self, name: &str) -> Taint {
        self.var_taints.iter().rev().find(|(n, _)| n == name).map_or(Taint::default(), |(_, t)| *t)
    }

    /// Remember `NAME=value` for the rest of the line; a value not known
    /// forgets any earlier one.
    pub fn set_var(&mut self, name: &str, value: Option<String>) {
        self.vars.retain(|(n, _)| n != name);
        if let Some(v) = value {
            self.vars.push((name.to_string(), v));
        }
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

    /// Judge a program and its arguments, run without a shell.
    pub fn argv(&mut self, argv: &[String]) {
        let args: Vec<Arg> = argv.iter().map(|s| Arg::lit(s.as_str())).collect();
        self.words(&args);
    }

    fn pipeline(&mut self, p: &Pipeline) -> Taint {
        let mut upstream = Taint::default();
        let mut text: Option<String> = None;
        let (mut runs_stdin, mut uploads_stdin) = (false, false);
        for (i, cmd) in p.commands.iter().enumerate() {
            self.stdin_text = text.take();
            let flow = self.command(cmd);
            let text_in = self.stdin_text.take();
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
        for (name, value) in &s.assigns {
            let v = self.expand(value);
            if name.is_empty() {
                continue;
            }
            self.environment(name, &v);
            if v.taint != Taint::default() {
                self.var_taints.push((name.clone(), v.taint));
            }
            if s.words.is_empty() || name == "CDPATH" {
                self.set_var(name, v.known.then(|| v.text.clone()));
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

    /// Expand a word: judge its substitutions, and say what it is.
    pub fn expand(&mut self, w: &Word) -> Arg {
        let mut taint = Taint::default();
        // What each substitution prints, when the line spells it out
        // (`$(echo rm)`): the word's value is then known.
        let mut outputs: Vec<Option<String>> = Vec::new();
        for part in &w.0 {
            if let Part::Param { name, .. } = part {
                if secret_name(name) {
                    taint = taint.union(Taint::ENV);
                }
                taint = taint.union(self.var_taint(name));
            }
            if let Part::Subst(list) | Part::ProcSubst(list) = part {
                self.depth += 1;
                let saved = self.cwd.clone();
                self.last_text = None;
                taint = taint.union(self.script(list));
                let single = list.0.len() == 1 && list.0[0].pipelines.len() == 1;
                outputs.push(
                    self.last_text.take().filter(|_| single).map(|t| t.trim_end_matches('\n').to_string()),
                );
                self.cwd = saved;
                self.depth -= 1;
            }
        }
        let resolved;
        let w = if outputs.iter().any(Option::is_some) && !matches!(w.0.as_slice(), [Part::ProcSubst(_)]) {
            let mut known = outputs.iter();
            resolved = Word(
                w.0.iter()
                    .map(|p| match p {
                        Part::Subst(_) | Part::ProcSubst(_) => match known.next() {
                            Some(Some(text)) => Part::Quoted(text.clone()),
                            _ => p.clone(),
                        },
                        _ => p.clone(),
                    })
                    .collect(),
            );
            &resolved
        } else {
            w
        };
        // `tee >(grep …)`, `diff <(a) <(b)`: the word is a pipe, `/dev/fd/N`.
        if let [Part::ProcSubst(_)] = w.0.as_slice() {
            return Arg {
                text: "/dev/fd/63".into(),
                known: true,
                glob: false,
                taint,
                prefix: String::new(),
                pattern: String::new(),
                content: outputs.pop().flatten(),
            };
        }
        let lookup = |n: &str| self.var(n);
        match w.literal(&lookup) {
            Some(text) => Arg {
                glob: w.has_glob(),
                text,
                known: true,
                taint,
                prefix: String::new(),
                pattern: String::new(),
                content: None,
            },
            None => Arg {
                text: w.source(),
                known: false,
                glob: w.has_glob(),
                taint,
                prefix: w.known_prefix(&lookup),
                pattern: w.pattern(&lookup),
                content: None,
            },
        }
    }

    fn redirects(&mut self, s: &Simple, flow: Flow) -> Flow {
        for r in &s.redirects {
            let target = self.expand(&r.target);
            match r.op {
                RedirOp::Dup => {}
                RedirOp::In => {
                    if target.taint != Taint::default() || !target.known {
                        self.sink(flow.stdin, target.taint, "a process substitution");
                    } else {
                        self.read(&target, Reader::Content);
                        if flow.stdin == Stdin::Code {
                            self.a.raise(
                                Level::Medium,
                                "shell.script",
                                format!("a shell runs the script `{}`", target.text),
                            );
                        } else if flow.stdin == Stdin::Upload
                            && self.locate(&target).is_some_and(|l| l.zone == Zone::Secret)
                        {
                            self.sink(Stdin::Upload, Taint::SECRET, "a redirect");
                        }
                    }
                }
                RedirOp::Out | RedirOp::Append | RedirOp::ReadWrite => {
                    self.write(&target);
                    if flow.out.sensitive() {
                        self.taint_file(&target);
                    }
                }
                RedirOp::HereDoc | RedirOp::HereString => {
                    let body = match &r.body {
                        Some(b) => self.expand(b),
                        None => target.clone(),
                    };
                    if flow.stdin == Stdin::Code {
                        if body.known && body.taint == Taint::default() {
                            self.nested_line(&body.text, "a here-doc");
                        } else {
                            self.sink(Stdin::Code, body.taint, "a here-doc");
                        }
                    } else {
                        self.sink(flow.stdin, body.taint, "a here-doc");
                    }
                }
            }
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

    /// `cd DIR`: later commands of the line run there.
    pub fn cd(&mut self, dir: Option<&Arg>) {
        if self.vars.iter().any(|(n, _)| n == "CDPATH") {
            self.cwd = None;
            return;
        }
        self.cwd = match dir {
            None => self.home().map(PathBuf::from),
            Some(a) if a.known && a.text != "-" => self.cwd.as_ref().map(|cwd| {
                super::paths::normalize(&if a.text.starts_with('/') {
                    PathBuf::from(&a.text)
                } else {
                    cwd.join(&a.text)
                })
            }),
            Some(_) => None,
        };
    }

    /// Where a known path lands; `None` when it cannot be known.
    pub fn locate(&mut self, arg: &Arg) -> Option<Located> {
        if !arg.known {
            return None;
        }
        let cwd = self.cwd.clone()?;
        let text = arg.text.as_str();
        let at = if arg.glob {
            // A glob stands for what is in the folder before it: a bare
            // `*` for all of it, a pattern for some files in it.
            let cut = text.find(['*', '?', '[']).unwrap_or(text.len());
            let dir_end = text[..cut].rfind('/').map_or(0, |i| i + 1);
            let dir = if dir_end == 0 { "." } else { &text[..dir_end] };
            let component = text[dir_end..].split('/').next().unwrap_or("");
            let whole = matches!(component, "*" | ".*" | "**");
            let dir_at = self.cx.paths.locate(dir, &cwd);
            if whole || !dir_at.zone.inside() && matches!(dir_at.zone, Zone::FsRoot | Zone::Home) {
                dir_at
            } else {
                self.cx.paths.locate(&format!("{}/{}", dir.trim_end_matches('/'), component), &cwd)
            }
        } else {
            self.cx.paths.locate(text, &cwd)
        };
        Some(self.through_links(at, &cwd))
    }

    /// Remember a symlink made earlier on the line: `link` (as located)
    /// points at `target` (as located).
    pub fn add_link(&mut self, link: String, target: String) {
        self.links.push((link, target));
    }

    /// A path under a link made on this line lands where the link points.
    fn through_links(&self, at: Located, cwd: &std::path::Path) -> Located {
        for (link, target) in self.links.iter().rev() {
            let rest = match at.shown.strip_prefix(link.as_str()) {
                Some("") => "",
                Some(r) if r.starts_with('/') => r,
                _ => continue,
            };
            let absolute = if target.starts_with('/') {
                format!("{target}{rest}")
            } else {
                format!("{}/{target}{rest}", self.cx.root().display())
            };
            return self.cx.paths.locate(&absolute, cwd);
        }
        at
    }

    /// Remember that `arg` now holds secrets or the environment.
    pub fn taint_file(&mut self, arg: &Arg) {
        if let Some(at) = self.locate(arg) {
            self.tainted.push(at.shown);
        }
    }

    /// `arg` was filled with secrets earlier on this line.
    pub fn is_tainted(&mut self, arg: &Arg) -> bool {
        !self.tainted.is_empty() && self.locate(arg).is_some_and(|at| self.tainted.contains(&at.shown))
    }

    /// The secret a glob or a partly known path could be, if any.
    fn secret_behind(&self, arg: &Arg) -> Option<String> {
        let cwd = self.cwd.as_deref().unwrap_or(self.cx.root());
        if arg.known && arg.glob {
            return self.cx.paths.glob_secret(&arg.text, cwd, false);
        }
        // At least one known path component, or `*` alone would match all.
        let known = arg.pattern.split('/').any(|c| !c.is_empty() && !c.contains('*'));
        if !arg.known && known {
            return self.cx.paths.glob_secret(&arg.pattern, cwd, true);
        }
        None
    }

    /// The command reads `arg` as a path; returns where it lands.
    pub fn read(&mut self, arg: &Arg, how: Reader) -> Option<Zone> {
        if how == Reader::Content {
            if let Some(secret) = self.secret_behind(arg) {
                self.a.raise(
                    Level::Critical,
                    "fs.secret-read",
                    format!("reads `{}`, which can be the secret `{secret}`", arg.text),
                );
                return Some(Zone::Secret);
            }
            if !arg.known && arg.taint.env {
                self.a.raise(
                    Level::Critical,
                    "fs.secret-read",
                    format!("reads `{}`, a credential file named by a variable", arg.text),
                );
                return Some(Zone::Secret);
            }
        }
        match self.locate(arg) {
            Some(at) => {
                self.a.facts.paths.push((at.shown.clone(), Access::Read));
                self.zone_read(&at, &arg.text, how == Reader::Listing);
                return Some(at.zone);
            }
            None if arg.known => self.a.raise(
                Level::Medium,
                "fs.unknown-cwd",
                format!("reads `{}` in a folder only known at run time", arg.text),
            ),
            None => {}
        }
        None
    }

    pub fn zone_read(&mut self, at: &Located, raw: &str, listing: bool) {
        let shown = &at.shown;
        match at.zone {
            Zone::Secret if listing => self.a.raise(
                Level::Medium,
                "fs.secret-list",
                format!("lists `{shown}`, where secrets are kept"),
            ),
            Zone::Secret => {
                self.a.raise(Level::Critical, "fs.secret-read", format!("reads `{shown}`, a secret"))
            }
            Zone::NetDevice => {
                self.a.raise(Level::Critical, "net.dev-tcp", format!("`{raw}` opens a network connection"))
            }
            Zone::Device => self.a.raise(Level::High, "fs.device", format!("reads the device `{shown}`")),
            Zone::EnvFile => self.a.raise(
                Level::Medium,
                "fs.env-read",
                format!("reads `{shown}`, which holds local secrets"),
            ),
            Zone::Startup | Zone::Home | Zone::HomeOther | Zone::Outside => self.a.raise(
                Level::Medium,
                "fs.outside-read",
                format!("reads `{shown}`, outside the worktree"),
            ),
            Zone::System | Zone::Temp | Zone::FsRoot => {
                self.a.raise(Level::Low, "fs.system-read", format!("reads `{shown}`, outside the worktree"))
            }
            Zone::Tree | Zone::TreeRoot | Zone::GitDir | Zone::GroveDir | Zone::Ci | Zone::Stream => {}
        }
    }

    /// The command writes (creates, changes, moves away) `arg`.
    pub fn write(&mut self, arg: &Arg) {
        match self.locate(arg) {
            Some(at) => {
                self.a.facts.paths.push((at.shown.clone(), Access::Write));
                self.zone_write(&at, &arg.text);
            }
            None => self.a.raise(
                Level::Medium,
                "fs.dynamic-path",
                format!("writes `{}`, a path only known at run time", arg.text),
            ),
        }
    }

    pub fn zone_write(&mut self, at: &Located, raw: &str) {
        let shown = &at.shown;
        match at.zone {
            Zone::Tree | Zone::TreeRoot | Zone::Temp => self.a.writes(),
            Zone::Stream => {}
            Zone::GitDir => self.a.raise(
                Level::Critical,
                "fs.git-dir",
                format!("writes `{shown}` inside the repository's .git folder"),
            ),
            Zone::GroveDir => self.a.raise(
                Level::Critical,
                "fs.grove-dir",
                format!("writes `{shown}`, grove's own configuration"),
            ),
            Zone::Ci => self.a.raise(
                Level::Medium,
                "fs.ci-config",
                format!("writes `{shown}`, CI configuration or a hook that runs elsewhere"),
            ),
            Zone::EnvFile => self.a.raise(
                Level::Medium,
                "fs.env-file",
                format!("writes `{shown}`, which holds local secrets"),
            ),
            Zone::Secret => self.a.raise(
                Level::Critical,
                "fs.secret-write",
                format!("writes `{shown}`, where credentials are kept"),
            ),
            Zone::Startup => self.a.raise(
                Level::Critical,
                "fs.startup",
                format!("writes `{shown}`, which runs on every login or shell"),
            ),
            Zone::System | Zone::FsRoot => {
                self.a.raise(Level::Critical, "fs.system", format!("writes `{shown}`, a system path"))
            }
            Zone::Device => {
                self.a.raise(Level::Critical, "fs.device", format!("writes the device `{shown}`"))
            }
            Zone::NetDevice => self.a.raise(
                Level::Critical,
                "net.dev-tcp",
                format!("`{raw}` sends output over a network connection"),
            ),
            Zone::Home | Zone::HomeOther | Zone::Outside => self.a.raise(
                Level::High,
                "fs.outside-write",
                format!("writes `{shown}`, outside the worktree"),
            ),
        }
    }

    /// The command deletes `arg` (recursively, or not).
    pub fn delete(&mut self, arg: &Arg, recursive: bool, call: &Call<'_>) {
        let Some(at) = self.locate(arg) else {
            // `rm -rf /home/$USER`: what is known of the path still says
            // where it lands.
            if let Some(dir) = arg.prefix.rfind('/').map(|i| &arg.prefix[..=i])
                && !arg.known
                && let Some(at) = self.locate(&Arg::lit(dir))
                && matches!(
                    at.zone,
                    Zone::FsRoot | Zone::System | Zone::Home | Zone::Secret | Zone::Startup | Zone::Device
                )
            {
                let level = if recursive || at.zone != Zone::Home { Level::Critical } else { Level::High };
                self.a.raise(
                    level,
                    "fs.delete-critical",
                    format!("{} deletes something in `{}`, only known at run time", call.line(), at.shown),
                );
                return;
            }
            let level = if recursive { Level::High } else { Level::Medium };
            self.a.raise(
                level,
                "fs.delete-dynamic",
                format!("{} deletes `{}`, only known at run time", call.line(), arg.text),
            );
            return;
        };
        self.a.facts.paths.push((at.shown.clone(), Access::Write));
        let line = call.line();
        let shown = &at.shown;
        if matches!(at.zone, Zone::Outside | Zone::HomeOther | Zone::Temp)
            && self.cx.root().starts_with(shown)
        {
            self.a.raise(
                Level::Critical,
                "fs.delete-critical",
                format!("{line} deletes `{shown}`, which holds the worktree"),
            );
            return;
        }
        match at.zone {
            Zone::FsRoot | Zone::Home | Zone::System | Zone::Secret | Zone::Startup | Zone::Device => {
                let what = match at.zone {
                    Zone::FsRoot => "the whole filesystem".to_string(),
                    Zone::Home => "your home folder".to_string(),
                    Zone::System => format!("`{shown}`, a system path"),
                    Zone::Device => format!("the device `{shown}`"),
                    _ => format!("`{shown}`, where keys and settings live"),
                };
                self.a.raise(Level::Critical, "fs.delete-critical", format!("{line} deletes {what}"));
            }
            Zone::GitDir => self.a.raise(
                Level::Critical,
                "fs.delete-git",
                format!("{line} deletes the repository's history in `{shown}`"),
            ),
            Zone::GroveDir => {
                self.a.raise(Level::Critical, "fs.grove-dir", format!("{line} deletes grove's configuration"))
            }
            Zone::TreeRoot | Zone::Tree if recursive => self.a.raise(
                Level::High,
                "fs.delete-recursive",
                format!("{line} deletes `{shown}` and everything in it"),
            ),
            Zone::Tree | Zone::TreeRoot | Zone::Temp => self.a.writes(),
            Zone::Ci | Zone::EnvFile => self.zone_write(&at, &arg.text),
            Zone::Stream => {
                self.a.raise(Level::High, "fs.delete-device", format!("{line} deletes `{shown}`"))
            }
            Zone::NetDevice => {}
            Zone::HomeOther | Zone::Outside => self.a.raise(
                Level::High,
                "fs.delete-outside",
                format!("{line} deletes `{shown}`, outside the worktree"),
            ),
        }
    }
}

/// How a command reads a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Its content (cat, grep, cp).
    Content,
    /// Only its name and metadata (ls, stat, find).
    Listing,
}

/// Programs that run the code they are given, wherever they are installed.
const RUNS_CODE: &[&str] =
    &["sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python3", "node", "perl", "ruby", "php"];

/// Variables whose value is a command line some program runs.
const RUNS_ITS_VALUE: &[&str] = &[
    "GIT_SSH_COMMAND",
    "GIT_EXTERNAL_DIFF",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PAGER",
    "GIT_ASKPASS",
    "LESSOPEN",
    "LESSCLOSE",
    "PROMPT_COMMAND",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "SHELL",
];

/// Variables that change what a program loads or runs.
const HIJACKING_VARIABLES: &[&str] = &[
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "DYLD_INSERT_LIBRARIES",
    "BASH_ENV",
    "ENV",
    "PROMPT_COMMAND",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "GIT_EXEC_PATH",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_CONFIG_GLOBAL",
    "GIT_ASKPASS",
    "NODE_OPTIONS",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "RUBYOPT",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "GIT_EXTERNAL_DIFF",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PAGER",
    "LESSOPEN",
    "LESSCLOSE",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "RUSTC",
    "MAKEFLAGS",
    "SHELL",
    "PYTHONPATH",
    "NODE_PATH",
];

/// A variable whose name says it holds a credential (`$GITHUB_TOKEN`,
/// `$AWS_SECRET_ACCESS_KEY`, `$DB_PASSWORD`).
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "AUTH",
        "COOKIE",
        "SESSION",
        "KUBECONFIG",
    ]
    .iter()
    .any(|k| upper.contains(k))
}

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

/// Brace expansion of `a{b,c}d` into `abd acd`, groups expanded left to
/// right; at most 64 words, the rest judged as written.
fn braces(text: &str) -> Vec<String> {
    let mut out = vec![text.to_string()];
    for _ in 0..8 {
        let mut next = Vec::new();
        let mut changed = false;
        for word in &out {
            match brace_group(word) {
                Some((head, alternatives, tail)) if next.len() + alternatives.len() <= 64 => {
                    changed = true;
                    next.extend(alternatives.iter().map(|alt| format!("{head}{alt}{tail}")));
                }
                _ => next.push(word.clone()),
            }
        }
        out = next;
        if !changed {
            break;
        }
    }
    out
}

/// The first `{x,y}` group: what precedes it, its alternatives, what follows.
fn brace_group(word: &str) -> Option<(&str, Vec<&str>, &str)> {
    let open = word.find('{')?;
    let mut depth = 0;
    let mut commas = Vec::new();
    for (i, ch) in word[open..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let close = open + i;
                    if commas.is_empty() {
                        return None;
                    }
                    let mut alternatives = Vec::new();
                    let mut start = open + 1;
                    for c in commas {
                        alternatives.push(&word[start..c]);
                        start = c + 1;
                    }
                    alternatives.push(&word[start..close]);
                    return Some((&word[..open], alternatives, &word[close + 1..]));
                }
            }
            ',' if depth == 1 => commas.push(open + i),
            _ => {}
        }
    }
    None
}
