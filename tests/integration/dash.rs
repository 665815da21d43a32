//! `grove dash`, driven for real in tmux: keys in, screen out.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{grove_cmd, grove_with};

struct Tmux {
    name: String,
}

impl Tmux {
    fn start(dir: &Path, home: &Path, command: &str) -> Tmux {
        let name = format!("grove-dash-{}", std::process::id());
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &name, "-x", "120", "-y", "32", "-c"])
            .arg(dir)
            .arg("-e")
            .arg(format!("GROVE_HOME={}", home.join("grove").display()))
            .arg("-e")
            .arg(format!("XDG_STATE_HOME={}", home.join("state").display()))
            .arg("-e")
            .arg(format!("GROVE_WORKTREE_DIR={}", home.join("worktrees").display()))
            .arg(command)
            .status()
            .expect("tmux is installed");
        assert!(status.success());
        Tmux { name }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux").args(["capture-pane", "-p", "-t", &self.name]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            Command::new("tmux").args(["send-keys", "-t", &self.name, key]).status().unwrap();
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Wait until the screen shows `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "never saw {text:?} on:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn running(&self) -> bool {
        Command::new("tmux").args(["has-session", "-t", &self.name]).status().is_ok_and(|s| s.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.name]).status();
    }
}

#[test]
fn the_dashboard_shows_sessions_and_acts_on_keys() {
    let dir = grove_tests::repo_with(&[("README.md", "# dash\n")]);
    let home = tempfile::tempdir().unwrap();
    let grove = |args: &[&str]| grove_with(grove_cmd(dir.path(), home.path()), args, None);
    grove(&["new", "alpha", "--skill", "hello", "--task", "greet"]).expect(0);
    grove(&["new", "beta", "--skill", "hello"]).expect(0);

    let tmux =
        Tmux::start(dir.path(), home.path(), &format!("{} dash --interval 200", env!("CARGO_BIN_EXE_grove")));
    let screen = tmux.wait_for("grove · 2 sessions");
    assert!(screen.contains("alpha") && screen.contains("grove/beta"), "{screen}");
    tmux.wait_for("done");
    // The log pane of the selected session shows its output.
    tmux.wait_for("Hello, world!");

    // Select beta, remove it (x, then y to confirm).
    tmux.keys(&["j", "x"]);
    tmux.wait_for("rm beta? y to confirm");
    tmux.keys(&["y"]);
    tmux.wait_for("grove · 1 sessions");
    let rows = grove(&["ls", "--json"]).expect(0).json();
    assert_eq!(rows.as_array().unwrap().len(), 1);

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
