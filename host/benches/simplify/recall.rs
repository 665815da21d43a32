//! How many planted clones a tool found. A planted pair (the original and
//! one copy) is found when one reported clone has a location covering at
//! least half of each: tools draw a clone's edges a line or a token apart,
//! and one that also takes in a neighbouring line still found it.

use super::tree::{Copy, Planted};

/// One reported clone: where its copies are.
pub type Group = Vec<Copy>;

/// Found and planted pairs of one kind (renamed or exact).
pub fn recall(planted: &[Planted], renamed: bool, found: &[Group]) -> (usize, usize) {
    let found = connected(found);
    let mut hits = 0;
    let mut total = 0;
    for p in planted.iter().filter(|p| p.renamed == renamed) {
        let original = &p.copies[0];
        for copy in &p.copies[1..] {
            total += 1;
            if found.iter().any(|g| pairs(g, original, copy)) {
                hits += 1;
            }
        }
    }
    (hits, total)
}

/// Reported clones that touch no planted copy: found in the random code
/// around them.
pub fn unplanted(planted: &[Planted], found: &[Group]) -> usize {
    let copies: Vec<&Copy> = planted.iter().flat_map(|p| &p.copies).collect();
    found.iter().filter(|g| !g.iter().any(|l| copies.iter().any(|c| overlap(l, c) > 0))).count()
}

/// Groups that share a copy joined into one. jscpd reports pairs, so
/// three copies may come as A–B and B–C without A–C: that still found
/// all three.
fn connected(found: &[Group]) -> Vec<Group> {
    let mut parent: Vec<usize> = (0..found.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for a in 0..found.len() {
        for b in a + 1..found.len() {
            if found[a].iter().any(|x| found[b].iter().any(|y| overlap(x, y) > 0)) {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra] = rb;
            }
        }
    }
    let mut joined: Vec<Group> = vec![Vec::new(); found.len()];
    for (i, g) in found.iter().enumerate() {
        let r = root(&mut parent, i);
        joined[r].extend(g.iter().cloned());
    }
    joined.retain(|g| !g.is_empty());
    joined
}

fn pairs(group: &Group, a: &Copy, b: &Copy) -> bool {
    group
        .iter()
        .enumerate()
        .any(|(i, x)| covers(x, a) && group.iter().enumerate().any(|(j, y)| i != j && covers(y, b)))
}

fn covers(found: &Copy, truth: &Copy) -> bool {
    let lines = truth.end - truth.start + 1;
    overlap(found, truth) * 2 >= lines
}

fn overlap(a: &Copy, b: &Copy) -> u32 {
    if a.path != b.path {
        return 0;
    }
    (a.end.min(b.end) + 1).saturating_sub(a.start.max(b.start))
}
