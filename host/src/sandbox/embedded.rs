//! The sandbox's init grove carries: the static binary of
//! `host/sandbox-init`, built by `build.rs` for the musl target, put once
//! per process into a sealed memory file and started from there
//! (`/proc/self/fd/N`). It starts in a fraction of the time grove's own
//! binary takes, and nothing on disk can be swapped for it.

use std::ffi::CStr;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/sandbox_init.rs"));

/// The path that starts the embedded init, or `None` where this build has
/// none or the kernel will not run it from memory (then grove's own
/// binary is the init).
pub fn init() -> Option<PathBuf> {
    static SEALED: OnceLock<Option<OwnedFd>> = OnceLock::new();
    let sealed = SEALED.get_or_init(|| {
        let bytes = SANDBOX_INIT?;
        seal(bytes)
            .inspect_err(|e| {
                tracing::warn!(error = %e, "the sandbox's own init cannot be used; grove's binary starts programs instead");
            })
            .ok()
    });
    // The descriptor is close-on-exec: the kernel opens the file it names
    // before it closes those, so the init starts and keeps no copy.
    sealed.as_ref().map(|fd| PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd())))
}

/// `bytes` in a new memory file that can never change again.
fn seal(bytes: &[u8]) -> io::Result<OwnedFd> {
    const NAME: &CStr = c"grove-sandbox";
    let flags = libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING;
    // SAFETY: memfd_create with a valid C string and flags. Kernels since
    // 6.3 may refuse to run a memory file unless it is made executable
    // (MFD_EXEC); older ones do not know the flag (EINVAL).
    let mut fd = unsafe { libc::memfd_create(NAME.as_ptr(), flags | libc::MFD_EXEC) };
    if fd < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL) {
        // SAFETY: as above.
        fd = unsafe { libc::memfd_create(NAME.as_ptr(), flags) };
    }
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a descriptor just made, owned by nothing else.
    let mut file = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    file.write_all(bytes)?;
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: fcntl on the descriptor owned by `file`.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_ADD_SEALS, seals) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(file.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_init_is_sealed_and_runs_from_memory() {
        if SANDBOX_INIT.is_none() {
            return;
        }
        let path = init().expect("the embedded init");
        assert_eq!(std::fs::read(&path).unwrap(), SANDBOX_INIT.unwrap());
        // Sealed: not even its owner can change it.
        let e = std::fs::OpenOptions::new().write(true).open(&path).and_then(|mut f| f.write_all(b"x"));
        assert!(e.is_err(), "the init could be written");
        // Without a command it says what it is, and fails.
        let out = std::process::Command::new(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(grove_sandbox_init::SETUP_FAILED));
        assert!(String::from_utf8_lossy(&out.stderr).contains("sandbox's init"), "{out:?}");
    }
}
