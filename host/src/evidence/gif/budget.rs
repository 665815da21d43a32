//! Making a GIF fit its size budget. Over budget, every other frame in the
//! middle of each step is dropped (a step's first and last frames, what
//! it started from and what it came to, always stay), again and again;
//! then the frames are halved until it fits. A recording is never refused
//! for its size: at the smallest size it is what it is.

use std::collections::BTreeSet;

use gif::EncodingError;
use image::RgbaImage;

use super::encode::{self, Source};
use super::frames::Gif;
use super::timeline::Scene;

/// Frames are not halved below this many pixels on their shorter side.
const SMALLEST_SIDE: u32 = 32;

/// The most bytes a GIF may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub bytes: usize,
}

impl Budget {
    pub const DEFAULT_BYTES: usize = 5 * 1024 * 1024;

    pub fn bytes(bytes: usize) -> Budget {
        Budget { bytes }
    }
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { bytes: Budget::DEFAULT_BYTES }
    }
}

pub(super) fn fit(
    images: &[&RgbaImage],
    captions: &[&str],
    mut scenes: Vec<Scene>,
    budget: Budget,
) -> Result<Gif, EncodingError> {
    let (width, height) = images[0].dimensions();
    let recorded = shown(&scenes);
    // A GIF is at most 65,535 pixels a side.
    let mut halvings = 0;
    while (width >> halvings) > u16::MAX.into() || (height >> halvings) > u16::MAX.into() {
        halvings += 1;
    }
    loop {
        let encoded = encode::encode(Source { images, captions, halvings }, &scenes)?;
        let over = encoded.bytes.len() > budget.bytes;
        let fewer = if over { thin(&scenes) } else { None };
        let can_halve = width.min(height) >> (halvings + 1) >= SMALLEST_SIDE;
        match fewer {
            Some(fewer) => scenes = fewer,
            None if over && can_halve => halvings += 1,
            None => {
                return Ok(Gif {
                    bytes: encoded.bytes,
                    width: encoded.width,
                    height: encoded.height,
                    frames: encoded.frames,
                    duration_ms: encoded.duration_ms,
                    scaled: halvings > 0,
                    dropped_frames: recorded - shown(&scenes),
                });
            }
        }
    }
}

/// How many recorded frames the scenes show.
fn shown(scenes: &[Scene]) -> usize {
    scenes.iter().map(|s| s.shot).collect::<BTreeSet<_>>().len()
}

/// Every other scene in the middle of each step's run of scenes dropped,
/// the one before it shown for longer; `None` when no step has a middle.
fn thin(scenes: &[Scene]) -> Option<Vec<Scene>> {
    let mut kept: Vec<Scene> = Vec::with_capacity(scenes.len());
    let mut dropped = false;
    for run in scenes.chunk_by(|a, b| a.step == b.step) {
        for (i, scene) in run.iter().enumerate() {
            let ends = i == 0 || i == run.len() - 1;
            match kept.last_mut() {
                Some(previous) if !ends && i % 2 == 1 => {
                    previous.end = scene.end;
                    dropped = true;
                }
                _ => kept.push(scene.clone()),
            }
        }
    }
    dropped.then_some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn scene(shot: usize, step: usize) -> Scene {
        let at = Duration::from_millis(100 * shot as u64);
        Scene { shot, start: at, end: at + Duration::from_millis(100), step: Some(step), rings: Vec::new() }
    }

    #[test]
    fn thinning_keeps_each_steps_first_and_last_frames() {
        let scenes: Vec<Scene> = (0..6).map(|i| scene(i, 0)).chain((6..8).map(|i| scene(i, 1))).collect();
        let once = thin(&scenes).unwrap();
        let shots: Vec<usize> = once.iter().map(|s| s.shot).collect();
        assert_eq!(shots, [0, 2, 4, 5, 6, 7]);
        // The time of a dropped frame goes to the one before it.
        assert_eq!(once[0].end, Duration::from_millis(200));
        assert_eq!(once.last().unwrap().end, scenes.last().unwrap().end);

        let mut last = once;
        while let Some(fewer) = thin(&last) {
            last = fewer;
        }
        let shots: Vec<usize> = last.iter().map(|s| s.shot).collect();
        assert_eq!(shots, [0, 5, 6, 7]);
    }
}
