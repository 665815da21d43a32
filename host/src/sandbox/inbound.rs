//! A server inside the sandbox, reached from the host: grove's side of the
//! way in (the init's side is `grove_sandbox_init::inbound`).
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
use std::path::{Path, PathBuf};

use tokio::task::{JoinHandle, JoinSet};

pub use grove_sandbox_init::inbound::Inbound;
#[cfg(test)]
use grove_sandbox_init::inbound::{bind, serve};

use super::launch::Scratch;

/// Connections carried at once on the host side; the next is closed.
const MAX_CONNECTIONS: usize = 64;

/// The host's side of an [`Inbound`]: the private folder the socket is in
/// (removed when dropped) and the socket's path.
#[derive(Debug)]
pub struct Door {
    _folder: Scratch,
    socket: PathBuf,
}

impl Door {
    /// A door to `port` inside: a new private folder for its socket.
    pub fn new(port: u16) -> io::Result<(Door, Inbound)> {
        let folder = Scratch::new()?;
        let socket = folder.path().join("serve.sock");
        Ok((Door { _folder: folder, socket: socket.clone() }, Inbound { socket, port }))
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }
}

/// On the host: accept on `listener` (a loopback port) and carry each
/// connection to the door's `socket`, until the task is aborted or pid 1
/// is found gone (the socket refuses: the program ended), when the port
/// closes. Aborting the task ends every connection it carries.
pub fn forward(listener: std::net::TcpListener, socket: PathBuf) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    Ok(tokio::spawn(async move {
        let mut carried = JoinSet::new();
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                // Out of descriptors, say: let the others finish first.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            };
            while carried.try_join_next().is_some() {}
            if carried.len() >= MAX_CONNECTIONS {
                continue;
            }
            match tokio::net::UnixStream::connect(&socket).await {
                Ok(mut server) => {
                    carried.spawn(async move {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    });
                }
                // The socket is there and nobody listens: pid 1, and the
                // program with it, is gone.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => break,
                // Not bound yet (the init is still building the sandbox).
                Err(_) => {}
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::Ipv4Addr;
    use std::time::Duration;

    /// Both halves in one process: a connection to the host port reaches
    /// the server behind the socket, both ways.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_to_the_host_port_reaches_the_server_behind_the_socket() {
        let server = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = server.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut stream in server.incoming().flatten() {
                let mut asked = [0u8; 4];
                stream.read_exact(&mut asked).unwrap();
                stream.write_all(&[b"you said ".as_slice(), &asked].concat()).unwrap();
            }
        });
        let (door, inbound) = Door::new(port).unwrap();
        serve(bind(&inbound).unwrap(), port);
        let host = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let address = host.local_addr().unwrap();
        let _task = forward(host, door.socket().to_path_buf()).unwrap();
        let answer = tokio::task::spawn_blocking(move || {
            let mut client = std::net::TcpStream::connect(address).unwrap();
            client.write_all(b"ping").unwrap();
            let mut answer = String::new();
            client.read_to_string(&mut answer).unwrap();
            answer
        });
        let answer = tokio::time::timeout(Duration::from_secs(10), answer).await.unwrap().unwrap();
        assert_eq!(answer, "you said ping");
    }

    /// A socket nobody listens on any more (pid 1 died): the next
    /// connection closes the host's port.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_host_port_closes_once_the_inside_is_gone() {
        let (door, inbound) = Door::new(1).unwrap();
        drop(bind(&inbound).unwrap());
        let host = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let address = host.local_addr().unwrap();
        let task = forward(host, door.socket().to_path_buf()).unwrap();
        let _ = std::net::TcpStream::connect(address);
        tokio::time::timeout(Duration::from_secs(10), task).await.unwrap().unwrap();
        assert!(std::net::TcpStream::connect(address).is_err(), "the port is still open");
    }
}
