//! The languages simplify reads, told apart by file name, and the words each
//! one reserves. Reserved words are kept as they are when code is
//! normalized; every other name becomes `ID`.

/// A language simplify understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Go,
    Java,
    C,
    Cpp,
    CSharp,
}

/// Languages whose code can be a copy of each other's: a clone is looked
/// for only within one family (a `.ts` file may copy a `.js` one, and C++ C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Rust,
    Python,
    Js,
    Go,
    Java,
    C,
    CSharp,
}

impl Lang {
    /// Every language, in the order of [`Lang::NAMES`].
    pub const ALL: [Lang; 9] = [
        Lang::Rust,
        Lang::Python,
        Lang::JavaScript,
        Lang::TypeScript,
        Lang::Go,
        Lang::Java,
        Lang::C,
        Lang::Cpp,
        Lang::CSharp,
    ];

    /// Their names in `grove_sdk::lang`'s table, as [`Lang::name`] gives them.
    const NAMES: &'static [&'static str] =
        &["Rust", "Python", "JavaScript", "TypeScript", "Go", "Java", "C", "C++", "C#"];

    /// The language of a file, by its extension in `grove_sdk::lang`'s
    /// table; `None` for anything else.
    pub fn detect(path: &str) -> Option<Lang> {
        let language =
            grove_sdk::lang::of_extension(grove_sdk::lang::extension(grove_sdk::lang::file_name(path))?)?;
        let i = Lang::NAMES.iter().position(|name| *name == language)?;
        Some(Lang::ALL[i])
    }

    /// The extensions `detect` knows, for one glob that reads them all.
    pub const EXTENSIONS: &'static [&'static str] =
        &grove_sdk::lang::extensions_of::<{ grove_sdk::lang::count_extensions(Lang::NAMES) }>(Lang::NAMES);

    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::Python => "Python",
            Lang::JavaScript => "JavaScript",
            Lang::TypeScript => "TypeScript",
            Lang::Go => "Go",
            Lang::Java => "Java",
            Lang::C => "C",
            Lang::Cpp => "C++",
            Lang::CSharp => "C#",
        }
    }

    pub fn family(self) -> Family {
        match self {
            Lang::Rust => Family::Rust,
            Lang::Python => Family::Python,
            Lang::JavaScript | Lang::TypeScript => Family::Js,
            Lang::Go => Family::Go,
            Lang::Java => Family::Java,
            Lang::C | Lang::Cpp => Family::C,
            Lang::CSharp => Family::CSharp,
        }
    }

    /// Whether `word` is reserved in this language.
    pub fn is_keyword(self, word: &[u8]) -> bool {
        match self {
            Lang::Rust => rust_keyword(word),
            Lang::Python => python_keyword(word),
            Lang::JavaScript | Lang::TypeScript => js_keyword(word),
            Lang::Go => go_keyword(word),
            Lang::Java => java_keyword(word),
            Lang::C | Lang::Cpp => c_keyword(word),
            Lang::CSharp => csharp_keyword(word),
        }
    }
}

// `match` on byte strings compiles to a switch on length and a compare:
// faster than a hash set for the million words of a large tree.

fn rust_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"as"
            | b"async"
            | b"await"
            | b"break"
            | b"const"
            | b"continue"
            | b"crate"
            | b"dyn"
            | b"else"
            | b"enum"
            | b"extern"
            | b"false"
            | b"fn"
            | b"for"
            | b"if"
            | b"impl"
            | b"in"
            | b"let"
            | b"loop"
            | b"match"
            | b"mod"
            | b"move"
            | b"mut"
            | b"pub"
            | b"ref"
            | b"return"
            | b"self"
            | b"Self"
            | b"static"
            | b"struct"
            | b"super"
            | b"trait"
            | b"true"
            | b"type"
            | b"unsafe"
            | b"use"
            | b"where"
            | b"while"
    )
}

fn python_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"False"
            | b"None"
            | b"True"
            | b"and"
            | b"as"
            | b"assert"
            | b"async"
            | b"await"
            | b"break"
            | b"class"
            | b"continue"
            | b"def"
            | b"del"
            | b"elif"
            | b"else"
            | b"except"
            | b"finally"
            | b"for"
            | b"from"
            | b"global"
            | b"if"
            | b"import"
            | b"in"
            | b"is"
            | b"lambda"
            | b"nonlocal"
            | b"not"
            | b"or"
            | b"pass"
            | b"raise"
            | b"return"
            | b"try"
            | b"while"
            | b"with"
            | b"yield"
    )
}

fn js_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"async"
            | b"await"
            | b"break"
            | b"case"
            | b"catch"
            | b"class"
            | b"const"
            | b"continue"
            | b"debugger"
            | b"default"
            | b"delete"
            | b"do"
            | b"else"
            | b"enum"
            | b"export"
            | b"extends"
            | b"false"
            | b"finally"
            | b"for"
            | b"function"
            | b"if"
            | b"implements"
            | b"import"
            | b"in"
            | b"instanceof"
            | b"interface"
            | b"let"
            | b"new"
            | b"null"
            | b"private"
            | b"protected"
            | b"public"
            | b"readonly"
            | b"return"
            | b"static"
            | b"super"
            | b"switch"
            | b"this"
            | b"throw"
            | b"true"
            | b"try"
            | b"type"
            | b"typeof"
            | b"var"
            | b"void"
            | b"while"
            | b"with"
            | b"yield"
    )
}

fn go_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"break"
            | b"case"
            | b"chan"
            | b"const"
            | b"continue"
            | b"default"
            | b"defer"
            | b"else"
            | b"fallthrough"
            | b"for"
            | b"func"
            | b"go"
            | b"goto"
            | b"if"
            | b"import"
            | b"interface"
            | b"map"
            | b"package"
            | b"range"
            | b"return"
            | b"select"
            | b"struct"
            | b"switch"
            | b"type"
            | b"var"
            | b"nil"
            | b"true"
            | b"false"
    )
}

fn java_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"abstract"
            | b"assert"
            | b"boolean"
            | b"break"
            | b"byte"
            | b"case"
            | b"catch"
            | b"char"
            | b"class"
            | b"continue"
            | b"default"
            | b"do"
            | b"double"
            | b"else"
            | b"enum"
            | b"extends"
            | b"false"
            | b"final"
            | b"finally"
            | b"float"
            | b"for"
            | b"if"
            | b"implements"
            | b"import"
            | b"instanceof"
            | b"int"
            | b"interface"
            | b"long"
            | b"new"
            | b"null"
            | b"package"
            | b"private"
            | b"protected"
            | b"public"
            | b"return"
            | b"short"
            | b"static"
            | b"super"
            | b"switch"
            | b"synchronized"
            | b"this"
            | b"throw"
            | b"throws"
            | b"true"
            | b"try"
            | b"var"
            | b"void"
            | b"volatile"
            | b"while"
    )
}

fn c_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"auto"
            | b"bool"
            | b"break"
            | b"case"
            | b"catch"
            | b"char"
            | b"class"
            | b"const"
            | b"constexpr"
            | b"continue"
            | b"default"
            | b"delete"
            | b"do"
            | b"double"
            | b"else"
            | b"enum"
            | b"extern"
            | b"false"
            | b"float"
            | b"for"
            | b"goto"
            | b"if"
            | b"inline"
            | b"int"
            | b"long"
            | b"namespace"
            | b"new"
            | b"noexcept"
            | b"nullptr"
            | b"operator"
            | b"private"
            | b"protected"
            | b"public"
            | b"return"
            | b"short"
            | b"signed"
            | b"sizeof"
            | b"static"
            | b"struct"
            | b"switch"
            | b"template"
            | b"this"
            | b"throw"
            | b"true"
            | b"try"
            | b"typedef"
            | b"typename"
            | b"union"
            | b"unsigned"
            | b"using"
            | b"virtual"
            | b"void"
            | b"volatile"
            | b"while"
    )
}

fn csharp_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"abstract"
            | b"as"
            | b"async"
            | b"await"
            | b"base"
            | b"bool"
            | b"break"
            | b"case"
            | b"catch"
            | b"class"
            | b"const"
            | b"continue"
            | b"default"
            | b"do"
            | b"else"
            | b"enum"
            | b"false"
            | b"finally"
            | b"for"
            | b"foreach"
            | b"if"
            | b"in"
            | b"int"
            | b"interface"
            | b"internal"
            | b"is"
            | b"namespace"
            | b"new"
            | b"null"
            | b"out"
            | b"override"
            | b"private"
            | b"protected"
            | b"public"
            | b"readonly"
            | b"ref"
            | b"return"
            | b"sealed"
            | b"static"
            | b"string"
            | b"struct"
            | b"switch"
            | b"this"
            | b"throw"
            | b"true"
            | b"try"
            | b"using"
            | b"var"
            | b"virtual"
            | b"void"
            | b"while"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_sdk_tables() {
        for (lang, name) in Lang::ALL.iter().zip(Lang::NAMES) {
            assert_eq!(lang.name(), *name);
        }
        assert_eq!(Lang::detect("x.ipp"), Some(Lang::Cpp));
    }

    #[test]
    fn detects_by_extension() {
        assert_eq!(Lang::detect("src/main.rs"), Some(Lang::Rust));
        assert_eq!(Lang::detect("a/b.tsx"), Some(Lang::TypeScript));
        assert_eq!(Lang::detect("x.hpp"), Some(Lang::Cpp));
        assert_eq!(Lang::detect("Makefile"), None);
        assert_eq!(Lang::detect("dir.rs/README"), None);
        for ext in Lang::EXTENSIONS {
            assert!(Lang::detect(&format!("f.{ext}")).is_some(), "{ext}");
        }
    }

    #[test]
    fn families_group_copyable_languages() {
        assert_eq!(Lang::TypeScript.family(), Lang::JavaScript.family());
        assert_eq!(Lang::Cpp.family(), Lang::C.family());
        assert_ne!(Lang::Java.family(), Lang::C.family());
    }

    #[test]
    fn keywords_per_language() {
        assert!(Lang::Rust.is_keyword(b"fn"));
        assert!(!Lang::Rust.is_keyword(b"def"));
        assert!(Lang::Python.is_keyword(b"def"));
        assert!(Lang::Go.is_keyword(b"func"));
        assert!(!Lang::Go.is_keyword(b"fmt"));
    }
}
