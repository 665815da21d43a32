//! Log lines and progress shown to the human running grove.

pub use crate::bindings::grove::skill::log::{Level, log, progress};

/// Log at `info`.
pub fn info(message: &str) {
    log(Level::Info, message);
}

/// Log at `warn`.
pub fn warn(message: &str) {
    log(Level::Warn, message);
}

/// Log at `error`.
pub fn error(message: &str) {
    log(Level::Error, message);
}

/// Log at `debug` (shown with `grove -v`).
pub fn debug(message: &str) {
    log(Level::Debug, message);
}
