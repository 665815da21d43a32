//! `evidence`: the session's evidence bundle (`evidence::bundle`). The
//! skill hands over content, a kind and a caption; the host names and
//! writes the files.

use super::{CapError, Caps, ErrorKind};
use crate::evidence::bundle::{self, Bundle, Kind, New};
use crate::gate::{Permission, Permit};
use crate::wit::grove::skill::evidence::{Entry, Host, Kind as WitKind};

impl Caps {
    /// The run's bundle, for work the gate allowed.
    fn bundle(&self, permit: &Permit) -> Result<&Bundle, CapError> {
        debug_assert_eq!(permit.permission(), Permission::Ui, "only a ui permit reaches the evidence bundle");
        self.evidence
            .as_ref()
            .ok_or_else(|| CapError::unsupported("there is no evidence bundle outside a git repository"))
    }
}

impl Host for Caps {
    async fn add(
        &mut self,
        kind: WitKind,
        caption: String,
        content: Vec<u8>,
        commit: Option<String>,
    ) -> Result<Entry, CapError> {
        let kind = from_wit(kind);
        let target = format!("{} {}", kind.as_str(), caption);
        let permit = self.check("evidence", "add", &target, Permission::Ui).await?;
        let new = New {
            kind,
            caption: &caption,
            bytes: &content,
            skill: self.console.skill(),
            commit: commit.as_deref(),
        };
        let entry = self.bundle(&permit)?.add(new)?;
        self.tell(crate::transcript::kind::EVIDENCE, || {
            serde_json::json!({ "kind": kind.as_str(), "caption": entry.caption, "file": entry.file, "size": entry.size })
        });
        Ok(to_wit(entry))
    }

    async fn entries(&mut self) -> Result<Vec<Entry>, CapError> {
        let permit = self.check("evidence", "entries", "", Permission::Ui).await?;
        Ok(self.bundle(&permit)?.entries()?.into_iter().map(to_wit).collect())
    }
}

impl From<bundle::Error> for CapError {
    fn from(e: bundle::Error) -> CapError {
        let kind = match e {
            bundle::Error::NotOfKind(_) => ErrorKind::Invalid,
            bundle::Error::Full { .. } => ErrorKind::Limit,
            bundle::Error::NotFound(_) => ErrorKind::NotFound,
            bundle::Error::Manifest { .. } | bundle::Error::Io { .. } => ErrorKind::Io,
        };
        CapError::of(kind, e)
    }
}

fn from_wit(kind: WitKind) -> Kind {
    match kind {
        WitKind::Gif => Kind::Gif,
        WitKind::Png => Kind::Png,
        WitKind::Log => Kind::Log,
        WitKind::Json => Kind::Json,
        WitKind::Markdown => Kind::Markdown,
    }
}

fn to_wit(e: bundle::Entry) -> Entry {
    let kind = match e.kind {
        Kind::Gif => WitKind::Gif,
        Kind::Png => WitKind::Png,
        Kind::Log => WitKind::Log,
        Kind::Json => WitKind::Json,
        Kind::Markdown => WitKind::Markdown,
    };
    Entry {
        kind,
        caption: e.caption,
        file: e.file,
        sha256: e.sha256,
        size: e.size,
        skill: e.skill,
        commit: e.commit,
    }
}
