//! The `stats` built-in skill on a real repository.

use crate::support::grove;

#[test]
fn stats_counts_languages_churn_and_toolchains() {
    let repo = grove_tests::repo_with(&[
        ("Cargo.toml", "[package]\nname = \"x\"\n"),
        ("src/main.rs", "fn main() {\n\n    println!(\"hi\");\n}\n"),
        ("tools/gen.py", "print('a')\nprint('b')\n"),
        ("image.bin", "\0\0\0binary"),
    ]);
    let git = git2::Repository::open(repo.path()).unwrap();
    grove_tests::write(repo.path(), "src/main.rs", "fn main() {\n    println!(\"hello\");\n}\n");
    grove_tests::commit_all(&git, "second");

    let run = grove(repo.path(), &["run", "stats", "--json"]).expect(0);
    let json = run.json();
    let rust = json["languages"].as_array().unwrap().iter().find(|l| l["language"] == "Rust").unwrap();
    assert_eq!(rust["files"], 1);
    assert_eq!(rust["lines"], 3);
    let python = json["languages"].as_array().unwrap().iter().find(|l| l["language"] == "Python").unwrap();
    assert_eq!(python["lines"], 2);
    assert_eq!(json["totals"]["skipped"], 1, "the binary file is skipped: {json}");
    assert_eq!(json["churn"]["commits"], 2);
    assert_eq!(json["churn"]["top"][0]["path"], "src/main.rs");
    let cargo = json["commands"].as_array().unwrap().iter().find(|c| c["tool"] == "cargo").unwrap();
    assert_eq!(cargo["test"], "cargo test");
    assert!(cargo["version"].as_str().unwrap().starts_with("cargo "), "{cargo}");

    let run = grove(repo.path(), &["run", "stats"]).expect(0);
    assert!(
        run.stdout.starts_with("3 files, 7 lines in 3 languages; 2 commits by 1 author"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("| Rust "), "{}", run.stdout);
}

#[test]
fn stats_outside_git_and_with_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    grove_tests::write(dir.path(), "a.md", "# a\n");
    let run = grove(dir.path(), &["run", "stats", "--json"]).expect(0);
    assert!(run.json()["churn"].is_null());
    let run = grove(dir.path(), &["run", "stats", "--top", "many"]).expect(2);
    assert!(
        run.stderr.contains("--top") && run.stderr.contains("hint: usage: grove run stats"),
        "{}",
        run.stderr
    );
    let run = grove(dir.path(), &["run", "stats", "no-such-folder"]).expect(2);
    assert!(run.stderr.contains("no-such-folder"), "{}", run.stderr);
}
