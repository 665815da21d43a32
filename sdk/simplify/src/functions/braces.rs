//! Functions in the brace languages, in one pass over the tokens with a
//! stack of open blocks. A block is a function body when a function word
//! (`fn`, `func`, `function`) came before it at the same level, or when it
//! follows the shape `name(…) {` (methods in Java, C, C++, C#, JS classes),
//! or `name = (…) => {` in JS.

use super::Function;
use crate::lang::Lang;
use crate::lex::{self, Kind, Tok};

pub fn find(lang: Lang, src: &[u8], toks: &[Tok]) -> Vec<Function> {
    let mut f = Finder {
        lang,
        src,
        toks,
        stack: Vec::new(),
        parens: Vec::new(),
        open_of: vec![u32::MAX; toks.len()],
        pending: None,
        out: Vec::new(),
    };
    f.run();
    f.out
}

/// What a `{` opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Function(usize),
    /// A class, struct, interface or enum body.
    Class,
    /// A C++ namespace or `extern "C"` block: still file scope.
    Namespace,
    /// A Rust trait or trait impl: its methods are called through the trait.
    Trait,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    block: Block,
    /// The innermost function this block is part of.
    owner: Option<usize>,
    /// Nesting depth inside that function.
    depth: u32,
}

/// A function word was seen; its body is the next `{` at the same level.
#[derive(Debug, Clone, Copy)]
struct Pending {
    name: usize,
    start_line: u32,
    level: usize,
    parens: usize,
    private: bool,
}

struct Finder<'a> {
    lang: Lang,
    src: &'a [u8],
    toks: &'a [Tok],
    stack: Vec<Open>,
    /// Open `(` and `[`.
    parens: Vec<usize>,
    /// For each `)` and `]`, where it opened.
    open_of: Vec<u32>,
    pending: Option<Pending>,
    out: Vec<Function>,
}

impl Finder<'_> {
    fn run(&mut self) {
        for k in 0..self.toks.len() {
            let t = self.toks[k];
            match (t.kind, t.text(self.src)) {
                (Kind::Punct, b"(" | b"[") => self.parens.push(k),
                (Kind::Punct, b")" | b"]") => {
                    if let Some(open) = self.parens.pop() {
                        self.open_of[k] = open as u32;
                    }
                }
                (Kind::Punct, b"{") => self.open(k),
                (Kind::Punct, b"}") => self.close(k),
                // A declaration without a body.
                (Kind::Punct, b";") if self.pending_here().is_some() => self.pending = None,
                (Kind::Keyword, b"fn") if self.lang == Lang::Rust => self.rust_fn(k),
                (Kind::Keyword, b"func") if self.lang == Lang::Go => self.go_func(k),
                (Kind::Keyword, b"function") if is_js(self.lang) => self.js_function(k),
                _ => {}
            }
        }
        let last = self.toks.last().map_or(1, |t| t.line);
        for f in &mut self.out {
            if f.end_line == 0 {
                f.end_line = last;
            }
        }
    }

    fn text(&self, k: usize) -> &[u8] {
        self.toks[k].text(self.src)
    }

    fn is(&self, k: usize, s: &str) -> bool {
        self.toks.get(k).is_some_and(|t| t.is(self.src, s))
    }

    fn ident(&self, k: usize) -> bool {
        self.toks.get(k).is_some_and(|t| t.kind == Kind::Ident)
    }

    fn open(&mut self, k: usize) {
        let block = if let Some(p) = self.pending_here() {
            self.pending = None;
            self.start(p.name, p.start_line, p.private)
        } else if let Some((name, private)) = self.shaped_function(k) {
            let line = self.toks[name].line;
            self.start(name, line, private)
        } else {
            self.container(k)
        };
        let parent = self.stack.last().copied();
        let open = match block {
            Block::Function(i) => Open { block, owner: Some(i), depth: 0 },
            _ => {
                let owner = parent.and_then(|p| p.owner);
                let depth = parent.map_or(0, |p| p.depth + 1);
                if let Some(i) = owner
                    && depth > self.out[i].depth
                {
                    self.out[i].depth = depth;
                    self.out[i].depth_line = self.toks[k].line;
                }
                Open { block, owner, depth: if owner.is_some() { depth } else { 0 } }
            }
        };
        self.stack.push(open);
    }

    /// The pending function word, if it was seen at the current level.
    fn pending_here(&self) -> Option<Pending> {
        self.pending.filter(|p| p.level == self.stack.len() && p.parens == self.parens.len())
    }

    fn close(&mut self, k: usize) {
        if let Some(Open { block: Block::Function(i), .. }) = self.stack.pop() {
            self.out[i].end_line = self.toks[k].line;
        }
    }

    fn start(&mut self, name: usize, start_line: u32, private: bool) -> Block {
        let text = self.text(name);
        self.out.push(Function {
            name: String::from_utf8_lossy(text).into_owned(),
            name_hash: lex::hash(text),
            start_line,
            end_line: 0,
            depth: 0,
            depth_line: start_line,
            private,
        });
        Block::Function(self.out.len() - 1)
    }

    fn pend(&mut self, name: usize, start_line: u32, private: bool) {
        let (level, parens) = (self.stack.len(), self.parens.len());
        self.pending = Some(Pending { name, start_line, level, parens, private });
    }

    /// The kind of the innermost open block.
    fn enclosing(&self) -> Option<Block> {
        self.stack.last().map(|o| o.block)
    }

    /// `fn name`: private unless `pub`, inside a trait or trait impl, an
    /// entry point, or marked by an attribute that something else calls.
    fn rust_fn(&mut self, k: usize) {
        if !self.ident(k + 1) {
            return; // `fn(u8) -> u8`, a function pointer type
        }
        let mut public = self.text(k + 1) == b"main" || self.enclosing() == Some(Block::Trait);
        let mut j = k;
        while j > 0 {
            let t = self.toks[j - 1];
            let text = t.text(self.src);
            if text == b")" && self.open_of[j - 1] != u32::MAX {
                j = self.open_of[j - 1] as usize; // `pub(crate)`
            } else if text == b"]" && self.open_of[j - 1] != u32::MAX {
                let open = self.open_of[j - 1] as usize;
                public |=
                    (open..j).any(|i| self.toks[i].kind == Kind::Ident && called_elsewhere(self.text(i)));
                j = open; // `#[…]`
                if j > 0 && self.is(j - 1, "#") {
                    j -= 1;
                }
            } else if matches!(t.kind, Kind::Keyword | Kind::Literal) || text == b"default" {
                public |= text == b"pub";
                if !matches!(text, b"pub" | b"const" | b"async" | b"unsafe" | b"extern" | b"crate" | b"super")
                    && t.kind != Kind::Literal
                {
                    break;
                }
                j -= 1;
            } else {
                break;
            }
        }
        self.pend(k + 1, self.toks[k].line, !public);
    }

    /// `func name(`, `func (r T) name(`, or a function literal.
    fn go_func(&mut self, k: usize) {
        // Functions and methods are declared at the top level; anywhere
        // else `func` starts a literal or a type.
        if !self.stack.is_empty() || !self.parens.is_empty() {
            return;
        }
        let mut name = k + 1;
        let method = self.is(name, "(");
        if method {
            let mut depth = 0;
            while name < self.toks.len() {
                match self.text(name) {
                    b"(" => depth += 1,
                    b")" => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                name += 1;
            }
            name += 1;
        }
        if !self.ident(name) || !(self.is(name + 1, "(") || self.is(name + 1, "[")) {
            return; // a function literal or type
        }
        let text = self.text(name);
        let private = !method
            && self.stack.is_empty()
            && text.first().is_some_and(u8::is_ascii_lowercase)
            && !matches!(text, b"main" | b"init");
        self.pend(name, self.toks[k].line, private);
    }

    /// `function name`, or `name = function`, `name: function`.
    fn js_function(&mut self, k: usize) {
        let mut next = k + 1;
        if self.is(next, "*") {
            next += 1;
        }
        let mut before = k;
        if before > 0 && self.is(before - 1, "async") {
            before -= 1;
        }
        if self.ident(next) {
            // Only a declaration binds its name in the module; the name of a
            // function expression (`x = function name() {}`) is its own.
            let declaration =
                before == 0 || [";", "{", "}", "export", "default"].iter().any(|w| self.is(before - 1, w));
            let private = declaration && self.stack.is_empty() && !self.exported(k);
            return self.pend(next, self.toks[k].line, private);
        }
        if before >= 2 && (self.is(before - 1, "=") || self.is(before - 1, ":")) && self.ident(before - 2) {
            self.pend(before - 2, self.toks[before - 2].line, false);
        }
    }

    /// `export` before a JS declaration starting at `k`.
    fn exported(&self, mut k: usize) -> bool {
        while k > 0 {
            let t = self.text(k - 1);
            if t == b"export" {
                return true;
            }
            if !matches!(t, b"async" | b"default" | b"declare") {
                return false;
            }
            k -= 1;
        }
        false
    }

    /// A body recognized by its shape: `name(…) … {` or `name = (…) => {`.
    fn shaped_function(&self, k: usize) -> Option<(usize, bool)> {
        match self.lang {
            Lang::Rust | Lang::Go => None,
            _ if k > 0 && self.is(k - 1, "=>") => self.arrow_function(k),
            _ => self.method(k),
        }
    }

    /// `const name = (…) => {` (private at top level unless exported),
    /// or `name: (…) => {` in an object.
    fn arrow_function(&self, k: usize) -> Option<(usize, bool)> {
        let p = k.checked_sub(2)?;
        let mut q = if self.is(p, ")") {
            (self.open_of[p] as usize).checked_sub(1)?
        } else if self.ident(p) {
            p.checked_sub(1)?
        } else {
            return None;
        };
        if self.is(q, "async") {
            q = q.checked_sub(1)?;
        }
        if self.is(q, ":") && q > 0 && self.ident(q - 1) {
            return Some((q - 1, false));
        }
        if !self.is(q, "=") {
            return None;
        }
        let decl =
            (q.saturating_sub(8)..q).rev().find(|&i| matches!(self.text(i), b"const" | b"let" | b"var"));
        match decl {
            Some(d) if self.ident(d + 1) => Some((d + 1, self.stack.is_empty() && !self.exported(d))),
            _ if q > 0 && self.ident(q - 1) => Some((q - 1, false)),
            _ => None,
        }
    }

    /// `name(…) qualifiers {`: walk back over what may stand between the
    /// parameters and the body (`const`, `throws E`, `-> T`, `: Base(x)`)
    /// to the parameter list, and take the name before it.
    fn method(&self, k: usize) -> Option<(usize, bool)> {
        let mut j = k;
        for _ in 0..48 {
            j = j.checked_sub(1)?;
            let t = self.toks[j];
            let text = t.text(self.src);
            if text == b")" {
                let open = self.open_of[j];
                if open == u32::MAX || open == 0 {
                    return None;
                }
                let name = open as usize - 1;
                if !self.ident(name) {
                    return None;
                }
                // A C++ member initializer `: a(x), b(y)`: keep walking.
                if self.lang == Lang::Cpp && name > 0 && (self.is(name - 1, ",") || self.is(name - 1, ":")) {
                    j = name;
                    continue;
                }
                if name > 0
                    && matches!(self.text(name - 1), b"." | b"->" | b"new" | b"=" | b"return" | b"(" | b",")
                {
                    return None;
                }
                return Some((name, self.private_method(name)));
            }
            let skippable = match t.kind {
                Kind::Ident => true,
                Kind::Keyword => !is_control(text),
                Kind::Punct => matches!(
                    text,
                    b"," | b"::"
                        | b"."
                        | b"<"
                        | b">"
                        | b">>"
                        | b"&"
                        | b"&&"
                        | b"*"
                        | b"->"
                        | b":"
                        | b"?"
                        | b"|"
                        | b"["
                        | b"]"
                ),
                Kind::Literal => false,
            };
            if !skippable {
                return None;
            }
        }
        None
    }

    /// Java and C# `private`, TS `private` or `#name`, C and C++ `static`
    /// at file scope: a method only its own file can call.
    fn private_method(&self, name: usize) -> bool {
        let start = (0..name)
            .rev()
            .take(32)
            .find(|&i| matches!(self.text(i), b";" | b"{" | b"}"))
            .map_or(name.saturating_sub(32), |i| i + 1);
        let has =
            |word: &str| (start..name).any(|i| self.is(i, word) || self.toks[i].is_ident(self.src, word));
        let annotated = (start..name).any(|i| self.is(i, "@"));
        let text = self.text(name);
        match self.lang {
            Lang::Java => {
                has("private")
                    && !annotated
                    && !matches!(
                        text,
                        b"readObject"
                            | b"writeObject"
                            | b"readResolve"
                            | b"writeReplace"
                            | b"readObjectNoData"
                    )
            }
            Lang::CSharp => has("private") && !(start..name).any(|i| self.is(i, "[")),
            Lang::JavaScript | Lang::TypeScript => {
                (has("private") || (name > 0 && self.is(name - 1, "#"))) && !annotated
            }
            Lang::C | Lang::Cpp => {
                has("static") && text != b"main" && self.stack.iter().all(|o| o.block == Block::Namespace)
            }
            _ => false,
        }
    }

    /// What a `{` that opens no function opens, judged by the words since
    /// the statement began.
    fn container(&self, k: usize) -> Block {
        let start = (0..k).rev().take(64).find(|&i| matches!(self.text(i), b";" | b"{" | b"}"));
        let start = start.map_or(k.saturating_sub(64), |i| i + 1);
        let has = |word: &str| (start..k).any(|i| self.is(i, word));
        if self.lang == Lang::Rust {
            if has("trait") || (has("impl") && has("for")) {
                return Block::Trait;
            }
        } else if has("namespace")
            || (has("extern") && (start..k).any(|i| self.toks[i].kind == Kind::Literal))
        {
            return Block::Namespace;
        }
        if has("class") || has("struct") || has("interface") || has("enum") || has("union") {
            return Block::Class;
        }
        Block::Other
    }
}

fn is_js(lang: Lang) -> bool {
    matches!(lang, Lang::JavaScript | Lang::TypeScript)
}

/// Words before `(` that make `word (…) {` a statement, not a function.
fn is_control(word: &[u8]) -> bool {
    matches!(
        word,
        b"if"
            | b"else"
            | b"for"
            | b"foreach"
            | b"while"
            | b"do"
            | b"switch"
            | b"catch"
            | b"try"
            | b"finally"
            | b"return"
            | b"new"
            | b"case"
            | b"synchronized"
            | b"using"
            | b"lock"
            | b"fixed"
            | b"with"
            | b"yield"
            | b"await"
            | b"throw"
            | b"class"
            | b"struct"
            | b"enum"
            | b"interface"
            | b"namespace"
    )
}

/// Rust attributes under which something other than this crate's code
/// calls the function: tests, exported symbols, macros, frameworks.
fn called_elsewhere(word: &[u8]) -> bool {
    matches!(
        word,
        b"test"
            | b"bench"
            | b"no_mangle"
            | b"export_name"
            | b"proc_macro"
            | b"proc_macro_derive"
            | b"proc_macro_attribute"
            | b"main"
            | b"wasm_bindgen"
            | b"ctor"
            | b"dtor"
            | b"panic_handler"
            | b"global_allocator"
            | b"used"
            | b"link_section"
            | b"rstest"
            | b"test_case"
            | b"tokio"
            | b"async_std"
            | b"napi"
            | b"pyfunction"
            | b"uniffi"
            | b"handler"
            | b"get"
            | b"post"
            | b"put"
            | b"delete"
            | b"patch"
            | b"route"
    )
}

#[cfg(test)]
mod tests {
    use crate::functions::find_in;

    /// `(name, start, end, depth, private)` of each function.
    fn found(path: &str, src: &str) -> Vec<(String, u32, u32, u32, bool)> {
        find_in(path, src)
            .into_iter()
            .map(|f| (f.name, f.start_line, f.end_line, f.depth, f.private))
            .collect()
    }

    fn s(name: &str, start: u32, end: u32, depth: u32, private: bool) -> (String, u32, u32, u32, bool) {
        (name.to_string(), start, end, depth, private)
    }

    #[test]
    fn rust_functions_visibility_and_depth() {
        let src = "pub fn a() {\n    if x {\n        for y in z {\n        }\n    }\n}\nfn b() -> u8 { 1 }\n\
                   impl Display for X {\n    fn fmt(&self) {}\n}\nimpl X {\n    fn helper(&self) {}\n    pub(crate) fn c() {}\n}\n\
                   #[test]\nfn t() {}\nfn main() {}\ntrait T { fn d(&self); fn e(&self) {} }\n\
                   #[inline]\nconst unsafe fn f<F: Fn(u8)>(g: F) where F: Copy { let h = |x| { x }; }\n";
        assert_eq!(
            found("a.rs", src),
            [
                s("a", 1, 6, 2, false),
                s("b", 7, 7, 0, true),
                s("fmt", 9, 9, 0, false),
                s("helper", 12, 12, 0, true),
                s("c", 13, 13, 0, false),
                s("t", 16, 16, 0, false),
                s("main", 17, 17, 0, false),
                s("e", 18, 18, 0, false),
                s("f", 20, 20, 1, true),
            ]
        );
    }

    #[test]
    fn nested_functions_own_their_depth() {
        let src = "fn outer() {\n    fn inner() {\n        if a { if b { } }\n    }\n    loop { }\n}\n";
        assert_eq!(found("a.rs", src), [s("outer", 1, 6, 1, true), s("inner", 2, 4, 2, true)]);
    }

    #[test]
    fn go_functions_and_methods() {
        let src = "package p\nfunc helper(a int) int {\n\treturn a\n}\nfunc (s *S) run() {\n\tf := func() {\n\t}\n}\n\
                   func Exported() {}\nfunc main() {}\n";
        assert_eq!(
            found("a.go", src),
            [
                s("helper", 2, 4, 0, true),
                s("run", 5, 8, 1, false),
                s("Exported", 9, 9, 0, false),
                s("main", 10, 10, 0, false)
            ]
        );
    }

    #[test]
    fn js_functions_arrows_and_methods() {
        let src = "function local(a) {\n  return a;\n}\nexport function pub1() {}\nconst arrow = (x) => {\n  return x;\n};\n\
                   export const pub2 = async (y) => {\n};\nclass K {\n  method(a) {\n    if (a) {\n    }\n  }\n  \
                   private hidden(): number { return 1; }\n}\nfoo(function () { });\nconst obj = { key: function () {} };\n\
                   module.exports = function named() {};\n";
        assert_eq!(
            found("a.ts", src),
            [
                s("local", 1, 3, 0, true),
                s("pub1", 4, 4, 0, false),
                s("arrow", 5, 7, 0, true),
                s("pub2", 8, 9, 0, false),
                s("method", 11, 14, 1, false),
                s("hidden", 15, 15, 0, true),
                s("key", 18, 18, 0, false),
                s("named", 19, 19, 0, false),
            ]
        );
    }

    #[test]
    fn java_and_c_methods() {
        let java = "class A {\n  private int helper(int x) throws IOException {\n    while (x > 0) { x--; }\n    return x;\n  }\n\
                    @Override\n  public String toString() { return \"\"; }\n  A() { super(); }\n}\n";
        assert_eq!(
            found("A.java", java),
            [s("helper", 2, 5, 1, true), s("toString", 7, 7, 0, false), s("A", 8, 8, 0, false)]
        );
        let c = "static int add(int a, int b) {\n  return a + b;\n}\nint main(void) {\n  if (x) {\n    for (;;) {\n    }\n  }\n}\n\
                 struct S { int x; };\n";
        assert_eq!(found("a.c", c), [s("add", 1, 3, 0, true), s("main", 4, 9, 2, false)]);
        let cpp = "namespace n {\nstatic void f() {}\nclass C {\n  static void g() {}\n  C(int a) : x(a), y(0) {}\n};\n}\n";
        assert_eq!(
            found("a.cpp", cpp),
            [s("f", 2, 2, 0, true), s("g", 4, 4, 0, false), s("C", 5, 5, 0, false)]
        );
    }
}
