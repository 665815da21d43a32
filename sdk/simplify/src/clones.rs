//! Clone detection over normalized tokens.
//!
//! Runs of tokens are hashed and thinned (see `fingerprint`); a flat
//! open-addressing table keeps the first place each kept hash was seen.
//! When a hash was seen before, the two places are compared token by token
//! (hashes can collide), the match is grown as far as the tokens agree
//! both forwards and backwards, cut to whole lines, and the hashes it
//! covers are skipped: one clone per maximal match, not one per run.
//! Pairs that share their first copy become one group with every copy. A
//! group is `exact` when the raw token texts agree too, else `renamed`:
//! the same code with other names or literals (a type-2 clone). Renamed
//! matches that are mostly one short unit repeated (lists, tables) are
//! dropped, and a match that differs only at its edges is reported as its
//! exact core.

use std::collections::HashMap;

use crate::corpus::Corpus;
use crate::fingerprint;
use crate::lang::Family;
use crate::lex::{self, Kind};

/// Tokens `start..start + len` of the corpus (global token indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub file: usize,
    pub start: u32,
    pub len: u32,
}

impl Span {
    fn end(&self) -> u32 {
        self.start + self.len
    }

    fn overlap(&self, other: &Span) -> u32 {
        self.end().min(other.end()).saturating_sub(self.start.max(other.start))
    }
}

/// Copies of one piece of code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneGroup {
    /// The first copy found comes first.
    pub spans: Vec<Span>,
    /// All copies have the same text token for token.
    pub exact: bool,
}

/// Most hashes in a row that share one lookup (the winnowing window).
const MAX_WINDOW: usize = 12;

/// Find clones of at least `min_tokens` tokens spanning at least
/// `min_lines` lines in every copy.
pub fn detect(c: &Corpus, min_tokens: usize, min_lines: u32) -> Vec<CloneGroup> {
    let k = min_tokens.max(1);
    // Runs of `gram` tokens are hashed and winnowed so that any run of `k`
    // tokens keeps at least one hash.
    let window = (k / 4).clamp(1, MAX_WINDOW);
    let gram = k + 1 - window;
    let mut scratch = fingerprint::Scratch::default();
    let mut keys: Vec<(u32, u64)> = Vec::new();
    let mut bounds = Vec::with_capacity(c.files.len() + 1);
    for f in &c.files {
        bounds.push(keys.len());
        let (s, e) = (f.tokens.start as usize, f.tokens.end as usize);
        // Runs of different families never match: their hashes differ.
        fingerprint::winnow(
            &c.norm[s..e],
            gram,
            window,
            family_seed(f.lang.family()),
            &mut scratch,
            &mut keys,
        );
        for key in &mut keys[bounds[bounds.len() - 1]..] {
            key.0 += s as u32;
        }
    }
    bounds.push(keys.len());
    if keys.is_empty() {
        return Vec::new();
    }
    let mut table = Table::with_capacity(keys.len());
    let mut pairs = Vec::new();
    for (fi, f) in c.files.iter().enumerate() {
        // Runs starting before this lie inside a clone already found.
        let mut covered = f.tokens.start as usize;
        for &(i, hash) in &keys[bounds[fi]..bounds[fi + 1]] {
            if let Some(j) = table.get_or_insert(hash | 1, i)
                && i as usize >= covered
                && let Some(grown) = grow(c, j as usize, i as usize, gram, fi)
            {
                covered = grown.forward_end + 1 - gram;
                pairs.extend(refine(c, grown, k, min_lines));
            }
        }
    }
    let mut groups = merge(group(c, pairs));
    // Copies in path order (files were added in path order).
    for g in &mut groups {
        g.spans.sort_by_key(|s| s.start);
    }
    groups
}

fn family_seed(f: Family) -> u64 {
    (f as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Two copies: tokens `a..a+len` and `b..b+len`, `a` seen first.
#[derive(Debug, Clone, Copy)]
struct Pair {
    a: u32,
    a_file: usize,
    b: u32,
    b_file: usize,
    len: u32,
    exact: bool,
}

/// A match grown as far as the normalized tokens agree.
#[derive(Debug, Clone, Copy)]
struct Grown {
    pair: Pair,
    /// Where the match ends in `b`'s file, as grown forwards from the window.
    forward_end: usize,
}

/// Check the runs of `k` tokens at `j` (seen first) and `i` (in file `fi`)
/// really match (hashes collide), then grow the match both ways as far as
/// the tokens agree. Copies in one file must not overlap: a run like
/// `x, x, x, x` is not a clone of itself.
fn grow(c: &Corpus, j: usize, i: usize, k: usize, fi: usize) -> Option<Grown> {
    let fj = c.file_of(j as u32);
    let (fa, fb) = (&c.files[fj], &c.files[fi]);
    if fa.lang.family() != fb.lang.family() || c.norm[j..j + k] != c.norm[i..i + k] {
        return None;
    }
    let same = fj == fi;
    if same && j + k > i {
        return None;
    }
    let (a_end, b_end) = (fa.tokens.end as usize, fb.tokens.end as usize);
    let mut n = k;
    while i + n < b_end && j + n < a_end && c.norm[j + n] == c.norm[i + n] && (!same || j + n < i) {
        n += 1;
    }
    let (a_start, b_start) = (fa.tokens.start as usize, fb.tokens.start as usize);
    let mut back = 0;
    while i - back > b_start
        && j - back > a_start
        && c.norm[j - back - 1] == c.norm[i - back - 1]
        && (!same || j + n < i - back)
    {
        back += 1;
    }
    let (a, b, len) = ((j - back) as u32, (i - back) as u32, (n + back) as u32);
    let pair = Pair { a, a_file: fj, b, b_file: fi, len, exact: false };
    Some(Grown { pair, forward_end: i + n })
}

/// Cut a match to whole lines (a clone that starts mid-line reads badly
/// and usually only drags in a token of unrelated context), without the
/// lines that close the block before it or open one it does not hold,
/// then keep it if it still has `k` tokens and `min_lines` lines in both
/// copies. When
/// the copies differ only near the edges and an exact core holds most of
/// the tokens, report that core as an exact clone: the differences were
/// context, not the copy.
fn refine(c: &Corpus, g: Grown, k: usize, min_lines: u32) -> Option<Pair> {
    let p = g.pair;
    let (fa, fb) = (&c.files[p.a_file].tokens, &c.files[p.b_file].tokens);
    let starts_line =
        |t: u32, file: &std::ops::Range<u32>| t == file.start || c.line[t as usize - 1] != c.line[t as usize];
    let ends_line = |t: u32, file: &std::ops::Range<u32>| {
        t + 1 == file.end || c.line[t as usize + 1] != c.line[t as usize]
    };
    let line_start = |o: u32| starts_line(p.a + o, fa) && starts_line(p.b + o, fb);
    let line_end = |o: u32| ends_line(p.a + o, fa) && ends_line(p.b + o, fb);
    let mut from = 0;
    while from < p.len && !line_start(from) {
        from += 1;
    }
    let mut to = p.len;
    while to > from && !line_end(to - 1) {
        to -= 1;
    }
    let code = |text: &[u8]| lex::normalize(Kind::Punct, lex::hash(text));
    let closers = [code(b"}"), code(b")"), code(b"]"), code(b";"), code(b",")];
    let openers = [code(b"{"), code(b"("), code(b"["), code(b":")];
    let norm = |o: u32| c.norm[(p.a + o) as usize];
    let trim = |mut from: u32, mut to: u32| {
        loop {
            let next = (from + 1..to).find(|&o| line_start(o)).unwrap_or(to);
            if next == to || !(from..next).all(|o| closers.contains(&norm(o))) {
                break;
            }
            from = next;
        }
        while to > from && openers.contains(&norm(to - 1)) {
            // Drop the whole last line: it opens a block the clone leaves out.
            to = (from + 1..to).rev().find(|&o| line_start(o)).unwrap_or(from);
        }
        (from, to)
    };
    let same = |o: u32| c.raw[(p.a + o) as usize] == c.raw[(p.b + o) as usize];
    let keep = |from: u32, to: u32, exact: bool| {
        let (from, to) = trim(from, to);
        let pair = Pair { a: p.a + from, b: p.b + from, len: to - from, exact, ..p };
        (pair.len as usize >= k && pair.lines_at_least(c, min_lines)).then_some(pair)
    };
    if (from..to).all(same) {
        return keep(from, to, true);
    }
    // The longest run of whole lines with no difference.
    let (mut best, mut run_start) = ((0, 0), None);
    for o in from..to {
        match (same(o), run_start) {
            (true, None) if line_start(o) => run_start = Some(o),
            (false, _) => run_start = None,
            _ => {}
        }
        if let Some(s) = run_start
            && line_end(o)
            && o + 1 - s > best.1 - best.0
        {
            best = (s, o + 1);
        }
    }
    if (best.1 - best.0) * 3 >= (to - from) * 2
        && let Some(core) = keep(best.0, best.1, true)
    {
        return Some(core);
    }
    let start = (p.a + from) as usize;
    if repetitive(&c.norm[start..start + (to - from) as usize], k) {
        return None;
    }
    keep(from, to, false)
}

impl Pair {
    fn lines_at_least(&self, c: &Corpus, min: u32) -> bool {
        let lines = |start: u32| c.line[(start + self.len - 1) as usize] - c.line[start as usize] + 1;
        lines(self.a) >= min && lines(self.b) >= min
    }
}

/// Longest unit a repetitive run is made of: a match arm, a table row, a
/// short delegating method.
const MAX_PERIOD: usize = 48;

/// Whether the tokens are mostly short units repeated: lists, tables, runs
/// of statements that differ only in names and literals. Two such runs
/// always match once names and literals are gone; that is no copy worth a
/// refactoring. (An exact copy of one is, and is kept.) "Mostly": what
/// lies outside the periodic runs is too short to be a clone of its own.
fn repetitive(norm: &[u32], k: usize) -> bool {
    let mut periodic = vec![false; norm.len()];
    for p in 1..=MAX_PERIOD.min(norm.len() / 3) {
        // Three units at least; shorter runs happen in any code: `a.b.c`.
        let long_enough = (2 * p).max(10);
        let mut run = 0;
        for i in 0..=norm.len() - p {
            if i < norm.len() - p && norm[i] == norm[i + p] {
                run += 1;
                continue;
            }
            if run >= long_enough {
                periodic[i - run..i + p].iter_mut().for_each(|x| *x = true);
            }
            run = 0;
        }
    }
    periodic.iter().filter(|&&x| !x).count() < k
}

/// Pairs sharing their first copy become one group.
fn group(c: &Corpus, pairs: Vec<Pair>) -> Vec<CloneGroup> {
    let mut groups: Vec<CloneGroup> = Vec::new();
    let mut by_first: HashMap<(u32, u32), usize> = HashMap::new();
    for p in pairs {
        let second = Span { file: p.b_file, start: p.b, len: p.len };
        match by_first.get(&(p.a, p.len)) {
            Some(&g) => {
                // Periodic code can pair one copy with overlapping others.
                if groups[g].spans.iter().all(|s| s.overlap(&second) == 0) {
                    groups[g].spans.push(second);
                    groups[g].exact &= p.exact;
                }
            }
            None => {
                by_first.insert((p.a, p.len), groups.len());
                let first = Span { file: p.a_file, start: p.a, len: p.len };
                groups.push(CloneGroup { spans: vec![first, second], exact: p.exact });
            }
        }
    }
    debug_assert!(groups.iter().all(|g| g.spans.iter().all(|s| s.end() <= c.norm.len() as u32)));
    groups
}

/// Groups whose first copies are nearly the same tokens are one piece of
/// code found with slightly different edges (one copy carries a line more
/// context): report it once, with every copy.
fn merge(mut groups: Vec<CloneGroup>) -> Vec<CloneGroup> {
    groups.sort_by_key(|g| (g.spans[0].start, std::cmp::Reverse(g.spans[0].len)));
    let mut out: Vec<CloneGroup> = Vec::with_capacity(groups.len());
    for g in groups {
        if let Some(last) = out.last_mut() {
            let (a, b) = (&last.spans[0], &g.spans[0]);
            if a.overlap(b) * 10 >= a.len.max(b.len) * 9 {
                for s in g.spans {
                    if !last.spans.iter().any(|t| t.overlap(&s) > 0) {
                        last.spans.push(s);
                    }
                }
                last.exact &= g.exact;
                continue;
            }
        }
        out.push(g);
    }
    out
}

/// Open addressing with linear probing over a power-of-two array: the
/// keys are already hashes, so their top bits pick the slot. Key 0 is an
/// empty slot (callers set the low bit).
struct Table {
    keys: Vec<u64>,
    values: Vec<u32>,
    shift: u32,
}

impl Table {
    fn with_capacity(n: usize) -> Table {
        // At most half full: probes stay short.
        let slots = (n * 2).next_power_of_two().max(16);
        Table { keys: vec![0; slots], values: vec![0; slots], shift: 64 - slots.trailing_zeros() }
    }

    /// The value stored under `key`, or `None` after storing `value` there.
    #[inline]
    fn get_or_insert(&mut self, key: u64, value: u32) -> Option<u32> {
        let mask = self.keys.len() - 1;
        let mut slot = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
        loop {
            let k = self.keys[slot];
            if k == key {
                return Some(self.values[slot]);
            }
            if k == 0 {
                self.keys[slot] = key;
                self.values[slot] = value;
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::of as corpus;

    /// `(path, first line, last line)` of one copy.
    type Copy = (String, u32, u32);

    /// Whether each group is exact, and its copies.
    fn found(c: &Corpus, groups: &[CloneGroup]) -> Vec<(bool, Vec<Copy>)> {
        groups
            .iter()
            .map(|g| {
                let spans = g
                    .spans
                    .iter()
                    .map(|s| {
                        let first = c.line[s.start as usize];
                        let last = c.line[(s.start + s.len - 1) as usize];
                        (c.files[s.file].path.clone(), first, last)
                    })
                    .collect();
                (g.exact, spans)
            })
            .collect()
    }

    const BODY: &str = "fn total(items: &[Item]) -> u64 {
    let mut sum = 0;
    for item in items {
        if item.active {
            sum += item.price * item.count;
        }
    }
    sum
}
";

    #[test]
    fn finds_an_exact_copy_across_files() {
        let a = format!("use a;\n{BODY}fn other() {{ 1 }}\n");
        let b = format!("// copied\n\nstruct X;\n{BODY}");
        let c = corpus(&[("a.rs", &a), ("b.rs", &b)]);
        let groups = detect(&c, 20, 5);
        assert_eq!(found(&c, &groups), [(true, vec![("a.rs".into(), 2, 10), ("b.rs".into(), 4, 12)])]);
    }

    #[test]
    fn finds_a_renamed_copy() {
        let renamed = BODY
            .replace("total", "sum_up")
            .replace("items", "rows")
            .replace("item", "row")
            .replace("sum", "acc")
            .replace("price", "cost");
        let c = corpus(&[("a.rs", BODY), ("b.rs", &renamed)]);
        let groups = detect(&c, 20, 5);
        assert_eq!(found(&c, &groups), [(false, vec![("a.rs".into(), 1, 9), ("b.rs".into(), 1, 9)])]);
    }

    #[test]
    fn three_copies_are_one_group() {
        let c = corpus(&[("a.rs", BODY), ("b.rs", BODY), ("c.rs", &format!("\n{BODY}"))]);
        let groups = detect(&c, 20, 5);
        assert_eq!(groups.len(), 1);
        let paths: Vec<_> = found(&c, &groups)[0].1.iter().map(|s| s.0.clone()).collect();
        assert_eq!(paths, ["a.rs", "b.rs", "c.rs"]);
    }

    #[test]
    fn copies_within_one_file_and_thresholds() {
        let text = format!("{BODY}\n{}", BODY.replace("item", "row"));
        let c = corpus(&[("a.rs", &text)]);
        assert_eq!(
            found(&c, &detect(&c, 20, 5)),
            [(false, vec![("a.rs".into(), 1, 9), ("a.rs".into(), 11, 19)])]
        );
        // Too few lines, or too few tokens for one window: nothing.
        assert!(detect(&c, 20, 10).is_empty());
        assert!(detect(&c, 60, 5).is_empty());
    }

    #[test]
    fn renamed_lists_are_no_clones_but_copied_lists_are() {
        let list = |words: &[&str]| {
            let rows: String = (0..30).map(|i| format!("    \"{}{i}\",\n", words[i % words.len()])).collect();
            format!("const NAMES: &[&str] = &[\n{rows}];\n")
        };
        let (a, b) = (list(&["alpha", "beta"]), list(&["gamma"]));
        let c = corpus(&[("a.rs", &a), ("b.rs", &b)]);
        assert!(detect(&c, 20, 5).is_empty());
        let c = corpus(&[("a.rs", &a), ("b.rs", &a)]);
        assert_eq!(
            found(&c, &detect(&c, 20, 5)),
            [(true, vec![("a.rs".into(), 1, 32), ("b.rs".into(), 1, 32)])]
        );
    }

    #[test]
    fn an_exact_core_with_renamed_edges_is_exact() {
        let a = format!("fn before(x: u8) {{ let a = 1; }}\n{BODY}");
        let b = format!("fn earlier(y: u8) {{ let b = 2; }}\n{BODY}");
        let c = corpus(&[("a.rs", &a), ("b.rs", &b)]);
        assert_eq!(
            found(&c, &detect(&c, 20, 5)),
            [(true, vec![("a.rs".into(), 2, 10), ("b.rs".into(), 2, 10)])]
        );
    }

    #[test]
    fn repetition_is_not_a_clone_of_itself() {
        let text = "x = [\n".to_string() + &"    1, 2, 3, 4, 5, 6, 7, 8,\n".repeat(40) + "]\n";
        let c = corpus(&[("a.py", &text)]);
        for g in detect(&c, 30, 3) {
            let (a, b) = (g.spans[0], g.spans[1]);
            assert!(a.end() <= b.start, "copies overlap: {g:?}");
        }
    }

    #[test]
    fn languages_of_other_families_never_match() {
        let js =
            "function f(a, b) {\n  let x = a + b;\n  if (x > 1) {\n    return x * 2;\n  }\n  return x;\n}\n";
        let c = corpus(&[("a.js", js), ("b.ts", js), ("c.java", js)]);
        let groups = detect(&c, 20, 3);
        assert_eq!(groups.len(), 1);
        let paths: Vec<_> = groups[0].spans.iter().map(|s| c.files[s.file].path.as_str()).collect();
        assert_eq!(paths, ["a.js", "b.ts"]);
    }

    #[test]
    fn unrelated_code_has_no_clones() {
        let c = corpus(&[
            ("a.py", "def f(a):\n    return a + 1\n\ndef g(b, c):\n    while b:\n        b -= c\n"),
            ("b.py", "class K:\n    x: int = 3\n    def m(self): return [self.x] * 2\n"),
        ]);
        assert!(detect(&c, 10, 2).is_empty());
    }

    /// One function per language, with `NAME`, `ACC`, `IDX` and `LIM` to
    /// fill in: an exact copy keeps them, a renamed one changes them.
    const EVERY_LANGUAGE: &[(&str, &str)] = &[
        (
            "c",
            "int NAME(int LIM, int step) {\n    int ACC = 0;\n    for (int IDX = 0; IDX < LIM; IDX++) {\n        if (IDX % 3 == 0) {\n            ACC += step * IDX;\n        } else {\n            ACC -= IDX;\n        }\n    }\n    return ACC + 17;\n}\n",
        ),
        (
            "cpp",
            "auto NAME(int LIM, int step) -> int {\n    int ACC = 0;\n    for (int IDX = 0; IDX < LIM; ++IDX) {\n        if (IDX % 3 == 0) {\n            ACC += step * IDX;\n        } else {\n            ACC -= IDX;\n        }\n    }\n    return ACC + 17;\n}\n",
        ),
        (
            "java",
            "class K {\n    static int NAME(int LIM, int step) {\n        int ACC = 0;\n        for (int IDX = 0; IDX < LIM; IDX++) {\n            if (IDX % 3 == 0) {\n                ACC += step * IDX;\n            } else {\n                ACC -= IDX;\n            }\n        }\n        return ACC + 17;\n    }\n}\n",
        ),
        (
            "cs",
            "class K {\n    static int NAME(int LIM, int step) {\n        var ACC = 0;\n        foreach (var IDX in Enumerable.Range(0, LIM)) {\n            if (IDX % 3 == 0) {\n                ACC += step * IDX;\n            } else {\n                ACC -= IDX;\n            }\n        }\n        return ACC + 17;\n    }\n}\n",
        ),
        (
            "go",
            "func NAME(LIM int, step int) int {\n\tACC := 0\n\tfor IDX := 0; IDX < LIM; IDX++ {\n\t\tif IDX%3 == 0 {\n\t\t\tACC += step * IDX\n\t\t} else {\n\t\t\tACC -= IDX\n\t\t}\n\t}\n\treturn ACC + 17\n}\n",
        ),
        (
            "rs",
            "fn NAME(LIM: i32, step: i32) -> i32 {\n    let mut ACC = 0;\n    for IDX in 0..LIM {\n        if IDX % 3 == 0 {\n            ACC += step * IDX;\n        } else {\n            ACC -= IDX;\n        }\n    }\n    ACC + 17\n}\n",
        ),
        (
            "js",
            "function NAME(LIM, step) {\n  let ACC = 0;\n  for (let IDX = 0; IDX < LIM; IDX++) {\n    if (IDX % 3 === 0) {\n      ACC += step * IDX;\n    } else {\n      ACC -= IDX;\n    }\n  }\n  return ACC + 17;\n}\n",
        ),
        (
            "ts",
            "export function NAME(LIM: number, step: number): number {\n  let ACC = 0;\n  for (let IDX = 0; IDX < LIM; IDX++) {\n    if (IDX % 3 === 0) {\n      ACC += step * IDX;\n    } else {\n      ACC -= IDX;\n    }\n  }\n  return ACC + 17;\n}\n",
        ),
        (
            "py",
            "def NAME(LIM, step):\n    ACC = 0\n    for IDX in range(LIM):\n        if IDX % 3 == 0:\n            ACC += step * IDX\n        elif IDX > step:\n            ACC -= IDX // 2\n        else:\n            ACC -= IDX\n    return ACC + 17\n",
        ),
    ];

    #[test]
    fn every_language_has_exact_and_renamed_clones() {
        let fill = |code: &str, names: [&str; 4]| {
            ["NAME", "LIM", "ACC", "IDX"]
                .iter()
                .zip(names)
                .fold(code.to_string(), |c, (k, v)| c.replace(k, v))
        };
        for (ext, code) in EVERY_LANGUAGE {
            let a = fill(code, ["total", "limit", "acc", "i"]);
            let b = format!("\n\n{a}");
            let renamed = fill(code, ["sum_up", "bound", "result", "k"]).replace("17", "42");
            let (pa, pb) = (format!("a.{ext}"), format!("b.{ext}"));
            let c = corpus(&[(&pa, &a), (&pb, &b)]);
            let groups = detect(&c, 30, 5);
            assert_eq!(groups.len(), 1, "{ext}: {groups:?}");
            assert!(groups[0].exact, "{ext}");
            let c = corpus(&[(&pa, &a), (&pb, &renamed)]);
            let groups = detect(&c, 30, 5);
            assert_eq!(groups.len(), 1, "{ext}: {groups:?}");
            assert!(!groups[0].exact, "{ext}");
            assert_eq!(found(&c, &groups)[0].1[0].1, 1, "{ext}: the whole function");
        }
    }

    #[test]
    fn clones_do_not_start_by_closing_a_block_or_end_by_opening_one() {
        let a = format!("fn before() {{\n    x();\n}}\n{BODY}fn after() {{\n    y();\n}}\n");
        let b = format!("fn earlier() {{\n    z();\n}}\n{BODY}fn later() {{\n    w();\n}}\n");
        let c = corpus(&[("a.rs", &a), ("b.rs", &b)]);
        assert_eq!(
            found(&c, &detect(&c, 20, 5)),
            [(true, vec![("a.rs".into(), 4, 12), ("b.rs".into(), 4, 12)])]
        );
    }

    #[test]
    fn the_table_finds_what_it_stored() {
        let mut t = Table::with_capacity(200);
        assert_eq!(t.get_or_insert(5, 1), None);
        assert_eq!(t.get_or_insert(7, 2), None);
        assert_eq!(t.get_or_insert(5, 3), Some(1));
        for key in 0..100u64 {
            t.get_or_insert(key * 2 + 9, key as u32);
        }
        assert_eq!(t.get_or_insert(7, 0), Some(2));
    }
}
