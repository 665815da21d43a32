//! `grove serve`: a web page on 127.0.0.1 where a person reviews every
//! session of a repository while they run: all sessions live, one
//! session's transcript, diff, evidence and checks, the approvals it waits
//! on (answered in the same queue `grove approve` and the dashboard use),
//! and merge and remove (run as `grove merge` and `grove rm`, with every
//! check they make).
//!
//! - [`server`]: the router, loopback only, strict headers on everything;
//! - [`auth`]: the Host check, the token and its cookie, the CSRF token;
//! - [`pages`]: the pages, made of regions a live page receives again;
//! - [`live`]: watching the store and the server-sent events;
//! - [`actions`]: approve, deny, merge, remove;
//! - [`html`]: escaping and the frame every page shares.
//!
//! The stylesheet and the one script (`assets/`) are built into the
//! binary; nothing is fetched from anywhere else.

mod actions;
mod auth;
mod html;
mod live;
mod pages;
mod server;

pub use server::{Options, ServeError, Server};
