//! Expanding a word: its substitutions are judged (they run), and what it
//! stands for is worked out as far as the line says, brace expansion
//! included.

use super::Walker;
use super::call::Arg;
use super::environment::secret_name;
use super::flow::Taint;
use crate::gate::classify::shell::{Part, Word};

impl Walker<'_, '_> {
    /// Expand a word: judge its substitutions, and say what it is.
    pub fn expand(&mut self, w: &Word) -> Arg {
        let mut taint = Taint::default();
        // What each substitution prints, when the line spells it out
        // (`$(echo rm)`): the word's value is then known.
        let mut outputs: Vec<Option<String>> = Vec::new();
        // What the substitutions list, when they list paths (`$(git ls-files)`).
        let mut listed: Option<Vec<Arg>> = Some(Vec::new());
        for part in &w.0 {
            if let Part::Param { name, .. } = part {
                if secret_name(name) {
                    taint = taint.union(Taint::ENV);
                }
                taint = taint.union(self.var_taint(name));
            }
            if let Part::Subst(list) | Part::ProcSubst(list) = part {
                self.depth += 1;
                let saved = self.cwd.clone();
                self.last_text = None;
                self.last_found = None;
                self.substituting += 1;
                taint = taint.union(self.script(list));
                self.substituting -= 1;
                match (self.last_found.take(), &mut listed) {
                    (Some(found), Some(all)) if matches!(part, Part::Subst(_)) => all.extend(found),
                    _ => listed = None,
                }
                let single = list.0.len() == 1 && list.0[0].pipelines.len() == 1;
                outputs.push(
                    self.last_text.take().filter(|_| single).map(|t| t.trim_end_matches('\n').to_string()),
                );
                self.cwd = saved;
                self.depth -= 1;
            }
        }
        let resolved;
        let w = if outputs.iter().any(Option::is_some) && !matches!(w.0.as_slice(), [Part::ProcSubst(_)]) {
            let mut known = outputs.iter();
            resolved = Word(
                w.0.iter()
                    .map(|p| match p {
                        Part::Subst(_) | Part::ProcSubst(_) => match known.next() {
                            Some(Some(text)) => Part::Quoted(text.clone()),
                            _ => p.clone(),
                        },
                        _ => p.clone(),
                    })
                    .collect(),
            );
            &resolved
        } else {
            w
        };
        // `tee >(grep …)`, `diff <(a) <(b)`: the word is a pipe, `/dev/fd/N`.
        if let [Part::ProcSubst(_)] = w.0.as_slice() {
            return Arg {
                text: "/dev/fd/63".into(),
                known: true,
                glob: false,
                taint,
                prefix: String::new(),
                pattern: String::new(),
                content: outputs.pop().flatten(),
                printed: false,
                stands_for: None,
            };
        }
        let has_subst = w.0.iter().any(|p| matches!(p, Part::Subst(_)));
        // `$X` where `X=$(cat list)`: what it stands for, like the substitution.
        let printed_var = w.0.iter().find_map(|p| match p {
            Part::Param { name, .. } => self.printed_vars.iter().rev().find(|(n, _)| n == name).cloned(),
            _ => None,
        });
        let listed = match (&printed_var, has_subst) {
            (Some((_, stands_for)), false) => stands_for.clone(),
            _ => listed,
        };
        let has_subst = has_subst || printed_var.is_some();
        let lookup = |n: &str| self.var(n);
        match w.literal(&lookup) {
            Some(text) => Arg {
                glob: w.has_glob(),
                text,
                known: true,
                taint,
                prefix: String::new(),
                pattern: String::new(),
                content: None,
                printed: false,
                stands_for: None,
            },
            None => Arg {
                text: w.source(),
                known: false,
                glob: w.has_glob(),
                taint,
                prefix: w.known_prefix(&lookup),
                pattern: w.pattern(&lookup),
                content: None,
                printed: has_subst,
                stands_for: listed.filter(|l| has_subst && !l.is_empty()),
            },
        }
    }
}

/// Brace expansion of `a{b,c}d` into `abd acd`, groups expanded left to
/// right; at most 64 words, the rest judged as written.
pub(super) fn braces(text: &str) -> Vec<String> {
    let mut out = vec![text.to_string()];
    for _ in 0..8 {
        let mut next = Vec::new();
        let mut changed = false;
        for word in &out {
            match brace_group(word) {
                Some((head, alternatives, tail)) if next.len() + alternatives.len() <= 64 => {
                    changed = true;
                    next.extend(alternatives.iter().map(|alt| format!("{head}{alt}{tail}")));
                }
                _ => next.push(word.clone()),
            }
        }
        out = next;
        if !changed {
            break;
        }
    }
    out
}

/// The first `{x,y}` group: what precedes it, its alternatives, what follows.
fn brace_group(word: &str) -> Option<(&str, Vec<&str>, &str)> {
    let open = word.find('{')?;
    let mut depth = 0;
    let mut commas = Vec::new();
    for (i, ch) in word[open..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let close = open + i;
                    if commas.is_empty() {
                        return None;
                    }
                    let mut alternatives = Vec::new();
                    let mut start = open + 1;
                    for c in commas {
                        alternatives.push(&word[start..c]);
                        start = c + 1;
                    }
                    alternatives.push(&word[start..close]);
                    return Some((&word[..open], alternatives, &word[close + 1..]));
                }
            }
            ',' if depth == 1 => commas.push(open + i),
            _ => {}
        }
    }
    None
}
