//! The app a change is seen in, for skills that show it: the `[evidence]`
//! settings of `.grove/config.toml` ([`config`]), the app served through
//! `process.running` and waited for ([`App`]), and a picture of one of its
//! pages ([`App::screenshot`]). The `evidence` skill records scenarios on
//! it; `prototype` shows each variant's page on its card; `designer-check`
//! shows each changed page.

mod app;
pub mod config;

pub use app::{App, clean};
