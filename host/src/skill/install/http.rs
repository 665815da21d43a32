//! Fetching a component (and its `.minisig`) over HTTP, through the client
//! and the address rules of the `http` capability: no redirects, no proxy,
//! no internal address unless the policy names the host exactly, the
//! policy's denied hosts refused, and a cap on the bytes read.

use std::sync::Arc;
use std::time::Duration;

use super::{Fetched, InstallError, MAX_COMPONENT, MAX_SIGNATURE};
use crate::gate::policy::{HostVerdict, Policy};
use crate::net::addr::{internal_refusal, is_internal, named_exactly, normalise};

/// How long one download may take, whole.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The component at `url` and the signature beside it (`url.minisig`), if
/// the server has one.
pub async fn fetch(url: &reqwest::Url, policy: Arc<Policy>) -> Result<Fetched, InstallError> {
    let mut url = url.clone();
    url.set_fragment(None);
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    reachable(&policy, &host).await.map_err(|why| InstallError::fetch(&url, why))?;
    let client = crate::net::client::build(policy).map_err(|e| InstallError::fetch(&url, e))?;
    let bytes = get(&client, &url, MAX_COMPONENT)
        .await?
        .ok_or_else(|| InstallError::fetch(&url, "the server answered 404 Not Found"))?;
    let mut beside = url.clone();
    beside.set_path(&format!("{}.minisig", url.path()));
    let signature = get(&client, &beside, MAX_SIGNATURE).await?;
    Ok(Fetched { bytes, signature: signature.map(|s| String::from_utf8_lossy(&s).into_owned()) })
}

/// Whether grove may connect to `host` under `policy`: not denied, and an
/// internal address only when the policy names the host exactly (the
/// resolver of the client checks names again as it connects).
pub async fn reachable(policy: &Policy, host: &str) -> Result<(), String> {
    let (host, ip) = normalise(host)?;
    if let HostVerdict::Denied(origin) = policy.host(&host) {
        return Err(format!("`{host}` is denied by the policy ({origin})"));
    }
    if named_exactly(policy, &host) {
        return Ok(());
    }
    let found: Vec<std::net::IpAddr> = match ip {
        Some(ip) => vec![ip],
        None => tokio::net::lookup_host((host.as_str(), 0))
            .await
            .map_err(|e| format!("`{host}` could not be resolved: {e}"))?
            .map(|a| a.ip())
            .collect(),
    };
    match found.into_iter().find(|ip| is_internal(*ip)) {
        Some(ip) => Err(internal_refusal(&host, ip)),
        None => Ok(()),
    }
}

/// The body at `url`, at most `limit` bytes; `None` for a 404.
async fn get(
    client: &reqwest::Client,
    url: &reqwest::Url,
    limit: u64,
) -> Result<Option<Vec<u8>>, InstallError> {
    let fail = |why: String| InstallError::fetch(url, why);
    let mut response = tokio::time::timeout(TIMEOUT, client.get(url.clone()).send())
        .await
        .map_err(|_| fail(format!("no answer within {}s", TIMEOUT.as_secs())))?
        .map_err(|e| fail(crate::text::with_causes(&e)))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !status.is_success() {
        let also =
            if status.is_redirection() { " (grove follows no redirect: name the final URL)" } else { "" };
        return Err(fail(format!("the server answered {status}{also}")));
    }
    let too_large = || InstallError::TooLarge { what: url.to_string(), limit };
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| fail(crate::text::with_causes(&e)))? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}
