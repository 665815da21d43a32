//! Installing community skills: every kind of source (a path, a URL on a
//! loopback HTTP server, a real OCI registry, a git commit), consent and
//! its record, updates that widen or narrow, signatures under an
//! enterprise policy, reserved names, and a tampered installed file.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::support::{Run, grove_cmd, grove_with, probe};

/// Skip the test, saying so, when Debian's `docker-registry` is missing
/// (CI installs it, so there it never skips).
macro_rules! needs_registry {
    () => {
        if !Path::new(grove_tests::registry::BIN).exists() {
            assert!(std::env::var_os("CI").is_none(), "CI must install docker-registry");
            eprintln!(
                "SKIPPED: {} is not installed (apt-get install docker-registry)",
                grove_tests::registry::BIN
            );
            return;
        }
    };
}

/// A workspace and a private home, with commands run in them.
struct Place {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Place {
    fn new() -> Place {
        let dir = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        Place { dir, home, env: Vec::new() }
    }

    /// `GROVE_HOME`.
    fn grove_home(&self) -> PathBuf {
        self.home.path().join("grove")
    }

    fn cmd(&self) -> Command {
        let mut cmd = grove_cmd(self.dir.path(), self.home.path());
        cmd.env("GROVE_AUDIT_LOG", self.home.path().join("audit.jsonl"));
        cmd.env("GROVE_ENTERPRISE_POLICY", self.home.path().join("no-enterprise.toml"));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn grove(&self, args: &[&str]) -> Run {
        grove_with(self.cmd(), args, None)
    }

    /// The user's policy names 127.0.0.1, so grove's network rules let it
    /// reach a server on this machine.
    fn allow_loopback(&self) {
        std::fs::create_dir_all(self.grove_home()).unwrap();
        std::fs::write(self.grove_home().join("policy.toml"), "[hosts]\nallow = [\"127.0.0.1\"]\n").unwrap();
    }

    fn enterprise(&mut self, text: &str) {
        let path = self.home.path().join("enterprise.toml");
        std::fs::write(&path, text).unwrap();
        self.env.push(("GROVE_ENTERPRISE_POLICY".into(), path.display().to_string()));
    }

    fn lock(&self) -> String {
        std::fs::read_to_string(self.grove_home().join("skills.lock")).unwrap_or_default()
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.home.path().join("audit.jsonl")).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    /// Write `bytes` as a file in the workspace.
    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

fn leb(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The probe component with a `grove:manifest` section of its own put
/// first, which grove reads before the one the probe was built with: the
/// same code, published under another name, version or permissions.
fn probe_as(name: &str, version: &str, permissions: &[&str]) -> Vec<u8> {
    let bytes = std::fs::read(probe()).unwrap();
    let manifest = serde_json::json!({
        "name": name, "version": version, "summary": "the probe, republished",
        "permissions": permissions,
    })
    .to_string();
    let section_name = b"grove:manifest";
    let mut body = Vec::new();
    leb(section_name.len(), &mut body);
    body.extend_from_slice(section_name);
    body.extend_from_slice(manifest.as_bytes());
    let mut out = bytes[..8].to_vec();
    out.push(0);
    leb(body.len(), &mut out);
    out.extend_from_slice(&body);
    out.extend_from_slice(&bytes[8..]);
    out
}

/// An HTTP/1.1 server on 127.0.0.1 serving `files` by path (404 for
/// anything else), until the test ends.
fn serve(files: Vec<(String, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request).lines().next().unwrap_or_default().to_string();
            let path = line.split(' ').nth(1).unwrap_or_default().to_string();
            let found = files.iter().find(|(p, _)| *p == path);
            let (status, body) = match found {
                Some((_, body)) => ("200 OK", body.clone()),
                None => ("404 Not Found", b"not found".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/wasm\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}")
}

#[test]
fn install_from_a_path_shows_what_it_may_do_and_records_consent() {
    let place = Place::new();
    // Headless without --yes: shown, refused, nothing installed.
    let run = place.grove(&["skill", "install", probe()]).expect(2);
    assert!(run.stderr.contains("Install skill probe 0.1.0"), "{}", run.stderr);
    assert!(run.stderr.contains("no terminal to ask on") && run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(place.lock().is_empty());
    assert!(!place.grove_home().join("skills/probe.wasm").exists());

    let run = place.grove(&["skill", "install", probe(), "--yes"]).expect(0);
    let digest = sha256(&std::fs::read(probe()).unwrap());
    for shown in [
        "publisher:   unknown (not signed)",
        &format!("digest:      {digest}"),
        "manifest:    from its grove:manifest section",
        // Each permission with what it lets the skill call, from the verbs table.
        "process          process.{run, start,",
        "imports:\n    grove:skill/",
        "grove:skill/process@0.2.0",
    ] {
        assert!(run.stderr.contains(shown), "`{shown}` not shown:\n{}", run.stderr);
    }
    assert!(run.stdout.contains("installed probe 0.1.0"), "{}", run.stdout);
    let lock = place.lock();
    for pinned in [
        "name = \"probe\"",
        "version = \"0.1.0\"",
        &format!("digest = \"{digest}\""),
        "consent = \"--yes\"",
        "\"process\"",
        "\"grove:skill/process@0.2.0\"",
        "manifest = \"section\"",
    ] {
        assert!(lock.contains(pinned), "`{pinned}` not in the lock:\n{lock}");
    }
    let audit = place.audit();
    let line = audit
        .iter()
        .find(|r| r["capability"] == "skill" && r["verb"] == "install" && r["decision"] == "allow")
        .expect("audited");
    assert_eq!(line["decided_by"], "--yes");
    assert_eq!(line["skill_id"], format!("probe@{digest}"));
    assert!(line["permission"].as_str().unwrap().contains("process"), "{line}");
    // The refused attempt is audited too.
    assert!(audit.iter().any(|r| r["capability"] == "skill" && r["decision"] == "deny"), "{audit:?}");

    // It runs by name, listed as the lock pins it; the same bytes again
    // change nothing; removing it removes the file and the entry.
    let run = place.grove(&["run", "probe", "echo", "by", "name"]).expect(0);
    assert_eq!(run.stdout.trim(), "by name");
    let listed = place.grove(&["skill", "list", "--json"]).expect(0).json();
    assert_eq!(listed[0]["name"], "probe");
    assert_eq!(listed[0]["digest"], digest);
    let run = place.grove(&["skill", "install", probe()]).expect(0);
    assert!(run.stdout.contains("already installed"), "{}", run.stdout);
    place.grove(&["skill", "remove", "probe"]).expect(0);
    assert!(!place.lock().contains("probe"));
    place.grove(&["run", "probe", "echo", "x"]).expect(2);
}

#[test]
fn a_component_without_a_manifest_is_described_by_its_own_export() {
    let place = Place::new();
    let run = place.grove(&["skill", "install", grove_tests::BARE, "--yes"]).expect(0);
    assert!(
        run.stderr.contains("manifest:    from its describe export (no grove:manifest section)"),
        "{}",
        run.stderr
    );
    assert!(place.lock().contains("manifest = \"describe\""), "{}", place.lock());
}

#[test]
fn install_from_a_url_needs_its_digest_and_refuses_a_wrong_one() {
    let place = Place::new();
    place.allow_loopback();
    let bytes = std::fs::read(probe()).unwrap();
    let digest = sha256(&bytes);
    let base = serve(vec![("/skills/probe.wasm".into(), bytes.clone())]);
    let url = format!("{base}/skills/probe.wasm");

    let run = place.grove(&["skill", "install", &url, "--yes"]).expect(2);
    assert!(run.stderr.contains("#sha256="), "{}", run.stderr);

    let wrong = sha256(b"something else");
    let run = place.grove(&["skill", "install", &format!("{url}#sha256={}", &wrong[7..]), "--yes"]).expect(4);
    assert!(
        run.stderr.contains(&digest) && run.stderr.contains(&wrong),
        "names both digests: {}",
        run.stderr
    );
    assert!(place.lock().is_empty());

    let pinned = format!("{url}#sha256={}", &digest[7..]);
    place.grove(&["skill", "install", &pinned, "--yes"]).expect(0);
    assert!(place.lock().contains(&format!("source = \"{pinned}\"")), "{}", place.lock());
}

#[test]
fn a_url_is_fetched_under_the_network_rules() {
    // Without the policy naming 127.0.0.1, a loopback address is refused,
    // as it is to a skill's http call.
    let place = Place::new();
    let bytes = std::fs::read(probe()).unwrap();
    let base = serve(vec![("/p.wasm".into(), bytes.clone())]);
    let url = format!("{base}/p.wasm#sha256={}", &sha256(&bytes)[7..]);
    let run = place.grove(&["skill", "install", &url, "--yes"]).expect(5);
    assert!(run.stderr.contains("[hosts] allow = [\"127.0.0.1\"]"), "{}", run.stderr);
}

#[test]
fn install_from_a_real_oci_registry() {
    needs_registry!();
    let place = Place::new();
    place.allow_loopback();
    let registry = grove_tests::registry::Registry::start(place.home.path()).unwrap();
    let bytes = std::fs::read(probe()).unwrap();
    let src = registry.push("skills/probe:0.1.0", &bytes, None);
    let run = place.grove(&["skill", "install", &src, "--yes"]).expect(0);
    assert!(run.stdout.contains("installed probe 0.1.0"), "{}\n{}", run.stdout, run.stderr);
    assert!(place.lock().contains(&format!("source = \"{src}\"")), "{}", place.lock());
    assert!(place.lock().contains(&sha256(&bytes)), "{}", place.lock());
    let run = place.grove(&["run", "probe", "echo", "pulled"]).expect(0);
    assert_eq!(run.stdout.trim(), "pulled");

    // The tag moves to a newer version: listed as outdated, then updated
    // (its permissions are no wider, so it asks nothing).
    let newer = probe_as("probe", "0.2.0", &["workspace:read"]);
    registry.push("skills/probe:0.1.0", &newer, None);
    let outdated = place.grove(&["skill", "list", "--outdated", "--json"]).expect(0).json();
    assert_eq!(outdated[0]["latest"], sha256(&newer), "{outdated}");
    let run = place.grove(&["skill", "update", "probe"]).expect(0);
    assert!(run.stdout.contains("updated probe 0.1.0 → 0.2.0"), "{}\n{}", run.stdout, run.stderr);

    // Under a rule requiring signatures, the signature layer beside the
    // component is what lets it in; without it, it is refused.
    let mut signed = Place::new();
    signed.allow_loopback();
    let (key, public) = keygen(&signed, "acme");
    signed.enterprise(&format!(
        "[skills]\nrequire-signature = true\n[skills.publishers]\nacme = \"{public}\"\n"
    ));
    let component = signed.file("acme.wasm", &probe_as("acme-probe", "1.0.0", &[]));
    signed.grove(&["skill", "sign", &component, "--key", &key]).expect(0);
    let signature = std::fs::read_to_string(format!("{component}.minisig")).unwrap();
    let bytes = std::fs::read(&component).unwrap();
    let unsigned = registry.push("skills/acme-probe:unsigned", &bytes, None);
    let run = signed.grove(&["skill", "install", &unsigned, "--yes"]).expect(4);
    assert!(run.stderr.contains("requires a signature"), "{}", run.stderr);
    let src = registry.push("skills/acme-probe:1.0.0", &bytes, Some(&signature));
    let run = signed.grove(&["skill", "install", &src, "--yes"]).expect(0);
    assert!(run.stderr.contains("publisher:   acme (signature verified"), "{}", run.stderr);
}

#[test]
fn install_from_a_git_commit_and_never_a_branch() {
    let place = Place::new();
    let origin = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(origin.path()).unwrap();
    std::fs::create_dir_all(origin.path().join("dist")).unwrap();
    std::fs::copy(probe(), origin.path().join("dist/probe.wasm")).unwrap();
    let commit = grove_tests::commit_all(&repo, "publish probe");
    // A later commit changes the file: the pinned commit's bytes install.
    std::fs::write(origin.path().join("dist/probe.wasm"), b"not a component").unwrap();
    grove_tests::commit_all(&repo, "break it");
    let url = format!("git+file://{}", origin.path().display());

    let run = place.grove(&["skill", "install", &format!("{url}#main:dist/probe.wasm"), "--yes"]).expect(2);
    assert!(run.stderr.contains("not a full commit id"), "{}", run.stderr);
    let src = format!("{url}#{commit}:dist/probe.wasm");
    let run = place.grove(&["skill", "install", &src, "--yes"]).expect(0);
    assert!(run.stdout.contains("installed probe 0.1.0"), "{}\n{}", run.stdout, run.stderr);
    assert!(place.lock().contains(&sha256(&std::fs::read(probe()).unwrap())), "{}", place.lock());
}

#[test]
fn install_from_a_git_repository_over_https() {
    let place = Place::new();
    let served = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(work.path()).unwrap();
    std::fs::create_dir_all(work.path().join("dist")).unwrap();
    std::fs::copy(probe(), work.path().join("dist/probe.wasm")).unwrap();
    let commit = grove_tests::commit_all(&repo, "publish probe");
    let bare = served.path().join("skills.git");
    let cloned = std::process::Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(work.path())
        .arg(&bare)
        .status()
        .unwrap();
    assert!(cloned.success());
    let https = grove_tests::git_https::GitHttps::start(served.path());
    let src = format!("git+{}#{commit}:dist/probe.wasm", https.url("skills.git"));

    // The host rules of every remote source hold: an address on this
    // machine only when the policy names it.
    let mut cmd = place.cmd();
    cmd.env("GIT_SSL_CAINFO", https.ca_file());
    let run = grove_with(cmd, &["skill", "install", &src, "--yes"], None);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("127.0.0.1"), "{}", run.stderr);
    place.allow_loopback();

    // The user's git trusts the server's certificate, as it would a real host's.
    let mut cmd = place.cmd();
    cmd.env("GIT_SSL_CAINFO", https.ca_file());
    let run = grove_with(cmd, &["skill", "install", &src, "--yes"], None).expect(0);
    assert!(run.stdout.contains("installed probe 0.1.0"), "{}\n{}", run.stdout, run.stderr);
    assert!(place.lock().contains(&sha256(&std::fs::read(probe()).unwrap())), "{}", place.lock());

    // A certificate git does not trust is a clear failure, not an install.
    let other = Place::new();
    other.allow_loopback();
    let run = other.grove(&["skill", "install", &src, "--yes"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("certificate"), "{}", run.stderr);

    // git's program-running transports are never a source.
    let run = place.grove(&["skill", "install", &format!("git+ext::sh -c touch% /tmp/x#{commit}:p.wasm")]);
    assert!(run.stderr.contains("git+file://…, git+https://… or git+ssh://…"), "{}", run.stderr);
}

#[test]
fn a_wider_update_asks_again_and_a_narrower_one_does_not() {
    let place = Place::new();
    let v1 = place.file("v1.wasm", &probe_as("probe", "0.1.0", &["workspace:read", "ui"]));
    let v2 = place.file("v2.wasm", &probe_as("probe", "0.2.0", &["workspace:read", "ui", "process"]));
    let v3 = place.file("v3.wasm", &probe_as("probe", "0.3.0", &["workspace:read"]));
    place.grove(&["skill", "install", &v1, "--yes"]).expect(0);

    // Wider: headless refused, and --yes alone is not enough.
    let run = place.grove(&["skill", "install", &v2]).expect(2);
    assert!(run.stderr.contains("widens what it may do (permissions +process)"), "{}", run.stderr);
    assert!(run.stderr.contains("changes:     permissions +process"), "{}", run.stderr);
    let run = place.grove(&["skill", "install", &v2, "--yes"]).expect(2);
    assert!(run.stderr.contains("--yes alone does not accept a widening"), "{}", run.stderr);
    assert!(place.lock().contains("version = \"0.1.0\""), "{}", place.lock());
    place.grove(&["skill", "install", &v2, "--yes", "--accept-widening"]).expect(0);
    assert!(place.lock().contains("consent = \"--accept-widening\""), "{}", place.lock());

    // Narrower: installed without asking, headless.
    let run = place.grove(&["skill", "install", &v3]).expect(0);
    assert!(run.stdout.contains("updated probe 0.2.0 → 0.3.0"), "{}", run.stdout);
    assert!(place.lock().contains("consent = \"unchanged\""), "{}", place.lock());
    // And what was consented to is what a run gets: no process now.
    let run = place.grove(&["run", "probe", "run", "true"]).expect(1);
    assert!(run.stderr.contains("process"), "{}", run.stderr);

    // Going back to an older version is refused without --force.
    let run = place.grove(&["skill", "install", &v1, "--yes"]).expect(2);
    assert!(run.stderr.contains("older than the installed 0.3.0"), "{}", run.stderr);
}

#[test]
fn built_in_names_cannot_be_taken() {
    let place = Place::new();
    let impostor = place.file("agent.wasm", &probe_as("agent", "9.9.9", &[]));
    let run = place.grove(&["skill", "install", &impostor, "--yes"]).expect(2);
    assert!(run.stderr.contains("`agent` is the name of a built-in skill"), "{}", run.stderr);
    assert!(place.lock().is_empty());
}

#[test]
fn a_tampered_installed_file_is_refused_at_run_time() {
    let place = Place::new();
    place.grove(&["skill", "install", probe(), "--yes"]).expect(0);
    let installed = place.grove_home().join("skills/probe.wasm");
    // Still a valid component, but not the one consented to.
    let changed = probe_as("probe", "0.1.0", &["workspace:read", "process"]);
    std::fs::write(&installed, &changed).unwrap();
    let run = place.grove(&["run", "probe", "echo", "hi"]).expect(4);
    assert!(run.stderr.contains("the installed file was changed"), "{}", run.stderr);
    assert!(run.stderr.contains(&sha256(&changed)), "{}", run.stderr);
    // A file dropped in beside it without an install is refused too.
    std::fs::copy(probe(), place.grove_home().join("skills/dropped.wasm")).unwrap();
    let run = place.grove(&["run", "dropped", "echo", "hi"]).expect(4);
    assert!(run.stderr.contains("not in"), "{}", run.stderr);
}

/// A publisher's key pair made by `grove skill keygen`: (secret key path,
/// public key).
fn keygen(place: &Place, name: &str) -> (String, String) {
    let dir = place.home.path().join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    place.grove(&["skill", "keygen", name, "--dir", dir.to_str().unwrap()]).expect(0);
    let public = std::fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap().trim().to_string();
    (dir.join(format!("{name}.key")).display().to_string(), public)
}

#[test]
fn signatures_under_an_enterprise_policy() {
    let mut place = Place::new();
    let (acme_key, acme_pub) = keygen(&place, "acme");
    let (evil_key, evil_pub) = keygen(&place, "evil");
    let (_, stranger_pub) = keygen(&place, "stranger");
    let _ = stranger_pub;
    place.enterprise(&format!(
        "[skills]\nrequire-signature = true\nallow-publishers = [\"acme\"]\nallow-registries = [\"registry.acme.dev\"]\n\
         [skills.publishers]\nacme = \"{acme_pub}\"\nevil = \"{evil_pub}\"\n"
    ));

    // Unsigned: refused, naming the rule's file.
    let unsigned = place.file("unsigned.wasm", &std::fs::read(probe()).unwrap());
    let run = place.grove(&["skill", "install", &unsigned, "--yes"]).expect(4);
    assert!(
        run.stderr.contains("requires a signature") && run.stderr.contains("not signed"),
        "{}",
        run.stderr
    );

    // Signed by acme: installed, the publisher recorded.
    let good = place.file("good.wasm", &probe_as("good", "1.0.0", &[]));
    place.grove(&["skill", "sign", &good, "--key", &acme_key]).expect(0);
    let run = place.grove(&["skill", "install", &good, "--yes"]).expect(0);
    assert!(run.stderr.contains("publisher:   acme (signature verified"), "{}", run.stderr);
    assert!(place.lock().contains("publisher = \"acme\""), "{}", place.lock());

    // A byte changed after signing.
    let tampered = place.file("tampered.wasm", &probe_as("tampered", "1.0.0", &[]));
    place.grove(&["skill", "sign", &tampered, "--key", &acme_key]).expect(0);
    let mut bytes = std::fs::read(&tampered).unwrap();
    let at = bytes.windows(6).position(|w| w == b"summar").unwrap();
    bytes[at] = b'S';
    std::fs::write(&tampered, &bytes).unwrap();
    let run = place.grove(&["skill", "install", &tampered, "--yes"]).expect(4);
    assert!(run.stderr.contains("does not match the component"), "{}", run.stderr);
    assert!(run.stderr.contains(&sha256(&bytes)), "names the component's digest: {}", run.stderr);

    // A bad signature: another component's, beside this one.
    let other = place.file("other.wasm", &probe_as("other", "1.0.0", &[]));
    std::fs::copy(format!("{good}.minisig"), format!("{other}.minisig")).unwrap();
    let run = place.grove(&["skill", "install", &other, "--yes"]).expect(4);
    assert!(run.stderr.contains("does not match the component"), "{}", run.stderr);

    // A wrong key: signed by a key no publisher has.
    let (stranger_key, _) = keygen(&place, "stranger2");
    let unknown = place.file("unknown.wasm", &probe_as("unknown", "1.0.0", &[]));
    place.grove(&["skill", "sign", &unknown, "--key", &stranger_key, "--publisher", "acme"]).expect(0);
    let run = place.grove(&["skill", "install", &unknown, "--yes"]).expect(4);
    assert!(run.stderr.contains("which no trusted publisher has"), "{}", run.stderr);

    // A trusted key, but a publisher the enterprise does not list.
    let theirs = place.file("theirs.wasm", &probe_as("theirs", "1.0.0", &[]));
    place.grove(&["skill", "sign", &theirs, "--key", &evil_key]).expect(0);
    let run = place.grove(&["skill", "install", &theirs, "--yes"]).expect(4);
    assert!(run.stderr.contains("publisher evil is not allowed"), "{}", run.stderr);

    // A registry the enterprise does not list, whatever it serves.
    place.allow_loopback();
    let bytes = std::fs::read(&good).unwrap();
    let base = serve(vec![("/good.wasm".into(), bytes.clone())]);
    let url = format!("{base}/good.wasm#sha256={}", &sha256(&bytes)[7..]);
    let run = place.grove(&["skill", "install", &url, "--yes"]).expect(4);
    assert!(
        run.stderr.contains("the registry 127.0.0.1:") && run.stderr.contains("not allowed"),
        "{}",
        run.stderr
    );
    assert!(!place.lock().contains("tampered") && !place.lock().contains("theirs"), "{}", place.lock());
}

#[test]
fn a_repository_lists_the_skills_it_expects_and_grants_nothing() {
    let place = Place::new();
    let bytes = std::fs::read(probe()).unwrap();
    std::fs::create_dir_all(place.dir.path().join(".grove")).unwrap();
    std::fs::copy(probe(), place.dir.path().join("probe.wasm")).unwrap();
    std::fs::write(
        place.dir.path().join(".grove/skills.toml"),
        format!("[skills.probe]\nsource = \"probe.wasm\"\ndigest = \"{}\"\n", sha256(&bytes)),
    )
    .unwrap();
    // Still asks: headless without --yes is refused.
    let run = place.grove(&["skill", "install"]).expect(2);
    assert!(run.stderr.contains("Install skill probe"), "{}", run.stderr);
    place.grove(&["skill", "install", "--yes"]).expect(0);
    assert!(place.lock().contains("name = \"probe\""), "{}", place.lock());
    // A listing whose digest the file does not have is refused.
    std::fs::write(
        place.dir.path().join(".grove/skills.toml"),
        format!("[skills.probe]\nsource = \"probe.wasm\"\ndigest = \"{}\"\n", sha256(b"x")),
    )
    .unwrap();
    let run = place.grove(&["skill", "install", "--yes", "--force"]).expect(4);
    assert!(run.stderr.contains("not the sha256:"), "{}", run.stderr);
}

#[test]
fn on_a_terminal_it_asks_and_a_widening_asks_again() {
    let place = Place::new();
    let v1 = place.file("v1.wasm", &probe_as("probe", "0.1.0", &["workspace:read"]));
    let v2 = place.file("v2.wasm", &probe_as("probe", "0.2.0", &["workspace:read", "process"]));
    let grove = env!("CARGO_BIN_EXE_grove");
    let audit = place.home.path().join("audit.jsonl");
    let env = [("GROVE_AUDIT_LOG", audit.to_str().unwrap())];
    let command = format!("sh -c '{grove} skill install {v1}; echo EXIT=$?; sleep 60'");
    let tmux =
        crate::support::Tmux::start_with(place.dir.path(), place.home.path(), &command, (160, 48), &env);
    tmux.wait_for("Install it? [y/N]");
    tmux.type_text("y");
    tmux.keys(&["Enter"]);
    tmux.wait_for("EXIT=0");
    assert!(place.lock().contains("consent = \"terminal\""), "{}", place.lock());
    let line = place.audit().into_iter().find(|r| r["decision"] == "allow").expect("audited");
    assert_eq!(line["decided_by"], "human:terminal");

    let command = format!("sh -c '{grove} skill install {v2}; echo EXIT=$?; sleep 60'");
    let tmux =
        crate::support::Tmux::start_with(place.dir.path(), place.home.path(), &command, (160, 48), &env);
    let screen = tmux.wait_for("Consent to the wider access? [y/N]");
    assert!(screen.contains("changes:     permissions +process"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("EXIT=2");
    assert!(tmux.screen().contains("consent declined"), "{}", tmux.screen());
    assert!(place.lock().contains("version = \"0.1.0\""), "{}", place.lock());
}
