//! Python functions: a `def` owns the logical lines indented deeper than
//! it, and each further indentation level inside is one level of nesting.

use super::Function;
use crate::lex::{self, Kind, Tok};

struct OpenDef {
    index: usize,
    indent: u32,
    /// Indentation of each open block inside the body, outermost first.
    levels: Vec<u32>,
}

pub fn find(src: &[u8], toks: &[Tok]) -> Vec<Function> {
    let mut out: Vec<Function> = Vec::new();
    let mut open: Vec<OpenDef> = Vec::new();
    let mut last_line = 0;
    let mut decorated = false;
    for (k, t) in toks.iter().enumerate() {
        if !t.line_start {
            last_line = t.line;
            continue;
        }
        let indent = indent_of(src, t.start as usize);
        while let Some(d) = open.last().filter(|d| indent <= d.indent) {
            out[d.index].end_line = last_line;
            open.pop();
        }
        if let Some(d) = open.last_mut() {
            while d.levels.last().is_some_and(|&l| l > indent) {
                d.levels.pop();
            }
            if d.levels.last() != Some(&indent) {
                d.levels.push(indent);
            }
            let depth = d.levels.len() as u32 - 1;
            let f = &mut out[d.index];
            if depth > f.depth {
                f.depth = depth;
                f.depth_line = t.line;
            }
        }
        let name = if t.is(src, "def") {
            Some(k + 1)
        } else if t.is(src, "async") && toks.get(k + 1).is_some_and(|n| n.is(src, "def")) {
            Some(k + 2)
        } else {
            None
        };
        if let Some(name) = name.filter(|&n| toks.get(n).is_some_and(|n| n.kind == Kind::Ident)) {
            let text = toks[name].text(src);
            let dunder = text.starts_with(b"__") && text.ends_with(b"__");
            out.push(Function {
                name: String::from_utf8_lossy(text).into_owned(),
                name_hash: lex::hash(text),
                start_line: t.line,
                end_line: t.line,
                depth: 0,
                depth_line: t.line,
                // A decorator may register it with a framework that calls it.
                private: text.starts_with(b"_") && !dunder && !decorated,
            });
            open.push(OpenDef { index: out.len() - 1, indent, levels: Vec::new() });
        }
        decorated = t.is(src, "@");
        last_line = t.line;
    }
    for d in open {
        out[d.index].end_line = last_line;
    }
    out
}

/// Column of the byte at `start`, tabs to the next multiple of eight.
fn indent_of(src: &[u8], start: usize) -> u32 {
    let line_start = src[..start].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    src[line_start..start].iter().fold(0, |col, &b| if b == b'\t' { (col / 8 + 1) * 8 } else { col + 1 })
}

#[cfg(test)]
mod tests {
    use crate::functions::find_in;

    #[test]
    fn defs_their_extent_depth_and_privacy() {
        let src = "import os\n\ndef public(a):\n    if a:\n        for x in a:\n            while x:\n                pass\n    return a\n\n\
                   class K:\n    def _helper(self):\n        return 1\n\n    def __init__(self):\n        def _inner():\n            pass\n\
                   @app.route('/')\ndef _view():\n    pass\nasync def _later(\n        a,\n):\n    await a\n";
        let found: Vec<_> = find_in("a.py", src)
            .into_iter()
            .map(|f| (f.name, f.start_line, f.end_line, f.depth, f.private))
            .collect();
        let s = |n: &str, a, b, d, p| (n.to_string(), a, b, d, p);
        assert_eq!(
            found,
            [
                s("public", 3, 8, 3, false),
                s("_helper", 11, 12, 0, true),
                s("__init__", 14, 16, 0, false),
                s("_inner", 15, 16, 0, true),
                s("_view", 18, 19, 0, false),
                s("_later", 20, 23, 0, true),
            ]
        );
    }
}
