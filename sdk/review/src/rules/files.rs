//! Whole files: large files and binary files added. A repository keeps
//! every version of them forever, so they are worth a deliberate "yes".

use crate::input::File;
use crate::paths;
use crate::review::{Finding, Severity};

pub const LARGE: &str = "files/large";
pub const BINARY: &str = "files/binary";

/// Larger than this is a large file.
pub const LARGE_BYTES: u64 = 1 << 20;

/// Binaries that are build output or archives rather than assets:
/// usually added by mistake.
const BUILD_OUTPUT: &[&str] = &[
    "exe", "dll", "so", "dylib", "a", "o", "obj", "lib", "class", "jar", "war", "pyc", "pyo", "whl", "zip",
    "tar", "gz", "tgz", "bz2", "xz", "7z", "rar", "iso", "dmg", "deb", "rpm", "apk", "bin",
];

pub fn check(file: &File<'_>, out: &mut Vec<Finding>) {
    if file.diff.is_deleted() {
        return;
    }
    let path = file.path();
    let size = file.size.unwrap_or_else(|| text_size(file));
    let grew = file.is_new() || file.diff.binary;
    if grew && size > LARGE_BYTES {
        out.push(Finding::new(
            path,
            None,
            Severity::Warning,
            LARGE,
            format!(
                "{} {}: git keeps every version forever; consider Git LFS or leaving it out",
                mib(size),
                if file.is_new() { "file added" } else { "binary file changed" }
            ),
        ));
    }
    if file.is_new() && file.diff.binary {
        let ext = paths::extension(&paths::file_name(path).to_ascii_lowercase()).to_string();
        let (severity, why) = if BUILD_OUTPUT.contains(&ext.as_str()) {
            (Severity::Warning, "build output or an archive: is it meant to be committed?")
        } else {
            (Severity::Info, "check that it belongs in the repository")
        };
        out.push(Finding::new(path, None, severity, BINARY, format!("binary file added: {why}")));
    }
}

/// The bytes of a new text file, from its added lines (line endings
/// counted as one byte): no need to ask the host for its size.
fn text_size(file: &File<'_>) -> u64 {
    if !file.is_new() {
        return 0;
    }
    file.diff.added().map(|l| l.text.len() as u64 + 1).sum()
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Changes;
    use crate::review::Reviewer;
    use crate::rules::Rules;

    const BINARIES: &str = "diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..abcdef0
Binary files /dev/null and b/logo.png differ
diff --git a/dist/app.zip b/dist/app.zip
new file mode 100644
index 0000000..abcdef0
Binary files /dev/null and b/dist/app.zip differ
diff --git a/old.png b/old.png
index 1111111..2222222 100644
Binary files a/old.png and b/old.png differ
";

    fn run(text: &str, size: impl Fn(&str) -> Option<u64>) -> Vec<(String, &'static str, Severity)> {
        let diff = grove_diff::parse(text);
        let changes = Changes::new(&diff, |f| size(&f.path));
        let mut found: Vec<_> = Rules
            .review(&changes)
            .into_iter()
            .filter(|f| f.rule == LARGE || f.rule == BINARY)
            .map(|f| (f.path, f.rule, f.severity))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn binary_and_large_files() {
        let found = run(BINARIES, |path| Some(if path == "dist/app.zip" { 3 << 20 } else { 2048 }));
        assert_eq!(
            found,
            [
                ("dist/app.zip".into(), BINARY, Severity::Warning),
                ("dist/app.zip".into(), LARGE, Severity::Warning),
                ("logo.png".into(), BINARY, Severity::Info),
            ]
        );
    }

    #[test]
    fn large_text_files_are_measured_from_the_diff() {
        let line = "x".repeat(1023);
        let text = crate::input::fixtures::new_file("data/big.csv", &format!("{line}\n").repeat(1100));
        assert_eq!(run(&text, |_| None), [("data/big.csv".into(), LARGE, Severity::Warning)]);
        let small = crate::input::fixtures::new_file("data/small.csv", "a,b\n");
        assert!(run(&small, |_| None).is_empty());
    }
}
