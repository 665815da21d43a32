//! The clone detectors compared, each run on the tree as a user runs it and
//! read back as clone groups: `grove run simplify --json`, jscpd 4 (Node)
//! and jscpd 5.3 (a native binary). jscpd is installed from npm into a
//! cache folder on first use.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::recall::Group;
use super::tree::Copy;

/// Clone thresholds every tool gets: jscpd's defaults.
pub const MIN_LINES: &str = "5";
pub const MIN_TOKENS: &str = "50";

/// One tool, ready to run.
#[derive(Debug)]
pub struct Tool {
    pub name: String,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, PathBuf)>,
    /// Where jscpd writes its JSON report; grove prints to stdout.
    report_dir: Option<PathBuf>,
}

impl Tool {
    /// `grove run simplify --json` with a private home and component cache.
    pub fn grove(grove: &Path, home: &Path) -> Tool {
        let args = ["run", "simplify", "--json", "--min-lines", MIN_LINES, "--min-tokens", MIN_TOKENS];
        Tool {
            name: "grove simplify".into(),
            program: grove.to_path_buf(),
            args: args.map(String::from).to_vec(),
            env: vec![
                ("GROVE_HOME".into(), home.join("grove")),
                ("GROVE_CACHE_DIR".into(), home.join("cache")),
                ("XDG_STATE_HOME".into(), home.join("state")),
            ],
            report_dir: None,
        }
    }

    /// jscpd from `install`, reporting JSON into `out`, with `extra` flags.
    pub fn jscpd(install: &Install, out: &Path, extra: &[&str]) -> Tool {
        let mut args: Vec<String> = [
            "--min-lines",
            MIN_LINES,
            "--min-tokens",
            MIN_TOKENS,
            "--reporters",
            "json",
            "--output",
            &out.display().to_string(),
            "--ignore",
            "**/.git/**",
            "--silent",
        ]
        .map(String::from)
        .to_vec();
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(".".into());
        let flags = if extra.is_empty() { String::new() } else { format!(" {}", extra.join(" ")) };
        Tool {
            name: format!("jscpd {}{flags}", install.version),
            program: install.program.clone(),
            args,
            env: Vec::new(),
            report_dir: Some(out.to_path_buf()),
        }
    }

    fn command(&self, tree: &Path) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args).current_dir(tree).stdin(Stdio::null()).stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Run once, output discarded: what is timed.
    pub fn run(&self, tree: &Path) {
        let out = self.command(tree).stdout(Stdio::null()).output().expect("the tool starts");
        // grove's verdict fails when it finds clones: exit 1 is success here.
        assert!(out.status.code().is_some_and(|c| c <= 1), "{} failed: {}", self.name, stderr(&out.stderr));
    }

    /// Run once and read the clones it reported.
    pub fn clones(&self, tree: &Path) -> Vec<Group> {
        let out = self.command(tree).stdout(Stdio::piped()).output().expect("the tool starts");
        assert!(out.status.code().is_some_and(|c| c <= 1), "{} failed: {}", self.name, stderr(&out.stderr));
        match &self.report_dir {
            None => grove_groups(&out.stdout),
            Some(dir) => {
                jscpd_groups(&std::fs::read(dir.join("jscpd-report.json")).expect("jscpd wrote its report"))
            }
        }
    }
}

fn stderr(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(2000).collect()
}

fn grove_groups(stdout: &[u8]) -> Vec<Group> {
    let data: serde_json::Value = serde_json::from_slice(stdout).expect("grove printed JSON");
    let location = |l: &serde_json::Value| Copy {
        path: l["path"].as_str().expect("a path").to_string(),
        start: l["start_line"].as_u64().expect("a line") as u32,
        end: l["end_line"].as_u64().expect("a line") as u32,
    };
    data["clones"]
        .as_array()
        .expect("a clones array")
        .iter()
        .map(|c| c["locations"].as_array().expect("locations").iter().map(location).collect())
        .collect()
}

fn jscpd_groups(report: &[u8]) -> Vec<Group> {
    let data: serde_json::Value = serde_json::from_slice(report).expect("jscpd's report is JSON");
    let location = |f: &serde_json::Value| Copy {
        path: f["name"].as_str().expect("a name").trim_start_matches("./").to_string(),
        start: f["start"].as_u64().expect("a line") as u32,
        end: f["end"].as_u64().expect("a line") as u32,
    };
    data["duplicates"]
        .as_array()
        .expect("a duplicates array")
        .iter()
        .map(|d| vec![location(&d["firstFile"]), location(&d["secondFile"])])
        .collect()
}

/// An installed jscpd: the program to run and its version.
#[derive(Debug)]
pub struct Install {
    pub program: PathBuf,
    pub version: String,
}

/// `jscpd@spec` from npm, installed under `cache/<spec>` unless it is
/// there already. jscpd 5 is a native binary behind a Node launcher; the
/// binary is run directly, so Node's start-up is not counted against it.
pub fn install_jscpd(spec: &str, cache: &Path) -> Result<Install, String> {
    let prefix = cache.join(spec);
    let modules = prefix.join("node_modules");
    if !modules.join("jscpd/package.json").exists() {
        std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
        let status = Command::new("npm")
            .args(["install", "--prefix"])
            .arg(&prefix)
            .args([&format!("jscpd@{spec}"), "--no-audit", "--no-fund", "--silent"])
            .status()
            .map_err(|e| format!("npm is needed to install jscpd@{spec}: {e}"))?;
        if !status.success() {
            return Err(format!("npm install jscpd@{spec} failed"));
        }
    }
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(modules.join("jscpd/package.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let version = manifest["version"].as_str().unwrap_or("?").to_string();
    let native = std::fs::read_dir(&modules)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("jscpd-linux-"))
        .map(|e| e.path().join("bin/jscpd"));
    let program = match native {
        Some(binary) if binary.exists() => binary,
        _ if version.starts_with('5') => {
            return Err(format!("jscpd {version} has no binary for this machine"));
        }
        _ => modules.join(".bin/jscpd"),
    };
    Ok(Install { program, version })
}
