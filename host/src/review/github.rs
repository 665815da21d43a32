//! The GitHub REST v3 client: the few endpoints a pull request with its
//! evidence needs, with the headers GitHub asks for (`Accept:
//! application/vnd.github+json`, `X-GitHub-Api-Version`, a `User-Agent`),
//! the token as `Authorization: Bearer`, lists followed through their
//! `Link` pages (only on the API's own origin: the token goes nowhere
//! else), and rate limits honoured: a `429`, or a `403` with `retry-after`
//! or no requests remaining, is waited out when the wait is short, and is
//! an error that says when to try again when it is not.

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::repo_name::RepoName;
use super::token::Token;

/// The REST API version grove is written against.
pub const API_VERSION: &str = "2022-11-28";
/// Longest rate-limit wait grove sits through; a longer one is an error.
pub const MAX_WAIT: Duration = Duration::from_secs(90);
/// Tries of one request when it is rate limited.
const TRIES: usize = 4;
/// Items per page of a list.
const PER_PAGE: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("there is no GitHub token")]
    NoToken,
    #[error("GitHub refused the token: {message} (401)")]
    BadCredentials { message: String },
    #[error("GitHub answered {status} to {what}: {message}")]
    Api { status: u16, what: String, message: String },
    #[error("GitHub's rate limit stops {what} for {}s more", .wait.as_secs())]
    RateLimited { what: String, wait: Duration },
    #[error("GitHub could not be reached at {api}")]
    Transport {
        api: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("GitHub's answer to {what} is not what its API documents: {detail}")]
    Shape { what: String, detail: String },
}

impl Error {
    /// A 422 whose message says the line is not in the diff.
    pub fn is_unprocessable(&self) -> bool {
        matches!(self, Error::Api { status: 422, .. })
    }
}

/// A client for one repository.
#[derive(Debug, Clone)]
pub struct GitHub {
    http: reqwest::Client,
    api: String,
    token: Token,
    pub repo: RepoName,
}

/// A pull request, as much of it as grove reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    pub number: u64,
    pub url: String,
    pub head_sha: String,
    pub base: String,
    pub author: String,
    pub body: String,
}

/// A commit status's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusState {
    Pending,
    Success,
    Failure,
}

impl StatusState {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusState::Pending => "pending",
            StatusState::Success => "success",
            StatusState::Failure => "failure",
        }
    }
}

/// One line comment of a review (on the new side of the diff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineComment {
    pub path: String,
    pub line: u32,
    pub body: String,
}

impl GitHub {
    /// A client for `repo` at `api` with `token`.
    pub fn new(api: &str, token: Token, repo: RepoName) -> Result<GitHub, Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|source| Error::Transport { api: api.to_string(), source })?;
        Ok(GitHub { http, api: api.trim_end_matches('/').to_string(), token, repo })
    }

    fn repo_path(&self, rest: &str) -> String {
        format!("{}/repos/{}/{}{rest}", self.api, self.repo.owner, self.repo.name)
    }

    /// One request, rate limits waited out: the status, headers and JSON.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<(HeaderMap, Value), Error> {
        let bearer = self
            .token
            .bearer()
            .ok_or(Error::BadCredentials { message: "the token holds characters no header may".into() })?;
        for attempt in 1..=TRIES {
            let mut request = self
                .http
                .request(method.clone(), url)
                .header(ACCEPT, "application/vnd.github+json")
                .header("X-GitHub-Api-Version", API_VERSION)
                .header(USER_AGENT, concat!("grove/", env!("CARGO_PKG_VERSION")))
                .header(AUTHORIZATION, bearer.clone());
            if let Some(body) = body {
                request =
                    request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string());
            }
            let response =
                request.send().await.map_err(|source| Error::Transport { api: self.api.clone(), source })?;
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response
                .bytes()
                .await
                .map_err(|source| Error::Transport { api: self.api.clone(), source })?;
            let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if status.is_success() {
                return Ok((headers, json));
            }
            let message = message_of(&json, status);
            if status == StatusCode::UNAUTHORIZED {
                return Err(Error::BadCredentials { message });
            }
            if let Some(wait) = rate_limit_wait(status, &headers) {
                if wait > MAX_WAIT || attempt == TRIES {
                    return Err(Error::RateLimited { what: what.to_string(), wait });
                }
                tracing::info!("GitHub's rate limit: waiting {}s before {what}", wait.as_secs());
                tokio::time::sleep(wait).await;
                continue;
            }
            return Err(Error::Api { status: status.as_u16(), what: what.to_string(), message });
        }
        unreachable!("the last try returns")
    }

    async fn call(&self, method: Method, url: &str, body: Option<Value>, what: &str) -> Result<Value, Error> {
        Ok(self.send(method, url, body.as_ref(), what).await?.1)
    }

    /// Every item of a list, page after page.
    async fn list(&self, url: &str, what: &str) -> Result<Vec<Value>, Error> {
        let separator = if url.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{url}{separator}per_page={PER_PAGE}"));
        let mut items = Vec::new();
        while let Some(url) = next.take() {
            let (headers, json) = self.send(Method::GET, &url, None, what).await?;
            let Value::Array(page) = json else {
                return Err(Error::Shape { what: what.into(), detail: "a list was expected".into() });
            };
            items.extend(page);
            next = next_link(&headers).filter(|link| same_origin(link, &self.api));
        }
        Ok(items)
    }

    /// The repository's default branch; the first call, which proves the
    /// token before anything is changed.
    pub async fn default_branch(&self) -> Result<String, Error> {
        let what = format!("reading repository {}", self.repo);
        let json = self.call(Method::GET, &self.repo_path(""), None, &what).await?;
        json["default_branch"]
            .as_str()
            .map(str::to_string)
            .ok_or(Error::Shape { what, detail: "no default_branch".into() })
    }

    /// The open pull request whose head is `branch` of this repository.
    pub async fn open_pull(&self, branch: &str) -> Result<Option<Pull>, Error> {
        let url = self.repo_path(&format!(
            "/pulls?state=open&head={}",
            encode(&format!("{}:{branch}", self.repo.owner))
        ));
        let pulls = self.list(&url, "listing pull requests").await?;
        pulls.iter().map(|p| pull_of(p, "listing pull requests")).next().transpose()
    }

    /// Open a pull request of `head` into `base`.
    pub async fn create_pull(
        &self,
        title: &str,
        body: &str,
        head: &str,
        base: &str,
        draft: bool,
    ) -> Result<Pull, Error> {
        let what = "opening the pull request";
        let json = json!({"title": title, "body": body, "head": head, "base": base, "draft": draft});
        pull_of(&self.call(Method::POST, &self.repo_path("/pulls"), Some(json), what).await?, what)
    }

    /// Replace a pull request's title and body.
    pub async fn update_pull(&self, number: u64, title: &str, body: &str) -> Result<Pull, Error> {
        let what = format!("updating pull request #{number}");
        let json = json!({"title": title, "body": body});
        let url = self.repo_path(&format!("/pulls/{number}"));
        pull_of(&self.call(Method::PATCH, &url, Some(json), &what).await?, &what)
    }

    /// Replace a pull request's body, leaving its title.
    pub async fn set_body(&self, number: u64, body: &str) -> Result<Pull, Error> {
        let what = format!("updating pull request #{number}");
        let url = self.repo_path(&format!("/pulls/{number}"));
        pull_of(&self.call(Method::PATCH, &url, Some(json!({"body": body})), &what).await?, &what)
    }

    /// A pull request by number.
    pub async fn pull(&self, number: u64) -> Result<Pull, Error> {
        let what = format!("reading pull request #{number}");
        let url = self.repo_path(&format!("/pulls/{number}"));
        pull_of(&self.call(Method::GET, &url, None, &what).await?, &what)
    }

    /// Ask `users` and `teams` (slugs) to review.
    pub async fn request_reviewers(
        &self,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), Error> {
        if users.is_empty() && teams.is_empty() {
            return Ok(());
        }
        let what = format!("requesting reviewers on #{number}");
        let url = self.repo_path(&format!("/pulls/{number}/requested_reviewers"));
        self.call(Method::POST, &url, Some(json!({"reviewers": users, "team_reviewers": teams})), &what)
            .await?;
        Ok(())
    }

    /// Set commit status `context` on `sha`. GitHub keeps at most 140
    /// characters of a description.
    pub async fn set_status(
        &self,
        sha: &str,
        context: &str,
        state: StatusState,
        description: &str,
        target_url: Option<&str>,
    ) -> Result<(), Error> {
        let description: String = description.chars().take(140).collect();
        let what = format!("setting status {context}");
        let url = self.repo_path(&format!("/statuses/{sha}"));
        let body = json!({"state": state.as_str(), "context": context, "description": description, "target_url": target_url});
        self.call(Method::POST, &url, Some(body), &what).await?;
        Ok(())
    }

    /// Comment on the pull request's conversation; the comment's URL.
    pub async fn comment(&self, number: u64, body: &str) -> Result<String, Error> {
        let what = format!("commenting on #{number}");
        let url = self.repo_path(&format!("/issues/{number}/comments"));
        let json = self.call(Method::POST, &url, Some(json!({"body": body})), &what).await?;
        Ok(json["html_url"].as_str().unwrap_or_default().to_string())
    }

    /// The bodies of every review comment on the pull request.
    pub async fn review_comment_bodies(&self, number: u64) -> Result<Vec<String>, Error> {
        let url = self.repo_path(&format!("/pulls/{number}/comments"));
        let comments = self.list(&url, "listing review comments").await?;
        Ok(comments.iter().filter_map(|c| c["body"].as_str().map(str::to_string)).collect())
    }

    /// One review (`COMMENT`) of `commit` holding `comments`, each on a
    /// line of the new side of the diff.
    pub async fn post_review(
        &self,
        number: u64,
        commit: &str,
        body: &str,
        comments: &[LineComment],
    ) -> Result<(), Error> {
        let what = format!("posting a review on #{number}");
        let url = self.repo_path(&format!("/pulls/{number}/reviews"));
        let comments: Vec<Value> = comments
            .iter()
            .map(|c| json!({"path": c.path, "line": c.line, "side": "RIGHT", "body": c.body}))
            .collect();
        let json = json!({"commit_id": commit, "body": body, "event": "COMMENT", "comments": comments});
        self.call(Method::POST, &url, Some(json), &what).await?;
        Ok(())
    }
}

fn pull_of(json: &Value, what: &str) -> Result<Pull, Error> {
    let shape = |detail: &str| Error::Shape { what: what.to_string(), detail: detail.to_string() };
    Ok(Pull {
        number: json["number"].as_u64().ok_or_else(|| shape("no number"))?,
        url: json["html_url"].as_str().ok_or_else(|| shape("no html_url"))?.to_string(),
        head_sha: json["head"]["sha"].as_str().ok_or_else(|| shape("no head.sha"))?.to_string(),
        base: json["base"]["ref"].as_str().unwrap_or_default().to_string(),
        author: json["user"]["login"].as_str().unwrap_or_default().to_string(),
        body: json["body"].as_str().unwrap_or_default().to_string(),
    })
}

/// GitHub's `message`, with the `errors` it lists.
fn message_of(json: &Value, status: StatusCode) -> String {
    let mut message = json["message"].as_str().unwrap_or(status.canonical_reason().unwrap_or("")).to_string();
    let errors: Vec<String> = json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| match e {
            Value::String(s) => Some(s.clone()),
            e => e["message"].as_str().or(e["code"].as_str()).map(str::to_string),
        })
        .collect();
    if !errors.is_empty() {
        message.push_str(&format!(" ({})", errors.join("; ")));
    }
    message
}

/// How long a rate-limited answer asks to wait: `retry-after` on a 429 or
/// 403, or until `x-ratelimit-reset` on a 403 with none remaining.
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::FORBIDDEN {
        return None;
    }
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    if let Some(secs) = number("retry-after") {
        return Some(Duration::from_secs(secs));
    }
    if number("x-ratelimit-remaining") == Some(0) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        return Some(Duration::from_secs(number("x-ratelimit-reset")?.saturating_sub(now)));
    }
    // A secondary limit without a header: GitHub says to wait a minute.
    (status == StatusCode::TOO_MANY_REQUESTS).then_some(Duration::from_secs(60))
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .contains("rel=\"next\"")
            .then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// Whether `url` is on the API's scheme, host and port.
fn same_origin(url: &str, api: &str) -> bool {
    let origin = |u: &str| -> Option<String> {
        let (scheme, rest) = u.split_once("://")?;
        Some(format!("{scheme}://{}", rest.split('/').next()?))
    };
    origin(url).is_some_and(|o| Some(o) == origin(api))
}

/// Percent-encode a query value.
fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Headers a test can look at.
#[cfg(test)]
fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, reqwest::header::HeaderValue::from_str(value).unwrap());
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_say_how_long_to_wait() {
        let wait = |code: u16, h: &[(&'static str, &str)]| {
            rate_limit_wait(StatusCode::from_u16(code).unwrap(), &headers(h))
        };
        assert_eq!(wait(429, &[("retry-after", "2")]), Some(Duration::from_secs(2)));
        assert_eq!(wait(403, &[("retry-after", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(wait(403, &[("x-ratelimit-remaining", "12")]), None, "a plain refusal");
        assert_eq!(wait(404, &[("retry-after", "2")]), None);
        let soon = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
            + 30)
            .to_string();
        let w = wait(403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &soon)]).unwrap();
        assert!(w <= Duration::from_secs(30) && w >= Duration::from_secs(28), "{w:?}");
    }

    #[test]
    fn pages_are_followed_on_the_api_only() {
        let h = headers(&[(
            "link",
            "<https://api.github.com/repos/a/b/pulls/1/comments?per_page=2&page=2>; rel=\"next\", <https://api.github.com/x?page=3>; rel=\"last\"",
        )]);
        let next = next_link(&h).unwrap();
        assert_eq!(next, "https://api.github.com/repos/a/b/pulls/1/comments?per_page=2&page=2");
        assert!(same_origin(&next, "https://api.github.com"));
        assert!(!same_origin("https://evil.example/repos", "https://api.github.com"));
        assert!(!same_origin("https://api.github.com.evil.example/x", "https://api.github.com"));
        assert!(next_link(&headers(&[("link", "<https://x/y>; rel=\"last\"")])).is_none());
    }

    #[test]
    fn messages_carry_githubs_errors() {
        let json = json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom", "message": "A pull request already exists for a:b."}]});
        assert_eq!(
            message_of(&json, StatusCode::UNPROCESSABLE_ENTITY),
            "Validation Failed (A pull request already exists for a:b.)"
        );
        let json = json!({"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]});
        assert_eq!(
            message_of(&json, StatusCode::UNPROCESSABLE_ENTITY),
            "Unprocessable Entity (Line could not be resolved)"
        );
    }

    /// Against the GitHub REST test server: lists are followed page by
    /// page, a refused token is `BadCredentials`, a 403 with `retry-after`
    /// is waited out.
    #[test]
    fn the_client_speaks_githubs_rest_api() {
        use grove_tests::github_server::GitHubServer;
        let server = GitHubServer::start("acme", "shop", "good-token", None);
        let repo = RepoName { owner: "acme".into(), name: "shop".into() };
        let gh = GitHub::new(&server.url(), Token::new("good-token".into()), repo.clone()).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            assert_eq!(gh.default_branch().await.unwrap(), "main");
            let pull = gh.create_pull("t", "b", "feature", "main", false).await.unwrap();
            assert_eq!(gh.open_pull("feature").await.unwrap().map(|p| p.number), Some(pull.number));
            assert_eq!(gh.open_pull("other").await.unwrap(), None);
            let comments: Vec<LineComment> = (1..=150)
                .map(|n| LineComment { path: "a.rs".into(), line: n, body: format!("c{n}") })
                .collect();
            gh.post_review(pull.number, &pull.head_sha, "r", &comments).await.unwrap();
            let bodies = gh.review_comment_bodies(pull.number).await.unwrap();
            assert_eq!(bodies.len(), 150, "both pages");
            assert_eq!(bodies.last().map(String::as_str), Some("c150"));

            server.rate_limit_next(403, 1);
            let started = std::time::Instant::now();
            gh.comment(pull.number, "after the wait").await.unwrap();
            assert!(started.elapsed() >= Duration::from_secs(1));

            let wrong = GitHub::new(&server.url(), Token::new("wrong".into()), repo).unwrap();
            let e = wrong.default_branch().await.unwrap_err();
            assert!(matches!(&e, Error::BadCredentials { message } if message == "Bad credentials"), "{e}");
        });
        let lists = server.requests().into_iter().filter(|r| r.path.contains("/comments?")).count();
        assert_eq!(lists, 2, "two pages of comments");
    }
}
