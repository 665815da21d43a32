//! Pulling a component from an OCI registry, in the layout `wkg` uses for
//! WebAssembly components: a manifest whose config has the media type
//! `application/vnd.wasm.config.v0+json` and one layer of
//! `application/wasm`. A layer of [`SIGNATURE_MEDIA_TYPE`] beside it, when
//! present, is the component's minisign signature.

use std::sync::Arc;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use super::source::is_loopback;
use super::{Fetched, InstallError, MAX_COMPONENT, MAX_SIGNATURE};
use crate::gate::policy::Policy;

/// The config media type of a WebAssembly component artifact.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The media type of the component's layer.
pub const WASM_MEDIA_TYPE: &str = "application/wasm";
/// The media type of the layer holding the component's `.minisig`.
pub const SIGNATURE_MEDIA_TYPE: &str = "application/vnd.minisign.signature.v1";

/// A client for `registry`: https, except plain http to a registry on
/// this machine (a test's, a local mirror's), never anywhere else.
pub fn client(registry: &str) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let host = registry.rsplit_once(':').map_or(registry, |(host, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) { host } else { registry }
    });
    let protocol = if is_loopback(host) {
        ClientProtocol::HttpsExcept(vec![registry.to_string()])
    } else {
        ClientProtocol::Https
    };
    Client::new(ClientConfig { protocol, ..ClientConfig::default() })
}

/// The component `reference` names (`host[:port]/name:tag` or `…@sha256:…`)
/// and its signature layer.
pub async fn fetch(reference: &str, registry: &str, policy: Arc<Policy>) -> Result<Fetched, InstallError> {
    let fail = |why: String| InstallError::fetch(format!("oci://{reference}"), why);
    let host = registry.rsplit_once(':').map_or(registry, |(h, _)| h);
    super::http::reachable(&policy, host).await.map_err(fail)?;
    let image: Reference = reference.parse().map_err(|e| fail(format!("{e}")))?;
    let client = client(registry);
    let auth = RegistryAuth::Anonymous;
    let (manifest, _digest) =
        client.pull_image_manifest(&image, &auth).await.map_err(|e| fail(crate::text::with_causes(&e)))?;
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(fail(format!(
            "its config is of media type `{}`, not a WebAssembly component's `{CONFIG_MEDIA_TYPE}`",
            manifest.config.media_type
        )));
    }
    let wasm: Vec<_> = manifest.layers.iter().filter(|l| l.media_type == WASM_MEDIA_TYPE).collect();
    let [layer] = wasm.as_slice() else {
        return Err(fail(format!("it has {} layers of `{WASM_MEDIA_TYPE}`, not one", wasm.len())));
    };
    let pull = async |layer: &oci_client::manifest::OciDescriptor, limit: u64| {
        if layer.size < 0 || layer.size as u64 > limit {
            return Err(InstallError::TooLarge {
                what: format!("oci://{reference} ({})", layer.digest),
                limit,
            });
        }
        let mut out = Vec::with_capacity(layer.size as usize);
        // The client checks the bytes against the layer's digest.
        client.pull_blob(&image, layer, &mut out).await.map_err(|e| fail(crate::text::with_causes(&e)))?;
        if out.len() as u64 > limit {
            return Err(InstallError::TooLarge { what: format!("oci://{reference}"), limit });
        }
        Ok(out)
    };
    let bytes = pull(layer, MAX_COMPONENT).await?;
    let signature = match manifest.layers.iter().find(|l| l.media_type == SIGNATURE_MEDIA_TYPE) {
        Some(layer) => Some(String::from_utf8_lossy(&pull(layer, MAX_SIGNATURE).await?).into_owned()),
        None => None,
    };
    Ok(Fetched { bytes, signature })
}
