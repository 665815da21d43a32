//! What `grove dash` and `grove attach` share: a session's transcript read
//! as it grows, and the boxes both draw (the transcript, a pending
//! approval).

pub mod draw;
mod feed;

pub use feed::Feed;

use crate::session::{Approval, Store};

/// The approvals a session waits on, oldest first. A view shows the
/// first, and its keys answer only that one.
pub fn pending_approvals(store: &Store, session: &str) -> Vec<Approval> {
    let all = store.approvals(true).unwrap_or_default();
    all.into_iter().filter(|a| a.session == session).collect()
}
