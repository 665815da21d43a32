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

/// Parse `url` the way browsers and HTTP clients do (WHATWG): tabs and
/// newlines dropped, full-width digits and dots folded, `\\` a path
/// separator, `http:host` and `http:/host` read as `http://host`, the host
/// percent-decoded. A URL without a scheme (as curl allows) is `http`;
/// `host:port` is a host and a port, not a scheme.
pub fn parse(url: &str) -> Option<Target> {
    let url: String = url.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).map(fold).collect();
    let (scheme, rest) = match url.split_once(':') {
        Some((s, rest))
            if !s.is_empty()
                && s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !is_port(rest) =>
        {
            (s.to_ascii_lowercase(), rest)
        }
        _ => ("http".to_string(), url.as_str()),
    };
    let special = matches!(scheme.as_str(), "http" | "https" | "ws" | "wss" | "ftp" | "file");
    if !special && !rest.starts_with("//") {
        // `mailto:x`, `data:…`: a scheme without an authority.
        return Some(Target { scheme, host: String::new() });
    }
    let rest = rest.trim_start_matches(['/', '\\']);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or("");
    // The host follows the last `@` (user:password@host).
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(inner) = hostport.strip_prefix('[') {
        inner.split(']').next().unwrap_or("")
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    let host = percent_decode(host).trim_end_matches('.').to_ascii_lowercase();
    Some(Target { scheme, host })
}

/// After `host:`, a port: digits up to the path.
fn is_port(rest: &str) -> bool {
    let port = rest.split(['/', '?', '#']).next().unwrap_or("");
    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
}

/// Full-width digits, letters and dots, and ideographic full stops, as IDNA
/// maps them.
fn fold(c: char) -> char {
    match c {
        '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
            char::from_u32(c as u32 - 0xff10 + 0x30).unwrap_or(c)
        }
        '\u{3002}' | '\u{ff0e}' | '\u{ff61}' => '.',
        c => c,
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(Ok(v)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
            // AWS and GCP serve metadata on these IPv6 addresses too.
            ["fd00:ec2::254", "fd20:ce::254"].iter().any(|m| m.parse::<Ipv6Addr>().is_ok_and(|m| m == v6))
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
        assert_eq!(level("GET", "localhost:3000"), Level::Low);
        assert_eq!(level("GET", "file:/etc/passwd"), Level::Critical);
        assert_eq!(level("GET", "http:169.254.169.254/latest/"), Level::Critical);
        assert_eq!(level("GET", "http:\\\\169.254.169.254\\x"), Level::Critical);
        assert_eq!(level("GET", "http://%31%36%39.254.169.254/"), Level::Critical);
        assert_eq!(level("GET", "http://１６９.２５４.１６９.２５４/"), Level::Critical);
        assert_eq!(level("GET", "http://169。254。169。254/"), Level::Critical);
        assert_eq!(level("GET", "http://169.254\t.169.254/"), Level::Critical);
        assert_eq!(level("GET", "http://evil.example\\@127.0.0.1/"), Level::Medium);
        assert_eq!(level("GET", "http://[fd20:ce::254]/"), Level::Critical);
        assert_eq!(level("GET", "data:text/html,x"), Level::Critical);
    }
}
