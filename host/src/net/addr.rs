//! Host names and the addresses they may reach.
//!
//! A host the policy allows by a pattern (`*.example.com`, `*`) could be
//! pointed by its DNS at this machine's own services or at a cloud metadata
//! endpoint (DNS rebinding), so such a name is only ever connected to at a
//! public address. A host the policy names exactly is trusted with whatever
//! it resolves to: that is how a loopback test server or an internal mirror
//! is reached.

use std::net::{IpAddr, Ipv4Addr};

use crate::gate::classify::url::address;
use crate::gate::policy::Policy;

/// `raw` normalised (lowercase, no trailing dot, an address in its
/// canonical spelling), and the address when it is one. Addresses are read
/// the way resolvers read them (`2130706433` is `127.0.0.1`), so no
/// spelling of one passes for a name.
pub fn normalise(raw: &str) -> Result<(String, Option<IpAddr>), String> {
    if !raw.is_ascii() {
        return Err(format!(
            "`{}` is not an ASCII host name (write it as punycode, xn--…)",
            raw.escape_debug()
        ));
    }
    let host = raw.strip_suffix('.').unwrap_or(raw).to_ascii_lowercase();
    if let Some(ip) = address(&host) {
        return Ok((ip.to_string(), Some(ip)));
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if host.len() > 253 || !host.split('.').all(label_ok) {
        return Err(format!("`{}` is not a host name", host.escape_debug()));
    }
    Ok((host, None))
}

/// Addresses on this machine or its networks: loopback, link-local (cloud
/// metadata lives there), private and shared ranges, and the unroutable.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            // IPv4 inside IPv6 (mapped, or NAT64) is judged as the IPv4 it carries.
            let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
            if let Some(v4) = v6.to_ipv4_mapped().or(nat64.then(|| Ipv4Addr::from(v6.to_bits() as u32))) {
                return is_internal(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Whether an allow entry of `policy` is `host` itself (any case, trailing
/// dot or not), not a pattern that happens to match it: only such a host
/// may be reached at an internal address.
pub fn named_exactly(policy: &Policy, host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    policy
        .hosts()
        .allowed()
        .iter()
        .any(|e| e.pattern.as_str().trim_end_matches('.').eq_ignore_ascii_case(host))
}

/// Why `host` may not be reached at `ip`, and the line that would allow it.
pub fn internal_refusal(host: &str, ip: IpAddr) -> String {
    let said = if host == ip.to_string() {
        format!("`{host}` is a loopback, link-local or private address")
    } else {
        format!("`{host}` resolves to {ip}, a loopback, link-local or private address")
    };
    format!(
        "{said}, reached only when the policy names the host exactly; to allow it add it to your policy: [hosts] allow = [\"{host}\"]"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::policy::Layer;

    fn internal(ip: &str) -> bool {
        is_internal(ip.parse().unwrap())
    }

    #[test]
    fn private_networks_and_metadata_are_internal() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "::1",
            "169.254.169.254",
            "169.254.0.1",
            "fe80::1",
            "fd00:ec2::254",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "fc00::1",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "::",
            "255.255.255.255",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
        ] {
            assert!(internal(ip), "{ip} is internal");
        }
        for ip in
            ["93.184.216.34", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]
        {
            assert!(!internal(ip), "{ip} is public");
        }
    }

    #[test]
    fn only_an_exact_entry_names_a_host() {
        let policy = Policy::from_layers(vec![(
            Layer::User,
            "policy.toml".into(),
            "[hosts]\nallow = [\"127.0.0.1\", \"Mirror.Internal.\", \"*.example.com\", \"*\"]\n".into(),
        )])
        .unwrap();
        assert!(named_exactly(&policy, "127.0.0.1"));
        assert!(named_exactly(&policy, "mirror.internal"));
        assert!(named_exactly(&policy, "mirror.internal."));
        assert!(!named_exactly(&policy, "api.example.com"), "a pattern names no host");
        assert!(!named_exactly(&policy, "localhost"), "`*` names no host");
    }

    #[test]
    fn a_refusal_names_the_entry_that_would_allow_it() {
        let why = internal_refusal("127.0.0.1", "127.0.0.1".parse().unwrap());
        assert!(why.contains("[hosts] allow = [\"127.0.0.1\"]"), "{why}");
        let why = internal_refusal("rebind.example", "10.0.0.1".parse().unwrap());
        assert!(why.contains("resolves to 10.0.0.1") && why.contains("[\"rebind.example\"]"), "{why}");
    }
}
