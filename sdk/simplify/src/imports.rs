//! Files nothing imports: JavaScript and TypeScript modules no other file
//! imports, and Python modules no file imports. Read from the import
//! statements' tokens, resolved leniently (a name that might mean the file
//! counts as an import of it) since a wrong hint costs more than a missed
//! one. Entry points (index, main, tests, scripts, configuration) are
//! never hints.

use std::collections::{HashMap, HashSet};

use crate::lang::{Family, Lang};
use crate::lex::{Kind, Tok};

/// What one file imports: module specifiers (JS) or dotted names (Python).
pub fn collect(lang: Lang, src: &[u8], toks: &[Tok]) -> Vec<String> {
    match lang.family() {
        Family::Js => js_specifiers(src, toks),
        Family::Python => python_modules(src, toks),
        _ => Vec::new(),
    }
}

/// `import … from 'x'`, `import 'x'`, `export … from 'x'`, `require('x')`,
/// `import('x')`.
fn js_specifiers(src: &[u8], toks: &[Tok]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if t.kind != Kind::Literal || !matches!(t.text(src).first(), Some(b'\'' | b'"' | b'`')) || k == 0 {
            continue;
        }
        let prev = &toks[k - 1];
        let imports = prev.is_ident(src, "from")
            || prev.is(src, "import")
            || (prev.is(src, "(")
                && k >= 2
                && (toks[k - 2].is_ident(src, "require") || toks[k - 2].is(src, "import")));
        if imports {
            let text = t.text(src);
            out.push(String::from_utf8_lossy(&text[1..text.len().saturating_sub(1)]).into_owned());
        }
    }
    out
}

/// `import a.b, c as d` gives `a.b` and `c`; `from a.b import c, d` gives
/// `a.b.c` and `a.b.d`; `from . import x` gives `x`.
fn python_modules(src: &[u8], toks: &[Tok]) -> Vec<String> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        let t = &toks[k];
        let statement = t.line_start && (t.is(src, "import") || t.is(src, "from"));
        if !statement {
            k += 1;
            continue;
        }
        let end = toks[k + 1..].iter().position(|t| t.line_start).map_or(toks.len(), |n| k + 1 + n);
        let words = &toks[k..end];
        let dotted = |slice: &[Tok]| -> Vec<String> {
            // Names joined by `.`, split at `,`; `as x` and brackets dropped.
            let mut names = vec![String::new()];
            let mut alias = false;
            for w in slice {
                let text = w.text(src);
                match w.kind {
                    Kind::Ident if !alias => {
                        names.last_mut().expect("one name").push_str(&String::from_utf8_lossy(text))
                    }
                    Kind::Punct if text == b"," => {
                        names.push(String::new());
                        alias = false;
                    }
                    Kind::Punct if text == b"." || text == b"..." => {
                        let last = names.last_mut().expect("one name");
                        if !last.is_empty() {
                            last.push('.');
                        }
                    }
                    Kind::Keyword if text == b"as" => alias = true,
                    _ => {}
                }
            }
            names.retain(|n| !n.is_empty());
            names
        };
        if t.is(src, "import") {
            out.extend(dotted(&words[1..]));
        } else if let Some(i) = words.iter().position(|w| w.is(src, "import")) {
            let base = dotted(&words[1..i]).pop().unwrap_or_default();
            // `from a.b import *` imports `a.b` itself.
            if !base.is_empty() {
                out.push(base.clone());
            }
            for name in dotted(&words[i + 1..]) {
                out.push(if base.is_empty() { name } else { format!("{base}.{name}") });
            }
        }
        k = end;
    }
    out
}

/// A file that might be imported, as the resolver sees it.
#[derive(Debug)]
pub struct Module<'a> {
    pub path: &'a str,
    pub lang: Lang,
    /// Starts with `#!`, or is a Python `__main__` script.
    pub runnable: bool,
    pub imports: &'a [String],
    /// Name-like string literals: Python modules are also imported by name
    /// (`__all__`, `importlib.import_module("pkg.mod")`).
    pub strings: &'a [String],
}

/// Paths of modules nothing imports. `manifests` are the texts of
/// `package.json` files: a file they name is an entry point.
pub fn unimported<'a>(modules: &[Module<'a>], manifests: &[String]) -> Vec<&'a str> {
    let mut out = Vec::new();
    out.extend(unimported_js(modules, manifests));
    out.extend(unimported_python(modules));
    out.sort_unstable();
    out
}

const JS_EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];

fn unimported_js<'a>(modules: &[Module<'a>], manifests: &[String]) -> Vec<&'a str> {
    let js: Vec<&Module> = modules.iter().filter(|m| m.lang.family() == Family::Js).collect();
    let paths: HashMap<&str, usize> = js.iter().enumerate().map(|(i, m)| (m.path, i)).collect();
    let mut imported = vec![false; js.len()];
    let mut tails: HashSet<&str> = HashSet::new();
    let mut any_relative = false;
    for m in &js {
        let dir = parent(m.path);
        for spec in m.imports {
            if spec.starts_with('.') {
                any_relative = true;
                let Some(target) = join(dir, spec) else { continue };
                let base = strip_js_extension(&target);
                let mut candidates = vec![target.clone()];
                for ext in JS_EXTENSIONS {
                    candidates.push(format!("{base}.{ext}"));
                    candidates.push(format!("{target}/index.{ext}"));
                }
                for c in candidates {
                    if let Some(&i) = paths.get(c.as_str()) {
                        imported[i] = true;
                    }
                }
            } else {
                // A package or an alias (`@/lib/x`): match by file name.
                tails.insert(stem(spec.rsplit('/').next().unwrap_or(spec)));
            }
        }
    }
    if !any_relative {
        return Vec::new(); // not a project that imports its own files
    }
    js.iter()
        .zip(imported)
        .filter(|(m, imported)| {
            !imported && !tails.contains(stem(file_name(m.path))) && !js_entry(m, manifests)
        })
        .map(|(m, _)| m.path)
        .collect()
}

fn unimported_python<'a>(modules: &[Module<'a>]) -> Vec<&'a str> {
    let py: Vec<&Module> = modules.iter().filter(|m| m.lang == Lang::Python).collect();
    let names: HashSet<&str> =
        py.iter().flat_map(|m| m.imports.iter().chain(m.strings)).flat_map(|n| n.split('.')).collect();
    // Only a project that imports some of its own modules says anything by
    // not importing one.
    if !py.iter().any(|m| names.contains(stem(file_name(m.path)))) {
        return Vec::new();
    }
    py.iter()
        .filter(|m| !names.contains(stem(file_name(m.path))) && !python_entry(m))
        .map(|m| m.path)
        .collect()
}

/// Folders whose files are run, not imported.
const ENTRY_FOLDERS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "e2e",
    "spec",
    "scripts",
    "script",
    "bin",
    "examples",
    "example",
    "pages",
    "app",
    "routes",
    "public",
    "fixtures",
    "docs",
    "tools",
    "migrations",
    ".storybook",
    "benches",
    "benchmarks",
];

fn in_entry_folder(path: &str) -> bool {
    path.split('/').rev().skip(1).any(|dir| ENTRY_FOLDERS.contains(&dir))
}

fn js_entry(m: &Module, manifests: &[String]) -> bool {
    let name = file_name(m.path);
    let stem = stem(name);
    let marked =
        [".test.", ".spec.", ".stories.", ".story.", ".config.", ".setup.", ".d.", ".e2e.", ".bench."];
    matches!(
        stem,
        "index"
            | "main"
            | "app"
            | "server"
            | "cli"
            | "setup"
            | "start"
            | "worker"
            | "sw"
            | "vite-env"
            | "example"
            | "demo"
            | "bench"
            | "benchmark"
    ) || marked.iter().any(|s| name.contains(s))
        || stem.ends_with(".config")
        || m.runnable
        || in_entry_folder(m.path)
        || manifests.iter().any(|text| text.contains(name))
}

fn python_entry(m: &Module) -> bool {
    let name = file_name(m.path);
    let stem = stem(name);
    matches!(
        stem,
        "__init__"
            | "__main__"
            | "setup"
            | "conftest"
            | "manage"
            | "main"
            | "app"
            | "wsgi"
            | "asgi"
            | "run"
            | "cli"
            | "tasks"
            | "settings"
            | "noxfile"
            | "fabfile"
            | "tests"
    ) || stem.starts_with("test_")
        || stem.ends_with("_test")
        || name.ends_with(".pyi")
        || m.runnable
        || in_entry_folder(m.path)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The name without its last extension.
fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn strip_js_extension(path: &str) -> &str {
    match path.rsplit_once('.') {
        Some((base, ext)) if JS_EXTENSIONS.contains(&ext) && !base.ends_with('/') => base,
        _ => path,
    }
}

/// `dir/spec` with `.` and `..` resolved; `None` if it climbs out.
fn join(dir: &str, spec: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in spec.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::tokenize;

    fn imports(path: &str, src: &str) -> Vec<String> {
        let lang = Lang::detect(path).unwrap();
        let mut toks = Vec::new();
        tokenize(lang, src.as_bytes(), &mut toks);
        collect(lang, src.as_bytes(), &toks)
    }

    #[test]
    fn reads_js_imports() {
        let src = "import a from './a';\nimport { b } from \"../lib/b.js\";\nimport './side';\nconst c = require('c');\n\
                   export * from './d';\nconst e = await import('./e');\nconst s = 'from';\n";
        assert_eq!(imports("x/m.ts", src), ["./a", "../lib/b.js", "./side", "c", "./d", "./e"]);
    }

    #[test]
    fn reads_python_imports() {
        let src = "import os.path, sys as system\nfrom pkg.sub import (mod_a,\n    mod_b as b)\nfrom . import sibling\n\
                   from ..up import thing\nfrom .star import *\ndef f():\n    import lazy\n";
        assert_eq!(
            imports("m.py", src),
            [
                "os.path",
                "sys",
                "pkg.sub",
                "pkg.sub.mod_a",
                "pkg.sub.mod_b",
                "sibling",
                "up",
                "up.thing",
                "star",
                "lazy"
            ]
        );
    }

    fn module<'a>(path: &'a str, imports: &'a [String]) -> Module<'a> {
        Module { path, lang: Lang::detect(path).unwrap(), runnable: false, imports, strings: &[] }
    }

    #[test]
    fn finds_modules_nothing_imports() {
        let main = vec!["./util".to_string(), "../shared/fmt.js".to_string(), "@/alias/thing".to_string()];
        let none: Vec<String> = Vec::new();
        let modules = [
            module("src/main.ts", &main),
            module("src/util/index.ts", &none),
            module("shared/fmt.ts", &none),
            module("src/alias/thing.tsx", &none),
            module("src/orphan.ts", &none),
            module("src/orphan.test.ts", &none),
            module("src/cli-tool.js", &none),
        ];
        let manifests = vec![r#"{"bin": "src/cli-tool.js"}"#.to_string()];
        assert_eq!(unimported(&modules, &manifests), ["src/orphan.ts"]);
    }

    #[test]
    fn finds_python_modules_nothing_imports() {
        let app = vec!["pkg.used".to_string(), "os".to_string()];
        let none: Vec<String> = Vec::new();
        let modules = [
            module("pkg/app.py", &app),
            module("pkg/used.py", &none),
            module("pkg/unused.py", &none),
            module("pkg/__init__.py", &none),
            module("tests/test_app.py", &none),
        ];
        assert_eq!(unimported(&modules, &[]), ["pkg/unused.py"]);
        // A folder of scripts that import nothing of each other: no hints.
        let alone = [module("a.py", &none), module("b.py", &none)];
        assert!(unimported(&alone, &[]).is_empty());
    }
}
