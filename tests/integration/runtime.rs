//! The runtime as a library: the cache, and a host that stays healthy
//! after hostile guests.

use std::time::{Duration, Instant};

use grove::caps::console::Verbosity;
use grove::caps::{Caps, Console};
use grove::gate::{Grants, PermissionSet};
use grove::runtime::output::OutputBudget;
use grove::runtime::{
    CacheOutcome, ComponentCache, Invocation, LimitExceeded, Limits, RunError, Runtime, RuntimeConfig,
};

fn runtime(cache: &std::path::Path) -> Runtime<Caps> {
    Runtime::new(
        &RuntimeConfig { cache_dir: Some(cache.to_path_buf()), pooling: false, max_memory: 1 << 30 },
        grove::caps::link,
    )
    .unwrap()
}

fn caps(root: &std::path::Path, limits: &Limits) -> Caps {
    let all = PermissionSet::all();
    let mut caps = Caps::new("probe", root, Grants { requested: all, granted: all }, limits).unwrap();
    caps.console = Console::new("probe", Verbosity::Quiet, OutputBudget::new(limits.output), false);
    caps
}

fn invocation(args: &[&str]) -> Invocation {
    Invocation {
        args: args.iter().map(|s| s.to_string()).collect(),
        json: false,
        cwd: String::new(),
        session: None,
        task: None,
    }
}

/// The runtime names the import a skill needs and the linker lacks, found
/// from the component's type, not from the text of wasmtime's error.
#[test]
fn an_import_the_linker_lacks_is_named() {
    use grove::runtime::PrepareError;
    let wasm = std::fs::read(grove_tests::PROBE).unwrap();
    let config = RuntimeConfig { cache_dir: None, pooling: false, max_memory: 1 << 30 };
    // A runtime that links WASI and no grove interface.
    let rt: Runtime<Caps> = Runtime::new(&config, |_| Ok(())).unwrap();
    match rt.prepare(&wasm) {
        Err(PrepareError::MissingImport(name)) => {
            assert!(name.starts_with("grove:skill/"), "{name}");
            let message = PrepareError::MissingImport(name.clone()).to_string();
            assert!(message.contains(&name) && message.contains("as released"), "{message}");
        }
        Err(e) => panic!("expected a missing import, got {e}"),
        Ok(_) => panic!("a runtime with no grove interfaces prepared a skill"),
    }
    assert!(Runtime::new(&config, grove::caps::link).unwrap().prepare(&wasm).is_ok());
}

#[test]
fn the_cache_is_hit_on_the_second_load_and_heals_when_corrupt() {
    let cache_dir = tempfile::tempdir().unwrap();
    let rt = runtime(cache_dir.path());
    let wasm = std::fs::read(grove_tests::PROBE).unwrap();
    assert_eq!(rt.prepare(&wasm).unwrap().cache, CacheOutcome::Miss);
    let started = Instant::now();
    assert_eq!(rt.prepare(&wasm).unwrap().cache, CacheOutcome::Hit);
    let warm = started.elapsed();
    let path = rt.cache().path_for(rt.engine(), &wasm).unwrap();
    assert!(path.is_file());
    // A truncated artifact (a crash mid-copy, a full disk) is replaced.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    assert_eq!(rt.prepare(&wasm).unwrap().cache, CacheOutcome::Miss);
    assert_eq!(rt.prepare(&wasm).unwrap().cache, CacheOutcome::Hit);
    // No cache directory: still works, compiling each time.
    let uncached = ComponentCache::new(None);
    assert_eq!(uncached.load(rt.engine(), &wasm).unwrap().1, CacheOutcome::Disabled);
    assert!(warm < Duration::from_secs(1), "a warm load took {warm:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_host_stays_healthy_after_hostile_guests() {
    let cache_dir = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let rt = runtime(cache_dir.path());
    let skill = rt.prepare(&std::fs::read(grove_tests::PROBE).unwrap()).unwrap();
    let limits = Limits {
        timeout: Duration::from_millis(300),
        memory: 16 << 20,
        output: 64 << 10,
        ..Limits::default()
    };

    let run = |args: &'static [&'static str]| {
        let (rt, skill, limits, root) = (&rt, &skill, &limits, root.path());
        async move { rt.run(skill, caps(root, limits), limits, &invocation(args)).await }
    };
    for _ in 0..3 {
        assert!(matches!(run(&["spin"]).await, Err(RunError::Limit(LimitExceeded::Timeout(_)))));
        assert!(matches!(run(&["alloc"]).await, Err(RunError::Limit(LimitExceeded::Memory { .. }))));
        assert!(matches!(run(&["flood-log"]).await, Err(RunError::Limit(LimitExceeded::Output(_)))));
        // A crash carries what the guest said last on stderr: the panic.
        match run(&["panic"]).await {
            Err(e @ RunError::Trap(..)) => {
                let said = e.stderr().expect("the panic message was kept");
                assert!(said.contains("probe panicked on purpose"), "{said}");
            }
            other => panic!("a panic is a trap, not {other:?}"),
        }
        let outcome = run(&["echo", "still", "alive"]).await.unwrap().unwrap();
        assert_eq!(outcome.summary, "still alive");
    }
}

/// A refusal of the host's own (no model provider is set up) is audited
/// like the gate's, and the guest hears it as a typed error.
#[tokio::test(flavor = "current_thread")]
async fn no_model_provider_is_an_audited_refusal() {
    use grove::gate::approval::Approver;
    use grove::gate::mode::Mode;
    use grove::gate::policy::Policy;
    use grove::gate::{AuditLog, Gate, Judge};
    let cache_dir = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let rt = runtime(cache_dir.path());
    let skill = rt.prepare(&std::fs::read(grove_tests::PROBE).unwrap()).unwrap();
    let limits = Limits::default();
    let log = root.path().join("audit.jsonl");
    let all = PermissionSet::all();
    let judge = Judge::new(root.path(), Policy::builtin(), Some(Mode::Auto));
    let audit = AuditLog::open(&log).unwrap();
    let grants = Grants { requested: all, granted: all };
    let gate = Gate::new("probe", None, grants, Some(audit), judge, Approver::Nobody);
    let mut caps = Caps::with_gate("probe", root.path(), gate, &limits).unwrap();
    caps.console = Console::new("probe", Verbosity::Quiet, OutputBudget::new(limits.output), false);

    let outcome = rt.run(&skill, caps, &limits, &invocation(&["model-scan", "00"])).await.unwrap();
    let error = outcome.expect_err("no provider, no answer");
    let (case, text) = grove::cli::run::describe_error(&error);
    assert_eq!(case, "failed");
    assert!(text.contains("no model provider is set up"), "{text}");
    let lines = std::fs::read_to_string(&log).unwrap();
    let record: serde_json::Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(record["capability"], "model");
    assert_eq!(record["decision"], "deny");
    assert_eq!(record["decided_by"], "host");
    assert_eq!(record["effect"], "external");
}
