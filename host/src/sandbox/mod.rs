//! What a program a skill starts runs inside: no network but loopback, and
//! an egress proxy to the hosts the policy allows.

pub mod proxy;
