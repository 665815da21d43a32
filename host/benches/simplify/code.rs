//! Random functions in eight languages, written as templates whose names
//! and numbers are filled in when rendered: one template rendered twice
//! with the same names is an exact clone, with fresh names and numbers a
//! renamed one. Statements and expressions are drawn at random (nested
//! blocks, operators, calls, parentheses), so two functions share no run
//! of 50 tokens by chance, even with names and literals normalized away.

/// The languages of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Go,
    Java,
    C,
    Cpp,
}

pub const LANGS: [Lang; 8] =
    [Lang::Rust, Lang::Python, Lang::JavaScript, Lang::TypeScript, Lang::Go, Lang::Java, Lang::C, Lang::Cpp];

impl Lang {
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::JavaScript => "js",
            Lang::TypeScript => "ts",
            Lang::Go => "go",
            Lang::Java => "java",
            Lang::C => "c",
            Lang::Cpp => "cpp",
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Lang::Rust => "rs",
            Lang::Python => "py",
            Lang::JavaScript => "js",
            Lang::TypeScript => "ts",
            Lang::Go => "go",
            Lang::Java => "java",
            Lang::C => "c",
            Lang::Cpp => "cpp",
        }
    }

    fn braces(self) -> bool {
        self != Lang::Python
    }

    /// Statement terminator.
    fn semi(self) -> &'static str {
        if matches!(self, Lang::Python | Lang::Go) { "" } else { ";" }
    }

    /// Functions of Java files live in a class, of C++ files in a namespace:
    /// one level of indentation.
    pub fn base_indent(self) -> usize {
        usize::from(self == Lang::Java)
    }
}

/// SplitMix64: small, fast, and the same sequence on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A piece of a line.
#[derive(Debug, Clone)]
enum Piece {
    Text(&'static str),
    /// The function's `n`th name (0 is the function itself).
    Name(u32),
    Number(u32),
}

/// A function with its names and numbers left open.
#[derive(Debug, Clone)]
pub struct Template {
    lines: Vec<(usize, Vec<Piece>)>,
    names: u32,
}

/// Hands out names never used before in the tree.
#[derive(Debug, Default)]
pub struct Namer {
    next: u32,
}

impl Namer {
    /// Syllables of a scrambled counter: unique, pronounceable, never a
    /// keyword of any language here.
    pub fn fresh(&mut self) -> String {
        const SYLLABLES: [&str; 16] =
            ["ba", "ke", "di", "fo", "gu", "ha", "ji", "ko", "lu", "ma", "ne", "pi", "ro", "su", "ta", "vi"];
        self.next += 1;
        let mut n = self.next.wrapping_mul(0x9e37_79b1) >> 8;
        let mut out = String::with_capacity(10);
        for _ in 0..5 {
            out.push_str(SYLLABLES[(n & 15) as usize]);
            n >>= 4;
        }
        out
    }
}

impl Template {
    /// Lines of the rendered function.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Fill in fresh names; numbers as drawn, or each changed when
    /// `other_numbers`.
    pub fn render(&self, lang: Lang, namer: &mut Namer, other_numbers: bool) -> Vec<String> {
        let names: Vec<String> = (0..self.names)
            .map(|i| {
                let name = namer.fresh();
                // Go exports a function by its capital; the rest are locals.
                if i == 0 && lang == Lang::Go { capitalize(&name) } else { name }
            })
            .collect();
        self.lines
            .iter()
            .map(|(indent, pieces)| {
                let mut line = "    ".repeat(*indent + lang.base_indent());
                for p in pieces {
                    match p {
                        Piece::Text(t) => line.push_str(t),
                        Piece::Name(n) => line.push_str(&names[*n as usize]),
                        // 6v + 13 is odd, never a multiple of 1000: always a new value.
                        Piece::Number(v) if other_numbers => {
                            line.push_str(&((v * 7 + 13) % 1000).to_string())
                        }
                        Piece::Number(v) => line.push_str(&v.to_string()),
                    }
                }
                line
            })
            .collect()
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

/// A random function of about `lines` lines.
pub fn function(lang: Lang, rng: &mut Rng, lines: usize) -> Template {
    let mut g = Gen { lang, rng, lines: Vec::new(), vars: Vec::new(), names: 1 };
    let params = g.rng.range(1, 4);
    let params: Vec<u32> = (0..params).map(|_| g.name()).collect();
    g.vars.extend(&params);
    g.header(&params);
    while g.lines.len() + 2 < lines {
        g.statement(1, lines);
    }
    let mut ret = vec![Piece::Text("return ")];
    ret.extend(g.expr(2));
    ret.push(Piece::Text(lang.semi()));
    g.lines.push((1, ret));
    if lang.braces() {
        g.lines.push((0, vec![Piece::Text("}")]));
    }
    Template { lines: g.lines, names: g.names }
}

struct Gen<'a> {
    lang: Lang,
    rng: &'a mut Rng,
    lines: Vec<(usize, Vec<Piece>)>,
    /// Names in scope.
    vars: Vec<u32>,
    names: u32,
}

const OPERATORS: [&str; 10] = [" + ", " - ", " * ", " / ", " % ", " & ", " | ", " ^ ", " << ", " >> "];
const COMPARISONS: [&str; 6] = [" < ", " > ", " <= ", " >= ", " == ", " != "];

impl Gen<'_> {
    fn name(&mut self) -> u32 {
        self.names += 1;
        self.names - 1
    }

    fn header(&mut self, params: &[u32]) {
        use Piece::{Name, Text};
        let mut line = match self.lang {
            Lang::Rust => vec![Text("pub fn "), Name(0), Text("(")],
            Lang::Python => vec![Text("def "), Name(0), Text("(")],
            Lang::JavaScript | Lang::TypeScript => vec![Text("export function "), Name(0), Text("(")],
            Lang::Go => vec![Text("func "), Name(0), Text("(")],
            Lang::Java => vec![Text("public static long "), Name(0), Text("(")],
            Lang::C | Lang::Cpp => vec![Text("long "), Name(0), Text("(")],
        };
        for (i, &p) in params.iter().enumerate() {
            if i > 0 {
                line.push(Text(", "));
            }
            match self.lang {
                Lang::Rust => line.extend([Name(p), Text(": i64")]),
                Lang::TypeScript => line.extend([Name(p), Text(": number")]),
                Lang::Go => line.extend([Name(p), Text(" int64")]),
                Lang::Java | Lang::C | Lang::Cpp => line.extend([Text("long "), Name(p)]),
                Lang::Python | Lang::JavaScript => line.push(Name(p)),
            }
        }
        line.push(Text(match self.lang {
            Lang::Rust => ") -> i64 {",
            Lang::Python => "):",
            Lang::TypeScript => "): number {",
            Lang::Go => ") int64 {",
            _ => ") {",
        }));
        self.lines.push((0, line));
    }

    /// One statement at `indent`, keeping the function under `limit` lines.
    fn statement(&mut self, indent: usize, limit: usize) {
        use Piece::{Name, Text};
        let room = limit.saturating_sub(self.lines.len() + 2);
        let roll = self.rng.below(100);
        if roll < 15 && indent < 4 && room >= 4 {
            return self.branch(indent, limit);
        }
        if roll < 25 && indent < 4 && room >= 3 {
            return self.lap(indent, limit);
        }
        let semi = Text(self.lang.semi());
        let line = if roll < 55 || self.vars.len() < 2 {
            let v = self.name();
            let mut l = match self.lang {
                Lang::Rust => vec![Text("let mut "), Name(v), Text(" = ")],
                Lang::Python => vec![Name(v), Text(" = ")],
                Lang::JavaScript => vec![Text("let "), Name(v), Text(" = ")],
                Lang::TypeScript => vec![Text("let "), Name(v), Text(": number = ")],
                Lang::Go => vec![Name(v), Text(" := ")],
                Lang::Java | Lang::C => vec![Text("long "), Name(v), Text(" = ")],
                Lang::Cpp => vec![Text("auto "), Name(v), Text(" = ")],
            };
            l.extend(self.expr(3));
            l.push(semi);
            self.vars.push(v);
            l
        } else if roll < 85 {
            let v = self.var();
            let op = [" = ", " += ", " -= ", " *= ", " ^= "][self.rng.below(5)];
            let mut l = vec![Name(v), Text(op)];
            l.extend(self.expr(3));
            l.push(semi);
            l
        } else {
            let mut l = self.call(2);
            l.push(semi);
            l
        };
        self.lines.push((indent, line));
    }

    fn open(&mut self, indent: usize, head: &[Piece], cond: Vec<Piece>) {
        use Piece::Text;
        let mut line = head.to_vec();
        line.extend(cond);
        line.push(Text(match self.lang {
            Lang::Python => ":",
            Lang::Rust | Lang::Go => " {",
            _ => ") {",
        }));
        self.lines.push((indent, line));
    }

    fn body(&mut self, indent: usize, limit: usize) {
        let (scope, start) = (self.vars.len(), self.lines.len());
        for _ in 0..self.rng.range(1, 4) {
            if self.lines.len() + 3 >= limit {
                break;
            }
            self.statement(indent, limit);
        }
        if self.lines.len() == start {
            self.statement(indent, 0); // a block is never empty
        }
        self.vars.truncate(scope);
    }

    fn branch(&mut self, indent: usize, limit: usize) {
        use Piece::Text;
        let head = if matches!(self.lang, Lang::Rust | Lang::Go | Lang::Python) { "if " } else { "if (" };
        let cond = self.condition();
        self.open(indent, &[Text(head)], cond);
        self.body(indent + 1, limit);
        if self.rng.chance(40) && self.lines.len() + 3 < limit {
            self.lines.push((indent, vec![Text(if self.lang.braces() { "} else {" } else { "else:" })]));
            self.body(indent + 1, limit);
        }
        if self.lang.braces() {
            self.lines.push((indent, vec![Text("}")]));
        }
    }

    fn lap(&mut self, indent: usize, limit: usize) {
        use Piece::{Name, Number, Text};
        let i = self.name();
        let n = Number(self.rng.range(2, 99) as u32);
        let head: Vec<Piece> = match self.lang {
            Lang::Rust => vec![Text("for "), Name(i), Text(" in 0.."), n],
            Lang::Python => vec![Text("for "), Name(i), Text(" in range("), n, Text(")")],
            // The C family: only the declaration differs.
            _ => {
                let (start, init) = match self.lang {
                    Lang::JavaScript | Lang::TypeScript => ("for (let ", " = 0; "),
                    Lang::Go => ("for ", " := 0; "),
                    _ => ("for (int ", " = 0; "),
                };
                vec![
                    Text(start),
                    Name(i),
                    Text(init),
                    Name(i),
                    Text(" < "),
                    n,
                    Text("; "),
                    Name(i),
                    Text("++"),
                ]
            }
        };
        self.open(indent, &head, Vec::new());
        self.vars.push(i);
        self.body(indent + 1, limit);
        self.vars.retain(|&v| v != i);
        if self.lang.braces() {
            self.lines.push((indent, vec![Text("}")]));
        }
    }

    fn var(&mut self) -> u32 {
        self.vars[self.rng.below(self.vars.len())]
    }

    fn condition(&mut self) -> Vec<Piece> {
        let mut c = self.expr(2);
        c.push(Piece::Text(COMPARISONS[self.rng.below(COMPARISONS.len())]));
        c.extend(self.expr(1));
        c
    }

    fn call(&mut self, depth: usize) -> Vec<Piece> {
        use Piece::{Name, Text};
        let f = self.name();
        let mut out = vec![Name(f), Text("(")];
        for a in 0..self.rng.range(1, 3) {
            if a > 0 {
                out.push(Text(", "));
            }
            out.extend(self.expr(depth.saturating_sub(1)));
        }
        out.push(Text(")"));
        out
    }

    fn expr(&mut self, depth: usize) -> Vec<Piece> {
        use Piece::{Name, Number, Text};
        if depth == 0 || self.rng.chance(30) {
            return match self.rng.below(10) {
                0..=5 if !self.vars.is_empty() => vec![Name(self.var())],
                6 if depth > 0 => self.call(depth),
                _ => vec![Number(self.rng.below(1000) as u32)],
            };
        }
        let mut out = Vec::new();
        let wrap = self.rng.chance(35);
        if wrap {
            out.push(Text("("));
        }
        out.extend(self.expr(depth - 1));
        out.push(Text(OPERATORS[self.rng.below(OPERATORS.len())]));
        out.extend(self.expr(depth - 1));
        if wrap {
            out.push(Text(")"));
        }
        out
    }
}
