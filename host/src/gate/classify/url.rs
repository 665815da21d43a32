//! Network egress: which host a URL reaches and how risky that is.
//!
//! Hosts are parsed the way HTTP clients parse them, so the spellings
//! curl accepts for an address (`2852039166`, `0xA9FEA9FE`, `0251.0376…`,
//! `[::ffff:169.254.169.254]`) are seen as the address they are.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::gate::level::{Assessment, Level};

/// What the policy says of a host name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostStanding {
    Allowed,
    Denied,
    Unlisted,
}

/// The parts of a URL the gate judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub scheme: String,
    /// Lowercase, brackets and a trailing dot removed.
    pub host: String,
}

/// Parse `url`; a URL without a scheme (as curl allows) is `http`.
pub fn parse(url: &str) -> Option<Target> {
    let (scheme, rest) = match url.find("://") {
        Some(i) => (url[..i].to_ascii_lowercase(), &url[i + 3..]),
        None if url.contains(':') && !url.contains('/') && url.parse::<std::net::SocketAddr>().is_err() => {
            // `mailto:x`, `data:…`: a scheme without an authority.
            let (s, _) = url.split_once(':')?;
            if s.contains('.') {
                ("http".to_string(), url)
            } else {
                return Some(Target { scheme: s.to_ascii_lowercase(), host: String::new() });
            }
        }
        None => ("http".to_string(), url),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // The host follows the last `@` (user:password@host).
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(inner) = hostport.strip_prefix('[') {
        inner.split(']').next().unwrap_or("")
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    Some(Target { scheme, host })
}

/// How an HTTP client reads a host that is an address, including the
/// legacy IPv4 spellings (one number, hex, octal parts).
pub fn address(host: &str) -> Option<IpAddr> {
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        return Some(match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        });
    }
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::with_capacity(4);
    for p in &parts {
        let n = if let Some(hex) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            u64::from_str_radix(hex, 16).ok()?
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(&p[1..], 8).ok()?
        } else {
            p.parse::<u64>().ok()?
        };
        nums.push(n);
    }
    let last_bits = 8 * (5 - nums.len() as u32);
    let mut value: u64 = 0;
    for (i, n) in nums.iter().enumerate() {
        if i + 1 < nums.len() {
            if *n > 255 {
                return None;
            }
            value |= n << (24 - 8 * i as u32);
        } else {
            if last_bits < 64 && *n >= 1u64 << last_bits {
                return None;
            }
            value |= n;
        }
    }
    Some(IpAddr::V4(Ipv4Addr::from(value as u32)))
}

const METADATA_NAMES: &[&str] =
    &["metadata.google.internal", "metadata", "metadata.azure.com", "instance-data"];

/// Raise `a` for a request of `method` to `url`.
pub fn judge(a: &mut Assessment, method: &str, url: &str, standing: &dyn Fn(&str) -> HostStanding) {
    let Some(target) = parse(url.trim()) else {
        a.raise(Level::High, "net.bad-url", format!("`{url}` is not a URL grove can judge"));
        return;
    };
    if !matches!(target.scheme.as_str(), "http" | "https" | "ws" | "wss") {
        a.raise(
            Level::Critical,
            "net.scheme",
            format!("`{url}` uses the `{}` scheme; only http(s) is allowed", target.scheme),
        );
        return;
    }
    let host = target.host.as_str();
    a.facts.hosts.push(host.to_string());
    let writes = !matches!(method.to_ascii_uppercase().as_str(), "GET" | "HEAD" | "OPTIONS");
    if host.is_empty() {
        a.raise(Level::High, "net.bad-url", format!("`{url}` names no host"));
        return;
    }
    if METADATA_NAMES.contains(&host) {
        a.raise(
            Level::Critical,
            "net.metadata",
            format!("`{host}` is a cloud metadata service (credentials live there)"),
        );
        return;
    }
    match address(host) {
        Some(ip) if is_metadata(ip) => {
            a.raise(
                Level::Critical,
                "net.metadata",
                format!("`{host}` is a cloud metadata or link-local address"),
            );
            return;
        }
        Some(ip) if ip.is_loopback() || ip.is_unspecified() => {
            if writes {
                a.writes();
            }
            a.raise(Level::Low, "net.loopback", format!("{method} to `{host}` stays on this machine"));
            return;
        }
        Some(ip) if is_private(ip) => {
            a.raise(Level::High, "net.private", format!("`{host}` is on a private network"));
            return;
        }
        None if host == "localhost" || host.ends_with(".localhost") => {
            if writes {
                a.writes();
            }
            a.raise(Level::Low, "net.loopback", format!("{method} to `{host}` stays on this machine"));
            return;
        }
        _ => {}
    }
    match standing(host) {
        HostStanding::Denied => {
            a.raise(Level::Critical, "net.denied-host", format!("`{host}` is denied by policy"));
        }
        HostStanding::Allowed => {
            if writes {
                a.writes();
            }
            a.raise(Level::Low, "net.allowed-host", format!("`{host}` is allowed by policy"));
        }
        HostStanding::Unlisted if writes => {
            a.raise(
                Level::High,
                "net.unknown-host",
                format!("{method} sends data to `{host}`, which no policy allows"),
            );
        }
        HostStanding::Unlisted => {
            a.raise(Level::Medium, "net.unknown-host", format!("`{host}` is not among the allowed hosts"));
        }
    }
}

fn is_metadata(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_link_local()
                || v4 == Ipv4Addr::new(100, 100, 100, 200)
                || v4 == Ipv4Addr::new(192, 0, 0, 192)
        }
        IpAddr::V6(v6) => {
            v6 == "fd00:ec2::254".parse::<Ipv6Addr>().expect("constant")
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || (a == 100 && (64..128).contains(&b)) || v4.is_broadcast()
        }
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(method: &str, url: &str) -> Level {
        let mut a = Assessment::default();
        judge(&mut a, method, url, &|h| {
            if h == "api.github.com" { HostStanding::Allowed } else { HostStanding::Unlisted }
        });
        a.level
    }

    #[test]
    fn addresses_in_every_spelling() {
        let meta = Some("169.254.169.254".parse().unwrap());
        for spelling in [
            "169.254.169.254",
            "2852039166",
            "0xA9FEA9FE",
            "0251.0376.0251.0376",
            "169.254.43518",
            "::ffff:169.254.169.254",
        ] {
            assert_eq!(address(spelling), meta, "{spelling}");
        }
        assert_eq!(address("127.1"), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(address("example.com"), None);
        assert_eq!(address("1.2.3.4.5"), None);
    }

    #[test]
    fn hosts_are_judged() {
        assert_eq!(level("GET", "http://127.0.0.1:5173/"), Level::Low);
        assert_eq!(level("POST", "http://localhost/x"), Level::Low);
        assert_eq!(level("GET", "http://[::1]:8080"), Level::Low);
        assert_eq!(level("GET", "http://169.254.169.254/latest/meta-data/"), Level::Critical);
        assert_eq!(level("GET", "http://0xA9FEA9FE/"), Level::Critical);
        assert_eq!(level("GET", "http://user:pw@[::ffff:a9fe:a9fe]/"), Level::Critical);
        assert_eq!(level("GET", "http://METADATA.google.internal./"), Level::Critical);
        assert_eq!(level("GET", "file:///etc/passwd"), Level::Critical);
        assert_eq!(level("GET", "gopher://x/"), Level::Critical);
        assert_eq!(level("GET", "https://unknown.example.org/"), Level::Medium);
        assert_eq!(level("POST", "https://unknown.example.org/"), Level::High);
        assert_eq!(level("GET", "https://localhost@evil.example.com/"), Level::Medium);
        assert_eq!(level("GET", "https://127.0.0.1.nip.io/"), Level::Medium);
        assert_eq!(level("GET", "http://10.0.0.5:8080/"), Level::High);
        assert_eq!(level("GET", "https://api.github.com/repos"), Level::Low);
        assert_eq!(level("GET", "example.com/x"), Level::Medium);
    }
}
