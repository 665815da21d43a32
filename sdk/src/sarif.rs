//! Pieces every skill that writes SARIF 2.1.0 (the format code-scanning
//! services read) needs the same way.

/// The `$schema` of a SARIF 2.1.0 log.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `version` of a SARIF 2.1.0 log.
pub const VERSION: &str = "2.1.0";

/// A workspace path as the relative URI reference an `artifactLocation`
/// holds: every byte outside the unreserved set (and `/`) percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(super::uri("src/my file.rs"), "src/my%20file.rs");
        assert_eq!(super::uri("a/ü#?.py"), "a/%C3%BC%23%3F.py");
        assert_eq!(super::uri("plain/path-1_2.~x"), "plain/path-1_2.~x");
    }
}
