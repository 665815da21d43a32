//! Programs that create, change, move and delete files.

use super::super::Zone;
use super::super::walk::{Arg, Call, Flow, Reader, Walker};
use crate::gate::level::Level;

pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Option<Flow> {
    Some(match c.name {
        "rm" => rm(w, c),
        "rmdir" | "unlink" => {
            for a in c.operands() {
                w.delete(a, false, c);
            }
            Flow::NONE
        }
        "shred" | "wipe" | "srm" => shred(w, c),
        "cp" => copy(w, c, false),
        "mv" => copy(w, c, true),
        "ln" => link(w, c),
        "truncate" => truncate(w, c),
        "touch" | "mkdir" | "mkfifo" | "mknod" => {
            write_operands(w, c, usize::from(c.name == "mknod"));
            Flow::NONE
        }
        "install" => copy(w, c, false),
        "tee" => {
            // Without `-a`, tee truncates each file before writing to it.
            let appends = c.has(Some('a'), &["append"]);
            let mut any = false;
            for a in c.operands() {
                if appends {
                    w.write(a)
                } else {
                    w.replace(a)
                }
                any = true;
            }
            if !any {
                w.a.writes();
            }
            Flow::NONE
        }
        "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => permissions(w, c),
        "sed" => sed(w, c),
        "awk" | "gawk" | "mawk" | "nawk" => awk(w, c),
        "sort" => {
            if let Some(out) = option_value(c, "-o", "--output") {
                w.write(&out);
            }
            super::read_all(w, c, Reader::Content)
        }
        "find" => super::find::find(w, c),
        "tar" | "bsdtar" => tar(w, c),
        "unzip" | "7z" | "unrar" => {
            let dest = option_value(c, "-d", "--directory").unwrap_or_else(|| Arg::lit("."));
            w.write(&dest);
            if c.name == "unzip" {
                for a in c.operands().take(1) {
                    w.read(a, Reader::Content);
                }
            }
            Flow::NONE
        }
        "zip"
            if c.has(Some('m'), &["move"])
                || c.args.iter().any(|a| a.is("-TT") || a.text.starts_with("--unzip-command")) =>
        {
            if let Some(cmd) = option_value(c, "-TT", "--unzip-command") {
                w.a.raise(
                    Level::High,
                    "zip.runs-program",
                    format!("{} runs `{}` to test the archive", c.line(), cmd.text),
                );
                w.nested_line(cmd.text.trim_end_matches('#').trim(), "zip -TT");
            }
            if c.has(Some('m'), &["move"]) {
                for a in c.operands().skip(1) {
                    w.delete(a, true, c);
                }
            }
            write_operands(w, c, 0);
            Flow::NONE
        }
        "zip" | "gzip" | "gunzip" | "bzip2" | "bunzip2" | "xz" | "unxz" | "zstd" | "unzstd" | "lz4"
        | "compress" => {
            let decompresses = matches!(c.name, "gunzip" | "bunzip2" | "unxz" | "unzstd")
                || c.has(Some('d'), &["decompress", "uncompress"]);
            let to_stdout = c.has(Some('c'), &["stdout", "to-stdout"]) || c.operands().next().is_none();
            if to_stdout {
                // A filter: unpacked data is not what the line shows.
                let mut flow = super::read_all(w, c, Reader::Content);
                if decompresses {
                    flow.out = flow.out.union(super::super::walk::Taint::DECODED);
                }
                return Some(flow);
            }
            write_operands(w, c, 0);
            Flow::NONE
        }
        // Edit their operands in place.
        "patch" | "dos2unix" | "unix2dos" => {
            for a in c.operands() {
                w.read(a, Reader::Content);
                w.write(a);
            }
            w.a.writes();
            Flow::NONE
        }
        // `split INPUT PREFIX`: the last operand names the pieces.
        "split" | "csplit" => {
            let ops: Vec<&Arg> = c.operands().collect();
            match ops.as_slice() {
                [input, .., prefix] if c.name == "split" && ops.len() >= 2 => {
                    w.read(input, Reader::Content);
                    w.write(prefix);
                }
                _ => {
                    for a in &ops {
                        w.read(a, Reader::Content);
                    }
                    w.a.writes();
                }
            }
            Flow::NONE
        }
        "dd" => dd(w, c),
        _ => return None,
    })
}

fn rm(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    if c.has(None, &["no-preserve-root"]) {
        w.a.raise(
            Level::Critical,
            "fs.no-preserve-root",
            format!("{} turns off the protection of /", c.line()),
        );
    }
    let recursive = c.has(Some('r'), &["recursive"]) || c.has(Some('R'), &[]);
    for a in c.operands() {
        w.delete(a, recursive, c);
    }
    Flow::NONE
}

fn shred(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    for a in c.operands() {
        match w.locate(a) {
            Some(at) if matches!(at.zone, Zone::Tree | Zone::Temp) => w.a.raise(
                Level::High,
                "fs.shred",
                format!("{} destroys `{}` beyond recovery", c.line(), at.shown),
            ),
            _ => w.a.raise(
                Level::Critical,
                "fs.shred",
                format!("{} destroys `{}` beyond recovery", c.line(), a.text),
            ),
        }
    }
    Flow::NONE
}

/// `cp`/`install` (sources read) and `mv` (sources moved away).
fn copy(w: &mut Walker<'_, '_>, c: &Call<'_>, moves: bool) -> Flow {
    let target_dir = option_value(c, "-t", "--target-directory");
    let operands: Vec<&Arg> = c
        .operands()
        .filter(|a| Some(a.text.as_str()) != target_dir.as_ref().map(|t| t.text.as_str()))
        .collect();
    let (sources, dest) = match (&target_dir, operands.split_last()) {
        (Some(t), _) => (operands.as_slice(), Some(t)),
        (None, Some((last, rest))) => (rest, Some(*last)),
        (None, None) => (&operands[..0], None),
    };
    let dir_mode = c.name == "install" && c.has(Some('d'), &["directory"]);
    for s in sources {
        if moves {
            w.read(s, Reader::Content);
            w.delete(s, false, c);
        } else if dir_mode {
            w.write(s);
        } else {
            w.read(s, Reader::Content);
        }
    }
    if let Some(d) = dest {
        // An existing file at the destination is overwritten whole.
        w.replace(d);
        if sources.iter().any(|s| w.locate(s).is_some_and(|at| at.zone == Zone::Secret)) {
            w.taint_file(d);
        }
    }
    Flow::NONE
}

fn link(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let operands: Vec<&Arg> = c.operands().collect();
    let symbolic = c.has(Some('s'), &["symbolic"]);
    let (targets, name) = match operands.split_last() {
        Some((last, rest)) if !rest.is_empty() => (rest.to_vec(), Some(*last)),
        Some((only, _)) => (vec![*only], None),
        None => return Flow::NONE,
    };
    let single_target = (targets.len() == 1).then(|| targets[0]);
    for t in targets {
        match w.locate(t) {
            Some(at) if at.zone == Zone::Secret => w.a.raise(
                Level::Critical,
                "fs.link-secret",
                format!("{} links to `{}`, a secret", c.line(), at.shown),
            ),
            Some(at) if !at.zone.inside() && at.zone != Zone::Temp => w.a.raise(
                if symbolic { Level::Medium } else { Level::High },
                "fs.link-out",
                format!("{} makes a link to `{}`, outside the worktree", c.line(), at.shown),
            ),
            Some(_) => {}
            None => w.a.raise(
                Level::Medium,
                "fs.link-out",
                format!("{} links to a path only known at run time", c.line()),
            ),
        }
    }
    match name {
        Some(n) => w.write(n),
        None => w.a.writes(),
    }
    // Later commands of the line that go through the link go where it points.
    if symbolic
        && let (Some(target), Some(name)) = (single_target.and_then(|t| w.locate(t)), name.or(single_target))
        && let Some(link) = w.locate(name)
    {
        let link = if name.text.ends_with('/') || single_target.is_some_and(|t| std::ptr::eq(t, name)) {
            // `ln -s /etc` makes `./etc`.
            w.locate(&Arg::lit(target.shown.rsplit('/').next().unwrap_or(""))).map_or(link.shown, |l| l.shown)
        } else {
            link.shown
        };
        w.add_link(link, target.shown);
    }
    Flow::NONE
}

fn permissions(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let recursive = c.has(Some('R'), &["recursive"]);
    let skip = usize::from(!c.has(None, &["reference"]));
    let mode = c.operands().next().map(|a| a.text.clone()).unwrap_or_default();
    let world_writable = c.name == "chmod"
        && (mode.ends_with('7') && mode.len() >= 3 || mode.contains("o+w") || mode.contains("a+w"));
    for a in c.operands().skip(skip) {
        let Some(at) = w.locate(a) else {
            w.a.raise(
                Level::High,
                "fs.permissions",
                format!("{} changes a path only known at run time", c.line()),
            );
            continue;
        };
        w.a.facts.paths.push((at.shown.clone(), crate::gate::level::Access::Write));
        let (level, rule) = match at.zone {
            Zone::FsRoot | Zone::System | Zone::Home | Zone::Secret | Zone::Startup | Zone::Device
                if recursive =>
            {
                (Level::Critical, "fs.permissions-system")
            }
            Zone::FsRoot | Zone::System | Zone::Secret | Zone::Startup | Zone::Device => {
                (Level::Critical, "fs.permissions-system")
            }
            Zone::GitDir | Zone::GroveDir => (Level::Critical, "fs.permissions-protected"),
            Zone::Home | Zone::HomeOther | Zone::Outside | Zone::NetDevice | Zone::Stream => {
                (Level::High, "fs.permissions-outside")
            }
            _ if c.name != "chmod" => (Level::High, "fs.ownership"),
            _ if world_writable => (Level::High, "fs.world-writable"),
            _ => (Level::Medium, "fs.permissions"),
        };
        w.a.raise(level, rule, format!("{} changes who may use `{}`", c.line(), at.shown));
    }
    Flow::NONE
}

fn sed(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let in_place = c.args.iter().any(|a| {
        a.known
            && (a.text.starts_with("-i")
                || a.text.starts_with("--in-place")
                || (a.text.starts_with('-')
                    && !a.text.starts_with("--")
                    && a.text.contains('i')
                    && a.text.len() <= 4))
    });
    // The scripts: `-e S`, `--expression=S`, else the first operand.
    let mut scripts: Vec<&Arg> = Vec::new();
    let mut files: Vec<&Arg> = Vec::new();
    let mut it = c.args.iter();
    while let Some(a) = it.next() {
        match a.text.as_str() {
            "-e" | "--expression" => scripts.extend(it.next()),
            "-f" | "--file" => {
                if let Some(f) = it.next() {
                    w.read(f, Reader::Content);
                    w.a.raise(
                        Level::Medium,
                        "sed.exec",
                        format!("{} runs a sed script from a file", c.line()),
                    );
                }
            }
            t if a.is_flag() && t.starts_with("--expression=") => scripts.push(a),
            _ if a.is_flag() => {}
            _ => files.push(a),
        }
    }
    if scripts.is_empty() && !files.is_empty() {
        scripts.push(files.remove(0));
    }
    for script in scripts {
        let text = script.text.strip_prefix("--expression=").unwrap_or(&script.text);
        let (runs, writes) = sed_script(text);
        if runs || !script.known {
            w.a.raise(Level::Medium, "sed.exec", format!("{} runs commands from its script", c.line()));
            if let Some(code) = runs.then(|| sed_exec_command(text)).flatten() {
                w.nested_line(&code, "sed");
            }
            if let Some(text) = w.stdin_text.take() {
                w.nested_line(&text, "sed e");
            }
        }
        for target in writes {
            w.write(&Arg { text: target, ..script.clone() });
        }
    }
    for f in files {
        w.read(f, Reader::Content);
        if in_place {
            // The file is rewritten whole: for a protected one, what it held
            // may be gone (`sed -i d .env`).
            w.replace(f);
        }
    }
    Flow::NONE
}

/// What a sed script does beyond editing: runs commands (GNU `e`, the
/// `s///e` flag) and writes files (`w FILE`, `s///w FILE`).
fn sed_script(script: &str) -> (bool, Vec<String>) {
    let mut runs = false;
    let mut writes = Vec::new();
    for command in script.split([';', '\n']) {
        // Skip the address: line numbers, `$`, `/regex/`, ranges, `!`.
        let mut rest = command.trim_start();
        loop {
            let before = rest.len();
            rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || "$,!~+ ".contains(c));
            if let Some(r) = rest.strip_prefix('/') {
                rest = r.split_once('/').map_or("", |(_, after)| after);
            }
            if rest.len() == before {
                break;
            }
        }
        match rest.chars().next() {
            Some('e') => runs = true,
            Some('w' | 'W') => writes.push(rest[1..].trim().to_string()),
            Some('s') => {
                // s<d>pattern<d>replacement<d>flags
                let mut chars = rest.chars().skip(1);
                if let Some(d) = chars.next() {
                    let parts: Vec<&str> = rest[1 + d.len_utf8()..].splitn(3, d).collect();
                    if let Some(flags) = parts.get(2) {
                        let (flag_chars, file) = match flags.find('w') {
                            Some(i) => (&flags[..i], Some(flags[i + 1..].trim().to_string())),
                            None => (*flags, None),
                        };
                        runs |= flag_chars.contains('e');
                        writes.extend(file.filter(|f| !f.is_empty()));
                    }
                }
            }
            _ => {}
        }
    }
    (runs, writes)
}

/// The command of a sed `e COMMAND`, if the script names one.
fn sed_exec_command(script: &str) -> Option<String> {
    script.split([';', '\n']).find_map(|c| {
        let c = c.trim_start().trim_start_matches(|ch: char| ch.is_ascii_digit() || "$,! ".contains(ch));
        c.strip_prefix('e').map(|rest| rest.trim().to_string()).filter(|r| !r.is_empty())
    })
}

fn awk(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    // The program is the first operand that is not an option's value.
    let mut program = None;
    let mut files = Vec::new();
    let mut from_file = false;
    let mut it = c.args.iter();
    while let Some(a) = it.next() {
        match a.text.as_str() {
            "-v" | "-F" | "--assign" | "--field-separator" => {
                it.next();
            }
            "-f" | "--file" => {
                from_file = true;
                if let Some(f) = it.next() {
                    w.read(f, Reader::Content);
                }
            }
            _ if a.is_flag() => {}
            _ if program.is_none() && !from_file => program = Some(a),
            _ => files.push(a),
        }
    }
    if let Some(p) = program {
        let t = &p.text;
        if ["system(", "getline", "print >", "printf >", "\" >", "|&", "| \"", "|\""]
            .iter()
            .any(|k| t.contains(k))
        {
            w.a.raise(
                Level::Medium,
                "awk.exec",
                format!("{} runs commands or writes files from its program", c.line()),
            );
            if t.contains("/inet/") {
                w.a.raise(
                    Level::Critical,
                    "net.reverse-shell",
                    format!("{} opens a network connection", c.line()),
                );
            }
            // `system("…")` with the command spelled out.
            for (i, _) in t.match_indices("system(\"") {
                if let Some(end) = t[i + 8..].find('"') {
                    w.nested_line(&t[i + 8..i + 8 + end], "awk");
                }
            }
        }
    }
    for f in files {
        if !f.text.contains('=') {
            w.read(f, Reader::Content);
        }
    }
    Flow::NONE
}

fn tar(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let first = c.args.first().map(|a| a.text.as_str()).unwrap_or("");
    let cluster = first.trim_start_matches('-');
    let letters = |ch: char| (!first.starts_with("--") && cluster.contains(ch)) || c.has(Some(ch), &[]);
    let extract = letters('x') || c.has(None, &["extract", "get"]);
    let create = letters('c') || letters('r') || letters('u') || c.has(None, &["create", "append", "update"]);
    if c.args.iter().any(|a| {
        a.known
            && (a.text.starts_with("--to-command")
                || a.text.contains("--checkpoint-action")
                || a.text.starts_with("--use-compress-program")
                || a.text == "-I")
    }) {
        w.a.raise(Level::High, "tar.exec", format!("{} runs a command of its own", c.line()));
    }
    let dir = option_value(c, "-C", "--directory").unwrap_or_else(|| Arg::lit("."));
    let archive = option_value(c, "-f", "--file");
    if c.has(None, &["remove-files"]) {
        for a in c.operands().filter(|a| archive.as_ref().is_none_or(|f| f.text != a.text)) {
            w.delete(a, true, c);
        }
    }
    if extract {
        w.write(&dir);
        if let Some(f) = &archive {
            w.read(f, Reader::Content);
        }
    } else if create {
        if let Some(f) = &archive {
            w.write(f);
        }
        let skip_first = !first.starts_with('-') && !first.is_empty();
        for a in c.operands().skip(usize::from(skip_first)) {
            if archive.as_ref().is_none_or(|f| f.text != a.text) && a.text != dir.text {
                w.read(a, Reader::Content);
            }
        }
    } else if let Some(f) = &archive {
        w.read(f, Reader::Listing);
    }
    Flow::NONE
}

fn dd(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let mut wrote = false;
    for a in c.args {
        if let Some(path) = a.text.strip_prefix("if=") {
            w.read(&Arg { text: path.to_string(), ..a.clone() }, Reader::Content);
        } else if let Some(path) = a.text.strip_prefix("of=") {
            // dd truncates its output unless told `conv=notrunc`.
            let out = Arg { text: path.to_string(), ..a.clone() };
            if c.args.iter().any(|a| a.text.starts_with("conv=") && a.text.contains("notrunc")) {
                w.write(&out);
            } else {
                w.replace(&out);
            }
            wrote = true;
        }
    }
    if !wrote {
        w.a.raise(Level::Low, "dd.stdout", "dd copies to standard output");
    }
    Flow::NONE
}

/// `truncate [-c] [-o] (-s SIZE | -r RFILE) FILE…`: cutting a file short
/// throws its contents away, unless the size only grows it (`+N`, `>N`).
fn truncate(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    let size = option_value(c, "-s", "--size");
    let reference = option_value(c, "-r", "--reference");
    let grows = size.as_ref().is_some_and(|s| s.known && s.text.starts_with(['+', '>']));
    if let Some(r) = &reference {
        w.read(r, Reader::Listing);
    }
    let mut files = Vec::new();
    let mut it = c.args.iter();
    let mut after_dashdash = false;
    while let Some(a) = it.next() {
        if !after_dashdash && a.is("--") {
            after_dashdash = true;
        } else if !after_dashdash
            && a.known
            && matches!(a.text.as_str(), "-s" | "--size" | "-r" | "--reference")
        {
            it.next();
        } else if after_dashdash || !a.is_flag() {
            files.push(a);
        }
    }
    for f in &files {
        if grows { w.write(f) } else { w.replace(f) }
    }
    if files.is_empty() {
        w.a.writes();
    }
    Flow::NONE
}

/// Operands written, skipping the first `skip` (a mode, a size).
fn write_operands(w: &mut Walker<'_, '_>, c: &Call<'_>, skip: usize) {
    let mut any = false;
    for a in c.operands().skip(skip) {
        w.write(a);
        any = true;
    }
    if !any {
        w.a.writes();
    }
}

/// The value of `-x VALUE`, `-xVALUE`, `--long VALUE` or `--long=VALUE`.
pub fn option_value(c: &Call<'_>, short: &str, long: &str) -> Option<Arg> {
    let mut it = c.args.iter();
    while let Some(a) = it.next() {
        if !a.known {
            continue;
        }
        if a.text == short || a.text == long {
            return it.next().cloned();
        }
        if let Some(v) = a.text.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            return Some(Arg { text: v.to_string(), ..a.clone() });
        }
        if short.len() == 2
            && let Some(v) = a.text.strip_prefix(short)
            && !v.is_empty()
            && !a.text.starts_with("--")
        {
            return Some(Arg { text: v.to_string(), ..a.clone() });
        }
    }
    None
}
