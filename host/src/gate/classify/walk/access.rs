//! What a command does to paths: where they land (through `cd` and the
//! symlinks the line made), and what reading, writing or deleting them
//! there means.

use std::path::PathBuf;

use super::Walker;
use super::call::{Arg, Call};
use crate::gate::classify::paths::{Located, Zone};
use crate::gate::level::{Access, Level};

impl Walker<'_, '_> {
    /// `cd DIR`: later commands of the line run there.
    pub fn cd(&mut self, dir: Option<&Arg>) {
        if self.vars.iter().any(|(n, _)| n == "CDPATH") {
            self.cwd = None;
            return;
        }
        self.cwd = match dir {
            None => self.home().map(PathBuf::from),
            Some(a) if a.known && a.text != "-" => self.cwd.as_ref().map(|cwd| {
                super::super::paths::normalize(&if a.text.starts_with('/') {
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

    /// A known path that exists now (symlinks followed).
    pub fn exists(&mut self, arg: &Arg) -> bool {
        self.locate(arg).is_some_and(|at| {
            let full =
                if at.zone.inside() { self.cx.root().join(&at.shown) } else { PathBuf::from(&at.shown) };
            full.exists()
        })
    }

    /// What lies below `arg`, a folder of the worktree (symlinks followed
    /// to get there); `None` for anything else.
    pub fn survey(&mut self, arg: &Arg) -> Option<(Located, crate::gate::classify::survey::Survey)> {
        let at = self.locate(arg).filter(|at| matches!(at.zone, Zone::Tree | Zone::TreeRoot))?;
        let dir = if at.zone == Zone::TreeRoot {
            self.cx.root().to_path_buf()
        } else {
            self.cx.root().join(&at.shown)
        };
        dir.is_dir().then(|| (at, self.cx.paths.survey(&dir)))
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
        if !arg.known && arg.printed {
            return self.read_printed(arg, how);
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

    /// Reading a file named by a command's output: any of the paths that
    /// command lists, or, when it lists none the line shows, anything at
    /// all (a secret too).
    fn read_printed(&mut self, arg: &Arg, how: Reader) -> Option<Zone> {
        match &arg.stands_for {
            Some(paths) => {
                let mut riskiest = None;
                for p in paths {
                    riskiest = self.read(p, how).or(riskiest);
                }
                riskiest
            }
            None if how == Reader::Content => {
                self.a.raise(
                    Level::Medium,
                    "fs.unknown-read",
                    format!("reads `{}`: files named only at run time, which can be secrets", arg.text),
                );
                None
            }
            None => None,
        }
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

    /// The command throws away what `arg` holds: truncates it (`: > f`,
    /// `truncate -s 0 f`, `cp /dev/null f`, `dd of=f`), or overwrites it
    /// whole (`> f`, `tee f`, `sed -i`). That is removing its contents: as
    /// serious as deleting the file, and no less than writing it.
    pub fn replace(&mut self, arg: &Arg) {
        match self.locate(arg) {
            Some(at) => {
                self.a.facts.paths.push((at.shown.clone(), Access::Write));
                self.zone_replace(&at, &arg.text, "empties or overwrites");
            }
            None => self.write(arg),
        }
    }

    fn zone_replace(&mut self, at: &Located, raw: &str, how: &str) {
        let shown = &at.shown;
        match at.zone {
            // Protected files of the tree: what they held is gone for good
            // (`.env` is not in git) or stops CI and hooks from running.
            Zone::EnvFile => self.a.raise(
                Level::High,
                "fs.contents-lost",
                format!("{how} `{shown}`: the local secrets it holds are lost"),
            ),
            Zone::Ci => self.a.raise(
                Level::High,
                "fs.contents-lost",
                format!("{how} `{shown}`, CI configuration or a hook that runs elsewhere"),
            ),
            _ => self.zone_write(at, raw),
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
            Zone::Ci | Zone::EnvFile => self.zone_replace(&at, &arg.text, "deletes"),
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
