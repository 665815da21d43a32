//! git: reads are safe, routine work is low, what discards work or
//! rewrites shared history is asked about, force pushes to protected
//! branches are refused.

use super::super::walk::{Arg, Call, Flow, Walker};
use super::files::option_value;
use crate::gate::classify::Zone;
use crate::gate::level::Level;

/// Configuration keys whose value is a program git runs (lowercase).
const RUNS_PROGRAM: &[&str] = &[
    "core.sshcommand",
    "core.hookspath",
    "core.pager",
    "core.editor",
    "core.fsmonitor",
    "core.gitproxy",
    "alias.",
    "credential.",
    "protocol.ext",
    "filter.",
    "diff.external",
    "uploadpack.",
];

fn runs_program(key: &str) -> bool {
    RUNS_PROGRAM.iter().any(|k| key.starts_with(k))
}

/// Branches whose history is shared: rewriting them is never routine.
const PROTECTED: &[&str] =
    &["main", "master", "trunk", "develop", "development", "production", "prod", "release", "stable", "live"];

pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Option<Flow> {
    if c.name != "git" {
        return None;
    }
    // Global options before the subcommand.
    let mut i = 0;
    while let Some(a) = c.args.get(i) {
        if !a.known || !a.text.starts_with('-') {
            break;
        }
        match a.text.as_str() {
            "-C" => {
                if let Some(dir) = c.args.get(i + 1) {
                    w.cd(Some(dir));
                }
                i += 2;
            }
            "-c" => {
                let setting = c.args.get(i + 1).map(|s| s.text.to_ascii_lowercase()).unwrap_or_default();
                if runs_program(&setting) {
                    w.a.raise(
                        Level::High,
                        "git.config-exec",
                        format!("{} sets `{setting}`, which runs commands", c.line()),
                    );
                    // The command it sets is judged like any other.
                    let value =
                        c.args.get(i + 1).and_then(|s| s.text.split_once('=')).map(|(_, v)| v.to_string());
                    if let Some(value) = value {
                        w.nested_line(value.trim_start_matches('!'), "git -c");
                    }
                }
                i += 2;
            }
            t if t.starts_with("--git-dir")
                || t.starts_with("--work-tree")
                || t.starts_with("--exec-path=") =>
            {
                w.a.raise(
                    Level::High,
                    "git.elsewhere",
                    format!("{} points git at another repository", c.line()),
                );
                i += if t.contains('=') { 1 } else { 2 };
            }
            t if t.starts_with("--config-env") => {
                w.a.raise(
                    Level::High,
                    "git.config-exec",
                    format!("{} sets git configuration from the environment", c.line()),
                );
                i += if t.contains('=') { 1 } else { 2 };
            }
            "--namespace" | "--super-prefix" => i += 2,
            _ => i += 1,
        }
    }
    let Some(sub) = c.args.get(i) else { return Some(Flow::NONE) };
    let rest = &c.args[i + 1..];
    let call = Call { name: "git", program: c.program, args: rest };
    let sub = sub.text.as_str();
    let line = c.line();
    let has = |s: Option<char>, l: &[&str]| call.has(s, l);
    hooks(w, &call, sub, &line);
    match sub {
        "status" | "diff" | "log" | "show" | "blame" | "annotate" | "rev-parse" | "ls-files" | "ls-tree"
        | "grep" | "describe" | "shortlog" | "cat-file" | "merge-base" | "whatchanged" | "help"
        | "version" | "rev-list" | "show-ref" | "for-each-ref" | "name-rev" | "var" | "count-objects"
        | "fsck" | "check-ignore" | "check-attr" | "ls-remote" | "range-diff" | "cherry" | "show-branch"
        | "verify-commit" | "verify-tag" | "diff-tree" | "diff-files" | "diff-index" | "bugreport"
        | "instaweb-status" => {
            // `git ls-files`, `git diff --name-only`: a list of the tree's
            // tracked files (which `.git` and, normally, `.env` are not).
            let names_only = matches!(sub, "ls-files")
                || matches!(sub, "diff" | "show" | "log" | "diff-tree" | "diff-index" | "diff-files")
                    && has(None, &["name-only", "name-status"]);
            if names_only {
                let root = Arg::lit(w.cx.root().to_string_lossy().into_owned());
                let found = super::find::listed(w, &[&root], &None).map(|mut found| {
                    found.retain(|a| {
                        a.glob || !matches!(w.locate(a).map(|at| at.zone), Some(Zone::GitDir | Zone::EnvFile))
                    });
                    found
                });
                return Some(Flow { found, ..Flow::NONE });
            }
        }
        "branch" => {
            if has(Some('D'), &[]) || (has(Some('d'), &["delete"]) && has(Some('f'), &["force"])) {
                w.a.raise(
                    Level::High,
                    "git.branch-delete",
                    format!("{line} deletes a branch with unmerged work"),
                );
            } else if has(Some('d'), &["delete"])
                || has(Some('m'), &["move"])
                || has(Some('M'), &[])
                || has(Some('f'), &["force"])
            {
                w.a.raise(Level::Medium, "git.branch-change", format!("{line} deletes or renames a branch"));
            } else if call.operands().next().is_some()
                && !has(None, &["list", "contains", "merged", "no-merged", "points-at", "show-current"])
            {
                w.a.writes();
            }
        }
        "tag" => {
            if has(Some('d'), &["delete"]) {
                w.a.raise(Level::Medium, "git.tag-delete", format!("{line} deletes a tag"));
            } else if call.operands().next().is_some() && !has(Some('l'), &["list"]) {
                w.a.writes();
            }
        }
        "remote" => match call.sub() {
            None | Some("show" | "get-url" | "-v") => {}
            Some(_) => w.a.raise(
                Level::Medium,
                "git.remote",
                format!("{line} changes where the repository fetches and pushes"),
            ),
        },
        "stash" => match call.sub() {
            Some("drop" | "clear") => {
                w.a.raise(Level::Medium, "git.stash-drop", format!("{line} throws stashed work away"))
            }
            Some("list" | "show") => {}
            _ => w.a.writes(),
        },
        "config" => {
            if has(None, &["global", "system"]) {
                w.a.raise(
                    Level::High,
                    "git.config-global",
                    format!("{line} changes git's settings outside this repository"),
                );
            } else if !(has(Some('l'), &["list", "get", "get-all", "get-regexp"])
                || call.operands().count() <= 1)
            {
                let key = call.operands().next().map(|a| a.text.to_ascii_lowercase()).unwrap_or_default();
                let runs = runs_program(&key);
                if runs {
                    w.a.raise(
                        Level::High,
                        "git.config-exec",
                        format!("{line} sets `{key}`, which runs commands"),
                    );
                    // The command it sets, judged like any other: an alias
                    // without `!` is a git command line.
                    if let Some(value) = call.operands().nth(1).map(|v| v.text.clone()) {
                        let code = match value.strip_prefix('!') {
                            Some(shell) => shell.to_string(),
                            None if key.starts_with("alias.") => format!("git {value}"),
                            None => value,
                        };
                        w.nested_line(&code, "git config");
                    }
                } else {
                    w.a.raise(
                        Level::Medium,
                        "git.config",
                        format!("{line} changes the repository's settings"),
                    );
                }
            }
        }
        "add" | "commit" | "mv" | "rm" | "notes" | "cherry-pick" | "revert" | "merge" | "am" | "apply"
        | "format-patch" | "fetch" | "worktree-list" | "init" | "gc" | "repack" | "prune-packed"
        | "bisect" | "sparse-checkout" | "maintenance" | "archive" | "bundle" | "rerere" => {
            if sub == "gc" && call.args.iter().any(|a| a.text.starts_with("--prune")) {
                w.a.raise(Level::High, "git.prune", format!("{line} deletes unreachable commits for good"));
            }
            if sub == "rm" && has(Some('r'), &[]) && has(Some('f'), &["force"]) {
                w.a.raise(
                    Level::Medium,
                    "git.rm-force",
                    format!("{line} deletes files with uncommitted changes"),
                );
            }
            w.a.writes();
        }
        "switch" => {
            if has(Some('C'), &["force-create"]) {
                w.a.raise(Level::Medium, "git.branch-reset", format!("{line} resets an existing branch"));
            }
            switches_branch(w, &line);
        }
        "checkout" => checkout(w, &call, &line),
        "restore" => {
            if has(Some('S'), &["staged"]) && !has(Some('W'), &["worktree"]) {
                w.a.writes();
            } else {
                w.a.raise(Level::High, "git.discard", format!("{line} discards uncommitted changes"));
            }
        }
        "reset" => {
            if has(None, &["hard", "merge", "keep"]) {
                w.a.raise(
                    Level::High,
                    "git.reset-hard",
                    format!("{line} discards commits and uncommitted changes"),
                );
            } else if call.operands().next().is_some()
                && !call.operands().all(|a| a.text.contains('/') || a.text.contains('.'))
            {
                w.a.raise(Level::Medium, "git.reset", format!("{line} moves the branch"));
            } else {
                w.a.writes();
            }
        }
        "clean" => {
            if has(Some('n'), &["dry-run"]) {
                return Some(Flow::NONE);
            }
            w.a.raise(Level::High, "git.clean", format!("{line} deletes untracked files for good"));
        }
        "rebase" | "filter-branch" | "filter-repo" | "replace" | "update-ref" | "reflog" | "symbolic-ref" => {
            if sub == "reflog" && matches!(call.sub(), None | Some("show" | "list")) {
                return Some(Flow::NONE);
            }
            let level = if matches!(sub, "rebase") { Level::Medium } else { Level::High };
            w.a.raise(level, "git.rewrite", format!("{line} rewrites history"));
        }
        "pull" | "clone" | "submodule" => {
            w.a.raise(Level::Medium, "git.network", format!("{line} fetches code and changes the worktree"));
        }
        "push" => push(w, &call, &line),
        "worktree" => match call.sub() {
            Some("list") | None => {}
            Some("add" | "lock" | "unlock") => {
                w.a.raise(Level::Medium, "git.worktree", format!("{line} changes the repository's worktrees"))
            }
            Some(_) => w.a.raise(Level::High, "git.worktree", format!("{line} removes worktrees")),
        },
        "send-email" | "request-pull" | "daemon" | "instaweb" | "http-backend" | "credential"
        | "credential-store" => {
            w.a.raise(Level::High, "git.external", format!("{line} talks to the outside world"));
        }
        other => {
            w.a.raise(Level::Medium, "git.unknown", format!("{line}: `git {other}` is not known to grove"));
        }
    }
    Some(Flow::NONE)
}

/// `git checkout`: a branch switch (`-b X`, `OTHER`, `--detach`) or a
/// write to files (`-- FILE`, `.`, `HEAD~1 FILE`, a path that exists).
fn checkout(w: &mut Walker<'_, '_>, call: &Call<'_>, line: &str) {
    let has = |s, l: &[&str]| call.has(s, l);
    if has(Some('B'), &[]) {
        w.a.raise(Level::Medium, "git.branch-reset", format!("{line} resets an existing branch"));
    }
    let dashdash = call.args.iter().any(|a| a.is("--"));
    let operands: Vec<&Arg> = call.operands().collect();
    let creates = has(Some('b'), &[]) || has(Some('B'), &[]) || has(None, &["orphan", "detach"]);
    // Files: after `--`, a tree-ish and paths, or one operand naming a
    // path of the worktree. Anything else names a branch or a commit.
    let files = !creates
        && (dashdash
            || operands.len() > 1
            || operands.first().is_some_and(|a| a.is(".") || a.glob || w.exists(a)));
    if files {
        w.a.raise(Level::High, "git.discard", format!("{line} discards uncommitted changes"));
        // What it writes: the paths after `--`, else after the tree-ish.
        let paths: Vec<&Arg> = match call.args.iter().position(|a| a.is("--")) {
            Some(i) => call.args[i + 1..].iter().collect(),
            None => operands.iter().skip(usize::from(operands.len() > 1)).copied().collect(),
        };
        for p in paths {
            w.write(p);
        }
        return;
    }
    if operands.is_empty() && !creates {
        // Bare `git checkout` only reports; `-f` alone throws changes away.
        if has(Some('f'), &["force"]) {
            w.a.raise(Level::High, "git.discard", format!("{line} discards uncommitted changes"));
        }
        return;
    }
    if has(Some('f'), &["force"]) {
        w.a.raise(Level::High, "git.discard", format!("{line} discards uncommitted changes"));
    }
    switches_branch(w, line);
}

/// Checking out another branch or commit leaves the branch grove tracks
/// for the worktree (a session's work is its branch): asked about.
fn switches_branch(w: &mut Walker<'_, '_>, line: &str) {
    w.a.raise(
        Level::Medium,
        "git.switch",
        format!("{line} moves the worktree off its branch, the one grove tracks for it"),
    );
}

fn push(w: &mut Walker<'_, '_>, call: &Call<'_>, line: &str) {
    let force = call.has(Some('f'), &["force", "force-with-lease", "force-if-includes"]);
    let mirror = call.has(None, &["mirror"]);
    let refspecs: Vec<&Arg> = call.operands().skip(1).collect();
    // `git push origin :main` deletes `main` on the remote.
    let delete =
        call.has(Some('d'), &["delete", "prune"]) || refspecs.iter().any(|r| r.text.starts_with(':'));
    let plus = refspecs.iter().any(|r| r.text.starts_with('+'));
    // `--all`, `:` (matching branches) and `refs/heads/*` touch every branch.
    let all = call.has(None, &["all", "branches", "tags"])
        || refspecs.iter().any(|r| r.text == ":" || r.text == "+:" || r.text.contains('*'));
    let targets: Vec<String> = refspecs
        .iter()
        .map(|r| {
            let r = r.text.trim_start_matches('+');
            let dst = r.rsplit(':').next().unwrap_or(r);
            dst.trim_start_matches("refs/heads/").to_string()
        })
        .collect();
    let protected = targets.iter().any(|t| PROTECTED.contains(&t.as_str()) || t.starts_with("release/"));
    if mirror {
        w.a.raise(
            Level::Critical,
            "git.push-mirror",
            format!("{line} overwrites every branch of the remote"),
        );
    } else if (force || plus) && (protected || all) {
        w.a.raise(
            Level::Critical,
            "git.push-force",
            format!("{line} rewrites the shared history of a protected branch"),
        );
    } else if delete && protected {
        w.a.raise(
            Level::Critical,
            "git.push-delete",
            format!("{line} deletes a protected branch on the remote"),
        );
    } else if force || plus {
        w.a.raise(Level::High, "git.push-force", format!("{line} rewrites a remote branch"));
    } else if delete {
        w.a.raise(Level::High, "git.push-delete", format!("{line} deletes a remote branch"));
    } else {
        w.a.raise(Level::Medium, "git.push", format!("{line} publishes commits to a remote"));
    }
}

/// What any git subcommand may do besides its own job: write files given
/// with `-o`/`--output`, run programs given as options (`--upload-pack`,
/// `--exec`, `-x`, `--open-files-in-pager`, filters, `bisect run`,
/// `submodule foreach`), and read `REV:path` blobs such as `HEAD:.env`.
fn hooks(w: &mut Walker<'_, '_>, call: &Call<'_>, sub: &str, line: &str) {
    for (short, long) in [("-o", "--output"), ("-o", "--output-directory")] {
        if let Some(out) = option_value(call, short, long).filter(|_| sub != "branch" && sub != "commit") {
            w.write(&out);
        }
    }
    const RUNS: &[&str] = &[
        "--upload-pack",
        "--receive-pack",
        "--exec",
        "--open-files-in-pager",
        "--extcmd",
        "--tree-filter",
        "--index-filter",
        "--msg-filter",
        "--env-filter",
        "--parent-filter",
        "--commit-filter",
        "--tag-name-filter",
        "--subdirectory-filter",
        "--tool",
    ];
    let shorts: &[&str] = match sub {
        "clone" | "fetch" | "ls-remote" | "pull" | "archive" => &["-u"],
        "rebase" | "difftool" => &["-x"],
        "grep" => &["-O"],
        _ => &[],
    };
    let mut i = 0;
    while let Some(a) = call.args.get(i) {
        i += 1;
        if !a.known {
            continue;
        }
        let (flag, inline) = match a.text.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.text.as_str(), None),
        };
        let long = flag.starts_with("--")
            && RUNS.iter().any(|r| *r == flag || flag.len() >= 5 && r.starts_with(flag));
        if long || shorts.contains(&flag) {
            let value = inline.or_else(|| call.args.get(i).map(|v| v.text.clone())).unwrap_or_default();
            w.a.raise(Level::High, "git.runs-program", format!("{line} runs `{value}`"));
            w.nested_line(&value, "git");
        }
    }
    match (sub, call.sub()) {
        ("bisect", Some("run")) | ("submodule", Some("foreach")) => {
            let at = call.args.iter().position(|a| a.is("run") || a.is("foreach")).map_or(0, |p| p + 1);
            let rest: Vec<Arg> = call.args[at..].iter().skip_while(|a| a.is_flag()).cloned().collect();
            w.a.raise(Level::High, "git.runs-program", format!("{line} runs a command for each step"));
            if rest.len() == 1 {
                w.nested_line(&rest[0].text, "git");
            } else {
                w.words(&rest);
            }
        }
        _ => {}
    }
    if sub == "diff" && call.has(None, &["no-index"]) {
        for a in call.operands() {
            w.read(a, super::super::walk::Reader::Content);
        }
    }
    if matches!(sub, "show" | "cat-file") {
        for a in call.operands() {
            if let Some((_, path)) = a.text.split_once(':')
                && !path.is_empty()
            {
                w.read(&Arg { text: path.to_string(), ..a.clone() }, super::super::walk::Reader::Content);
            }
        }
    }
}
