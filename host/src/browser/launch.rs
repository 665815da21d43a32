//! Finding chromium and starting it: headless, a profile of its own that
//! is removed with it, the DevTools protocol on a pipe (fds 3 and 4), its
//! own process group, and killed if grove dies.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::BrowserError;

/// The programs looked for on `PATH` when `$GROVE_CHROMIUM` is unset.
const NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

const FALLBACK_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// The switches every browser grove starts gets.
const SWITCHES: &[&str] = &[
    "--headless",
    // grove often runs as root (containers, CI), where chromium refuses to
    // start its sandbox; the browser is held by the gate's egress rules
    // instead, and only ever loads what those allow.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    // No crash handler: it would run in a session of its own, outside the
    // browser's process group, and write outside its profile.
    "--disable-crash-reporter",
    "--disable-breakpad",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    // WebRTC may send UDP only through the proxy, which takes none.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--remote-debugging-pipe",
];

/// The browser to start: `$GROVE_CHROMIUM`, else the first of [`NAMES`] on
/// `PATH`. Nothing is ever downloaded.
pub fn find() -> Result<PathBuf, BrowserError> {
    if let Some(program) = std::env::var_os(crate::env::GROVE_CHROMIUM).filter(|p| !p.is_empty()) {
        let program = PathBuf::from(program);
        return if is_executable(&program) {
            Ok(program)
        } else {
            Err(BrowserError::NotFound(format!(
                "${} names {}, which is not an executable file",
                crate::env::GROVE_CHROMIUM,
                program.display()
            )))
        };
    }
    let path = std::env::var_os(crate::env::PATH).unwrap_or_default();
    NAMES
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| {
            BrowserError::NotFound(format!(
                "none of {} is on PATH; install chromium or set ${}",
                NAMES.join(", "),
                crate::env::GROVE_CHROMIUM
            ))
        })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A running browser: its process (the leader of its own group) and its
/// profile folder. Dropping it kills the whole group and removes the
/// profile.
pub struct Launched {
    child: Child,
    profile: PathBuf,
}

/// grove's ends of the DevTools pipe.
pub struct Pipe {
    /// Commands to the browser (its fd 3).
    pub commands: File,
    /// Answers and events from the browser (its fd 4).
    pub answers: File,
}

impl Launched {
    /// The id of the browser's process group.
    pub fn pgid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        // SAFETY: kill(2) with a negative pid signals the process group the
        // browser leads (`process_group(0)` made it); it touches no memory.
        // A group already gone is ESRCH, ignored.
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The prefix of a profile folder's name; the rest is grove's process id
/// and a random number.
const PROFILE_PREFIX: &str = "grove-browser-";

/// Start `program` headless on `about:blank`, with a new empty profile,
/// reaching the network through the HTTP proxy at `proxy` when given.
pub fn launch(program: &Path, proxy: Option<&str>) -> Result<(Launched, Pipe), BrowserError> {
    sweep_profiles_left_behind(&std::env::temp_dir());
    let profile = std::env::temp_dir().join(format!(
        "{PROFILE_PREFIX}{}-{:016x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    create_private_dir(&profile)
        .map_err(|e| BrowserError::Start(format!("creating {}", profile.display()), e))?;
    let started = spawn(program, &profile, proxy);
    match started {
        Ok((child, commands, answers)) => Ok((Launched { child, profile }, Pipe { commands, answers })),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&profile);
            Err(BrowserError::Start(format!("starting {}", program.display()), e))
        }
    }
}

/// Remove the profiles of browsers whose grove died without removing
/// them (killed outright: its browser died with it, its folder did not).
fn sweep_profiles_left_behind(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PROFILE_PREFIX)) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<libc::pid_t>().ok()) else { continue };
        // SAFETY: kill(2) with signal 0 only asks whether the process exists.
        let alive = pid > 0
            && (unsafe { libc::kill(pid, 0) } == 0
                || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM));
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(dir)
}

fn spawn(program: &Path, profile: &Path, proxy: Option<&str>) -> io::Result<(Child, File, File)> {
    // The browser reads commands on fd 3 and writes answers on fd 4.
    let (to_browser_read, to_browser_write) = pipe()?;
    let (from_browser_read, from_browser_write) = pipe()?;
    let (theirs_in, theirs_out) = (to_browser_read.as_raw_fd(), from_browser_write.as_raw_fd());
    let mut command = Command::new(program);
    command
        .args(SWITCHES)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(proxy.map(|p| format!("--proxy-server={p}")))
        .arg("about:blank")
        // Nothing of grove's environment (tokens, keys) reaches the
        // browser, and its home is its profile: whatever it keeps of its
        // own (a crash database, caches) goes with the profile.
        .env_clear()
        .env(crate::env::PATH, std::env::var_os(crate::env::PATH).unwrap_or_else(|| FALLBACK_PATH.into()))
        .env(crate::env::HOME, profile)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own group, so that killing it kills its renderers too.
        .process_group(0);
    // SAFETY: between fork and exec the closure calls only async-signal-safe
    // functions (prctl, getppid, fcntl, dup2, close) on descriptors this
    // process owns, and allocates nothing.
    unsafe {
        let parent = libc::getpid();
        command.pre_exec(move || {
            // Die with grove, even when grove is killed outright. The signal
            // comes when the thread that forked exits: grove's runtime runs
            // on its main thread, which lives as long as the process.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                // grove died before the line above took effect.
                return Err(io::Error::other("grove exited while starting the browser"));
            }
            // Move both ends above 4 first, so that placing one at 3 or 4
            // cannot close the other; dup2 clears close-on-exec.
            let high_in = libc::fcntl(theirs_in, libc::F_DUPFD_CLOEXEC, 10);
            let high_out = libc::fcntl(theirs_out, libc::F_DUPFD_CLOEXEC, 10);
            if high_in < 0 || high_out < 0 || libc::dup2(high_in, 3) < 0 || libc::dup2(high_out, 4) < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    // The browser's ends stay only in the browser: once it dies, reading
    // its answers ends.
    drop((to_browser_read, from_browser_write));
    Ok((child, File::from(to_browser_write), File::from(from_browser_read)))
}

/// A pipe whose ends are closed on exec: (read, write).
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by no one else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}
