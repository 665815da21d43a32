//! A skill that does what its first argument says. The integration tests
//! and the benchmark drive it: well-behaved calls, and every attack on the
//! sandbox a malicious skill could try.

use std::hint::black_box;

use grove_sdk::log::Level;
use grove_sdk::prelude::*;
use grove_sdk::{browser, http, process::Command};

mod notify;
mod running;

struct Probe;

impl Skill for Probe {
    const MANIFEST: Manifest = Manifest::new("probe", "Does what its first argument says")
        .usage("grove run probe.wasm COMMAND [ARGS...]")
        .permissions(&[
            "workspace:read",
            "workspace:write",
            "process",
            "git:read",
            "git:write",
            "ui",
            "http",
            "sessions",
            "model",
            "browser",
            "notify",
            "review",
        ]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        // A sub-session is spawned with a task and no arguments: its task
        // is its command line then.
        let given = match (&invocation.args[..], &invocation.task) {
            ([], Some(task)) => task.split_whitespace().map(String::from).collect(),
            _ => invocation.args.clone(),
        };
        let mut args = given.into_iter();
        let command = args.next().unwrap_or_default();
        let rest: Vec<String> = args.collect();
        let arg = |i: usize| rest.get(i).cloned().unwrap_or_default();
        let count = |i: usize| rest.get(i).and_then(|n| n.parse::<u64>().ok()).unwrap_or(1);
        match command.as_str() {
            "echo" => Ok(Outcome::ok(rest.join(" "))),
            "fail" => Ok(Outcome::fail("failing on purpose")),
            "error" => Err(Error::failed("erroring on purpose")),
            "data" => Ok(Outcome::ok("with data").with_data(arg(0))),
            "read" => workspace::read_text(&arg(0)).map(Outcome::ok),
            "write" => workspace::write(&arg(0), arg(1).as_bytes()).map(|()| Outcome::ok("written")),
            "remove" => workspace::remove(&arg(0)).map(|()| Outcome::ok("removed")),
            "rename" => workspace::rename(&arg(0), &arg(1)).map(|()| Outcome::ok("renamed")),
            "list" => workspace::list(&arg(0)).map(paths),
            "glob" => workspace::glob(&arg(0)).map(paths),
            "stat" => workspace::stat(&arg(0)).map(|m| Outcome::ok(format!("{:?} {}", m.kind, m.size))),
            // What the WASI environment offers: nothing.
            "wasi-env" => Ok(Outcome::ok(format!(
                "vars={} dirs={}",
                std::env::vars().count(),
                std::fs::read_dir("/").map(|d| d.count()).unwrap_or(0)
            ))),
            "wasi-file" => std::fs::read_to_string(arg(0))
                .map(Outcome::ok)
                .map_err(|e| Error::failed(format!("wasi read failed: {e}"))),
            // `run-env NAME=VALUE… PROGRAM ARGS…`: with those variables set.
            "run-env" => {
                let split = rest.iter().position(|a| !a.contains('=')).unwrap_or(rest.len());
                let mut command = Command::new(rest.get(split).cloned().unwrap_or_default())
                    .args(rest.get(split + 1..).unwrap_or_default().to_vec());
                for pair in &rest[..split] {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    command = command.env(name, value);
                }
                let output = command.run()?;
                Ok(Outcome::ok(format!("code={:?}", output.code)))
            }
            "run" => {
                let output = Command::new(arg(0)).args(rest.get(1..).unwrap_or_default().to_vec()).run()?;
                let summary = format!(
                    "code={:?} timed_out={} truncated={} stdout={}",
                    output.code,
                    output.timed_out,
                    output.truncated,
                    String::from_utf8_lossy(&output.stdout).trim()
                );
                Ok(Outcome::ok(summary))
            }
            // Each argument is a command line (split on spaces) run in
            // turn; what happened to each, one line per command.
            "runs" => {
                let mut lines = Vec::new();
                for line in &rest {
                    let argv: Vec<String> = line.split_whitespace().map(String::from).collect();
                    let Some((program, args)) = argv.split_first() else { continue };
                    lines.push(match Command::new(program).args(args.to_vec()).run() {
                        Ok(output) => format!("ran code={:?}", output.code),
                        Err(e) => format!("refused {}", e.message()),
                    });
                }
                Ok(Outcome::ok(lines.join("\n")))
            }
            "run-timeout" => {
                let output = Command::new("sleep").arg("30").timeout_ms(200).run()?;
                Ok(Outcome::ok(format!("timed_out={} code={:?}", output.timed_out, output.code)))
            }
            "run-flood" => {
                let output = Command::new("sh")
                    .args(["-c", "yes grove | head -c 50000000"])
                    .output_limit(1000)
                    .run()?;
                Ok(Outcome::ok(format!("kept={} truncated={}", output.stdout.len(), output.truncated)))
            }
            "git-status" => git::status().map(|s| Outcome::ok(format!("{} changes", s.len()))),
            "git-head" => git::head().map(|h| Outcome::ok(format!("{:?}", h.branch))),
            "git-commit" => git::commit(&arg(0), None).map(Outcome::ok),
            // `http [METHOD [URL [BODY [TIMEOUT_MS]]]]`: the status, then the body.
            "http" => {
                let or = |i: usize, default: &str| rest.get(i).cloned().unwrap_or_else(|| default.into());
                let body = rest.get(2).filter(|b| !b.is_empty()).map(|b| b.clone().into_bytes());
                http::send(&http::Request {
                    method: or(0, "GET"),
                    url: or(1, "http://127.0.0.1:9/"),
                    headers: vec![("X-Probe".into(), "1".into())],
                    body,
                    timeout_ms: rest.get(3).and_then(|ms| ms.parse().ok()),
                })
                .map(|r| Outcome::ok(format!("status {}\n{}", r.status, String::from_utf8_lossy(&r.body))))
            }
            "notify" | "notify-gif" | "notify-share" | "notify-scan" => notify::probe(&command, &rest),
            // `review-open TITLE BODY [HEAD]`: open (or update) the
            // pull request of HEAD (default: the workspace's branch).
            "review-open" => grove_sdk::review::open(&grove_sdk::review::PullRequest {
                title: arg(0),
                body: arg(1),
                head: Some(arg(2)).filter(|h| !h.is_empty()),
                base: None,
                draft: false,
            })
            .map(|o| Outcome::ok(format!("#{} created={} {}", o.number, o.created, o.url))),
            // `review-post PATH LINE BODY`: one line comment on the
            // workspace branch's pull request; then the status, a
            // comment, an attachment.
            "review-post" => {
                let Some(pr) = grove_sdk::review::find(None)? else {
                    return Ok(Outcome::fail("no open pull request"));
                };
                let comment = grove_sdk::review::LineComment {
                    path: arg(0),
                    line: arg(1).parse().unwrap_or(1),
                    body: arg(2),
                };
                let posted = grove_sdk::review::post_review(pr.number, "probe", &[comment])?;
                grove_sdk::review::set_status(
                    pr.number,
                    "grove/probe",
                    grove_sdk::review::StatusState::Success,
                    "probed",
                )?;
                let url = grove_sdk::review::comment(pr.number, "hello from the probe")?;
                let attached = grove_sdk::review::attach(pr.number, "probe.txt", b"probe evidence")?;
                Ok(Outcome::ok(format!(
                    "posted={} already={} outside={} comment={url} attached={attached}",
                    posted.comments, posted.already, posted.outside
                )))
            }
            // `review-scan HEX`: find the pull request, then whether the
            // guest's memory holds the bytes HEX hides (xor 0x5a).
            "review-scan" => {
                let found = grove_sdk::review::find(None)?;
                let hidden: Vec<u8> = (0..arg(0).len() / 2)
                    .filter_map(|i| u8::from_str_radix(&arg(0)[2 * i..2 * i + 2], 16).ok())
                    .collect();
                Ok(Outcome::ok(format!(
                    "pr={:?} token-in-memory={}",
                    found.map(|o| o.url),
                    memory_holds(&hidden)
                )))
            }
            "ask" => ui::ask("Pick one", &["red".into(), "blue".into()], Some(1))
                .map(|i| Outcome::ok(format!("picked {i}"))),
            "report" => {
                ui::report("Findings", &arg(0), ui::ReportFormat::Markdown).map(|()| Outcome::ok("reported"))
            }
            // Hostile: never returns.
            "spin" => {
                let mut n = 0u64;
                loop {
                    n = black_box(n.wrapping_add(1));
                }
            }
            // Hostile: allocates until something stops it.
            "alloc" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(black_box(vec![1u8; 1 << 20]));
                }
            }
            // Hostile: floods the log.
            "flood-log" => {
                let line = "x".repeat(4096);
                loop {
                    log::info(&line);
                }
            }
            // Hostile: floods stdout.
            "flood-stdout" => {
                let line = "y".repeat(4096);
                loop {
                    println!("{line}");
                }
            }
            // Resumable work: the first run leaves a marker and then hangs
            // (to be killed); a run that finds the marker finishes.
            "once" => {
                if workspace::stat(&arg(0)).is_ok() {
                    return Ok(Outcome::ok(format!(
                        "resumed; task: {}",
                        invocation.task.unwrap_or_default()
                    )));
                }
                workspace::write(&arg(0), b"started")?;
                Command::new("sleep").arg("600").timeout_ms(600_000).run()?;
                Ok(Outcome::ok("slept"))
            }
            // Fan out: N sub-sessions running `hello`, then wait for all.
            "fanout" => {
                use grove_sdk::sessions;
                let names: Vec<String> = (0..count(0))
                    .map(|i| {
                        sessions::spawn(&sessions::Spec {
                            name: format!("variant-{i}"),
                            task: format!("variant {i}"),
                            skill: Some("hello".into()),
                            base: None,
                            args: vec![format!("variant-{i}")],
                        })
                    })
                    .collect::<Result<_>>()?;
                let done = sessions::wait_all(&names)?;
                let first = sessions::wait_any(&names[..1])?;
                let summaries: Vec<String> = done
                    .iter()
                    .map(|i| format!("{}={:?}:{}", i.name, i.state, i.summary.clone().unwrap_or_default()))
                    .collect();
                Ok(Outcome::ok(format!("{} first={}", summaries.join(" "), first.name)))
            }
            // `spawn NAME SKILL TASK [BUDGET]`: one sub-session (SKILL empty
            // for the default), not waited for.
            "spawn" => {
                use grove_sdk::sessions;
                let skill = Some(arg(1)).filter(|s| !s.is_empty());
                let spec = sessions::Spec { name: arg(0), task: arg(2), skill, base: None, args: Vec::new() };
                let name = match rest.get(3) {
                    Some(budget) => sessions::spawn_with_budget(&spec, budget)?,
                    None => sessions::spawn(&spec)?,
                };
                Ok(Outcome::ok(format!("spawned {name}")))
            }
            // `spawn-then NAME SKILL TASK STEP...`: one sub-session whose
            // runner then does each STEP (`evidence`, `pr-draft`).
            "spawn-then" => {
                use grove_sdk::sessions::{self, FollowUp};
                let skill = Some(arg(1)).filter(|s| !s.is_empty());
                let spec = sessions::Spec { name: arg(0), task: arg(2), skill, base: None, args: Vec::new() };
                let then = rest
                    .iter()
                    .skip(3)
                    .map(|step| match step.as_str() {
                        "evidence" => Ok(FollowUp::Evidence),
                        "pr-draft" => Ok(FollowUp::PrDraft),
                        other => Err(Error::invalid(format!("no follow-up `{other}`"))),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Outcome::ok(format!("spawned {}", sessions::spawn_then(&spec, &then)?)))
            }
            // `session-read NAME PATH`: a file of a session's worktree, as text.
            "session-read" => {
                let bytes = grove_sdk::sessions::read_file(&arg(0), &arg(1))?;
                Ok(Outcome::ok(String::from_utf8_lossy(&bytes).into_owned()))
            }
            // `spawn-wait PREFIX N SKILL TASK`: N sub-sessions PREFIX-0…,
            // waited for; each one's end.
            "spawn-wait" => {
                use grove_sdk::sessions;
                let names: Vec<String> = (0..count(1))
                    .map(|i| {
                        let spec = sessions::Spec {
                            name: format!("{}-{i}", arg(0)),
                            task: arg(3),
                            skill: Some(arg(2)),
                            base: None,
                            args: Vec::new(),
                        };
                        sessions::spawn(&spec)
                    })
                    .collect::<Result<_>>()?;
                let done = sessions::wait_all(&names)?;
                let ends: Vec<String> = done.iter().map(|i| format!("{}={:?}", i.name, i.state)).collect();
                Ok(Outcome::ok(ends.join(" ")))
            }
            // Hostile: `spawn-loop SKILL MAX` spawns sub-sessions until one
            // is refused (or MAX are made): how many, and the refusal.
            "spawn-loop" => {
                use grove_sdk::sessions;
                for i in 0..count(1) {
                    let spec = sessions::Spec {
                        name: format!("loop-{i}"),
                        task: "loop".into(),
                        skill: Some(arg(0)),
                        base: None,
                        args: Vec::new(),
                    };
                    if let Err(e) = sessions::spawn(&spec) {
                        return Ok(Outcome::ok(format!("spawned {i}; refused: {e:?}")));
                    }
                }
                Ok(Outcome::fail(format!("spawned {}; never refused", count(1))))
            }
            // `sleep MS`: wait, holding nothing but a clock.
            "sleep" => {
                std::thread::sleep(std::time::Duration::from_millis(count(0)));
                Ok(Outcome::ok("slept"))
            }
            // One sub-session named ARG0 with the task ARG1 and no skill
            // (the default one works it), waited for.
            "delegate" => {
                use grove_sdk::sessions;
                let name = sessions::spawn(&sessions::Spec {
                    name: arg(0),
                    task: arg(1),
                    skill: None,
                    base: None,
                    args: Vec::new(),
                })?;
                let done = sessions::wait_any(std::slice::from_ref(&name))?;
                Ok(Outcome::ok(format!(
                    "{}={:?}:{}",
                    done.name,
                    done.state,
                    done.summary.unwrap_or_default()
                )))
            }
            "progress" => {
                for i in 1..=count(0) {
                    log::progress("steps", i, count(0));
                }
                Ok(Outcome::ok("progressed"))
            }
            // Hostile: the same text through every channel that reaches the
            // human's terminal, then as the outcome or the error.
            "hostile" => {
                let text = arg(0);
                log::log(Level::Warn, &text);
                log::progress(&text, 1, 2);
                println!("{text}");
                eprintln!("{text}");
                ui::report(&text, &text, ui::ReportFormat::Markdown)?;
                ui::ask(&text, std::slice::from_ref(&text), Some(0))?;
                match arg(1).as_str() {
                    "fail" => Err(Error::failed(text)),
                    _ => Ok(Outcome::ok(text)),
                }
            }
            "panic" => panic!("probe panicked on purpose"),
            "exit" => std::process::exit(7),
            // Benchmark loops: the host measures the whole call and divides.
            "noop" => {
                for _ in 0..count(0) {
                    grove_sdk::log::log(Level::Trace, "");
                }
                Ok(Outcome::ok("done"))
            }
            "read-n" => {
                let mut total = 0usize;
                for _ in 0..count(1) {
                    total += workspace::read(&arg(0))?.len();
                }
                Ok(Outcome::ok(format!("{total}")))
            }
            // Write ARG2 bytes to ARG0, ARG1 times: the first error stops it.
            "write-n" => {
                let bytes = vec![b'w'; count(2) as usize];
                for i in 0..count(1) {
                    if let Err(e) = workspace::write(&arg(0), &bytes) {
                        return Ok(Outcome::fail(format!("write {i} refused: {e:?}")));
                    }
                }
                Ok(Outcome::ok("written"))
            }
            // Evidence: `evidence KIND CAPTION TEXT` (png gets a PNG signature
            // before TEXT); `evidence-n N` adds N small notes.
            "evidence" => {
                let kind = match arg(0).as_str() {
                    "png" => grove_sdk::evidence::Kind::Png,
                    "gif" => grove_sdk::evidence::Kind::Gif,
                    "json" => grove_sdk::evidence::Kind::Json,
                    "log" => grove_sdk::evidence::Kind::Log,
                    _ => grove_sdk::evidence::Kind::Markdown,
                };
                let mut content = Vec::new();
                if arg(0) == "png" {
                    content.extend_from_slice(b"\x89PNG\r\n\x1a\n");
                }
                content.extend_from_slice(arg(2).as_bytes());
                grove_sdk::evidence::add(kind, &arg(1), &content, None)
                    .map(|e| Outcome::ok(format!("added {} ({} bytes)", e.file, e.size)))
            }
            "evidence-n" => {
                for i in 0..count(0) {
                    grove_sdk::evidence::add(
                        grove_sdk::evidence::Kind::Markdown,
                        &format!("note {i}"),
                        b"# note",
                        None,
                    )?;
                }
                Ok(Outcome::ok("added"))
            }
            // Hostile: recurses until the call stack runs out.
            "recurse" => Ok(Outcome::ok(format!("depth {}", recurse(u64::MAX)))),
            "report-html" => {
                ui::report("Findings", &arg(0), ui::ReportFormat::Html).map(|()| Outcome::ok("reported"))
            }
            "log-n" => {
                let message = "z".repeat(count(1) as usize);
                for _ in 0..count(0) {
                    grove_sdk::log::log(Level::Trace, &message);
                }
                Ok(Outcome::ok("done"))
            }
            // Ask the model, then look through all of this guest's memory
            // for a secret given xor-ed with 0x5a in hex, never building
            // the secret itself: did the host let the API key in?
            "model-scan" => {
                let request = grove_sdk::model::Request {
                    tier: grove_sdk::model::Tier::Default,
                    model: None,
                    effort: None,
                    long_context: false,
                    system: Some("be brief".into()),
                    messages: vec![grove_sdk::model::Message {
                        role: grove_sdk::model::Role::User,
                        content: vec![grove_sdk::model::Content::Text("hello".into())],
                    }],
                    tools: Vec::new(),
                    max_tokens: 64,
                };
                let response = grove_sdk::model::complete(&request)?;
                let hidden: Vec<u8> = (0..arg(0).len() / 2)
                    .filter_map(|i| u8::from_str_radix(&arg(0)[2 * i..2 * i + 2], 16).ok())
                    .collect();
                let found = memory_holds(&hidden);
                Ok(Outcome::ok(format!("answer={:?} key-in-memory={found}", response.content.len())))
            }
            // Open ARG0 in a 640×480 viewport, click ARG1, wait for the text
            // ARG2, read the text of ARG3 and save a screenshot as shot.png.
            "browse" => {
                let page = open_page(&arg(0))?;
                page.click(&arg(1))?;
                page.wait_for_text(&arg(2), 10_000)?;
                let text = page.text(&arg(3))?;
                let shot = page.screenshot(false)?;
                workspace::write("shot.png", &shot)?;
                page.close()?;
                Ok(Outcome::ok(format!("text={text} png={}", shot.len())))
            }
            // Open ARG0, wait for the text ARG1, then say what the page
            // reported: its failed requests and its console errors.
            "browse-report" => {
                let page = open_page(&arg(0))?;
                page.wait_for_text(&arg(1), 10_000)?;
                Ok(Outcome::ok(format!(
                    "failed={:?} errors={:?}",
                    page.failed_requests()?,
                    page.console_errors()?
                )))
            }
            // Open ARG0, type ARG2 into ARG1, press Enter, run the script ARG3.
            "browse-eval" => {
                let page = open_page(&arg(0))?;
                page.type_(&arg(1), &arg(2))?;
                page.press("Enter")?;
                Ok(Outcome::ok(page.eval(&arg(3))?))
            }
            // Open ARG0 and record a GIF: click ARG1 until the text ARG2
            // shows, as two captioned steps; save it as record.gif. A step
            // before recording starts must be refused.
            "browse-record" => {
                let page = open_page(&arg(0))?;
                let early = page.step("too early").is_err();
                page.record_start("the counter at zero")?;
                page.step("click Add")?;
                page.click(&arg(1))?;
                page.step("click Add again")?;
                page.click(&arg(1))?;
                page.wait_for_text(&arg(2), 10_000)?;
                let recording = page.record_stop(None)?;
                workspace::write("record.gif", &recording.gif)?;
                Ok(Outcome::ok(format!(
                    "early-step-refused={early} frames={} size={}x{} ms={}",
                    recording.frames, recording.width, recording.height, recording.duration_ms
                )))
            }
            // Open ARG0 and wait for text that never comes (to be killed).
            "browse-hold" => {
                let page = open_page(&arg(0))?;
                log::info("page open");
                page.wait_for_text("this text never appears", 120_000)?;
                Ok(Outcome::ok("held"))
            }
            "start" | "start-leave" | "start-flood" | "serve" => running::probe(&command, &rest),
            "export-commit" => {
                workspace::export_commit(&arg(0), &arg(1)).map(|n| Outcome::ok(format!("exported {n} bytes")))
            }
            other => Err(Error::invalid(format!("unknown probe command {other:?}"))),
        }
    }
}

/// Recurse `depth` times, each frame holding a buffer in linear memory
/// (the shadow stack), so the guest's stack runs out long before `depth`.
fn recurse(depth: u64) -> u64 {
    if depth == 0 {
        return 0;
    }
    let mut frame = [0u8; 256];
    black_box(&mut frame);
    let below = recurse(black_box(depth - 1));
    black_box(&frame);
    below + frame[0] as u64 + 1
}

/// Whether linear memory holds the bytes of `hidden`, each xor-ed with 0x5a.
#[cfg(target_arch = "wasm32")]
fn memory_holds(hidden: &[u8]) -> bool {
    let end = core::arch::wasm32::memory_size(0) * 65536;
    if hidden.is_empty() {
        return false;
    }
    // SAFETY: every address below memory_size is mapped linear memory;
    // reading it volatile keeps the compiler from reasoning about it.
    let at = |i: usize| unsafe { core::ptr::read_volatile(i as *const u8) };
    (1..end.saturating_sub(hidden.len()))
        .any(|i| hidden.iter().enumerate().all(|(j, h)| at(i + j) ^ 0x5a == *h))
}

#[cfg(not(target_arch = "wasm32"))]
fn memory_holds(_: &[u8]) -> bool {
    false
}

/// A page at `url` with a 640×480 viewport.
fn open_page(url: &str) -> Result<browser::Page> {
    browser::Page::open(url, Some(browser::Viewport { width: 640, height: 480 }))
}

/// The entries' paths, comma-separated.
fn paths(entries: Vec<workspace::Entry>) -> Outcome {
    Outcome::ok(entries.into_iter().map(|e| e.path).collect::<Vec<_>>().join(","))
}

grove_sdk::export!(Probe);
