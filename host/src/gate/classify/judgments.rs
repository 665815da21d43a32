//! How whole actions are judged, rule family by rule family, on a real
//! worktree in a temporary folder (symlinks, `.env` files and CI
//! configuration are files on disk, as the classifier meets them).

use std::path::{Path, PathBuf};

use super::{Classifier, Subject};
use crate::gate::level::{Assessment, Level};

const HOME: &str = "/home/u";

/// A worktree outside any temporary or home folder's special zones: the
/// tests' own scratch folder under the build directory.
struct Tree {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tmp");
        std::fs::create_dir_all(&base).unwrap();
        let dir = tempfile::Builder::new().prefix("judged-").tempdir_in(&base).unwrap();
        let root = dir.path().canonicalize().unwrap();
        for (path, text) in [
            ("src/lib.rs", "pub fn f() {}\n"),
            (".env", "KEY=1\n"),
            ("web/.env.local", "KEY=2\n"),
            (".github/workflows/ci.yml", "on: push\n"),
            (".git/config", "[core]\n"),
            ("build/a.tmp", ""),
        ] {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Tree { _dir: dir, root }
    }

    fn link(&self, at: &str, to: &str) {
        let p = self.root.join(at);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(to, p).unwrap();
    }

    fn classifier(&self) -> Classifier {
        Classifier::new(&self.root).with_home(Some(HOME))
    }

    fn shell(&self, line: &str) -> Assessment {
        self.classifier().classify("process", "run", Subject::Shell(line))
    }

    fn argv(&self, argv: &[&str], env: &[(&str, &str)]) -> Assessment {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let env: Vec<(String, String)> = env.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        self.classifier().classify("process", "run", Subject::Argv { argv: &argv, env: &env })
    }
}

fn rules(a: &Assessment) -> Vec<&'static str> {
    a.reasons.iter().map(|r| r.rule).collect()
}

/// Each line's level, compared all at once so one failure shows them all.
fn judged(t: &Tree, cases: &[(&str, Level)]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(line, want)| {
            let a = t.shell(line);
            (a.level != *want).then(|| format!("{line}: want {want}, got {} {:?}", a.level, a.reasons))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn find_exec_is_the_command_on_everything_found() {
    let t = Tree::new();
    judged(
        &t,
        &[
            ("find . -name x -exec rm -rf {} +", Level::High),
            ("find build -name x -execdir rm -rf {} \\;", Level::High),
            ("find / -exec rm {} +", Level::Critical),
            ("find / -name x -ok rm -rf {} \\;", Level::Critical),
            ("find ~ -type f -exec shred -u {} \\;", Level::Critical),
            ("find .. -exec rm -rf {} +", Level::Critical),
            // `{}` is anything below the root: secrets below it too.
            ("find / -name id_rsa -exec cat {} +", Level::Critical),
            ("find ~ -name '*.pem' -exec cat {} \\;", Level::Critical),
            ("find /etc -exec grep -l root {} +", Level::Critical),
            // Protected files below a root of the tree are found too.
            ("find . -type f -exec rm {} +", Level::Critical),
            ("find . -name .env -exec truncate -s 0 {} +", Level::High),
            ("find . -name '*.yml' -exec rm {} +", Level::High),
            ("find . -name config -exec sed -i s/a/b/ {} +", Level::Critical),
            ("find web -type f -exec cat {} +", Level::Medium),
            // Routine: what the filter finds cannot be protected.
            ("find . -name '*.tmp' -exec rm {} \\;", Level::Low),
            ("find src -name '*.rs' -exec grep -l unsafe {} +", Level::Safe),
            ("find . -name '*.py' -exec sed -i 's/a/b/' {} +", Level::Low),
        ],
    );
}

#[test]
fn emptying_a_file_is_destroying_its_contents() {
    let t = Tree::new();
    judged(
        &t,
        &[
            ("truncate -s 0 .env", Level::High),
            ("truncate --size=0 web/.env.local", Level::High),
            ("truncate .env -s0", Level::High),
            ("truncate -s 0 .github/workflows/ci.yml", Level::High),
            (": > .env", Level::High),
            ("> .env", Level::High),
            ("true > .env", Level::High),
            ("cp /dev/null .env", Level::High),
            ("dd if=/dev/null of=.env", Level::High),
            ("dd of=.env", Level::High),
            ("tee .env < /dev/null", Level::High),
            ("sed -i d .env", Level::High),
            ("perl -pi -e 's/.*//' .env", Level::High),
            ("rm .env", Level::High),
            ("truncate -s 0 .git/index", Level::Critical),
            (": > .git/config", Level::Critical),
            ("truncate -s 0 ~/.bashrc", Level::Critical),
            ("cp /dev/null ~/notes.txt", Level::High),
            ("truncate -s 0 ../notes.txt", Level::High),
            // Growing a file or appending to one keeps what it held.
            ("truncate -s +1M .env", Level::Medium),
            ("echo K=2 >> .env", Level::Medium),
            ("tee -a .env < /dev/null", Level::Medium),
            ("dd of=.env conv=notrunc", Level::Medium),
            // The tree's own files: git has them.
            ("truncate -s 0 src/lib.rs", Level::Low),
            (": > build/a.tmp", Level::Low),
        ],
    );
}

#[test]
fn switching_the_worktree_off_its_branch_is_asked_about() {
    let t = Tree::new();
    for line in [
        "git switch main",
        "git switch -c topic",
        "git switch --detach HEAD~1",
        "git checkout -b topic",
        "git checkout other",
        "git checkout -",
        "git checkout --orphan fresh",
    ] {
        let a = t.shell(line);
        assert!(a.level >= Level::Medium && rules(&a).contains(&"git.switch"), "{line}: {:?}", a.reasons);
    }
    // Files, not branches: a write to them.
    for line in ["git checkout -- src/lib.rs", "git checkout src/lib.rs", "git checkout HEAD~1 -- src/lib.rs"]
    {
        let a = t.shell(line);
        assert!(!rules(&a).contains(&"git.switch"), "{line}: {:?}", a.reasons);
        assert!(a.facts.paths.iter().any(|(p, _)| p == "src/lib.rs"), "{line}: {:?}", a.facts.paths);
    }
    let ci = t.shell("git checkout -- .github/workflows/ci.yml");
    assert!(rules(&ci).contains(&"fs.ci-config"), "{:?}", ci.reasons);
}

#[test]
fn a_symlink_made_between_two_judgments_of_a_path_is_seen() {
    let t = Tree::new();
    let c = t.classifier();
    let read = |c: &Classifier| c.classify("workspace", "read", Subject::Path("notes/todo"));
    let cat = |c: &Classifier| c.classify("process", "run", Subject::Shell("cat notes/id_rsa"));
    assert_eq!(read(&c).level, Level::Safe);
    assert_eq!(cat(&c).level, Level::Safe);
    t.link("notes", &format!("{HOME}/.ssh"));
    assert_eq!(read(&c).level, Level::Critical, "the second judgment sees the link");
    assert_eq!(cat(&c).level, Level::Critical);
}

#[test]
fn tools_that_follow_symlinks_are_judged_on_where_they_lead() {
    let t = Tree::new();
    t.link("docs/etc", "/etc");
    t.link("web/key", &format!("{HOME}/.ssh/id_rsa"));
    t.link("vendor/web", "../web");
    judged(
        &t,
        &[
            ("grep -R TODO .", Level::Critical),
            ("grep -R TODO vendor", Level::Critical),
            ("grep --dereference-recursive TODO docs", Level::Critical),
            ("rg -L TODO", Level::Critical),
            ("tar -czhf out.tgz web", Level::Critical),
            ("tar --dereference -czf out.tgz .", Level::Critical),
            ("zip -r out.zip web", Level::Critical),
            ("rsync -aL web/ out/", Level::Critical),
            ("cp -RL web out", Level::Critical),
            ("find -L web -exec cat {} +", Level::Critical),
            ("find -L docs -name passwd", Level::Medium),
            ("du -L -sh docs", Level::Medium),
            // Links themselves, not what they lead to.
            ("grep -r TODO .", Level::Safe),
            ("grep -R TODO src", Level::Safe),
            ("zip -ry out.zip web", Level::Low),
            ("rsync -a web/ out/", Level::Low),
            ("cp -R web out", Level::Low),
            ("ls -L web", Level::Safe),
        ],
    );
}

#[test]
fn a_folder_too_big_to_walk_for_links_is_asked_about() {
    let t = Tree::new();
    let big = t.root.join("big");
    std::fs::create_dir(&big).unwrap();
    for i in 0..10_001 {
        std::fs::write(big.join(format!("f{i}")), "").unwrap();
    }
    let a = t.shell("grep -R TODO big");
    assert_eq!(a.level, Level::Medium, "{:?}", a.reasons);
    assert!(rules(&a).contains(&"fs.links-unknown"));
    assert_eq!(t.shell("grep -r TODO big").level, Level::Safe);
}

#[test]
fn inputs_read_from_stdin_are_unknown_files() {
    let t = Tree::new();
    judged(
        &t,
        &[
            ("xargs cat", Level::Medium),
            ("cat list | xargs cat", Level::Medium),
            ("xargs -a list cat", Level::Medium),
            ("xargs rm -rf", Level::High),
            ("xargs -0 shred -u", Level::Critical),
            ("cat $(cat list)", Level::Medium),
            ("X=$(cat list); cat \"$X\"", Level::Medium),
            ("for f in $(cat list); do cat \"$f\"; done", Level::Medium),
            ("for f in $(git ls-files); do cat \"$f\"; done", Level::Safe),
            ("for f in $(find ~/.ssh); do cat \"$f\"; done", Level::Critical),
            ("for d in /; do rm -rf \"$d\"; done", Level::Critical),
            ("parallel cat", Level::Medium),
            ("parallel rm -rf", Level::High),
            ("parallel rm -rf ::: /", Level::Critical),
            ("find ~/.ssh -print0 | xargs -0 cat", Level::Critical),
            ("find / -maxdepth 1 | xargs rm -rf", Level::Critical),
            ("find . | xargs cat", Level::Medium),
            ("ls -a | xargs rm -rf", Level::Critical),
            // What a lister of the tree prints is files of the tree.
            ("git ls-files | xargs wc -l", Level::Safe),
            ("find src -name '*.rs' | grep -v test | xargs wc -l", Level::Safe),
            ("rg -l TODO src | xargs sed -i s/TODO/FIXME/", Level::Low),
            ("wc -l $(git ls-files '*.rs')", Level::Safe),
            ("find build -name '*.tmp' | parallel rm {}", Level::Low),
            ("parallel gzip ::: build/a.tmp", Level::Low),
        ],
    );
}

#[test]
fn the_environment_given_to_a_program_is_judged_with_it() {
    let t = Tree::new();
    let inside_bin = format!("{}/bin:/usr/bin", t.root.display());
    let high = [
        ("LD_PRELOAD", "./hook.so"),
        ("LD_LIBRARY_PATH", "./lib"),
        ("LD_AUDIT", "./audit.so"),
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "core.pager"),
        ("GIT_SSH_COMMAND", "./ssh.sh"),
        ("GIT_EXEC_PATH", "./git-core"),
        ("GIT_ASKPASS", "./askpass"),
        ("GIT_EXTERNAL_DIFF", "./diff.sh"),
        ("GIT_PAGER", "./pager.sh"),
        ("GIT_TEMPLATE_DIR", "./templates"),
        ("PATH", "./bin:/usr/bin"),
        ("PATH", ":/usr/bin"),
        ("PATH", inside_bin.as_str()),
        ("NODE_OPTIONS", "--require ./x.js"),
        ("JAVA_TOOL_OPTIONS", "-javaagent:x.jar"),
        ("PYTHONSTARTUP", "x.py"),
        ("PYTHONPATH", "."),
        ("PERL5OPT", "-Mx"),
        ("RUBYOPT", "-rx"),
        ("BASH_ENV", "./x.sh"),
        ("ENV", "./x.sh"),
        ("PROMPT_COMMAND", "./x.sh"),
        ("EDITOR", "./x.sh"),
        ("PAGER", "./x.sh"),
        ("RUSTC_WRAPPER", "./wrap"),
        ("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER", "./run"),
        ("CARGO_BUILD_RUSTC", "./rustc"),
        ("RUSTFLAGS", "-C linker=./ld"),
        ("npm_config_script_shell", "./sh"),
    ];
    for (name, value) in high {
        let a = t.argv(&["cargo", "test"], &[(name, value)]);
        assert!(a.level >= Level::High, "{name}={value}: {:?}", a.reasons);
        assert!(
            a.reasons.iter().any(|r| r.detail.contains(name)),
            "{name}: the reason names it: {:?}",
            a.reasons
        );
    }
    // A command line in a variable is judged as one.
    let a = t.argv(&["git", "fetch"], &[("GIT_SSH_COMMAND", "sh -c 'rm -rf ~'")]);
    assert_eq!(a.level, Level::Critical, "{:?}", a.reasons);
    let harmless = [
        ("RUST_LOG", "debug"),
        ("RUST_BACKTRACE", "1"),
        ("CI", "1"),
        ("NO_COLOR", "1"),
        ("LANG", "C.UTF-8"),
        ("GIT_PAGER", "cat"),
        ("GIT_AUTHOR_NAME", "A"),
        ("CARGO_TERM_COLOR", "always"),
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("RUSTFLAGS", "-D warnings"),
    ];
    for (name, value) in harmless {
        let a = t.argv(&["cargo", "test"], &[(name, value)]);
        assert_eq!(a.level, Level::Low, "{name}={value}: {:?}", a.reasons);
    }
    // The same variables on a command line.
    judged(&t, &[("LD_PRELOAD=./x.so cargo test", Level::High), ("PATH=./bin:$PATH make", Level::High)]);
}

#[test]
fn reads_below_a_path_do_not_escape_through_unknown_roots() {
    // `find $D -exec …`: a root only known at run time stays unknown.
    let t = Tree::new();
    assert!(t.shell("find \"$D\" -exec rm -rf {} +").level >= Level::High);
    assert!(Path::new(&t.root).join(".env").exists());
}
