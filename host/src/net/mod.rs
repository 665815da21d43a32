//! Reaching the network from the host on a skill's behalf: which addresses
//! are off limits whatever a name resolves to, and the HTTP client the
//! `http` capability sends through. The egress proxy (`sandbox::proxy`)
//! shares the address rules.

pub mod addr;
pub mod client;
