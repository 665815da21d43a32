//! The egress proxy's door inside the sandbox. The program's network
//! namespace has only its own loopback; pid 1 listens there on
//! `127.0.0.1:`[`PORT`] and carries each connection to the proxy's unix
//! socket outside (a socket file reaches across network namespaces). The
//! program is pointed at it by the usual proxy variables ([`VARIABLES`]).

use std::io;
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::Path;

/// The port inside the sandbox where the proxy is reached (the squid
/// port every tool knows).
pub const PORT: u16 = 3128;

/// The variables that point a program at the proxy, set by the init over
/// whatever the skill passed.
const VARIABLES: &[&str] =
    &["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"];

/// The program's proxy variables: each of [`VARIABLES`] names the proxy,
/// and `NO_PROXY` its own loopback, reached directly.
pub fn environment() -> Vec<(&'static str, String)> {
    let url = format!("http://127.0.0.1:{PORT}");
    let mut env: Vec<_> = VARIABLES.iter().map(|name| (*name, url.clone())).collect();
    env.push(("NO_PROXY", "localhost,127.0.0.1".into()));
    env.push(("no_proxy", "localhost,127.0.0.1".into()));
    env
}

/// Bind the port, before the program starts, so that its first connection
/// finds the listener (it waits in the backlog until [`serve`] runs).
pub fn bind() -> io::Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, PORT))
}

/// Carry every connection to `socket`, on threads of their own, for as
/// long as this process lives. Started after the program is forked, so
/// the fork happened with one thread.
pub fn serve(listener: TcpListener, socket: &Path) {
    let socket = socket.to_path_buf();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let socket = socket.clone();
            std::thread::spawn(move || carry(client, &socket));
        }
    });
}

fn carry(client: TcpStream, socket: &Path) {
    let Ok(proxy) = UnixStream::connect(socket) else {
        // The proxy is gone: the program sees its connection closed.
        return;
    };
    splice(client, proxy);
}

/// Copy both ways between a TCP connection and a unix one until each side
/// has said all it will, passing on each half-close.
pub(super) fn splice(tcp: TcpStream, unix: UnixStream) {
    let (Ok(mut tcp_in), Ok(mut unix_out)) = (tcp.try_clone(), unix.try_clone()) else {
        return;
    };
    let upstream = std::thread::spawn(move || {
        let _ = io::copy(&mut tcp_in, &mut unix_out);
        let _ = unix_out.shutdown(Shutdown::Write);
    });
    let (mut tcp_out, mut unix_in) = (tcp, unix);
    let _ = io::copy(&mut unix_in, &mut tcp_out);
    let _ = tcp_out.shutdown(Shutdown::Write);
    let _ = upstream.join();
}
