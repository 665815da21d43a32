//! What every test server here shares: a listener on `127.0.0.1:0`, an
//! accept thread, a thread per connection, and a stop that closes them
//! all. Each server brings its own state and its own way of serving one
//! connection.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// A running server with state `S`. Dropping it stops accepting, closes
/// every open connection and joins the accept thread.
pub(crate) struct Loopback<S> {
    addr: SocketAddr,
    shared: Arc<Shared<S>>,
    accept: Option<JoinHandle<()>>,
}

struct Shared<S> {
    state: S,
    stopping: AtomicBool,
    /// A clone of each open connection, by id, so `Drop` can shut it down.
    connections: Mutex<HashMap<u64, TcpStream>>,
}

impl<S: Send + Sync + 'static> Loopback<S> {
    /// Listen as `name`, with the state `state` makes of the address, and
    /// answer each connection with `serve` on a thread of its own.
    pub(crate) fn start(name: &str, state: impl FnOnce(SocketAddr) -> S, serve: fn(TcpStream, &S)) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("test server: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("test server: local address");
        let shared = Arc::new(Shared {
            state: state(addr),
            stopping: AtomicBool::new(false),
            connections: Mutex::new(HashMap::new()),
        });
        let accept = thread::Builder::new()
            .name(name.into())
            .spawn({
                let shared = Arc::clone(&shared);
                let name = name.to_string();
                move || accept_loop(listener, shared, &name, serve)
            })
            .expect("test server: spawn the accept thread");
        Loopback { addr, shared, accept: Some(accept) }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn state(&self) -> &S {
        &self.shared.state
    }
}

impl<S> Drop for Loopback<S> {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // `accept` blocks; a connection of our own wakes it to see the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        // Connection threads may be blocked reading an idle keep-alive
        // connection a client pooled; shutting their sockets ends them.
        for (_, connection) in lock(&self.shared.connections).drain() {
            let _ = connection.shutdown(Shutdown::Both);
        }
    }
}

fn accept_loop<S: Send + Sync + 'static>(
    listener: TcpListener,
    shared: Arc<Shared<S>>,
    name: &str,
    serve: fn(TcpStream, &S),
) {
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            // Out of descriptors or similar: back off rather than spin.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        // Each SSE event is written with one call; deliver it at once.
        let _ = stream.set_nodelay(true);
        next_id += 1;
        let id = next_id;
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.connections).insert(id, clone);
        }
        let shared = Arc::clone(&shared);
        // If the thread cannot start, the stream is dropped and the client
        // sees its connection closed.
        let _ = thread::Builder::new().name(format!("{name}-{id}")).spawn(move || {
            serve(stream, &shared.state);
            lock(&shared.connections).remove(&id);
        });
    }
}

/// Lock even if a test panicked while holding the lock: `Drop` runs during
/// unwinding and must not panic again.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
