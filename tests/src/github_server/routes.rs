//! The endpoints, routed by hand from one handler so that every request is
//! recorded, authenticated and rate-limited the same way before its route
//! sees it.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{IssueComment, LineComment, Pull, Request, Review, State, Status, diff, lock, shapes};

type Shared = Arc<Mutex<State>>;

pub fn router(shared: Shared) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// An answer: status, JSON body, extra headers.
struct Answer {
    code: u16,
    body: Value,
    headers: Vec<(&'static str, String)>,
}

fn answer(code: u16, body: Value) -> Answer {
    Answer { code, body, headers: Vec::new() }
}

async fn handle(
    axum::extract::State(shared): axum::extract::State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = lock(&shared);
    let path_and_query = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.requests.push(Request {
        method: method.to_string(),
        path: path_and_query,
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: body.clone(),
    });
    let segments: Vec<String> = uri.path().trim_matches('/').split('/').map(str::to_string).collect();
    let query = uri.query().unwrap_or("").to_string();

    // Raw files, as github.com serves them: no API, no token.
    if segments.len() >= 5 && segments[2] == "raw" {
        return raw(&state, &segments);
    }

    let given = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let token = given.strip_prefix("Bearer ").or_else(|| given.strip_prefix("token ")).unwrap_or("");
    let answer = if token.is_empty() {
        answer(401, shapes::error(401, "Requires authentication", "overview/authenticating-to-the-rest-api"))
    } else if token != state.token {
        answer(401, shapes::error(401, "Bad credentials", "overview/authenticating-to-the-rest-api"))
    } else if let Some(trouble) = state.trouble.pop_front() {
        let message = if trouble.code == 429 {
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
        } else {
            "API rate limit exceeded for user ID 1."
        };
        let mut a = answer(
            trouble.code,
            shapes::error(
                trouble.code,
                message,
                "overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            ),
        );
        a.headers.push(("retry-after", trouble.retry_after.to_string()));
        a
    } else {
        state.remaining = state.remaining.saturating_sub(1);
        route(&mut state, &method, &segments, &query, &body)
    };
    respond(&state, answer)
}

fn respond(state: &State, a: Answer) -> Response {
    let mut response = (StatusCode::from_u16(a.code).unwrap(), a.body.to_string()).into_response();
    let h = response.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json; charset=utf-8"));
    h.insert("x-github-media-type", HeaderValue::from_static("github.v3; format=json"));
    h.insert("x-github-api-version-selected", HeaderValue::from_static("2022-11-28"));
    h.insert("x-ratelimit-limit", HeaderValue::from(5000u64));
    let remaining =
        if a.code == 403 && a.headers.iter().any(|(n, _)| *n == "retry-after") { 0 } else { state.remaining };
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-used", HeaderValue::from(5000 - remaining));
    let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    h.insert("x-ratelimit-reset", HeaderValue::from(reset));
    h.insert("x-ratelimit-resource", HeaderValue::from_static("core"));
    for (name, value) in a.headers {
        h.insert(name, HeaderValue::from_str(&value).unwrap());
    }
    response
}

fn raw(state: &State, segments: &[String]) -> Response {
    let (owner, repo, branch, path) = (&segments[0], &segments[1], &segments[3], segments[4..].join("/"));
    let found = (owner == &state.owner && repo == &state.repo)
        .then(|| state.bare.as_deref().and_then(|bare| diff::raw(bare, branch, &path)))
        .flatten();
    match found {
        Some(bytes) => (StatusCode::OK, bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "404: Not Found").into_response(),
    }
}

fn not_found(docs: &str) -> Answer {
    answer(404, shapes::error(404, "Not Found", docs))
}

/// `name=value` of a query string.
fn param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

fn route(state: &mut State, method: &Method, s: &[String], query: &str, body: &Value) -> Answer {
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    if s.first() != Some(&"repos") || s.len() < 3 {
        return not_found("");
    }
    if s[1] != state.owner || s[2] != state.repo {
        return not_found("repos/repos#get-a-repository");
    }
    let number = |i: usize| s.get(i).and_then(|n| n.parse::<u64>().ok());
    match (method.as_str(), &s[3..]) {
        ("GET", []) => answer(200, shapes::repository(state)),
        ("GET", ["pulls"]) => list_pulls(state, s.join("/"), query),
        ("POST", ["pulls"]) => create_pull(state, body),
        ("GET", ["pulls", _]) => match find(state, number(4)) {
            Some(p) => answer(200, shapes::pull(state, &p)),
            None => not_found("pulls/pulls#get-a-pull-request"),
        },
        ("PATCH", ["pulls", _]) => update_pull(state, number(4), body),
        ("POST", ["pulls", _, "requested_reviewers"]) => request_reviewers(state, number(4), body),
        ("POST", ["pulls", _, "reviews"]) => create_review(state, number(4), body),
        ("GET", ["pulls", _, "reviews"]) => {
            let Some(n) = number(4) else { return not_found("pulls/reviews") };
            let all: Vec<Value> =
                state.reviews.iter().filter(|r| r.pull == n).map(|r| shapes::review(state, r)).collect();
            page(state, format!("repos/{}/{}/pulls/{n}/reviews", state.owner, state.repo), query, all)
        }
        ("GET", ["pulls", _, "comments"]) => {
            let Some(n) = number(4) else { return not_found("pulls/comments") };
            let all: Vec<Value> = state
                .comments
                .iter()
                .filter(|c| c.pull == n)
                .map(|c| shapes::line_comment(state, c))
                .collect();
            page(state, format!("repos/{}/{}/pulls/{n}/comments", state.owner, state.repo), query, all)
        }
        ("POST", ["statuses", sha]) => create_status(state, sha, body),
        ("POST", ["issues", _, "comments"]) => {
            let Some(n) = number(4).filter(|n| state.pulls.iter().any(|p| p.number == *n)) else {
                return not_found("issues/comments#create-an-issue-comment");
            };
            let Some(text) = body["body"].as_str() else {
                return missing_field("body", "issues/comments#create-an-issue-comment");
            };
            let c = IssueComment { id: state.id(), number: n, body: text.to_string() };
            state.issue_comments.push(c.clone());
            answer(201, shapes::issue_comment(state, &c))
        }
        _ => not_found(""),
    }
}

fn missing_field(field: &str, docs: &str) -> Answer {
    answer(
        422,
        shapes::validation(json!([{"resource": "Resource", "code": "missing_field", "field": field}]), docs),
    )
}

fn find(state: &State, number: Option<u64>) -> Option<Pull> {
    state.pulls.iter().find(|p| Some(p.number) == number).cloned()
}

/// One page of `all`, with GitHub's `Link` header for the others.
fn page(state: &State, path: String, query: &str, all: Vec<Value>) -> Answer {
    let per_page = param(query, "per_page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(30).clamp(1, 100);
    let page = param(query, "page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1);
    let last = all.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = all.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    // The other parameters of the query are kept in the links, as GitHub does.
    let others: String = query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("per_page=") && !kv.starts_with("page="))
        .map(|kv| format!("{kv}&"))
        .collect();
    let link = |n: usize, rel: &str| {
        format!("<{}/{path}?{others}per_page={per_page}&page={n}>; rel=\"{rel}\"", state.base_url)
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
    }
    let mut a = answer(200, Value::Array(items));
    if !links.is_empty() {
        a.headers.push(("link", links.join(", ")));
    }
    a
}

fn list_pulls(state: &State, path: String, query: &str) -> Answer {
    let wanted_state = param(query, "state").unwrap_or("open");
    // `head` is `user:ref-name`, percent-encoded by careful clients.
    let head = param(query, "head").map(|h| h.replace("%3A", ":").replace("%3a", ":").replace("%2F", "/"));
    let all: Vec<Value> = state
        .pulls
        .iter()
        .filter(|p| wanted_state == "all" || p.state == wanted_state)
        .filter(|p| head.as_ref().is_none_or(|h| *h == format!("{}:{}", state.owner, p.head)))
        .map(|p| shapes::pull(state, p))
        .collect();
    page(state, path, query, all)
}

fn create_pull(state: &mut State, body: &Value) -> Answer {
    const DOCS: &str = "pulls/pulls#create-a-pull-request";
    let (Some(title), Some(head), Some(base)) =
        (body["title"].as_str(), body["head"].as_str(), body["base"].as_str())
    else {
        return missing_field("title", DOCS);
    };
    let head = head.split_once(':').map_or(head, |(_, branch)| branch).to_string();
    let head_sha = match &state.bare {
        Some(bare) => match diff::branch_sha(bare, &head) {
            Some(sha) => sha,
            None => {
                return answer(
                    422,
                    shapes::validation(
                        json!([{"resource": "PullRequest", "field": "head", "code": "invalid"}]),
                        DOCS,
                    ),
                );
            }
        },
        None => "0".repeat(40),
    };
    if state.pulls.iter().any(|p| p.head == head && p.state == "open") {
        let message = format!("A pull request already exists for {}:{head}.", state.owner);
        return answer(
            422,
            shapes::validation(
                json!([{"resource": "PullRequest", "code": "custom", "message": message}]),
                DOCS,
            ),
        );
    }
    let number = state.pulls.len() as u64 + 1;
    let pull = Pull {
        number,
        title: title.to_string(),
        body: body["body"].as_str().unwrap_or("").to_string(),
        head,
        head_sha,
        base: base.to_string(),
        draft: body["draft"].as_bool().unwrap_or(false),
        state: "open".into(),
        reviewers: Vec::new(),
        teams: Vec::new(),
    };
    state.pulls.push(pull.clone());
    answer(201, shapes::pull(state, &pull))
}

fn update_pull(state: &mut State, number: Option<u64>, body: &Value) -> Answer {
    let bare = state.bare.clone();
    let Some(p) = state.pulls.iter_mut().find(|p| Some(p.number) == number) else {
        return not_found("pulls/pulls#update-a-pull-request");
    };
    if let Some(title) = body["title"].as_str() {
        p.title = title.to_string();
    }
    if let Some(text) = body["body"].as_str() {
        p.body = text.to_string();
    }
    if let Some(s) = body["state"].as_str() {
        p.state = s.to_string();
    }
    if let Some(base) = body["base"].as_str() {
        p.base = base.to_string();
    }
    // A push to the head branch moves the pull request's head.
    if let Some(sha) = bare.as_deref().and_then(|b| diff::branch_sha(b, &p.head)) {
        p.head_sha = sha;
    }
    let p = p.clone();
    answer(200, shapes::pull(state, &p))
}

fn request_reviewers(state: &mut State, number: Option<u64>, body: &Value) -> Answer {
    const DOCS: &str = "pulls/review-requests#request-reviewers-for-a-pull-request";
    let login = state.login.clone();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
    };
    let (users, teams) = (strings(&body["reviewers"]), strings(&body["team_reviewers"]));
    if users.contains(&login) {
        return answer(
            422,
            json!({
                "message": "Review cannot be requested from pull request author.",
                "documentation_url": format!("https://docs.github.com/rest/{DOCS}"),
                "status": "422",
            }),
        );
    }
    let Some(p) = state.pulls.iter_mut().find(|p| Some(p.number) == number) else {
        return not_found(DOCS);
    };
    for u in users {
        if !p.reviewers.contains(&u) {
            p.reviewers.push(u);
        }
    }
    for t in teams {
        if !p.teams.contains(&t) {
            p.teams.push(t);
        }
    }
    let p = p.clone();
    answer(201, shapes::pull(state, &p))
}

fn create_status(state: &mut State, sha: &str, body: &Value) -> Answer {
    const DOCS: &str = "commits/statuses#create-a-commit-status";
    let Some(s) = body["state"].as_str().filter(|s| ["error", "failure", "pending", "success"].contains(s))
    else {
        return missing_field("state", DOCS);
    };
    if body["description"].as_str().is_some_and(|d| d.chars().count() > 140) {
        return answer(
            422,
            shapes::validation(
                json!([{"resource": "Status", "code": "custom", "field": "description",
                        "message": "description is too long (maximum is 140 characters)"}]),
                DOCS,
            ),
        );
    }
    let status = Status {
        id: state.id(),
        sha: sha.to_string(),
        state: s.to_string(),
        context: body["context"].as_str().unwrap_or("default").to_string(),
        description: body["description"].as_str().unwrap_or("").to_string(),
        target_url: body["target_url"].as_str().map(str::to_string),
    };
    state.statuses.push(status.clone());
    answer(201, shapes::status(state, &status))
}

fn create_review(state: &mut State, number: Option<u64>, body: &Value) -> Answer {
    const DOCS: &str = "pulls/reviews#create-a-review-for-a-pull-request";
    let Some(pull) = find(state, number) else { return not_found(DOCS) };
    let commit_id = body["commit_id"].as_str().unwrap_or(&pull.head_sha).to_string();
    let lines = state.bare.as_deref().map(|bare| diff::lines_in_diff(bare, &pull.base, &commit_id));
    let mut comments = Vec::new();
    for c in body["comments"].as_array().into_iter().flatten() {
        let (Some(path), Some(line), Some(text)) =
            (c["path"].as_str(), c["line"].as_u64(), c["body"].as_str())
        else {
            return answer(422, shapes::error(422, "Unprocessable Entity", DOCS));
        };
        let side = c["side"].as_str().unwrap_or("RIGHT").to_string();
        let resolved = lines.as_ref().is_none_or(|l| {
            l.get(&(path.to_string(), side.clone())).is_some_and(|set| set.contains(&(line as u32)))
        });
        if !resolved {
            let mut body = shapes::error(422, "Unprocessable Entity", DOCS);
            body["errors"] = json!(["Line could not be resolved"]);
            return answer(422, body);
        }
        comments.push((path.to_string(), line as u32, side, text.to_string()));
    }
    let review = Review {
        id: state.id(),
        pull: pull.number,
        body: body["body"].as_str().unwrap_or("").to_string(),
        event: body["event"].as_str().unwrap_or("PENDING").to_string(),
        commit_id: commit_id.clone(),
    };
    for (path, line, side, text) in comments {
        let id = state.id();
        state.comments.push(LineComment {
            id,
            pull: pull.number,
            review: review.id,
            path,
            line,
            side,
            body: text,
            commit_id: commit_id.clone(),
        });
    }
    state.reviews.push(review.clone());
    answer(200, shapes::review(state, &review))
}
