//! The HTTP client the `http` capability sends through: it follows no
//! redirect (each hop is judged by the gate as its own request), keeps no
//! cookies, ignores the proxy settings of the environment, adds no header
//! of the host's beyond its `User-Agent`, and resolves names itself so that
//! no name reaches an internal address unless the policy names it exactly.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::addr::{internal_refusal, is_internal, named_exactly};
use crate::gate::policy::Policy;

/// A name resolved only to addresses it may not reach.
#[derive(Debug, thiserror::Error)]
#[error("{}", internal_refusal(host, *ip))]
pub struct Internal {
    pub host: String,
    pub ip: IpAddr,
}

/// A client for one invocation under `policy`.
pub fn build(policy: Arc<Policy>) -> Result<reqwest::Client, reqwest::Error> {
    // TLS needs one process-wide crypto provider; an embedding program (or
    // the model client) may have installed it already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .no_proxy()
        .dns_resolver(Guarded { policy })
        .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Resolves with the system's resolver and drops every internal address of
/// a name the policy does not name exactly. An address written in the URL
/// never comes here: the capability checks it before the request.
struct Guarded {
    policy: Arc<Policy>,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let named = named_exactly(&self.policy, &host);
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let Some(first) = found.first().map(SocketAddr::ip) else {
                return Err(format!("`{host}` resolves to no address").into());
            };
            let kept: Vec<SocketAddr> = found.into_iter().filter(|a| named || !is_internal(a.ip())).collect();
            if kept.is_empty() {
                return Err(Box::new(Internal { host, ip: first }) as _);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}
