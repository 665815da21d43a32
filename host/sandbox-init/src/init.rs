//! The code that runs inside, started as `INIT __sandbox-exec CWD
//! DEVICE:INODE POLICY -- PROGRAM ARGS…`: it builds the sandbox around
//! itself and becomes the program.
//!
//! The steps, in order: the working folder entered by its path and checked
//! to be the one grove opened; the program's `pids` cgroup joined; new
//! user, mount, PID and network namespaces; a fork whose child is pid 1 of
//! the new PID namespace (the parent stays outside to forward signals and
//! report the exit); inside, a fresh `/proc`, the user's secrets hidden,
//! the repository's hooks, configuration and grove's records bound
//! read-only, Landlock, seccomp; then pid 1 starts the program as pid 2 and
//! reaps until it is done; with the egress proxy, pid 1 also carries the
//! program's proxy connections out (`bridge.rs`), and for a program started
//! to serve, the host's connections in (`inbound.rs`). When pid 1 ends,
//! the kernel kills everything left in the namespace. It runs before any
//! thread exists, so every step is plain system calls in one thread.

use std::ffi::{CString, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::policy::{Network, Policy};
use crate::{NAME, PROBE, SETUP_FAILED, SUBCOMMAND, bridge, inbound, processes, restrict};

/// Exit code when the program cannot be started (the shell's).
const NOT_STARTED: i32 = 127;

/// When this process was started as the sandbox's init, be it: build the
/// sandbox, run the program and exit with its code. Otherwise return at
/// once. Call it first thing in `main`, before any thread exists.
pub fn init_if_requested() {
    let mut args = std::env::args_os();
    if args.nth(1).is_none_or(|a| a != SUBCOMMAND) {
        return;
    }
    let args: Vec<OsString> = args.collect();
    let code = match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("grove sandbox: {e}");
            SETUP_FAILED
        }
    };
    std::process::exit(code)
}

/// The init's arguments: `CWD DEVICE:INODE POLICY -- PROGRAM ARGS…`, or
/// `probe`.
fn run(args: &[OsString]) -> Result<i32, String> {
    // SAFETY: prctl with integer arguments and a valid C string.
    unsafe {
        // Die with grove: a killed grove leaves no sandbox behind.
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        // Started from a sealed memory file, it would show as a number.
        let name = CString::new(NAME).expect("no NUL");
        libc::prctl(libc::PR_SET_NAME, name.as_ptr(), 0, 0, 0);
    }
    if args.first().is_some_and(|a| a == PROBE) {
        enter_namespaces()?;
        return in_pid_namespace(|| {
            mount_proc()?;
            Ok(0)
        });
    }
    let [cwd, identity, policy, dashes, program, rest @ ..] = args else {
        return Err(format!("usage: {NAME} {SUBCOMMAND} CWD DEVICE:INODE POLICY -- PROGRAM [ARGS…]"));
    };
    if dashes != "--" {
        return Err("expected -- before the program".into());
    }
    let identity = crate::parse_identity(identity).ok_or("bad working folder identity")?;
    let policy = Policy::decode(&policy.to_string_lossy()).map_err(|e| format!("bad policy: {e}"))?;
    // Entered before the new mount namespace is made, so the kernel moves
    // the working folder into it.
    enter_cwd(Path::new(cwd), identity)?;
    // Joined before anything is forked, so every process of the program
    // is counted in it.
    if let Some(group) = &policy.pids_group {
        processes::join(group).map_err(|e| format!("joining the cgroup {}: {e}", group.display()))?;
    }
    enter_namespaces()?;
    in_pid_namespace(|| {
        // Bound before Landlock, which allows no socket outside the
        // places the program may write.
        let way_in = match &policy.inbound {
            Some(door) => Some((
                inbound::bind(door).map_err(|e| format!("listening on {}: {e}", door.socket.display()))?,
                door.port,
            )),
            None => None,
        };
        contain(&policy)?;
        if policy.pids_group.is_none() {
            // Set inside the new user namespace, so only its processes count.
            processes::limit(policy.max_processes).map_err(|e| format!("RLIMIT_NPROC: {e}"))?;
        }
        let door = match &policy.network {
            Network::Loopback => None,
            Network::Proxy(socket) => {
                let listener = bridge::bind().map_err(|e| format!("listening for the egress proxy: {e}"))?;
                Some((listener, socket))
            }
        };
        // pid 1 stays this code: it reaps what the program orphans, and
        // passes on the signals the kernel would not deliver to a pid 1
        // without a handler. The program is pid 2, spawned without a copy
        // of this process (posix_spawn: nothing runs between fork and exec).
        let mut command = std::process::Command::new(program);
        command.args(rest).env("TMPDIR", &policy.tmp);
        if door.is_some() {
            command.envs(bridge::environment());
        }
        let pid = match command.spawn() {
            Ok(child) => child.id() as libc::pid_t,
            Err(e) => {
                eprintln!("grove sandbox: starting {}: {e}", program.to_string_lossy());
                return Ok(NOT_STARTED);
            }
        };
        if let Some((listener, socket)) = door {
            bridge::serve(listener, socket);
        }
        if let Some((listener, port)) = way_in {
            inbound::serve(listener, port);
        }
        wait_forwarding(pid)
    })
}

/// Enter the working folder at `path` and check it is the folder grove
/// opened (`identity`, its device and inode, which grove holds open until
/// the program is done): a folder swapped for a symlink since is refused.
fn enter_cwd(path: &Path, identity: (u64, u64)) -> Result<(), String> {
    let fail = |e: io::Error| format!("entering the working folder {}: {e}", path.display());
    std::env::set_current_dir(path).map_err(fail)?;
    if folder_identity(Path::new(".")).map_err(fail)? != identity {
        return Err(format!("the working folder {} changed before the program started", path.display()));
    }
    Ok(())
}

fn folder_identity(path: &Path) -> io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).map(|m| (m.dev(), m.ino()))
}

fn fork() -> Result<libc::pid_t, String> {
    // SAFETY: this process has one thread, so the child may go on running
    // ordinary code.
    let pid = unsafe { libc::fork() };
    if pid < 0 { Err(format!("fork: {}", io::Error::last_os_error())) } else { Ok(pid) }
}

/// New user, mount, PID and network namespaces, the caller's ids mapped
/// to themselves, mounts made private, loopback up.
fn enter_namespaces() -> Result<(), String> {
    // SAFETY: plain system calls on integers.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let flags = libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_NEWPID | libc::CLONE_NEWNET;
    // SAFETY: unshare takes flags only.
    if unsafe { libc::unshare(flags) } != 0 {
        return Err(format!("user namespaces are not available: {}", io::Error::last_os_error()));
    }
    let write =
        |file: &str, text: String| std::fs::write(file, text).map_err(|e| format!("writing {file}: {e}"));
    write("/proc/self/setgroups", "deny".into())?;
    write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
    write("/proc/self/gid_map", format!("{gid} {gid} 1"))?;
    mount(None, "/", None, libc::MS_REC | libc::MS_PRIVATE, None)
        .map_err(|e| format!("making mounts private: {e}"))?;
    loopback_up().map_err(|e| format!("bringing up the loopback interface: {e}"))
}

/// The pid of the program, for the signal handler.
static CHILD: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward(signal: libc::c_int) {
    let pid = CHILD.load(Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(pid, signal) };
    }
}

/// Fork; the child, pid 1 of the new PID namespace, runs `inside`. This
/// process waits for it, forwarding SIGTERM, SIGINT and SIGHUP, and
/// answers its exit code (128 + the signal that killed it).
fn in_pid_namespace(inside: impl FnOnce() -> Result<i32, String>) -> Result<i32, String> {
    // The child checks this pipe after asking to die with its parent: if
    // the parent died before, the pipe is already closed.
    let mut ends = [0; 2];
    // SAFETY: pipe2 writes two descriptors into `ends`.
    if unsafe { libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!("pipe: {}", io::Error::last_os_error()));
    }
    let [alive_read, alive_write] = ends;
    let pid = fork()?;
    if pid == 0 {
        // SAFETY: descriptors this process owns; prctl and poll on integers
        // and a local struct.
        let parent_gone = unsafe {
            libc::close(alive_write);
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            let mut poll = libc::pollfd { fd: alive_read, events: libc::POLLIN, revents: 0 };
            libc::poll(&mut poll, 1, 0) > 0
        };
        if parent_gone {
            // SAFETY: leaving without running anything else.
            unsafe { libc::_exit(SETUP_FAILED) };
        }
        let code = inside().unwrap_or_else(|e| {
            eprintln!("grove sandbox: {e}");
            SETUP_FAILED
        });
        // SAFETY: the child leaves without the parent's exit handlers.
        unsafe { libc::_exit(code) };
    }
    // SAFETY: closing our copy of the child's end.
    unsafe { libc::close(alive_read) };
    wait_forwarding(pid)
}

/// Wait for the child `pid`, forwarding SIGTERM, SIGINT and SIGHUP to it
/// and reaping any other child on the way (orphans come to a pid 1);
/// answer its exit code, or 128 + the signal that killed it.
fn wait_forwarding(pid: libc::pid_t) -> Result<i32, String> {
    CHILD.store(pid, Ordering::Relaxed);
    // SAFETY: installing a handler that only calls kill.
    unsafe {
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::signal(signal, forward as extern "C" fn(libc::c_int) as libc::sighandler_t);
        }
    }
    let mut status = 0;
    loop {
        // SAFETY: waits for any child of ours, writing its status.
        let r = unsafe { libc::waitpid(-1, &mut status, 0) };
        if r == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if r < 0 && e.kind() != io::ErrorKind::Interrupted {
            return Err(format!("waiting for the program: {e}"));
        }
    }
    if libc::WIFEXITED(status) { Ok(libc::WEXITSTATUS(status)) } else { Ok(128 + libc::WTERMSIG(status)) }
}

/// Everything pid 1 does before it becomes the program.
fn contain(policy: &Policy) -> Result<(), String> {
    mount_proc()?;
    // A private /dev/shm: the host's is shared by every process.
    let _ =
        mount(Some("tmpfs"), "/dev/shm", Some("tmpfs"), libc::MS_NOSUID | libc::MS_NODEV, Some("mode=1777"));
    for path in &policy.hidden {
        hide(path).map_err(|e| format!("hiding {}: {e}", path.display()))?;
    }
    for path in &policy.read_only {
        freeze(path).map_err(|e| format!("making {} read-only: {e}", path.display()))?;
    }
    reenter_cwd()?;
    restrict::landlock(policy)?;
    restrict::seccomp()
}

/// Enter the working folder again by its path, so that the mounts just
/// made over it (or over what is beneath it) apply to paths relative to
/// it. Then check it is the same folder: one hidden behind an empty one
/// is refused.
fn reenter_cwd() -> Result<(), String> {
    let fail = |e: io::Error| format!("entering the working folder: {e}");
    let before = folder_identity(Path::new(".")).map_err(fail)?;
    let path = std::env::current_dir().map_err(fail)?;
    std::env::set_current_dir(&path).map_err(fail)?;
    if folder_identity(Path::new(".")).map_err(fail)? != before {
        return Err(format!("the working folder {} is hidden in the sandbox", path.display()));
    }
    Ok(())
}

/// A fresh `/proc` that shows only the sandbox's processes.
fn mount_proc() -> Result<(), String> {
    let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    mount(Some("proc"), "/proc", Some("proc"), flags, None).map_err(|e| format!("mounting /proc: {e}"))
}

/// An empty read-only folder over a folder, `/dev/null` over a file.
fn hide(path: &Path) -> io::Result<()> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let target = path.to_str().ok_or(io::ErrorKind::InvalidInput)?;
    if meta.is_dir() {
        let flags = libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
        mount(Some("tmpfs"), target, Some("tmpfs"), flags, Some("size=4k,mode=0500"))
    } else {
        mount(Some("/dev/null"), target, None, libc::MS_BIND, None)
    }
}

/// `ST_RELATIME` of Linux's `statvfs`, which the libc crate has for glibc
/// only.
const ST_RELATIME: libc::c_ulong = 0x1000;

/// Bind `path` over itself read-only. The remount keeps the flags the
/// kernel locks for a mount made outside the namespace.
fn freeze(path: &Path) -> io::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let target = path.to_str().ok_or(io::ErrorKind::InvalidInput)?;
    mount(Some(target), target, None, libc::MS_BIND | libc::MS_REC, None)?;
    let c = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: statvfs fills the zeroed struct for a valid C string.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut stat) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut flags = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY;
    for (st, ms) in [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (ST_RELATIME, libc::MS_RELATIME),
    ] {
        if stat.f_flag & st != 0 {
            flags |= ms;
        }
    }
    mount(None, target, None, flags, None)
}

fn mount(
    source: Option<&str>,
    target: &str,
    kind: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> io::Result<()> {
    let c = |s: &str| CString::new(s).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput));
    let (source, target) = (source.map(c).transpose()?, c(target)?);
    let (kind, data) = (kind.map(c).transpose()?, data.map(c).transpose()?);
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: every pointer is a valid C string or null, as mount(2) allows.
    let r = unsafe { libc::mount(ptr(&source), target.as_ptr(), ptr(&kind), flags, ptr(&data).cast()) };
    if r == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// `struct ifreq` with the flags member of its union.
#[repr(C)]
struct InterfaceFlags {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _rest: [u8; 22],
}

/// `ip link set lo up`.
fn loopback_up() -> io::Result<()> {
    // SAFETY: a socket used for two ioctls on a local struct, then closed.
    unsafe {
        let socket = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if socket < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut request = InterfaceFlags { name: [0; libc::IFNAMSIZ], flags: 0, _rest: [0; 22] };
        request.name[..2].copy_from_slice(b"lo");
        let mut r = libc::ioctl(socket, libc::SIOCGIFFLAGS as _, &mut request);
        if r == 0 {
            request.flags |= libc::IFF_UP as libc::c_short;
            r = libc::ioctl(socket, libc::SIOCSIFFLAGS as _, &request);
        }
        let e = io::Error::last_os_error();
        libc::close(socket);
        if r == 0 { Ok(()) } else { Err(e) }
    }
}
