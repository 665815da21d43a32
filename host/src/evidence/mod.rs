//! Evidence: what a session shows the human who decides about it (GIFs of
//! the change working, screenshots, a check's log, a review's findings),
//! kept in one bundle per session.

pub mod bundle;
pub mod gif;
pub mod page;
