//! Claims from `Design-Reviewed-by: Name <email>` trailers on the commits
//! between the base and HEAD. A trailer vouches for the work up to its own
//! commit.

use grove_sdk::trailers;

use super::{Claim, Covers, Source};
use crate::identity::Identity;

/// The trailer key, matched without regard to case as git does.
pub const KEY: &str = "Design-Reviewed-by";

/// The claims in one commit's message.
pub fn claims(commit: &str, message: &str) -> Vec<Claim> {
    let summary = message.lines().next().unwrap_or_default().to_string();
    trailers::parse(message)
        .into_iter()
        .filter(|t| t.is(KEY))
        .map(|t| Claim {
            who: Identity::parse(&t.value),
            source: Source::Trailer { commit: commit.to_string(), summary: summary.clone() },
            covers: Covers::UpTo(commit.to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_design_trailers_only() {
        let message = "Restyle the card\n\nRounder corners.\n\nSigned-off-by: Dev <dev@example.com>\ndesign-reviewed-by: Dana Designer <dana@example.com>\n";
        let found = claims("abc1234def", message);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].who.email.as_deref(), Some("dana@example.com"));
        assert_eq!(found[0].covers, Covers::UpTo("abc1234def".into()));
        assert_eq!(
            found[0].source,
            Source::Trailer { commit: "abc1234def".into(), summary: "Restyle the card".into() }
        );
        // In the body rather than the trailers, it is prose.
        assert!(
            claims("x", "Subject\n\nDesign-Reviewed-by: Dana\nwas asked but has not answered.\n").is_empty()
        );
    }
}
