//! Programs that run other code: shells (`sh -c`), interpreters with
//! inline code (`python -c`), `eval` and `source`, and wrappers that run
//! the command after them (`sudo`, `env`, `nohup`, `timeout`, `xargs`…),
//! which are peeled so the command inside is judged.

use super::super::walk::{Arg, Call, Flow, Reader, Stdin, Taint, Walker};
use crate::gate::level::Level;

pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Option<Flow> {
    let name = c.name;
    Some(match name {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "mksh" | "ash" | "fish" | "csh" | "tcsh" | "yash" => {
            shell(w, c)
        }
        "busybox" | "toybox" => w.words(c.args),
        "sudo" | "doas" | "run0" | "pkexec" => sudo(w, c),
        "su" => {
            if let Some(cmd) = option_string(c, "-c", "--command") {
                line_or_dynamic(w, &cmd, "su -c");
            }
            w.a.raise(Level::High, "priv.su", format!("{} runs as another user", c.line()));
            Flow::NONE
        }
        "nohup" | "setsid" | "unbuffer" | "chronic" | "exec" | "builtin" | "command" | "caffeinate"
        | "nice" | "ionice" | "stdbuf" | "timeout" | "time" | "chrt" | "taskset" | "flock" | "firejail"
        | "catchsegv" => wrapper(w, c),
        "xargs" => xargs(w, c),
        "parallel" => parallel(w, c),
        "watch" => {
            let rest: Vec<&str> = skip_options(c.args, &["-n", "--interval", "-d", "--differences", "-q"])
                .iter()
                .map(|a| a.text.as_str())
                .collect();
            let line = rest.join(" ");
            w.nested_line(&line, "watch");
            Flow::NONE
        }
        "eval" => {
            let known = c.args.iter().all(|a| a.known);
            let taint = c.args.iter().fold(Taint::default(), |t, a| t.union(a.taint));
            if known {
                let line: Vec<&str> = c.args.iter().map(|a| a.text.as_str()).collect();
                w.nested_line(&line.join(" "), "eval");
            } else {
                dynamic_code(w, taint, "eval");
            }
            Flow::NONE
        }
        "source" | "." => match c.args.first() {
            Some(Arg { content: Some(code), .. }) => {
                w.nested_line(code, name);
                Flow::NONE
            }
            Some(a) if a.is("-") => Flow::stdin(Stdin::Code),
            Some(script) => run_script(w, c, script, "shell.script"),
            None => Flow::NONE,
        },
        _ if interpreter(name).is_some() => interpreted(w, c),
        _ => return None,
    })
}

/// `env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=VALUE…] [COMMAND…]`.
pub fn env(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let mut i = 0;
    while let Some(a) = c.args.get(i) {
        if !a.known {
            break;
        }
        match a.text.as_str() {
            "-u" | "--unset" | "-C" | "--chdir" => i += 2,
            t if (t.starts_with("-S") && t.len() > 2) || t.starts_with("--split-string=") => {
                let code = t.strip_prefix("--split-string=").unwrap_or_else(|| &t[2..]);
                let tail: Vec<&str> = c.args[i + 1..].iter().map(|a| a.text.as_str()).collect();
                w.nested_line(&format!("{code} {}", tail.join(" ")), "env -S");
                return Flow::NONE;
            }
            "-S" | "--split-string" => {
                let rest = c.args.get(i + 1).map(|s| s.text.clone()).unwrap_or_default();
                let tail: Vec<&str> =
                    c.args[(i + 2).min(c.args.len())..].iter().map(|a| a.text.as_str()).collect();
                let line = format!("{rest} {}", tail.join(" "));
                w.nested_line(&line, "env -S");
                return Flow::NONE;
            }
            "--" => {
                i += 1;
                break;
            }
            t if t.starts_with('-') => i += 1,
            t if t.contains('=') && !t.starts_with('=') => {
                let (var, value) = t.split_once('=').unwrap_or((t, ""));
                w.environment(var, &Arg { text: value.to_string(), ..a.clone() });
                i += 1;
            }
            _ => break,
        }
    }
    if i >= c.args.len() {
        // Bare `env` prints the environment: tokens and keys live there.
        return Flow::out(Taint::ENV);
    }
    w.words(&c.args[i..])
}

fn shell(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let mut i = 0;
    let mut command = false;
    let mut stdin_flag = false;
    while let Some(a) = c.args.get(i) {
        if !a.known || !(a.text.starts_with('-') || a.text.starts_with('+')) || a.text == "-" {
            break;
        }
        if a.text == "--" {
            i += 1;
            break;
        }
        if a.text == "-o"
            || a.text == "+o"
            || a.text == "-O"
            || a.text == "--rcfile"
            || a.text == "--init-file"
        {
            i += 2;
            continue;
        }
        if !a.text.starts_with("--") {
            command |= a.text.contains('c');
            stdin_flag |= a.text.contains('s');
        }
        i += 1;
    }
    // `bash -n script`: checks the syntax, runs nothing.
    if c.args.iter().take(i).any(|a| a.is("-n")) && !command {
        if let Some(script) = c.args.get(i) {
            w.read(script, Reader::Content);
        }
        return Flow::NONE;
    }
    let via = format!("{} -c", c.name);
    if command {
        match c.args.get(i) {
            Some(code) => {
                // `sh -c 'rm -rf "$1"' _ /`: the words after the code are
                // `$0`, `$1`, … inside it.
                for (n, a) in c.args[i + 1..].iter().enumerate().take(10) {
                    w.set_var(&n.to_string(), a.known.then(|| a.text.clone()));
                }
                line_or_dynamic(w, code, &via);
            }
            None => w.a.raise(Level::High, "shell.unparsable", format!("{} has no command", c.line())),
        }
        return Flow::NONE;
    }
    match c.args.get(i) {
        Some(script) if !stdin_flag && !script.is("-") => {
            if let Some(code) = &script.content {
                // `bash <(echo …)`: the script is on the line.
                w.nested_line(code, c.name);
                return Flow::NONE;
            }
            run_script(w, c, script, "shell.script")
        }
        _ => {
            w.a.raise(Level::Medium, "shell.interactive", format!("{} starts a shell", c.line()));
            Flow::stdin(Stdin::Code)
        }
    }
}

/// Judge `code` given to `via` as a command line, or say it cannot be known.
fn line_or_dynamic(w: &mut Walker<'_, '_>, code: &Arg, via: &str) -> Taint {
    if code.known && code.taint == Taint::default() {
        w.nested_line(&code.text, via)
    } else {
        dynamic_code(w, code.taint, via);
        Taint::default()
    }
}

/// Code that only exists at run time.
fn dynamic_code(w: &mut Walker<'_, '_>, taint: Taint, via: &str) {
    if taint.foreign_code() {
        w.a.raise(
            Level::Critical,
            "shell.remote-code",
            format!("{via} runs code that is downloaded or decoded at run time"),
        );
    } else {
        w.a.raise(
            Level::High,
            "shell.dynamic-code",
            format!("{via} runs code that is only known at run time"),
        );
    }
}

fn sudo(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    const WITH_VALUE: &[&str] = &[
        "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group", "--host",
        "--prompt", "--chdir",
    ];
    let rest = skip_options(c.args, WITH_VALUE);
    let shell_flag = c
        .args
        .iter()
        .take(c.args.len() - rest.len())
        .any(|a| a.is("-i") || a.is("-s") || a.is("--login") || a.is("--shell"));
    if rest.is_empty() {
        if shell_flag {
            w.a.raise(Level::High, "priv.root-shell", format!("{} opens a root shell", c.line()));
        }
        return Flow::NONE;
    }
    let flow = w.words(rest);
    w.a.raise(Level::High, "priv.sudo", format!("{} runs as root", c.line()));
    flow
}

/// Wrappers that run the rest of the line after their own options.
fn wrapper(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    if c.name == "command" && c.args.iter().any(|a| a.is("-v") || a.is("-V")) {
        return Flow::NONE;
    }
    let with_value: &[&str] = match c.name {
        "nice" => &["-n", "--adjustment"],
        "ionice" => &["-c", "-n", "-p", "-t", "--class", "--classdata"],
        "timeout" => &["-s", "-k", "--signal", "--kill-after"],
        "time" => &["-o", "-f", "--output", "--format"],
        "strace" | "ltrace" => {
            &["-o", "-e", "-p", "-s", "-u", "-E", "-a", "-b", "-I", "-O", "-P", "-S", "-X"]
        }
        "systemd-run" => &[
            "-u",
            "--unit",
            "-p",
            "--property",
            "-E",
            "--setenv",
            "--slice",
            "-M",
            "--machine",
            "--uid",
            "--gid",
        ],
        "stdbuf" => &["-i", "-o", "-e"],
        "exec" => &["-a"],
        "flock" => &["-w", "-E", "--timeout", "--conflict-exit-code"],
        _ => &[],
    };
    let mut rest = skip_options(c.args, with_value);
    // Positional arguments before the command.
    let positional = match c.name {
        "timeout" | "chrt" | "taskset" => 1,
        "flock" => 1,
        _ => 0,
    };
    rest = &rest[positional.min(rest.len())..];
    if c.name == "flock" && rest.first().is_some_and(|a| a.is("-c")) {
        if let Some(code) = rest.get(1) {
            line_or_dynamic(w, code, "flock -c");
        }
        return Flow::NONE;
    }
    w.words(rest)
}

fn xargs(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    // `-i`, `-e` and `-l` take their value attached, if any (`-i{}`).
    const WITH_VALUE: &[&str] = &[
        "-a",
        "-d",
        "-E",
        "-I",
        "-L",
        "-n",
        "-P",
        "-s",
        "--arg-file",
        "--delimiter",
        "--max-args",
        "--max-procs",
        "--max-lines",
        "--replace",
    ];
    let rest = skip_options(c.args, WITH_VALUE);
    if let Some(file) = super::files::option_value(c, "-a", "--arg-file") {
        w.read(&file, Reader::Content);
    }
    let command: Vec<Arg> = if rest.is_empty() { vec![Arg::lit("echo")] } else { rest.to_vec() };
    // `-I {}`: each input line replaces the placeholder instead (xargs'
    // own options only: `xargs sed -i` is sed's).
    let own = Call { args: &c.args[..c.args.len() - rest.len()], ..*c };
    let placeholder = super::files::option_value(&own, "-I", "--replace").map(|a| a.text).or_else(|| {
        own.args.iter().find_map(|a| {
            let attached = a.text.strip_prefix("-i").filter(|_| a.known && !a.text.starts_with("--"))?;
            Some(if attached.is_empty() { "{}".to_string() } else { attached.to_string() })
        })
    });
    let found = w.stdin_found.take();
    let inputs: Vec<Arg> = match (w.stdin_text.take(), found) {
        // `echo / | xargs rm -rf`: the arguments are on the line.
        (Some(text), _) => text.split_whitespace().map(Arg::lit).collect(),
        // `find src | xargs wc -l`: the paths the lister can print.
        (None, Some(found)) if c.args.iter().all(|a| a.text != "-a" && !a.text.starts_with("--arg-file")) => {
            found
        }
        // They come from standard input or a file: only known at run time.
        _ => vec![Arg::printed("{stdin}", None)],
    };
    run_on_inputs(w, &command, placeholder.as_deref(), &inputs);
    Flow::NONE
}

/// `xargs CMD`, `parallel CMD`: judge `CMD` on each input (appended, or
/// in place of the placeholder) as if it were on the line.
fn run_on_inputs(w: &mut Walker<'_, '_>, command: &[Arg], placeholder: Option<&str>, inputs: &[Arg]) {
    // Judged one at a time, so that a listed path's zone is seen, but never
    // more than a few: past that, one input only known at run time.
    let unknown = [Arg::printed("{stdin}", None)];
    let inputs = if inputs.len() > 16 { &unknown[..] } else { inputs };
    let together: Vec<Arg>;
    let one_by_one = placeholder.is_some() || inputs.iter().any(|i| !i.known);
    let batches: Vec<&[Arg]> = if one_by_one {
        inputs.chunks(1).collect()
    } else {
        together = inputs.to_vec();
        vec![&together[..]]
    };
    for batch in batches {
        let mut inner: Vec<Arg> = Vec::with_capacity(command.len() + batch.len());
        match placeholder {
            Some(p) if command.iter().any(|a| a.text.contains(p)) => {
                let input = &batch[0];
                inner.extend(command.iter().map(|a| {
                    if a.known && a.text.contains(p) {
                        Arg { text: a.text.replace(p, &input.text), ..input.clone() }
                    } else {
                        a.clone()
                    }
                }));
            }
            Some(_) => inner.extend(command.iter().cloned()),
            None => {
                inner.extend(command.iter().cloned());
                inner.extend(batch.iter().cloned());
            }
        }
        w.words(&inner);
    }
}

/// `parallel CMD ::: ARGS…` runs CMD on each argument; without `:::` (or
/// `::::` FILE, `-a FILE`), on each line of its input.
fn parallel(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    const WITH_VALUE: &[&str] = &[
        "-j",
        "--jobs",
        "-S",
        "--sshlogin",
        "--delay",
        "--timeout",
        "--joblog",
        "-n",
        "-N",
        "-d",
        "--results",
    ];
    if c.args.iter().any(|a| a.is("-S") || a.text.starts_with("--sshlogin")) {
        w.a.raise(Level::Medium, "net.remote-run", format!("{} runs commands on other machines", c.line()));
    }
    let rest = skip_options(c.args, WITH_VALUE);
    let split = rest.iter().position(|a| a.is(":::") || a.is("::::") || a.is(":::+"));
    let (command, inputs): (&[Arg], Vec<Arg>) = match split {
        Some(i) if rest[i].is("::::") => {
            for f in rest[i + 1..].iter().filter(|a| !a.text.starts_with(":::")) {
                w.read(f, Reader::Content);
            }
            (&rest[..i], vec![Arg::printed("{}", None)])
        }
        Some(i) => {
            (&rest[..i], rest[i + 1..].iter().filter(|a| !a.text.starts_with(":::")).cloned().collect())
        }
        None => {
            let found = w.stdin_found.take();
            let inputs = match (w.stdin_text.take(), found) {
                (Some(text), _) => text.lines().map(Arg::lit).collect(),
                (None, Some(found)) => found,
                _ => vec![Arg::printed("{}", None)],
            };
            (rest, inputs)
        }
    };
    if command.is_empty() {
        // Each input is itself a command line.
        w.a.raise(Level::High, "shell.dynamic-code", format!("{} runs its input as commands", c.line()));
        return Flow::NONE;
    }
    // `{}` and its variants (`{.}`, `{/}`) stand for the input.
    let placeholder = command.iter().any(|a| a.text.contains("{}")).then_some("{}");
    run_on_inputs(w, command, placeholder, &inputs);
    Flow::NONE
}

/// The interpreter family of a program name, if it is one.
fn interpreter(name: &str) -> Option<&'static str> {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match base {
        "python" | "pypy" | "python-m" => "python",
        "node" | "nodejs" => "node",
        "deno" => "deno",
        "perl" => "perl",
        "ruby" | "irb" => "ruby",
        "php" => "php",
        "lua" | "luajit" => "lua",
        "Rscript" => "r",
        "pwsh" | "powershell" => "pwsh",
        "osascript" => "osascript",
        "tclsh" | "wish" => "tcl",
        "jshell" | "groovy" | "scala" | "kotlin" => "jvm",
        _ => return None,
    })
}

fn interpreted(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let family = interpreter(c.name).unwrap_or("unknown");
    let inline_flags: &[&str] = match family {
        "python" => &["-c"],
        "node" => &["-e", "--eval", "-p", "--print"],
        "deno" => &["eval"],
        "perl" => &["-e", "-E"],
        "ruby" => &["-e"],
        "php" => &["-r"],
        "lua" => &["-e"],
        "r" => &["-e"],
        "pwsh" => &["-c", "-Command", "-command", "-EncodedCommand", "-e", "-enc"],
        "osascript" => &["-e"],
        _ => &[],
    };
    if c.args.iter().all(|a| {
        a.is_flag() && matches!(a.text.as_str(), "--version" | "-V" | "-v" | "--help" | "-h" | "-VV")
    }) && !c.args.is_empty()
    {
        return Flow::NONE;
    }
    // `perl -pi -e …`, `python -Bc …`: inline code may follow a cluster.
    let mut i = 0;
    while let Some(a) = c.args.get(i) {
        if !a.known {
            break;
        }
        let t = a.text.as_str();
        let clustered_inline =
            family == "python" && t.starts_with('-') && !t.starts_with("--") && t.ends_with('c')
                || family == "perl"
                    && t.starts_with('-')
                    && !t.starts_with("--")
                    && (t.ends_with('e') || t.ends_with('E'));
        // The code attached to its flag: `-c'…'`, `-e'…'`, `--eval=…`.
        let attached = inline_flags.iter().find_map(|f| {
            if f.starts_with("--") {
                t.strip_prefix(f).and_then(|r| r.strip_prefix('='))
            } else if f.len() == 2 && t.len() > 2 && !t.starts_with("--") {
                t.strip_prefix(f)
            } else {
                None
            }
        });
        if let Some(code) = attached.filter(|_| !clustered_inline && !inline_flags.contains(&t)) {
            inline_code(w, c, code);
            return Flow::NONE;
        }
        if inline_flags.contains(&t) || clustered_inline {
            let code = c.args.get(i + 1);
            match code {
                Some(code) if code.known => inline_code(w, c, &code.text),
                Some(code) => dynamic_code(w, code.taint, c.name),
                None => {}
            }
            if family == "pwsh" && (t.eq_ignore_ascii_case("-EncodedCommand") || t == "-enc" || t == "-e") {
                w.a.raise(Level::High, "interp.encoded", format!("{} runs encoded code", c.line()));
            }
            if family == "perl"
                && c.args.iter().any(|a| a.known && a.text.starts_with("-") && a.text.contains('i'))
            {
                for f in c.args[(i + 2).min(c.args.len())..].iter() {
                    w.replace(f);
                }
            }
            return Flow::NONE;
        }
        if family == "python" && t == "-m" {
            return python_module(w, c, &c.args[i + 1..]);
        }
        if t == "-" || !t.starts_with('-') {
            break;
        }
        // Options whose value is the next word, not a script.
        let takes_value: &[&str] = match family {
            "python" => &["-W", "-X", "--check-hash-based-pycs"],
            "perl" => &["-I", "-M", "-m", "-x"],
            "ruby" => &["-I", "-r", "-C", "-E"],
            "node" => &["-r", "--require", "--import", "--loader", "-C", "--conditions", "--env-file"],
            _ => &[],
        };
        i += if takes_value.contains(&t) { 2 } else { 1 };
    }
    match c.args.get(i) {
        None => Flow::stdin(Stdin::Code),
        Some(a) if a.is("-") => Flow::stdin(Stdin::Code),
        Some(Arg { content: Some(code), .. }) if family == "python" || family == "node" => {
            inline_code(w, c, code);
            Flow::NONE
        }
        Some(script) => run_script(w, c, script, "interp.script"),
    }
}

/// `python -m MODULE`: test runners and formatters are routine.
fn python_module(w: &mut Walker<'_, '_>, c: &Call<'_>, rest: &[Arg]) -> Flow {
    let Some(module) = rest.first() else { return Flow::NONE };
    match module.text.as_str() {
        "pytest" | "unittest" | "mypy" | "black" | "ruff" | "flake8" | "pylint" | "isort" | "compileall"
        | "py_compile" | "doctest" | "coverage" | "tox" | "nox" | "build" | "pyflakes" | "pycodestyle"
        | "timeit" | "tabnanny" => {
            w.a.writes();
        }
        "json.tool" | "pydoc" | "site" | "sysconfig" | "platform" | "this" => {}
        "base64" | "uu" | "quopri" | "binascii" | "zipfile" | "gzip" | "tarfile" => {
            return Flow::out(Taint::DECODED);
        }
        "venv" | "virtualenv" => w.a.writes(),
        "pip" | "pip3" | "ensurepip" | "uv" | "pipx" | "poetry" => {
            let mut inner = vec![Arg::lit("pip")];
            inner.extend(rest[1..].iter().cloned());
            return w.words(&inner);
        }
        "http.server" | "smtpd" | "SimpleHTTPServer" => {
            w.a.raise(Level::Medium, "net.listen", format!("{} serves files over the network", c.line()))
        }
        other => w.a.raise(Level::Medium, "interp.module", format!("{} runs the module `{other}`", c.line())),
    }
    Flow::NONE
}

/// Inline code can't be judged like a shell line; what it says in its
/// strings can: commands it would run and paths it would open.
fn inline_code(w: &mut Walker<'_, '_>, c: &Call<'_>, code: &str) {
    w.a.raise(Level::Medium, "interp.inline", format!("{} runs inline code", c.line()));
    if code.contains("fork") && ["while", "for ", "loop", "until"].iter().any(|k| code.contains(k)) {
        w.a.raise(Level::Critical, "interp.fork-bomb", format!("{} forks in a loop", c.line()));
    }
    if (code.contains("socket")
        || code.contains("Socket")
        || code.contains("net.connect")
        || code.contains("TCPSocket"))
        && ["dup2", "pty", "/bin/sh", "/bin/bash", "subprocess", "spawn", "exec"]
            .iter()
            .any(|k| code.contains(k))
    {
        w.a.raise(
            Level::Critical,
            "net.reverse-shell",
            format!("{} wires a shell to a network connection", c.line()),
        );
    }
    let runs_commands = [
        "system",
        "popen",
        "exec",
        "spawn",
        "subprocess",
        "check_output",
        "child_process",
        "os.run",
        "Popen",
        "`",
        "%x",
        "shell_exec",
        "passthru",
        "Command",
    ]
    .iter()
    .any(|k| code.contains(k));
    let deletes = ["rmtree", "remove", "unlink", "rmSync", "rm_rf", "rmdir"].iter().any(|k| code.contains(k));
    for s in string_literals(code) {
        if s.contains('/') || s.starts_with('~') || s.starts_with('.') {
            let expanded = match (s.strip_prefix('~'), w.home()) {
                (Some(rest), Some(home)) => format!("{home}{rest}"),
                _ => s.to_string(),
            };
            let arg = Arg::lit(expanded);
            w.read(&arg, Reader::Content);
            if deletes {
                w.delete(&arg, true, c);
            }
        }
        if runs_commands && s.contains(' ') {
            w.nested_line(s, c.name);
        }
    }
}

/// The contents of '…' and "…" literals in a snippet of code.
fn string_literals(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if q == b'\'' || q == b'"' || q == b'`' {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && bytes[j] != q {
                if bytes[j] == b'\\' {
                    j += 1;
                }
                j += 1;
            }
            if j <= bytes.len() && code.is_char_boundary(start) && code.is_char_boundary(j.min(code.len())) {
                out.push(&code[start..j.min(code.len())]);
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// The arguments after leading options (and the values of `with_value`
/// options), up to and without `--`.
pub fn skip_options<'x>(args: &'x [Arg], with_value: &[&str]) -> &'x [Arg] {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if !a.known || !a.text.starts_with('-') || a.text == "-" {
            break;
        }
        if a.text == "--" {
            i += 1;
            break;
        }
        i += if with_value.contains(&a.text.as_str()) { 2 } else { 1 };
    }
    &args[i.min(args.len())..]
}

/// The string after `-c`/`--command` (or `--command=…`).
fn option_string(c: &Call<'_>, short: &str, long: &str) -> Option<Arg> {
    super::files::option_value(c, short, long)
}

/// `PROGRAM SCRIPT`: standard input under another name is run as code;
/// a script that is downloaded or decoded at run time is refused; a file is
/// read, and running it is asked about.
fn run_script(w: &mut Walker<'_, '_>, c: &Call<'_>, script: &Arg, rule: &'static str) -> Flow {
    if is_stdin(script) {
        return Flow::stdin(Stdin::Code);
    }
    if script.taint.foreign_code() {
        dynamic_code(w, script.taint, c.name);
    } else {
        w.read(script, Reader::Content);
        w.a.raise(Level::Medium, rule, format!("{} runs the script `{}`", c.line(), script.text));
    }
    Flow::NONE
}

/// Standard input, under any of its names.
fn is_stdin(a: &Arg) -> bool {
    a.known && matches!(a.text.as_str(), "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}
