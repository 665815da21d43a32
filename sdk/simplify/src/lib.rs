//! What could be simpler, as a library: exact clones and clones that differ
//! only in names and literals, dead-code hints, and functions too long or
//! too deeply nested. Text goes in, findings come out; no I/O here. The
//! `simplify` skill reads a tree into it; `prototype` gives it the files
//! each variant changed (a skill cannot call another skill).

pub mod analysis;
mod clones;
mod corpus;
mod dead;
pub mod findings;
mod fingerprint;
mod functions;
mod imports;
pub mod lang;
mod lex;
mod skip;

pub use analysis::{Analyzer, Role};
pub use findings::{Findings, Thresholds};

/// Analyze `files` (each a path and its bytes): every source file simplify
/// reads, and the manifests that mark crate roots and entry points; other
/// files are skipped.
pub fn analyze(files: impl IntoIterator<Item = (String, Vec<u8>)>, thresholds: Thresholds) -> Findings {
    let mut analyzer = Analyzer::new(thresholds);
    for (path, text) in files {
        match Role::of(&path, text.len() as u64) {
            Role::Source(lang) => {
                analyzer.add_source(path, lang, text);
            }
            Role::Manifest => analyzer.add_manifest(&path, &text),
            Role::Skip(_) => analyzer.skip(),
        }
    }
    analyzer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_given_are_analyzed() {
        let deep = "fn svg(n: u32) {\n    if n > 0 {\n        if n > 1 {\n            if n > 2 {\n                if n > 3 {\n                    if n > 4 {\n                        println!(\"deep\");\n                    }\n                }\n            }\n        }\n    }\n}\n";
        let found = analyze([("a/svg.rs".to_string(), deep.as_bytes().to_vec())], Thresholds::default());
        assert_eq!(found.deep_nesting.len(), 1, "{found:?}");
        assert_eq!(found.deep_nesting[0].path, "a/svg.rs");
    }
}
