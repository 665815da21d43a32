//! Long random-looking strings: the secrets no format describes.
//!
//! A string literal is cut into runs of base64 characters; a run of at
//! least 20 that mixes upper case, lower case and digits, and whose
//! Shannon entropy per character is near what random base64 of that
//! length has, is reported. Hex runs never are: a secret in hex cannot be
//! told from a git id, a sha256 digest or a UUID, and those are far more
//! common (a hex secret with a secret-looking name is caught as a literal
//! assignment instead). Lockfiles, subresource-integrity values, data
//! URIs and values of hash-like keys are left alone.

use super::text::{self, redact};
use crate::input::{Added, File};
use crate::paths;
use crate::review::{Finding, Severity};

pub const HIGH_ENTROPY: &str = "secrets/high-entropy";

/// Shortest run worth judging: shorter random strings are too common
/// (ids, short hashes) and their entropy says too little.
pub const MIN_LEN: usize = 20;

/// Names whose values are hashes, ids or versions, not secrets.
const HASH_KEYS: &[&str] = &[
    "integrity",
    "hash",
    "digest",
    "checksum",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "etag",
    "commit",
    "rev",
    "revision",
    "fingerprint",
    "nonce",
    "id",
    "uuid",
    "guid",
    "version",
    "resolved",
];

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}

/// The entropy a run of `len` characters must reach: about the 5th
/// percentile of random base64 strings of that length (a short string
/// cannot use all 64 symbols, so the bar rises with length), capped at
/// 4.5 bits.
pub fn threshold(len: usize) -> f64 {
    (0.8 * (len as f64).log2() + 0.3).min(4.5)
}

/// Whether a run of base64 characters looks random enough to be a secret.
pub fn is_random(token: &str) -> bool {
    let t = token.trim_end_matches('=');
    if t.len() < MIN_LEN {
        return false;
    }
    let b = t.as_bytes();
    // Hex with or without dashes: git ids, digests, UUIDs.
    if b.iter().all(|c| c.is_ascii_hexdigit() || *c == b'-') {
        return false;
    }
    // Subresource integrity (`sha512-…`) and the like.
    if ["sha1-", "sha256-", "sha384-", "sha512-", "md5-"].iter().any(|p| t.starts_with(p)) {
        return false;
    }
    let mixed = b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
        && b.iter().any(u8::is_ascii_digit);
    mixed && !has_sequence(b) && entropy(t) >= threshold(t.len())
}

/// Six characters in a row that follow each other (`abcdef`, `012345`):
/// an alphabet or a test pattern, which random strings almost never hold.
fn has_sequence(b: &[u8]) -> bool {
    const RUN: usize = 6;
    b.windows(RUN).any(|w| w.windows(2).all(|p| p[1] == p[0].wrapping_add(1)))
}

/// Runs of base64 (and base64url) characters.
fn runs(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=_-".contains(c))).filter(|r| r.len() >= MIN_LEN)
}

/// Check one added line (called when no more specific secret rule hit it).
pub fn check_line(file: &File<'_>, added: &Added<'_>, out: &mut Vec<Finding>) {
    let line = added.text();
    if paths::holds_hashes(file.path()) {
        return;
    }
    let mut values: Vec<(Option<&str>, &str)> =
        text::literals(line).into_iter().map(|l| (text::key_before(line, l.start), l.value)).collect();
    if file.lang.unquoted_values()
        && let Some((key, value)) = line.split_once(['=', ':'])
    {
        values.push((Some(key.trim()), value.trim()));
    }
    for (key, value) in values {
        if value.contains("base64,") || key.is_some_and(is_hash_key) {
            continue;
        }
        if let Some(run) = runs(value).find(|r| is_random(r)) {
            let severity = if added.test { Severity::Warning.softened() } else { Severity::Warning };
            out.push(Finding::new(
                file.path(),
                Some(added.number()),
                severity,
                HIGH_ENTROPY,
                format!(
                    "random-looking string `{}` ({} characters, {:.1} bits each): a secret? If not, mark the line `grove:ignore`",
                    redact(run),
                    run.len(),
                    entropy(run)
                ),
            ));
            return;
        }
    }
}

fn is_hash_key(key: &str) -> bool {
    text::words(key).last().is_some_and(|w| HASH_KEYS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::line_hits;

    /// A small deterministic generator, so the thresholds are tested on
    /// the same "random" strings every run.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn string(&mut self, alphabet: &[u8], len: usize) -> String {
            (0..len).map(|_| alphabet[(self.next() as usize) % alphabet.len()] as char).collect()
        }
    }

    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const HEX: &[u8] = b"0123456789abcdef";

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
        assert!((entropy("0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn thresholds_rise_with_length_then_cap() {
        assert!(threshold(20) < threshold(32));
        assert!(threshold(32) < threshold(40));
        assert_eq!(threshold(64), 4.5);
        assert_eq!(threshold(1000), 4.5);
    }

    #[test]
    fn random_base64_is_caught_at_every_length() {
        let mut rng = Lcg(7);
        for len in [20, 24, 32, 40, 64] {
            let caught = (0..500).filter(|_| is_random(&rng.string(BASE64, len))).count();
            // Some random strings lack a digit or an upper-case letter, and
            // a few are unusually repetitive: most are caught all the same.
            let floor = if len < 24 { 300 } else { 400 };
            assert!(caught >= floor, "{len}: {caught} of 500");
        }
        assert!(!is_random(&rng.string(BASE64, MIN_LEN - 1)));
    }

    #[test]
    fn hex_hashes_and_uuids_never_are() {
        let mut rng = Lcg(11);
        for len in [32, 40, 64, 128] {
            assert!((0..200).all(|_| !is_random(&rng.string(HEX, len))), "hex of {len}");
            assert!(!is_random(&rng.string(HEX, len).to_uppercase()));
        }
        assert!(!is_random("550e8400-e29b-41d4-a716-446655440000"));
        assert!(!is_random(
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
        ));
    }

    #[test]
    fn words_paths_and_identifiers_are_not_random() {
        for s in [
            "src/components/Button/index",
            "ThisIsAVeryLongComponentName",
            "MyApplicationConfigurationManager2023",
            "application/x-www-form-urlencoded",
            "bg-blue-500-hover-text-white-px-4-py-2",
            "org.apache.commons.lang3.StringUtils",
            "getUserAccountSettingsForDisplay2",
            "The_quick_brown_fox_jumps_over_the_lazy_dog_1",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            "TestValue1234567890Abc",
        ] {
            assert!(!is_random(s), "{s}");
        }
    }

    #[test]
    fn lines_with_hashes_are_left_alone() {
        let quiet = [
            (
                "package-lock.json",
                r#"      "integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==""#,
            ),
            (
                "web/index.html",
                r#"<script src="x.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"></script>"#,
            ),
            ("go.sum", "golang.org/x/text v0.3.0 h1:g61tztE5qeGQ89tm6NTjjM9VPIm088od1l6aSorWRWG="),
            ("src/a.ts", r#"const commit = "3b51cb0a9f1e2d4c5b6a7980f1e2d3c4b5a69788";"#),
            (
                "src/a.ts",
                r#"const digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";"#,
            ),
            ("src/a.ts", r#"const id = "123e4567-e89b-12d3-a456-426614174000";"#),
            (
                "src/a.ts",
                r#"img.src = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==""#,
            ),
            ("src/a.ts", r#"const etag = "W8xK2pQ9vL4mN7zR1tY5uA3sD6fG0hJ2";"#),
        ];
        for (path, line) in quiet {
            assert!(line_hits(path, &format!("{line}\n")).is_empty(), "{path}: {line}");
        }
        let hits = line_hits("src/a.ts", "const session = \"W8xK2pQ9vL4mN7zR1tY5uA3sD6fG0hJ2\";\n");
        assert_eq!(hits, [(HIGH_ENTROPY, 1)]);
    }
}
