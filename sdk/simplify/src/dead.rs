//! Private functions whose name appears nowhere else in the code that
//! could call them: the crate (Rust), the package folder (Go), the file
//! (JS and TS module functions, Java and C# private methods, C and C++
//! static functions), or any Python file (`_name`). A name is counted,
//! not resolved, so a same-named local elsewhere hides a dead function:
//! hints may miss, and say "may".

use std::collections::HashMap;

use crate::corpus::Corpus;
use crate::lang::Lang;
use crate::lex::ID;

/// A private function, as found in one file.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub file: usize,
    pub name: String,
    pub name_hash: u32,
    pub line: u32,
}

/// The candidates no other token of their scope names. `crate_roots` are
/// the folders holding a `Cargo.toml` ("" for the workspace root);
/// `strings` are the name-like string literals of each file: a function
/// looked up by name (`getattr(self, "visit_" + kind)`) is used by a
/// string equal to its name or to the start of it.
pub fn unreferenced(
    c: &Corpus,
    candidates: &[Candidate],
    crate_roots: &[String],
    strings: &[&[String]],
) -> Vec<Candidate> {
    if candidates.is_empty() {
        return Vec::new();
    }
    let mut scopes: HashMap<String, u32> = HashMap::new();
    let scope_of: Vec<u32> = c
        .files
        .iter()
        .map(|f| {
            let key = scope(f.lang, &f.path, crate_roots);
            let next = scopes.len() as u32;
            *scopes.entry(key).or_insert(next)
        })
        .collect();
    let mut uses: HashMap<(u32, u32), u32> =
        candidates.iter().map(|d| ((scope_of[d.file], d.name_hash), 0)).collect();
    // Most names are no candidate's: a bit per hash answers that without
    // a map lookup.
    let mut bits = vec![0u64; 1024];
    for d in candidates {
        let h = d.name_hash as usize & 0xffff;
        bits[h >> 6] |= 1 << (h & 63);
    }
    for (fi, f) in c.files.iter().enumerate() {
        let scope = scope_of[fi];
        for t in f.tokens.start as usize..f.tokens.end as usize {
            if c.norm[t] != ID {
                continue;
            }
            let h = c.raw[t] as usize & 0xffff;
            if bits[h >> 6] & (1 << (h & 63)) != 0
                && let Some(n) = uses.get_mut(&(scope, c.raw[t]))
            {
                *n += 1;
            }
        }
    }
    let mut named: HashMap<u32, Vec<&str>> = HashMap::new();
    for (fi, list) in strings.iter().enumerate() {
        named.entry(scope_of[fi]).or_default().extend(list.iter().map(String::as_str));
    }
    let looked_up = |d: &Candidate| {
        named
            .get(&scope_of[d.file])
            .is_some_and(|list| list.iter().any(|s| *s == d.name || (s.len() >= 4 && d.name.starts_with(s))))
    };
    // The definition is one use of the name.
    candidates
        .iter()
        .filter(|d| uses[&(scope_of[d.file], d.name_hash)] <= 1 && !looked_up(d))
        .cloned()
        .collect()
}

/// The contents of string literals that could name a function or a
/// module: a letter or `_`, then letters, digits, `_` and `.`.
pub fn name_like_strings(src: &[u8], toks: &[crate::lex::Tok]) -> Vec<String> {
    toks.iter()
        .filter(|t| t.kind == crate::lex::Kind::Literal)
        .filter_map(|t| {
            let text = t.text(src);
            let quote = *text.first()?;
            if !matches!(quote, b'"' | b'\'' | b'`') || text.len() < 3 || text.last() != Some(&quote) {
                return None;
            }
            let inner = &text[1..text.len() - 1];
            let name_like = (inner[0].is_ascii_alphabetic() || inner[0] == b'_')
                && inner.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'));
            name_like.then(|| String::from_utf8_lossy(inner).into_owned())
        })
        .collect()
}

/// The code that can call a private function of a file.
fn scope(lang: Lang, path: &str, crate_roots: &[String]) -> String {
    match lang {
        Lang::Rust => {
            let root = crate_roots
                .iter()
                .filter(|r| r.is_empty() || path.starts_with(&format!("{r}/")))
                .max_by_key(|r| r.len());
            format!("rust:{}", root.map_or("", String::as_str))
        }
        Lang::Python => "python".into(),
        Lang::Go => format!("go:{}", path.rsplit_once('/').map_or("", |(dir, _)| dir)),
        _ => format!("file:{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{corpus, functions, lex};

    fn dead(files: &[(&str, &str)], roots: &[&str]) -> Vec<String> {
        let c = corpus::of(files);
        let mut toks = Vec::new();
        let mut candidates = Vec::new();
        for (file, f) in c.files.iter().enumerate() {
            lex::tokenize(f.lang, &f.text, &mut toks);
            let private = functions::find(f.lang, &f.text, &toks).into_iter().filter(|f| f.private);
            candidates.extend(private.map(|d| Candidate {
                file,
                name: d.name,
                name_hash: d.name_hash,
                line: d.start_line,
            }));
        }
        let roots: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
        let strings: Vec<Vec<String>> = c
            .files
            .iter()
            .map(|f| {
                lex::tokenize(f.lang, &f.text, &mut toks);
                name_like_strings(&f.text, &toks)
            })
            .collect();
        let strings: Vec<&[String]> = strings.iter().map(Vec::as_slice).collect();
        unreferenced(&c, &candidates, &roots, &strings)
            .into_iter()
            .map(|d| format!("{}:{}", c.files[d.file].path, d.name))
            .collect()
    }

    #[test]
    fn rust_private_functions_unused_in_their_crate() {
        let files = [
            (
                "a/src/lib.rs",
                "mod util;\nfn used() {}\nfn unused() {}\npub fn api() { used(); util::helper(); }\n",
            ),
            ("a/src/util.rs", "pub(crate) fn helper() { lonely_b(); }\nfn lonely() {}\n"),
            ("b/src/lib.rs", "fn lonely_b() {}\nfn unused() {}\n"),
        ];
        // `lonely_b` is named in crate a, but that is another crate.
        assert_eq!(
            dead(&files, &["a", "b"]),
            ["a/src/lib.rs:unused", "a/src/util.rs:lonely", "b/src/lib.rs:lonely_b", "b/src/lib.rs:unused"]
        );
    }

    #[test]
    fn python_go_and_js_scopes() {
        let files = [
            (
                "p/a.py",
                "def _used():\n    pass\n\ndef _unused():\n    pass\n\ndef _visit_x():\n    pass\n\ndef _named():\n    pass\n",
            ),
            (
                "p/c.py",
                "def run(o, kind):\n    getattr(o, '_visit_' + kind)()\n    getattr(o, \"_named\")()\n",
            ),
            ("p/b.py", "from a import _used\n"),
            ("g/a.go", "package g\nfunc helper() {}\nfunc unused() {}\n"),
            ("g/b.go", "package g\nfunc Run() { helper() }\n"),
            ("j/a.js", "function kept() {}\nfunction dropped() {}\nmodule.exports = { kept };\n"),
            ("j/b.js", "dropped();\n"),
        ];
        assert_eq!(dead(&files, &[]), ["p/a.py:_unused", "g/a.go:unused", "j/a.js:dropped"]);
    }
}
