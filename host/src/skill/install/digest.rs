//! A component's sha256 digest, the name every part of installing knows
//! it by: the source pins it, the signature signs it, the lock keeps it.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

/// `sha256:<64 lowercase hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest(String);

impl Digest {
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(format!("{:x}", Sha256::digest(bytes)))
    }

    /// The hex alone.
    pub fn hex(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.0)
    }
}

impl FromStr for Digest {
    type Err = String;

    /// `sha256:<hex>` or `sha256=<hex>` (a URL fragment's spelling).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s
            .strip_prefix("sha256:")
            .or_else(|| s.strip_prefix("sha256="))
            .ok_or_else(|| format!("`{s}` is not a sha256 digest (sha256:<64 hex digits>)"))?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{s}` is not a sha256 digest (sha256:<64 hex digits>)"));
        }
        Ok(Digest(hex.to_ascii_lowercase()))
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_read_both_spellings_and_refuse_anything_else() {
        let d = Digest::of(b"abc");
        assert_eq!(d.to_string(), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(d.to_string().parse::<Digest>().unwrap(), d);
        assert_eq!(format!("sha256={}", d.hex().to_uppercase()).parse::<Digest>().unwrap(), d);
        for bad in ["", "sha256:", "md5:abc", "sha256:xyz", &format!("sha256:{}0", d.hex())] {
            assert!(bad.parse::<Digest>().is_err(), "{bad}");
        }
    }
}
