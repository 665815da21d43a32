//! Diffs as libgit2 prints them for `git::diff`.

use super::*;

const MIXED: &str = "\
diff --git a/src/lib.rs b/src/lib.rs
index 83db48f..bf269f4 100644
--- a/src/lib.rs
+++ b/src/lib.rs
@@ -1,4 +1,5 @@
 fn a() {}
-fn b() {}
+fn b() { todo() }
+fn c() {}
 
 fn d() {}
@@ -10,2 +11,2 @@ mod tests {
-    old();
+    new();
     more();
diff --git a/notes/new.md b/notes/new.md
new file mode 100644
index 0000000..e69de29
--- /dev/null
+++ b/notes/new.md
@@ -0,0 +1,2 @@
+# New
+--- not a header
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index e69de29..0000000
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/old name.py b/new name.py
similarity index 90%
rename from old name.py
rename to new name.py
index 1111111..2222222 100644
--- a/old name.py\t
+++ b/new name.py\t
@@ -3 +3 @@ def f():
-    return 1
+    return 2
\\ No newline at end of file
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..abcdef0
Binary files /dev/null and b/logo.png differ
diff --git a/empty.txt b/empty.txt
new file mode 100644
index 0000000..e69de29
";

#[test]
fn files_statuses_and_paths() {
    let diff = parse(MIXED);
    let summary: Vec<_> =
        diff.files.iter().map(|f| (f.path.as_str(), f.old_path.as_deref(), f.status, f.binary)).collect();
    assert_eq!(
        summary,
        [
            ("src/lib.rs", None, Status::Modified, false),
            ("notes/new.md", None, Status::Added, false),
            ("gone.txt", None, Status::Deleted, false),
            ("new name.py", Some("old name.py"), Status::Renamed, false),
            ("logo.png", None, Status::Added, true),
            ("empty.txt", None, Status::Added, false),
        ]
    );
}

#[test]
fn line_numbers_in_the_new_file() {
    let diff = parse(MIXED);
    let lib = &diff.files[0];
    let added: Vec<_> = lib.added().map(|l| (l.new, l.text)).collect();
    assert_eq!(added, [(2, "fn b() { todo() }"), (3, "fn c() {}"), (11, "    new();")]);
    let removed: Vec<_> =
        lib.lines().filter(|l| l.kind == Kind::Removed).map(|l| (l.old, l.new, l.text)).collect();
    assert_eq!(removed, [(2, 2, "fn b() {}"), (10, 11, "    old();")]);
    assert_eq!(lib.hunks[1].section, "mod tests {");
    let context: Vec<_> =
        lib.lines().filter(|l| l.kind == Kind::Context).map(|l| (l.old, l.new, l.text)).collect();
    assert_eq!(context, [(1, 1, "fn a() {}"), (3, 4, ""), (4, 5, "fn d() {}"), (11, 12, "    more();")]);
    assert_eq!((lib.additions(), lib.deletions()), (3, 2));
}

#[test]
fn content_that_looks_like_a_header_is_content() {
    let diff = parse(MIXED);
    let new: Vec<_> = diff.files[1].added().map(|l| (l.new, l.text)).collect();
    assert_eq!(new, [(1, "# New"), (2, "--- not a header")]);
    let renamed: Vec<_> = diff.files[3].changed().map(|l| (l.kind, l.new, l.text)).collect();
    assert_eq!(renamed, [(Kind::Removed, 3, "    return 1"), (Kind::Added, 3, "    return 2")]);
    assert!(diff.files[2].is_deleted());
    assert_eq!(diff.files[2].deletions(), 1);
}

#[test]
fn crlf_and_no_newline_markers() {
    let text = "diff --git a/w.bat b/w.bat\n--- a/w.bat\n+++ b/w.bat\n@@ -1 +1,2 @@\n-echo a\r\n\\ No newline at end of file\n+echo b\r\n+echo c\r\n";
    let diff = parse(text);
    let added: Vec<_> = diff.files[0].added().map(|l| l.text).collect();
    assert_eq!(added, ["echo b", "echo c"]);
}

#[test]
fn a_short_hunk_ends_at_the_next_file() {
    // The counts promise three lines; the next file starts after one.
    let text = "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,3 +1,3 @@\n+x\ndiff --git a/b b/b\n--- a/b\n+++ b/b\n@@ -0,0 +1 @@\n+y\n";
    let diff = parse(text);
    assert_eq!(diff.files.len(), 2);
    assert_eq!(diff.files[1].added().next().map(|l| l.text), Some("y"));
}

#[test]
fn empty_and_junk_input() {
    assert!(parse("").files.is_empty());
    assert!(parse("warning: something\n").files.is_empty());
    assert!(diff_file_lookup());
}

fn diff_file_lookup() -> bool {
    let diff = parse(MIXED);
    diff.file("logo.png").is_some_and(|f| f.binary) && diff.file("nope").is_none()
}

#[test]
fn a_large_diff_parses_quickly() {
    let mut text = String::from(
        "diff --git a/big.txt b/big.txt\nnew file mode 100644\n--- /dev/null\n+++ b/big.txt\n@@ -0,0 +1,100000 @@\n",
    );
    for i in 0..100_000 {
        text.push_str(&format!("+line {i}\n"));
    }
    let started = std::time::Instant::now();
    let diff = parse(&text);
    assert_eq!(diff.files[0].additions(), 100_000);
    assert_eq!(diff.files[0].added().last().map(|l| l.new), Some(100_000));
    // Generous: a debug build on a busy machine.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
