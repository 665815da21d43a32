//! Model benchmark: what grove adds to a model call and to an agent's turn.
//!
//! - A whole streamed completion through `ModelClient::complete` against a
//!   bare `reqwest` POST of the same bytes to the same scripted server
//!   (which reads the answer without parsing it): the difference is the
//!   host's own work per round trip, the server's time cancelling out.
//! - The time to the first streamed token, against the baseline's first
//!   body chunk that holds a `text_delta`.
//! - The release `grove run agent --replay` on cassettes of 1 and 201 tool
//!   calls: the difference per call, less what the tool itself costs (one
//!   `workspace.read`, timed with the probe guest in the same run).
//!
//! Run: `cargo bench -p grove --bench model`. The server is
//! `grove_tests::model_server` on 127.0.0.1; every figure is a median, and
//! each overhead is the median of differences of paired samples taken in
//! alternating order.

use grove_tests::bench::{Table, fmt, fmt_count, median, timed};
use grove_tests::model_server::{ModelServer, Reply};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use grove::providers::chat::{Block, ChatRequest, Message, Role, StopReason, Tool};
use grove::providers::replay::Cassette;
use grove::providers::{ModelClient, ModelConfig, ModelOptions, ProviderKind, anthropic, openai};

/// Paired samples (grove, baseline) per round-trip measurement.
const SMALL_PAIRS: usize = 1_000;
const LARGE_PAIRS: usize = 200;
const FIRST_TOKEN_PAIRS: usize = 100;
/// A fresh server (and clients) after this many pairs: the server keeps
/// every request it receives, and the large ones are 200 KB each.
const PAIRS_PER_SERVER: usize = 50;
/// The scripted server waits this long before each event when the first
/// token is timed, so every event arrives in a chunk of its own.
const EVENT_DELAY_MS: u64 = 1;
/// Tool calls in the long agent run, and runs of each process.
const AGENT_CALLS: usize = 201;
const PROCESS_RUNS: usize = 7;
/// Reads in the long probe run that prices the tool itself.
const PROBE_READS: u64 = 10_001;

const KEY: &str = "sk-ant-bench-not-a-real-key";

fn main() {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut table = Table::default();

    let small = Scenario::anthropic("3 messages", conversation(1, 400));
    let large = Scenario::anthropic("61 messages", conversation(30, 6_800));
    let openai = Scenario::openai("3 messages", conversation(1, 400));
    tokio.block_on(async {
        round_trip(&mut table, &small, SMALL_PAIRS).await;
        round_trip(&mut table, &large, LARGE_PAIRS).await;
        round_trip(&mut table, &openai, SMALL_PAIRS).await;
        first_token(&mut table, &small).await;
        first_token(&mut table, &large).await;
    });
    table.note(&format!(
        "round trips: medians of paired samples taken in alternating order, a fresh server every {PAIRS_PER_SERVER} pairs \
         (after one discarded warm-up pair); both sides send the same bytes, so the server's own time (it parses every \
         request body) is in both and cancels out of the difference"
    ));
    table.note(&format!(
        "first token: the server waits {EVENT_DELAY_MS} ms before each SSE event; grove's time is to its first progress \
         callback, the baseline's to the first body chunk holding `text_delta`"
    ));

    agent(&mut table);
    table.print();
}

/// One kind of request: what grove is asked, what the baseline sends, and
/// what the server answers.
struct Scenario {
    label: String,
    provider: ProviderKind,
    request: ChatRequest,
    /// How grove builds the body, and the exact bytes it puts on the wire.
    build: fn(&ChatRequest, bool) -> Vec<u8>,
    body: bytes::Bytes,
    path: &'static str,
    reply: Reply,
}

/// The answer the server gives: some text, then one tool call.
const ANSWER: &str = "The failing test goes through the parser, and the error mentions an unexpected token at the \
    end of the input, so I will read the part of the parser that handles trailing input next.";

impl Scenario {
    fn anthropic(what: &str, request: ChatRequest) -> Scenario {
        let build = anthropic::body;
        let body = build(&request, true);
        let input = json!({"path": "src/parser.rs", "offset": 120, "limit": 80});
        let reply = Reply::anthropic()
            .text(ANSWER)
            .tool_use("toolu_01A09q90qw90lq917835lq9", "read_file", input)
            .usage(2_400, 85);
        Scenario {
            label: format!("Anthropic, {what} ({} KiB body)", body.len() >> 10),
            provider: ProviderKind::Anthropic,
            request,
            build,
            body: body.into(),
            path: "/v1/messages",
            reply: reply.into(),
        }
    }

    fn openai(what: &str, request: ChatRequest) -> Scenario {
        let build = openai::body;
        let body = build(&request, true);
        let input = json!({"path": "src/parser.rs", "offset": 120, "limit": 80});
        let reply =
            Reply::openai().text(ANSWER).tool_call("call_8f2kq1", "read_file", input).usage(2_400, 85);
        Scenario {
            label: format!("OpenAI-compatible, {what} ({} KiB body)", body.len() >> 10),
            provider: ProviderKind::OpenAi,
            request,
            build,
            body: body.into(),
            path: "/v1/chat/completions",
            reply: reply.into(),
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        let mut set = |name: &'static str, value: &str| {
            h.insert(HeaderName::from_static(name), HeaderValue::from_str(value).unwrap());
        };
        match self.provider {
            ProviderKind::Anthropic => {
                set("anthropic-version", "2023-06-01");
                set("accept", "text/event-stream");
                set("x-api-key", KEY);
            }
            ProviderKind::OpenAi => set("authorization", &format!("Bearer {KEY}")),
        }
        set("content-type", "application/json");
        h
    }
}

/// A conversation as the agent builds it: the task, then `turns` rounds of
/// a tool call and its result (numbered source, `result_bytes` long).
fn conversation(turns: usize, result_bytes: usize) -> ChatRequest {
    let mut messages = vec![Message {
        role: Role::User,
        content: vec![Block::Text { text: "The test `parses_trailing_commas` fails; make it pass.".into() }],
    }];
    for turn in 0..turns {
        let id = format!("toolu_01{turn:024}");
        let path = format!("src/module_{turn}.rs");
        messages.push(Message {
            role: Role::Assistant,
            content: vec![
                Block::Text { text: format!("Let me read {path}.") },
                Block::ToolUse { id: id.clone(), name: "read_file".into(), input: json!({ "path": path }) },
            ],
        });
        messages.push(Message {
            role: Role::User,
            content: vec![Block::ToolResult { id, content: source(turn, result_bytes), is_error: false }],
        });
    }
    ChatRequest {
        model: "claude-sonnet-4-5".into(),
        system: Some(SYSTEM.into()),
        messages,
        tools: tools(),
        max_tokens: 8192,
        effort: None,
        long_context: false,
    }
}

/// Rust-like lines numbered as `read_file` numbers them: quotes, tabs and
/// newlines, so serializing the body has escaping to do.
fn source(seed: usize, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 100);
    let mut n = 1;
    while out.len() < bytes {
        let line = match n % 4 {
            0 => {
                format!("    let value_{n} = table.get(\"key-{seed}-{n}\").unwrap_or(&fallback); // \"{n}\"")
            }
            1 => {
                format!("    if value_{n}.len() > {n} {{ return Err(Error::new(\"too long: {{}}\", {n})); }}")
            }
            2 => "    }".to_string(),
            _ => format!("\tfn helper_{n}(input: &str) -> Option<&str> {{ input.strip_prefix('{{') }}"),
        };
        out.push_str(&format!("{n:>6}\t{line}\n"));
        n += 1;
    }
    out
}

const SYSTEM: &str = "You are a careful software engineer working in a git repository through tools. Paths are \
    relative to the repository root.\n\nHow to work:\n- Look before you change: list and read the files that \
    matter, search for names.\n- Make the smallest change that does the job, in the style of the code around it.\n\
    - Edit with edit_file (quote the old text exactly, without line numbers); use write_file for new files.\n\
    - Verify with run: build and run the tests that cover your change. Read failures and fix them.\n- Never weaken \
    or delete a test to make it pass, and never change how the project is checked.\n- Some actions need a human's \
    approval, and some are refused; a refusal says why. Find another way, or stop and say what you need.\n\nWhen \
    the task is done, answer with a short summary: what you changed, and how you verified it.";

/// The agent's tool list, near enough.
fn tools() -> Vec<Tool> {
    let tool = |name: &str, description: &str, input_schema: Value| Tool {
        name: name.into(),
        description: description.into(),
        input_schema,
    };
    let path = json!({"type": "string"});
    vec![
        tool(
            "list_files",
            "List the files under a folder of the repository (recursively, honouring .gitignore).",
            json!({"type": "object", "properties": {"path": {"type": "string", "description": "Folder relative to the repository root; omit for the root."}}}),
        ),
        tool(
            "read_file",
            "Read a text file. Lines come numbered (the numbers are not part of the file).",
            json!({"type": "object", "required": ["path"], "properties": {"path": path,
                "offset": {"type": "integer", "description": "First line to read, 1-based."},
                "limit": {"type": "integer", "description": "How many lines to read (default 2000)."}}}),
        ),
        tool(
            "search",
            "Search file contents with a regular expression; answers path:line: text.",
            json!({"type": "object", "required": ["pattern"], "properties": {"pattern": {"type": "string"},
                "glob": {"type": "string", "description": "Which files, e.g. src/**/*.rs (default: every file)."}}}),
        ),
        tool(
            "edit_file",
            "Replace an exact piece of a file with new text. old_string must match the file exactly \
             (indentation included) and only once, unless replace_all is set.",
            json!({"type": "object", "required": ["path", "old_string", "new_string"], "properties": {"path": path,
                "old_string": {"type": "string"}, "new_string": {"type": "string"}, "replace_all": {"type": "boolean"}}}),
        ),
        tool(
            "write_file",
            "Create a file, or replace a whole file, with the given content.",
            json!({"type": "object", "required": ["path", "content"], "properties": {"path": path, "content": {"type": "string"}}}),
        ),
        tool(
            "run",
            "Run a shell command line in the repository root, e.g. the tests. Answers the exit code and output.",
            json!({"type": "object", "required": ["command"], "properties": {"command": {"type": "string"},
                "timeout_seconds": {"type": "integer", "description": "Default 300."}}}),
        ),
    ]
}

/// A scripted server with grove and a bare client pointed at it.
struct Endpoint {
    server: ModelServer,
    grove: ModelClient,
    bare: reqwest::Client,
}

impl Endpoint {
    fn start() -> Endpoint {
        let server = ModelServer::start(Vec::new());
        let url = server.url();
        let env = |name: &str| match name {
            "ANTHROPIC_BASE_URL" => Some(url.clone()),
            "OPENAI_BASE_URL" => Some(format!("{url}/v1")),
            "ANTHROPIC_API_KEY" | "OPENAI_API_KEY" => Some(KEY.into()),
            _ => None,
        };
        let config = ModelConfig::from_sources(None, env).unwrap();
        // grove's client first: it installs the process-wide rustls crypto
        // provider, without which building any reqwest client panics here
        // (`rustls-no-provider`), plain http or not.
        let grove = ModelClient::new(config, &ModelOptions::default()).unwrap();
        Endpoint { server, grove, bare: reqwest::Client::builder().build().unwrap() }
    }
}

/// One timed call: the whole of it, and until the first token.
struct Timing {
    total: Duration,
    first_token: Option<Duration>,
}

/// grove: `ModelClient::complete`, the answer parsed and assembled.
async fn grove_call(ep: &Endpoint, s: &Scenario, reply: Reply) -> Timing {
    ep.server.push(reply);
    let mut first = None;
    let started = Instant::now();
    let response = ep
        .grove
        .complete(s.provider, &s.request, &mut |_| {
            first.get_or_insert_with(Instant::now);
        })
        .await
        .unwrap();
    let total = started.elapsed();
    assert_eq!(response.stop, StopReason::ToolUse);
    assert!(matches!(response.content[..], [Block::Text { .. }, Block::ToolUse { .. }]), "{response:?}");
    Timing { total, first_token: first.map(|t| t - started) }
}

/// The baseline: POST the same bytes, read the body to its end unparsed.
async fn bare_call(ep: &Endpoint, s: &Scenario, reply: Reply, headers: &HeaderMap) -> Timing {
    ep.server.push(reply);
    let url = format!("{}{}", ep.server.url(), s.path);
    let mut first = None;
    let started = Instant::now();
    let mut response = ep
        .bare
        .post(url)
        .headers(headers.clone())
        .body(s.body.clone())
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let mut bytes = 0;
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes += chunk.len();
        if first.is_none() && chunk.windows(10).any(|w| w == b"text_delta") {
            first = Some(started.elapsed());
        }
    }
    let total = started.elapsed();
    assert!(bytes > 0);
    Timing { total, first_token: first }
}

/// `n` paired samples of grove and the baseline, alternating which goes
/// first; `reply` makes each answer.
async fn pairs(s: &Scenario, n: usize, reply: impl Fn() -> Reply) -> Vec<(Timing, Timing)> {
    let headers = s.headers();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let ep = Endpoint::start();
        // Warm-up: connect both clients; and check that both sent the same bytes.
        grove_call(&ep, s, reply()).await;
        bare_call(&ep, s, reply(), &headers).await;
        let sent = ep.server.requests();
        assert_eq!(sent[0].raw_body, sent[1].raw_body, "grove and the baseline send different bodies");
        for i in 0..PAIRS_PER_SERVER.min(n - out.len()) {
            out.push(if i % 2 == 0 {
                let g = grove_call(&ep, s, reply()).await;
                (g, bare_call(&ep, s, reply(), &headers).await)
            } else {
                let b = bare_call(&ep, s, reply(), &headers).await;
                (grove_call(&ep, s, reply()).await, b)
            });
        }
    }
    out
}

async fn round_trip(table: &mut Table, s: &Scenario, n: usize) {
    let samples = pairs(s, n, || s.reply.clone()).await;
    let grove = median(samples.iter().map(|(g, _)| g.total).collect());
    let bare = median(samples.iter().map(|(_, b)| b.total).collect());
    let overhead = median_difference(samples.iter().map(|(g, b)| (g.total, b.total)));
    table.row(
        &format!("{}: whole streamed round trip, `ModelClient::complete`", s.label),
        grove,
        "",
        Some(("bare reqwest POST of the same bytes, body read unparsed", bare)),
    );
    table.text_row(
        &format!("↳ host overhead per round trip (median of {} paired differences)", fmt_count(n as u64)),
        &fmt_signed(overhead),
        "≤ 1 ms",
        "",
    );
    let build = median((0..201).map(|_| build_body(s)).collect());
    // The floor: grove's own records serialized as they are, without the
    // provider's spelling (cache marks, block tags, tool messages).
    let direct =
        median((0..201).map(|_| timed(|| drop(black_box(serde_json::to_vec(&s.request))))).collect());
    table.row(
        "  ↳ of which building and serializing the body (in process, back to back)",
        build,
        "",
        Some(("`serde_json::to_vec(&ChatRequest)`: grove's records as they are", direct)),
    );
}

/// How long grove takes to build and serialize the body of `s`.
fn build_body(s: &Scenario) -> Duration {
    timed(|| drop(black_box((s.build)(&s.request, true))))
}

async fn first_token(table: &mut Table, s: &Scenario) {
    let samples = pairs(s, FIRST_TOKEN_PAIRS, || match &s.reply {
        Reply::Anthropic(r) => r.clone().delay_ms(EVENT_DELAY_MS).into(),
        _ => unreachable!("the first token is timed on Anthropic streams"),
    })
    .await;
    let first = |t: &Timing| t.first_token.expect("a first token");
    let grove = median(samples.iter().map(|(g, _)| first(g)).collect());
    let bare = median(samples.iter().map(|(_, b)| first(b)).collect());
    let overhead = median_difference(samples.iter().map(|(g, b)| (first(g), first(b))));
    table.row(
        &format!("{}: time to the first streamed token", s.label),
        grove,
        "",
        Some(("bare reqwest: first chunk holding `text_delta`", bare)),
    );
    table.text_row(
        &format!("↳ host overhead to the first token (median of {FIRST_TOKEN_PAIRS} paired differences)"),
        &fmt_signed(overhead),
        "",
        "",
    );
    // Between model calls the host sits idle (here: waiting for events):
    // the body is then built with cold caches.
    let pause = Duration::from_millis(20);
    let build = median(
        (0..51)
            .map(|_| {
                std::thread::sleep(pause);
                build_body(s)
            })
            .collect(),
    );
    let what =
        format!("  ↳ of which building and serializing the body (in process, after {} idle)", fmt(pause));
    table.row(&what, build, "", None);
}

/// The median of `a − b` over pairs, in signed nanoseconds.
fn median_difference(pairs: impl Iterator<Item = (Duration, Duration)>) -> i128 {
    let mut d: Vec<i128> = pairs.map(|(a, b)| a.as_nanos() as i128 - b.as_nanos() as i128).collect();
    d.sort_unstable();
    d[d.len() / 2]
}

fn fmt_signed(ns: i128) -> String {
    let abs = fmt(Duration::from_nanos(ns.unsigned_abs() as u64));
    if ns < 0 { format!("−{abs}") } else { abs }
}

/// `grove run agent --replay` over 1 and [`AGENT_CALLS`] tool calls, less
/// the tool's own cost.
fn agent(table: &mut Table) {
    let scratch = tempfile::tempdir().unwrap();
    let lab =
        Lab { repo: grove_tests::repo_with(&[("a.txt", "one line\n")]), home: scratch.path().to_path_buf() };

    let cassettes = [1, AGENT_CALLS].map(|n| (n, lab.record(n)));
    for (n, cassette) in &cassettes {
        let out = lab.replay(cassette).stdin(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "replay of {n} calls failed: {}", String::from_utf8_lossy(&out.stdout));
        let data: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(data["tool_calls"], json!(n), "{data}");
        assert_eq!(data["tool_errors"], 0, "{data}");
    }
    let [(_, one), (_, many)] = &cassettes;
    let (t1, tn, per_call) = paired_runs(|| lab.replay(one), || lab.replay(many), (AGENT_CALLS - 1) as u32);

    let (p1, pn, per_read) =
        paired_runs(|| lab.probe(1), || lab.probe(PROBE_READS), (PROBE_READS - 1) as u32);

    let what = |calls: &str| format!("`grove run agent --replay`, {calls} + final answer, whole process");
    table.row(&what("1 tool call"), t1, "", None);
    table.row(&what(&format!("{AGENT_CALLS} tool calls")), tn, "", None);
    let calls = AGENT_CALLS - 1;
    table.text_row(
        &format!("↳ per tool call, all in ((t({AGENT_CALLS}) − t(1)) / {calls}, median of {PROCESS_RUNS} paired runs)"),
        &fmt_signed(per_call),
        "",
        "",
    );
    table.text_row(
        &format!(
            "the tool's own cost: one `workspace.read` of a 1-line file ((t(read-n {PROBE_READS}) − t(read-n 1)) / {})",
            PROBE_READS - 1
        ),
        &fmt_signed(per_read),
        "",
        &format!("probe runs: {} and {}", fmt(p1), fmt(pn)),
    );
    table.text_row(
        "**agent overhead per tool call, excluding the tool**",
        &fmt_signed(per_call - per_read),
        "≤ 2 ms",
        "",
    );

    // The replay's own share (a live run builds and sends a body instead):
    // the cassette opened, every request matched, the cassette dropped.
    let text = std::fs::read_to_string(many).unwrap();
    let requests: Vec<ChatRequest> = text
        .lines()
        .map(|l| serde_json::from_value(serde_json::from_str::<Value>(l).unwrap()["request"].take()).unwrap())
        .collect();
    let replay = median(
        (0..PROCESS_RUNS)
            .map(|_| {
                let started = Instant::now();
                let cassette = Cassette::open(many).unwrap();
                for request in &requests {
                    cassette.answer(request).unwrap();
                }
                drop(cassette);
                started.elapsed()
            })
            .collect(),
    );
    let what = format!(
        "  ↳ of which the cassette ({} KiB: the conversation once per turn): open, match, drop; in process",
        text.len() >> 10
    );
    table.row(&what, replay / AGENT_CALLS as u32, "", None);
    table.note(
        "agent: the cassettes were recorded from a scripted server in the same run; each turn calls `read_file` on a \
         1-line file; the compiled-component cache is warm; a turn's cost grows with the conversation, so the figure \
         per call is an average over conversations of 1 to 201 turns",
    );
}

/// Wall times of two commands run `PROCESS_RUNS` times in alternating
/// order after a warm-up: the medians of each, and the median of the
/// paired differences divided by `per`.
fn paired_runs(
    short: impl Fn() -> Command,
    long: impl Fn() -> Command,
    per: u32,
) -> (Duration, Duration, i128) {
    run(short());
    run(long());
    let mut samples = Vec::with_capacity(PROCESS_RUNS);
    for i in 0..PROCESS_RUNS {
        samples.push(if i % 2 == 0 {
            let s = run(short());
            (s, run(long()))
        } else {
            let l = run(long());
            (run(short()), l)
        });
    }
    let per_unit = median_difference(samples.iter().map(|(s, l)| (*l, *s))) / per as i128;
    (
        median(samples.iter().map(|(s, _)| *s).collect()),
        median(samples.iter().map(|(_, l)| *l).collect()),
        per_unit,
    )
}

/// Run to the end; the wall time.
fn run(mut cmd: Command) -> Duration {
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let started = Instant::now();
    let out = cmd.output().expect("spawn grove");
    let took = started.elapsed();
    assert!(out.status.success(), "{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    took
}

/// A repository, and a private grove home that holds the component cache
/// shared by every run.
struct Lab {
    repo: tempfile::TempDir,
    home: PathBuf,
}

const TASK: &str = "read a.txt again and again";

impl Lab {
    /// `grove` in the repository, as a user runs it, with no provider
    /// settings of the caller's.
    fn grove(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_grove"));
        cmd.current_dir(self.repo.path())
            .env("GROVE_CACHE_DIR", self.home.join("cache"))
            .env("GROVE_HOME", self.home.join("grove"))
            .env("XDG_STATE_HOME", self.home.join("state"))
            .env("GROVE_WORKTREE_DIR", self.home.join("worktrees"))
            .env_remove("GROVE_LOG")
            .env_remove("GROVE_AUDIT_LOG")
            .env("NO_COLOR", "1");
        for var in grove_tests::model_server::PROVIDER_VARS {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Record a cassette of `calls` `read_file` turns and a final answer.
    fn record(&self, calls: usize) -> PathBuf {
        let mut replies: Vec<Reply> = (0..calls)
            .map(|i| {
                Reply::anthropic()
                    .tool_use(format!("toolu_{i:04}"), "read_file", json!({"path": "a.txt"}))
                    .into()
            })
            .collect();
        replies.push(Reply::anthropic().text("a.txt says: one line.").into());
        let server = ModelServer::start(replies);
        let cassette = self.home.join(format!("agent-{calls}.jsonl"));
        let mut cmd = self.grove();
        cmd.env("ANTHROPIC_BASE_URL", server.url()).env("ANTHROPIC_API_KEY", KEY);
        cmd.args(["run", "agent", "--max-turns", "1000", "--record"]).arg(&cassette).arg(TASK);
        run(cmd);
        assert_eq!(server.remaining(), 0, "the recording did not use every turn");
        assert_eq!(std::fs::read_to_string(&cassette).unwrap().lines().count(), calls + 1);
        cassette
    }

    /// `grove run agent --replay CASSETTE`, with no server to talk to.
    fn replay(&self, cassette: &Path) -> Command {
        let mut cmd = self.grove();
        cmd.env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9").env("ANTHROPIC_API_KEY", KEY);
        cmd.args(["run", "agent", "--max-turns", "1000", "--json", "--replay"]).arg(cassette).arg(TASK);
        cmd
    }

    /// The probe guest reading a.txt `count` times in one run.
    fn probe(&self, count: u64) -> Command {
        let mut cmd = self.grove();
        cmd.args(["run", grove_tests::PROBE, "read-n", "a.txt", &count.to_string()]);
        cmd
    }
}
