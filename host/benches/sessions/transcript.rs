//! The transcript's costs: appending an event, `grove logs` of a long
//! transcript, and how soon a streamed piece of model text shows in
//! `grove logs -f`.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use grove::session::store::now_ms;
use grove::session::{NewSession, Store};
use grove::transcript::{Transcript, kind};
use grove_tests::bench::{Table, fmt, fmt_count, median, quantile, timed};
use grove_tests::model_server::{ModelServer, PROVIDER_VARS, Reply};
use rusqlite::{Connection, params};
use serde_json::json;

/// Events appended per measurement, and measurements (interleaved across
/// the ways of writing, so they share the machine's noise).
const APPEND_EVENTS: usize = 1_000;
const APPEND_ROUNDS: usize = 9;
/// Events in the transcript `grove logs` renders.
pub const LONG_TRANSCRIPT: usize = 10_000;
const LOGS_RUNS: usize = 11;
/// The streamed answer `grove logs -f` is timed on: words (three to a
/// delta) and the wait before each event the server sends.
const STREAMED_WORDS: usize = 180;
const STREAM_DELAY_MS: u64 = 37;

/// The `i`-th event of a realistic transcript, as `(kind, data)`: turns of
/// a dozen streamed pieces of text of about 20 bytes, the answer, a tool
/// call, its gate decision and its result (about 2 KB of a file or a
/// program's output), a few more pieces of text; now and then a program
/// run, a commit or a denial.
pub fn event(i: usize) -> (&'static str, String) {
    let turn = i / 20;
    let file = format!("src/m{}/f{}.rs", turn % 17, turn % 300);
    match (i % 20, turn % 10) {
        (12, _) => (
            kind::ANSWER,
            json!({"model": "claude-sonnet-4-5", "stop": "tool_use", "input_tokens": 12_000 + turn,
                   "output_tokens": 180, "cache_read_tokens": 11_000, "cache_write_tokens": 0,
                   "cost_usd": 0.004 * turn as f64, "calls": turn + 1})
            .to_string(),
        ),
        (13, _) => {
            let (name, input) = match turn % 4 {
                0 => ("read_file", json!({"path": file})),
                1 => ("run", json!({"command": "cargo test -p parser"})),
                2 => ("search", json!({"pattern": "fn parse", "glob": "src/**/*.rs"})),
                _ => ("edit_file", json!({"path": file, "old": "a - b", "new": "a + b"})),
            };
            (
                kind::TOOL,
                json!({"id": format!("toolu_{turn:06}"), "name": name, "input": input.to_string()})
                    .to_string(),
            )
        }
        (14, _) => (
            kind::GATE,
            json!({"capability": "fs", "verb": "read", "target": file, "decision": "allow", "level": "low",
                   "reasons": [], "decided_by": "mode"})
            .to_string(),
        ),
        (15, _) => {
            let line =
                format!("{file}:{turn}: pub fn f{turn}() -> usize {{ {turn} }} // the parser's entry\n");
            let content: String = line.repeat(2_000 / line.len());
            (
                kind::RESULT,
                json!({"id": format!("toolu_{turn:06}"), "name": "read_file", "is_error": false,
                       "bytes": content.len(), "content": content})
                .to_string(),
            )
        }
        (19, 3) => (
            kind::COMMIT,
            json!({"id": format!("{:040x}", turn * 7919), "message": "Fix the parser's off-by-one"})
                .to_string(),
        ),
        (19, 5) => (
            kind::PROCESS,
            json!({"command": "cargo test -p parser", "code": 0, "duration_ms": 1_240, "timed_out": false})
                .to_string(),
        ),
        (19, 7) => (
            kind::GATE,
            json!({"capability": "process", "verb": "run", "target": "git push --force", "decision": "deny",
                   "level": "high", "reasons": ["git.push.force: rewrites history"], "decided_by": "policy"})
            .to_string(),
        ),
        _ => (kind::TEXT, text_delta(i)),
    }
}

/// A streamed piece of model text of about 20 bytes, as its event's data.
fn text_delta(i: usize) -> String {
    const PIECES: [&str; 6] = [
        "Let me look at the ",
        "parser first; the ",
        "test expects five ",
        "but gets minus one, ",
        "so `add` must be ",
        "fixed. Running it. ",
    ];
    json!({ "text": PIECES[i % PIECES.len()] }).to_string()
}

/// A tool result of about 2 KB, as its event's data.
fn result(i: usize) -> String {
    event(i / 20 * 20 + 15).1
}

fn session(name: &str, path: &Path) -> NewSession {
    NewSession {
        name: name.into(),
        branch: format!("grove/{name}"),
        base_ref: None,
        base_commit: "0".repeat(40),
        path: path.into(),
        task: Some("make the failing test pass".into()),
        skill: "agent".into(),
        args: vec![],
        allow: vec![],
        timeout_ms: None,
        mode: None,
        model: None,
        parent: None,
        then: vec![],
    }
}

/// A fresh store under `dir` with one session; returns the store and the
/// session's id.
fn store_with_session(dir: &Path) -> (Store, i64) {
    let store = Store::open(dir).unwrap();
    store.insert(&session("s", dir)).unwrap();
    let id = store.session_id("s").unwrap();
    (store, id)
}

/// The per-event cost of `Store::append` on disk, against a bare rusqlite
/// connection with one prepared statement on the same schema (the floor
/// SQLite sets) and against one `write` of a JSON line to a file.
pub fn append_cost(table: &mut Table) {
    let scratch = tempfile::tempdir().unwrap();
    let dir = |name: &str| {
        let dir = scratch.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    };
    let (store, id) = store_with_session(&dir("store"));
    // As the transcript's writer does: the WAL is folded back at the end
    // of each model answer, not inside whichever append crosses 1,000 pages.
    store.defer_checkpoints().unwrap();
    // The bare connection writes into a store file made the same way, with
    // the same pragmas as the store's own connection.
    let bare_dir = dir("bare");
    let (made, bare_id) = store_with_session(&bare_dir);
    drop(made);
    let bare = Connection::open(bare_dir.join("grove").join("sessions.db")).unwrap();
    bare.busy_timeout(Duration::from_secs(10)).unwrap();
    bare.pragma_update(None, "journal_mode", "WAL").unwrap();
    bare.pragma_update(None, "synchronous", "NORMAL").unwrap();
    bare.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    let mut insert =
        bare.prepare("INSERT INTO events (session_id, at, kind, data) VALUES (?1, ?2, ?3, ?4)").unwrap();
    let mut lines =
        OpenOptions::new().create(true).append(true).open(scratch.path().join("events.jsonl")).unwrap();
    // What the host does per streamed piece: build the event, then append.
    let writer_dir = dir("writer");
    drop(store_with_session(&writer_dir));
    let transcript = Transcript::for_session(&writer_dir, "s").unwrap();

    let texts: Vec<String> = (0..APPEND_EVENTS).map(text_delta).collect();
    let results: Vec<String> = (0..APPEND_EVENTS).map(|i| result(i * 20)).collect();
    let per_event = |took: Duration| took / APPEND_EVENTS as u32;
    // Per kind of event and way of writing: the mean per event of each
    // round, and every single write's time.
    let mut means: [[Vec<Duration>; 3]; 2] = Default::default();
    let mut singles: [[Vec<Duration>; 2]; 2] = Default::default();
    let mut written = Vec::new();
    let mut checkpoints = Vec::new();
    for _ in 0..APPEND_ROUNDS {
        for (which, (kind, rows)) in [(kind::TEXT, &texts), (kind::RESULT, &results)].into_iter().enumerate()
        {
            let each: Vec<Duration> = rows
                .iter()
                .map(|data| {
                    timed(|| {
                        store.append(id, kind, data).unwrap();
                    })
                })
                .collect();
            means[which][0].push(per_event(each.iter().sum()));
            singles[which][0].extend(each);
            checkpoints.push(timed(|| store.checkpoint().unwrap()));
            bare.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).unwrap();
            let each: Vec<Duration> = rows
                .iter()
                .map(|data| {
                    timed(|| {
                        insert.execute(params![bare_id, now_ms(), kind, data]).unwrap();
                    })
                })
                .collect();
            means[which][1].push(per_event(each.iter().sum()));
            singles[which][1].extend(each);
            means[which][2].push(per_event(timed(|| {
                for data in rows {
                    let line = format!(
                        "{{\"session_id\":{id},\"at\":{},\"kind\":\"{kind}\",\"data\":{data}}}\n",
                        now_ms()
                    );
                    lines.write_all(line.as_bytes()).unwrap();
                }
            })));
        }
        written.push(per_event(timed(|| {
            for i in 0..APPEND_EVENTS {
                transcript.text(["Let me look at the ", "parser first; the "][i % 2]);
            }
        })));
    }
    let [texts, results] = means.map(|m| m.map(median));
    let spread = |mut each: Vec<Duration>| {
        each.sort();
        let slow = each.iter().filter(|d| **d >= Duration::from_millis(1)).count();
        let [p50, p99] = [0.5, 0.99].map(|q| fmt(quantile(&each, q)));
        format!("{p50} / {p99}; {slow} of {} over 1 ms", each.len())
    };
    for ((what, [append, sqlite, file]), [store_each, bare_each]) in
        [("text delta (~20 bytes)", texts), ("tool result (~2 KB)", results)].into_iter().zip(singles)
    {
        table.row(
            &format!("`Store::append` of a {what}, mean per event, on disk"),
            append,
            "≤ 20 µs",
            Some(("bare rusqlite, prepared `INSERT`", sqlite)),
        );
        table.text_row(
            "… one append alone, p50 / p99",
            &spread(store_each),
            "",
            &format!("bare rusqlite: {}", spread(bare_each)),
        );
        table.text_row(
            &format!("… the same {what} as one `write` of a JSON line to a file"),
            &fmt(file),
            "",
            &format!("`Store::append` is {:.1}× this", append.as_secs_f64() / file.as_secs_f64()),
        );
    }
    table.row(
        &format!("… the WAL checkpoint after {APPEND_EVENTS} appends (once per model answer)"),
        median(checkpoints),
        "",
        None,
    );
    table.row(
        "`Transcript::text` of a streamed piece (event built, then appended), mean",
        median(written),
        "",
        Some(("`Store::append` of a text delta", texts[0])),
    );
}

/// Fill the transcript of session `name` (in the store under `git_dir`)
/// with `count` realistic events.
pub fn fill(git_dir: &Path, name: &str, count: usize) {
    let store = Store::open(git_dir).unwrap();
    let id = store.session_id(name).unwrap();
    for i in 0..count {
        let (kind, data) = event(i);
        store.append(id, kind, &data).unwrap();
    }
}

/// `grove logs NAME` (stdout a pipe, read to the end) of a session whose
/// transcript has [`LONG_TRANSCRIPT`] events, against `cat` of the same
/// text from a file.
pub fn logs_cost(table: &mut Table, grove: &dyn Fn(&[&str]) -> Output, name: &str, scratch: &Path) {
    let ok = |out: Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out
    };
    let shown = ok(grove(&["logs", name])).stdout;
    let rendered = scratch.join("rendered.txt");
    std::fs::write(&rendered, &shown).unwrap();
    let cat = || Command::new("cat").arg(&rendered).stdin(Stdio::null()).output().unwrap();
    assert_eq!(cat().stdout, shown);
    let mut logs = Vec::new();
    let mut json = Vec::new();
    let mut floor = Vec::new();
    let mut idle = Vec::new();
    for _ in 0..LOGS_RUNS {
        logs.push(timed(|| drop(ok(grove(&["logs", name])))));
        json.push(timed(|| drop(ok(grove(&["logs", name, "--json"])))));
        floor.push(timed(|| drop(cat())));
        idle.push(timed(|| drop(ok(grove(&["--version"])))));
    }
    let kib = shown.len() as f64 / 1024.0;
    table.row(
        &format!(
            "`grove logs NAME`, {}-event transcript ({kib:.0} KiB shown)",
            fmt_count(LONG_TRANSCRIPT as u64)
        ),
        median(logs),
        "≤ 100 ms",
        Some(("`cat` of the same text from a file", median(floor))),
    );
    table.row(
        "`grove logs NAME --json`, the same transcript",
        median(json),
        "",
        Some(("`grove --version`: a grove process that does nothing", median(idle))),
    );
}

/// A session of the agent answering with a slowly streamed text, and
/// `grove logs -f` on it: for each text delta, the time from when the
/// model server wrote it to when it appeared on logs -f's stdout, and to
/// when it was in the store (polled every millisecond).
pub fn follow_latency(table: &mut Table, cmd: &dyn Fn() -> Command, git_dir: &Path) {
    let words: Vec<String> = (0..STREAMED_WORDS).map(|i| format!("w{i:03}")).collect();
    let server =
        ModelServer::start(vec![Reply::anthropic().text(words.join(" ")).delay_ms(STREAM_DELAY_MS).into()]);
    let with_model = || {
        let mut cmd = cmd();
        for var in PROVIDER_VARS {
            cmd.env_remove(var);
        }
        cmd.env("ANTHROPIC_BASE_URL", server.url()).env("ANTHROPIC_API_KEY", "sk-ant-bench");
        cmd
    };
    let out = with_model().args(["new", "live", "--task", "say the words"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut follow = with_model().args(["logs", "-f", "live"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdout = follow.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        // Each read's arrival, with how much had arrived by then.
        let (mut shown, mut reads) = (Vec::new(), Vec::new());
        let mut buf = [0u8; 1 << 16];
        while let Ok(n @ 1..) = stdout.read(&mut buf) {
            shown.extend_from_slice(&buf[..n]);
            reads.push((Instant::now(), shown.len()));
        }
        (String::from_utf8_lossy(&shown).into_owned(), reads)
    });
    let (stored, end) = stored_texts(git_dir, "live");
    let status = follow.wait().unwrap();
    let (shown, reads) = reader.join().unwrap();
    assert!(status.success() && end == "done", "the session ended {end}:\n{shown}");

    let deltas: Vec<(Instant, String)> = server
        .sent()
        .into_iter()
        .filter_map(|s| Some((s.at, s.data()["delta"]["text"].as_str()?.to_owned())))
        .collect();
    assert_eq!(deltas.len(), STREAMED_WORDS.div_ceil(3));
    assert_eq!(
        stored.iter().map(|(_, text)| text).collect::<Vec<_>>(),
        deltas.iter().map(|(_, text)| text).collect::<Vec<_>>()
    );
    let mut to_store = Vec::new();
    let mut to_stdout = Vec::new();
    let mut cursor = 0;
    for ((sent, text), (in_store, _)) in deltas.iter().zip(&stored) {
        let at = cursor + shown[cursor..].find(text.as_str()).unwrap_or_else(|| panic!("{text:?} not shown"));
        cursor = at + text.len();
        let (appeared, _) = reads.iter().find(|(_, len)| *len >= cursor).unwrap();
        to_stdout.push(appeared.duration_since(*sent));
        to_store.push(in_store.duration_since(*sent));
    }
    to_stdout.sort();
    to_store.sort();
    let p = |sorted: &[Duration]| format!("{} / {}", fmt(quantile(sorted, 0.5)), fmt(quantile(sorted, 0.9)));
    table.text_row(
        &format!("model text delta sent → shown by `grove logs -f`, p50 / p90 ({} deltas)", to_stdout.len()),
        &p(&to_stdout),
        "≤ 50 ms",
        &format!("sent → in the store: {}", p(&to_store)),
    );
}

/// The text events of session `name` with when each was first seen in
/// the store, polling every millisecond until the session is over; and
/// how it ended.
fn stored_texts(git_dir: &Path, name: &str) -> (Vec<(Instant, String)>, String) {
    let store = Store::open(git_dir).unwrap();
    let id = store.session_id(name).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let (mut seen, mut texts) = (0, Vec::new());
    loop {
        for event in store.events_after(id, seen, 1_000).unwrap() {
            seen = event.id;
            match event.kind.as_str() {
                kind::TEXT => texts.push((Instant::now(), event.data["text"].as_str().unwrap().to_owned())),
                "done" | "failed" | "cancelled" | "interrupted" => return (texts, event.kind),
                _ => {}
            }
        }
        assert!(Instant::now() < deadline, "session {name} never finished");
        std::thread::sleep(Duration::from_millis(1));
    }
}
