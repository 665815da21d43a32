//! Programs that follow symlinks below the paths they are given read where
//! those links lead: each is judged as reading the links' targets too.

use super::super::walk::{Arg, Call, Reader, Walker};
use super::files::option_value;

/// Judge what `c` reads through symlinks below its paths, if it follows them.
pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) {
    let Some((paths, how)) = followed(c) else { return };
    let line = c.line();
    for p in paths {
        for target in w.links_out_below(&p, &line) {
            w.read(&target, how);
        }
    }
}

/// The paths `c` walks following symlinks, and how it reads what it finds.
fn followed(c: &Call<'_>) -> Option<(Vec<Arg>, Reader)> {
    let operands: Vec<Arg> = c.operands().cloned().collect();
    let here = || vec![Arg::lit(".")];
    Some(match c.name {
        // `grep -R` follows every link; `-r` only those named on the line.
        "grep" | "egrep" | "fgrep" | "zgrep" if c.has(Some('R'), &["dereference-recursive"]) => {
            let pattern_given = c.has(Some('e'), &["regexp"]) || c.has(Some('f'), &["file"]);
            let paths: Vec<Arg> = operands.into_iter().skip(usize::from(!pattern_given)).collect();
            (if paths.is_empty() { here() } else { paths }, Reader::Content)
        }
        "rg" | "ag" if c.has(Some(if c.name == "rg" { 'L' } else { 'f' }), &["follow"]) => {
            let files = c.has(None, &["files"]);
            let pattern_given = files || c.has(Some('e'), &["regexp"]);
            let paths: Vec<Arg> = operands.into_iter().skip(usize::from(!pattern_given)).collect();
            let how = if files { Reader::Listing } else { Reader::Content };
            (if paths.is_empty() { here() } else { paths }, how)
        }
        // `tar -h`/`--dereference` archives what links point at.
        "tar" | "bsdtar" if dereferences_tar(c) => {
            let archive = option_value(c, "-f", "--file").map(|a| a.text);
            let first_is_cluster = c.args.first().is_some_and(|a| a.known && !a.text.starts_with('-'));
            let paths = operands
                .into_iter()
                .skip(usize::from(first_is_cluster))
                .filter(|a| archive.as_deref() != Some(a.text.as_str()))
                .collect();
            (paths, Reader::Content)
        }
        // zip stores what links point at unless `-y`.
        "zip" if c.has(Some('r'), &["recurse-paths"]) && !c.has(Some('y'), &["symlinks"]) => {
            (operands.into_iter().skip(1).collect(), Reader::Content)
        }
        "rsync"
            if c.has(Some('L'), &["copy-links", "copy-unsafe-links"])
                || c.has(Some('k'), &["copy-dirlinks"]) =>
        {
            let n = operands.len().saturating_sub(1);
            (operands.into_iter().take(n).collect(), Reader::Content)
        }
        "cp" if c.has(Some('L'), &["dereference"]) && c.has(Some('R'), &["recursive"])
            || c.has(Some('L'), &["dereference"]) && c.has(Some('r'), &[])
            || c.has(Some('L'), &["dereference"]) && c.has(Some('a'), &["archive"]) =>
        {
            let target = option_value(c, "-t", "--target-directory").map(|a| a.text);
            let n = if target.is_some() { operands.len() } else { operands.len().saturating_sub(1) };
            let paths =
                operands.into_iter().take(n).filter(|a| target.as_deref() != Some(a.text.as_str())).collect();
            (paths, Reader::Content)
        }
        "du" if c.has(Some('L'), &["dereference"]) => {
            (if operands.is_empty() { here() } else { operands }, Reader::Listing)
        }
        "tree" if c.has(Some('l'), &[]) => {
            (if operands.is_empty() { here() } else { operands }, Reader::Listing)
        }
        "ls" if c.has(Some('L'), &["dereference"]) && c.has(Some('R'), &["recursive"]) => {
            (if operands.is_empty() { here() } else { operands }, Reader::Listing)
        }
        _ => return None,
    })
}

fn dereferences_tar(c: &Call<'_>) -> bool {
    let first = c.args.first().filter(|a| a.known && !a.text.starts_with('-')).map(|a| a.text.as_str());
    c.has(Some('h'), &["dereference"]) || first.is_some_and(|cluster| cluster.contains('h'))
}
