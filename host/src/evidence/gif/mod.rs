//! GIF recordings of a change working in a headless browser. A
//! [`Recorder`] takes screenshots as they are captured, and the steps and
//! clicks that explain them; [`Recorder::finish`] turns them into a GIF a
//! reviewer can follow: each step's caption in a bar at the bottom, a ring
//! where each click landed, and no more bytes than a [`Budget`] allows.
//!
//! The pieces: `frames` is the recording, `timeline` turns it into scenes
//! (what is shown, with which marks, for how long), `annotate` draws the
//! marks, `palette` picks the colours, `encode` writes the GIF and
//! `budget` makes it fit.

mod annotate;
mod budget;
mod encode;
mod frames;
mod palette;
mod timeline;

pub use budget::Budget;
pub use frames::{Gif, RecordError, Recorder};

#[cfg(test)]
mod tests;
