//! How alike two strategies are: the cosine of their content words' counts
//! (lower-cased words of three letters or more, common English words left
//! out). Rewording an approach keeps its content words, so near duplicates
//! score high; two approaches to the same feature share the feature's
//! nouns but little else.

use std::collections::HashMap;

/// At or above this, a strategy is a near duplicate of another.
pub const NEAR_DUPLICATE: f64 = 0.7;

const STOP: &[&str] = &[
    "the", "and", "for", "with", "that", "this", "from", "into", "are", "was", "were", "will", "would",
    "can", "could", "should", "its", "their", "them", "then", "than", "each", "all", "any", "but", "not",
    "use", "uses", "using", "used", "via", "per", "our", "your", "has", "have", "had", "also", "which",
    "when", "where", "what", "who", "how", "one", "two", "more", "most", "less", "only", "over", "under",
    "about", "such", "some", "other", "same", "very", "just", "both", "there", "here", "way", "make",
];

fn words(text: &str) -> HashMap<String, f64> {
    let mut counts = HashMap::new();
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 3) {
        let word = word.to_lowercase();
        if !STOP.contains(&word.as_str()) {
            *counts.entry(word).or_insert(0.0) += 1.0;
        }
    }
    counts
}

/// 0 (nothing in common) to 1 (the same words in the same proportions).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    let dot: f64 = a.iter().filter_map(|(w, n)| b.get(w).map(|m| n * m)).sum();
    let norm = |v: &HashMap<String, f64>| v.values().map(|n| n * n).sum::<f64>().sqrt();
    let (na, nb) = (norm(&a), norm(&b));
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na * nb) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewording_is_a_near_duplicate_and_a_different_approach_is_not() {
        let a = "Store the todo items in localStorage and render the list with plain DOM updates on every change.";
        let reworded =
            "Render the todo list with plain DOM updates on each change, keeping the items in localStorage.";
        let other = "Keep items on a small server with a JSON REST API; the page polls it and re-renders with a template.";
        assert!(similarity(a, reworded) >= NEAR_DUPLICATE, "{}", similarity(a, reworded));
        assert!(similarity(a, other) < NEAR_DUPLICATE, "{}", similarity(a, other));
        assert_eq!(similarity(a, a).min(1.0), similarity(a, a));
        assert!((similarity(a, a) - 1.0).abs() < 1e-9);
        assert_eq!(similarity("", a), 0.0);
    }
}
