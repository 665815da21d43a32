//! The globs of `[design] components`: `src/components/**`,
//! `ui/**/*.tsx`, `*.stories.{ts,tsx}`. `**` spans folders, `*` and `?`
//! stay within one, `[abc]` is a class, `{a,b}` picks one. A pattern
//! without a `/` matches a file name at any depth, as in `.gitignore`.

/// A compiled pattern: its brace alternatives, each as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    alternatives: Vec<Vec<u8>>,
    name_only: bool,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        let pattern = pattern.trim().trim_start_matches("./").trim_start_matches('/');
        Glob {
            alternatives: expand(pattern).into_iter().map(String::into_bytes).collect(),
            name_only: !pattern.contains('/'),
        }
    }

    pub fn matches(&self, path: &str) -> bool {
        let subject = if self.name_only { path.rsplit('/').next().unwrap_or(path) } else { path };
        self.alternatives.iter().any(|p| matches(p, subject.as_bytes()))
    }
}

/// `a{b,c}d` → `abd`, `acd` (nested braces included).
fn expand(pattern: &str) -> Vec<String> {
    let Some(open) = pattern.find('{') else { return vec![pattern.to_string()] };
    let mut depth = 0;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, c) in pattern[open..].char_indices().map(|(i, c)| (i + open, c)) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    let Some(close) = close else { return vec![pattern.to_string()] };
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let mut bounds = vec![open];
    bounds.extend(&commas);
    bounds.push(close);
    bounds.windows(2).flat_map(|w| expand(&format!("{head}{}{tail}", &pattern[w[0] + 1..w[1]]))).collect()
}

fn matches(p: &[u8], s: &[u8]) -> bool {
    if p.starts_with(b"**") {
        let rest = &p[2..];
        if rest.is_empty() {
            return true;
        }
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        // `**/` matches no folder, or any number of whole folders.
        return matches(rest, s)
            || s.iter().enumerate().any(|(i, &b)| b == b'/' && matches(rest, &s[i + 1..]));
    }
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => {
            let rest = &p[1..];
            let segment = s.iter().position(|&b| b == b'/').unwrap_or(s.len());
            (0..=segment).any(|i| matches(rest, &s[i..]))
        }
        Some(b'?') => s.first().is_some_and(|&b| b != b'/') && matches(&p[1..], &s[1..]),
        Some(b'[') => match (p.iter().position(|&b| b == b']'), s.first()) {
            (Some(end), Some(&c)) if end > 1 => {
                let class = &p[1..end];
                let (negated, class) = match class.first() {
                    Some(b'!' | b'^') => (true, &class[1..]),
                    _ => (false, class),
                };
                in_class(class, c) != negated && c != b'/' && matches(&p[end + 1..], &s[1..])
            }
            _ => s.first() == Some(&b'[') && matches(&p[1..], &s[1..]),
        },
        Some(&c) => s.first() == Some(&c) && matches(&p[1..], &s[1..]),
    }
}

/// `a-z0-9_` style classes.
fn in_class(class: &[u8], c: u8) -> bool {
    let mut i = 0;
    while i < class.len() {
        if i + 2 < class.len() && class[i + 1] == b'-' {
            if (class[i]..=class[i + 2]).contains(&c) {
                return true;
            }
            i += 3;
        } else {
            if class[i] == c {
                return true;
            }
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes(pattern: &str, path: &str) -> bool {
        Glob::new(pattern).matches(path)
    }

    #[test]
    fn double_star_spans_folders() {
        assert!(yes("src/components/**", "src/components/Button.tsx"));
        assert!(yes("src/components/**", "src/components/forms/Input.tsx"));
        assert!(!yes("src/components/**", "src/componentsX/a.tsx"));
        assert!(yes("ui/**/*.tsx", "ui/Card.tsx"));
        assert!(yes("ui/**/*.tsx", "ui/a/b/Card.tsx"));
        assert!(!yes("ui/**/*.tsx", "ui/a/Card.ts"));
        assert!(yes("**/icons/*", "assets/icons/x.svg"));
    }

    #[test]
    fn stars_classes_and_braces() {
        assert!(yes("src/*.css", "src/app.css"));
        assert!(!yes("src/*.css", "src/a/app.css"));
        assert!(yes("*.stories.{ts,tsx}", "web/deep/Button.stories.tsx"));
        assert!(!yes("*.stories.{ts,tsx}", "web/Button.stories.js"));
        assert!(yes("src/v[0-9]/*.ts", "src/v2/a.ts"));
        assert!(!yes("src/v[!0-9]/*.ts", "src/v2/a.ts"));
        assert!(yes("./ui/?.tsx", "ui/A.tsx"));
        assert_eq!(expand("a{b,{c,d}}e"), ["abe", "ace", "ade"]);
    }
}
