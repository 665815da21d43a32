//! Every session of the repository in one table: state, progress, changes,
//! cost and pending approvals, the same rows `grove ls` prints. A session
//! started from another is listed under it, indented, when the store
//! records its parent.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use crate::cli::session::Ctx;
use crate::cli::session::age;
use crate::cli::session::ls::{Row, rows};
use crate::serve::html::{clip, cost, escape, session_href, state_badge};
use crate::session::State;

/// The sessions region.
pub fn region(ctx: &Ctx) -> String {
    let sessions = match ctx.store.list() {
        Ok(sessions) => sessions,
        Err(e) => {
            return format!(
                "<p class=\"bad\">The sessions could not be read: {}</p>",
                escape(&e.to_string())
            );
        }
    };
    if sessions.is_empty() {
        return "<p class=\"empty\">No sessions yet: start one with <code>grove new NAME --task \"…\"</code>.</p>"
            .into();
    }
    let rows = rows(ctx.worktrees.root(), &sessions, &ctx.store);
    let mut html = summary(&rows);
    html.push_str(
        "<table class=\"grid sessions\"><thead><tr><th>session</th><th>state</th><th>progress</th>\
         <th>changes</th><th>ahead/behind</th><th>cost</th><th>approvals</th><th>age</th></tr></thead><tbody>",
    );
    for (i, depth) in tree(&rows) {
        row(&mut html, &rows[i], depth);
    }
    html.push_str("</tbody></table>");
    html
}

/// One line over the table: how many, doing what, at what cost.
fn summary(rows: &[Row]) -> String {
    let count = |state: State| rows.iter().filter(|r| r.state == state).count();
    let mut parts = vec![crate::text::count(rows.len(), "session")];
    for (state, words) in [
        (State::Running, "running"),
        (State::WaitingApproval, "waiting for approval"),
        (State::Queued, "queued"),
    ] {
        let n = count(state);
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    let spent: f64 = rows.iter().map(|r| r.cost_usd).sum();
    if spent > 0.0 {
        parts.push(format!("${spent:.2} spent"));
    }
    format!("<p class=\"summary\">{}</p>", escape(&parts.join(" · ")))
}

fn row(html: &mut String, r: &Row, depth: usize) {
    let indent = if depth > 0 { format!(" class=\"child d{}\"", depth.min(4)) } else { String::new() };
    let task = r
        .task
        .as_deref()
        .map(|t| format!("<div class=\"task\">{}</div>", escape(&clip(t, 140))))
        .unwrap_or_default();
    let missing = if r.worktree_missing { " <span class=\"meta\">(no worktree)</span>" } else { "" };
    let progress = r.progress.as_deref().map(|p| escape(&clip(p, 60))).unwrap_or_default();
    let approvals = match r.pending_approvals {
        0 => String::new(),
        n => format!("<a class=\"count\" href=\"{}#approvals\">{n}</a>", escape(&session_href(&r.name))),
    };
    let _ = write!(
        html,
        "<tr data-session=\"{name}\"><td{indent}><a class=\"name\" href=\"{href}\">{name}</a> \
         <span class=\"meta\">{skill}</span>{task}</td><td>{state}{missing}</td><td>{progress}</td>\
         <td><span class=\"add\">+{add}</span> <span class=\"del\">−{del}</span> <span class=\"meta\">{files}</span></td>\
         <td>{ahead}/{behind}</td><td>{cost}</td><td>{approvals}</td><td>{age}</td></tr>",
        name = escape(&r.name),
        href = escape(&session_href(&r.name)),
        skill = escape(&r.skill),
        state = state_badge(r.state),
        add = r.additions,
        del = r.deletions,
        files = crate::text::count(r.files_changed, "file"),
        ahead = r.ahead,
        behind = r.behind,
        cost = cost(r.model_calls, r.cost_usd),
        age = age(r.created_at),
    );
}

/// The order to list `rows` in, each with its depth: every session after
/// its parent and its parent's earlier children; one whose parent is not
/// listed (or that is caught in a loop) at the top level.
fn tree(rows: &[Row]) -> Vec<(usize, usize)> {
    let index: HashMap<&str, usize> = rows.iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match r.parent.as_deref().and_then(|p| index.get(p)) {
            Some(&parent) if parent != i => children.entry(parent).or_default().push(i),
            _ => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(rows.len());
    let mut placed = HashSet::new();
    fn visit(
        i: usize,
        depth: usize,
        children: &HashMap<usize, Vec<usize>>,
        placed: &mut HashSet<usize>,
        order: &mut Vec<(usize, usize)>,
    ) {
        if !placed.insert(i) {
            return;
        }
        order.push((i, depth));
        for &child in children.get(&i).into_iter().flatten() {
            visit(child, depth + 1, children, placed, order);
        }
    }
    for root in roots {
        visit(root, 0, &children, &mut placed, &mut order);
    }
    // Sessions in a loop of parents have no root: list them at the top.
    for i in 0..rows.len() {
        visit(i, 0, &children, &mut placed, &mut order);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> Row {
        Row {
            name: name.into(),
            state: State::Done,
            branch: format!("grove/{name}"),
            path: String::new(),
            task: None,
            skill: "agent".into(),
            ahead: 0,
            behind: 0,
            files_changed: 0,
            additions: 0,
            deletions: 0,
            created_at: 0,
            pending_approvals: 0,
            pid: None,
            worktree_missing: false,
            progress: None,
            summary: None,
            error: None,
            tier: None,
            model: None,
            model_calls: 0,
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            cost_usd: 0.0,
            budget: None,
            parent: None,
            tree: String::new(),
            follow_ups: Vec::new(),
        }
    }

    #[test]
    fn children_follow_their_parents_and_loops_do_not_hang() {
        let parents: HashMap<&str, &str> =
            [("a1", "a"), ("a1x", "a1"), ("b1", "b"), ("orphan", "gone"), ("l1", "l2"), ("l2", "l1")].into();
        let rows: Vec<Row> = ["a", "b", "a1", "a1x", "b1", "orphan", "l1", "l2"]
            .into_iter()
            .map(|name| Row { parent: parents.get(name).map(|p| p.to_string()), ..row(name) })
            .collect();
        let order: Vec<(&str, usize)> =
            tree(&rows).into_iter().map(|(i, d)| (rows[i].name.as_str(), d)).collect();
        assert_eq!(
            order,
            [("a", 0), ("a1", 1), ("a1x", 2), ("b", 0), ("b1", 1), ("orphan", 0), ("l1", 0), ("l2", 1)]
        );
        let flat: Vec<Row> = rows.iter().map(|r| Row { parent: None, ..row(&r.name) }).collect();
        assert_eq!(tree(&flat).len(), rows.len());
    }

    #[test]
    fn a_hostile_task_stays_text() {
        let mut r = row("s");
        r.task = Some("<script>alert(1)</script>\"onmouseover=alert(2)\u{1b}[31m".into());
        let mut html = String::new();
        super::row(&mut html, &r, 0);
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&quot;onmouseover=alert(2)"), "{html}");
    }
}
