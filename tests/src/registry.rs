//! A real OCI registry for tests and benchmarks: Debian's `docker-registry`
//! (the reference distribution server) on a free loopback port, and
//! pushing a WebAssembly component to it the way `wkg` lays one out.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};

/// Where Debian installs the registry.
pub const BIN: &str = "/usr/bin/docker-registry";

/// A running registry; stopped when dropped.
#[derive(Debug)]
pub struct Registry {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Registry {
    /// Start one storing in `dir`; `None` when the binary is not installed.
    pub fn start(dir: &Path) -> Option<Registry> {
        if !Path::new(BIN).exists() {
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let config = dir.join("registry.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
                dir.join("storage").display()
            ),
        )
        .unwrap();
        let child = Command::new(BIN)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let registry = Registry { child, addr };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&registry.addr).is_err() {
            assert!(Instant::now() < deadline, "the registry did not listen on {}", registry.addr);
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(registry)
    }

    /// Push `component` (and `signature` as a second layer) as `name:tag`:
    /// config `application/vnd.wasm.config.v0+json`, layer
    /// `application/wasm`. Returns the `oci://` reference.
    pub fn push(&self, name: &str, component: &[u8], signature: Option<&str>) -> String {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let reference = format!("{}/{name}", self.addr);
        let image: oci_client::Reference = reference.parse().unwrap();
        let client = oci_client::Client::new(ClientConfig {
            protocol: ClientProtocol::Http,
            ..ClientConfig::default()
        });
        let mut layers = vec![ImageLayer::new(component.to_vec(), "application/wasm".into(), None)];
        if let Some(sig) = signature {
            let media_type = "application/vnd.minisign.signature.v1".to_string();
            layers.push(ImageLayer::new(sig.as_bytes().to_vec(), media_type, None));
        }
        let config = Config::new(b"{}".to_vec(), "application/vnd.wasm.config.v0+json".into(), None);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let auth = oci_client::secrets::RegistryAuth::Anonymous;
        runtime.block_on(client.push(&image, &layers, config, &auth, None)).unwrap();
        format!("oci://{reference}")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
