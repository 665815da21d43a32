//! Install benchmark: `grove skill install oci://…` from a registry on
//! loopback (the pull, the digest and signature checks under an enterprise
//! policy that requires a signature, compiling the component, consent with
//! `--yes`, the lock and the audit line) against a plain `grove skill
//! install PATH` of the same component, in the same run.
//!
//! Run: `cargo bench -p grove --bench install` (`GROVE_BENCH_ROUNDS=N` for
//! more rounds). Needs Debian's `docker-registry`. Rounds alternate the two;
//! each install compiles afresh (an empty component cache) and replaces the
//! last (`--force`), so both do the same work beyond fetching and checking.
//! Every figure is a median of whole `grove` processes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use grove_tests::bench::{Table, median, timed};
use grove_tests::registry::Registry;

const ROUNDS: usize = 9;

fn grove(home: &Path, enterprise: &Path, args: &[&str]) {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_grove"))
        .current_dir(home)
        .env("GROVE_HOME", home.join("grove"))
        .env("GROVE_CACHE_DIR", cache.path())
        .env("GROVE_ENTERPRISE_POLICY", enterprise)
        .env("GROVE_AUDIT_LOG", home.join("audit.jsonl"))
        .env("XDG_STATE_HOME", home.join("state"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "grove {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn main() {
    let rounds = std::env::var("GROVE_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(ROUNDS);
    let dir = tempfile::tempdir().unwrap();
    let Some(registry) = Registry::start(dir.path()) else {
        eprintln!(
            "SKIPPED: {} is not installed (apt-get install docker-registry)",
            grove_tests::registry::BIN
        );
        return;
    };
    let home = dir.path().join("home");
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(home.join("grove")).unwrap();
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::write(home.join("grove/policy.toml"), "[hosts]\nallow = [\"127.0.0.1\"]\n").unwrap();
    let none = dir.path().join("no-enterprise.toml");
    grove(&home, &none, &["skill", "keygen", "acme", "--dir", keys.to_str().unwrap()]);
    let public = std::fs::read_to_string(keys.join("acme.pub")).unwrap();
    let enterprise = dir.path().join("enterprise.toml");
    std::fs::write(
        &enterprise,
        format!("[skills]\nrequire-signature = true\n[skills.publishers]\nacme = \"{}\"\n", public.trim()),
    )
    .unwrap();
    // The signed copy for the registry; a plain copy, unsigned, for the path.
    let bytes = std::fs::read(grove_tests::PROBE).unwrap();
    let signed = dir.path().join("signed.wasm");
    std::fs::write(&signed, &bytes).unwrap();
    let key = keys.join("acme.key");
    grove(&home, &none, &["skill", "sign", signed.to_str().unwrap(), "--key", key.to_str().unwrap()]);
    let signature = std::fs::read_to_string(dir.path().join("signed.wasm.minisig")).unwrap();
    let src = registry.push("skills/probe:0.1.0", &bytes, Some(&signature));
    let plain_dir = dir.path().join("plain");
    std::fs::create_dir_all(&plain_dir).unwrap();
    let plain = plain_dir.join("probe.wasm");
    std::fs::write(&plain, &bytes).unwrap();

    let (mut oci, mut path) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        oci.push(timed(|| grove(&home, &enterprise, &["skill", "install", &src, "--yes", "--force"])));
        path.push(timed(|| {
            grove(&home, &none, &["skill", "install", plain.to_str().unwrap(), "--yes", "--force"])
        }));
    }
    let (oci, path): (Duration, Duration) = (median(oci), median(path));
    let mut table = Table::default();
    table.row("`grove skill install PATH` (plain)", path, "baseline", None);
    table.row(
        "`grove skill install oci://…` (pull, digest, signature, policy)",
        oci,
        "within 1.5× of PATH",
        Some(("PATH", path)),
    );
    table.note(&format!(
        "component: the probe guest, {} KiB; {rounds} rounds each, interleaved; every install compiles afresh; {} threads available",
        bytes.len() / 1024,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    ));
    table.print();
}
