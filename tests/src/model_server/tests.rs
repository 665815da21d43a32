//! The server checked with a raw HTTP/1.1 client over `TcpStream`, so the
//! bytes on the wire are what is tested, independent of any HTTP library.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{ModelServer, Reply, json_pieces, word_pieces};

/// A response as read off the wire.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    /// Chunked: the terminating chunk arrived. Plain: the whole body did.
    complete: bool,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }

    /// Anthropic SSE: (event name, data JSON) per event.
    fn events(&self) -> Vec<(String, Value)> {
        self.sse_blocks()
            .map(|block| {
                let (event, data) = block.split_once('\n').expect("event and data lines");
                let event = event.strip_prefix("event: ").expect("event line").to_owned();
                (event, serde_json::from_str(data.strip_prefix("data: ").expect("data line")).unwrap())
            })
            .collect()
    }

    /// OpenAI SSE: the text after `data: ` per event.
    fn data_lines(&self) -> Vec<String> {
        self.sse_blocks().map(|block| block.strip_prefix("data: ").expect("data line").to_owned()).collect()
    }

    fn sse_blocks(&self) -> impl Iterator<Item = &str> {
        assert!(self.body.is_empty() || self.body.ends_with("\n\n"), "SSE ends with a blank line");
        self.body.split("\n\n").filter(|block| !block.is_empty())
    }
}

/// One keep-alive connection.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(server: &ModelServer) -> Client {
        let writer = TcpStream::connect(server.addr()).unwrap();
        writer.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client { reader: BufReader::new(writer.try_clone().unwrap()), writer }
    }

    fn post(&mut self, path: &str, body: &Value) -> Response {
        self.send(&format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.to_string().len()
        ))
    }

    fn send(&mut self, request: &str) -> Response {
        self.writer.write_all(request.as_bytes()).unwrap();
        self.read_response()
    }

    fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line).unwrap() {
            0 => None,
            _ => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
        }
    }

    fn read_response(&mut self) -> Response {
        let status_line = self.line().expect("status line");
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        while let Some(line) = self.line().filter(|line| !line.is_empty()) {
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        let mut response = Response { status, headers, body: String::new(), complete: false };
        if response.header("transfer-encoding") == Some("chunked") {
            let mut body = Vec::new();
            while let Some(size) = self.line() {
                let size = usize::from_str_radix(&size, 16).unwrap();
                if size == 0 {
                    assert_eq!(self.line().as_deref(), Some(""), "blank line after the last chunk");
                    response.complete = true;
                    break;
                }
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).unwrap();
                assert!(chunk.ends_with(b"\r\n"));
                body.extend_from_slice(&chunk[..size]);
            }
            response.body = String::from_utf8(body).unwrap();
        } else {
            let length: usize = response.header("content-length").unwrap().parse().unwrap();
            let mut body = Vec::new();
            self.reader.by_ref().take(length as u64).read_to_end(&mut body).unwrap();
            response.complete = body.len() == length;
            response.body = String::from_utf8_lossy(&body).into_owned();
        }
        response
    }

    /// The server closed the connection: a read gets end of stream (or a reset).
    fn is_closed(&mut self) -> bool {
        let mut byte = [0];
        matches!(self.reader.read(&mut byte), Ok(0) | Err(_))
    }
}

fn anthropic_request(stream: bool) -> Value {
    json!({"model": "claude-sonnet-4-5", "max_tokens": 1024, "stream": stream,
           "messages": [{"role": "user", "content": "hi"}]})
}

#[test]
fn anthropic_message_body() {
    let server = ModelServer::start(vec![
        Reply::anthropic()
            .text("Reading it.")
            .tool_use("toolu_01A", "read_file", json!({"path": "src/main.rs"}))
            .usage(120, 40)
            .cache(100, 7)
            .into(),
    ]);
    let response = Client::connect(&server).post("/v1/messages", &anthropic_request(false));
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("request-id"), Some("req_1"));
    let body = response.json();
    assert!(body["id"].as_str().unwrap().starts_with("msg_01"));
    let expected = json!({
        "id": body["id"], "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [
            {"type": "text", "text": "Reading it."},
            {"type": "tool_use", "id": "toolu_01A", "name": "read_file", "input": {"path": "src/main.rs"}},
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 120, "output_tokens": 40,
                  "cache_creation_input_tokens": 7, "cache_read_input_tokens": 100},
    });
    assert_eq!(body, expected);
    assert_eq!(server.remaining(), 0);
}

#[test]
fn anthropic_stream_events_in_order() {
    let input = json!({"path": "src/lib.rs", "lines": [1, 20], "note": "héllo \"quoted\""});
    let text = "Let me read the file and then decide what to change.";
    let server = ModelServer::start(vec![
        Reply::anthropic()
            .text(text)
            .tool_use("toolu_01B", "read_file", input.clone())
            .tool_use("toolu_01C", "list", json!({}))
            .usage(50, 30)
            .cache(4, 2)
            .model("claude-x")
            .into(),
    ]);
    let response = Client::connect(&server).post("/v1/messages", &anthropic_request(true));
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    assert!(response.complete);
    let events = response.events();
    for (name, data) in &events {
        assert_eq!(data["type"], json!(name), "event name matches data type");
    }

    let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
    let mut expected = vec!["message_start", "ping"];
    let text_deltas = word_pieces(text, 3).len();
    assert!(text_deltas > 1, "text arrives in several pieces");
    let input_deltas = json_pieces(&input.to_string()).len();
    for deltas in [text_deltas, input_deltas, 1] {
        expected.push("content_block_start");
        expected.extend(std::iter::repeat_n("content_block_delta", deltas));
        expected.push("content_block_stop");
    }
    expected.extend(["message_delta", "message_stop"]);
    assert_eq!(names, expected);

    let start = &events[0].1["message"];
    assert_eq!(start["model"], "claude-x");
    assert_eq!(start["content"], json!([]));
    assert_eq!(
        start["usage"],
        json!({"input_tokens": 50, "output_tokens": 1,
               "cache_creation_input_tokens": 2, "cache_read_input_tokens": 4})
    );

    let block = |index: u64| events.iter().filter(move |(_, data)| data["index"] == json!(index));
    let text_out: String = block(0).filter_map(|(_, d)| d["delta"]["text"].as_str()).collect();
    assert_eq!(text_out, text);
    let (_, tool_start) = block(1).next().unwrap();
    assert_eq!(
        tool_start["content_block"],
        json!({"type": "tool_use", "id": "toolu_01B", "name": "read_file", "input": {}})
    );
    let json_out: String = block(1).filter_map(|(_, d)| d["delta"]["partial_json"].as_str()).collect();
    assert!(input_deltas >= 2);
    assert_eq!(serde_json::from_str::<Value>(&json_out).unwrap(), input);
    let empty: Vec<&Value> =
        block(2).filter(|(name, _)| name == "content_block_delta").map(|(_, d)| d).collect();
    assert_eq!(
        empty,
        [&json!({"type": "content_block_delta", "index": 2,
                               "delta": {"type": "input_json_delta", "partial_json": ""}})]
    );

    let (_, delta) = &events[events.len() - 2];
    assert_eq!(
        delta,
        &json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null},
                "usage": {"output_tokens": 30}})
    );
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = ModelServer::start(vec![
        Reply::anthropic().text("one").into(),
        Reply::anthropic().text("two").into(),
        Reply::anthropic().text("three").into(),
    ]);
    let mut client = Client::connect(&server);
    let first = client.post("/v1/messages", &anthropic_request(false));
    assert_eq!(first.json()["content"][0]["text"], "one");
    let second = client.post("/v1/messages", &anthropic_request(true));
    assert!(second.complete);
    let third = client.post("/v1/messages", &anthropic_request(false));
    assert_eq!(third.json()["content"][0]["text"], "three");
    assert_eq!(third.header("request-id"), Some("req_3"));
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn rate_limited_then_success() {
    let server = ModelServer::start(vec![Reply::rate_limited(7), Reply::overloaded()]);
    server.push(Reply::anthropic().text("ok").into());
    let mut client = Client::connect(&server);
    let limited = client.post("/v1/messages", &anthropic_request(false));
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert_eq!(limited.header("content-type"), Some("application/json"));
    assert_eq!(limited.json()["error"]["type"], "rate_limit_error");
    assert_eq!(limited.json()["type"], "error");
    let overloaded = client.post("/v1/messages", &anthropic_request(false));
    assert_eq!(overloaded.status, 529);
    assert_eq!(
        overloaded.json(),
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
    assert_eq!(client.post("/v1/messages", &anthropic_request(false)).status, 200);
}

#[test]
fn cut_after_closes_without_the_last_chunk() {
    let server = ModelServer::start(vec![
        Reply::anthropic().text("a b c d e f g h").cut_after(3).into(),
        Reply::anthropic().text("never sent").into(),
    ]);
    let mut client = Client::connect(&server);
    let response = client.post("/v1/messages", &anthropic_request(true));
    assert!(!response.complete, "no terminating chunk");
    let names: Vec<String> = response.events().into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["message_start", "ping", "content_block_start"]);
    assert!(client.is_closed());
    assert_eq!(server.remaining(), 1);
}

#[test]
fn cut_after_on_a_plain_body_sends_half_of_it() {
    let server = ModelServer::start(vec![Reply::anthropic().text("cut short").cut_after(0).into()]);
    let mut client = Client::connect(&server);
    let response = client.post("/v1/messages", &anthropic_request(false));
    assert_eq!(response.status, 200);
    assert!(!response.complete);
}

#[test]
fn error_event_replaces_the_end_of_the_stream() {
    let server = ModelServer::start(vec![
        Reply::anthropic().text("partial").error_event("overloaded_error", "Overloaded").into(),
    ]);
    let response = Client::connect(&server).post("/v1/messages", &anthropic_request(true));
    assert!(response.complete);
    let events = response.events();
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "error");
    assert_eq!(
        data,
        &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
    assert!(!events.iter().any(|(name, _)| name == "message_stop" || name == "message_delta"));
}

fn openai_request(include_usage: bool) -> Value {
    let mut request =
        json!({"model": "gpt-4o", "stream": true, "messages": [{"role": "user", "content": "hi"}]});
    if include_usage {
        request["stream_options"] = json!({"include_usage": true});
    }
    request
}

#[test]
fn openai_stream_ends_with_done_and_usage_only_when_asked() {
    let args = json!({"path": "README.md", "limit": 40});
    let reply = || {
        Reply::openai()
            .text("Looking at the readme now.")
            .tool_call("call_1", "read", args.clone())
            .usage(30, 12)
    };
    let server = ModelServer::start(vec![reply().into(), reply().into()]);
    let mut client = Client::connect(&server);

    let plain = client.post("/v1/chat/completions", &openai_request(false));
    assert!(plain.complete);
    assert_eq!(plain.header("content-type"), Some("text/event-stream"));
    let lines = plain.data_lines();
    assert_eq!(lines.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> =
        lines[..lines.len() - 1].iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk" && c["model"] == "gpt-4o"));
    assert!(chunks.iter().all(|c| c.get("usage").is_none()));
    assert_eq!(chunks[0]["choices"][0]["delta"], json!({"role": "assistant", "content": ""}));
    let delta = |c: &Value| c["choices"][0]["delta"].clone();
    let text: String =
        chunks.iter().filter_map(|c| delta(c)["content"].as_str().map(str::to_owned)).collect();
    assert_eq!(text, "Looking at the readme now.");
    let calls: Vec<Value> = chunks.iter().filter_map(|c| delta(c).get("tool_calls").cloned()).collect();
    assert_eq!(
        calls[0],
        json!([{"index": 0, "id": "call_1", "type": "function", "function": {"name": "read", "arguments": ""}}])
    );
    let arguments: String =
        calls[1..].iter().map(|c| c[0]["function"]["arguments"].as_str().unwrap()).collect();
    assert_eq!(serde_json::from_str::<Value>(&arguments).unwrap(), args);
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"][0], json!({"index": 0, "delta": {}, "finish_reason": "tool_calls"}));

    let with_usage = client.post("/v1/chat/completions", &openai_request(true));
    let lines = with_usage.data_lines();
    assert_eq!(lines.last().unwrap(), "[DONE]");
    let usage: Value = serde_json::from_str(&lines[lines.len() - 2]).unwrap();
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"], json!({"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}));
}

#[test]
fn openai_completion_body() {
    let server = ModelServer::start(vec![
        Reply::openai().text("Hi.").into(),
        Reply::openai().tool_call("call_9", "list", json!({})).finish("length").model("gpt-x").into(),
        Reply::openai_error(401, "invalid_request_error", "Incorrect API key provided"),
    ]);
    let mut client = Client::connect(&server);
    let mut request = openai_request(false);
    request["stream"] = json!(false);

    let body = client.post("/v1/chat/completions", &request).json();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["created"], 1_700_000_000);
    assert_eq!(
        body["choices"][0],
        json!({"index": 0, "message": {"role": "assistant", "content": "Hi."},
                                          "finish_reason": "stop"})
    );
    assert_eq!(body["usage"], json!({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}));

    let body = client.post("/v1/chat/completions", &request).json();
    assert_eq!(body["model"], "gpt-x");
    assert_eq!(
        body["choices"][0],
        json!({"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_9", "type": "function", "function": {"name": "list", "arguments": "{}"}}]},
            "finish_reason": "length"})
    );

    let error = client.post("/v1/chat/completions", &request);
    assert_eq!(error.status, 401);
    assert_eq!(
        error.json(),
        json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                         "param": null, "code": null}})
    );
}

#[test]
fn requests_are_recorded() {
    let server =
        ModelServer::start(vec![Reply::anthropic().text("ok").into(), Reply::status(400, json!({}))]);
    let mut client = Client::connect(&server);
    let body = anthropic_request(false).to_string();
    client.send(&format!(
        "POST /v1/messages?beta=true HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: secret\r\n\
         Anthropic-Version: 2023-06-01\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    client.send("GET /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!((first.method.as_str(), first.path.as_str()), ("POST", "/v1/messages?beta=true"));
    assert!(first.headers.contains(&("x-api-key".to_owned(), "secret".to_owned())));
    assert_eq!(first.header("Anthropic-Version"), Some("2023-06-01"));
    assert_eq!(first.body, anthropic_request(false));
    assert_eq!(first.raw_body, body);
    assert_eq!((requests[1].method.as_str(), &requests[1].body), ("GET", &Value::Null));
}

#[test]
fn streamed_events_are_recorded_with_when_they_went_out() {
    let server = ModelServer::start(vec![Reply::anthropic().text("one two three four").delay_ms(30).into()]);
    let started = Instant::now();
    let response = Client::connect(&server).post("/v1/messages", &anthropic_request(true));
    let sent = server.sent();
    let names: Vec<String> = response.events().into_iter().map(|(name, _)| name).collect();
    let sent_names: Vec<String> =
        sent.iter().map(|s| s.data()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(sent_names, names, "every event, in the order written");
    assert!(sent.iter().all(|s| s.request == 1));
    let texts: Vec<String> =
        sent.iter().filter_map(|s| s.data()["delta"]["text"].as_str().map(str::to_owned)).collect();
    assert_eq!(texts, ["one two three ", "four"]);
    // Each event waits its delay first, and is stamped after its write.
    assert!(sent[0].at >= started + Duration::from_millis(30));
    for pair in sent.windows(2) {
        assert!(pair[1].at >= pair[0].at + Duration::from_millis(30), "{pair:?}");
    }
    // Plain bodies are not events.
    let server = ModelServer::start(vec![Reply::anthropic().text("ok").into()]);
    Client::connect(&server).post("/v1/messages", &anthropic_request(false));
    assert!(server.sent().is_empty());
}

#[test]
fn chunked_request_bodies_are_read() {
    let server = ModelServer::start(vec![Reply::anthropic().text("ok").into()]);
    let mut client = Client::connect(&server);
    let response = client.send(
        "POST /v1/messages HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n\
         7\r\n{\"a\": 1\r\n1;ext=1\r\n}\r\n0\r\n\r\n",
    );
    assert_eq!(response.status, 200);
    assert_eq!(server.requests()[0].body, json!({"a": 1}));
}

#[test]
fn empty_queue_answers_500() {
    let server = ModelServer::start(Vec::new());
    let response = Client::connect(&server).post("/v1/messages", &anthropic_request(true));
    assert_eq!(response.status, 500);
    assert_eq!(
        response.json(),
        json!({"type": "error", "error": {"type": "api_error",
               "message": "model server: no reply scripted for this request"}})
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn drop_closes_idle_connections() {
    let server = ModelServer::start(vec![Reply::anthropic().text("ok").into()]);
    let url = server.url();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with('/'));
    let mut client = Client::connect(&server);
    client.post("/v1/messages", &anthropic_request(false));
    drop(server);
    assert!(client.is_closed());
}

#[test]
fn pieces_concatenate_back() {
    for text in ["", "one", "  lead and trail  ", "a b c d e f g", "ünï cödé wörds hère"] {
        assert_eq!(word_pieces(text, 3).concat(), text);
    }
    for json in ["{}", "{\"k\":\"ü\"}", "[1,2,3,4,5,6,7,8,9]"] {
        let pieces = json_pieces(json);
        assert!(pieces.iter().all(|p| !p.is_empty()));
        assert_eq!(pieces.concat(), json);
    }
}

#[test]
fn routed_replies_go_to_the_requests_that_name_their_key() {
    let server = ModelServer::start(vec![Reply::anthropic().text("common").into()]);
    server.route("alpha", vec![Reply::anthropic().text("for alpha").into()]);
    server.route("beta", vec![Reply::anthropic().text("for beta").into()]);
    assert_eq!(server.remaining(), 3);
    let ask = |word: &str| {
        let body = json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": word}]});
        Client::connect(&server).post("/v1/messages", &body).json()["content"][0]["text"].clone()
    };
    assert_eq!(ask("beta please"), "for beta");
    assert_eq!(ask("alpha please"), "for alpha");
    // An emptied route falls back to the common queue.
    assert_eq!(ask("alpha again"), "common");
    assert_eq!(server.remaining(), 0);
}
