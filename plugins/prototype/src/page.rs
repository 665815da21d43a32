//! The comparison page: one self-contained HTML file (inline CSS, no
//! script, nothing fetched) with a card per variant side by side. Every
//! byte that came from a model or a session is escaped.

use std::fmt::Write;

use grove_review::Severity;

use crate::gather::Variant;
use crate::preview::Preview;

/// Words coloured as keywords in diffs, common to the usual languages.
const KEYWORDS: &[&str] = &[
    "fn",
    "let",
    "mut",
    "pub",
    "use",
    "mod",
    "impl",
    "struct",
    "enum",
    "trait",
    "match",
    "if",
    "else",
    "for",
    "while",
    "loop",
    "return",
    "break",
    "continue",
    "const",
    "static",
    "async",
    "await",
    "function",
    "var",
    "class",
    "def",
    "import",
    "from",
    "export",
    "default",
    "new",
    "this",
    "self",
    "true",
    "false",
    "null",
    "None",
    "True",
    "False",
    "try",
    "catch",
    "except",
    "finally",
    "raise",
    "throw",
    "interface",
    "type",
];

pub fn render(task: &str, run: &str, variants: &[Variant], until: Option<&str>) -> String {
    let mut html = String::with_capacity(64 * 1024);
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>prototype {run}</title><style>{CSS}</style></head><body>\
         <header><h1>{task}</h1><p>{count} variants, run <code>{run}</code>{check}. \
         Keep one with <code>grove prototype pick {run} N</code>.</p></header><main class=\"cards\">",
        run = escape(run),
        task = escape(task),
        count = variants.len(),
        check = until.map(|c| format!(", each checked by <code>{}</code>", escape(c))).unwrap_or_default(),
    );
    for v in variants {
        card(&mut html, run, v, until.is_some());
    }
    html.push_str("</main></body></html>\n");
    html
}

fn card(html: &mut String, run: &str, v: &Variant, checked: bool) {
    let (badge, class) = match (v.passed, checked) {
        (true, true) => ("passed", "pass"),
        (false, true) => ("failed", "fail"),
        (true, false) => ("finished", "pass"),
        (false, false) => (v.state, "fail"),
    };
    let _ = write!(
        html,
        "<article class=\"card\" id=\"variant-{n}\"><h2><span class=\"n\">{n}</span> {title} \
         <span class=\"badge {class}\">{badge}</span></h2>\
         <p class=\"approach\">{approach}</p><dl>",
        n = v.number,
        title = escape(&v.strategy.title),
        approach = escape(&v.strategy.approach),
    );
    for (term, text) in [("Trade-offs", &v.strategy.tradeoffs), ("Risks", &v.strategy.risks)] {
        if !text.trim().is_empty() {
            let _ = write!(html, "<dt>{term}</dt><dd>{}</dd>", escape(text));
        }
    }
    let time = v.elapsed_ms.map(|ms| format!("{:.0} s", ms as f64 / 1000.0)).unwrap_or_else(|| "–".into());
    let _ = write!(
        html,
        "</dl><p class=\"stats\"><span>{files}</span> <span class=\"add\">+{added}</span> \
         <span class=\"del\">−{removed}</span> <span>${cost:.2}</span> <span>{time}</span></p>\
         <p class=\"summary\">{summary}</p>",
        files = grove_sdk::text::count(v.files, "file"),
        added = v.added,
        removed = v.removed,
        cost = v.cost_usd,
        summary = escape(&v.summary),
    );
    if v.findings.is_empty() {
        html.push_str("<p class=\"clean\">The review rules found nothing.</p>");
    } else {
        html.push_str("<ul class=\"findings\">");
        for f in v.findings.iter().take(20) {
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = write!(
                html,
                "<li class=\"{sev}\"><b>{sev}</b> <code>{path}{at}</code> {message}</li>",
                path = escape(&f.path),
                message = escape(&f.message),
            );
        }
        if v.findings.len() > 20 {
            let _ = write!(html, "<li>… and {} more</li>", v.findings.len() - 20);
        }
        html.push_str("</ul>");
    }
    if v.simpler.is_empty() {
        html.push_str("<p class=\"clean\">simplify found nothing to simplify in its files.</p>");
    } else {
        html.push_str("<ul class=\"findings simpler\">");
        for f in v.simpler.iter().take(10) {
            let _ = write!(
                html,
                "<li class=\"info\"><b>simplify</b> <code>{path}:{line}</code> {message}</li>",
                path = escape(&f.path),
                line = f.line,
                message = escape(&f.message),
            );
        }
        if v.simpler.len() > 10 {
            let _ = write!(html, "<li>… and {} more</li>", v.simpler.len() - 10);
        }
        html.push_str("</ul>");
    }
    match &v.preview {
        Preview::Shot(data) => {
            // A data: URL of PNG bytes grove's browser made: base64 only.
            let _ = write!(html, "<img class=\"shot\" alt=\"the variant's page\" src=\"{}\">", escape(data));
        }
        Preview::Missing(why) => {
            let _ = write!(html, "<p class=\"preview\">No preview: {}</p>", escape(why));
        }
        Preview::Unconfigured => html.push_str(
            "<p class=\"preview\">No preview: with <code>[evidence]</code> in <code>.grove/config.toml</code> \
             (how the app is served), each variant's page is shown here.</p>",
        ),
    }
    let _ = write!(
        html,
        "<details><summary>Diff</summary><pre class=\"diff\">{}{}</pre></details>\
         <p class=\"pick\"><code>grove prototype pick {} {}</code> · session <code>{}</code></p></article>",
        highlight(&v.diff),
        if v.diff_clipped { "<span class=\"hunk\">… the rest is not shown</span>\n" } else { "" },
        escape(run),
        v.number,
        escape(&v.session),
    );
}

/// A unified diff as HTML: lines coloured by kind, and in code lines
/// strings, comments and keywords.
pub fn highlight(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() * 2);
    for line in diff.lines() {
        let class = if line.starts_with("+++") || line.starts_with("---") || line.starts_with("diff ") {
            Some("file")
        } else if line.starts_with("@@") {
            Some("hunk")
        } else if line.starts_with('+') {
            Some("add")
        } else if line.starts_with('-') {
            Some("del")
        } else {
            None
        };
        match class {
            Some(c @ ("file" | "hunk")) => {
                let _ = writeln!(out, "<span class=\"{c}\">{}</span>", escape(line));
            }
            Some(c) => {
                let _ = writeln!(out, "<span class=\"{c}\">{}{}</span>", &line[..1], code(&line[1..]));
            }
            None => {
                let _ = writeln!(out, "{}", code(line));
            }
        }
    }
    out
}

/// One line of code with its strings, comments and keywords marked.
fn code(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut rest = line;
    while !rest.is_empty() {
        if rest.starts_with("//") || rest.starts_with('#') {
            let _ = write!(out, "<span class=\"c\">{}</span>", escape(rest));
            break;
        }
        let first = rest.chars().next().expect("not empty");
        if first == '"' || first == '\'' || first == '`' {
            let end = rest[1..].find(first).map_or(rest.len(), |i| i + 2);
            let _ = write!(out, "<span class=\"s\">{}</span>", escape(&rest[..end]));
            rest = &rest[end..];
        } else if first.is_alphanumeric() || first == '_' {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let word = &rest[..end];
            if KEYWORDS.contains(&word) {
                let _ = write!(out, "<span class=\"k\">{word}</span>");
            } else {
                out.push_str(&escape(word));
            }
            rest = &rest[end..];
        } else {
            out.push_str(&escape(&rest[..first.len_utf8()]));
            rest = &rest[first.len_utf8()..];
        }
    }
    out
}

/// Text made safe inside HTML elements and quoted attributes; control
/// characters (escape sequences) shown spelled out.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "\
:root{--bg:#f6f7f9;--card:#fff;--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--pass:#15803d;--fail:#b91c1c}\
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;background:var(--bg);color:var(--ink)}\
header{padding:20px 28px;border-bottom:1px solid var(--line);background:var(--card)}h1{margin:0 0 6px;font-size:22px}\
header p{margin:0;color:var(--muted)}code{font:13px ui-monospace,monospace;background:#f1f3f5;padding:1px 4px;border-radius:4px}\
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px;padding:20px 28px}\
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px;min-width:0}\
.card h2{font-size:17px;margin:0 0 8px;display:flex;gap:8px;align-items:center}\
.n{display:inline-grid;place-items:center;width:26px;height:26px;border-radius:50%;background:var(--ink);color:#fff;font-size:13px}\
.badge{margin-left:auto;font-size:12px;padding:2px 8px;border-radius:999px;color:#fff}.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}\
dl{margin:8px 0}dt{font-weight:600;font-size:13px;color:var(--muted)}dd{margin:0 0 6px}\
.stats span{margin-right:8px}.add{color:var(--pass)}.del{color:var(--fail)}.summary{color:var(--muted)}\
.findings{padding-left:18px;font-size:13px}.findings .error b{color:var(--fail)}.findings .warning b{color:#b45309}\
.clean,.preview{font-size:13px;color:var(--muted)}\
.shot{width:100%;border:1px solid var(--line);border-radius:6px;margin:8px 0}\
pre.diff{overflow:auto;max-height:480px;font:12px/1.4 ui-monospace,monospace;background:#fbfbfc;border:1px solid var(--line);padding:8px;border-radius:6px}\
.diff .add{background:#ecfdf3;display:block}.diff .del{background:#fef2f2;display:block}.diff .hunk{color:#7c3aed}.diff .file{color:var(--muted);font-weight:600}\
.diff .k{color:#1d4ed8}.diff .s{color:#a16207}.diff .c{color:var(--muted);font-style:italic}\
.pick{font-size:13px;color:var(--muted)}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        assert_eq!(
            escape("<script>\"x\"</script>'&"),
            "&lt;script&gt;&quot;x&quot;&lt;/script&gt;&#39;&amp;"
        );
        assert_eq!(escape("a\u{1b}]0;t\u{7}"), "a\\u{1b}]0;t\\u{7}");
        let html = highlight("+let s = \"<img src=x onerror=alert(1)>\"; // <b>\n-old\n@@ -1 +1 @@\n");
        assert!(!html.contains("<img") && !html.contains("<b>"), "{html}");
        assert!(html.contains("<span class=\"k\">let</span>"), "{html}");
        assert!(html.contains("<span class=\"c\">// &lt;b&gt;</span>"), "{html}");
    }
}
