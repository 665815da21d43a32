//! The machine itself: processes, power, services, scheduled jobs, disks,
//! users and the firewall.

use super::super::Zone;
use super::super::walk::{Call, Flow, Walker};
use crate::gate::level::Level;

const DISK_TOOLS: &[&str] = &[
    "mkfs",
    "mke2fs",
    "mkswap",
    "wipefs",
    "fdisk",
    "sfdisk",
    "cfdisk",
    "parted",
    "gdisk",
    "sgdisk",
    "cryptsetup",
    "pvcreate",
    "vgcreate",
    "lvremove",
    "blkdiscard",
    "hdparm",
    "badblocks",
    "mkdosfs",
    "zpool",
    "losetup",
];

pub fn judge(w: &mut Walker<'_, '_>, c: &Call<'_>) -> Option<Flow> {
    let line = c.line();
    match c.name {
        "kill" | "pkill" | "killall" | "skill" | "xkill" => {
            // `kill -9 -1` signals every process; `kill 1`, init.
            let everything = c.name == "kill"
                && (c.args.len() >= 2 && c.args.last().is_some_and(|l| l.is("-1"))
                    || c.operands().any(|a| a.is("1")));
            if everything
                || (c.name == "killall"
                    && c.operands().any(|a| ["init", "systemd", "sshd", "Xorg"].contains(&a.text.as_str())))
            {
                w.a.raise(
                    Level::Critical,
                    "proc.kill-all",
                    format!("{line} kills every process it can reach"),
                );
            } else {
                w.a.raise(Level::Medium, "proc.kill", format!("{line} stops other processes"));
            }
        }
        "loginctl"
            if matches!(
                c.sub(),
                Some(
                    "poweroff" | "reboot" | "halt" | "suspend" | "hibernate" | "terminate-user" | "kill-user"
                )
            ) =>
        {
            w.a.raise(
                Level::Critical,
                "sys.power",
                format!("{line} shuts the machine down or ends sessions"),
            );
        }
        "killall5" => {
            w.a.raise(Level::Critical, "proc.kill-all", format!("{line} kills every process it can reach"))
        }
        "shutdown" | "reboot" | "halt" | "poweroff" | "init" | "telinit" => {
            w.a.raise(Level::Critical, "sys.power", format!("{line} shuts the machine down or restarts it"));
        }
        "systemctl" | "service" | "launchctl" | "rc-service" | "sv" => match c.sub() {
            Some(
                "status" | "list-units" | "list-unit-files" | "is-active" | "is-enabled" | "show" | "cat"
                | "list-timers" | "list",
            ) => {}
            Some(
                "poweroff" | "reboot" | "halt" | "kexec" | "suspend" | "hibernate" | "rescue" | "emergency"
                | "isolate",
            ) => w.a.raise(
                Level::Critical,
                "sys.power",
                format!("{line} shuts the machine down or restarts it"),
            ),
            _ if c.operands().any(|a| {
                [
                    "reboot.target",
                    "poweroff.target",
                    "halt.target",
                    "kexec.target",
                    "rescue.target",
                    "emergency.target",
                ]
                .contains(&a.text.as_str())
            }) =>
            {
                w.a.raise(
                    Level::Critical,
                    "sys.power",
                    format!("{line} shuts the machine down or restarts it"),
                )
            }
            _ => w.a.raise(Level::High, "sys.service", format!("{line} changes a system service")),
        },
        "crontab" => {
            let empties = c.operands().any(|a| a.is("/dev/null"))
                || c.operands().any(|a| a.is("-"))
                    && w.stdin_text.as_deref().is_some_and(|t| t.trim().is_empty());
            if c.has(Some('r'), &[]) || empties {
                w.a.raise(
                    Level::Critical,
                    "sys.crontab-remove",
                    format!("{line} deletes every scheduled job"),
                );
            } else if c.has(Some('l'), &[]) {
            } else {
                w.a.raise(
                    Level::High,
                    "sys.crontab",
                    format!("{line} changes scheduled jobs, which run later unattended"),
                );
                // `echo '* * * * * CMD' | crontab -`: the jobs are on the line.
                if let Some(table) = w.stdin_text.take() {
                    for job in table.lines().filter_map(cron_command) {
                        w.nested_line(job, "crontab");
                    }
                }
            }
        }
        "at" | "batch" | "atrm" => {
            w.a.raise(Level::High, "sys.schedule", format!("{line} schedules a job to run later"))
        }
        name if DISK_TOOLS.contains(&name) || name.starts_with("mkfs.") => {
            let on_image = c
                .operands()
                .last()
                .and_then(|a| w.locate(a))
                .is_some_and(|at| matches!(at.zone, Zone::Tree | Zone::Temp));
            if on_image && c.name.starts_with("mk") {
                w.a.raise(Level::Medium, "disk.image", format!("{line} formats an image file"));
            } else {
                w.a.raise(Level::Critical, "disk.format", format!("{line} formats or repartitions a disk"));
            }
        }
        "mount" | "umount" | "swapon" | "swapoff" | "sysctl" | "modprobe" | "insmod" | "rmmod"
        | "iptables" | "ip6tables" | "nft" | "ufw" | "firewall-cmd" | "ip" | "ifconfig" | "route" | "tc"
        | "hostnamectl" | "timedatectl" | "setenforce" | "update-grub" | "grub-install" => {
            let reading = matches!(c.name, "mount" | "ip" | "ifconfig" | "route" | "sysctl")
                && c.args.iter().all(|a| {
                    a.is_flag()
                        || ["addr", "a", "route", "r", "link", "l", "show", "list"].contains(&a.text.as_str())
                });
            if !reading {
                w.a.raise(Level::High, "sys.config", format!("{line} changes the system's configuration"));
            }
        }
        "useradd" | "userdel" | "usermod" | "groupadd" | "groupdel" | "passwd" | "chpasswd" | "visudo"
        | "adduser" | "deluser" | "chsh" | "newgrp" | "gpasswd" => {
            w.a.raise(
                Level::Critical,
                "sys.accounts",
                format!("{line} changes user accounts or their rights"),
            );
        }
        "chroot" | "nsenter" | "unshare" | "capsh" | "setcap" => {
            w.a.raise(
                Level::High,
                "priv.escalate",
                format!("{line} changes what a process is allowed to do"),
            );
        }
        "history" if c.has(Some('c'), &[]) => {
            w.a.raise(Level::Medium, "sys.history", format!("{line} erases the shell history"))
        }
        "vi" | "vim" | "nvim" | "nano" | "emacs" | "code" | "subl" | "open" | "xdg-open" | "gedit" => {
            w.a.raise(Level::Medium, "exec.interactive", format!("{line} opens an interactive program"));
        }
        _ => return None,
    }
    Some(Flow::NONE)
}

/// The command of a crontab line: after five time fields, or one `@word`.
fn cron_command(line: &str) -> Option<&str> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let fields = if line.starts_with('@') { 1 } else { 5 };
    let mut rest = line;
    for _ in 0..fields {
        rest = rest.trim_start().split_once(char::is_whitespace)?.1;
    }
    Some(rest.trim())
}
