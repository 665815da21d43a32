//! Programs that reach the network: HTTP clients (judged by host, upload
//! and download), remote shells and raw sockets.

use super::super::url;
use super::super::walk::{Arg, Call, Flow, Reader, Stdin, Taint, Walker};
use super::files::option_value;
use crate::gate::level::Level;

pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Option<Flow> {
    if NETWORK_PROGRAMS.contains(&c.name) && c.args.iter().any(|a| a.taint.sensitive()) {
        w.a.raise(
            Level::Critical,
            "net.exfiltration",
            format!("{} sends secrets or the environment", c.line()),
        );
    }
    Some(match c.name {
        "curl" => curl(w, c),
        "wget" | "wget2" => wget(w, c),
        "http" | "https" | "xh" | "httpie" | "aria2c" | "axel" => {
            let method = c
                .args
                .iter()
                .find(|a| a.known && a.text.chars().all(|ch| ch.is_ascii_uppercase()) && a.text.len() >= 3);
            let method = method.map_or("GET", |m| m.text.as_str());
            for a in c.operands() {
                if looks_like_url(&a.text) {
                    url::judge(w.a, method, &a.text, &*w.cx.hosts);
                }
            }
            Flow::out(Taint::NETWORK)
        }
        "ssh" | "mosh" | "autossh" | "scp" | "rsync" | "sftp"
            if c.args.iter().any(|a| a.text.contains("ProxyCommand") || a.text.contains("LocalCommand"))
                || (c.name == "rsync" && option_value(c, "-e", "--rsh").is_some()) =>
        {
            // Options that run a command on this machine.
            let value = c
                .args
                .iter()
                .find_map(|a| a.text.split_once("Command=").map(|(_, v)| v.to_string()))
                .or_else(|| option_value(c, "-e", "--rsh").map(|v| v.text));
            if let Some(code) = value {
                w.a.raise(
                    Level::High,
                    "net.local-command",
                    format!("{} runs `{code}` on this machine", c.line()),
                );
                w.nested_line(&code, c.name);
            }
            Flow { out: Taint::NETWORK, stdin: Stdin::Upload, ..Flow::NONE }
        }
        "ssh" | "mosh" | "autossh" => {
            w.a.raise(
                Level::High,
                "net.remote-shell",
                format!("{} opens a shell on another machine", c.line()),
            );
            sensitive_operands(w, c);
            Flow { out: Taint::NETWORK, stdin: Stdin::Upload, ..Flow::NONE }
        }
        "scp" | "sftp" | "rsync" | "rclone" => copy_remote(w, c),
        "nc" | "ncat" | "netcat" | "socat" | "telnet" | "ftp" | "tftp" | "openssl" | "nmap" | "cryptcat" => {
            if c.name == "openssl" && !matches!(c.sub(), Some("s_client" | "s_server")) {
                return Some(openssl(w, c));
            }
            let exec_flag = c.has(Some('e'), &["exec", "sh-exec", "lua-exec"])
                || c.has(Some('c'), &[]) && c.name != "nc"
                || c.args.iter().any(|a| {
                    let t = a.text.to_ascii_uppercase();
                    t.contains("EXEC:") || t.contains("SYSTEM:")
                });
            if exec_flag {
                w.a.raise(
                    Level::Critical,
                    "net.reverse-shell",
                    format!("{} hands a program to a network connection", c.line()),
                );
            } else if c.has(Some('l'), &["listen"]) {
                w.a.raise(Level::High, "net.listen", format!("{} listens for connections", c.line()));
            } else {
                w.a.raise(
                    Level::High,
                    "net.raw-socket",
                    format!("{} opens a raw network connection", c.line()),
                );
            }
            Flow { out: Taint::NETWORK, stdin: Stdin::Upload, ..Flow::NONE }
        }
        _ => return None,
    })
}

const NETWORK_PROGRAMS: &[&str] = &[
    "curl", "wget", "wget2", "http", "https", "xh", "httpie", "aria2c", "axel", "ssh", "mosh", "autossh",
    "scp", "sftp", "rsync", "rclone", "nc", "ncat", "netcat", "socat", "telnet", "ftp", "tftp", "openssl",
    "nmap", "cryptcat",
];

fn looks_like_url(s: &str) -> bool {
    s.contains("://")
        || (s.contains('.')
            && !s.starts_with('-')
            && !s.starts_with('@')
            && !s.contains(' ')
            && !s.starts_with('/')
            && !s.starts_with('.'))
        || s.starts_with("localhost")
}

/// curl's short options that take a value.
const CURL_VALUES: &str = "dFToXHueAbcxrwKmECDzYyUQtP";

/// Split curl's short-option clusters the way curl reads them: `-sSLo F`
/// is `-s -S -L -o F`, `-o/usr/x` is `-o /usr/x`, `-sd@f` is `-s -d @f`.
fn curl_words(args: &[Arg]) -> Vec<Arg> {
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        let cluster = a.text.strip_prefix('-').filter(|c| a.known && !c.is_empty() && !c.starts_with('-'));
        let Some(cluster) = cluster.filter(|c| c.len() > 1) else {
            out.push(a.clone());
            continue;
        };
        for (i, ch) in cluster.char_indices() {
            out.push(Arg { text: format!("-{ch}"), ..a.clone() });
            if CURL_VALUES.contains(ch) {
                let value = &cluster[i + ch.len_utf8()..];
                if !value.is_empty() {
                    out.push(Arg { text: value.to_string(), ..a.clone() });
                }
                break;
            }
        }
    }
    out
}

fn curl(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let words = curl_words(c.args);
    let c = &Call { args: &words, ..*c };
    let mut method = option_value(c, "-X", "--request").map(|m| m.text.to_ascii_uppercase());
    let mut flow = Flow::out(Taint::NETWORK);
    let mut i = 0;
    let mut urls: Vec<&Arg> = Vec::new();
    const WITH_VALUE: &[&str] = &[
        "-X",
        "--request",
        "-H",
        "--header",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-u",
        "--user",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-w",
        "--write-out",
        "-b",
        "--cookie",
        "-x",
        "--proxy",
        "-r",
        "--range",
        "--retry",
        "-E",
        "--cert",
        "--key",
        "--cacert",
        "--resolve",
        "-z",
        "--time-cond",
        "--limit-rate",
        "-y",
        "-Y",
        "--max-filesize",
        "--retry-delay",
        "--retry-max-time",
        "--interface",
        "-K",
        "--config",
        "--stderr",
        "--trace",
        "--trace-ascii",
        "--data-urlencode",
        "--url-query",
        "--oauth2-bearer",
        "-Q",
        "--quote",
        "--create-dirs",
        "--json",
    ];
    while let Some(a) = c.args.get(i) {
        i += 1;
        if !a.known {
            if !a.text.starts_with('-') {
                urls.push(a);
            }
            continue;
        }
        let t = a.text.as_str();
        let value = |i: usize| c.args.get(i);
        match t {
            "-d" | "--data" | "--data-binary" | "--data-raw" | "--data-ascii" | "--data-urlencode"
            | "--json" | "-T" | "--upload-file" | "-F" | "--form" => {
                method.get_or_insert_with(|| {
                    if t == "-T" || t == "--upload-file" { "PUT".into() } else { "POST".into() }
                });
                if let Some(v) = value(i) {
                    upload(w, c, v, t == "-T" || t == "--upload-file", &mut flow);
                }
                i += 1;
            }
            "-o" | "--output" => {
                if let Some(v) = value(i)
                    && !v.is("-")
                {
                    w.write(v);
                }
                i += 1;
            }
            "-O" | "--remote-name" | "--remote-name-all" | "-J" | "--remote-header-name" => {
                w.a.raise(
                    Level::Medium,
                    "net.download",
                    format!("{} saves a download into the worktree", c.line()),
                );
                w.a.writes();
            }
            "-K" | "--config" => {
                if let Some(v) = value(i) {
                    w.read(v, Reader::Content);
                }
                i += 1;
            }
            "-u" | "--user" | "--oauth2-bearer" => {
                w.a.raise(Level::Medium, "net.credentials", format!("{} sends credentials", c.line()));
                i += 1;
            }
            t if t.starts_with("--url=") => urls.push(a),
            "--url" => {
                if let Some(v) = value(i) {
                    urls.push(v);
                }
                i += 1;
            }
            t if WITH_VALUE.contains(&t) => i += 1,
            t if t.starts_with("-d") && t.len() > 2 && !t.starts_with("--") => {
                method.get_or_insert_with(|| "POST".into());
                let v = Arg { text: t[2..].to_string(), ..a.clone() };
                upload(w, c, &v, false, &mut flow);
            }
            t if t.starts_with('-') => {}
            _ => urls.push(a),
        }
    }
    let method = method.unwrap_or_else(|| "GET".into());
    if urls.is_empty() {
        w.a.raise(Level::Medium, "net.unknown-host", format!("{} names no URL grove can see", c.line()));
    }
    for u in urls {
        let text = u.text.strip_prefix("--url=").unwrap_or(&u.text);
        if u.known {
            url::judge(w.a, &method, text, &*w.cx.hosts);
        } else {
            w.a.raise(
                Level::Medium,
                "net.dynamic-url",
                format!("{} reaches a URL only known at run time", c.line()),
            );
        }
    }
    flow
}

/// `-d @file`, `-T file`, `-F name=@file`: a file (or stdin) sent out.
fn upload(w: &mut Walker<'_, '_>, c: &Call<'_>, v: &Arg, whole_file: bool, flow: &mut Flow) {
    let text = v.text.as_str();
    let file = if whole_file {
        Some(text)
    } else if let Some(f) = text.strip_prefix('@').or_else(|| text.strip_prefix('<')) {
        Some(f)
    } else {
        text.split_once("=@").or_else(|| text.split_once("=<")).map(|(_, f)| f.split(';').next().unwrap_or(f))
    };
    if v.taint.sensitive() {
        w.a.raise(
            Level::Critical,
            "net.exfiltration",
            format!("{} sends secrets or the environment", c.line()),
        );
    }
    if !v.known && v.text.contains("${") {
        w.a.raise(Level::High, "net.upload-variable", format!("{} sends the value of a variable", c.line()));
    }
    match file {
        Some("-") | Some("/dev/stdin") => flow.stdin = Stdin::Upload,
        Some(f) => {
            let before = w.a.level;
            let arg = Arg { text: f.to_string(), ..v.clone() };
            if w.is_tainted(&arg) {
                w.a.raise(
                    Level::Critical,
                    "net.exfiltration",
                    format!("{} uploads `{f}`, filled with secrets earlier", c.line()),
                );
            }
            w.read(&arg, Reader::Content);
            if w.a.level == Level::Critical && before < Level::Critical {
                w.a.raise(
                    Level::Critical,
                    "net.exfiltration",
                    format!("{} uploads `{f}`, a secret", c.line()),
                );
            }
        }
        None => {}
    }
}

fn wget(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let mut flow = Flow::out(Taint::default());
    let mut method = "GET".to_string();
    let mut to_stdout = false;
    let mut saves = true;
    let mut i = 0;
    while let Some(a) = c.args.get(i) {
        i += 1;
        let t = a.text.as_str();
        if !a.known {
            continue;
        }
        match t {
            "-O" | "--output-document" => {
                match c.args.get(i) {
                    Some(v) if v.is("-") => {
                        to_stdout = true;
                        saves = false;
                    }
                    Some(v) => {
                        w.write(v);
                        saves = false;
                    }
                    None => {}
                }
                i += 1;
            }
            t if t.starts_with("-O") && t.len() > 2 => {
                if &t[2..] == "-" {
                    to_stdout = true;
                } else {
                    w.write(&Arg { text: t[2..].to_string(), ..a.clone() });
                }
                saves = false;
            }
            t if t.starts_with("-qO") || t.starts_with("-nv") => {
                to_stdout |= t.ends_with("O-") || c.args.get(i).is_some_and(|v| v.is("-"));
                saves = !to_stdout;
                if c.args.get(i).is_some_and(|v| v.is("-")) {
                    i += 1;
                }
            }
            "--post-file" | "--body-file" => {
                method = "POST".into();
                if let Some(v) = c.args.get(i) {
                    upload(w, c, &Arg { text: format!("@{}", v.text), ..v.clone() }, false, &mut flow);
                }
                i += 1;
            }
            t if t.starts_with("--post-file=") || t.starts_with("--body-file=") => {
                method = "POST".into();
                let f = t.split_once('=').map_or("", |(_, f)| f);
                upload(w, c, &Arg { text: format!("@{f}"), ..a.clone() }, false, &mut flow);
            }
            "--post-data" | "--body-data" => {
                method = "POST".into();
                i += 1;
            }
            t if t.starts_with("--post-data") || t.starts_with("--method") => method = "POST".into(),
            "-P" | "--directory-prefix" | "-i" | "--input-file" | "-o" | "-a" | "-U" | "--user-agent"
            | "--header" | "-e" | "-t" | "-T" | "-w" => {
                if (t == "-P" || t == "--directory-prefix")
                    && let Some(v) = c.args.get(i)
                {
                    w.write(v);
                }
                i += 1;
            }
            t if t.starts_with('-') => {}
            _ => {
                if a.known {
                    url::judge(w.a, &method, t, &*w.cx.hosts);
                }
            }
        }
    }
    if saves {
        w.a.raise(Level::Medium, "net.download", format!("{} saves a download into the worktree", c.line()));
    }
    // To stdout or to a file, what comes out of wget came from the network.
    flow.out = flow.out.union(Taint::NETWORK);
    flow
}

fn copy_remote(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let remote =
        c.operands().any(|a| a.text.contains(':') && !a.text.starts_with('/') && !a.text.starts_with('.'));
    sensitive_operands(w, c);
    if remote || c.name == "sftp" {
        w.a.raise(
            Level::High,
            "net.remote-copy",
            format!("{} copies files to or from another machine", c.line()),
        );
    } else {
        let ops: Vec<&Arg> = c.operands().collect();
        if let Some((dest, sources)) = ops.split_last() {
            for s in sources {
                w.read(s, Reader::Content);
            }
            w.write(dest);
            if c.has(None, &["delete", "delete-before", "delete-after", "delete-during"]) {
                w.delete(dest, true, c);
            }
        }
    }
    Flow::NONE
}

/// Secret files named on a network program's line are on their way out.
fn sensitive_operands(w: &mut Walker<'_, '_>, c: &Call<'_>) {
    for a in c.operands() {
        let path = a
            .text
            .split_once(':')
            .map_or(a.text.as_str(), |(h, p)| if h.contains('/') { a.text.as_str() } else { p });
        if path.is_empty() || !(path.starts_with('/') || path.starts_with('.') || path.contains('/')) {
            continue;
        }
        let arg = Arg { text: path.to_string(), ..a.clone() };
        if let Some(at) = w.locate(&arg)
            && at.zone == super::super::Zone::Secret
        {
            w.a.raise(
                Level::Critical,
                "net.exfiltration",
                format!("{} sends `{}`, a secret, to another machine", c.line(), at.shown),
            );
        }
    }
}

fn openssl(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let decodes = c.has(Some('d'), &[]) || c.sub() == Some("base64") && c.has(Some('d'), &[]);
    if let Some(f) = option_value(c, "-in", "-in") {
        w.read(&f, Reader::Content);
    }
    if let Some(f) = option_value(c, "-out", "-out") {
        w.write(&f);
    }
    if decodes { Flow::out(Taint::DECODED) } else { Flow::NONE }
}
