//! Evidence GIF benchmark: how fast a recording becomes a GIF, and how big
//! it is. Ten seconds of a 1280×720 page at 10 frames a second are made up
//! the way a browser would show them: a header, a sidebar, paragraphs of
//! antialiased text, buttons, a counter that ticks, a cursor that moves, a
//! list that scrolls, and a page that sits still at the end. They are
//! recorded and encoded by grove, and, as the baseline in the same run, by
//! the `image` crate's own GIF encoder (NeuQuant on every frame).
//!
//! Then a real headless Chromium: start to first screenshot against
//! chromium's own `--screenshot` (`evidence/browser.rs`), and a 5-step
//! scenario end to end through the real `grove run evidence`
//! (`evidence/scenario.rs`).
//!
//! Run: `cargo bench -p grove --bench evidence`. Every figure is a median.

mod evidence {
    pub mod browser;
    pub mod scenario;
}

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use grove::evidence::gif::{Budget, Gif, Recorder};
use grove_tests::bench::{Table, fmt, fmt_count, median, timed};
use image::codecs::gif::GifEncoder;
use image::{Delay, Rgba, RgbaImage};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const FPS: u32 = 10;
const SECONDS: u32 = 10;
const FRAMES: u32 = FPS * SECONDS;
/// Timed encodings by grove, and by the baseline (it is far slower).
const ROUNDS: usize = 5;
const BASELINE_ROUNDS: usize = 3;
/// The baseline's NeuQuant speed: 1 is the `image` crate's default (best
/// and slowest), 10 what the `gif` crate suggests for speed.
const BASELINE_SPEED: i32 = 10;

const BACKGROUND: Rgba<u8> = Rgba([248, 249, 251, 255]);
const INK: Rgba<u8> = Rgba([31, 41, 55, 255]);
const MUTED: Rgba<u8> = Rgba([107, 114, 128, 255]);
const BLUE: Rgba<u8> = Rgba([37, 99, 235, 255]);
const WHITE: Rgba<u8> = Rgba([255, 255, 255, 255]);

fn main() {
    let page = Page::new();
    let script = script();
    let frames: Vec<RgbaImage> = script.iter().map(|moment| page.draw(moment)).collect();
    let mut table = Table::default();

    let record = || {
        let mut recorder = Recorder::new(WIDTH, HEIGHT);
        for (moment, frame) in script.iter().zip(&frames) {
            if let Some(caption) = moment.step {
                recorder.step(caption);
            }
            if let Some((x, y)) = moment.click {
                recorder.click(x, y);
            }
            recorder.frame(frame.clone(), moment.at).unwrap();
        }
        recorder
    };
    let kept = record().frames();
    let mut gif = None;
    let ours = median(
        (0..=ROUNDS)
            .map(|_| timed(|| gif = Some(black_box(record().finish(Budget::default()).unwrap()))))
            .skip(1)
            .collect(),
    );
    let gif = gif.unwrap();

    let mut baseline_bytes = 0;
    let theirs = median(
        (0..BASELINE_ROUNDS).map(|_| timed(|| baseline_bytes = black_box(baseline(&frames).len()))).collect(),
    );

    let per_frame = |t: Duration| fmt_fps(FRAMES, t);
    let base = format!(
        "`image::codecs::gif::GifEncoder` (speed {BASELINE_SPEED}): {} = {}; ratio {:.3}×",
        fmt(theirs),
        per_frame(theirs),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    table.text_row(
        &format!("{FRAMES} frames of {WIDTH}×{HEIGHT} recorded and encoded ({SECONDS} s at {FPS} fps), median of {ROUNDS}"),
        &format!("{} = {}", fmt(ours), per_frame(ours)),
        "≥ 30 frames/s",
        &base,
    );
    let rate = |bytes: usize| format!("{} KiB/s", fmt_count((bytes as u64 / 1024) / u64::from(SECONDS)));
    table.text_row(
        &format!(
            "GIF size per second of recording ({} KiB for {SECONDS} s)",
            fmt_count(gif.bytes.len() as u64 / 1024)
        ),
        &rate(gif.bytes.len()),
        "≤ 205 KiB/s (2 MiB for 10 s)",
        &format!("the baseline: {} ({} KiB)", rate(baseline_bytes), fmt_count(baseline_bytes as u64 / 1024)),
    );
    describe(&mut table, &gif, kept);
    evidence::browser::start_to_screenshot(&mut table);
    evidence::scenario::five_steps(&mut table);
    table.print();
}

fn fmt_fps(frames: u32, took: Duration) -> String {
    format!("{:.0} frames/s", f64::from(frames) / took.as_secs_f64())
}

fn describe(table: &mut Table, gif: &Gif, kept: usize) {
    table.note(&format!(
        "grove's GIF: {}×{}, {} frames ({kept} distinct recorded frames of {FRAMES}), {:.1} s, scaled: {}, dropped: {}",
        gif.width,
        gif.height,
        gif.frames,
        gif.duration_ms as f64 / 1000.0,
        gif.scaled,
        gif.dropped_frames
    ));
    table.note(&format!(
        "{} cores; the timing includes handing each frame to the recorder (a copy and a comparison)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    ));
}

/// The `image` crate's GIF encoder on the same frames, 100 ms each.
fn baseline(frames: &[RgbaImage]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(Cursor::new(&mut out), BASELINE_SPEED);
        encoder.set_repeat(image::codecs::gif::Repeat::Infinite).unwrap();
        let delay = Delay::from_saturating_duration(Duration::from_millis(1000 / u64::from(FPS)));
        for frame in frames {
            encoder.encode_frame(image::Frame::from_parts(frame.clone(), 0, 0, delay)).unwrap();
        }
    }
    out
}

/// The page at one moment of the recording.
struct Moment {
    at: Duration,
    /// How far the list has scrolled, in pixels.
    scroll: u32,
    count: u32,
    cursor: (u32, u32),
    step: Option<&'static str>,
    click: Option<(u32, u32)>,
}

/// What happens: the cursor goes to the button (0–3 s), the button is
/// clicked and the counter ticks every half second (3–6 s), the list
/// scrolls (6–8 s), and the page sits still (8–10 s).
fn script() -> Vec<Moment> {
    let button = (300, 200);
    (0..FRAMES)
        .map(|i| {
            let at = Duration::from_millis(u64::from(i) * 1000 / u64::from(FPS));
            let t = i as f32 / FPS as f32;
            let approach = (t / 3.0).min(1.0);
            let cursor = if t < 6.0 {
                (
                    (900.0 + (button.0 as f32 - 900.0) * approach) as u32,
                    (600.0 + (button.1 as f32 - 600.0) * approach) as u32,
                )
            } else {
                (700, 450)
            };
            let count = if t < 3.0 { 0 } else { 1 + ((t.min(6.0) - 3.0) * 2.0) as u32 };
            let scroll = if t < 6.0 { 0 } else { ((t.min(8.0) - 6.0) * FPS as f32) as u32 * 24 };
            let (step, click) = match i {
                0 => (Some("Open the counter page"), None),
                30 => (Some("Click Increment: the counter goes up"), Some(button)),
                60 => (Some("Scroll the list of events"), None),
                80 => (Some("The end state"), None),
                _ => (None, None),
            };
            Moment { at, scroll, count, cursor, step, click }
        })
        .collect()
}

/// The parts of the page that do not change, drawn once.
struct Page {
    /// Header and sidebar.
    chrome: RgbaImage,
    /// The list, taller than the viewport, scrolled through.
    list: RgbaImage,
}

const HEADER: u32 = 64;
const SIDEBAR: u32 = 240;
const LIST_TOP: u32 = 280;

impl Page {
    fn new() -> Page {
        let mut chrome = RgbaImage::from_pixel(WIDTH, HEIGHT, BACKGROUND);
        // A header with a gentle gradient, the way design systems like them.
        for y in 0..HEADER {
            for x in 0..WIDTH {
                let t = x as f32 / WIDTH as f32;
                chrome.put_pixel(x, y, Rgba([(30.0 + 40.0 * t) as u8, (58.0 + 20.0 * t) as u8, 138, 255]));
            }
        }
        text(&mut chrome, 24, 22, "Counter demo", WHITE, 2);
        text(&mut chrome, 1060, 26, "signed in as ada", Rgba([220, 225, 240, 255]), 1);
        rect(&mut chrome, 0, HEADER, SIDEBAR, HEIGHT - HEADER, Rgba([241, 243, 246, 255]));
        for (i, item) in ["Dashboard", "Counters", "Events", "Settings", "Help"].iter().enumerate() {
            let y = HEADER + 24 + i as u32 * 36;
            if i == 1 {
                rect(&mut chrome, 12, y - 8, SIDEBAR - 24, 30, Rgba([219, 234, 254, 255]));
            }
            text(&mut chrome, 28, y, item, if i == 1 { BLUE } else { INK }, 1);
        }
        text(&mut chrome, SIDEBAR + 40, HEADER + 28, "Counters", INK, 3);
        // The button the cursor goes to, and a second one.
        rect(&mut chrome, SIDEBAR + 40, 180, 150, 44, BLUE);
        text(&mut chrome, SIDEBAR + 60, 190, "Increment", WHITE, 1);
        rect(&mut chrome, SIDEBAR + 210, 180, 120, 44, Rgba([229, 231, 235, 255]));
        text(&mut chrome, SIDEBAR + 232, 190, "Reset", INK, 1);

        let mut list = RgbaImage::from_pixel(WIDTH - SIDEBAR, 2 * HEIGHT, BACKGROUND);
        for row in 0..(2 * HEIGHT / 56) {
            let y = row * 56;
            rect(&mut list, 40, y, 900, 48, WHITE);
            rect(&mut list, 40, y + 47, 900, 1, Rgba([229, 231, 235, 255]));
            let badge = [BLUE, Rgba([22, 163, 74, 255]), Rgba([217, 119, 6, 255])][row as usize % 3];
            rect(&mut list, 56, y + 14, 20, 20, badge);
            text(&mut list, 92, y + 10, &format!("Event #{row}: the counter was changed by a user"), INK, 1);
            text(&mut list, 92, y + 28, "2 minutes ago - from the web app - details", MUTED, 1);
        }
        Page { chrome, list }
    }

    fn draw(&self, moment: &Moment) -> RgbaImage {
        let mut frame = self.chrome.clone();
        let pixels: &mut [u8] = &mut frame;
        for y in 0..HEIGHT - LIST_TOP {
            let from = (moment.scroll + y) as usize * self.list.width() as usize * 4;
            let to = ((LIST_TOP + y) as usize * WIDTH as usize + SIDEBAR as usize) * 4;
            let row = &self.list.as_raw()[from..from + self.list.width() as usize * 4];
            pixels[to..to + row.len()].copy_from_slice(row);
        }
        text(&mut frame, SIDEBAR + 380, 186, &format!("Count: {}", moment.count), INK, 2);
        cursor(&mut frame, moment.cursor);
        frame
    }
}

fn rect(image: &mut RgbaImage, x: u32, y: u32, w: u32, h: u32, colour: Rgba<u8>) {
    for py in y..(y + h).min(image.height()) {
        for px in x..(x + w).min(image.width()) {
            image.put_pixel(px, py, colour);
        }
    }
}

/// Antialiased text: each glyph drawn at twice `scale` and averaged down,
/// so edges get the in-between shades real screenshots have.
fn text(image: &mut RgbaImage, x: u32, y: u32, text: &str, colour: Rgba<u8>, scale: u32) {
    for (i, c) in text.chars().enumerate() {
        let rows = font8x8::legacy::BASIC_LEGACY[(c as usize).min(127)];
        let left = x + i as u32 * 8 * scale;
        for gy in 0..8 * scale {
            for gx in 0..8 * scale {
                // Coverage of this pixel: its four half-pixels in the glyph at 2×.
                let mut lit = 0;
                for (sx, sy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (hx, hy) = ((2 * gx + sx) / (2 * scale), (2 * gy + sy + 1) / (2 * scale));
                    if hy < 8 && rows[hy as usize] & (1 << hx) != 0 {
                        lit += 1;
                    }
                }
                let (px, py) = (left + gx, y + gy);
                if lit > 0 && px < image.width() && py < image.height() {
                    let under = *image.get_pixel(px, py);
                    let mix = |a: u8, b: u8| ((a as u32 * lit + b as u32 * (4 - lit)) / 4) as u8;
                    let blended = Rgba([
                        mix(colour[0], under[0]),
                        mix(colour[1], under[1]),
                        mix(colour[2], under[2]),
                        255,
                    ]);
                    image.put_pixel(px, py, blended);
                }
            }
        }
    }
}

/// An arrow pointer with its tip at `at`.
fn cursor(image: &mut RgbaImage, at: (u32, u32)) {
    for dy in 0..18u32 {
        for dx in 0..=dy / 2 + 1 {
            let (x, y) = (at.0 + dx, at.1 + dy);
            if x < image.width() && y < image.height() {
                let edge = dx == 0 || dx == dy / 2 + 1 || dy == 17;
                image.put_pixel(x, y, if edge { WHITE } else { Rgba([0, 0, 0, 255]) });
            }
        }
    }
}
