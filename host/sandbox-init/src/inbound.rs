//! A server inside the sandbox, reached from the host: the way in, where
//! `bridge.rs` is the way out.
//!
//! The program's network namespace is its own, so a server it starts on
//! `127.0.0.1:PORT` is out of reach of the host (and of the run's
//! browser). When the program is started to serve, pid 1 listens on a unix
//! socket in a private folder outside the worktree (a socket file reaches
//! across network namespaces) and carries each connection to
//! `127.0.0.1:PORT` inside; the host listens on a free port of its own
//! loopback and carries each connection it accepts to that socket
//! ([`forward`]). Only loopback, on both sides. The socket is bound before
//! Landlock, which would refuse it (the folder is not one the program may
//! write), so the program can neither remove nor replace it.

use std::io;
use std::net::{Ipv4Addr, TcpStream};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where pid 1 listens and the port it carries connections to, as the
/// policy tells the init.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbound {
    pub socket: PathBuf,
    pub port: u16,
}

/// Inside, in pid 1 before Landlock: listen on the socket. It is bound
/// under another name and renamed into place, so that its path exists
/// only once it listens: the host takes a socket there that refuses a
/// connection for one whose listener is gone.
pub fn bind(inbound: &Inbound) -> io::Result<UnixListener> {
    let binding = inbound.socket.with_extension("binding");
    let listener = UnixListener::bind(&binding)?;
    std::fs::rename(&binding, &inbound.socket)?;
    Ok(listener)
}

/// Inside, in pid 1 after the program is forked: carry every connection
/// to `127.0.0.1:port`, on threads of their own, for as long as pid 1
/// lives. A connection that arrives before the program listens is closed
/// (the caller tries again).
pub fn serve(listener: UnixListener, port: u16) {
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            std::thread::spawn(move || {
                if let Ok(server) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) {
                    crate::bridge::splice(server, client);
                }
            });
        }
    });
}
