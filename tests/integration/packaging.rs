//! Skill packaging: the manifest section, the import list, installing.

use crate::support::{grove, grove_cmd, grove_with, probe};

#[test]
fn inspect_shows_manifest_and_real_imports() {
    let dir = tempfile::tempdir().unwrap();
    let run = grove(dir.path(), &["skill", "inspect", probe(), "--json"]).expect(0);
    let json = run.json();
    assert_eq!(json["manifest"]["name"], "probe");
    assert_eq!(
        json["manifest"]["permissions"],
        serde_json::json!([
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
            "review"
        ])
    );
    let imports: Vec<&str> =
        json["imports"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
    for needed in ["grove:skill/workspace@0.2.0", "grove:skill/process@0.2.0", "grove:skill/http@0.2.0"] {
        assert!(imports.contains(&needed), "{needed} missing from {imports:?}");
    }
    // What those imports let it do, from the verbs table.
    let verbs = json["verbs"].as_array().unwrap();
    let run = verbs.iter().find(|v| v["capability"] == "process" && v["name"] == "run").unwrap();
    assert_eq!(
        (&run["permission"], &run["effect"]),
        (&serde_json::json!("process"), &serde_json::json!("write"))
    );
    assert!(verbs.iter().any(|v| v["capability"] == "http" && v["effect"] == "external"), "{verbs:?}");
    // hello touches nothing: its imports are the proof.
    let run = grove(dir.path(), &["skill", "inspect", "hello", "--json"]).expect(0);
    let imports = run.json()["imports"].to_string();
    assert!(imports.contains("grove:skill/log@0.2.0"), "{imports}");
    for absent in ["workspace", "process", "git", "http", "wasi:filesystem", "wasi:sockets"] {
        assert!(!imports.contains(absent), "hello imports {absent}: {imports}");
    }
    let run = grove(dir.path(), &["skill", "inspect", "hello"]).expect(0);
    assert!(
        run.stdout.contains("permissions: (none)") && run.stdout.contains("imports:\n  grove:skill/"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_component_without_manifest_describes_itself() {
    let repo = grove_tests::repo_with(&[("README.md", "12345\n")]);
    let run = grove(repo.path(), &["skill", "inspect", grove_tests::BARE, "--json"]).expect(0);
    assert!(run.json()["manifest"].is_null());
    let run = grove(repo.path(), &["run", grove_tests::BARE]).expect(0);
    assert_eq!(run.stdout.trim(), "6 bytes");
}

#[test]
fn broken_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("core.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let run = grove(d, &["run", "./core.wasm"]).expect(4);
    assert!(run.stderr.contains("core WebAssembly module, not a component"), "{}", run.stderr);
    std::fs::write(d.join("junk.wasm"), b"#!/bin/sh\necho hi\n").unwrap();
    let run = grove(d, &["skill", "inspect", "junk.wasm"]).expect(4);
    assert!(run.stderr.contains("not a WebAssembly component"), "{}", run.stderr);
    let bytes = std::fs::read(probe()).unwrap();
    std::fs::write(d.join("cut.wasm"), &bytes[..bytes.len() / 2]).unwrap();
    let run = grove(d, &["run", "cut.wasm", "echo"]).expect(4);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
}

#[test]
fn installed_skills_run_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let cmd = || grove_cmd(dir.path(), home.path());
    let run = grove_with(cmd(), &["skill", "install", probe(), "--yes"], None).expect(0);
    assert!(run.stdout.contains("installed probe 0.1.0"), "{}", run.stdout);
    let run = grove_with(cmd(), &["skills", "--json"], None).expect(0);
    let listed = run.json();
    let probe_entry = listed.as_array().unwrap().iter().find(|s| s["name"] == "probe").expect("probe listed");
    assert_eq!(probe_entry["origin"], "installed");
    let run = grove_with(cmd(), &["run", "probe", "echo", "by", "name"], None).expect(0);
    assert_eq!(run.stdout.trim(), "by name");
    // The same bytes again change nothing; --force writes them again.
    let run = grove_with(cmd(), &["skill", "install", probe()], None).expect(0);
    assert!(run.stdout.contains("already installed"), "{}", run.stdout);
    let run = grove_with(cmd(), &["skill", "install", probe(), "--force", "--yes"], None).expect(0);
    assert!(run.stdout.contains("reinstalled probe 0.1.0"), "{}", run.stdout);
}
