//! Which language a file is written in, from its name, its extension or,
//! for extensionless scripts, its `#!` line.

/// The bucket for files no rule recognizes. It is listed like a language
/// but not counted as one in the summary.
pub const OTHER: &str = "Other";

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

/// Extensions, lowercase and without the dot.
const EXTENSIONS: &[(&str, &str)] = &[
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
    ("cs", "C#"),
    ("rb", "Ruby"),
    ("sh", "Shell"),
    ("bash", "Shell"),
    ("zsh", "Shell"),
    ("fish", "Shell"),
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
    ("proto", "Protocol Buffers"),
    ("graphql", "GraphQL"),
    ("xml", "XML"),
    ("svg", "SVG"),
    ("tf", "Terraform"),
    ("ini", "INI"),
    ("cfg", "INI"),
    ("txt", "Text"),
    ("rst", "reStructuredText"),
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
/// whose contents begin with `head`.
pub fn detect(path: &str, head: &[u8]) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if let Some(&(_, language)) = NAMES.iter().find(|(n, _)| *n == name) {
        return language;
    }
    // `Dockerfile.dev` and friends.
    if name.starts_with("Dockerfile.") {
        return "Dockerfile";
    }
    // A leading dot names a file (`.bashrc`), it does not start an extension.
    match name.trim_start_matches('.').rsplit_once('.') {
        Some((_, ext)) => {
            let ext = ext.to_ascii_lowercase();
            EXTENSIONS.iter().find(|(e, _)| *e == ext).map_or(OTHER, |&(_, language)| language)
        }
        None => shebang(head).unwrap_or(OTHER),
    }
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
        assert_eq!(detect("src/main.rs", b""), "Rust");
        assert_eq!(detect("web/App.TSX", b""), "TypeScript");
        assert_eq!(detect("include/x.hpp", b""), "C++");
        assert_eq!(detect("a/b/c.h", b""), "C");
        assert_eq!(detect("wit/world.wit", b""), "WIT");
        assert_eq!(detect("styles/site.scss", b""), "SCSS");
        assert_eq!(detect("Cargo.lock", b""), OTHER);
    }

    #[test]
    fn names_beat_extensions() {
        assert_eq!(detect("Dockerfile", b""), "Dockerfile");
        assert_eq!(detect("deploy/Dockerfile.prod", b""), "Dockerfile");
        assert_eq!(detect("Makefile", b""), "Makefile");
        assert_eq!(detect("rules.mk", b""), "Makefile");
        assert_eq!(detect("CMakeLists.txt", b""), "CMake");
        assert_eq!(detect("notes.txt", b""), "Text");
    }

    #[test]
    fn dotfiles_have_no_extension() {
        assert_eq!(detect(".gitignore", b""), OTHER);
        assert_eq!(detect("home/.bashrc", b""), OTHER);
        assert_eq!(detect(".eslintrc.json", b""), "JSON");
    }

    #[test]
    fn shebangs_name_extensionless_scripts() {
        assert_eq!(detect("bin/run", b"#!/bin/sh\necho hi\n"), "Shell");
        assert_eq!(detect("tool", b"#!/usr/bin/env python3\n"), "Python");
        assert_eq!(detect("tool", b"#!/usr/bin/env -S node --no-warnings\n"), "JavaScript");
        assert_eq!(detect("tool", b"#!/usr/bin/python3.12"), "Python");
        assert_eq!(detect("tool", b"no shebang"), OTHER);
        assert_eq!(detect("tool", b"#!/opt/unknown"), OTHER);
        // A shebang does not override an extension.
        assert_eq!(detect("x.txt", b"#!/bin/sh\n"), "Text");
    }
}
