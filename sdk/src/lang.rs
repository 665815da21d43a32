//! Which language a file is written in, from its name, its extension or,
//! for extensionless scripts, its `#!` line: the one table every skill
//! that tells languages apart reads (`stats` counts by it, `simplify` and
//! `code-review` map its names onto the languages they understand).
//!
//! Languages are named as people write them: `Rust`, `C++`, `C#`.

/// Whole file names that say more than their extension (or have none).
const NAMES: &[(&str, &str)] = &[
    ("Dockerfile", "Dockerfile"),
    ("Containerfile", "Dockerfile"),
    ("Makefile", "Makefile"),
    ("makefile", "Makefile"),
    ("GNUmakefile", "Makefile"),
    ("CMakeLists.txt", "CMake"),
    ("Gemfile", "Ruby"),
    ("Rakefile", "Ruby"),
    ("Jenkinsfile", "Groovy"),
    ("Justfile", "Just"),
    ("justfile", "Just"),
];

/// Extensions, lowercase and without the dot, and their language.
pub const EXTENSIONS: &[(&str, &str)] = &[
    ("rs", "Rust"),
    ("py", "Python"),
    ("pyi", "Python"),
    ("js", "JavaScript"),
    ("mjs", "JavaScript"),
    ("cjs", "JavaScript"),
    ("jsx", "JavaScript"),
    ("ts", "TypeScript"),
    ("tsx", "TypeScript"),
    ("mts", "TypeScript"),
    ("cts", "TypeScript"),
    ("go", "Go"),
    ("java", "Java"),
    ("c", "C"),
    ("h", "C"),
    ("cc", "C++"),
    ("cpp", "C++"),
    ("cxx", "C++"),
    ("c++", "C++"),
    ("hh", "C++"),
    ("hpp", "C++"),
    ("hxx", "C++"),
    ("h++", "C++"),
    ("ipp", "C++"),
    ("m", "Objective-C"),
    ("mm", "Objective-C++"),
    ("cs", "C#"),
    ("rb", "Ruby"),
    ("rake", "Ruby"),
    ("erb", "HTML+ERB"),
    ("sh", "Shell"),
    ("bash", "Shell"),
    ("zsh", "Shell"),
    ("fish", "Shell"),
    ("ksh", "Shell"),
    ("ps1", "PowerShell"),
    ("html", "HTML"),
    ("htm", "HTML"),
    ("css", "CSS"),
    ("scss", "SCSS"),
    ("sass", "SCSS"),
    ("less", "Less"),
    ("md", "Markdown"),
    ("markdown", "Markdown"),
    ("toml", "TOML"),
    ("yml", "YAML"),
    ("yaml", "YAML"),
    ("json", "JSON"),
    ("jsonc", "JSON"),
    ("sql", "SQL"),
    ("kt", "Kotlin"),
    ("kts", "Kotlin"),
    ("swift", "Swift"),
    ("php", "PHP"),
    ("dockerfile", "Dockerfile"),
    ("mk", "Makefile"),
    ("cmake", "CMake"),
    ("wit", "WIT"),
    ("wat", "WebAssembly text"),
    ("scala", "Scala"),
    ("sc", "Scala"),
    ("groovy", "Groovy"),
    ("gradle", "Groovy"),
    ("dart", "Dart"),
    ("lua", "Lua"),
    ("pl", "Perl"),
    ("pm", "Perl"),
    ("r", "R"),
    ("hs", "Haskell"),
    ("ex", "Elixir"),
    ("exs", "Elixir"),
    ("erl", "Erlang"),
    ("clj", "Clojure"),
    ("ml", "OCaml"),
    ("mli", "OCaml"),
    ("zig", "Zig"),
    ("nix", "Nix"),
    ("vue", "Vue"),
    ("svelte", "Svelte"),
    ("astro", "Astro"),
    ("proto", "Protocol Buffers"),
    ("graphql", "GraphQL"),
    ("xml", "XML"),
    ("svg", "SVG"),
    ("tf", "Terraform"),
    ("ini", "INI"),
    ("cfg", "INI"),
    ("conf", "Config"),
    ("properties", "Java Properties"),
    ("txt", "Text"),
    ("rst", "reStructuredText"),
    ("adoc", "AsciiDoc"),
    ("org", "Org"),
];

/// `#!` interpreters, matched against the program name.
const INTERPRETERS: &[(&str, &str)] = &[
    ("sh", "Shell"),
    ("bash", "Shell"),
    ("zsh", "Shell"),
    ("dash", "Shell"),
    ("fish", "Shell"),
    ("python", "Python"),
    ("node", "JavaScript"),
    ("deno", "TypeScript"),
    ("ruby", "Ruby"),
    ("perl", "Perl"),
    ("php", "PHP"),
];

/// The language of the file at `path` (workspace-relative, `/`-separated),
/// whose contents begin with `head`; `None` when no rule knows it.
pub fn detect(path: &str, head: &[u8]) -> Option<&'static str> {
    let name = file_name(path);
    if let Some(&(_, language)) = NAMES.iter().find(|(n, _)| *n == name) {
        return Some(language);
    }
    // `Dockerfile.dev` and friends.
    if name.starts_with("Dockerfile.") {
        return Some("Dockerfile");
    }
    match extension(name) {
        Some(ext) => of_extension(ext),
        None => shebang(head),
    }
}

/// The language of files ending in `.ext` (any case, no dot).
pub fn of_extension(ext: &str) -> Option<&'static str> {
    EXTENSIONS.iter().find(|(e, _)| e.eq_ignore_ascii_case(ext)).map(|&(_, language)| language)
}

/// The last component of a `/`-separated path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What follows the last dot of a file name. A leading dot names a file
/// (`.bashrc`), it does not start an extension.
pub fn extension(name: &str) -> Option<&str> {
    name.trim_start_matches('.').rsplit_once('.').map(|(_, ext)| ext)
}

/// How many extensions [`EXTENSIONS`] gives one of `languages`: the length
/// of [`extensions_of`]'s array.
pub const fn count_extensions(languages: &[&str]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < EXTENSIONS.len() {
        if contains(languages, EXTENSIONS[i].1) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The extensions of `languages`, in table order, at compile time: a skill
/// that reads a few languages lists their names, not their extensions.
/// `N` must be `count_extensions(languages)`.
pub const fn extensions_of<const N: usize>(languages: &[&str]) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut n) = (0, 0);
    while i < EXTENSIONS.len() {
        if contains(languages, EXTENSIONS[i].1) {
            out[n] = EXTENSIONS[i].0;
            n += 1;
        }
        i += 1;
    }
    assert!(n == N, "N must be count_extensions(languages)");
    out
}

const fn contains(list: &[&str], s: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if crate::permission::str_eq(list[i], s) {
            return true;
        }
        i += 1;
    }
    false
}

/// The language named by a `#!` line: `#!/bin/sh`, `#!/usr/bin/env python3`.
fn shebang(head: &[u8]) -> Option<&'static str> {
    let line = head.strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split_whitespace();
    let mut program = words.next()?.rsplit('/').next()?;
    if program == "env" {
        // Skip `env`'s own options such as `-S`.
        program = words.find(|w| !w.starts_with('-'))?;
    }
    // `python3.12` is Python.
    let program = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    INTERPRETERS.iter().find(|(p, _)| *p == program).map(|&(_, language)| language)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_pick_the_language() {
        assert_eq!(detect("src/main.rs", b""), Some("Rust"));
        assert_eq!(detect("web/App.TSX", b""), Some("TypeScript"));
        assert_eq!(detect("include/x.hpp", b""), Some("C++"));
        assert_eq!(detect("a/b/c.h", b""), Some("C"));
        assert_eq!(detect("wit/world.wit", b""), Some("WIT"));
        assert_eq!(detect("styles/site.scss", b""), Some("SCSS"));
        assert_eq!(detect("Cargo.lock", b""), None);
    }

    #[test]
    fn names_beat_extensions() {
        assert_eq!(detect("Dockerfile", b""), Some("Dockerfile"));
        assert_eq!(detect("deploy/Dockerfile.prod", b""), Some("Dockerfile"));
        assert_eq!(detect("Makefile", b""), Some("Makefile"));
        assert_eq!(detect("rules.mk", b""), Some("Makefile"));
        assert_eq!(detect("CMakeLists.txt", b""), Some("CMake"));
        assert_eq!(detect("notes.txt", b""), Some("Text"));
    }

    #[test]
    fn dotfiles_have_no_extension() {
        assert_eq!(detect(".gitignore", b""), None);
        assert_eq!(detect("home/.bashrc", b""), None);
        assert_eq!(detect(".eslintrc.json", b""), Some("JSON"));
    }

    #[test]
    fn shebangs_name_extensionless_scripts() {
        assert_eq!(detect("bin/run", b"#!/bin/sh\necho hi\n"), Some("Shell"));
        assert_eq!(detect("tool", b"#!/usr/bin/env python3\n"), Some("Python"));
        assert_eq!(detect("tool", b"#!/usr/bin/env -S node --no-warnings\n"), Some("JavaScript"));
        assert_eq!(detect("tool", b"#!/usr/bin/python3.12"), Some("Python"));
        assert_eq!(detect("tool", b"no shebang"), None);
        assert_eq!(detect("tool", b"#!/opt/unknown"), None);
        // A shebang does not override an extension.
        assert_eq!(detect("x.txt", b"#!/bin/sh\n"), Some("Text"));
    }

    #[test]
    fn extensions_in_any_case() {
        assert_eq!(of_extension("RS"), Some("Rust"));
        assert_eq!(of_extension("h++"), Some("C++"));
        assert_eq!(of_extension("nope"), None);
        assert_eq!(extension("a.tar.gz"), Some("gz"));
        assert_eq!(extension(".bashrc"), None);
        assert_eq!(file_name("a/b/c.rs"), "c.rs");
    }

    #[test]
    fn extensions_of_a_few_languages() {
        const LANGUAGES: &[&str] = &["Go", "C"];
        const EXTS: [&str; count_extensions(LANGUAGES)] = extensions_of(LANGUAGES);
        assert_eq!(EXTS, ["go", "c", "h"]);
    }

    #[test]
    fn one_language_per_extension() {
        for (i, (ext, _)) in EXTENSIONS.iter().enumerate() {
            assert_eq!(ext.to_ascii_lowercase(), *ext, "lowercase");
            assert!(!EXTENSIONS[..i].iter().any(|(e, _)| e == ext), "{ext} listed twice");
        }
    }
}
