//! `find`: what it lists, and what `-exec`, `-ok`, `-delete` and friends
//! do to what it finds. `{}` stands for the roots and anything below them,
//! the protected files below them included (`.git`, `.env`, CI).

use super::super::walk::{Arg, Call, Flow, Reader, Walker};
use crate::gate::level::Level;

pub fn find(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Flow {
    // Options before the starting points: `-H`, `-L`, `-P`, `-O3`, `-D x`.
    let mut i = 0;
    let mut follows = false;
    while let Some(a) = c.args.get(i).filter(|a| a.known) {
        match a.text.as_str() {
            "-L" => {
                follows = true;
                i += 1;
            }
            "-H" | "-P" => i += 1,
            "-D" => i += 2,
            t if t.starts_with("-O") => i += 1,
            _ => break,
        }
    }
    let mut roots: Vec<&Arg> = Vec::new();
    while i < c.args.len()
        && !(c.args[i].known
            && (c.args[i].text.starts_with('-') || c.args[i].text == "(" || c.args[i].text == "!"))
    {
        roots.push(&c.args[i]);
        i += 1;
    }
    let default_root = Arg::lit(".");
    if roots.is_empty() {
        roots.push(&default_root);
    }
    let named: Vec<Arg> = c
        .args
        .windows(2)
        .filter(|p| {
            matches!(p[0].text.as_str(), "-path" | "-wholename" | "-ipath") && p[1].known && !p[1].glob
        })
        .map(|p| p[1].clone())
        .collect();
    let filters = name_filters(c.args);
    if c.args
        .windows(2)
        .any(|p| matches!(p[0].text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") && p[1].is("{}"))
    {
        w.a.raise(
            Level::Medium,
            "exec.local-program",
            format!("{} runs each file it finds as a program", c.line()),
        );
    }
    for r in &roots {
        w.read(r, Reader::Listing);
    }
    // `find -L`: what links below the roots lead to is found too.
    let mut through: Vec<Arg> = Vec::new();
    if follows {
        let line = c.line();
        for r in &roots {
            through.extend(w.links_out_below(r, &line));
        }
        for t in &through {
            w.read(t, Reader::Listing);
        }
    }
    while i < c.args.len() {
        let a = &c.args[i];
        i += 1;
        if !a.known {
            continue;
        }
        match a.text.as_str() {
            "-delete" => {
                for r in &roots {
                    w.delete(r, true, c);
                }
            }
            "-exec" | "-execdir" | "-ok" | "-okdir" => {
                let start = i;
                while i < c.args.len() && !(c.args[i].is(";") || c.args[i].is("+")) {
                    i += 1;
                }
                // `{}` stands for what was found: each root and anything
                // below it (`ROOT/**`, so a secret below it is seen). Many
                // roots are judged as one root only known at run time, so
                // the work stays linear in the line's length.
                let unknown = [Arg::unknown("{}")];
                let mut found: Vec<Arg> = roots.iter().map(|r| found_below(w, r)).collect();
                if roots.len() <= 16 {
                    for r in &roots {
                        found.extend(protected_found(w, r, &filters));
                    }
                    found.extend(through.iter().cloned());
                }
                let mut stand_ins: Vec<&Arg> =
                    if roots.len() > 16 { unknown.iter().collect() } else { found.iter().collect() };
                // `-path ./.git/config`: what is found is named on the line.
                stand_ins.extend(named.iter());
                for r in &stand_ins {
                    let inner: Vec<Arg> = c.args[start..i.min(c.args.len())]
                        .iter()
                        .map(|x| {
                            if x.known && x.text.contains("{}") {
                                Arg {
                                    text: x.text.replace("{}", &r.text),
                                    known: r.known,
                                    glob: x.glob || r.glob,
                                    ..x.clone()
                                }
                            } else {
                                x.clone()
                            }
                        })
                        .collect();
                    w.words(&inner);
                }
                i += 1;
            }
            "-fprint" | "-fprint0" | "-fls" | "-fprintf" => {
                if let Some(f) = c.args.get(i) {
                    w.write(f);
                }
                i += 1;
            }
            _ => {}
        }
    }
    // Without an action of its own, find prints what it finds.
    let acts = c.args.iter().any(|a| {
        a.known
            && matches!(
                a.text.as_str(),
                "-exec" | "-execdir" | "-ok" | "-okdir" | "-delete" | "-printf" | "-ls" | "-fls" | "-fprintf"
            )
    });
    if acts {
        return Flow::NONE;
    }
    let found = listed(w, &roots, &filters).map(|mut l| {
        l.extend(through);
        l
    });
    Flow { found, ..Flow::NONE }
}

/// Stand-ins for what a lister of `roots` prints: each root and anything
/// below it, and the protected files there that `filters` let through;
/// `None` when the roots are not known (or too many to judge one by one),
/// or when what the command prints goes nowhere.
pub fn listed(w: &mut Walker<'_, '_>, roots: &[&Arg], filters: &Option<Vec<Filter>>) -> Option<Vec<Arg>> {
    // Nobody reads the list: no need to walk the roots for it.
    if !w.output_used || roots.len() > 16 || roots.iter().any(|r| !r.known) {
        return None;
    }
    let mut out: Vec<Arg> = roots.iter().map(|r| found_below(w, r)).collect();
    for r in roots {
        out.extend(protected_found(w, r, filters));
    }
    Some(out)
}

/// What `find ROOT` finds: the root and anything below it, as the glob
/// `ROOT/**` (outside the tree, spelled absolute so that a secret below it
/// is recognised whatever way the root was written).
pub fn found_below(w: &mut Walker<'_, '_>, root: &Arg) -> Arg {
    if !root.known {
        return root.clone();
    }
    let base = match w.locate(root) {
        Some(at) if !at.zone.inside() => at.shown,
        _ => root.text.clone(),
    };
    let text = format!("{}/**", base.trim_end_matches('/'));
    Arg { text, glob: true, ..root.clone() }
}

/// A test of what `find` prints: `-name`/`-iname` on the base name,
/// `-path`/`-wholename`/`-ipath` on the whole path.
pub struct Filter {
    whole_path: bool,
    matcher: globset::GlobMatcher,
}

/// The positive name and path tests of a `find` line; `None` when there
/// is none (or one is not known): then anything below a root is found.
fn name_filters(args: &[Arg]) -> Option<Vec<Filter>> {
    let mut out = Vec::new();
    for (i, pair) in args.windows(2).enumerate() {
        let test = pair[0].text.as_str();
        let (whole_path, case_insensitive) = match test {
            "-name" => (false, false),
            "-iname" => (false, true),
            "-path" | "-wholename" => (true, false),
            "-ipath" | "-iwholename" => (true, true),
            _ => continue,
        };
        // `! -name '*.pub'` finds everything else.
        if i > 0 && (args[i - 1].is("!") || args[i - 1].is("-not")) {
            continue;
        }
        if !pair[1].known {
            return None;
        }
        let glob = globset::GlobBuilder::new(&pair[1].text)
            .case_insensitive(case_insensitive)
            .literal_separator(false)
            .build()
            .ok()?;
        out.push(Filter { whole_path, matcher: glob.compile_matcher() });
    }
    (!out.is_empty()).then_some(out)
}

/// Names of what lies in a `.git` folder, for name tests to match.
const GIT_NAMES: &[&str] = &[
    ".git",
    "config",
    "HEAD",
    "index",
    "packed-refs",
    "description",
    "hooks",
    "objects",
    "refs",
    "pre-commit",
];

/// The protected files below a root of the tree that `find` would find:
/// `{}` stands for them too (`find . -name .env -exec truncate -s 0 {} +`).
fn protected_found(w: &mut Walker<'_, '_>, root: &Arg, filters: &Option<Vec<Filter>>) -> Vec<Arg> {
    let Some((at, survey)) = w.survey(root) else { return Vec::new() };
    let prefix = if at.shown == "." { String::new() } else { format!("{}/", at.shown) };
    survey
        .protected
        .into_iter()
        .filter(|(rel, zone)| {
            let Some(filters) = filters else { return true };
            let below = rel.strip_prefix(&prefix).unwrap_or(rel);
            let printed = format!("{}/{below}", root.text.trim_end_matches('/'));
            let base = rel.rsplit('/').next().unwrap_or(rel);
            filters.iter().any(|f| {
                if *zone == super::super::Zone::GitDir {
                    // Anything in `.git` may be found: try the names there.
                    GIT_NAMES.iter().any(|n| {
                        let candidate = if f.whole_path { format!("{printed}/{n}") } else { n.to_string() };
                        f.matcher.is_match(candidate) || f.whole_path && f.matcher.is_match(&printed)
                    })
                } else {
                    f.matcher.is_match(if f.whole_path { printed.as_str() } else { base })
                }
            })
        })
        .map(|(rel, _)| {
            let shown =
                format!("{}/{}", root.text.trim_end_matches('/'), rel.strip_prefix(&prefix).unwrap_or(&rel));
            Arg { text: shown, glob: false, ..root.clone() }
        })
        .collect()
}
