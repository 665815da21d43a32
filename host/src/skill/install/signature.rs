//! Minisign signatures of components: ed25519 keys, a signature of the
//! component's sha256 digest (the text `sha256:<hex>`), and a trusted
//! comment, signed with it, naming the publisher and the digest. Signing
//! the digest rather than the file lets every source (a file, a URL, an OCI
//! layer, a git blob) be checked by the one name the lock keeps.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use minisign::{KeyPair, PublicKey, SecretKeyBox, SignatureBox};

use super::InstallError;
use super::digest::Digest;

/// The trusted comment's first word: a signature made for something else
/// (a release tarball signed with the same key) is not a skill's.
const MARK: &str = "grove-skill";

/// A publisher's key as the configuration names it.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    pub publisher: String,
    /// The base64 public key, `RW…`.
    pub key: String,
    /// Where it was configured, for messages.
    pub origin: String,
}

/// A signature that checked out: who signed, with which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub publisher: String,
    pub key_id: String,
}

/// Why a signature did not check out.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature is not a minisign signature: {0}")]
    Malformed(String),
    #[error("the signature was made with key {key_id}, which no trusted publisher has ({known})")]
    UnknownKey { key_id: String, known: String },
    #[error(
        "the signature by {publisher} (key {key_id}) does not match the component: it signs {signed}, the component is {actual} (the component or its signature was changed)"
    )]
    Mismatch { publisher: String, key_id: String, signed: String, actual: Digest },
    #[error("the signature's trusted comment names publisher `{claimed}`, but key {key_id} is {publisher}'s")]
    WrongPublisher { claimed: String, publisher: String, key_id: String },
    #[error("the key of publisher {publisher} ({origin}) is not a minisign public key: {why}")]
    BadKey { publisher: String, origin: String, why: String },
}

/// A key's id as `minisign` prints it: 16 hex digits.
fn key_id(keynum: &[u8]) -> String {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(bytes))
}

/// A new key pair: the secret key's file text (unencrypted: keep it
/// private, grove writes it with mode 0600) and the public key, `RW…`.
pub fn keygen(publisher: &str) -> Result<(String, String), InstallError> {
    let pair = KeyPair::generate_unencrypted_keypair().map_err(|e| InstallError::Signature(e.to_string()))?;
    let comment = format!("grove skill signing key of {publisher}");
    let secret = pair.sk.to_box(Some(&comment)).map_err(|e| InstallError::Signature(e.to_string()))?;
    Ok((secret.into_string(), pair.pk.to_base64()))
}

/// Sign `digest` for `publisher` with the secret key in `key_file`: the
/// text of a `.minisig` file.
pub fn sign(digest: &Digest, key_file: &Path, publisher: &str) -> Result<String, InstallError> {
    let read_err = |error| InstallError::Read { path: key_file.to_path_buf(), error };
    let text = std::fs::read_to_string(key_file).map_err(read_err)?;
    let bad = |e: minisign::PError| {
        InstallError::Signature(format!(
            "{}: not an unencrypted minisign secret key: {e}",
            key_file.display()
        ))
    };
    let secret =
        SecretKeyBox::from_string(&text).and_then(|b| b.into_unencrypted_secret_key()).map_err(bad)?;
    let trusted = format!("{MARK} publisher:{publisher} digest:{digest}");
    let untrusted = format!("signature of {digest} by {publisher}");
    let signature =
        minisign::sign(None, &secret, Cursor::new(digest.to_string()), Some(&trusted), Some(&untrusted))
            .map_err(|e| InstallError::Signature(e.to_string()))?;
    Ok(signature.into_string())
}

/// Check `signature` over the component of `digest` against the trusted
/// keys: the key it names must be one of them, the signature must be of
/// this digest, and its trusted comment must name that key's publisher.
pub fn verify(signature: &str, digest: &Digest, trusted: &[TrustedKey]) -> Result<Verified, SignatureError> {
    let sig = SignatureBox::from_string(signature).map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let id = key_id(sig.keynum());
    let mut known = Vec::new();
    for t in trusted {
        let key = PublicKey::from_base64(t.key.trim()).map_err(|e| SignatureError::BadKey {
            publisher: t.publisher.clone(),
            origin: t.origin.clone(),
            why: e.to_string(),
        })?;
        known.push(format!("{} {}", t.publisher, key_id(key.keynum())));
        if key.keynum() != sig.keynum() {
            continue;
        }
        let comment = sig.trusted_comment().map_err(|e| SignatureError::Malformed(e.to_string()))?;
        let signed = field(&comment, "digest:").unwrap_or("(no digest)").to_string();
        let checks = minisign::verify(&key, &sig, Cursor::new(digest.to_string()), true, false, false);
        if checks.is_err() || signed != digest.to_string() || !comment.starts_with(MARK) {
            return Err(SignatureError::Mismatch {
                publisher: t.publisher.clone(),
                key_id: id,
                signed,
                actual: digest.clone(),
            });
        }
        let claimed = field(&comment, "publisher:").unwrap_or_default();
        if claimed != t.publisher {
            return Err(SignatureError::WrongPublisher {
                claimed: claimed.to_string(),
                publisher: t.publisher.clone(),
                key_id: id,
            });
        }
        return Ok(Verified { publisher: t.publisher.clone(), key_id: id });
    }
    let known = if known.is_empty() {
        "none are configured".to_string()
    } else {
        format!("trusted: {}", known.join(", "))
    };
    Err(SignatureError::UnknownKey { key_id: id, known })
}

/// The value of `name` (`publisher:`) among the comment's words.
fn field<'a>(comment: &'a str, name: &str) -> Option<&'a str> {
    comment.split_whitespace().find_map(|w| w.strip_prefix(name))
}

/// Where a component's signature sits beside it: `x.wasm.minisig`.
pub fn beside(component: &Path) -> PathBuf {
    let mut name = component.as_os_str().to_owned();
    name.push(".minisig");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publisher(name: &str) -> (tempfile::TempDir, PathBuf, TrustedKey) {
        let dir = tempfile::tempdir().unwrap();
        let (secret, public) = keygen(name).unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, secret).unwrap();
        (dir, path, TrustedKey { publisher: name.into(), key: public, origin: "test".into() })
    }

    #[test]
    fn a_signature_names_its_publisher_and_fails_on_any_other_digest() {
        let (_d, key, acme) = publisher("acme");
        let digest = Digest::of(b"component");
        let sig = sign(&digest, &key, "acme").unwrap();
        let ok = verify(&sig, &digest, std::slice::from_ref(&acme)).unwrap();
        assert_eq!(ok.publisher, "acme");
        let e = verify(&sig, &Digest::of(b"componenT"), std::slice::from_ref(&acme)).unwrap_err();
        assert!(matches!(e, SignatureError::Mismatch { .. }), "{e}");
        assert!(e.to_string().contains(&digest.to_string()), "names what was signed: {e}");
    }

    #[test]
    fn unknown_keys_and_borrowed_names_are_refused() {
        let (_d, key, acme) = publisher("acme");
        let (_e, _, other) = publisher("other");
        let digest = Digest::of(b"component");
        // Signed by acme, but only other is trusted.
        let sig = sign(&digest, &key, "acme").unwrap();
        let e = verify(&sig, &digest, std::slice::from_ref(&other)).unwrap_err();
        assert!(matches!(e, SignatureError::UnknownKey { .. }) && e.to_string().contains("other"), "{e}");
        // acme's key claiming to be someone else in the comment.
        let sig = sign(&digest, &key, "other").unwrap();
        let e = verify(&sig, &digest, &[acme.clone(), other]).unwrap_err();
        assert!(matches!(e, SignatureError::WrongPublisher { .. }), "{e}");
        // A comment edited after signing no longer verifies.
        let sig = sign(&digest, &key, "acme").unwrap().replace("publisher:acme", "publisher:acmf");
        assert!(verify(&sig, &digest, &[acme]).is_err());
        assert!(matches!(verify("junk", &digest, &[]), Err(SignatureError::Malformed(_))));
    }
}
