//! The actions sessions wait on a human for, each with its answers:
//! approve once, approve for the rest of the session, or deny with a
//! reason the skill is told. They are the store's approval queue, the one
//! `grove approvals`, `grove dash` and `grove attach` answer.

use std::fmt::Write;

use crate::cli::session::age;
use crate::serve::html::{escape, form, session_href};
use crate::session::{Approval, Store};

/// Answered requests the approvals page lists under the pending ones.
const RECENT: usize = 20;

/// One pending request and the forms that answer it.
pub fn card(a: &Approval, csrf: &str, with_session: bool) -> String {
    let mut html = String::new();
    let session = if with_session {
        format!("<a href=\"{}\">{}</a> · ", escape(&session_href(&a.session)), escape(&a.session))
    } else {
        String::new()
    };
    let _ = write!(
        html,
        "<article class=\"approval\" id=\"approval-{id}\" data-approval=\"{id}\">\
         <header><span class=\"id\">#{id}</span> <span class=\"level lv-{level_class}\">{level} risk</span> \
         <span class=\"meta\">{session}{skill} · {age} ago</span></header>\
         <p class=\"what\"><code>{capability}.{verb}</code> <code class=\"target\">{target}</code></p>",
        id = a.id,
        level_class = level_class(&a.level),
        level = escape(&a.level),
        skill = escape(&a.skill),
        age = age(a.created_at),
        capability = escape(&a.capability),
        verb = escape(&a.verb),
        target = escape(crate::gate::clip(&a.target)),
    );
    if !a.reasons.is_empty() {
        html.push_str("<ul class=\"reasons\">");
        for reason in &a.reasons {
            let _ = write!(html, "<li>{}</li>", escape(reason));
        }
        html.push_str("</ul>");
    }
    let base = format!("/approvals/{}", a.id);
    html.push_str("<div class=\"answers\">");
    html.push_str(&form(
        &format!("{base}/approve"),
        csrf,
        "approve",
        "",
        "<button class=\"good\">Approve once</button>",
    ));
    html.push_str(&form(
        &format!("{base}/always"),
        csrf,
        "always",
        "",
        "<button>Approve for the session</button>",
    ));
    html.push_str(&form(
        &format!("{base}/deny"),
        csrf,
        "deny",
        "<input name=\"reason\" maxlength=\"2000\" placeholder=\"why not (the skill is told)\" aria-label=\"reason\">",
        "<button class=\"bad\">Deny</button>",
    ));
    html.push_str("</div></article>");
    html
}

/// A class name for a risk level: only lowercase letters, whatever the
/// store holds.
fn level_class(level: &str) -> &str {
    if !level.is_empty() && level.bytes().all(|b| b.is_ascii_lowercase()) { level } else { "unknown" }
}

/// The pending requests of session `name`.
pub fn of_session(store: &Store, name: &str, csrf: &str) -> String {
    let pending: Vec<Approval> =
        store.approvals(true).unwrap_or_default().into_iter().filter(|a| a.session == name).collect();
    if pending.is_empty() {
        return "<p class=\"empty\">Nothing is waiting for you.</p>".into();
    }
    pending.iter().map(|a| card(a, csrf, false)).collect()
}

/// The approvals page's region: every pending request, then the latest
/// answered ones.
pub fn region(store: &Store, csrf: &str) -> String {
    let all = match store.approvals(false) {
        Ok(all) => all,
        Err(e) => {
            return format!(
                "<p class=\"bad\">The approvals could not be read: {}</p>",
                escape(&e.to_string())
            );
        }
    };
    let (pending, answered): (Vec<&Approval>, Vec<&Approval>) =
        all.iter().partition(|a| a.state == "pending");
    let mut html = String::from("<h2>Waiting for you</h2>");
    if pending.is_empty() {
        html.push_str("<p class=\"empty\">No action is waiting for approval.</p>");
    }
    for a in &pending {
        html.push_str(&card(a, csrf, true));
    }
    if !answered.is_empty() {
        html.push_str("<h2>Answered lately</h2><table class=\"grid\"><thead><tr><th>#</th><th>session</th><th>action</th><th>outcome</th><th>when</th></tr></thead><tbody>");
        for a in answered.iter().rev().take(RECENT) {
            let tone = if a.state == "allowed" { "good" } else { "bad" };
            let _ = write!(
                html,
                "<tr data-approval=\"{id}\"><td>{id}</td><td><a href=\"{href}\">{session}</a></td>\
                 <td><code>{capability}.{verb}</code> <code>{target}</code></td><td class=\"{tone}\">{outcome}</td><td>{age} ago</td></tr>",
                id = a.id,
                href = escape(&session_href(&a.session)),
                session = escape(&a.session),
                capability = escape(&a.capability),
                verb = escape(&a.verb),
                target = escape(&crate::serve::html::clip(&a.target, 120)),
                outcome = escape(&outcome(a)),
                age = age(a.decided_at.unwrap_or(a.created_at)),
            );
        }
        html.push_str("</tbody></table>");
    }
    html
}

/// What became of an answered request, in a few words.
fn outcome(a: &Approval) -> String {
    let by = a.decided_by.as_deref().unwrap_or("");
    match (a.state.as_str(), a.always, &a.reason) {
        ("allowed", true, _) => format!("allowed for the session ({by})"),
        ("allowed", false, _) => format!("allowed once ({by})"),
        ("denied", _, Some(reason)) => format!("denied ({by}): {reason}"),
        _ => a.outcome(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::NewApproval;

    #[test]
    fn a_hostile_target_and_reason_stay_text_and_each_answer_has_the_token() {
        let a = Approval {
            id: 7,
            session: "s\"><script>".into(),
            skill: "agent".into(),
            capability: "process".into(),
            verb: "run".into(),
            target: "echo '<script>alert(1)</script>' \"onmouseover=alert(2)".into(),
            level: "high\" onclick=\"x".into(),
            reasons: vec!["<b>publishes</b>".into()],
            state: "pending".into(),
            always: false,
            decided_by: None,
            reason: None,
            created_at: 0,
            decided_at: None,
        };
        let html = card(&a, "TOKEN", true);
        assert!(
            !html.contains("<script>") && !html.contains("<b>") && !html.contains("\" onclick"),
            "{html}"
        );
        assert!(html.contains("lv-unknown"), "{html}");
        assert!(html.contains("href=\"/session/s%22%3E%3Cscript%3E\""), "{html}");
        assert_eq!(html.matches("name=\"csrf\" value=\"TOKEN\"").count(), 3);
        for action in ["/approvals/7/approve", "/approvals/7/always", "/approvals/7/deny"] {
            assert!(html.contains(&format!("action=\"{action}\"")), "{action}");
        }
    }

    #[test]
    fn the_region_lists_pending_then_answered() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("s.db")).unwrap();
        let ask = |target| NewApproval {
            session: "s",
            skill: "agent",
            capability: "process",
            verb: "run",
            target,
            level: "high",
            reasons: &[],
        };
        let first = store.request_approval(&ask("git push")).unwrap();
        store.request_approval(&ask("rm -rf build")).unwrap();
        store.answer_approval(first, false, false, "human:deny", Some("not today")).unwrap();
        let html = region(&store, "T");
        let pending = html.find("rm -rf build").unwrap();
        let answered = html.find("denied (human:deny): not today").unwrap();
        assert!(pending < answered, "{html}");
    }
}
