//! The last two walls, raised by pid 1 just before `exec`: Landlock
//! (reads and execs everywhere, writes only where the policy says) and a
//! seccomp filter (no debugging other processes, no new mounts or
//! namespaces, no kernel keyrings, BPF or perf events).

use std::collections::BTreeMap;

use landlock::{ABI, Access, AccessFs, Ruleset, RulesetAttr, RulesetCreatedAttr, path_beneath_rules};
use seccompiler::{BpfProgram, SeccompAction, SeccompFilter};

use crate::policy::Policy;

/// The newest Landlock ABI grove asks for; older kernels get what they
/// support of it (best effort).
const LANDLOCK_ABI: ABI = ABI::V6;

/// System calls a sandboxed program is refused (EPERM).
const DENIED: &[libc::c_long] = &[
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_open_tree,
    libc::SYS_move_mount,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
];

/// Reads and execs everywhere; every write beneath the policy's writable
/// places only (those that exist).
pub fn landlock(policy: &Policy) -> Result<(), String> {
    let writable: Vec<_> = policy.writable.iter().filter(|p| p.exists()).collect();
    let fail = |e: landlock::RulesetError| format!("Landlock: {e}");
    Ruleset::default()
        .handle_access(AccessFs::from_all(LANDLOCK_ABI))
        .map_err(fail)?
        .create()
        .map_err(fail)?
        .add_rules(path_beneath_rules(["/"], AccessFs::from_read(LANDLOCK_ABI)))
        .map_err(fail)?
        .add_rules(path_beneath_rules(writable, AccessFs::from_all(LANDLOCK_ABI)))
        .map_err(fail)?
        .restrict_self()
        .map_err(fail)?;
    Ok(())
}

/// Refuse the [`DENIED`] system calls; sets `no_new_privs` first, so no
/// setuid program regains what the sandbox took.
pub fn seccomp() -> Result<(), String> {
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(format!("no_new_privs: {}", std::io::Error::last_os_error()));
    }
    let fail = |e: &dyn std::fmt::Display| format!("seccomp: {e}");
    let arch = std::env::consts::ARCH.try_into().map_err(|e| fail(&e))?;
    // `c_long` is `i64` here but not on every target.
    #[allow(clippy::useless_conversion)]
    let rules = DENIED.iter().map(|&call| (i64::from(call), Vec::new())).collect::<BTreeMap<_, _>>();
    let filter =
        SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), arch)
            .map_err(|e| fail(&e))?;
    let program: BpfProgram = filter.try_into().map_err(|e: seccompiler::BackendError| fail(&e))?;
    seccompiler::apply_filter(&program).map_err(|e| fail(&e))
}
