//! From a recording to scenes: which frame is shown, under which caption
//! and with which click rings, from when until when. A frame is cut in two
//! where a ring disappears while it is shown.

use std::time::Duration;

use super::frames::{Click, Shot, Step};

/// How long the last frame is held: the end state is what a reviewer reads
/// before the GIF loops.
pub(super) const LAST_FRAME_HOLD: Duration = Duration::from_secs(1);
/// How long a click's ring is shown (less if the next step starts sooner).
pub(super) const RING_SHOWN: Duration = Duration::from_millis(500);
/// A GIF frame shorter than this is shown for 100 ms by browsers, so no
/// frame is cut into a piece this short.
const SHORTEST: Duration = Duration::from_millis(20);

/// What is shown from `start` to `end`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scene {
    /// Index of the recorded frame.
    pub shot: usize,
    pub start: Duration,
    pub end: Duration,
    /// Index of the step whose caption is shown, if one has started.
    pub step: Option<usize>,
    /// Where clicks are ringed, in viewport pixels.
    pub rings: Vec<(u32, u32)>,
}

/// The scenes of `shots`, the last of which was still on screen at `last_seen`.
pub(super) fn scenes(shots: &[Shot], last_seen: Duration, steps: &[Step], clicks: &[Click]) -> Vec<Scene> {
    let ring_ends: Vec<Duration> = clicks.iter().map(|c| ring_end(c, steps)).collect();
    let mut scenes = Vec::new();
    for (i, shot) in shots.iter().enumerate() {
        let end = shots.get(i + 1).map_or(last_seen.max(shot.at) + LAST_FRAME_HOLD, |next| next.at);
        // A later frame taken at the same instant replaces this one.
        if end == shot.at {
            continue;
        }
        let mut cuts: Vec<Duration> = ring_ends
            .iter()
            .chain(steps.iter().map(|s| &s.at))
            .copied()
            .filter(|&t| t > shot.at && t < end)
            .collect();
        cuts.sort();
        cuts.dedup();
        let mut start = shot.at;
        for cut in cuts.into_iter().chain([end]) {
            if cut - start < SHORTEST && cut != end {
                continue;
            }
            let step = steps.iter().rposition(|s| s.at <= start);
            let rings = clicks
                .iter()
                .zip(&ring_ends)
                .filter(|(c, until)| c.at <= start && start < **until)
                .map(|(c, _)| (c.x, c.y))
                .collect();
            scenes.push(Scene { shot: i, start, end: cut, step, rings });
            start = cut;
        }
    }
    scenes
}

/// When a click's ring goes: after [`RING_SHOWN`], or when the next step
/// starts if that is sooner.
fn ring_end(click: &Click, steps: &[Step]) -> Duration {
    let next_step = steps.iter().map(|s| s.at).filter(|&t| t > click.at).min();
    next_step.map_or(click.at + RING_SHOWN, |t| t.min(click.at + RING_SHOWN))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbaImage;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn shot(at: u64) -> Shot {
        Shot { image: RgbaImage::new(1, 1), at: ms(at) }
    }

    #[test]
    fn a_frame_is_cut_where_its_ring_goes() {
        let shots = [shot(0), shot(1000)];
        let steps = [Step { caption: "open".into(), at: ms(0) }];
        let clicks = [Click { x: 5, y: 6, at: ms(0) }];
        let s = scenes(&shots, shots.last().unwrap().at, &steps, &clicks);
        let spans: Vec<(u64, u64, usize)> =
            s.iter().map(|s| (s.start.as_millis() as u64, s.end.as_millis() as u64, s.rings.len())).collect();
        assert_eq!(spans, [(0, 500, 1), (500, 1000, 0), (1000, 2000, 0)]);
        assert!(s.iter().all(|s| s.step == Some(0)));
    }

    #[test]
    fn a_ring_goes_when_the_next_step_starts() {
        let shots = [shot(0), shot(200), shot(400)];
        let steps = [Step { caption: "a".into(), at: ms(0) }, Step { caption: "b".into(), at: ms(200) }];
        let clicks = [Click { x: 1, y: 1, at: ms(0) }];
        let s = scenes(&shots, shots.last().unwrap().at, &steps, &clicks);
        assert_eq!(s[0].rings, [(1, 1)]);
        assert!(s[1].rings.is_empty());
        assert_eq!(s[1].step, Some(1));
    }
}
