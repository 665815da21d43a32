//! Which language a file is written in, by `grove_sdk::lang`, with one
//! bucket for the files it does not know.

/// The bucket for files no rule recognizes. It is listed like a language
/// but not counted as one in the summary.
pub const OTHER: &str = "Other";

/// The language of the file at `path` (workspace-relative, `/`-separated),
/// whose contents begin with `head`.
pub fn detect(path: &str, head: &[u8]) -> &'static str {
    grove_sdk::lang::detect(path, head).unwrap_or(OTHER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_files_are_other() {
        assert_eq!(detect("src/main.rs", b""), "Rust");
        assert_eq!(detect("Cargo.lock", b""), OTHER);
        assert_eq!(detect("tool", b"#!/opt/unknown"), OTHER);
    }
}
