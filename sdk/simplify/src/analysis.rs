//! One scan: files go in as they are read (text in, no I/O here), findings
//! come out. Each file is tokenized once into one reused buffer; from
//! those tokens come its share of the corpus, its functions and its
//! imports. What needs every file (clones, references, imports) runs at
//! the end.

use crate::clones;
use crate::corpus::Corpus;
use crate::dead::{self, Candidate};
use crate::findings::{self, CloneKind, DeadCode, DeadKind, Findings, FunctionShape, Location, Thresholds};
use crate::functions;
use crate::imports::{self, Module};
use crate::lang::Lang;
use crate::lex::{self, Tok};
use crate::skip;

/// Lines of a clone shown as its fragment.
const FRAGMENT_LINES: u32 = 6;
const FRAGMENT_CHARS: usize = 400;

/// What to do with a path the workspace listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source(Lang),
    /// `Cargo.toml` (a crate root) or `package.json` (names entry points).
    Manifest,
    Skip(&'static str),
}

impl Role {
    pub fn of(path: &str, size: u64) -> Role {
        let name = path.rsplit('/').next().unwrap_or(path);
        if matches!(name, "Cargo.toml" | "package.json") {
            return match skip::by_path(path, 0) {
                Some(why) => Role::Skip(why),
                None => Role::Manifest,
            };
        }
        match (Lang::detect(path), skip::by_path(path, size)) {
            (_, Some(why)) => Role::Skip(why),
            (Some(lang), None) => Role::Source(lang),
            (None, None) => Role::Skip("not a language simplify reads"),
        }
    }
}

/// Per-file facts kept until the end of the scan.
struct FileFacts {
    imports: Vec<String>,
    /// String literals that could name a function.
    strings: Vec<String>,
    runnable: bool,
}

pub struct Analyzer {
    thresholds: Thresholds,
    corpus: Corpus,
    toks: Vec<Tok>,
    facts: Vec<FileFacts>,
    candidates: Vec<Candidate>,
    long_functions: Vec<FunctionShape>,
    deep_nesting: Vec<FunctionShape>,
    crate_roots: Vec<String>,
    package_manifests: Vec<String>,
    skipped: u64,
}

impl Analyzer {
    pub fn new(thresholds: Thresholds) -> Analyzer {
        Analyzer {
            thresholds,
            corpus: Corpus::default(),
            toks: Vec::new(),
            facts: Vec::new(),
            candidates: Vec::new(),
            long_functions: Vec::new(),
            deep_nesting: Vec::new(),
            crate_roots: Vec::new(),
            package_manifests: Vec::new(),
            skipped: 0,
        }
    }

    /// Make room for about `bytes` of source at once: growing the token
    /// arrays by doubling would copy them again and again.
    pub fn expect_bytes(&mut self, bytes: u64) {
        self.corpus.reserve(bytes as usize / 4);
    }

    /// A file that could not be read or was left out.
    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    pub fn add_manifest(&mut self, path: &str, text: &[u8]) {
        if path.ends_with("Cargo.toml") {
            self.crate_roots.push(path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string());
        } else {
            self.package_manifests.push(String::from_utf8_lossy(text).into_owned());
        }
    }

    /// Read one source file. Returns false when its contents rule it out.
    pub fn add_source(&mut self, path: String, lang: Lang, text: Vec<u8>) -> bool {
        if skip::by_content(&text).is_some() {
            self.skipped += 1;
            return false;
        }
        lex::tokenize(lang, &text, &mut self.toks);
        for f in functions::find(lang, &text, &self.toks) {
            self.function(&path, lang, f);
        }
        let imports = imports::collect(lang, &text, &self.toks);
        let runnable =
            text.starts_with(b"#!") || (lang == Lang::Python && skip::contains(&text, b"__main__"));
        let strings = dead::name_like_strings(&text, &self.toks);
        self.facts.push(FileFacts { imports, strings, runnable });
        self.corpus.push(path, lang, text, &self.toks);
        true
    }

    fn function(&mut self, path: &str, lang: Lang, f: functions::Function) {
        let t = self.thresholds;
        let shape = || FunctionShape {
            language: lang.name(),
            path: path.to_string(),
            name: f.name.clone(),
            start_line: f.start_line,
            end_line: f.end_line,
            lines: f.lines(),
            depth: f.depth,
            depth_line: f.depth_line,
        };
        if f.lines() > t.max_lines {
            self.long_functions.push(shape());
        }
        if f.depth > t.max_depth {
            self.deep_nesting.push(shape());
        }
        if f.private {
            let file = self.corpus.files.len();
            self.candidates.push(Candidate {
                file,
                name: f.name,
                name_hash: f.name_hash,
                line: f.start_line,
            });
        }
    }

    pub fn finish(self) -> Findings {
        let c = &self.corpus;
        let t = self.thresholds;
        let mut findings = Findings {
            files: c.files.len() as u64,
            lines: c.total_lines(),
            tokens: c.norm.len() as u64,
            skipped: self.skipped,
            long_functions: self.long_functions,
            deep_nesting: self.deep_nesting,
            ..Findings::default()
        };
        for g in clones::detect(c, t.min_tokens as usize, t.min_lines) {
            let locations: Vec<Location> = g
                .spans
                .iter()
                .map(|s| Location {
                    path: c.files[s.file].path.clone(),
                    start_line: c.line[s.start as usize],
                    end_line: c.line[(s.start + s.len - 1) as usize],
                })
                .collect();
            let first = &locations[0];
            let lines = first.end_line - first.start_line + 1;
            let fragment =
                c.excerpt(g.spans[0].file, first.start_line, first.end_line, FRAGMENT_LINES, FRAGMENT_CHARS);
            findings.clones.push(findings::Clone {
                kind: if g.exact { CloneKind::Exact } else { CloneKind::Renamed },
                language: c.files[g.spans[0].file].lang.name(),
                lines,
                tokens: g.spans.iter().map(|s| s.len).min().unwrap_or(0),
                duplicated_lines: lines * (locations.len() as u32 - 1),
                locations,
                fragment,
            });
        }
        let strings: Vec<&[String]> = self.facts.iter().map(|f| f.strings.as_slice()).collect();
        for d in dead::unreferenced(c, &self.candidates, &self.crate_roots, &strings) {
            let file = &c.files[d.file];
            findings.dead_code.push(DeadCode {
                kind: DeadKind::Function,
                language: file.lang.name(),
                path: file.path.clone(),
                reason: format!(
                    "private function `{}` is not referenced anywhere else it could be called from",
                    d.name
                ),
                name: d.name,
                line: d.line,
            });
        }
        let modules: Vec<Module> = c
            .files
            .iter()
            .zip(&self.facts)
            .map(|(f, facts)| Module {
                path: &f.path,
                lang: f.lang,
                runnable: facts.runnable,
                imports: &facts.imports,
                strings: &facts.strings,
            })
            .collect();
        for path in imports::unimported(&modules, &self.package_manifests) {
            let file = c.files.iter().find(|f| f.path == path).expect("a scanned file");
            findings.dead_code.push(DeadCode {
                kind: DeadKind::File,
                language: file.lang.name(),
                path: path.to_string(),
                name: path.rsplit('/').next().unwrap_or(path).to_string(),
                line: 1,
                reason: "no other file imports this module, and it does not look like an entry point".into(),
            });
        }
        findings.rank();
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn scan(files: &[(&str, &str)], t: Thresholds) -> Findings {
        let mut a = Analyzer::new(t);
        for (path, text) in files {
            match Role::of(path, text.len() as u64) {
                Role::Source(lang) => {
                    a.add_source(path.to_string(), lang, text.as_bytes().to_vec());
                }
                Role::Manifest => a.add_manifest(path, text.as_bytes()),
                Role::Skip(_) => a.skip(),
            }
        }
        a.finish()
    }

    #[test]
    fn roles_of_paths() {
        assert_eq!(Role::of("src/a.rs", 10), Role::Source(Lang::Rust));
        assert_eq!(Role::of("a/Cargo.toml", 10), Role::Manifest);
        assert_eq!(Role::of("node_modules/x/package.json", 10), Role::Skip("dependency or build folder"));
        assert!(matches!(Role::of("README.md", 10), Role::Skip(_)));
    }

    #[test]
    fn one_scan_finds_every_kind() {
        let a = "pub fn score(values: &[i64], weights: &[i64], offset: i64) -> i64 {
    let mut total = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > offset {
            total += v * weights[i];
        } else {
            total -= weights.get(i + 1).copied().unwrap_or(offset);
        }
    }
    total / values.len().max(1) as i64
}
";
        let b = a.replace("score", "rank").replace("total", "acc").replace("offset", "bias");
        let deep = "fn deep() {\n if a {\n  if b {\n   if c {\n    if d {\n     if e {\n     }\n    }\n   }\n  }\n }\n}\n";
        // Varied lines: a repeated line would be a clone of itself.
        let mut seed = 7u32;
        let steps: String = (0..90)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                format!("    step({});\n", vec!["x"; (seed >> 16) as usize % 6 + 1].join(" + "))
            })
            .collect();
        let long = format!("pub fn long() {{\n{steps}}}\n");
        let findings = scan(
            &[
                ("Cargo.toml", "[package]\n"),
                ("src/a.rs", a),
                ("src/b.rs", &b),
                ("src/c.rs", deep),
                ("src/d.rs", &long),
            ],
            Thresholds::default(),
        );
        assert_eq!(findings.files, 4);
        assert_eq!(findings.clones.len(), 1, "{:#?}", findings.clones);
        assert_eq!(findings.clones[0].kind, CloneKind::Renamed);
        assert_eq!(findings.clones[0].locations[1].path, "src/b.rs");
        assert!(findings.clones[0].fragment.starts_with("pub fn score"), "{}", findings.clones[0].fragment);
        assert_eq!(findings.deep_nesting.len(), 1);
        assert_eq!((findings.deep_nesting[0].name.as_str(), findings.deep_nesting[0].depth), ("deep", 5));
        assert_eq!(findings.long_functions.len(), 1);
        assert_eq!(findings.long_functions[0].lines, 92);
        let dead: Vec<_> = findings.dead_code.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(dead, ["deep"]);
    }

    #[test]
    fn any_bytes_in_any_language_scan_without_panicking() {
        // Fragments that open strings, comments, raw strings, regexes and
        // blocks, cut anywhere.
        const PIECES: &[&str] = &[
            "\"",
            "'",
            "`",
            "/*",
            "*/",
            "//",
            "#",
            "r#\"",
            "\"#",
            "R\"x(",
            ")x\"",
            "/",
            "\\",
            "\n",
            "{",
            "}",
            "(",
            ")",
            "[",
            "]",
            "fn ",
            "def ",
            "func ",
            "function ",
            "=>",
            " = ",
            "x",
            "_y",
            "1.5e",
            "@\"",
            "'''",
            ":",
            "\t",
            "é",
        ];
        let mut seed = 1u64;
        for round in 0..2000 {
            let text: String = (0..60)
                .map(|_| {
                    seed =
                        seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    PIECES[(seed >> 33) as usize % PIECES.len()]
                })
                .collect();
            let ext = ["rs", "py", "js", "ts", "go", "java", "c", "cpp", "cs"][round % 9];
            let (name, copy) = (format!("f{round}.{ext}"), format!("g{round}.{ext}"));
            let tight = Thresholds { min_lines: 1, min_tokens: 5, max_lines: 1, max_depth: 1 };
            scan(&[(&name, &text), (&copy, &text)], tight);
        }
    }

    #[test]
    fn generated_files_are_skipped() {
        let findings =
            scan(&[("a.go", "// Code generated by x. DO NOT EDIT.\npackage a\n")], Thresholds::default());
        assert_eq!((findings.files, findings.skipped), (0, 1));
    }
}
