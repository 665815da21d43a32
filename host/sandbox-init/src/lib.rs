//! The init of grove's OS sandbox: the process started for each program a
//! skill runs, which builds the sandbox around itself (namespaces, mounts,
//! Landlock, seccomp, a process-count limit, the egress proxy's door, the
//! way in to a program started to serve) and
//! runs the program inside (see `init.rs` for the steps).
//!
//! It is its own crate so that it can be its own small binary: grove
//! embeds it built statically for the musl target (`host/build.rs`), and
//! starting that takes a fraction of what starting grove's own binary
//! takes (tens of megabytes, dynamically linked, tens of thousands of
//! relocations). grove's binary can still be the init, through
//! [`init_if_requested`] first thing in its `main`, where no static init
//! was built. Nothing here knows the rest of grove: grove hands the init
//! a [`Policy`] and the folder to start in, as arguments.

pub mod bridge;
pub mod inbound;
mod init;
pub mod policy;
mod processes;
mod restrict;

use std::ffi::OsStr;

pub use init::init_if_requested;
pub use policy::{MAX_PROCESSES, Network, Policy, SECRETS};

/// The first argument that makes a binary the sandbox's init; the rest is
/// `CWD DEVICE:INODE POLICY -- PROGRAM ARGS…`.
pub const SUBCOMMAND: &str = "__sandbox-exec";
/// The first argument after [`SUBCOMMAND`] that only tries the namespaces
/// and exits 0 (for `grove sandbox check`).
pub const PROBE: &str = "probe";
/// The name the init goes by in `ps`.
pub const NAME: &str = "grove-sandbox";

/// Exit code when the sandbox cannot be built.
pub const SETUP_FAILED: i32 = 125;

/// A folder's identity, `DEVICE:INODE`, as the init's argument: the init
/// enters the folder by its path and refuses to go on in any other.
pub fn identity(device: u64, inode: u64) -> String {
    format!("{device}:{inode}")
}

fn parse_identity(text: &OsStr) -> Option<(u64, u64)> {
    let (device, inode) = text.to_str()?.split_once(':')?;
    Some((device.parse().ok()?, inode.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_survives_the_trip_to_the_init() {
        assert_eq!(parse_identity(OsStr::new(&identity(2049, 1 << 40))), Some((2049, 1 << 40)));
        for bad in ["", "1", "1:", ":2", "a:2", "1:2:3"] {
            assert_eq!(parse_identity(OsStr::new(bad)), None, "{bad}");
        }
    }
}
