//! `--sarif`: SARIF 2.1.0, the format code-scanning services read. One
//! result per finding; a clone's first copy is its location and the other
//! copies are related locations.

use grove_sdk::sarif::{self, Level, Region, Rule, Run};
use serde_json::{Value, json};

use grove_simplify::findings::{CloneKind, DeadKind, Findings, FunctionShape, Location};

const TAGS: &[&str] = &["maintainability"];

/// The rules, in `ruleIndex` order.
const RULES: &[Rule<'static>] = &[
    Rule {
        name: Some("DuplicatedCode"),
        full: Some(
            "The same code, or the same code with other names and literals, appears more than once. Extract it once and call it.",
        ),
        tags: TAGS,
        ..Rule::new("simplify/clone", "Duplicated code", Level::Warning)
    },
    Rule {
        name: Some("PossiblyDeadCode"),
        full: Some(
            "A private function nothing else names, or a module nothing imports. Found without a compiler: a hint, which may be wrong.",
        ),
        tags: TAGS,
        ..Rule::new("simplify/dead-code", "Possibly unused code", Level::Note)
    },
    Rule {
        name: Some("LongFunction"),
        full: Some("A function longer than the limit. Split it into functions that each do one thing."),
        tags: TAGS,
        ..Rule::new("simplify/long-function", "Overly long function", Level::Warning)
    },
    Rule {
        name: Some("DeepNesting"),
        full: Some("Blocks nested deeper than the limit. Return early or extract the inner blocks."),
        tags: TAGS,
        ..Rule::new("simplify/deep-nesting", "Deeply nested function", Level::Warning)
    },
];

pub fn render(f: &Findings, max_lines: u32, max_depth: u32) -> String {
    let mut results = Vec::with_capacity(f.count());
    for c in &f.clones {
        let kind = match c.kind {
            CloneKind::Exact => "exact copies",
            CloneKind::Renamed => "copies that differ only in names or literals",
        };
        let others: Vec<String> =
            c.locations[1..].iter().map(|l| format!("{}:{}-{}", l.path, l.start_line, l.end_line)).collect();
        let related: Vec<Value> = c.locations[1..]
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical(l),
                    "message": { "text": format!("copy {} of {}", i + 2, c.locations.len()) },
                })
            })
            .collect();
        let mut r = result(
            0,
            format!(
                "{} lines ({} tokens) appear {} times, {kind}. Other copies: {}.",
                c.lines,
                c.tokens,
                c.locations.len(),
                others.join(", ")
            ),
            &c.locations[0],
        );
        r["relatedLocations"] = Value::Array(related);
        r["properties"] =
            json!({ "kind": c.kind, "lines": c.lines, "tokens": c.tokens, "copies": c.locations.len() });
        results.push(r);
    }
    for d in &f.dead_code {
        let location = Location { path: d.path.clone(), start_line: d.line, end_line: d.line };
        let what = match d.kind {
            DeadKind::Function => format!("Function `{}` may be unused", d.name),
            DeadKind::File => format!("Module {} may be unused", d.name),
        };
        results.push(result(1, format!("{what}: {}.", d.reason), &location));
    }
    let shape = |rule: usize, s: &FunctionShape, text: String| {
        let location = Location { path: s.path.clone(), start_line: s.start_line, end_line: s.end_line };
        result(rule, text, &location)
    };
    for s in &f.long_functions {
        results.push(shape(
            2,
            s,
            format!("Function `{}` is {} lines long (limit {max_lines}).", s.name, s.lines),
        ));
    }
    for s in &f.deep_nesting {
        let text = format!(
            "Function `{}` nests blocks {} levels deep at line {} (limit {max_depth}).",
            s.name, s.depth, s.depth_line
        );
        results.push(shape(3, s, text));
    }
    Run::new("grove simplify", env!("CARGO_PKG_VERSION"), RULES)
        .set("columnKind", "unicodeCodePoints".into())
        .results(results)
        .render()
}

fn result(rule: usize, text: String, location: &Location) -> Value {
    let r = &RULES[rule];
    sarif::result(r.id, Some(rule), r.level, &text, physical(location))
}

fn physical(l: &Location) -> Value {
    sarif::location(&l.path, Some(Region::lines(l.start_line, l.end_line)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use grove_simplify::findings::{Clone, DeadCode};

    #[test]
    fn one_result_per_finding_with_related_copies() {
        let loc = |p: &str, a, b| Location { path: p.into(), start_line: a, end_line: b };
        let f = Findings {
            clones: vec![Clone {
                kind: CloneKind::Renamed,
                language: "Python",
                lines: 8,
                tokens: 70,
                duplicated_lines: 16,
                locations: vec![loc("a.py", 1, 8), loc("b.py", 10, 17), loc("my dir/c.py", 2, 9)],
                fragment: String::new(),
            }],
            dead_code: vec![DeadCode {
                kind: DeadKind::File,
                language: "Python",
                path: "old.py".into(),
                name: "old.py".into(),
                line: 1,
                reason: "nothing imports it".into(),
            }],
            long_functions: vec![FunctionShape {
                language: "Python",
                path: "a.py".into(),
                name: "f".into(),
                start_line: 3,
                end_line: 99,
                lines: 97,
                depth: 1,
                depth_line: 4,
            }],
            ..Findings::default()
        };
        let v: Value = serde_json::from_str(&render(&f, 80, 4)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 4);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        let clone = &results[0];
        assert_eq!(clone["ruleId"], "simplify/clone");
        assert_eq!(
            clone["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 1, "endLine": 8})
        );
        let related = clone["relatedLocations"].as_array().unwrap();
        assert_eq!(related.len(), 2);
        assert_eq!(related[1]["physicalLocation"]["artifactLocation"]["uri"], "my%20dir/c.py");
        assert_eq!(results[1]["ruleId"], "simplify/dead-code");
        assert_eq!(results[1]["level"], "note");
        assert_eq!(results[2]["ruleId"], "simplify/long-function");
        assert_eq!(results[2]["ruleIndex"], 2);
    }
}
