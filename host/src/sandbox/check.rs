//! What this machine's kernel offers a sandbox: user namespaces (tried
//! for real, by starting the init once), the Landlock ABI and seccomp.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use serde::Serialize;

use super::init::{PROBE, SUBCOMMAND};

/// What the kernel supports, found out once per process.
#[derive(Debug, Clone, Serialize)]
pub struct Support {
    /// Unprivileged user, mount, PID and network namespaces, with a fresh
    /// `/proc` inside: `None` when they work, else why not.
    pub namespaces: Option<String>,
    /// The Landlock ABI version, 0 without Landlock.
    pub landlock_abi: u32,
    /// Whether seccomp filters are available.
    pub seccomp: bool,
    /// What caps a program's process count, in words.
    pub process_limit: String,
}

impl Support {
    /// Probe the kernel, starting `exe` (grove) once as the init.
    pub fn probe(exe: &Path) -> Support {
        Support {
            namespaces: namespaces(exe).err(),
            landlock_abi: landlock_abi(),
            seccomp: seccomp(),
            process_limit: super::cgroup::Mechanism::find().describe(),
        }
    }

    /// [`Support::probe`], once per process (and init binary).
    pub fn cached(exe: &Path) -> Support {
        static SUPPORT: Mutex<BTreeMap<PathBuf, Support>> = Mutex::new(BTreeMap::new());
        let mut known = SUPPORT.lock().unwrap_or_else(|e| e.into_inner());
        known.entry(exe.to_path_buf()).or_insert_with(|| Support::probe(exe)).clone()
    }

    /// Why programs cannot be sandboxed here, or `None` when they can.
    /// Namespaces and Landlock are needed; seccomp is used when present.
    pub fn missing(&self) -> Option<String> {
        match (&self.namespaces, self.landlock_abi) {
            (Some(why), _) => Some(why.clone()),
            (None, 0) => {
                Some("the kernel has no Landlock (Linux 5.13 or later, enabled in the LSM list)".into())
            }
            (None, _) => None,
        }
    }
}

fn namespaces(exe: &Path) -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Err("the sandbox needs Linux".into());
    }
    let out = Command::new(exe)
        .args([SUBCOMMAND, PROBE])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("starting {}: {e}", exe.display()))?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let said = said.trim().trim_start_matches("grove sandbox: ");
    Err(if said.is_empty() {
        format!("the namespace probe failed ({})", out.status)
    } else {
        said.to_string()
    })
}

/// `landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)`.
fn landlock_abi() -> u32 {
    const VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute and the version flag the call only
    // answers a number.
    let abi =
        unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, std::ptr::null::<u8>(), 0usize, VERSION) };
    u32::try_from(abi).unwrap_or(0)
}

fn seccomp() -> bool {
    // SAFETY: prctl with integer arguments only.
    unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 }
}
