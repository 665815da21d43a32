//! Sessions in the order of the tree they form, for `grove ls` and
//! `grove dash`: each session the user started, then the sub-sessions
//! below it, each under the one that spawned it, drawn with box lines so
//! that five siblings read as one family.

use std::collections::{HashMap, HashSet};

use crate::session::Session;

/// Where a session goes in the tree: its index in the list given, and the
/// lines drawn before its name (`""` for a root, `├─ `, `│  └─ `, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub index: usize,
    pub prefix: String,
}

/// `sessions` (oldest first) in tree order: each root in the order given,
/// followed depth-first by the sessions below it, siblings oldest first. A
/// session whose parent is not in the list is a root.
pub fn order(sessions: &[Session]) -> Vec<Placed> {
    let index: HashMap<&str, usize> =
        sessions.iter().enumerate().map(|(i, s)| (s.name.as_str(), i)).collect();
    let parent_of = |s: &Session| s.parent.as_deref().and_then(|p| index.get(p).copied());
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); sessions.len()];
    let mut roots = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        match parent_of(s) {
            Some(p) if p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let mut placed = Vec::with_capacity(sessions.len());
    let mut seen = HashSet::new();
    for root in roots {
        walk(root, String::new(), String::new(), &children, &mut seen, &mut placed);
    }
    // A cycle (only a hand-edited store holds one) has no root: show its
    // sessions anyway, from the first of them.
    for i in 0..sessions.len() {
        if !seen.contains(&i) {
            walk(i, String::new(), String::new(), &children, &mut seen, &mut placed);
        }
    }
    placed
}

/// Place `i` with `prefix`, then its children, whose lines continue
/// `indent`.
fn walk(
    i: usize,
    prefix: String,
    indent: String,
    children: &[Vec<usize>],
    seen: &mut HashSet<usize>,
    placed: &mut Vec<Placed>,
) {
    if !seen.insert(i) {
        return;
    }
    placed.push(Placed { index: i, prefix });
    let kids = &children[i];
    for (n, &child) in kids.iter().enumerate() {
        let last = n + 1 == kids.len();
        let (branch, under) = if last { ("└─ ", "   ") } else { ("├─ ", "│  ") };
        walk(child, format!("{indent}{branch}"), format!("{indent}{under}"), children, seen, placed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: &str, parent: Option<&str>) -> Session {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::session::Store::open(dir.path()).unwrap();
        let mut s = store.insert(&crate::session::NewSession::example(name)).unwrap();
        s.parent = parent.map(String::from);
        s
    }

    #[test]
    fn children_follow_their_parent_with_lines_that_join_them() {
        let sessions = vec![
            session("proto", None),
            session("other", None),
            session("a", Some("proto")),
            session("b", Some("proto")),
            session("a1", Some("a")),
            session("orphan", Some("gone")),
        ];
        let shown: Vec<String> =
            order(&sessions).into_iter().map(|p| format!("{}{}", p.prefix, sessions[p.index].name)).collect();
        assert_eq!(shown, ["proto", "├─ a", "│  └─ a1", "└─ b", "other", "orphan"]);
    }

    #[test]
    fn a_cycle_is_shown_rather_than_lost() {
        let sessions = vec![session("x", Some("y")), session("y", Some("x"))];
        let placed = order(&sessions);
        assert_eq!(placed.len(), 2);
    }
}
