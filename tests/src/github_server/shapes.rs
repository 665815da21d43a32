//! The JSON GitHub answers with, field for field as its REST reference
//! shows them (the fields a client could read; the many URL templates are
//! left out), and its error bodies.

use serde_json::{Value, json};

use super::{IssueComment, LineComment, Pull, Review, State, Status};

const TIME: &str = "2025-01-01T00:00:00Z";

pub fn user(state: &State, login: &str) -> Value {
    json!({
        "login": login,
        "id": 1,
        "node_id": "MDQ6VXNlcjE=",
        "avatar_url": format!("{}/avatars/{login}", state.base_url),
        "url": format!("{}/users/{login}", state.base_url),
        "html_url": format!("{}/{login}", state.base_url),
        "type": "User",
        "site_admin": false,
    })
}

pub fn repository(state: &State) -> Value {
    let full = format!("{}/{}", state.owner, state.repo);
    json!({
        "id": 1296269,
        "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
        "name": state.repo,
        "full_name": full,
        "owner": user(state, &state.owner),
        "private": true,
        "html_url": format!("{}/{full}", state.base_url),
        "description": null,
        "fork": false,
        "url": format!("{}/repos/{full}", state.base_url),
        "default_branch": state.default_branch,
        "visibility": "private",
        "permissions": { "admin": false, "maintain": false, "push": true, "triage": true, "pull": true },
        "created_at": TIME,
        "updated_at": TIME,
        "pushed_at": TIME,
    })
}

pub fn pull(state: &State, p: &Pull) -> Value {
    let full = format!("{}/{}", state.owner, state.repo);
    let api = format!("{}/repos/{full}/pulls/{}", state.base_url, p.number);
    let html = format!("{}/{full}/pull/{}", state.base_url, p.number);
    json!({
        "url": api,
        "id": 1000 + p.number,
        "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
        "html_url": html,
        "diff_url": format!("{html}.diff"),
        "patch_url": format!("{html}.patch"),
        "issue_url": format!("{}/repos/{full}/issues/{}", state.base_url, p.number),
        "commits_url": format!("{api}/commits"),
        "review_comments_url": format!("{api}/comments"),
        "comments_url": format!("{}/repos/{full}/issues/{}/comments", state.base_url, p.number),
        "statuses_url": format!("{}/repos/{full}/statuses/{}", state.base_url, p.head_sha),
        "number": p.number,
        "state": p.state,
        "locked": false,
        "title": p.title,
        "user": user(state, &state.login),
        "body": p.body,
        "labels": [],
        "milestone": null,
        "active_lock_reason": null,
        "created_at": TIME,
        "updated_at": TIME,
        "closed_at": null,
        "merged_at": null,
        "merge_commit_sha": null,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": p.reviewers.iter().map(|r| user(state, r)).collect::<Vec<_>>(),
        "requested_teams": p.teams.iter().map(|t| json!({"id": 1, "slug": t, "name": t})).collect::<Vec<_>>(),
        "head": {
            "label": format!("{}:{}", state.owner, p.head),
            "ref": p.head,
            "sha": p.head_sha,
            "user": user(state, &state.owner),
            "repo": repository(state),
        },
        "base": {
            "label": format!("{}:{}", state.owner, p.base),
            "ref": p.base,
            "sha": "",
            "user": user(state, &state.owner),
            "repo": repository(state),
        },
        "author_association": "MEMBER",
        "auto_merge": null,
        "draft": p.draft,
    })
}

pub fn status(state: &State, s: &Status) -> Value {
    json!({
        "url": format!("{}/repos/{}/{}/statuses/{}", state.base_url, state.owner, state.repo, s.sha),
        "id": s.id,
        "node_id": "MDY6U3RhdHVzMQ==",
        "state": s.state,
        "description": s.description,
        "target_url": s.target_url,
        "context": s.context,
        "created_at": TIME,
        "updated_at": TIME,
        "creator": user(state, &state.login),
    })
}

pub fn review(state: &State, r: &Review) -> Value {
    let full = format!("{}/{}", state.owner, state.repo);
    json!({
        "id": r.id,
        "node_id": "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
        "user": user(state, &state.login),
        "body": r.body,
        "state": if r.event == "COMMENT" { "COMMENTED" } else if r.event == "APPROVE" { "APPROVED" } else if r.event == "REQUEST_CHANGES" { "CHANGES_REQUESTED" } else { "PENDING" },
        "html_url": format!("{}/{full}/pull/{}#pullrequestreview-{}", state.base_url, r.pull, r.id),
        "pull_request_url": format!("{}/repos/{full}/pulls/{}", state.base_url, r.pull),
        "submitted_at": TIME,
        "commit_id": r.commit_id,
        "author_association": "MEMBER",
    })
}

pub fn line_comment(state: &State, c: &LineComment) -> Value {
    let full = format!("{}/{}", state.owner, state.repo);
    json!({
        "url": format!("{}/repos/{full}/pulls/comments/{}", state.base_url, c.id),
        "pull_request_review_id": c.review,
        "id": c.id,
        "node_id": "MDI0OlB1bGxSZXF1ZXN0UmV2aWV3Q29tbWVudDEw",
        "diff_hunk": "",
        "path": c.path,
        "commit_id": c.commit_id,
        "original_commit_id": c.commit_id,
        "in_reply_to_id": null,
        "user": user(state, &state.login),
        "body": c.body,
        "created_at": TIME,
        "updated_at": TIME,
        "html_url": format!("{}/{full}/pull/{}#discussion_r{}", state.base_url, c.pull, c.id),
        "pull_request_url": format!("{}/repos/{full}/pulls/{}", state.base_url, c.pull),
        "author_association": "MEMBER",
        "start_line": null,
        "original_start_line": null,
        "start_side": null,
        "line": c.line,
        "original_line": c.line,
        "side": c.side,
        "subject_type": "line",
    })
}

pub fn issue_comment(state: &State, c: &IssueComment) -> Value {
    let full = format!("{}/{}", state.owner, state.repo);
    json!({
        "id": c.id,
        "node_id": "MDEyOklzc3VlQ29tbWVudDE=",
        "url": format!("{}/repos/{full}/issues/comments/{}", state.base_url, c.id),
        "html_url": format!("{}/{full}/pull/{}#issuecomment-{}", state.base_url, c.number, c.id),
        "body": c.body,
        "user": user(state, &state.login),
        "created_at": TIME,
        "updated_at": TIME,
        "issue_url": format!("{}/repos/{full}/issues/{}", state.base_url, c.number),
        "author_association": "MEMBER",
    })
}

/// GitHub's error body: `{message, documentation_url, status}`.
pub fn error(code: u16, message: &str, docs: &str) -> Value {
    json!({
        "message": message,
        "documentation_url": format!("https://docs.github.com/rest/{docs}"),
        "status": code.to_string(),
    })
}

/// A 422 `Validation Failed` with its `errors` list.
pub fn validation(errors: Value, docs: &str) -> Value {
    let mut body = error(422, "Validation Failed", docs);
    body["errors"] = errors;
    body
}
