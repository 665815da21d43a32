//! Scenes to GIF bytes. Every frame is drawn with one palette, and only
//! the rectangle that changed since the frame before is written, with the
//! pixels inside it that did not change left transparent: a counter that
//! ticks costs the counter's pixels, not the page's. Frames are drawn,
//! compared and compressed on every core; only the writing is in order.

use std::borrow::Cow;
use std::thread;
use std::time::Duration;

use gif::{DisposalMethod, Encoder, EncodingError, Frame, Repeat};
use image::RgbaImage;

use super::annotate;
use super::palette::{Mapper, Palette, TRANSPARENT};
use super::timeline::Scene;

/// Frames the palette is learnt from, spread over the recording.
const PALETTE_SAMPLE: usize = 6;
/// Fewer scenes than this a thread are not worth a thread.
const SCENES_PER_THREAD: usize = 4;
/// GIF delays are in hundredths of a second, and browsers show anything
/// shorter than two of them for ten.
const SHORTEST_DELAY: u16 = 2;

/// What is encoded: the recorded frames, the steps' captions, and how many
/// times the frames are halved.
#[derive(Debug, Clone, Copy)]
pub(super) struct Source<'a> {
    pub images: &'a [&'a RgbaImage],
    pub captions: &'a [&'a str],
    pub halvings: u32,
}

#[derive(Debug)]
pub(super) struct Encoded {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub frames: usize,
    pub duration_ms: u64,
}

pub(super) fn encode(source: Source<'_>, scenes: &[Scene]) -> Result<Encoded, EncodingError> {
    let sample: Vec<RgbaImage> =
        spread(scenes.len(), PALETTE_SAMPLE).into_iter().map(|i| render(source, &scenes[i])).collect();
    let (width, height) = sample[0].dimensions();
    let palette = Palette::learn(&sample);
    let changes = changes(source, scenes, &palette);

    let mut bytes = Vec::new();
    let mut encoder = Encoder::new(&mut bytes, width as u16, height as u16, &palette.table())?;
    encoder.set_repeat(Repeat::Infinite)?;
    let (mut frames, mut centiseconds) = (0, 0u64);
    // A frame is written once the next change is known: until then, scenes
    // that changed nothing lengthen it.
    let mut held: Option<Frame<'static>> = None;
    for (scene, change) in scenes.iter().zip(changes) {
        let delay = delay(scene);
        centiseconds += u64::from(delay);
        match (change, &mut held) {
            (Some(mut frame), _) => {
                frame.delay = delay;
                if let Some(done) = held.replace(frame) {
                    encoder.write_lzw_pre_encoded_frame(&done)?;
                    frames += 1;
                }
            }
            (None, Some(frame)) => frame.delay = frame.delay.saturating_add(delay),
            (None, None) => unreachable!("the first scene is always a whole frame"),
        }
    }
    if let Some(done) = held {
        encoder.write_lzw_pre_encoded_frame(&done)?;
        frames += 1;
    }
    encoder.into_inner()?;
    Ok(Encoded { bytes, width, height, frames, duration_ms: centiseconds * 10 })
}

/// Up to `n` indices of `0..len`, evenly spread, the first and last among them.
fn spread(len: usize, n: usize) -> Vec<usize> {
    if len <= n {
        return (0..len).collect();
    }
    (0..n).map(|k| k * (len - 1) / (n - 1)).collect()
}

/// A scene's delay: the difference of its ends rounded, so rounding never
/// adds up over a long recording.
fn delay(scene: &Scene) -> u16 {
    let centiseconds = |t: Duration| (t.as_millis() + 5) / 10;
    let delay = centiseconds(scene.end) - centiseconds(scene.start);
    (delay.min(u16::MAX.into()) as u16).max(SHORTEST_DELAY)
}

/// Each scene as the frame that draws it over the one before (LZW
/// compressed), or `None` when it changes nothing. Runs of scenes go to
/// threads; each thread draws the scene before its run to compare with.
fn changes(source: Source<'_>, scenes: &[Scene], palette: &Palette) -> Vec<Option<Frame<'static>>> {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(scenes.len().div_ceil(SCENES_PER_THREAD)).max(1);
    let run = scenes.len().div_ceil(threads);
    thread::scope(|s| {
        let runs: Vec<_> = scenes
            .chunks(run)
            .enumerate()
            .map(|(k, part)| {
                let before = (k * run).checked_sub(1).map(|i| &scenes[i]);
                s.spawn(move || changes_in(source, before, part, palette))
            })
            .collect();
        runs.into_iter().flat_map(|r| r.join().expect("a GIF encoding thread panicked")).collect()
    })
}

fn changes_in(
    source: Source<'_>,
    before: Option<&Scene>,
    scenes: &[Scene],
    palette: &Palette,
) -> Vec<Option<Frame<'static>>> {
    let mut mapper = Mapper::new(palette);
    let mut previous = before.map(|scene| mapper.indices(&render(source, scene)));
    let mut out = Vec::with_capacity(scenes.len());
    for scene in scenes {
        let image = render(source, scene);
        let indices = mapper.indices(&image);
        let mut frame = match &previous {
            None => Some(whole(image.width(), image.height(), indices.clone())),
            Some(previous) => changed(image.width(), previous, &indices),
        };
        if let Some(frame) = &mut frame {
            frame.make_lzw_pre_encoded();
        }
        out.push(frame);
        previous = Some(indices);
    }
    out
}

fn whole(width: u32, height: u32, indices: Vec<u8>) -> Frame<'static> {
    Frame {
        width: width as u16,
        height: height as u16,
        buffer: Cow::Owned(indices),
        dispose: DisposalMethod::Keep,
        ..Frame::default()
    }
}

/// The rectangle where `now` differs from `previous`, unchanged pixels
/// inside it transparent; `None` if nothing changed.
fn changed(width: u32, previous: &[u8], now: &[u8]) -> Option<Frame<'static>> {
    let width = width as usize;
    let (mut top, mut bottom, mut left, mut right) = (None, 0, width, 0);
    for (y, (a, b)) in previous.chunks_exact(width).zip(now.chunks_exact(width)).enumerate() {
        if a == b {
            continue;
        }
        let first = a.iter().zip(b).position(|(p, q)| p != q).unwrap_or(0);
        let last = a.iter().zip(b).rposition(|(p, q)| p != q).unwrap_or(width - 1);
        top.get_or_insert(y);
        bottom = y;
        left = left.min(first);
        right = right.max(last);
    }
    let top = top?;
    let mut buffer = Vec::with_capacity((bottom - top + 1) * (right - left + 1));
    for y in top..=bottom {
        let row = y * width;
        let (a, b) = (&previous[row + left..=row + right], &now[row + left..=row + right]);
        buffer.extend(a.iter().zip(b).map(|(p, q)| if p == q { TRANSPARENT } else { *q }));
    }
    Some(Frame {
        left: left as u16,
        top: top as u16,
        width: (right - left + 1) as u16,
        height: (bottom - top + 1) as u16,
        transparent: Some(TRANSPARENT),
        dispose: DisposalMethod::Keep,
        buffer: Cow::Owned(buffer),
        ..Frame::default()
    })
}

/// A scene as it is shown: the recorded frame at the GIF's size, with its
/// click rings and caption drawn over it.
pub(super) fn render(source: Source<'_>, scene: &Scene) -> RgbaImage {
    let recorded = source.images[scene.shot];
    let mut image = if source.halvings == 0 { recorded.clone() } else { halve(recorded) };
    for _ in 1..source.halvings {
        image = halve(&image);
    }
    let scale = 0.5f32.powi(source.halvings as i32);
    for &(x, y) in &scene.rings {
        annotate::click_ring(&mut image, x, y, scale);
    }
    // An empty caption (a recording of the 0.1.0 contract's, which has no
    // steps) shows no bar.
    if let Some(caption) = scene.step.map(|step| source.captions[step]).filter(|c| !c.is_empty()) {
        annotate::caption_bar(&mut image, caption);
    }
    image
}

/// Half the width and height, each pixel the average of the four it replaces.
pub(super) fn halve(image: &RgbaImage) -> RgbaImage {
    let (width, height) = ((image.width() / 2).max(1), (image.height() / 2).max(1));
    let source = image.as_raw();
    let stride = image.width() as usize * 4;
    let (max_x, max_y) = (image.width() as usize - 1, image.height() as usize - 1);
    let mut out = Vec::with_capacity(width as usize * height as usize * 4);
    for y in 0..height as usize {
        let (r0, r1) = (2 * y * stride, (2 * y + 1).min(max_y) * stride);
        for x in 0..width as usize {
            let (c0, c1) = (2 * x * 4, (2 * x + 1).min(max_x) * 4);
            for ch in 0..4 {
                let sum = source[r0 + c0 + ch] as u32
                    + source[r0 + c1 + ch] as u32
                    + source[r1 + c0 + ch] as u32
                    + source[r1 + c1 + ch] as u32;
                out.push(((sum + 2) / 4) as u8);
            }
        }
    }
    RgbaImage::from_raw(width, height, out).expect("the buffer is width × height pixels")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_changed_rectangle_is_written() {
        let previous = vec![0u8; 8 * 4];
        let mut now = previous.clone();
        now[8 + 2] = 3; // (2, 1)
        now[2 * 8 + 5] = 4; // (5, 2)
        let frame = changed(8, &previous, &now).unwrap();
        assert_eq!((frame.left, frame.top, frame.width, frame.height), (2, 1, 4, 2));
        let t = TRANSPARENT;
        assert_eq!(&*frame.buffer, &[3, t, t, t, t, t, t, 4]);
        assert!(changed(8, &previous, &previous).is_none());
    }

    #[test]
    fn halving_averages() {
        let image = RgbaImage::from_fn(4, 2, |x, _| image::Rgba([if x < 2 { 0 } else { 200 }, 0, 0, 255]));
        let half = halve(&image);
        assert_eq!(half.dimensions(), (2, 1));
        assert_eq!(half.get_pixel(0, 0).0, [0, 0, 0, 255]);
        assert_eq!(half.get_pixel(1, 0).0, [200, 0, 0, 255]);
    }

    #[test]
    fn evenly_spread() {
        assert_eq!(spread(3, 6), [0, 1, 2]);
        assert_eq!(spread(11, 6), [0, 2, 4, 6, 8, 10]);
    }
}
