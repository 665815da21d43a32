//! Telling people, through Slack's Web API: the client and its token
//! (`config`, `client`), text that cannot mention anyone or forge a link
//! (`mrkdwn`), messages (`message`), people and channels (`people`), files
//! (`upload`), who a message is for (`routing`, `rota`) and the hand-off
//! of a pull request to its reviewers and the on-call (`handoff`).
//!
//! After a pull request is opened, its code hands it over with:
//!
//! ```no_run
//! # async fn opened(root: &std::path::Path) -> Result<(), grove::notify::Error> {
//! use grove::notify::{Handoff, Routing, Slack, handoff};
//! let pr = Handoff {
//!     url: "https://github.com/acme/app/pull/12".into(),
//!     number: 12,
//!     reviewers: vec!["alice".into()],
//!     gifs: vec![],
//!     failing_checks: vec![],
//!     designers: vec![],
//! };
//! let sent = handoff(&Slack::from_user_config()?, &Routing::load(root)?, &pr).await?;
//! # Ok(()) }
//! ```
//!
//! The token is the host's: a skill reaches Slack only through the
//! `notify` capability, which passes every call through the gate and
//! hands this module the text, never the client.

mod client;
mod config;
mod error;
mod handoff;
mod message;
mod mrkdwn;
mod people;
mod rota;
mod routing;
mod upload;

pub use client::{Body, MAX_RETRIES, MAX_WAIT, Slack};
pub use config::{DEFAULT_API, SlackConfig, Token, user_config_file};
pub use error::{Error, MAX_FILE};
pub use handoff::{Delivery, Handoff, handoff};
pub use message::{Message, Posted};
pub use mrkdwn::{Mrkdwn, escape};
pub use people::looks_like_id;
pub use rota::{Day, today};
pub use routing::{CONFIG, Destination, Routing};
pub use upload::File;
