//! The Web API methods, each answered the way its page at
//! <https://api.slack.com/methods> describes: HTTP 200 and `"ok"`, or an
//! `"error"` from the method's documented list.

use serde_json::{Value, json};

use super::args::Args;
use super::{Call, Message, Pending, State, Upload};
use crate::model_server::http::Request;

/// What one request is answered with: status, headers, body.
type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// The methods this server knows, and whether each reads JSON bodies (the
/// others are documented as `application/x-www-form-urlencoded` only).
const METHODS: [(&str, bool); 6] = [
    ("chat.postMessage", true),
    ("users.lookupByEmail", false),
    ("conversations.open", true),
    ("conversations.list", false),
    ("files.getUploadURLExternal", false),
    ("files.completeUploadExternal", true),
];

/// Answer `request`: a Web API call under `/api/`, or the bytes of a file
/// POSTed to an upload URL.
pub(super) fn answer(state: &mut State, request: &Request) -> Answer {
    let (path, query) = request.path.split_once('?').unwrap_or((&request.path, ""));
    if let Some(key) = path.strip_prefix("/upload/v1/") {
        return upload(state, key, request);
    }
    let method = path.strip_prefix("/api/").unwrap_or(path).to_string();
    let Some(&(_, json_ok)) = METHODS.iter().find(|(m, _)| *m == method) else {
        return json_answer(404, json!({"ok": false, "error": "unknown_method", "req_method": method}));
    };
    let content_type = request.header("content-type").unwrap_or("").to_string();
    let args = Args::read(query, &content_type, &request.body, json_ok);
    let authorization = request.header("authorization").map(str::to_string);
    let (status, retry_after, mut body) = call(state, &method, &args, authorization.as_deref());
    if args.missing_charset && body["ok"] == true {
        body["warning"] = json!("missing_charset");
        body["response_metadata"]["warnings"] = json!(["missing_charset"]);
    }
    state.calls.push(Call {
        method,
        authorization,
        content_type: request.header("content-type").map(str::to_string),
        args: Value::Object(args.values.clone()),
        status,
        answer: body.clone(),
    });
    let (status, mut headers, bytes) = json_answer(status, body);
    if let Some(seconds) = retry_after {
        headers.push(("retry-after".into(), seconds.to_string()));
    }
    (status, headers, bytes)
}

fn json_answer(status: u16, body: Value) -> Answer {
    let headers = vec![("content-type".into(), "application/json; charset=utf-8".into())];
    (status, headers, body.to_string().into_bytes())
}

fn error(code: &str) -> Value {
    json!({"ok": false, "error": code})
}

/// Check the token, then any rate limit, then do the method.
fn call(
    state: &mut State,
    method: &str,
    args: &Args,
    authorization: Option<&str>,
) -> (u16, Option<u64>, Value) {
    let token =
        authorization.and_then(|a| a.strip_prefix("Bearer ")).map(str::to_string).or(args.token.clone());
    match token {
        None => return (200, None, error("not_authed")),
        Some(t) if t != state.token => return (200, None, error("invalid_auth")),
        Some(_) if state.revoked => return (200, None, error("token_revoked")),
        Some(_) => {}
    }
    if let Some(limit) = state.limits.iter_mut().find(|(m, left, _)| m == method && *left > 0) {
        limit.1 -= 1;
        return (429, Some(limit.2), error("ratelimited"));
    }
    let body = match method {
        "chat.postMessage" => post_message(state, args),
        "users.lookupByEmail" => lookup_by_email(state, args),
        "conversations.open" => open(state, args),
        "conversations.list" => list(state, args),
        "files.getUploadURLExternal" => upload_url(state, args),
        "files.completeUploadExternal" => complete_upload(state, args),
        _ => unreachable!("only known methods are called"),
    };
    (200, None, body)
}

/// `chat.postMessage`: `channel` (an id or a channel's name), `text` and/or
/// `blocks`.
fn post_message(state: &mut State, args: &Args) -> Value {
    let Some(channel) = args.str("channel") else { return error("channel_not_found") };
    let Some(id) = state.conversation(&channel) else { return error("channel_not_found") };
    let text = args.str("text").unwrap_or_default();
    let blocks = args.json("blocks").unwrap_or(Value::Null);
    if !blocks.is_null() && !blocks.is_array() {
        return error("invalid_blocks");
    }
    if text.is_empty() && blocks.as_array().is_none_or(Vec::is_empty) {
        return error("no_text");
    }
    if text.chars().count() > 40_000 {
        return error("msg_too_long");
    }
    let ts = format!("1700000000.{:06}", state.messages.len() + 1);
    state.messages.push(Message {
        channel: id.clone(),
        text: text.clone(),
        blocks: blocks.clone(),
        ts: ts.clone(),
        files: Vec::new(),
        args: Value::Object(args.values.clone()),
    });
    json!({
        "ok": true, "channel": id, "ts": ts,
        "message": {"type": "message", "subtype": "bot_message", "bot_id": "B0GROVE", "text": text, "ts": ts, "blocks": blocks},
    })
}

/// `users.lookupByEmail`: `email`.
fn lookup_by_email(state: &mut State, args: &Args) -> Value {
    let Some(email) = args.str("email") else { return error("invalid_arguments") };
    match state.users.iter().find(|u| u.email.eq_ignore_ascii_case(&email)) {
        Some(u) => json!({
            "ok": true,
            "user": {
                "id": u.id, "team_id": "T0GROVE", "name": u.name, "deleted": false, "is_bot": false,
                "real_name": u.name, "profile": {"email": u.email, "real_name": u.name, "display_name": u.name},
            },
        }),
        None => error("users_not_found"),
    }
}

/// `conversations.open`: `users`, a comma-separated list (one user here),
/// opens (or finds) the direct-message conversation.
fn open(state: &mut State, args: &Args) -> Value {
    let Some(users) = args.str("users").filter(|u| !u.is_empty()) else {
        return error("users_list_not_supplied");
    };
    let ids: Vec<&str> = users.split(',').map(str::trim).collect();
    if ids.len() != 1 {
        // Group conversations are beyond what grove asks for.
        return error("not_enough_users");
    }
    if !state.users.iter().any(|u| u.id == ids[0]) {
        return error("user_not_found");
    }
    if let Some((_, dm)) = state.dms.iter().find(|(u, _)| u == ids[0]) {
        return json!({"ok": true, "no_op": true, "already_open": true, "channel": {"id": dm}});
    }
    let dm = state.id("D");
    state.dms.push((ids[0].to_string(), dm.clone()));
    json!({"ok": true, "channel": {"id": dm}})
}

/// `conversations.list`: the channels, `limit` at a time (at most the
/// server's page size), from `cursor`.
fn list(state: &mut State, args: &Args) -> Value {
    let limit = args.str("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(100).clamp(1, 1000);
    let start = match args.str("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => match cursor.strip_prefix("dGVhbTpD").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n <= state.channels.len() => n,
            _ => return error("invalid_cursor"),
        },
    };
    let end = (start + limit.min(state.page_size)).min(state.channels.len());
    let channels: Vec<Value> = state.channels[start..end]
        .iter()
        .map(|c| json!({"id": c.id, "name": c.name, "is_channel": true, "is_private": false, "is_archived": false, "is_member": true}))
        .collect();
    let next = if end < state.channels.len() { format!("dGVhbTpD{end}") } else { String::new() };
    json!({"ok": true, "channels": channels, "response_metadata": {"next_cursor": next}})
}

/// `files.getUploadURLExternal`: `filename`, `length`.
fn upload_url(state: &mut State, args: &Args) -> Value {
    let (Some(filename), Some(length)) = (args.str("filename"), args.str("length")) else {
        return error("invalid_arguments");
    };
    let Ok(length) = length.parse::<u64>() else { return error("invalid_arguments") };
    if length == 0 {
        return error("missing_argument");
    }
    let file_id = state.id("F");
    let key = format!("{file_id}-{}", state.next * 7919);
    let upload_url = format!("{}/upload/v1/{key}", state.base);
    state.pending.push(Pending {
        key,
        upload: Upload {
            file_id: file_id.clone(),
            filename,
            length,
            bytes: Vec::new(),
            title: None,
            channel: None,
            initial_comment: None,
            upload_authorization: None,
        },
        uploaded: false,
    });
    json!({"ok": true, "upload_url": upload_url, "file_id": file_id})
}

/// The POST of a file's bytes to its upload URL: `200 OK - <length>`.
fn upload(state: &mut State, key: &str, request: &Request) -> Answer {
    let text = |status: u16, body: String| {
        (status, vec![("content-type".into(), "text/plain".into())], body.into_bytes())
    };
    if request.method != "POST" {
        return text(405, "method not allowed".into());
    }
    let Some(pending) = state.pending.iter_mut().find(|p| p.key == key) else {
        return text(404, "not found".into());
    };
    pending.upload.bytes = request.body.clone();
    pending.upload.upload_authorization = request.header("authorization").map(str::to_string);
    pending.uploaded = true;
    text(200, format!("OK - {}", request.body.len()))
}

/// `files.completeUploadExternal`: `files` (`[{id, title}]`), `channel_id`,
/// `initial_comment`, `thread_ts`.
fn complete_upload(state: &mut State, args: &Args) -> Value {
    let Some(Value::Array(files)) = args.json("files") else { return error("invalid_arguments") };
    let channel = match args.str("channel_id") {
        Some(id) => match state.conversation(&id).filter(|found| *found == id) {
            Some(id) => Some(id),
            None => return error("channel_not_found"),
        },
        None => None,
    };
    let comment = args.str("initial_comment");
    let mut done = Vec::new();
    for file in &files {
        let id = file["id"].as_str().unwrap_or_default();
        let Some(at) = state.pending.iter().position(|p| p.upload.file_id == id && p.uploaded) else {
            return error("file_not_found");
        };
        let mut upload = state.pending.remove(at).upload;
        upload.title = file["title"].as_str().map(str::to_string);
        upload.channel = channel.clone();
        upload.initial_comment = comment.clone();
        done.push(upload);
    }
    if let Some(channel) = &channel {
        let ts = format!("1700000000.{:06}", state.messages.len() + 1);
        state.messages.push(Message {
            channel: channel.clone(),
            text: comment.clone().unwrap_or_default(),
            blocks: Value::Null,
            ts,
            files: done.iter().map(|u| u.file_id.clone()).collect(),
            args: Value::Object(args.values.clone()),
        });
    }
    let listed: Vec<Value> = done
        .iter()
        .map(|u| json!({"id": u.file_id, "title": u.title.clone().unwrap_or_else(|| u.filename.clone()), "name": u.filename, "size": u.bytes.len()}))
        .collect();
    state.uploads.extend(done);
    json!({"ok": true, "files": listed})
}
