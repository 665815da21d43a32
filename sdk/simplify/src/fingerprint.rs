//! Which runs of tokens to look up: a rolling (Rabin–Karp) hash of every
//! run of `gram` tokens, thinned by winnowing (Schleimer, Wilkerson and
//! Aiken, 2003): of every `window` consecutive hashes only the smallest is
//! kept. Two copies of at least `gram + window - 1` tokens share a window
//! of identical hashes, so they keep the same one: every clone of that
//! size is still found, with about `2 / (window + 1)` of the lookups. The
//! hash table is then small enough to stay in cache.

/// Odd, large, with well-mixed bits: a good multiplier for a hash mod 2^64.
const BASE: u64 = 0x9e37_79b9_7f4a_7c15;

/// Spread a token code over 64 bits (`ID` and `LIT` are small numbers).
#[inline]
fn mix(v: u32) -> u64 {
    (u64::from(v) ^ 0xa076_1d64_78bd_642f).wrapping_mul(0xe703_7ed1_a0b4_28db)
}

/// Reused buffer: one file's hashes.
#[derive(Debug, Default)]
pub struct Scratch {
    hashes: Vec<u64>,
}

/// Append to `out` the kept `(offset, hash)` pairs of `tokens`, offsets in
/// increasing order. `seed` is mixed into every hash.
pub fn winnow(
    tokens: &[u32],
    gram: usize,
    window: usize,
    seed: u64,
    s: &mut Scratch,
    out: &mut Vec<(u32, u64)>,
) {
    if tokens.len() < gram + window - 1 {
        return;
    }
    let top = (1..gram).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let h = &mut s.hashes;
    h.clear();
    let mut rolling = tokens[..gram].iter().fold(0u64, |h, &v| h.wrapping_mul(BASE).wrapping_add(mix(v)));
    h.push(rolling ^ seed);
    for i in gram..tokens.len() {
        rolling = rolling
            .wrapping_sub(mix(tokens[i - gram]).wrapping_mul(top))
            .wrapping_mul(BASE)
            .wrapping_add(mix(tokens[i]));
        h.push(rolling ^ seed);
    }
    // The rightmost smallest hash of each window, kept once. The pick only
    // needs a rescan when it slides out of the window, about once per
    // `window / 2` steps.
    let rightmost_min =
        |from: usize, to: usize| (from..=to).fold(from, |m, x| if h[x] <= h[m] { x } else { m });
    let mut pick = rightmost_min(0, window - 1);
    out.push((pick as u32, h[pick]));
    for x in window..h.len() {
        let start = x + 1 - window;
        let next = if pick < start {
            rightmost_min(start, x)
        } else if h[x] <= h[pick] {
            x
        } else {
            pick
        };
        if next != pick {
            pick = next;
            out.push((pick as u32, h[pick]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(tokens: &[u32], gram: usize, window: usize) -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        winnow(tokens, gram, window, 0, &mut Scratch::default(), &mut out);
        out
    }

    #[test]
    fn every_window_keeps_one_of_its_hashes() {
        let tokens: Vec<u32> = (0..500).map(|i| (i * 7919 % 101) as u32).collect();
        let (gram, window) = (10, 6);
        let kept = kept(&tokens, gram, window);
        let offsets: Vec<usize> = kept.iter().map(|k| k.0 as usize).collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]));
        for start in 0..=tokens.len() - gram - window + 1 {
            assert!(offsets.iter().any(|&o| (start..start + window).contains(&o)), "window at {start}");
        }
        // Far fewer than all positions.
        assert!(kept.len() * 2 < tokens.len(), "{}", kept.len());
    }

    #[test]
    fn copies_keep_the_same_hash() {
        let copy: Vec<u32> = (0..40).map(|i| (i * 31 % 17) as u32).collect();
        let a: Vec<u32> = [vec![1, 2, 3], copy.clone(), vec![9; 5]].concat();
        let b: Vec<u32> = [vec![7; 11], copy, vec![4, 4]].concat();
        let (ka, kb) = (kept(&a, 20, 21), kept(&b, 20, 21));
        assert!(ka.iter().any(|x| kb.iter().any(|y| x.1 == y.1)), "{ka:?} {kb:?}");
    }

    #[test]
    fn too_short_for_one_window() {
        assert!(kept(&[1, 2, 3], 2, 3).is_empty());
        assert_eq!(kept(&[1, 2, 3, 4], 2, 3).len(), 1);
    }
}
