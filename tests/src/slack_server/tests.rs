//! The server checked with raw HTTP/1.1 over a `TcpStream`, so what is
//! tested is the bytes on the wire, not what any client makes of them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use serde_json::{Value, json};

use super::SlackServer;

/// One request on a fresh connection: status, headers (lowercased), body.
fn send(
    server: &SlackServer,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let addr = server.url().trim_start_matches("http://").trim_end_matches("/api").to_string();
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: slack.test\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut body = Vec::new();
    reader.read_to_end(&mut body).unwrap();
    (status, headers, body)
}

fn call(
    server: &SlackServer,
    method: &str,
    token: Option<&str>,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("content-type", content_type)];
    if let Some(bearer) = &bearer {
        headers.push(("authorization", bearer));
    }
    let (status, _, body) = send(server, &format!("/api/{method}"), &headers, body.as_bytes());
    (status, serde_json::from_slice(&body).unwrap())
}

const JSON: &str = "application/json; charset=utf-8";
const FORM: &str = "application/x-www-form-urlencoded";

#[test]
fn every_method_answers_200_with_ok_or_a_documented_error() {
    let slack = SlackServer::start("xoxb-t");
    let post = r##"{"channel":"#general","text":"hi"}"##;
    assert_eq!(
        call(&slack, "chat.postMessage", None, JSON, post),
        (200, json!({"ok": false, "error": "not_authed"}))
    );
    assert_eq!(call(&slack, "chat.postMessage", Some("xoxb-x"), JSON, post).1["error"], "invalid_auth");
    // A form may carry the token as an argument; a JSON body may not.
    assert_eq!(
        call(&slack, "users.lookupByEmail", None, FORM, "token=xoxb-t&email=a%40b.io").1["error"],
        "users_not_found"
    );
    assert_eq!(
        call(&slack, "chat.postMessage", None, JSON, r#"{"token":"xoxb-t"}"#).1["error"],
        "not_authed"
    );
    assert_eq!(call(&slack, "chat.postMessage", Some("xoxb-t"), JSON, post).1["error"], "channel_not_found");
    let general = slack.add_channel("general");
    let (status, answer) = call(&slack, "chat.postMessage", Some("xoxb-t"), JSON, post);
    assert_eq!((status, &answer["ok"], &answer["channel"]), (200, &json!(true), &json!(general)));
    assert!(answer["ts"].as_str().unwrap().contains('.'));
    // Without `charset=utf-8` Slack warns.
    let answer = call(&slack, "chat.postMessage", Some("xoxb-t"), "application/json", post).1;
    assert_eq!(answer["warning"], "missing_charset");
    assert_eq!(
        call(&slack, "chat.postMessage", Some("xoxb-t"), JSON, r##"{"channel":"#general"}"##).1["error"],
        "no_text"
    );
    assert_eq!(call(&slack, "nope.nothing", Some("xoxb-t"), JSON, "{}").0, 404);
    slack.revoke();
    assert_eq!(call(&slack, "chat.postMessage", Some("xoxb-t"), JSON, post).1["error"], "token_revoked");
    assert_eq!(slack.messages_in("general").len(), 2);
}

#[test]
fn rate_limits_pages_and_the_three_step_upload() {
    let slack = SlackServer::start("xoxb-t");
    let token = Some("xoxb-t");
    slack.rate_limit("conversations.list", 1, 7);
    let (status, headers, body) =
        send(&slack, "/api/conversations.list", &[("authorization", "Bearer xoxb-t")], b"");
    assert_eq!(status, 429);
    assert!(headers.contains(&("retry-after".into(), "7".into())));
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["error"], "ratelimited");
    for name in ["a", "b", "c"] {
        slack.add_channel(name);
    }
    let first = call(&slack, "conversations.list", token, FORM, "limit=2").1;
    assert_eq!(first["channels"].as_array().unwrap().len(), 2);
    let cursor = first["response_metadata"]["next_cursor"].as_str().unwrap().to_string();
    let second = call(&slack, "conversations.list", token, FORM, &format!("limit=2&cursor={cursor}")).1;
    assert_eq!(second["channels"][0]["name"], "c");
    assert_eq!(second["response_metadata"]["next_cursor"], "");
    assert_eq!(call(&slack, "conversations.list", token, FORM, "cursor=bogus").1["error"], "invalid_cursor");

    let user = slack.add_user("a@b.io", "a");
    let dm = call(&slack, "conversations.open", token, JSON, &format!(r#"{{"users":"{user}"}}"#)).1;
    let dm = dm["channel"]["id"].as_str().unwrap().to_string();
    assert!(dm.starts_with('D'));
    let got = call(&slack, "files.getUploadURLExternal", token, FORM, "filename=x.gif&length=3").1;
    let url = got["upload_url"].as_str().unwrap();
    let path = &url[url.find("/upload/").unwrap()..];
    let file = got["file_id"].as_str().unwrap();
    let complete = format!(r#"{{"files":[{{"id":"{file}","title":"X"}}],"channel_id":"{dm}"}}"#);
    assert_eq!(
        call(&slack, "files.completeUploadExternal", token, JSON, &complete).1["error"],
        "file_not_found"
    );
    let (status, _, body) = send(&slack, path, &[("content-type", "application/octet-stream")], b"GIF");
    assert_eq!((status, body.as_slice()), (200, &b"OK - 3"[..]));
    assert_eq!(
        call(&slack, "files.completeUploadExternal", token, JSON, &complete).1["files"][0]["id"],
        file
    );
    let upload = &slack.uploads()[0];
    assert_eq!((upload.bytes.as_slice(), upload.channel.as_deref()), (&b"GIF"[..], Some(dm.as_str())));
    assert_eq!(slack.messages_in(&dm)[0].files, [file.to_string()]);
}
