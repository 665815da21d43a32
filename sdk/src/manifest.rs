//! The skill manifest, and its encoding as JSON at compile time.
//!
//! The export macro stores the manifest in the component's
//! `grove:manifest` custom section. The bytes are produced by `const fn`s
//! so the section is plain data in the binary: no code runs to make it, and
//! a host can read it without instantiating the skill.

use crate::{SkillInfo, permission};

/// Name, summary, usage and the permissions a skill asks for.
#[derive(Debug, Clone, Copy)]
pub struct Manifest {
    /// Short lowercase name, as typed after `grove run`.
    pub name: &'static str,
    /// Version; `None` takes the skill crate's `CARGO_PKG_VERSION`.
    pub version: Option<&'static str>,
    /// One line: what the skill does.
    pub summary: &'static str,
    /// How to call it.
    pub usage: &'static str,
    /// Permissions asked for: names from [`crate::permission`].
    pub permissions: &'static [&'static str],
}

impl Manifest {
    /// A manifest asking for no permissions.
    pub const fn new(name: &'static str, summary: &'static str) -> Self {
        Manifest { name, version: None, summary, usage: "", permissions: &[] }
    }

    /// Set the usage line.
    pub const fn usage(mut self, usage: &'static str) -> Self {
        self.usage = usage;
        self
    }

    /// Set the permissions asked for, from [`crate::permission`]. A name
    /// grove does not know panics; in a skill's `const MANIFEST` that
    /// panic happens at compile time, so a typo fails the build:
    ///
    /// ```compile_fail
    /// const M: grove_sdk::Manifest = grove_sdk::Manifest::new("x", "y").permissions(&["workspace:raed"]);
    /// const _: () = assert!(M.permissions.len() == 1);
    /// ```
    pub const fn permissions(mut self, permissions: &'static [&'static str]) -> Self {
        let mut i = 0;
        while i < permissions.len() {
            assert!(
                permission::is_known(permissions[i]),
                "unknown permission in Manifest::permissions: use the constants of grove_sdk::permission"
            );
            i += 1;
        }
        self.permissions = permissions;
        self
    }

    /// Override the version taken from the crate.
    pub const fn version(mut self, version: &'static str) -> Self {
        self.version = Some(version);
        self
    }

    /// The manifest as the WIT record.
    pub fn info(&self, crate_version: &str) -> SkillInfo {
        SkillInfo {
            name: self.name.into(),
            version: self.version.unwrap_or(crate_version).into(),
            summary: self.summary.into(),
            usage: self.usage.into(),
            permissions: self.permissions.iter().map(|p| p.to_string()).collect(),
        }
    }
}

/// Bytes of the JSON encoding of `m`.
pub const fn encoded_len(m: &Manifest, crate_version: &str) -> usize {
    let mut out = Json { buf: &mut [], len: 0 };
    out.manifest(m, crate_version);
    out.len
}

/// The JSON encoding of `m`; `N` must be `encoded_len(m, crate_version)`.
pub const fn encode<const N: usize>(m: &Manifest, crate_version: &str) -> [u8; N] {
    let mut buf = [0u8; N];
    let mut out = Json { buf: &mut buf, len: 0 };
    out.manifest(m, crate_version);
    assert!(out.len == N, "manifest length mismatch");
    buf
}

/// A JSON writer usable in const context. With an empty buffer it only
/// counts, which is how the length is found before the array exists.
struct Json<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Json<'_> {
    const fn manifest(&mut self, m: &Manifest, crate_version: &str) {
        let version = match m.version {
            Some(v) => v,
            None => crate_version,
        };
        self.raw(b"{\"name\":");
        self.string(m.name);
        self.raw(b",\"version\":");
        self.string(version);
        self.raw(b",\"summary\":");
        self.string(m.summary);
        self.raw(b",\"usage\":");
        self.string(m.usage);
        self.raw(b",\"permissions\":[");
        let mut i = 0;
        while i < m.permissions.len() {
            if i > 0 {
                self.byte(b',');
            }
            self.string(m.permissions[i]);
            i += 1;
        }
        self.raw(b"]}");
    }

    const fn string(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = s.as_bytes();
        self.byte(b'"');
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'"' || b == b'\\' {
                self.byte(b'\\');
                self.byte(b);
            } else if b < 0x20 {
                self.raw(b"\\u00");
                self.byte(HEX[(b >> 4) as usize]);
                self.byte(HEX[(b & 0xf) as usize]);
            } else {
                self.byte(b);
            }
            i += 1;
        }
        self.byte(b'"');
    }

    const fn raw(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            self.byte(bytes[i]);
            i += 1;
        }
    }

    const fn byte(&mut self, b: u8) {
        if !self.buf.is_empty() {
            self.buf[self.len] = b;
        }
        self.len += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Manifest =
        Manifest::new("x", "say \"hi\"\n\\").permissions(&[permission::UI, permission::PROCESS]);

    #[test]
    fn encodes_json_with_escapes() {
        const N: usize = encoded_len(&M, "1.2.3");
        let bytes: [u8; N] = encode(&M, "1.2.3");
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"name":"x","version":"1.2.3","summary":"say \"hi\"\u000a\\","usage":"","permissions":["ui","process"]}"#
        );
    }

    #[test]
    #[should_panic(expected = "unknown permission")]
    fn unknown_permissions_are_refused() {
        let names: &'static [&'static str] = std::hint::black_box(&["workspace:read", "workspace:raed"]);
        let _ = Manifest::new("x", "y").permissions(names);
    }
}
