//! Which changes of a diff are design changes, and of what kind: by path
//! (stylesheets, design tokens, images, icons, fonts, configured
//! components) or by changed line (class names in markup, inline styles).

use std::collections::BTreeMap;

use grove_diff::{Diff, FileDiff, Kind as LineKind};
use serde::Serialize;

use crate::config::Design;

/// What kind of design change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Stylesheet,
    DesignTokens,
    Component,
    ClassNames,
    InlineStyle,
    Image,
    Icon,
    Font,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Stylesheet => "stylesheet",
            Kind::DesignTokens => "design tokens",
            Kind::Component => "component",
            Kind::ClassNames => "class names in markup",
            Kind::InlineStyle => "inline style",
            Kind::Image => "image",
            Kind::Icon => "icon",
            Kind::Font => "font",
        }
    }
}

/// One design change: a file, what kind of change, and the new-file lines
/// where it shows (none for binary and deleted files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub path: String,
    pub kind: Kind,
    pub lines: Vec<u32>,
}

impl Change {
    pub fn line(&self) -> Option<u32> {
        self.lines.first().copied()
    }
}

const STYLESHEETS: &[&str] = &["css", "scss", "sass", "less", "styl", "stylus", "pcss", "postcss"];
const IMAGES: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp", "tif", "tiff"];
const FONTS: &[&str] = &["woff", "woff2", "ttf", "otf", "eot"];
/// Files whose lines may carry class names or inline styles.
const MARKUP: &[&str] = &[
    "html",
    "htm",
    "jsx",
    "tsx",
    "js",
    "ts",
    "mjs",
    "vue",
    "svelte",
    "astro",
    "erb",
    "hbs",
    "handlebars",
    "php",
    "twig",
    "liquid",
    "njk",
    "ejs",
    "mdx",
    "razor",
    "cshtml",
];

/// Every design change in `diff`, by path then kind.
pub fn design_changes(diff: &Diff<'_>, design: Option<&Design>) -> Vec<Change> {
    let mut found: BTreeMap<(String, Kind), Vec<u32>> = BTreeMap::new();
    for file in &diff.files {
        for (kind, lines) in file_changes(file, design) {
            found.entry((file.path.clone(), kind)).or_default().extend(lines);
        }
    }
    found
        .into_iter()
        .map(|((path, kind), mut lines)| {
            lines.sort_unstable();
            lines.dedup();
            Change { path, kind, lines }
        })
        .collect()
}

fn file_changes(file: &FileDiff<'_>, design: Option<&Design>) -> Vec<(Kind, Vec<u32>)> {
    let path = file.path.as_str();
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e).to_string();
    let changed: Vec<u32> =
        if file.binary || file.is_deleted() { Vec::new() } else { file.changed().map(|l| l.new).collect() };
    let first = || changed.first().copied().into_iter().collect::<Vec<_>>();
    let mut out = Vec::new();

    if STYLESHEETS.contains(&ext.as_str()) {
        out.push((Kind::Stylesheet, first()));
    }
    if is_tokens(path, &name) {
        out.push((Kind::DesignTokens, first()));
    }
    if FONTS.contains(&ext.as_str()) {
        out.push((Kind::Font, Vec::new()));
    }
    if ext == "ico" || (IMAGES.contains(&ext.as_str()) && is_icon_path(path)) {
        out.push((Kind::Icon, Vec::new()));
    } else if IMAGES.contains(&ext.as_str()) {
        out.push((Kind::Image, Vec::new()));
    }
    let renamed_from = file.old_path.as_deref().unwrap_or(path);
    if let Some(design) = design
        && (design.is_component(path) || design.is_component(renamed_from))
    {
        out.push((Kind::Component, first()));
    }
    if MARKUP.contains(&ext.as_str()) && !file.binary {
        let (mut classes, mut styles) = (Vec::new(), Vec::new());
        for line in file.lines().filter(|l| l.kind != LineKind::Context) {
            if has_class_names(line.text, &ext) {
                classes.push(line.new);
            }
            if has_inline_style(line.text, &ext) {
                styles.push(line.new);
            }
        }
        if !classes.is_empty() {
            out.push((Kind::ClassNames, classes));
        }
        if !styles.is_empty() {
            out.push((Kind::InlineStyle, styles));
        }
    }
    out
}

/// Design-token files: `tokens.json`, `*.tokens.json`, `design-tokens.*`,
/// `theme.(ts|js|…)`, `tailwind.config.*`, anything under `tokens/`.
fn is_tokens(path: &str, name: &str) -> bool {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let data = matches!(ext, "json" | "yaml" | "yml" | "js" | "ts" | "mjs" | "cjs");
    let theme_code = matches!(ext, "ts" | "js" | "tsx" | "jsx" | "mjs" | "cjs" | "json");
    (data && (stem == "tokens" || stem.ends_with(".tokens") || stem.starts_with("design-tokens")))
        || (theme_code && (stem == "theme" || stem.ends_with(".theme")))
        || stem == "tailwind.config"
        || (data && path.split('/').rev().skip(1).any(|d| d == "tokens" || d == "design-tokens"))
}

/// Images that are icons: under an `icons` folder, named `*icon*`, or a
/// favicon.
fn is_icon_path(path: &str) -> bool {
    path.to_ascii_lowercase().split('/').any(|part| part.contains("icon"))
}

/// A changed line that sets class names: `class="…"`, `className=`,
/// Vue's `:class=`, Svelte's `class:name=`, `classList`, twin's `tw```.
fn has_class_names(line: &str, ext: &str) -> bool {
    let bound = |needle: &str| {
        line.match_indices(needle).any(|(i, _)| {
            let before = line.as_bytes()[..i].last().copied();
            !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    };
    bound("class=")
        || bound("className=")
        || bound(":class=")
        || line.contains("classList.")
        || line.contains("tw`")
        || (matches!(ext, "svelte" | "vue" | "astro") && bound("class:"))
}

/// JSX `style={{…}}` (or `style={x}`), and `style="…"` in HTML-like markup.
fn has_inline_style(line: &str, ext: &str) -> bool {
    line.contains("style={")
        || (!matches!(ext, "js" | "ts" | "mjs") && (line.contains("style=\"") || line.contains("style='")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn new_file(path: &str, text: &str) -> String {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = format!(
            "diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{} @@\n",
            lines.len()
        );
        for line in lines {
            out.push_str(&format!("+{line}\n"));
        }
        out
    }

    fn binary(path: &str) -> String {
        format!(
            "diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..abc\nBinary files /dev/null and b/{path} differ\n"
        )
    }

    fn kinds(text: &str, design: Option<&Design>) -> Vec<(String, Kind, Vec<u32>)> {
        design_changes(&grove_diff::parse(text), design)
            .into_iter()
            .map(|c| (c.path, c.kind, c.lines))
            .collect()
    }

    #[test]
    fn each_kind_by_path() {
        let text = [
            new_file("web/app.css", "a {}\n"),
            new_file("web/theme.scss", "$x: 1;\n"),
            new_file("design/tokens.json", "{}\n"),
            new_file("design/brand.tokens.json", "{}\n"),
            new_file("web/theme.ts", "export default {}\n"),
            new_file("tailwind.config.js", "module.exports = {}\n"),
            binary("public/hero.webp"),
            binary("public/icons/close.svg"),
            binary("favicon.ico"),
            binary("fonts/Inter.woff2"),
            new_file("src/lib/api.ts", "export const x = 1;\n"),
        ]
        .concat();
        let got: Vec<_> = kinds(&text, None).into_iter().map(|(p, k, _)| (p, k)).collect();
        let want = [
            ("design/brand.tokens.json", Kind::DesignTokens),
            ("design/tokens.json", Kind::DesignTokens),
            ("favicon.ico", Kind::Icon),
            ("fonts/Inter.woff2", Kind::Font),
            ("public/hero.webp", Kind::Image),
            ("public/icons/close.svg", Kind::Icon),
            ("tailwind.config.js", Kind::DesignTokens),
            ("web/app.css", Kind::Stylesheet),
            ("web/theme.scss", Kind::Stylesheet),
            ("web/theme.ts", Kind::DesignTokens),
        ];
        assert_eq!(got, want.map(|(p, k)| (p.to_string(), k)));
    }

    #[test]
    fn class_names_and_inline_styles_by_line() {
        let diff = "diff --git a/src/Card.tsx b/src/Card.tsx\n--- a/src/Card.tsx\n+++ b/src/Card.tsx\n@@ -1,4 +1,4 @@\n export function Card() {\n-  return <div className=\"p-2\">\n+  return <div className=\"p-4 rounded\">\n   const subclass= 1;\n+  <span style={{ color: 'red' }} />\n";
        let got = kinds(diff, None);
        assert_eq!(
            got,
            [
                ("src/Card.tsx".to_string(), Kind::ClassNames, vec![2]),
                ("src/Card.tsx".to_string(), Kind::InlineStyle, vec![4]),
            ]
        );
        let html = new_file("index.html", "<p>\n<b class=\"x\">hi</b>\n");
        assert_eq!(kinds(&html, None), [("index.html".to_string(), Kind::ClassNames, vec![2])]);
        let vue = new_file("App.vue", "<div :class=\"{ on }\" />\n<i class:active={a} />\n");
        assert_eq!(kinds(&vue, None), [("App.vue".to_string(), Kind::ClassNames, vec![1, 2])]);
        // Logic without markup is not a design change.
        assert!(kinds(&new_file("src/api.ts", "const klass = 'x';\nfetch(url)\n"), None).is_empty());
    }

    #[test]
    fn components_come_from_the_configuration() {
        let design = config::parse("[design]\ncomponents = [\"src/components/**\"]\n").unwrap().unwrap();
        let text =
            new_file("src/components/Button.tsx", "export const B = 1;\n") + &new_file("src/api.ts", "x\n");
        assert_eq!(
            kinds(&text, Some(&design)),
            [("src/components/Button.tsx".to_string(), Kind::Component, vec![1])]
        );
        assert!(kinds(&new_file("src/components/Button.tsx", "x\n"), None).is_empty());
        let deleted = "diff --git a/src/components/Old.tsx b/src/components/Old.tsx\ndeleted file mode 100644\n--- a/src/components/Old.tsx\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        assert_eq!(
            kinds(deleted, Some(&design)),
            [("src/components/Old.tsx".to_string(), Kind::Component, vec![])]
        );
    }
}
