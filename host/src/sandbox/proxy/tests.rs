//! The proxy over real sockets on 127.0.0.1 and a unix socket, with real
//! servers and curl behind it.

use std::net::IpAddr;
use std::sync::Mutex;

use tokio::net::UnixStream;

use super::head::authority;
use super::*;
use crate::gate::policy::Layer;

type Heard = Arc<Mutex<Vec<Decision>>>;

fn start_with(proxy: Proxy) -> (ProxyHandle, Heard) {
    let heard = Heard::default();
    let sink = heard.clone();
    let handle =
        proxy.on_decision(move |d| sink.lock().unwrap().push(d.clone())).loopback_tcp().start().unwrap();
    (handle, heard)
}

fn start(decide: impl Fn(&Destination) -> Verdict + Send + Sync + 'static) -> (ProxyHandle, Heard) {
    start_with(Proxy::new(decide))
}

/// Only the test's own servers, named exactly (they are on loopback).
fn only(host: &'static str) -> impl Fn(&Destination) -> Verdict + Send + Sync + 'static {
    move |d| {
        if d.host == host {
            Verdict::AllowNamed
        } else {
            Verdict::Deny(format!("`{}` is not {host}", d.host))
        }
    }
}

async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = s.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    addr
}

/// Answers every request with `hello`, and keeps each request head.
async fn http_server() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).await.unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            seen.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello").await;
        }
    });
    (addr, heads)
}

/// Send `request` and read the answer to its end.
async fn exchange(proxy: &ProxyHandle, request: &[u8]) -> String {
    let mut s = TcpStream::connect(proxy.local_addr().unwrap()).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// CONNECT and read the proxy's answer head.
async fn open_tunnel<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, target: &str) -> String {
    s.write_all(format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n").as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).await.unwrap() == 1 {
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

async fn echoes<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, text: &[u8]) {
    s.write_all(text).await.unwrap();
    let mut back = vec![0u8; text.len()];
    timeout(Duration::from_secs(5), s.read_exact(&mut back)).await.unwrap().unwrap();
    assert_eq!(back, text);
}

#[tokio::test]
async fn an_allowed_connect_tunnels_bytes_both_ways() {
    let echo = echo_server().await;
    let (proxy, heard) = start(only("127.0.0.1"));
    let mut s = TcpStream::connect(proxy.local_addr().unwrap()).await.unwrap();
    let head = open_tunnel(&mut s, &echo.to_string()).await;
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    echoes(&mut s, b"ping").await;
    echoes(&mut s, &[7u8; 100_000]).await;
    let decision = Decision { host: "127.0.0.1".into(), port: echo.port(), allowed: true, reason: None };
    assert_eq!(*heard.lock().unwrap(), [decision]);
}

fn policy(text: &str) -> Arc<Policy> {
    Arc::new(Policy::from_layers(vec![(Layer::User, "policy.toml".into(), text.into())]).unwrap())
}

#[tokio::test]
async fn a_denied_connect_gets_403_naming_the_host_and_the_policy_key() {
    let policy = policy("[hosts]\nallow = [\"api.github.com\"]\ndeny = [\"pastebin.com\"]\n");
    let (proxy, heard) = start(from_policy(policy));
    let answer = exchange(&proxy, b"CONNECT Example.ORG.:443 HTTP/1.1\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{answer}");
    let reason = "`example.org` is not an allowed host; to allow it add it to the policy: [hosts] allow = [\"example.org\"]";
    assert!(answer.ends_with(&format!("\r\n\r\ngrove: {reason}\n")), "{answer}");
    let answer = exchange(&proxy, b"CONNECT pastebin.com:443 HTTP/1.1\r\n\r\n").await;
    assert!(answer.contains("`pastebin.com` is denied by the policy (policy.toml:3)"), "{answer}");
    let heard = heard.lock().unwrap();
    let decision =
        Decision { host: "example.org".into(), port: 443, allowed: false, reason: Some(reason.into()) };
    assert_eq!(heard[0], decision);
    assert!(!heard[1].allowed && heard[1].host == "pastebin.com");
}

#[tokio::test]
async fn a_plain_get_is_forwarded_without_hop_by_hop_headers() {
    let (server, heads) = http_server().await;
    let (proxy, heard) = start(only("127.0.0.1"));
    let request = format!(
        "GET http://127.0.0.1:{}/hello?x=1 HTTP/1.1\r\nHost: elsewhere\r\nProxy-Authorization: Basic c2VjcmV0\r\n\
         Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nAccept: */*\r\n\r\n",
        server.port()
    );
    let answer = exchange(&proxy, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.ends_with("\r\n\r\nhello"), "{answer}");
    let expected = format!(
        "GET /hello?x=1 HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        server.port()
    );
    assert_eq!(heads.lock().unwrap()[0], expected);
    assert!(heard.lock().unwrap()[0].allowed);
}

#[tokio::test]
async fn a_malformed_or_oversized_request_gets_400_and_the_proxy_keeps_serving() {
    let echo = echo_server().await;
    let (proxy, heard) = start(only("127.0.0.1"));
    let mut oversized = b"GET http://127.0.0.1/ HTTP/1.1\r\n".to_vec();
    let filler = format!("X-Filler: {}\r\n", "a".repeat(1000));
    oversized.extend(std::iter::repeat_n(filler.as_bytes(), 20).flatten());
    let bad: [&[u8]; 6] = [
        b"NOT AN HTTP REQUEST\r\n\r\n",
        &oversized,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET https://example.org/ HTTP/1.1\r\n\r\n",
        b"CONNECT example.org HTTP/1.1\r\n\r\n",
        b"GET http://user:pw@example.org/ HTTP/1.1\r\n\r\n",
    ];
    for request in bad {
        let answer = exchange(&proxy, request).await;
        assert!(answer.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{answer}");
    }
    let answer = exchange(&proxy, &oversized).await;
    assert!(answer.contains("grove: the request head is over 16 KiB"), "{answer}");
    let too_many = format!("GET http://127.0.0.1/ HTTP/1.1\r\n{}\r\n", "X-A: b\r\n".repeat(200));
    assert!(exchange(&proxy, too_many.as_bytes()).await.starts_with("HTTP/1.1 400 "));
    assert!(heard.lock().unwrap().is_empty(), "no destination, no decision");
    let mut s = TcpStream::connect(proxy.local_addr().unwrap()).await.unwrap();
    assert!(open_tunnel(&mut s, &echo.to_string()).await.starts_with("HTTP/1.1 200 "));
    echoes(&mut s, b"still serving").await;
}

async fn curl(proxy: &ProxyHandle, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new("curl")
        .args(["-sS", "--fail", "--max-time", "10", "--proxy"])
        .arg(format!("http://{}", proxy.local_addr().unwrap()))
        .args(args)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .await
        .expect("curl runs")
}

#[tokio::test]
async fn curl_goes_through_when_allowed_and_not_when_denied() {
    let (server, _) = http_server().await;
    let (proxy, heard) = start(only("localhost"));
    let url = format!("http://localhost:{}/", server.port());
    for args in [vec![url.as_str()], vec!["--proxytunnel", url.as_str()]] {
        let out = curl(&proxy, &args).await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, b"hello");
    }
    let denied = "http://denied.test/";
    for args in [vec![denied], vec!["--proxytunnel", denied]] {
        let out = curl(&proxy, &args).await;
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
    }
    let allowed: Vec<bool> = heard.lock().unwrap().iter().map(|d| d.allowed).collect();
    assert_eq!(allowed, [true, true, false, false]);
}

#[tokio::test]
async fn loopback_is_refused_unless_the_host_is_named_exactly() {
    let echo = echo_server().await;
    let (proxy, heard) = start(|_| Verdict::Allow);
    for (target, why) in [
        ("LOCALHOST.", "`localhost` resolves to "),
        ("127.0.0.1", "`127.0.0.1` is an address: the policy must name it exactly"),
        ("2130706433", "`127.0.0.1` is an address"),
        ("[::ffff:127.0.0.1]", "`127.0.0.1` is an address"),
    ] {
        let answer =
            exchange(&proxy, format!("CONNECT {target}:{} HTTP/1.1\r\n\r\n", echo.port()).as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 403 ") && answer.contains(why), "{target}: {answer}");
    }
    let heard = heard.lock().unwrap();
    assert_eq!(heard[0].host, "localhost");
    assert!(heard.iter().all(|d| !d.allowed));
}

#[tokio::test]
async fn the_proxy_serves_a_unix_socket_and_removes_it_when_dropped() {
    let echo = echo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.sock");
    let proxy = Proxy::new(only("127.0.0.1")).unix_socket(&path).start().unwrap();
    assert_eq!(proxy.socket_path(), Some(path.as_path()));
    assert_eq!(proxy.local_addr(), None);
    let mut s = UnixStream::connect(&path).await.unwrap();
    assert!(open_tunnel(&mut s, &echo.to_string()).await.starts_with("HTTP/1.1 200 "));
    echoes(&mut s, b"over the socket").await;
    drop(proxy);
    assert!(!path.exists());
    // The tunnel ends with the proxy.
    let mut rest = Vec::new();
    let read = timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await.unwrap();
    assert!(read.is_err() || rest.is_empty());
}

#[tokio::test]
async fn connections_past_the_limit_get_503_and_idle_tunnels_close() {
    let echo = echo_server().await;
    let limits = Limits { max_connections: 1, idle_timeout: Duration::from_millis(300), ..Limits::default() };
    let (proxy, _) = start_with(Proxy::new(only("127.0.0.1")).limits(limits));
    let mut s = TcpStream::connect(proxy.local_addr().unwrap()).await.unwrap();
    assert!(open_tunnel(&mut s, &echo.to_string()).await.starts_with("HTTP/1.1 200 "));
    let answer = exchange(&proxy, format!("CONNECT {echo} HTTP/1.1\r\n\r\n").as_bytes()).await;
    assert!(
        answer.starts_with("HTTP/1.1 503 ") && answer.contains("serving 1 connections already"),
        "{answer}"
    );
    echoes(&mut s, b"busy").await;
    let mut rest = Vec::new();
    timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await.expect("the idle tunnel closes").unwrap();
    assert!(rest.is_empty());
}

#[test]
fn from_policy_allows_listed_hosts_on_web_ports_and_names_exact_entries() {
    let policy = policy(
        "[hosts]\nallow = [\"api.github.com\", \"*.example.com\", \"build.example.com:8443\", \"10.0.0.5\"]\n\
         deny = [\"evil.example.com\"]\n",
    );
    let decide = from_policy(policy);
    let verdict = |host: &str, port| decide(&Destination { host: host.into(), port });
    assert_eq!(verdict("api.github.com", 443), Verdict::AllowNamed);
    assert_eq!(verdict("a.example.com", 80), Verdict::Allow);
    assert_eq!(verdict("build.example.com", 8443), Verdict::AllowNamed);
    assert_eq!(verdict("10.0.0.5", 80), Verdict::AllowNamed);
    let denied = |host: &str, port, why: &str| match verdict(host, port) {
        Verdict::Deny(reason) => assert!(reason.contains(why), "{reason}"),
        v => panic!("{host}:{port} is {v:?}"),
    };
    denied("evil.example.com", 443, "`evil.example.com` is denied by the policy (policy.toml:3)");
    denied(
        "api.github.com",
        22,
        "ports 80 and 443 only; to allow port 22 add it to the policy: [hosts] allow = [\"api.github.com:22\"]",
    );
    denied("a.example.com", 8443, "[hosts] allow = [\"a.example.com:8443\"]");
    denied("other.org", 443, "[hosts] allow = [\"other.org\"]");
}

#[test]
fn hosts_are_normalised_and_odd_spellings_refused() {
    assert_eq!(normalise("API.GitHub.com."), Ok(("api.github.com".into(), None)));
    assert_eq!(normalise("0x7f.1"), Ok(("127.0.0.1".into(), Some(IpAddr::V4(Ipv4Addr::LOCALHOST)))));
    assert!(normalise("bücher.de").unwrap_err().contains("not an ASCII host name"));
    for bad in ["a b", "a..b", "", "x%2e.com"] {
        assert!(normalise(bad).is_err(), "{bad}");
    }
    assert_eq!(authority("[::1]:8080", None), Ok(("::1".into(), 8080)));
    assert_eq!(authority("example.com", Some(80)), Ok(("example.com".into(), 80)));
    for bad in ["example.com", "example.com:0", "example.com:x", "[::1]8080", ":443"] {
        assert!(authority(bad, None).is_err(), "{bad}");
    }
    let internal = [
        "169.254.169.254",
        "10.1.2.3",
        "100.100.100.200",
        "0.0.0.0",
        "fe80::1",
        "fd00:ec2::254",
        "64:ff9b::7f00:1",
    ];
    assert!(internal.iter().all(|ip| is_internal(ip.parse().unwrap())));
    assert!(
        !is_internal("93.184.216.34".parse().unwrap()) && !is_internal("2606:4700::1111".parse().unwrap())
    );
}
