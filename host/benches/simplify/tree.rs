//! The benchmark's source tree: a few hundred files of random functions in
//! eight languages, the same on every run, with clones planted between
//! files of one language and recorded as ground truth: exact copies, and
//! copies with every name and number changed.

use super::code::{self, LANGS, Lang, Namer, Rng};

/// Where one planted copy is: a whole function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub path: String,
    pub start: u32,
    pub end: u32,
}

/// A planted clone: two or three copies of one function.
#[derive(Debug, Clone)]
pub struct Planted {
    pub renamed: bool,
    pub copies: Vec<Copy>,
}

#[derive(Debug)]
pub struct Tree {
    pub files: Vec<(String, String)>,
    pub planted: Vec<Planted>,
    pub lines: usize,
}

/// The shape of the tree.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub files_per_language: usize,
    pub lines_per_file: usize,
    /// Per language: pairs of exact copies, then one group of three.
    pub exact_pairs: usize,
    pub renamed_pairs: usize,
}

/// A function: its lines, and which planted clone copy it is, if any.
struct Block {
    lines: Vec<String>,
    planted: Option<(usize, usize)>,
}

pub fn generate(shape: Shape, seed: u64) -> Tree {
    let mut rng = Rng::new(seed);
    let mut namer = Namer::default();
    let mut files: Vec<(String, Lang, Vec<Block>)> = Vec::new();
    let mut planted: Vec<Planted> = Vec::new();
    for lang in LANGS {
        let first = files.len();
        for i in 0..shape.files_per_language {
            let path = format!("{}/pkg{}/m{i}.{}", lang.dir(), i % 6, lang.ext());
            let mut blocks = Vec::new();
            let mut lines = 0;
            while lines < shape.lines_per_file {
                let size = rng.range(8, 45);
                let f = code::function(lang, &mut rng, size);
                lines += f.len() + 1;
                blocks.push(Block { lines: f.render(lang, &mut namer, false), planted: None });
            }
            files.push((path, lang, blocks));
        }
        // Pairs, then a group of three, of each kind.
        let kinds = [(false, shape.exact_pairs), (true, shape.renamed_pairs)];
        for (renamed, pairs) in kinds {
            for n in 0..=pairs {
                let copies = if n == pairs { 3 } else { 2 };
                let size = rng.range(12, 40);
                let template = code::function(lang, &mut rng, size);
                let original = template.render(lang, &mut namer, false);
                let mut targets: Vec<usize> = Vec::new();
                while targets.len() < copies {
                    let f = first + rng.below(shape.files_per_language);
                    if !targets.contains(&f) {
                        targets.push(f);
                    }
                }
                let id = planted.len();
                planted.push(Planted { renamed, copies: Vec::new() });
                for (c, &f) in targets.iter().enumerate() {
                    let lines = if renamed && c > 0 {
                        template.render(lang, &mut namer, true)
                    } else {
                        original.clone()
                    };
                    let blocks = &mut files[f].2;
                    let at = rng.below(blocks.len() + 1);
                    blocks.insert(at, Block { lines, planted: Some((id, c)) });
                }
            }
        }
    }
    let mut out = Vec::with_capacity(files.len());
    let mut total = 0;
    let mut found: Vec<(usize, usize, Copy)> = Vec::new();
    for (path, lang, blocks) in files {
        let (text, at) = assemble(lang, &path, &blocks);
        for ((id, copy), start, end) in at {
            found.push((id, copy, Copy { path: path.clone(), start, end }));
        }
        total += text.lines().count();
        out.push((path, text));
    }
    // Copy 0 is the original; the others were made from it.
    found.sort_by_key(|(id, copy, _)| (*id, *copy));
    for (id, _, copy) in found {
        planted[id].copies.push(copy);
    }
    Tree { files: out, planted, lines: total }
}

/// A file's text around its functions, and the lines of each planted one.
#[allow(clippy::type_complexity)]
fn assemble(lang: Lang, path: &str, blocks: &[Block]) -> (String, Vec<((usize, usize), u32, u32)>) {
    let stem = path.rsplit('/').next().unwrap_or(path).split('.').next().unwrap_or("m");
    let (head, tail) = match lang {
        Lang::Rust => ("//! Generated for the simplify benchmark.\n".to_string(), String::new()),
        Lang::Python => {
            ("\"\"\"Generated for the simplify benchmark.\"\"\"\n\nimport math\n".to_string(), String::new())
        }
        Lang::JavaScript | Lang::TypeScript => {
            ("// Generated for the simplify benchmark.\n".to_string(), String::new())
        }
        Lang::Go => (format!("package {}\n", path.split('/').nth(1).unwrap_or("p")), String::new()),
        Lang::Java => (format!("package bench;\n\npublic class {} {{\n", capital(stem)), "}\n".to_string()),
        Lang::C => ("#include <stdint.h>\n".to_string(), String::new()),
        Lang::Cpp => (format!("#include <cstdint>\n\nnamespace {stem} {{\n"), "}\n".to_string()),
    };
    let mut text = head;
    let mut line = text.lines().count() as u32;
    let mut at = Vec::new();
    for b in blocks {
        text.push('\n');
        line += 1;
        let start = line + 1;
        for l in &b.lines {
            text.push_str(l);
            text.push('\n');
        }
        line += b.lines.len() as u32;
        if let Some(p) = b.planted {
            at.push((p, start, line));
        }
    }
    text.push_str(&tail);
    (text, at)
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}
