//! git: reads are safe, routine work is low, what discards work or
//! rewrites shared history is asked about, force pushes to protected
//! branches are refused.

use super::super::walk::{Arg, Call, Flow, Walker};
use crate::gate::level::Level;

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
                if [
                    "core.sshcommand",
                    "core.hookspath",
                    "core.pager",
                    "core.editor",
                    "core.fsmonitor",
                    "alias.",
                    "credential.",
                    "protocol.ext",
                    "core.gitproxy",
                    "diff.external",
                    "uploadpack.",
                    "filter.",
                ]
                .iter()
                .any(|k| setting.starts_with(k))
                {
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
            "--namespace" | "--super-prefix" | "--config-env" => i += 2,
            _ => i += 1,
        }
    }
    let Some(sub) = c.args.get(i) else { return Some(Flow::NONE) };
    let rest = &c.args[i + 1..];
    let call = Call { name: "git", program: c.program, args: rest };
    let sub = sub.text.as_str();
    let line = c.line();
    let has = |s: Option<char>, l: &[&str]| call.has(s, l);
    match sub {
        "status" | "diff" | "log" | "show" | "blame" | "annotate" | "rev-parse" | "ls-files" | "ls-tree"
        | "grep" | "describe" | "shortlog" | "cat-file" | "merge-base" | "whatchanged" | "help"
        | "version" | "rev-list" | "show-ref" | "for-each-ref" | "name-rev" | "var" | "count-objects"
        | "fsck" | "check-ignore" | "check-attr" | "ls-remote" | "range-diff" | "cherry" | "show-branch"
        | "verify-commit" | "verify-tag" | "diff-tree" | "diff-files" | "diff-index" | "bugreport"
        | "instaweb-status" => {}
        "branch" => {
            if has(Some('D'), &[]) || (has(Some('d'), &["delete"]) && has(Some('f'), &["force"])) {
                w.a.raise(
                    Level::High,
                    "git.branch-delete",
                    format!("{line} deletes a branch with unmerged work"),
                );
            } else if has(Some('d'), &["delete"]) || has(Some('m'), &["move"]) || has(Some('M'), &[]) {
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
                let runs = [
                    "core.sshcommand",
                    "core.hookspath",
                    "core.pager",
                    "core.editor",
                    "core.fsmonitor",
                    "alias.",
                    "credential.",
                    "filter.",
                    "diff.external",
                ]
                .iter()
                .any(|k| key.starts_with(k));
                if runs {
                    w.a.raise(
                        Level::High,
                        "git.config-exec",
                        format!("{line} sets `{key}`, which runs commands"),
                    );
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
            if sub == "gc" && call.args.iter().any(|a| a.text.starts_with("--prune=now")) {
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
            if has(Some('c'), &["create"]) || has(Some('C'), &["force-create"]) || has(None, &["orphan"]) {
                w.a.writes();
            } else {
                w.a.raise(
                    Level::Medium,
                    "git.switch",
                    format!("{line} changes what the worktree has checked out"),
                );
            }
        }
        "checkout" => {
            if has(Some('b'), &[]) || has(Some('B'), &[]) || has(None, &["orphan"]) {
                w.a.writes();
            } else if call.args.iter().any(|a| a.is("--") || a.is(".")) || has(Some('f'), &["force"]) {
                w.a.raise(Level::High, "git.discard", format!("{line} discards uncommitted changes"));
            } else {
                w.a.raise(
                    Level::Medium,
                    "git.switch",
                    format!("{line} changes what the worktree has checked out"),
                );
            }
        }
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

fn push(w: &mut Walker<'_, '_>, call: &Call<'_>, line: &str) {
    let force = call.has(Some('f'), &["force", "force-with-lease", "force-if-includes"]);
    let mirror = call.has(None, &["mirror"]);
    let refspecs: Vec<&Arg> = call.operands().skip(1).collect();
    // `git push origin :main` deletes `main` on the remote.
    let delete =
        call.has(Some('d'), &["delete", "prune"]) || refspecs.iter().any(|r| r.text.starts_with(':'));
    let plus = refspecs.iter().any(|r| r.text.starts_with('+'));
    let all = call.has(None, &["all", "branches", "tags"]);
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
