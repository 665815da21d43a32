//! The `local` backend: the same pull request page, offline, in
//! `<git dir>/grove/pr/<session>/`: `index.md` (the body GitHub would get,
//! its evidence linked beside it), `page.json` (what `grove serve` draws
//! its page from) and `evidence/` (the bundle's files, copied). Nothing is
//! pushed and no token is needed; the page is rewritten whole each time.

use std::path::{Path, PathBuf};

use super::findings;
use super::handoff::{Handoff, HandoffError, Prepared};
use super::page::{Comment, Page};

/// Where the local pages of a repository live.
pub fn root(git_dir: &Path) -> PathBuf {
    git_dir.join("grove").join("pr")
}

/// The folder of session `name`'s page, if `name` is one plain segment.
pub fn dir(git_dir: &Path, name: &str) -> Option<PathBuf> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    plain.then(|| root(git_dir).join(name))
}

/// The page of session `name`, as last written.
pub fn read(git_dir: &Path, name: &str) -> Option<Page> {
    let bytes = std::fs::read(dir(git_dir, name)?.join("page.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Write `page` (its `index.md` and `page.json`) into its session's
/// folder; the index's path.
fn save(git_dir: &Path, page: &Page) -> Result<PathBuf, HandoffError> {
    let folder = dir(git_dir, &page.session).ok_or_else(|| HandoffError::Io {
        path: root(git_dir).join(&page.session),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a plain session name"),
    })?;
    let index = folder.join("index.md");
    let markdown = format!("# {}\n\n{}", page.title, page.markdown());
    std::fs::write(&index, markdown).map_err(|source| HandoffError::Io { path: index.clone(), source })?;
    let json = folder.join("page.json");
    let bytes = serde_json::to_vec_pretty(page).expect("the page serializes");
    std::fs::write(&json, bytes).map_err(|source| HandoffError::Io { path: json, source })?;
    Ok(index)
}

/// Write the page of `prepared`.
pub fn write(
    git_dir: &Path,
    repo: &git2::Repository,
    mut prepared: Prepared,
) -> Result<Handoff, HandoffError> {
    let name = prepared.session.name.clone();
    let folder = dir(git_dir, &name).ok_or_else(|| HandoffError::Io {
        path: root(git_dir).join(&name),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a plain session name"),
    })?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| HandoffError::Io { path, source }
    };
    let evidence_dir = folder.join("evidence");
    // A fresh folder each time: a file the bundle no longer has goes.
    if evidence_dir.exists() {
        std::fs::remove_dir_all(&evidence_dir).map_err(io(&evidence_dir))?;
    }
    std::fs::create_dir_all(&evidence_dir).map_err(io(&evidence_dir))?;
    for (entry, path) in &prepared.evidence {
        let to = evidence_dir.join(&entry.file);
        std::fs::copy(path, &to).map_err(io(&to))?;
    }
    prepared.show_evidence(|file| format!("evidence/{file}"));
    let lines = findings::lines_in_diff(repo, prepared.base_commit, prepared.head)?;
    prepared.page.comments = prepared
        .findings
        .iter()
        .filter(|(path, line, _)| lines.get(path).is_some_and(|l| l.contains(line)))
        .map(|(path, line, text)| Comment { path: path.clone(), line: *line, text: text.clone() })
        .collect();
    let mut reviewers: Vec<String> = prepared.codeowners.users.iter().cloned().collect();
    for extra in &prepared.options.reviewers {
        let login = extra.trim_start_matches('@').to_string();
        if !reviewers.contains(&login) {
            reviewers.push(login);
        }
    }
    reviewers.extend(prepared.codeowners.teams.iter().cloned());
    prepared.page.reviewers = reviewers.clone();

    // The original and its alternatives (a design challenge), each
    // linking the other, whichever page was written first.
    if let Some(parent) = &prepared.session.parent
        && let Some(mut original) = read(git_dir, &parent.name)
    {
        prepared.page.alternative_to_page = Some(parent.name.clone());
        if !original.alternatives.contains(&name) {
            original.alternatives.push(name.clone());
            save(git_dir, &original)?;
        }
    }
    for related in &prepared.session.alternatives {
        if let Some(mut alternative) = read(git_dir, &related.name) {
            prepared.page.alternatives.push(related.name.clone());
            if alternative.alternative_to_page.as_deref() != Some(name.as_str()) {
                alternative.alternative_to_page = Some(name.clone());
                save(git_dir, &alternative)?;
            }
        }
    }
    let index = save(git_dir, &prepared.page)?;
    Ok(Handoff {
        url: index.display().to_string(),
        number: 0,
        created: true,
        reviewers,
        gifs: prepared.gifs(),
        failing_checks: prepared.failing_checks(),
        comments_posted: 0,
        designers: Vec::new(),
    })
}
