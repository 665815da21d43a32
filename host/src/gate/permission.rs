//! Permissions: what a manifest asks for and what a user grants. One per
//! capability, split into read and write where the two differ in risk.

use std::fmt;
use std::str::FromStr;

/// One permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    WorkspaceRead,
    WorkspaceWrite,
    Process,
    GitRead,
    GitWrite,
    Ui,
    Model,
    Sessions,
    Browser,
    Review,
    Notify,
    Http,
}

impl Permission {
    pub const ALL: [Permission; 12] = [
        Permission::WorkspaceRead,
        Permission::WorkspaceWrite,
        Permission::Process,
        Permission::GitRead,
        Permission::GitWrite,
        Permission::Ui,
        Permission::Model,
        Permission::Sessions,
        Permission::Browser,
        Permission::Review,
        Permission::Notify,
        Permission::Http,
    ];

    /// The name used in manifests, `--allow` and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::WorkspaceRead => "workspace:read",
            Permission::WorkspaceWrite => "workspace:write",
            Permission::Process => "process",
            Permission::GitRead => "git:read",
            Permission::GitWrite => "git:write",
            Permission::Ui => "ui",
            Permission::Model => "model",
            Permission::Sessions => "sessions",
            Permission::Browser => "browser",
            Permission::Review => "review",
            Permission::Notify => "notify",
            Permission::Http => "http",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Permission {
    type Err = UnknownPermission;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| UnknownPermission(s.to_string()))
    }
}

/// A permission name that is not one of [`Permission::ALL`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown permission `{0}` (known: {known})", known = known_names())]
pub struct UnknownPermission(pub String);

fn known_names() -> String {
    Permission::ALL.map(Permission::as_str).join(", ")
}

/// A set of permissions, as a bit set: checks on the hot path are one AND.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PermissionSet(u16);

impl PermissionSet {
    pub const EMPTY: PermissionSet = PermissionSet(0);

    pub fn all() -> Self {
        Permission::ALL.into_iter().collect()
    }

    pub fn contains(self, p: Permission) -> bool {
        self.0 & bit(p) != 0
    }

    pub fn insert(&mut self, p: Permission) {
        self.0 |= bit(p);
    }

    pub fn union(self, other: PermissionSet) -> PermissionSet {
        PermissionSet(self.0 | other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    /// Parse names as given to `--allow`: a permission, a capability name
    /// standing for its read and write halves (`workspace`, `git`), or `all`.
    pub fn parse_grant(name: &str) -> Result<PermissionSet, UnknownPermission> {
        match name {
            "all" => Ok(PermissionSet::all()),
            "workspace" => Ok([Permission::WorkspaceRead, Permission::WorkspaceWrite].into_iter().collect()),
            "git" => Ok([Permission::GitRead, Permission::GitWrite].into_iter().collect()),
            other => Ok([other.parse()?].into_iter().collect()),
        }
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut set = PermissionSet::EMPTY;
        for p in iter {
            set.insert(p);
        }
        set
    }
}

fn bit(p: Permission) -> u16 {
    1 << (p as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(p.as_str().parse::<Permission>().unwrap(), p);
        }
        assert!("proces".parse::<Permission>().unwrap_err().to_string().contains("known: workspace:read"));
    }

    #[test]
    fn grants_expand_capability_names() {
        let set = PermissionSet::parse_grant("git").unwrap();
        assert!(set.contains(Permission::GitRead) && set.contains(Permission::GitWrite));
        assert!(!set.contains(Permission::Process));
        assert_eq!(PermissionSet::parse_grant("all").unwrap(), PermissionSet::all());
    }
}
