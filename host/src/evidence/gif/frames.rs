//! The recording: screenshots of one viewport with the time each was
//! taken, and the steps and clicks between them.

use std::time::Duration;

use image::RgbaImage;

use super::budget::{self, Budget};
use super::timeline;

/// How far apart two pixels' channels may be and still count as the same:
/// screenshots of an unchanged page can differ by a rounding step where the
/// compositor blends.
const PIXEL_TOLERANCE: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("a {got_width}×{got_height} frame in a {width}×{height} recording")]
    Size { width: u32, height: u32, got_width: u32, got_height: u32 },
    #[error("a frame at {at:?} comes after one at {previous:?}")]
    Backwards { at: Duration, previous: Duration },
    #[error("the screenshot is not a PNG grove can read: {0}")]
    Png(#[from] image::ImageError),
    #[error("nothing was recorded: no frame was captured")]
    Empty,
    #[error("the GIF could not be written: {0}")]
    Encode(#[from] gif::EncodingError),
}

/// One screenshot, shown from `at` until the next one.
#[derive(Debug)]
pub(super) struct Shot {
    pub image: RgbaImage,
    pub at: Duration,
}

/// A step of the recording: its caption is shown from `at` on.
#[derive(Debug)]
pub(super) struct Step {
    pub caption: String,
    pub at: Duration,
}

/// Where a click landed, and when.
#[derive(Debug, Clone, Copy)]
pub(super) struct Click {
    pub x: u32,
    pub y: u32,
    pub at: Duration,
}

/// Takes frames as they are captured. Identical consecutive frames are kept
/// once (the first is shown for longer), so a page that sits still costs
/// nothing. Steps and clicks take effect at the next frame: they are told
/// to the recorder before the screenshot that shows their result.
#[derive(Debug)]
pub struct Recorder {
    width: u32,
    height: u32,
    shots: Vec<Shot>,
    steps: Vec<Step>,
    clicks: Vec<Click>,
    /// When the latest frame was taken (merged or not): the last frame is
    /// shown until then, and held a while after.
    last_at: Duration,
    /// Captions and clicks waiting for the next frame's time.
    pending_steps: Vec<String>,
    pending_clicks: Vec<(u32, u32)>,
    /// The most frames kept; past it, a frame that comes with no step or
    /// click replaces the one before it.
    max_frames: usize,
}

/// A finished recording.
#[derive(Debug, Clone)]
pub struct Gif {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Frames in the GIF (identical neighbours merged).
    pub frames: usize,
    pub duration_ms: u64,
    /// Whether it was made smaller than the viewport to fit the budget.
    pub scaled: bool,
    /// Recorded frames left out to fit the budget.
    pub dropped_frames: usize,
}

impl Recorder {
    /// A recording of a `width`×`height` viewport.
    pub fn new(width: u32, height: u32) -> Recorder {
        Recorder {
            width,
            height,
            shots: Vec::new(),
            steps: Vec::new(),
            clicks: Vec::new(),
            last_at: Duration::ZERO,
            pending_steps: Vec::new(),
            pending_clicks: Vec::new(),
            max_frames: usize::MAX,
        }
    }

    /// Keep at most `max` frames (and one more for each step or click
    /// after that): what a long recording holds in memory is bounded, and
    /// the frames that show an action are never the ones given up.
    pub fn limit_frames(mut self, max: usize) -> Recorder {
        self.max_frames = max.max(1);
        self
    }

    /// A frame captured `at` after the recording started.
    pub fn frame(&mut self, image: RgbaImage, at: Duration) -> Result<(), RecordError> {
        if image.dimensions() != (self.width, self.height) {
            return Err(RecordError::Size {
                width: self.width,
                height: self.height,
                got_width: image.width(),
                got_height: image.height(),
            });
        }
        if !self.shots.is_empty() && at < self.last_at {
            return Err(RecordError::Backwards { at, previous: self.last_at });
        }
        self.last_at = at;
        let events = !self.pending_steps.is_empty() || !self.pending_clicks.is_empty();
        for caption in self.pending_steps.drain(..) {
            self.steps.push(Step { caption, at });
        }
        for (x, y) in self.pending_clicks.drain(..) {
            self.clicks.push(Click { x, y, at });
        }
        let full = self.shots.len() >= self.max_frames;
        match self.shots.last_mut() {
            // The page sat still and nothing happened: the last frame is shown longer.
            Some(last) if !events && same(&last.image, &image) => {}
            Some(last) if !events && full => last.image = image,
            _ => self.shots.push(Shot { image, at }),
        }
        Ok(())
    }

    /// A frame from a PNG screenshot.
    pub fn frame_png(&mut self, png: &[u8], at: Duration) -> Result<(), RecordError> {
        let image = image::load_from_memory_with_format(png, image::ImageFormat::Png)?.into_rgba8();
        self.frame(image, at)
    }

    /// A new step: its caption is shown from the next frame until the next step.
    pub fn step(&mut self, caption: impl Into<String>) {
        self.pending_steps.push(caption.into());
    }

    /// A click at (`x`, `y`) in viewport pixels: ringed from the next frame
    /// for half a second (or until the next step).
    pub fn click(&mut self, x: u32, y: u32) {
        self.pending_clicks.push((x, y));
    }

    /// Frames kept so far (identical neighbours merged).
    pub fn frames(&self) -> usize {
        self.shots.len()
    }

    /// The GIF, within `budget`: frames are dropped and then the size halved
    /// until it fits (it is never refused for its size). Steps and clicks
    /// told after the last frame show nowhere.
    pub fn finish(self, budget: Budget) -> Result<Gif, RecordError> {
        if self.shots.is_empty() {
            return Err(RecordError::Empty);
        }
        let scenes = timeline::scenes(&self.shots, self.last_at, &self.steps, &self.clicks);
        let captions: Vec<&str> = self.steps.iter().map(|s| s.caption.as_str()).collect();
        let images: Vec<&RgbaImage> = self.shots.iter().map(|s| &s.image).collect();
        Ok(budget::fit(&images, &captions, scenes, budget)?)
    }
}

/// Whether two frames show the same thing, to within [`PIXEL_TOLERANCE`].
fn same(a: &RgbaImage, b: &RgbaImage) -> bool {
    let (a, b) = (a.as_raw(), b.as_raw());
    a == b || a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= PIXEL_TOLERANCE)
}
