//! SARIF 2.1.0, the format code-scanning services read: a builder for the
//! log a checking skill prints with `--json --sarif`, and the pieces every
//! such log needs the same way.
//!
//! ```
//! use grove_sdk::sarif::{self, Level, Region, Rule, Run};
//!
//! let rules = [Rule::new("x/todo", "A TODO was added", Level::Note)];
//! let result = sarif::result("x/todo", Some(0), Level::Note, "TODO: say what", sarif::location("src/a.rs", Some(Region::line(3))));
//! let log = Run::new("grove x", "1.0.0", &rules).results(vec![result]).render();
//! assert!(log.contains(r#""ruleId":"x/todo""#));
//! ```

use serde_json::{Map, Value, json};

/// The `$schema` of a SARIF 2.1.0 log.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `version` of a SARIF 2.1.0 log.
pub const VERSION: &str = "2.1.0";

/// A workspace path as the relative URI reference an `artifactLocation`
/// holds: every byte outside the unreserved set (and `/`) percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a tool's documentation lives: grove's.
pub const INFORMATION_URI: &str = "https://github.com/grove-dev/grove";

/// The base every `artifactLocation` is relative to: the repository root.
pub const SRCROOT: &str = "%SRCROOT%";

/// How serious a result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// One rule of a tool: what its results' `ruleId` and `ruleIndex` point at.
#[derive(Debug, Clone, Copy)]
pub struct Rule<'a> {
    pub id: &'a str,
    /// A name in UpperCamelCase, for viewers that show one.
    pub name: Option<&'a str>,
    pub short: &'a str,
    pub full: Option<&'a str>,
    pub level: Level,
    pub tags: &'a [&'a str],
}

impl<'a> Rule<'a> {
    /// A rule with an id, a one-line description and a default level.
    pub const fn new(id: &'a str, short: &'a str, level: Level) -> Self {
        Rule { id, name: None, short, full: None, level, tags: &[] }
    }

    fn to_json(self) -> Value {
        let mut rule = Map::new();
        rule.insert("id".into(), self.id.into());
        if let Some(name) = self.name {
            rule.insert("name".into(), name.into());
        }
        rule.insert("shortDescription".into(), json!({ "text": self.short }));
        if let Some(full) = self.full {
            rule.insert("fullDescription".into(), json!({ "text": full }));
        }
        rule.insert("defaultConfiguration".into(), json!({ "level": self.level.as_str() }));
        if !self.tags.is_empty() {
            rule.insert("properties".into(), json!({ "tags": self.tags }));
        }
        Value::Object(rule)
    }
}

/// Lines of a file a result is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub start_line: u32,
    pub end_line: Option<u32>,
}

impl Region {
    /// One line (SARIF lines count from 1: 0 becomes 1).
    pub fn line(line: u32) -> Region {
        Region { start_line: line.max(1), end_line: None }
    }

    /// Lines `start..=end`.
    pub fn lines(start: u32, end: u32) -> Region {
        Region { start_line: start, end_line: Some(end) }
    }
}

/// A `physicalLocation`: a workspace path relative to [`SRCROOT`], and the
/// lines when the result has any.
pub fn location(path: &str, region: Option<Region>) -> Value {
    let mut location = json!({ "artifactLocation": { "uri": uri(path), "uriBaseId": SRCROOT } });
    if let Some(r) = region {
        let mut lines = json!({ "startLine": r.start_line });
        if let Some(end) = r.end_line {
            lines["endLine"] = end.into();
        }
        location["region"] = lines;
    }
    location
}

/// A result of rule `rule_id` (at `rule_index` in the run's rules, when it
/// is one of them) at `location`, a [`location`]. Add `relatedLocations`
/// or `properties` to the object it returns.
pub fn result(rule_id: &str, rule_index: Option<usize>, level: Level, text: &str, location: Value) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), rule_id.into());
    if let Some(index) = rule_index {
        result.insert("ruleIndex".into(), index.into());
    }
    result.insert("level".into(), level.as_str().into());
    result.insert("message".into(), json!({ "text": text }));
    result.insert("locations".into(), json!([{ "physicalLocation": location }]));
    Value::Object(result)
}

/// The one run of a skill's log: its tool, then whatever the skill sets,
/// in the order it sets it.
#[derive(Debug, Clone)]
pub struct Run {
    run: Map<String, Value>,
}

impl Run {
    /// A run of the tool `name` at `version` whose rules are `rules`.
    pub fn new(name: &str, version: &str, rules: &[Rule<'_>]) -> Run {
        let rules: Vec<Value> = rules.iter().map(|r| r.to_json()).collect();
        let mut run = Map::new();
        run.insert(
            "tool".into(),
            json!({ "driver": {
                "name": name,
                "version": version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }}),
        );
        Run { run }
    }

    /// Set a property of the run (`columnKind`, `originalUriBaseIds`,
    /// `properties`, …).
    pub fn set(mut self, key: &str, value: Value) -> Run {
        self.run.insert(key.into(), value);
        self
    }

    /// Set the run's results.
    pub fn results(self, results: Vec<Value>) -> Run {
        self.set("results", Value::Array(results))
    }

    /// The whole log, as one line of JSON.
    pub fn render(self) -> String {
        let log = json!({ "$schema": SCHEMA, "version": VERSION, "runs": [Value::Object(self.run)] });
        serde_json::to_string(&log).expect("plain data serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_with_rules_results_and_run_properties() {
        let rules = [
            Rule::new("a/one", "One", Level::Warning),
            Rule {
                name: Some("Two"),
                full: Some("The second."),
                tags: &["style"],
                ..Rule::new("a/two", "Two", Level::Note)
            },
        ];
        let mut second =
            result("a/two", Some(1), Level::Note, "two", location("b c.rs", Some(Region::lines(2, 4))));
        second["properties"] = json!({ "n": 1 });
        let results =
            vec![result("a/one", None, Level::Error, "one", location("a.rs", Some(Region::line(0)))), second];
        let log = Run::new("grove a", "1.2.3", &rules)
            .set("columnKind", "unicodeCodePoints".into())
            .results(results)
            .set("properties", json!({ "base": "HEAD" }))
            .render();
        assert_eq!(
            log,
            concat!(
                r#"{"$schema":"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json","version":"2.1.0","runs":[{"#,
                r#""tool":{"driver":{"name":"grove a","version":"1.2.3","informationUri":"https://github.com/grove-dev/grove","rules":["#,
                r#"{"id":"a/one","shortDescription":{"text":"One"},"defaultConfiguration":{"level":"warning"}},"#,
                r#"{"id":"a/two","name":"Two","shortDescription":{"text":"Two"},"fullDescription":{"text":"The second."},"defaultConfiguration":{"level":"note"},"properties":{"tags":["style"]}}]}},"#,
                r#""columnKind":"unicodeCodePoints","results":["#,
                r#"{"ruleId":"a/one","level":"error","message":{"text":"one"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.rs","uriBaseId":"%SRCROOT%"},"region":{"startLine":1}}}]},"#,
                r#"{"ruleId":"a/two","ruleIndex":1,"level":"note","message":{"text":"two"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"b%20c.rs","uriBaseId":"%SRCROOT%"},"region":{"startLine":2,"endLine":4}}}],"properties":{"n":1}}],"#,
                r#""properties":{"base":"HEAD"}}]}"#,
            )
        );
    }

    #[test]
    fn a_location_without_lines_has_no_region() {
        assert!(location("logo.png", None).get("region").is_none());
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("src/my file.rs"), "src/my%20file.rs");
        assert_eq!(uri("a/ü#?.py"), "a/%C3%BC%23%3F.py");
        assert_eq!(uri("plain/path-1_2.~x"), "plain/path-1_2.~x");
    }
}
