//! The contract with skills, generated from `wit/`, and the one error type
//! a host function answers with; each earlier release of the contract,
//! generated from its frozen folder, in a module of its own (`v0_1_0`).
//!
//! The generated types are the edge: `caps/` converts them to and from the
//! host's own types, and no module below `caps/` names them. Every import
//! is `async` (capabilities such as `process` wait on the outside world).
//! A function whose WIT result is `result<_, error>` returns
//! `Result<T, CapError>`: one path for both what the guest is told and a
//! trap; any other returns `wasmtime::Result<T>`, whose error traps.

#[cfg(test)]
mod contract_tests;
pub mod v0_1_0;

use std::error::Error as StdError;
use std::fmt;

wasmtime::component::bindgen!({
    path: "../wit",
    world: "grove:skill/skill",
    imports: { default: async | trappable },
    exports: { default: async },
    trappable_error_type: { "grove:skill/types.error" => crate::wit::CapError },
    with: {
        "grove:skill/browser.page": crate::wit::Page,
        "grove:skill/process.running": crate::wit::Running,
    },
});

pub use self::grove::skill::types::Error as GuestError;

/// The releases of the contract grove links, oldest first; the last is
/// `wit/`, the others are kept frozen beside it (`wit/since_v*/`) and
/// generated in a module each (`v0_1_0`).
pub const RELEASES: &[&str] = &["0.1.0", "0.2.0"];

/// A page opened by `browser.open`. Only its handle's number crosses the
/// boundary: `caps/browser.rs` keeps the pages by it, so no value of this
/// type is ever made.
#[derive(Debug)]
pub struct Page;

/// A program started by `process.running.start`, kept by `caps/running.rs`
/// by its handle's number like a [`Page`].
#[derive(Debug)]
pub struct Running;

/// Which case of the contract's `error` a failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Denied,
    NotFound,
    Invalid,
    Io,
    Timeout,
    Limit,
    Unsupported,
    Failed,
}

/// How a host function fails: an error the guest is told, with the chain of
/// causes it came from, or a trap that stops the guest (a host bug, an
/// exhausted limit).
#[derive(Debug)]
pub enum CapError {
    Guest { kind: ErrorKind, error: Box<dyn StdError + Send + Sync> },
    Trap(wasmtime::Error),
}

/// A plain message as an error.
#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

/// A message with a cause beneath it.
#[derive(Debug)]
struct Caused {
    message: String,
    source: Box<dyn StdError + Send + Sync>,
}

impl fmt::Display for Caused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Caused {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

macro_rules! constructors {
    ($($name:ident => $kind:ident),* $(,)?) => {
        $(
            #[doc = concat!("A `", stringify!($name), "` error with `message`.")]
            pub fn $name(message: impl Into<String>) -> CapError {
                CapError::new(ErrorKind::$kind, message)
            }
        )*
    };
}

impl CapError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CapError {
        CapError::Guest { kind, error: Box::new(Message(message.into())) }
    }

    /// An error of `kind` that is `error` itself, its causes kept.
    pub fn of(kind: ErrorKind, error: impl StdError + Send + Sync + 'static) -> CapError {
        CapError::Guest { kind, error: Box::new(error) }
    }

    constructors! {
        denied => Denied, not_found => NotFound, invalid => Invalid, io => Io,
        timeout => Timeout, limit => Limit, unsupported => Unsupported, failed => Failed,
    }

    /// Keep `cause` beneath this error's message.
    pub fn because(self, cause: impl StdError + Send + Sync + 'static) -> CapError {
        match self {
            CapError::Guest { kind, error } => CapError::Guest {
                kind,
                error: Box::new(Caused { message: error.to_string(), source: Box::new(cause) }),
            },
            trap => trap,
        }
    }

    /// The case of the contract's `error`; `None` for a trap.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            CapError::Guest { kind, .. } => Some(*kind),
            CapError::Trap(_) => None,
        }
    }

    /// What the guest gets: the contract's `error`, whose text is the
    /// message followed by each cause it does not already say; or the trap.
    pub fn into_guest(self) -> wasmtime::Result<GuestError> {
        let (kind, error) = match self {
            CapError::Guest { kind, error } => (kind, error),
            CapError::Trap(trap) => return Err(trap),
        };
        let mut text = error.to_string();
        let mut cause = error.source();
        while let Some(c) = cause {
            let said = c.to_string();
            if !said.is_empty() && !text.contains(&said) {
                text = format!("{text}: {said}");
            }
            cause = c.source();
        }
        Ok(match kind {
            ErrorKind::Denied => GuestError::Denied(text),
            ErrorKind::NotFound => GuestError::NotFound(text),
            ErrorKind::Invalid => GuestError::Invalid(text),
            ErrorKind::Io => GuestError::Io(text),
            ErrorKind::Timeout => GuestError::Timeout(text),
            ErrorKind::Limit => GuestError::Limit(text),
            ErrorKind::Unsupported => GuestError::Unsupported(text),
            ErrorKind::Failed => GuestError::Failed(text),
        })
    }
}

impl fmt::Display for CapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapError::Guest { error, .. } => error.fmt(f),
            CapError::Trap(trap) => write!(f, "{trap:#}"),
        }
    }
}

impl From<wasmtime::Error> for CapError {
    fn from(trap: wasmtime::Error) -> CapError {
        CapError::Trap(trap)
    }
}

/// A task of the blocking pool that panicked is a host bug: the guest stops.
impl From<tokio::task::JoinError> for CapError {
    fn from(e: tokio::task::JoinError) -> CapError {
        CapError::Trap(wasmtime::Error::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guest_hears_each_cause_once() {
        let io = std::io::Error::other("disk full");
        let e = CapError::io("writing a.txt").because(io);
        assert!(matches!(e.into_guest().unwrap(), GuestError::Io(t) if t == "writing a.txt: disk full"));
        let io = std::io::Error::other("disk full");
        let e = CapError::io("writing a.txt: disk full").because(io);
        assert!(matches!(e.into_guest().unwrap(), GuestError::Io(t) if t == "writing a.txt: disk full"));
    }

    #[test]
    fn a_trap_stays_a_trap() {
        assert!(CapError::from(wasmtime::Error::msg("host bug")).into_guest().is_err());
    }
}
