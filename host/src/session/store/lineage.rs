//! Which session each sub-session was started from, for readers that
//! draw the whole list at once (`grove serve`'s sessions page): the
//! `parent` of every session's record, by name.

use std::collections::HashMap;

use super::{Store, StoreError};

impl Store {
    /// Each session that has a parent, by name, and its parent's name.
    pub fn parents(&self) -> Result<HashMap<String, String>, StoreError> {
        Ok(self.list()?.into_iter().filter_map(|s| Some((s.name, s.parent?))).collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::session::{NewSession, Store};

    #[test]
    fn each_sub_session_names_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert(&NewSession::example("root")).unwrap();
        assert!(store.parents().unwrap().is_empty());
        let child = NewSession { parent: Some("root".into()), ..NewSession::example("child") };
        store.insert(&child).unwrap();
        let grandchild = NewSession { parent: Some("child".into()), ..NewSession::example("grandchild") };
        store.insert(&grandchild).unwrap();
        let parents = store.parents().unwrap();
        assert_eq!(parents.len(), 2);
        assert_eq!(parents["child"], "root");
        assert_eq!(parents["grandchild"], "child");
    }
}
