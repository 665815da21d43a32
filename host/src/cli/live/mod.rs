//! What `grove dash` and `grove attach` share: a session's transcript read
//! as it grows, and the boxes both draw (the transcript, a pending
//! approval).

pub mod draw;
mod feed;

pub use feed::Feed;

use crate::session::{Approval, Store};

/// The oldest approval a session waits on, if any: the one a view shows,
/// and the only one its keys answer.
pub fn pending_approval(store: &Store, session: &str) -> Option<Approval> {
    store.approvals(true).ok()?.into_iter().find(|a| a.session == session)
}

/// How many approvals a session waits on.
pub fn pending_count(store: &Store, session: &str) -> usize {
    store.approvals(true).map(|all| all.iter().filter(|a| a.session == session).count()).unwrap_or(0)
}
