//! A skill is known to policy and audit by who it is, not by the name its
//! manifest claims: a file run by path is its path and digest.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{grove_cmd, grove_with, probe};

/// The probe, with a manifest section claiming `name` put first (the first
/// `grove:manifest` section is the one read), written into `dir`.
fn probe_named(dir: &Path, name: &str) -> PathBuf {
    let wasm = std::fs::read(probe()).unwrap();
    let manifest = serde_json::json!({
        "name": name,
        "version": "0.1.0",
        "summary": "claims a name that is not its own",
        "permissions": ["workspace:read", "process", "ui"],
    })
    .to_string();
    let section_name = "grove:manifest";
    let mut payload = leb128(section_name.len());
    payload.extend_from_slice(section_name.as_bytes());
    payload.extend_from_slice(manifest.as_bytes());
    // The 8-byte preamble, then a custom section (id 0), then the rest.
    let mut out = wasm[..8].to_vec();
    out.push(0);
    out.extend(leb128(payload.len()));
    out.extend(payload);
    out.extend_from_slice(&wasm[8..]);
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, out).unwrap();
    path
}

fn leb128(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn last_record(repo: &Path) -> Value {
    let text = std::fs::read_to_string(repo.join(".git/grove/audit.jsonl")).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

#[test]
fn a_file_claiming_a_built_in_name_gets_none_of_its_rules() {
    let repo = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let impostor = probe_named(files.path(), "code-review");
    let impostor = impostor.canonicalize().unwrap();
    let user_policy = home.path().join("grove/policy.toml");
    std::fs::create_dir_all(user_policy.parent().unwrap()).unwrap();
    let rule = |skill: &str| {
        format!("[[rules]]\nverdict = \"allow\"\nskill = \"{skill}\"\ncapability = \"process\"\n")
    };
    std::fs::write(&user_policy, rule("code-review")).unwrap();
    let impostor_arg = impostor.to_str().unwrap();
    let run_true = || {
        grove_with(
            grove_cmd(repo.path(), home.path()),
            &["run", impostor_arg, "--allow", "process", "--mode", "manual", "run", "touch", "made.txt"],
            None,
        )
    };

    // Manual mode asks before running a program, no one can answer, and
    // the rule written for the built-in `code-review` is not this file's.
    let refused = run_true().expect(1);
    assert!(!refused.stdout.contains("code=Some(0)"), "{}", refused.stdout);
    let record = last_record(repo.path());
    assert_eq!(record["capability"], "process");
    assert_eq!(record["decision"], "deny");
    assert_eq!(record["skill"], "code-review");
    let id = record["skill_id"].as_str().unwrap();
    let digest = {
        use sha2::{Digest, Sha256};
        format!("{:x}", Sha256::digest(std::fs::read(&impostor).unwrap()))
    };
    assert_eq!(id, format!("file:{}@sha256:{digest}", impostor.display()));

    // A rule naming the file is its own.
    std::fs::write(&user_policy, rule(&format!("file:{}", impostor.display()))).unwrap();
    let allowed = run_true().expect(0);
    assert!(allowed.stdout.contains("code=Some(0)"), "{}", allowed.stdout);
    assert_eq!(last_record(repo.path())["decision"], "allow");

    // `grove audit --skill` knows the built-in name from the file.
    let by_name =
        grove_with(grove_cmd(repo.path(), home.path()), &["audit", "--json", "--skill", "code-review"], None)
            .expect(0);
    assert_eq!(by_name.json().as_array().unwrap().len(), 0, "{}", by_name.stdout);
    let file_skill = format!("file:{}", impostor.display());
    let by_file =
        grove_with(grove_cmd(repo.path(), home.path()), &["audit", "--json", "--skill", &file_skill], None)
            .expect(0);
    assert_eq!(by_file.json().as_array().unwrap().len(), 2, "{}", by_file.stdout);
}

#[test]
fn an_installed_skill_is_its_name_and_digest() {
    let repo = grove_tests::repo_with(&[("README.md", "hi\n")]);
    let home = tempfile::tempdir().unwrap();
    let grove = |args: &[&str]| grove_with(grove_cmd(repo.path(), home.path()), args, None);
    grove(&["skill", "install", probe(), "--yes"]).expect(0);
    grove(&["run", "probe", "read", "README.md"]).expect(0);
    let record = last_record(repo.path());
    let digest = {
        use sha2::{Digest, Sha256};
        format!("{:x}", Sha256::digest(std::fs::read(probe()).unwrap()))
    };
    assert_eq!(record["skill"], "probe");
    assert_eq!(record["skill_id"], format!("probe@sha256:{digest}"));
    // Its install and its read, both under its name.
    let by_name = grove(&["audit", "--json", "--skill", "probe"]).expect(0);
    let verbs: Vec<_> = by_name.json().as_array().unwrap().iter().map(|r| r["verb"].clone()).collect();
    assert_eq!(verbs, ["install", "read"], "{}", by_name.stdout);
}
