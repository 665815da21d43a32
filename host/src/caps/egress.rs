//! The egress proxy of one run: started on the first `process.run` when
//! the policy allows any host, so that the programs a skill starts reach
//! those hosts (and no other) through it; stopped when the run's `Caps`
//! drop. Each of its decisions goes to the audit log and the transcript.

use std::sync::Arc;

use super::{CapError, Caps, io_error};
use crate::sandbox::proxy::{Proxy, ProxyHandle, from_policy};
use crate::sandbox::{Network, Scratch};

/// The run's proxy, once started: the private folder its socket is in,
/// and the proxy (dropped first, so its socket goes before the folder).
#[derive(Debug, Default)]
pub struct Egress {
    running: Option<(ProxyHandle, Scratch)>,
}

impl Caps {
    /// Whether the policy lets programs reach any host through the proxy.
    pub(super) fn egress_allowed(&self) -> bool {
        !self.gate.policy().hosts().allowed().is_empty()
    }

    /// How the next program reaches the network: through the run's proxy
    /// (started now if it is not yet) when the policy allows any host,
    /// else its own loopback only.
    pub(super) fn egress_network(&mut self) -> Result<Network, CapError> {
        if !self.egress_allowed() {
            return Ok(Network::Loopback);
        }
        if let Some((proxy, _)) = &self.egress.running {
            return Ok(Network::Proxy(proxy.socket_path().expect("listens on a socket").to_path_buf()));
        }
        // The sandbox reads everything outside the user's secrets, so a
        // socket in a private temporary folder is reachable from inside
        // and by no other user.
        let folder = Scratch::new().map_err(|e| io_error("preparing the egress proxy", e))?;
        let socket = folder.path().join("egress.sock");
        let audit = self.gate.egress_audit();
        let proxy = Proxy::new(from_policy(Arc::clone(self.gate.policy())))
            .on_decision(move |d| audit.record(&d.host, d.port, d.allowed, d.reason.as_deref()))
            .unix_socket(&socket)
            .start()
            .map_err(|e| CapError::io("starting the egress proxy").because(e))?;
        self.egress.running = Some((proxy, folder));
        Ok(Network::Proxy(socket))
    }
}
