//! The `simplify` built-in skill on real repositories: planted clones
//! found and ranked, the verdict as exit code, SARIF that validates against
//! the SARIF 2.1.0 schema, and scans limited to a folder or to a change.

use serde_json::Value;

use crate::support::grove;

/// Copied verbatim between two Rust files: an exact clone of 12 lines.
const CHECKSUM: &str = "pub fn checksum(data: &[u8], seed: u32) -> u32 {
    let mut hash = seed ^ 0x811c_9dc5;
    for (i, byte) in data.iter().enumerate() {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
        if i % 64 == 63 {
            hash = hash.rotate_left(7);
        }
    }
    let tail = data.len() as u32;
    hash ^ tail.wrapping_mul(31)
}
";

/// Copied verbatim between two JavaScript files: the largest clone, 19 lines.
const SUMMARIZE: &str = "export function summarize(orders, currency) {
  const totals = new Map();
  let count = 0;
  for (const order of orders) {
    if (order.status === 'cancelled') {
      continue;
    }
    const key = order.customer.trim().toLowerCase();
    const previous = totals.get(key) || 0;
    totals.set(key, previous + order.amount);
    count += 1;
  }
  const lines = [];
  for (const [customer, amount] of totals) {
    lines.push(`${customer}: ${amount.toFixed(2)} ${currency}`);
  }
  lines.sort();
  return { count, lines };
}
";

/// One Python function, and the same with every local name and a literal
/// changed: a renamed clone of 10 lines.
const NORMALIZE: &str = "def normalize_scores(scores, floor):
    total = 0
    for name, value in scores.items():
        if value < floor:
            value = floor
        total += value
    result = {}
    for name, value in scores.items():
        result[name] = max(value, floor) / total
    return result
";
const CLAMP: &str = "def clamp_ratings(ratings, minimum):
    acc = 0.0
    for key, val in ratings.items():
        if val < minimum:
            val = minimum
        acc += val
    out = {}
    for key, val in ratings.items():
        out[key] = max(val, minimum) / acc
    return out
";

fn cloned_repo() -> tempfile::TempDir {
    grove_tests::repo_with(&[
        ("Cargo.toml", "[package]\nname = \"x\"\n"),
        ("src/a.rs", &format!("use std::fmt;\n\n{CHECKSUM}\npub fn other() -> u8 {{\n    1\n}}\n")),
        ("src/b.rs", &format!("// Copied.\n\nstruct Wrapper(u32);\n\n{CHECKSUM}")),
        ("web/report.js", &format!("// Reports.\n{SUMMARIZE}")),
        ("web/legacy.js", &format!("import x from 'y';\n\n\n{SUMMARIZE}\nexport const n = 1;\n")),
        ("py/scores.py", NORMALIZE),
        ("py/ratings.py", &format!("\"\"\"Ratings.\"\"\"\n\n\n{CLAMP}")),
        ("README.md", "# clones\n"),
    ])
}

/// `(path, start_line, end_line)` of each location of a clone.
fn locations(clone: &Value) -> Vec<(String, u64, u64)> {
    clone["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["path"].as_str().unwrap().to_string(),
                l["start_line"].as_u64().unwrap(),
                l["end_line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn at(path: &str, start: u64, end: u64) -> (String, u64, u64) {
    (path.to_string(), start, end)
}

#[test]
fn finds_exact_and_renamed_clones_largest_first() {
    let repo = cloned_repo();
    let run = grove(repo.path(), &["run", "simplify", "--json"]).expect(1);
    let json = run.json();
    let clones = json["clones"].as_array().unwrap();
    assert_eq!(clones.len(), 3, "{json:#}");

    assert_eq!(clones[0]["kind"], "exact");
    assert_eq!(clones[0]["language"], "JavaScript");
    assert_eq!(locations(&clones[0]), [at("web/legacy.js", 4, 22), at("web/report.js", 2, 20)]);
    assert_eq!(clones[0]["lines"], 19);

    assert_eq!(clones[1]["kind"], "exact");
    assert_eq!(locations(&clones[1]), [at("src/a.rs", 3, 14), at("src/b.rs", 5, 16)]);
    assert!(clones[1]["fragment"].as_str().unwrap().starts_with("pub fn checksum"), "{}", clones[1]);

    assert_eq!(clones[2]["kind"], "renamed");
    assert_eq!(locations(&clones[2]), [at("py/ratings.py", 4, 13), at("py/scores.py", 1, 10)]);
    assert!(clones[2]["tokens"].as_u64().unwrap() >= 50);

    let summary = &json["summary"];
    assert_eq!(summary["clones"], 3);
    assert_eq!(summary["exact_clones"], 2);
    assert_eq!(summary["renamed_clones"], 1);
    assert_eq!(summary["duplicated_lines"], 19 + 12 + 10);
    assert_eq!(summary["findings"], 3);
    assert_eq!(summary["files"], 6);
    assert_eq!(json["dead_code"], serde_json::json!([]));

    // The same for a person: a summary line, then the report.
    let run = grove(repo.path(), &["run", "simplify"]).expect(1);
    assert!(run.stdout.starts_with("3 clones (41 duplicated lines) in 6 files"), "{}", run.stdout);
    assert!(run.stdout.contains("### 1. 19 lines × 2 copies, exact (JavaScript"), "{}", run.stdout);
    assert!(run.stdout.contains("- `py/scores.py:1-10`"), "{}", run.stdout);
}

#[test]
fn thresholds_decide_what_is_a_clone() {
    let repo = cloned_repo();
    // Only the JavaScript clone is 15 lines or more.
    let run = grove(repo.path(), &["run", "simplify", "--json", "--min-lines", "15"]).expect(1);
    let clones = run.json()["clones"].as_array().unwrap().clone();
    assert_eq!(clones.len(), 1);
    assert_eq!(clones[0]["language"], "JavaScript");
    // No clone has 500 tokens: a passing verdict.
    let run = grove(repo.path(), &["run", "simplify", "--json", "--min-tokens", "500"]).expect(0);
    assert_eq!(run.json()["summary"]["findings"], 0);
}

#[test]
fn a_clean_repository_passes() {
    let repo = grove_tests::repo_with(&[
        (
            "src/main.rs",
            "fn main() {\n    println!(\"{}\", greeting(\"you\"));\n}\n\nfn greeting(name: &str) -> String {\n    format!(\"hello, {name}\")\n}\n",
        ),
        (
            "tools/gen.py",
            "import sys\n\n\ndef main():\n    print(sys.argv)\n\n\nif __name__ == \"__main__\":\n    main()\n",
        ),
    ]);
    let run = grove(repo.path(), &["run", "simplify", "--json"]).expect(0);
    let json = run.json();
    assert_eq!(json["summary"]["findings"], 0, "{json:#}");
    assert_eq!(json["summary"]["files"], 2);
    let run = grove(repo.path(), &["run", "simplify"]).expect(0);
    assert!(
        run.stdout.starts_with("No duplicated code, dead code, long or deeply nested functions in 2 files"),
        "{}",
        run.stdout
    );
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let repo = cloned_repo();
    grove_tests::write(repo.path(), "go/util.go", "package util\n\nfunc helper() int {\n\treturn 1\n}\n");
    let run = grove(repo.path(), &["run", "simplify", "--json", "--sarif"]).expect(1);
    let sarif = run.json();

    let schema_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:#?}\n{sarif:#}");

    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(rules, ["simplify/clone", "simplify/clone", "simplify/clone", "simplify/dead-code"]);
    let first = &results[0];
    let place = &first["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "web/legacy.js");
    assert_eq!(place["region"], serde_json::json!({"startLine": 4, "endLine": 22}));
    let other = &first["relatedLocations"][0]["physicalLocation"];
    assert_eq!(other["artifactLocation"]["uri"], "web/report.js");
    assert_eq!(other["region"], serde_json::json!({"startLine": 2, "endLine": 20}));
    assert_eq!(results[3]["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
}

#[test]
fn dead_code_long_and_deeply_nested_functions() {
    let mut seed = 11u32;
    let long_body: String = (0..90)
        .map(|i| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            format!("    let v{i} = {};\n", vec!["x"; (seed >> 16) as usize % 5 + 1].join(" * "))
        })
        .collect();
    let deep = "export function deep(a) {\n  if (a) {\n    for (const b of a) {\n      while (b) {\n        if (b.c) {\n          \
                try {\n            b.d();\n          } catch (e) {}\n        }\n      }\n    }\n  }\n}\n";
    let repo = grove_tests::repo_with(&[
        (
            "go/util.go",
            "package util\n\nfunc helper() int {\n\treturn 1\n}\n\nfunc Used() int {\n\treturn 2\n}\n",
        ),
        ("py/app.py", "from pkg import used\n\nused.run()\n"),
        ("py/pkg/__init__.py", ""),
        (
            "py/pkg/used.py",
            "def run():\n    return _step()\n\n\ndef _step():\n    return 1\n\n\ndef _unused():\n    return 2\n",
        ),
        ("py/pkg/orphan.py", "def lonely():\n    return 3\n"),
        ("src/long.rs", &format!("pub fn long(x: u64) -> u64 {{\n{long_body}    x\n}}\n")),
        ("web/deep.js", deep),
    ]);
    let run = grove(repo.path(), &["run", "simplify", "--json"]).expect(1);
    let json = run.json();
    let dead: Vec<(String, String, u64)> = json["dead_code"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().into(),
                format!("{}:{}", d["path"].as_str().unwrap(), d["name"].as_str().unwrap()),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        dead,
        [
            ("function".into(), "go/util.go:helper".into(), 3),
            ("file".into(), "py/pkg/orphan.py:orphan.py".into(), 1),
            ("function".into(), "py/pkg/used.py:_unused".into(), 9),
        ],
        "{json:#}"
    );
    let long = json["long_functions"].as_array().unwrap();
    assert_eq!(long.len(), 1, "{json:#}");
    assert_eq!((long[0]["name"].as_str(), long[0]["lines"].as_u64()), (Some("long"), Some(93)));
    let deep = json["deep_nesting"].as_array().unwrap();
    assert_eq!(deep.len(), 1, "{json:#}");
    assert_eq!(
        (deep[0]["name"].as_str(), deep[0]["depth"].as_u64(), deep[0]["depth_line"].as_u64()),
        (Some("deep"), Some(5), Some(6))
    );
    // Looser limits: nothing is too long or too deep any more.
    let run = grove(repo.path(), &["run", "simplify", "--json", "--max-lines", "100", "--max-depth", "5"])
        .expect(1);
    let json = run.json();
    assert_eq!(
        (json["summary"]["long_functions"].as_u64(), json["summary"]["deep_nesting"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn a_folder_or_a_change_limits_the_report() {
    let repo = cloned_repo();
    // PATH: only the clone inside `web`.
    let run = grove(repo.path(), &["run", "simplify", "--json", "web"]).expect(1);
    let json = run.json();
    assert_eq!(json["root"], "web");
    assert_eq!(json["clones"].as_array().unwrap().len(), 1);
    assert_eq!(json["summary"]["files"], 2);

    // Nothing changed since the commit: nothing to report.
    let run = grove(repo.path(), &["run", "simplify", "--json", "--diff"]).expect(0);
    assert_eq!(run.json()["summary"]["findings"], 0);
    // A new file copying committed code: only that clone is reported.
    grove_tests::write(repo.path(), "src/c.rs", &format!("// Again.\n{CHECKSUM}"));
    let run = grove(repo.path(), &["run", "simplify", "--json", "--diff"]).expect(1);
    let json = run.json();
    assert_eq!(json["diff"], "HEAD");
    let clones = json["clones"].as_array().unwrap();
    assert_eq!(clones.len(), 1, "{json:#}");
    let paths: Vec<String> = locations(&clones[0]).into_iter().map(|l| l.0).collect();
    assert_eq!(paths, ["src/a.rs", "src/b.rs", "src/c.rs"]);
    let run = grove(repo.path(), &["run", "simplify", "--json", "--diff=HEAD"]).expect(1);
    assert_eq!(run.json()["clones"].as_array().unwrap().len(), 1);
    let run = grove(repo.path(), &["run", "simplify", "--diff", "no-such-ref"]).expect(1);
    assert!(run.stderr.contains("no-such-ref"), "{}", run.stderr);
}

#[test]
fn bad_arguments_say_what_is_wrong() {
    let repo = cloned_repo();
    let d = repo.path();
    let run = grove(d, &["run", "simplify", "--min-lines", "many"]).expect(2);
    assert!(
        run.stderr.contains("--min-lines") && run.stderr.contains("hint: usage: grove run simplify"),
        "{}",
        run.stderr
    );
    let run = grove(d, &["run", "simplify", "--max-depth", "0"]).expect(2);
    assert!(run.stderr.contains("--max-depth must be between 1"), "{}", run.stderr);
    let run = grove(d, &["run", "simplify", "--frobnicate"]).expect(2);
    assert!(run.stderr.contains("--frobnicate"), "{}", run.stderr);
    let run = grove(d, &["run", "simplify", "no-such-folder"]).expect(2);
    assert!(run.stderr.contains("no folder no-such-folder"), "{}", run.stderr);
    let run = grove(d, &["run", "simplify", "--sarif"]).expect(2);
    assert!(run.stderr.contains("--json --sarif"), "{}", run.stderr);
}

#[test]
fn in_a_session_a_bare_diff_means_the_sessions_whole_work() {
    use crate::support::{grove_cmd, grove_with, wait_final};
    let repo =
        grove_tests::repo_with(&[("src/a.rs", &format!("{CHECKSUM}\npub fn one() -> u8 {{\n    1\n}}\n"))]);
    let home = tempfile::tempdir().unwrap();
    let cmd = || grove_cmd(repo.path(), home.path());
    let out = grove_with(cmd(), &["new", "copy", "--skill", "hello", "--json"], None).expect(0);
    let worktree = std::path::PathBuf::from(out.json()["path"].as_str().unwrap());
    wait_final(cmd, "copy");
    // The session copies the function and commits: nothing is left uncommitted.
    grove_tests::write(&worktree, "src/b.rs", CHECKSUM);
    grove_tests::commit_all(&git2::Repository::open(&worktree).unwrap(), "copy checksum");

    let run =
        grove_with(cmd(), &["run", "simplify", "--session", "copy", "--json", "--diff"], None).expect(1);
    let json = run.json();
    let clones = json["clones"].as_array().unwrap();
    assert_eq!(clones.len(), 1, "{json:#}");
    assert!(locations(&clones[0]).iter().any(|(path, ..)| path == "src/b.rs"), "{json:#}");
    // The user's checkout has neither the copy nor a change.
    grove_with(cmd(), &["run", "simplify", "--json", "--diff"], None).expect(0);
}
