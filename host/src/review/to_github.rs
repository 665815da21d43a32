//! The `github` backend: a prepared session becomes a pull request.
//!
//! The order keeps local work safe and a re-run idempotent: the token is
//! proved (one read of the repository) before anything is pushed or
//! changed; the branch is pushed without force, in one atomic push with
//! the evidence on its own branch; the open pull request of the branch is found and updated
//! rather than opened twice; reviewers, statuses and review comments are
//! set again, comments only where their fingerprint is not already
//! posted. Nothing here writes to the session, its branch or a worktree.

use git2::Repository;

use super::evidence_branch::{self, File, Folder};
use super::findings;
use super::github::GitHub;
use super::handoff::{Handoff, HandoffError, Prepared};
use super::page;
use super::repo_name::RepoName;
use super::settings::Settings;
use crate::repo::remote::{self as push, remote_url};

/// A client for the repository `settings` and the remote name; the token
/// checked for presence (not yet for validity).
pub fn client(settings: &Settings, repo: &Repository) -> Result<GitHub, HandoffError> {
    let token = settings
        .token
        .clone()
        .ok_or_else(|| HandoffError::NoToken { config_file: settings.config_file.clone() })?;
    let name = match &settings.repo {
        Some(name) => name.clone(),
        None => {
            let url = remote_url(repo, &settings.remote).unwrap_or_default();
            RepoName::from_url(&url)
                .ok_or_else(|| HandoffError::NoRepository { remote: settings.remote.clone(), url })?
        }
    };
    Ok(GitHub::new(&settings.api, token, name)?)
}

/// Open or update the pull request of `prepared`, saying each step to
/// `progress`.
pub async fn hand_off(
    settings: &Settings,
    repo: &Repository,
    mut prepared: Prepared,
    progress: &dyn Fn(&str),
) -> Result<Handoff, HandoffError> {
    let gh = client(settings, repo)?;
    progress(&format!("checking access to {} at {}", gh.repo, settings.api));
    let default_branch = gh.default_branch().await?;
    if prepared.page.base.is_empty() {
        prepared.page.base = default_branch;
    }
    let branch = prepared.session.branch.clone();

    progress(&format!("pushing {branch} to {}", settings.remote));
    let branch_spec = format!("refs/heads/{branch}:refs/heads/{branch}");
    if prepared.evidence.is_empty() {
        push::push(repo, &settings.remote, &[&branch_spec])?;
    } else {
        progress(&format!(
            "publishing {} to {}",
            crate::text::count(prepared.evidence.len(), "evidence file"),
            evidence_branch::BRANCH
        ));
        let contents: Vec<(String, Vec<u8>)> = prepared
            .evidence
            .iter()
            .map(|(entry, path)| {
                std::fs::read(path)
                    .map(|bytes| (entry.file.clone(), bytes))
                    .map_err(|source| HandoffError::Io { path: path.clone(), source })
            })
            .collect::<Result<_, _>>()?;
        let files: Vec<File<'_>> = contents.iter().map(|(name, bytes)| File { name, bytes }).collect();
        let session = &prepared.session.name;
        evidence_branch::publish(repo, &settings.remote, session, &files, Folder::Replace, &[&branch_spec])?;
    }
    let session = prepared.session.name.clone();
    prepared.show_evidence(|file| {
        evidence_branch::raw_url(&settings.web, &gh.repo.owner, &gh.repo.name, &session, file)
    });

    // The session that started this one has a pull request open: this is
    // an alternative to it (a design challenge), and each links the other.
    if let Some(parent) = &prepared.session.parent {
        prepared.page.alternative_to = gh.open_pull(&parent.branch).await?.map(|p| p.number);
    }
    let body = prepared.page.markdown();
    let title = prepared.page.title.clone();
    let (pull, created) = match gh.open_pull(&branch).await? {
        Some(open) => {
            progress(&format!("updating pull request #{}", open.number));
            (gh.update_pull(open.number, &title, &body).await?, false)
        }
        None => {
            progress(&format!("opening a pull request of {branch} into {}", prepared.page.base));
            (gh.create_pull(&title, &body, &branch, &prepared.page.base, prepared.options.draft).await?, true)
        }
    };
    let head_sha = prepared.head.to_string();

    // CODEOWNERS and --reviewer, less the author: GitHub refuses them.
    let mut users: Vec<String> = prepared.codeowners.users.iter().cloned().collect();
    for extra in &prepared.options.reviewers {
        let login = extra.trim_start_matches('@').to_string();
        if !users.contains(&login) {
            users.push(login);
        }
    }
    users.retain(|u| !u.eq_ignore_ascii_case(&pull.author));
    let teams: Vec<String> = prepared.codeowners.teams.iter().cloned().collect();
    if !users.is_empty() || !teams.is_empty() {
        progress(&format!(
            "requesting reviews from {}",
            users.iter().chain(&teams).cloned().collect::<Vec<_>>().join(", ")
        ));
        gh.request_reviewers(pull.number, &users, &teams).await?;
    }

    for verdict in &prepared.page.verdicts {
        let target = verdict.file.as_ref().map(|file| {
            evidence_branch::raw_url(
                &settings.web,
                &gh.repo.owner,
                &gh.repo.name,
                &prepared.session.name,
                file,
            )
        });
        gh.set_status(&head_sha, &verdict.context, verdict.state(), &verdict.description, target.as_deref())
            .await?;
    }
    progress(&format!("set {}", crate::text::count(prepared.page.verdicts.len(), "status")));

    if let (Some(original), true) = (prepared.page.alternative_to, created) {
        let text = page::alternative_comment(pull.number, &prepared.session.name, prepared.options.draft);
        gh.comment(original, &text).await?;
        progress(&format!("linked it from #{original}, the pull request it is an alternative to"));
    }
    // Alternatives opened before this one (a challenge's draft opened
    // before the original's pull request): linked now, both ways, once.
    if created {
        for related in &prepared.session.alternatives {
            let Some(alternative) = gh.open_pull(&related.branch).await? else { continue };
            let session = &related.name;
            if let Some(body) = page::with_alternative_to(&alternative.body, session, pull.number) {
                gh.set_body(alternative.number, &body).await?;
            }
            gh.comment(pull.number, &page::alternative_comment(alternative.number, session, false)).await?;
            progress(&format!(
                "linked #{}, an alternative to it, from session `{session}`",
                alternative.number
            ));
        }
    }

    // A design change nobody signed off: say which on the pull request,
    // with the pictures, once; the designers are asked directly after.
    let mut designers = Vec::new();
    if let Some(verdict) = super::design::unsigned(&prepared.page.verdicts) {
        designers = repo.workdir().map(super::design::designers).unwrap_or_default();
        if created {
            let report = prepared
                .evidence
                .iter()
                .find(|(e, _)| Some(&e.file) == verdict.file.as_ref())
                .and_then(|(_, path)| std::fs::read(path).ok())
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .unwrap_or(serde_json::Value::Null);
            let pictures: Vec<_> = super::design::pictures(&prepared.evidence)
                .into_iter()
                .map(|entry| {
                    let url = evidence_branch::raw_url(
                        &settings.web,
                        &gh.repo.owner,
                        &gh.repo.name,
                        &prepared.session.name,
                        &entry.file,
                    );
                    (entry, url)
                })
                .collect();
            gh.comment(pull.number, &super::design::comment(&report, &pictures)).await?;
            progress("design changes without a sign-off: commented on the pull request");
        }
    }

    let mut comments_posted = 0;
    if !prepared.findings.is_empty() {
        let lines = findings::lines_in_diff(repo, prepared.base_commit, prepared.head)?;
        let already = findings::posted(&gh.review_comment_bodies(pull.number).await?);
        let (comments, left) = findings::comments(&prepared.findings, &lines, &already);
        if !comments.is_empty() {
            let body = format!(
                "grove's code review: {} on lines of this change.",
                crate::text::count(comments.len(), "finding")
            );
            gh.post_review(pull.number, &head_sha, &body, &comments).await?;
            comments_posted = comments.len();
        }
        progress(&format!(
            "posted {} ({} posted before, {} outside the diff)",
            crate::text::count(comments_posted, "review comment"),
            left.posted,
            left.outside
        ));
    }

    // Teams as CODEOWNERS names them (`org/team`), which is how the
    // notifier's routing knows them.
    let mut reviewers = users;
    reviewers.extend(teams.iter().map(|team| format!("{}/{team}", gh.repo.owner)));
    Ok(Handoff {
        url: pull.url,
        number: pull.number,
        created,
        reviewers,
        gifs: prepared.gifs(),
        failing_checks: prepared.failing_checks(),
        comments_posted,
        designers,
    })
}
