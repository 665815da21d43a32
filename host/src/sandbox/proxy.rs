//! grove's egress proxy: the one way out of the sandbox to the network.
//!
//! A program a skill starts runs with no network but loopback. The hosts the
//! policy allows are reached through this HTTP forward proxy, which the
//! sandbox bridges into the program's network namespace from a unix socket
//! (or which a simple embedder points `HTTPS_PROXY` at on `127.0.0.1`). It
//! speaks `CONNECT host:port`, an HTTPS tunnel it never sees inside, and
//! absolute-form plain HTTP (`GET http://host/path`, any method), forwarded
//! with the hop-by-hop headers removed, one request per connection. Every connection is decided by a hook the
//! embedder supplies ([`from_policy`] makes one of the policy's `[hosts]`
//! lists), and every decision is reported for the audit log and transcript.
//!
//! Why each rule:
//! - Host names are normalised (case, the root's trailing dot) before the
//!   hook sees them, and non-ASCII names are refused, so no spelling of a
//!   name slips past a host rule.
//! - The proxy resolves the name itself and connects to what it resolved:
//!   the program never picks the address.
//! - A name that resolves to a loopback, link-local or private address is
//!   refused unless the policy names the host exactly: otherwise any allowed
//!   name (or `*`) could be pointed by its DNS at this machine's own services
//!   or a cloud metadata endpoint (DNS rebinding).
//! - An IP literal is reached only when the policy names that exact address:
//!   a glob names hosts, not addresses.
//! - Every connection is bounded: its request head (16 KiB), its connect and
//!   idle time, how many run at once, and fixed-size copy buffers, so a slow
//!   or hostile client cannot hold unbounded memory or sockets.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixListener};
use tokio::sync::Semaphore;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::timeout;

mod head;
mod relay;

use crate::gate::policy::{HostVerdict, Policy};
use crate::net::addr::{is_internal, normalise};
use head::{HeadError, read_head};
use relay::relay;

/// The largest request head (request line and headers) the proxy reads.
pub const MAX_HEAD: usize = 16 * 1024;

/// Where a program asked to go, its host normalised: lowercase, no trailing
/// dot, an IP literal in its canonical spelling (`::1`, `127.0.0.1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub host: String,
    pub port: u16,
}

/// The embedder's answer for one [`Destination`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A pattern allows the host (`*.example.com`): reached only at public
    /// addresses, and never when it is an IP literal.
    Allow,
    /// The host is named exactly: it may be an IP literal and may resolve to
    /// loopback, link-local or private addresses.
    AllowNamed,
    /// Refused; the reason goes to the program (one line) and the callback.
    Deny(String),
}

/// What became of one request, for the audit log and the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Normalised, or as asked (escaped) when it could not be.
    pub host: String,
    pub port: u16,
    /// Whether the proxy went on to connect: a host that does not resolve
    /// is refused too.
    pub allowed: bool,
    /// Why it was refused; `None` when allowed.
    pub reason: Option<String>,
}

/// How much one proxy may hold at once and for how long.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once, tunnels included; the next gets a 503.
    pub max_connections: usize,
    /// Resolving and connecting to the destination.
    pub connect_timeout: Duration,
    /// A connection with no byte in either direction for this long is closed;
    /// also the time a client has to send its request head.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 64,
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(300),
        }
    }
}

type Decide = dyn Fn(&Destination) -> Verdict + Send + Sync;
type OnDecision = dyn Fn(&Decision) + Send + Sync;

/// A proxy to start: its hook, its callback, where it listens, its limits.
pub struct Proxy {
    decide: Arc<Decide>,
    on_decision: Arc<OnDecision>,
    socket: Option<PathBuf>,
    loopback: bool,
    limits: Limits,
}

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("the egress proxy must be started inside a tokio runtime")]
    NoRuntime,
    #[error("the egress proxy has nowhere to listen: give it a unix socket or loopback TCP")]
    NoListener,
    #[error("cannot listen on {}: {source}", path.display())]
    Socket { path: PathBuf, source: io::Error },
    #[error("cannot listen on 127.0.0.1: {0}")]
    Loopback(io::Error),
}

impl Proxy {
    /// A proxy that asks `decide` about every destination. It is called on
    /// the runtime's threads, so it must answer at once (no I/O, no waiting
    /// on a human): the policy's host lists, not an approval.
    pub fn new(decide: impl Fn(&Destination) -> Verdict + Send + Sync + 'static) -> Proxy {
        Proxy {
            decide: Arc::new(decide),
            on_decision: Arc::new(|_| {}),
            socket: None,
            loopback: false,
            limits: Limits::default(),
        }
    }

    /// Hear every decision, allowed or not, as it is made.
    pub fn on_decision(mut self, report: impl Fn(&Decision) + Send + Sync + 'static) -> Proxy {
        self.on_decision = Arc::new(report);
        self
    }

    /// Listen on a unix socket at `path`, which must not exist yet (pick it
    /// in a private directory); it is removed when the proxy stops.
    pub fn unix_socket(mut self, path: impl Into<PathBuf>) -> Proxy {
        self.socket = Some(path.into());
        self
    }

    /// Listen on `127.0.0.1` at a port the system picks, too.
    pub fn loopback_tcp(mut self) -> Proxy {
        self.loopback = true;
        self
    }

    pub fn limits(mut self, limits: Limits) -> Proxy {
        self.limits = limits;
        self
    }

    /// Bind the listeners and serve on the current tokio runtime until the
    /// handle is dropped.
    pub fn start(self) -> Result<ProxyHandle, ProxyError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| ProxyError::NoRuntime)?;
        if self.socket.is_none() && !self.loopback {
            return Err(ProxyError::NoListener);
        }
        let shared = Arc::new(Shared {
            permits: Arc::new(Semaphore::new(self.limits.max_connections)),
            decide: self.decide,
            on_decision: self.on_decision,
            limits: self.limits,
        });
        let mut handle = ProxyHandle { socket: None, local_addr: None, tasks: Vec::new() };
        if let Some(path) = self.socket {
            let listener = UnixListener::bind(&path)
                .map_err(|source| ProxyError::Socket { path: path.clone(), source })?;
            handle.socket = Some(path);
            handle.tasks.push(runtime.spawn(serve(listener, shared.clone())));
        }
        if self.loopback {
            let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .and_then(TcpListener::from_std)
                .map_err(ProxyError::Loopback)?;
            handle.local_addr = Some(listener.local_addr().map_err(ProxyError::Loopback)?);
            handle.tasks.push(runtime.spawn(serve(listener, shared)));
        }
        Ok(handle)
    }
}

/// A running proxy. Dropping it stops the listeners and every connection
/// in flight, and removes the unix socket.
#[derive(Debug)]
pub struct ProxyHandle {
    socket: Option<PathBuf>,
    local_addr: Option<SocketAddr>,
    tasks: Vec<JoinHandle<()>>,
}

impl ProxyHandle {
    pub fn socket_path(&self) -> Option<&Path> {
        self.socket.as_deref()
    }

    /// The `127.0.0.1` address, when asked for with [`Proxy::loopback_tcp`].
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }
}

impl Drop for ProxyHandle {
    fn drop(&mut self) {
        // Each listener's task owns its connections (a JoinSet), so aborting
        // it ends them too.
        for task in &self.tasks {
            task.abort();
        }
        if let Some(path) = &self.socket {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The adapter from the policy's `[hosts]` lists: a host a deny entry
/// matches is denied, one an allow entry matches is allowed on ports 80 and
/// 443 (and on another port an entry names, `host:8443`), and any other
/// host is denied with the line that would allow it. An entry that is the
/// host itself, not a glob, names it ([`Verdict::AllowNamed`]).
pub fn from_policy(policy: Arc<Policy>) -> impl Fn(&Destination) -> Verdict + Send + Sync + 'static {
    move |d| policy_verdict(&policy, d)
}

fn policy_verdict(policy: &Policy, d: &Destination) -> Verdict {
    let host = d.host.as_str();
    let verdict = policy.host(host);
    if let HostVerdict::Denied(origin) = verdict {
        return Verdict::Deny(format!("`{host}` is denied by the policy ({origin})"));
    }
    let with_port = format!("{host}:{}", d.port);
    let allowed = policy.hosts().allowed();
    let names = |text: &str| {
        allowed.iter().any(|e| e.pattern.as_str().trim_end_matches('.').eq_ignore_ascii_case(text))
    };
    let allow = |named: bool| if named { Verdict::AllowNamed } else { Verdict::Allow };
    if matches!(d.port, 80 | 443) && matches!(verdict, HostVerdict::Allowed(_)) {
        return allow(names(host));
    }
    // A port is named the way a URL writes it; an IPv6 literal cannot be
    // (its colons), so it gets 80 and 443 only.
    let port_entry = !host.contains(':')
        && allowed.iter().any(|e| {
            e.pattern.as_str().rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok())
                && e.pattern.is_match(&with_port)
        });
    if port_entry {
        return allow(names(&with_port));
    }
    let shown = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
    match verdict {
        HostVerdict::Allowed(_) if host.contains(':') => {
            Verdict::Deny(format!("`{shown}` is allowed on ports 80 and 443 only"))
        }
        HostVerdict::Allowed(_) => Verdict::Deny(format!(
            "`{shown}` is allowed on ports 80 and 443 only; to allow port {} add it to the policy: [hosts] allow = [\"{with_port}\"]",
            d.port
        )),
        _ => Verdict::Deny(format!(
            "`{shown}` is not an allowed host; to allow it add it to the policy: [hosts] allow = [\"{host}\"]"
        )),
    }
}

/// What every connection of one proxy shares.
struct Shared {
    decide: Arc<Decide>,
    on_decision: Arc<OnDecision>,
    limits: Limits,
    permits: Arc<Semaphore>,
}

/// A listener of either kind.
trait Listener: Send + 'static {
    type Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn next(&self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

impl Listener for TcpListener {
    type Stream = TcpStream;
    async fn next(&self) -> io::Result<TcpStream> {
        self.accept().await.map(|(stream, _)| stream)
    }
}

impl Listener for UnixListener {
    type Stream = tokio::net::UnixStream;
    async fn next(&self) -> io::Result<Self::Stream> {
        self.accept().await.map(|(stream, _)| stream)
    }
}

async fn serve<L: Listener>(listener: L, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.next() => match accepted {
                Ok(stream) => {
                    connections.spawn(handle(stream, shared.clone()));
                }
                Err(e) => {
                    // Out of descriptors, most likely: wait for some to close.
                    tracing::warn!("egress proxy: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next() => {}
        }
    }
}

/// A refusal: the status and the one line the program reads.
struct Refusal {
    status: u16,
    reason: String,
}

impl Refusal {
    fn new(status: u16, reason: impl Into<String>) -> Refusal {
        Refusal { status, reason: reason.into() }
    }
}

async fn handle<S: AsyncRead + AsyncWrite + Unpin + Send>(mut client: S, shared: Arc<Shared>) {
    let Ok(_permit) = shared.permits.clone().try_acquire_owned() else {
        let busy =
            format!("grove's egress proxy is serving {} connections already", shared.limits.max_connections);
        reply(&mut client, &Refusal::new(503, busy)).await;
        return;
    };
    let head = match timeout(shared.limits.idle_timeout, read_head(&mut client)).await {
        Ok(Ok(head)) => head,
        Ok(Err(HeadError::Bad(why))) => {
            reply(&mut client, &Refusal::new(400, why)).await;
            return linger(&mut client).await;
        }
        Ok(Err(HeadError::Gone)) | Err(_) => return,
    };
    let (tunnel, raw_host, port) = match head.route() {
        Ok(route) => route,
        Err(why) => return reply(&mut client, &Refusal::new(400, why)).await,
    };
    let mut upstream = match shared.open(&raw_host, port).await {
        Ok(upstream) => upstream,
        Err(refusal) => return reply(&mut client, &refusal).await,
    };
    // A tunnel is answered, a plain request passed on rewritten; what the
    // client sent after its head follows either way.
    let started = async {
        if tunnel {
            client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await?;
        } else {
            upstream.write_all(&head.forwarded(port)).await?;
        }
        upstream.write_all(&head.rest).await
    };
    if started.await.is_ok() {
        relay(client, upstream, shared.limits.idle_timeout).await;
    }
}

impl Shared {
    /// Decide, resolve and connect; report the decision either way.
    async fn open(&self, raw_host: &str, port: u16) -> Result<TcpStream, Refusal> {
        let decided = self.decide_and_resolve(raw_host, port).await;
        let (host, refusal) = match &decided {
            Ok((dest, _)) => (dest.host.clone(), None),
            Err((host, refusal)) => (host.clone(), Some(refusal)),
        };
        (self.on_decision)(&Decision {
            host,
            port,
            allowed: refusal.is_none(),
            reason: refusal.map(|r| r.reason.clone()),
        });
        let (dest, addrs) = decided.map_err(|(_, refusal)| refusal)?;
        connect(&dest, &addrs, self.limits.connect_timeout).await
    }

    async fn decide_and_resolve(
        &self,
        raw_host: &str,
        port: u16,
    ) -> Result<(Destination, Vec<SocketAddr>), (String, Refusal)> {
        let (host, literal) = normalise(raw_host)
            .map_err(|why| (raw_host.escape_debug().to_string(), Refusal::new(403, why)))?;
        let dest = Destination { host, port };
        let refuse = |status, why: String| Err((dest.host.clone(), Refusal::new(status, why)));
        let named = match (self.decide)(&dest) {
            Verdict::Deny(why) => return refuse(403, why),
            Verdict::Allow => false,
            Verdict::AllowNamed => true,
        };
        let addrs = match literal {
            Some(_) if !named => {
                return refuse(
                    403,
                    format!("`{}` is an address: the policy must name it exactly", dest.host),
                );
            }
            Some(ip) => vec![SocketAddr::new(ip, port)],
            None => match timeout(
                self.limits.connect_timeout,
                tokio::net::lookup_host((dest.host.as_str(), port)),
            )
            .await
            {
                Ok(Ok(addrs)) => addrs.collect(),
                Ok(Err(e)) => return refuse(502, format!("`{}` does not resolve: {e}", dest.host)),
                Err(_) => return refuse(504, format!("resolving `{}` timed out", dest.host)),
            },
        };
        if !named && let Some(ip) = addrs.iter().map(SocketAddr::ip).find(|ip| is_internal(*ip)) {
            return refuse(
                403,
                format!(
                    "`{}` resolves to {ip}, a loopback, link-local or private address; only a host the policy names exactly may",
                    dest.host
                ),
            );
        }
        if addrs.is_empty() {
            return refuse(502, format!("`{}` resolves to no address", dest.host));
        }
        Ok((dest, addrs))
    }
}

/// The first of `addrs` that answers, all within `limit`.
async fn connect(dest: &Destination, addrs: &[SocketAddr], limit: Duration) -> Result<TcpStream, Refusal> {
    let attempt = async {
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no address")))
    };
    match timeout(limit, attempt).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(e)) => {
            Err(Refusal::new(502, format!("cannot connect to `{}` port {}: {e}", dest.host, dest.port)))
        }
        Err(_) => {
            Err(Refusal::new(504, format!("connecting to `{}` port {} timed out", dest.host, dest.port)))
        }
    }
}

/// A plain-text answer of one line, and the end of the connection.
async fn reply<S: AsyncWrite + Unpin>(client: &mut S, refusal: &Refusal) {
    let phrase = match refusal.status {
        400 => "Bad Request",
        403 => "Forbidden",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
    let body = format!("grove: {}\n", crate::text::one_line(&refusal.reason));
    let head = format!(
        "HTTP/1.1 {} {phrase}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        refusal.status,
        body.len()
    );
    let _ = client.write_all(format!("{head}{body}").as_bytes()).await;
    let _ = client.shutdown().await;
}

/// After refusing a request not read whole, read a little more of it:
/// closing a socket with unread bytes resets it, and the client might
/// lose the answer.
async fn linger<S: AsyncRead + Unpin>(client: &mut S) {
    let mut sink = [0u8; 4096];
    let drain = async {
        for _ in 0..16 {
            if !matches!(client.read(&mut sink).await, Ok(n) if n > 0) {
                break;
            }
        }
    };
    let _ = timeout(Duration::from_secs(1), drain).await;
}

#[cfg(test)]
mod tests;
