//! Rules per program. Each module knows one family; this one dispatches by
//! name and holds the plain readers, listers and pure commands.

mod build;
mod exec;
mod files;
pub mod find;
mod follow;
mod git;
mod infra;
mod net;
mod system;

use super::Zone;
use super::walk::{Call, Flow, Reader, Taint, Walker};
use crate::gate::level::Level;

/// Judge one call. Unknown programs are `medium`: never allowed unasked.
pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    // `cargo --version`, `go version`: asking an installed program what it is.
    if let [only] = c.args
        && only.known
        && matches!(only.text.as_str(), "--version" | "-V" | "version" | "--help" | "-h" | "help")
    {
        return Flow::NONE;
    }
    follow::judge(w, c);
    match c.name {
        "export" | "declare" | "typeset" | "local" | "readonly" if !c.args.is_empty() => {
            // `export X=/`: remembered like a plain assignment.
            for a in c.operands() {
                if let Some((name, value)) = a.text.split_once('=') {
                    w.environment(name, &super::walk::Arg { text: value.to_string(), ..a.clone() });
                    w.set_var(name, a.known.then(|| value.to_string()));
                }
            }
            Flow::NONE
        }
        // Print or compute, touch nothing.
        "echo" | "printf" => echo(w, c),
        "true" | "false" | ":" | "test" | "[" | "[[" | "seq" | "sleep" | "date" | "pwd" | "whoami" | "id"
        | "groups" | "uname" | "hostname" | "which" | "whereis" | "type" | "basename" | "dirname"
        | "expr" | "bc" | "nproc" | "tty" | "locale" | "tput" | "clear" | "yes" | "read" | "wait"
        | "jobs" | "exit" | "return" | "shift" | "break" | "continue" | "disown" | "local" | "declare"
        | "typeset" | "unset" | "export" | "readonly" | "alias" | "unalias" | "hash" | "ps" | "pgrep"
        | "top" | "htop" | "free" | "uptime" | "df" | "lscpu" | "lsblk" | "arch" | "cal" | "getconf"
        | "ulimit" | "umask" | "set" | "shopt" | "history" | "help" | "man" | "info" | "popd" | "dirs"
        | "lsof" | "vmstat" | "iostat" | "w" | "who" | "last" | "fc-list" | "mktemp" | "getent"
        | "numfmt" | "factor" | "printenv" | "logname" => pure(w, c),
        // `trap 'CODE' EXIT`: the code runs later, on the signal.
        "trap" => {
            if let Some(code) = c.args.first().filter(|a| !a.is_flag() && !a.is("-"))
                && c.args.len() > 1
            {
                if code.known {
                    w.nested_line(&code.text, "trap");
                } else {
                    w.a.raise(
                        Level::High,
                        "shell.dynamic-code",
                        format!("{} runs code only known at run time", c.line()),
                    );
                }
            }
            Flow::NONE
        }
        "cd" | "pushd" => {
            w.cd(c.operands().next());
            Flow::NONE
        }
        // Read files' content.
        "cat" | "head" | "tail" | "less" | "more" | "wc" | "nl" | "tac" | "od" | "hexdump" | "strings"
        | "md5sum" | "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "cksum"
        | "b2sum" | "sum" | "diff" | "cmp" | "comm" | "uniq" | "cut" | "paste" | "join" | "fold" | "fmt"
        | "column" | "expand" | "unexpand" | "shuf" | "grep" | "egrep" | "fgrep" | "zgrep" | "rg" | "ag"
        | "ack" | "jq" | "bat" | "batcat" | "look" | "iconv" | "colordiff" | "wdiff" | "pr" => {
            let mut flow = read_all(w, c, Reader::Content);
            flow.found = files_with_matches(w, c);
            flow
        }
        "xxd" if !c.has(Some('r'), &["revert"]) => read_all(w, c, Reader::Content),
        "xxd" => decoder(w, c),
        "base64" | "base32" | "basenc" if c.has(Some('d'), &["decode"]) || c.has(Some('D'), &[]) => {
            decoder(w, c)
        }
        "base64" | "base32" | "basenc" => read_all(w, c, Reader::Content),
        "zcat" | "bzcat" | "xzcat" | "zstdcat" | "uudecode" | "rev" | "tr" => decoder(w, c),
        "gpg" | "gpg2" if c.has(Some('d'), &["decrypt"]) => decoder(w, c),
        "unzip" if c.has(Some('p'), &[]) => decoder(w, c),
        "tar" | "bsdtar" if c.has(Some('O'), &["to-stdout"]) => decoder(w, c),
        // Text-mode browsers and libwww's GET print what they fetch.
        "lynx" | "w3m" | "links" | "elinks" | "GET" | "HEAD" | "lwp-request" | "lwp-download" => {
            w.a.raise(Level::Medium, "net.unknown-host", format!("{} fetches from the network", c.line()));
            Flow::out(Taint::NETWORK)
        }
        // Names and metadata only.
        "ls" | "fd" | "fdfind" => lister(w, c),
        "tree" | "du" | "stat" | "file" | "exa" | "eza" | "realpath" | "readlink" | "namei" | "lsattr"
        | "locate" | "getfacl" => read_all(w, c, Reader::Listing),
        "env" => exec::env(w, c),
        _ => by_family(w, c),
    }
}

fn by_family(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    if let Some(flow) = files::judge(w, c) {
        return flow;
    }
    if let Some(flow) = exec::judge(w, c) {
        return flow;
    }
    if let Some(flow) = git::judge(w, c) {
        return flow;
    }
    if let Some(flow) = net::judge(w, c) {
        return flow;
    }
    if let Some(flow) = build::judge(w, c) {
        return flow;
    }
    if let Some(flow) = system::judge(w, c) {
        return flow;
    }
    if let Some(flow) = infra::judge(w, c) {
        return flow;
    }
    // `nc.openbsd`, `python3.12-config`…: try the family name.
    if let Some((base, _)) = c.name.split_once('.')
        && !base.is_empty()
    {
        return judge(w, &Call { name: base, ..*c });
    }
    unknown(w, c)
}

/// A program no rule knows.
pub fn unknown(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    // A secret named anywhere on the line is still a secret.
    for a in c.args {
        if a.known && (a.text.contains('/') || a.text.starts_with('.')) {
            let path = a.text.split_once('=').map_or(a.text.as_str(), |(_, v)| v);
            let arg = super::walk::Arg::lit(path);
            if let Some(at) = w.locate(&arg)
                && at.zone == super::Zone::Secret
            {
                w.a.raise(
                    Level::Critical,
                    "fs.secret-read",
                    format!("{} names `{}`, a secret", c.line(), at.shown),
                );
            }
        }
    }
    w.a.raise(
        Level::Medium,
        "exec.unknown",
        format!("{} runs `{}`, a program grove does not know", c.line(), c.name),
    );
    Flow::NONE
}

fn pure(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    match c.name {
        "printenv" | "export" | "set" if c.args.is_empty() || c.has(Some('p'), &[]) => Flow::out(Taint::ENV),
        "printenv" => {
            if let Some(name) = c.operands().find(|a| super::walk::secret_name(&a.text)) {
                w.a.raise(
                    Level::High,
                    "env.secret-print",
                    format!("{} shows `{}` to the agent", c.line(), name.text),
                );
            }
            Flow::out(Taint::ENV)
        }
        _ => Flow::NONE,
    }
}

/// `echo` and `printf`: their output is on the line (escapes decoded,
/// `%s` filled in), unless variables or substitutions hide it.
fn echo(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let escapes = c.name == "printf" || c.has(Some('e'), &[]);
    let words: Vec<&str> = c
        .args
        .iter()
        .skip_while(|a| {
            c.name == "echo" && a.known && matches!(a.text.as_str(), "-n" | "-e" | "-E" | "-ne" | "-en")
        })
        .map(|a| a.text.as_str())
        .collect();
    let text = if c.name == "printf" {
        let (format, args) = words.split_first().map_or(("", &[][..]), |(f, a)| (*f, a));
        printf(format, args)
    } else if escapes {
        unescape(&words.join(" "))
    } else {
        words.join(" ")
    };
    let mut out = c.args.iter().fold(Taint::default(), |t, a| t.union(a.taint));
    if c.args.iter().any(|a| !a.known && a.taint.env) {
        w.a.raise(Level::High, "env.secret-print", format!("{} shows a credential to the agent", c.line()));
    }
    if c.args.iter().any(|a| !a.known && a.text.contains("${")) {
        // Variables may hold secrets.
        out = out.union(Taint::ENV);
    }
    let known = c.args.iter().all(|a| a.known);
    Flow { out, text: known.then_some(text), ..Flow::NONE }
}

/// `printf FORMAT ARGS…`, for `%s`, `%d`, `%b` and `%%`, with escapes.
fn printf(format: &str, args: &[&str]) -> String {
    let format = unescape(format);
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('b') => out.push_str(&unescape(args.next().unwrap_or(&""))),
            Some(_) => out.push_str(args.next().unwrap_or(&"")),
            None => out.push('%'),
        }
    }
    out
}

/// Backslash escapes as `echo -e` and `printf` decode them.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let radix = |from: usize, max: usize, r: u32| {
        let digits: String = s[from..].chars().take(max).take_while(|c| c.is_digit(r)).collect();
        (u32::from_str_radix(&digits, r).unwrap_or(0), digits.len())
    };
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let e = b[i + 1];
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'\\' => out.push(b'\\'),
            b'x' => {
                let (v, n) = radix(i, 2, 16);
                out.push(v as u8);
                i += n;
            }
            b'0'..=b'7' => {
                let start = if e == b'0' { i } else { i - 1 };
                let (v, n) = radix(start, 3, 8);
                out.push(v as u8);
                i = start + n;
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every operand is a path read as content or listed.
fn read_all(w: &mut Walker<'_, '_>, c: &Call<'_>, how: Reader) -> Flow {
    let mut out = Taint::default();
    for a in c.operands() {
        out = out.union(a.taint);
        if let Some(Zone::Secret | Zone::EnvFile) = w.read(a, how)
            && how == Reader::Content
        {
            out = out.union(Taint::SECRET);
        }
    }
    // `tee`-like flags that write are handled by their own rules; `sort -o`
    // and friends live in `files`.
    Flow::out(out)
}

/// `ls DIR`, `fd PATTERN DIR`: they print names of what is in the folders
/// they are given (`ls` one level down, `fd` all the way).
fn lister(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let mut flow = read_all(w, c, Reader::Listing);
    let mut dirs: Vec<&super::walk::Arg> = c.operands().skip(usize::from(c.name != "ls")).collect();
    let here = super::walk::Arg::lit(".");
    if dirs.is_empty() {
        dirs.push(&here);
    }
    flow.found = if c.name == "ls" {
        let recursive = c.has(Some('R'), &["recursive"]);
        let all = c.has(Some('a'), &["all"]) || c.has(Some('A'), &["almost-all"]);
        let dirs: Vec<&super::walk::Arg> = dirs.into_iter().filter(|d| !d.glob).collect();
        match (recursive || all, dirs.as_slice()) {
            // Everything below, protected files included.
            (true, _) => find::listed(w, &dirs, &None),
            (false, []) => None,
            (false, dirs) => Some(
                dirs.iter()
                    .map(|d| super::walk::Arg {
                        text: format!("{}/*", d.text.trim_end_matches('/')),
                        glob: true,
                        ..(*d).clone()
                    })
                    .collect(),
            ),
        }
    } else {
        find::listed(w, &dirs, &None)
    };
    flow
}

/// `grep -l PATTERN DIR`, `rg -l`, `rg --files`: they print names of files
/// below the paths they search (the current folder when none is given).
fn files_with_matches(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Option<Vec<super::walk::Arg>> {
    let names = c.has(Some('l'), &["files-with-matches"])
        || c.has(Some('L'), &["files-without-match"])
        || c.name == "rg" && c.has(None, &["files"]);
    if !names {
        return None;
    }
    // The pattern is the first operand unless `-e`/`-f` or `rg --files`.
    let given_pattern =
        c.has(Some('e'), &["regexp"]) || c.has(Some('f'), &["file"]) || c.has(None, &["files"]);
    let paths: Vec<&super::walk::Arg> = c.operands().skip(usize::from(!given_pattern)).collect();
    let here = super::walk::Arg::lit(".");
    let paths = if paths.is_empty() { vec![&here] } else { paths };
    find::listed(w, &paths, &None)
}

/// Decoders: their output is not what the line shows.
fn decoder(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let mut flow = read_all(w, c, Reader::Content);
    flow.out = flow.out.union(Taint::DECODED);
    flow
}
