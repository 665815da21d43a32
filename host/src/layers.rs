//! Which module may use which. A lower layer never reaches up: the gate
//! decides without knowing what a session is, a session's store knows
//! nothing of the transcripts written into it, and none of them knows the
//! command line. The test reads the sources and fails when a `crate::`
//! path crosses a line this table does not allow.
//!
//! The contract's generated types (`wit`) are used by `runtime` (the skill
//! world's exports) and `caps` (where they are converted to the host's own
//! types) and by nothing below them.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Each module and the modules it may use.
    const ALLOWED: &[(&str, &[&str])] = &[
        ("text", &[]),
        ("env", &[]),
        ("wit", &[]),
        ("pid", &[]),
        ("paths", &["env", "pid"]),
        ("worktree", &["env", "pid"]),
        ("providers", &["env", "paths", "text"]),
        ("gate", &["env", "paths", "text"]),
        ("net", &["gate"]),
        ("sandbox", &["env", "gate", "net", "paths", "pid", "text"]),
        ("evidence", &["env", "paths", "text"]),
        // Slack: its own client and the project's routing; the capability
        // and the command line hand it text, never a skill a client.
        ("notify", &["env", "paths", "text"]),
        ("runtime", &["env", "text", "wit"]),
        ("repo", &["paths", "text"]),
        ("browser", &["env"]),
        // Pull requests: knows the evidence bundle, not the session store
        // (the command line hands it what it needs of a session).
        ("review", &["env", "evidence", "paths", "repo", "text"]),
        ("session", &["env", "gate", "paths", "pid", "providers", "repo", "worktree", "text"]),
        ("transcript", &["env", "session", "providers", "text"]),
        // A front end beside the command line: it reuses the session
        // commands' own pieces (the context, `grove ls`'s rows, the
        // approvals' `settle`) so the page has no behaviour of its own.
        ("serve", &["cli", "env", "evidence", "gate", "repo", "review", "session", "text", "transcript"]),
        (
            "caps",
            &[
                "browser",
                "env",
                "evidence",
                "gate",
                "net",
                "notify",
                "paths",
                "providers",
                "repo",
                "review",
                "runtime",
                "sandbox",
                "session",
                "text",
                "transcript",
                "wit",
                "worktree",
            ],
        ),
    ];

    /// The `crate::X` modules named in the sources of `module`.
    fn used_by(src: &Path, module: &str) -> BTreeSet<String> {
        let mut files = Vec::new();
        let file = src.join(format!("{module}.rs"));
        if file.is_file() {
            files.push(file);
        }
        let mut dirs = vec![src.join(module)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let mut used = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (at, _) in text.match_indices("crate::") {
                let name: String =
                    text[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if name != module {
                    used.insert(name);
                }
            }
        }
        used
    }

    #[test]
    fn no_module_reaches_up() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut crossings = Vec::new();
        for (module, allowed) in ALLOWED {
            let used = used_by(&src, module);
            assert!(
                !used.is_empty() || allowed.is_empty() || src.join(module).exists(),
                "no sources for {module}"
            );
            for name in used {
                if !allowed.contains(&name.as_str()) {
                    crossings.push(format!("{module} uses crate::{name}"));
                }
            }
        }
        assert!(crossings.is_empty(), "layers crossed:\n{}", crossings.join("\n"));
    }
}
