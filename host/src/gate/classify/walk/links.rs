//! Symlinks below a folder, for programs that follow them (`grep -R`,
//! `tar -h`, `zip -r`, `rsync -L`, `cp -RL`, `find -L`, `du -L`): a link in
//! the tree that leads out makes such a program read what it leads to.

use std::path::Path;

use super::Walker;
use super::call::Arg;
use crate::gate::level::Level;

/// Most folders surveyed for one path (links to folders of the tree are
/// followed into, so a chain of them is seen too).
const MAX_SURVEYS: usize = 8;

impl Walker<'_, '_> {
    /// Where the symlinks below `dir` (a folder of the worktree) lead out
    /// of it, as paths to judge instead (`/etc/**` for a link to `/etc`).
    /// `line` says which command follows them. A folder too big to walk
    /// is asked about: what it holds is not known.
    pub fn links_out_below(&mut self, dir: &Arg, line: &str) -> Vec<Arg> {
        let mut out = Vec::new();
        let mut queue = vec![dir.clone()];
        let mut surveyed: Vec<String> = Vec::new();
        while let Some(next) = queue.pop() {
            if surveyed.len() >= MAX_SURVEYS {
                self.a.raise(
                    Level::Medium,
                    "fs.links-unknown",
                    format!("{line} follows symlinks through too many folders to check where they lead"),
                );
                break;
            }
            let Some((at, survey)) = self.survey(&next) else { continue };
            if surveyed.contains(&at.shown) {
                continue;
            }
            surveyed.push(at.shown.clone());
            if !survey.complete {
                self.a.raise(
                    Level::Medium,
                    "fs.links-unknown",
                    format!("{line} follows symlinks below `{}`, too big to check where they lead", at.shown),
                );
            }
            for link in survey.links {
                let to = self.cx.paths.locate(&link, self.cx.root());
                if to.zone.inside() {
                    // A folder of the tree: its own links lead on.
                    queue.push(Arg::lit(self.cx.root().join(&link).to_string_lossy().into_owned()));
                    continue;
                }
                self.a.raise(
                    Level::Medium,
                    "fs.follows-link",
                    format!("{line} follows the symlink `{link}` to `{}`, outside the worktree", to.shown),
                );
                let text = if Path::new(&to.shown).is_dir() {
                    format!("{}/**", to.shown.trim_end_matches('/'))
                } else {
                    to.shown
                };
                out.push(Arg { glob: text.ends_with("/**"), ..Arg::lit(text) });
            }
        }
        out
    }
}
