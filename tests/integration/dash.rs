//! `grove dash`, driven for real in tmux: keys in, screen out.

use std::time::{Duration, Instant};

use crate::support::{Tmux, grove_cmd, grove_with};

#[test]
fn the_dashboard_shows_sessions_and_acts_on_keys() {
    let dir = grove_tests::repo_with(&[("README.md", "# dash\n")]);
    let home = tempfile::tempdir().unwrap();
    let grove = |args: &[&str]| grove_with(grove_cmd(dir.path(), home.path()), args, None);
    grove(&["new", "alpha", "--skill", "hello", "--task", "greet"]).expect(0);
    grove(&["new", "beta", "--skill", "hello"]).expect(0);
    grove(&["new", "gamma", "--skill", "hello"]).expect(0);

    let tmux =
        Tmux::start(dir.path(), home.path(), &format!("{} dash --interval 200", env!("CARGO_BIN_EXE_grove")));
    let screen = tmux.wait_for("grove · 3 sessions");
    assert!(screen.contains("alpha") && screen.contains("grove/beta"), "{screen}");
    tmux.wait_for("done");
    // The log pane of the selected session shows its output.
    tmux.wait_for("Hello, world!");

    // Select beta, remove it (x, then y to confirm).
    tmux.keys(&["j", "x"]);
    tmux.wait_for("rm beta? y to confirm");
    tmux.keys(&["y"]);
    tmux.wait_for("grove · 2 sessions");
    let rows = grove(&["ls", "--json"]).expect(0).json();
    assert_eq!(rows.as_array().unwrap().len(), 2);

    // gamma (selected now) holds a commit main lacks: x shows rm's refusal.
    let gamma = rows.as_array().unwrap().iter().find(|r| r["name"] == "gamma").unwrap()["path"].clone();
    let gamma = std::path::Path::new(gamma.as_str().unwrap());
    grove_tests::write(gamma, "work.txt", "work\n");
    grove_tests::commit_all(&git2::Repository::open(gamma).unwrap(), "work");
    tmux.keys(&["x"]);
    tmux.wait_for("rm gamma? y to confirm");
    tmux.keys(&["y"]);
    tmux.wait_for("would lose 1 unmerged commit");
    assert_eq!(grove(&["ls", "--json"]).expect(0).json().as_array().unwrap().len(), 2);
    tmux.keys(&["k"]);

    // The diff pane, then quit.
    tmux.keys(&["d"]);
    tmux.wait_for("alpha · diff");
    tmux.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.running() {
        assert!(Instant::now() < deadline, "q did not quit the dashboard");
        std::thread::sleep(Duration::from_millis(100));
    }
}
