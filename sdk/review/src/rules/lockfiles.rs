//! A lockfile that changed while no manifest it is generated from did:
//! dependencies moved without anyone asking for it in the manifest (an
//! unreviewed `cargo update`, a merge that regenerated the lock, a
//! tampered lock). Workspaces keep member manifests below the lockfile, so
//! a manifest anywhere under the lockfile's folder counts.

use crate::input::Changes;
use crate::paths::{self, file_name};
use crate::review::{Finding, Severity};

pub const RULE: &str = "lockfiles/without-manifest";

pub fn check(changes: &Changes<'_>, out: &mut Vec<Finding>) {
    for file in &changes.files {
        let Some(manifest) = paths::lockfile_manifest(file.path()) else { continue };
        let dir = folder(file.path());
        let manifest_changed = changes
            .files
            .iter()
            .any(|other| file_name(other.path()) == manifest && folder(other.path()).starts_with(dir));
        if !manifest_changed {
            out.push(Finding::new(
                file.path(),
                None,
                Severity::Warning,
                RULE,
                format!(
                    "{} changed but no {manifest} did: check that the dependency changes are intended",
                    file_name(file.path())
                ),
            ));
        }
    }
}

/// The folder part of a path, with a trailing `/` ("" at the root).
fn folder(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::fixtures::{modified, new_file};
    use crate::rules::testing::hits;

    fn flagged(diff: &str) -> bool {
        hits(diff).iter().any(|(r, _)| *r == RULE)
    }

    #[test]
    fn lockfile_only_changes() {
        let lock = modified("Cargo.lock", "", " [[package]]\n-version = \"1.0.0\"\n+version = \"1.0.1\"\n");
        assert!(flagged(&lock));
        assert!(!flagged(&(lock.clone() + &modified("Cargo.toml", "", "-a = \"1\"\n+a = \"1.0.1\"\n"))));
        // A workspace member's manifest counts.
        assert!(!flagged(&(lock.clone() + &modified("crates/x/Cargo.toml", "", "+b = \"2\"\n"))));
        // A manifest elsewhere does not.
        let web_lock = modified("web/package-lock.json", "", "+  \"x\": 1\n");
        assert!(flagged(&(web_lock.clone() + &new_file("api/package.json", "{}\n"))));
        assert!(!flagged(&(web_lock + &new_file("web/package.json", "{}\n"))));
        assert!(flagged(&modified("go.sum", "", "+x v1 h1:abc=\n")));
        assert!(!flagged(&new_file("src/lock.rs", "fn f() {}\n")));
    }
}
