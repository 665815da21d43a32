//! Recordings made and their GIFs read back with the `gif` crate's decoder.

use std::io::Cursor;
use std::time::Duration;

use image::{Rgba, RgbaImage};

use super::{Budget, Gif, RecordError, Recorder};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 200;
const WHITE: Rgba<u8> = Rgba([255, 255, 255, 255]);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A page: grey lines of "text", and a blue button that is `n` wide.
fn page(n: u32) -> RgbaImage {
    let mut image = RgbaImage::from_pixel(WIDTH, HEIGHT, WHITE);
    for line in 0..5 {
        for x in 20..200 {
            image.put_pixel(x, 20 + line * 12, Rgba([60, 60, 60, 255]));
        }
    }
    for y in 120..140 {
        for x in 20..(40 + n * 8).min(WIDTH) {
            image.put_pixel(x, y, Rgba([37, 99, 235, 255]));
        }
    }
    image
}

/// One decoded GIF frame: the whole picture as it is shown, and its delay.
struct Shown {
    canvas: RgbaImage,
    delay: u16,
}

/// The GIF decoded, each frame drawn over the one before as a viewer does.
fn decode(gif: &Gif) -> Vec<Shown> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(Cursor::new(&gif.bytes)).expect("a GIF");
    assert_eq!((decoder.width() as u32, decoder.height() as u32), (gif.width, gif.height));
    let mut canvas = RgbaImage::new(gif.width, gif.height);
    let mut shown = Vec::new();
    while let Some(frame) = decoder.read_next_frame().expect("a frame") {
        for (i, p) in frame.buffer.chunks_exact(4).enumerate() {
            let (x, y) = (
                frame.left as u32 + i as u32 % frame.width as u32,
                frame.top as u32 + i as u32 / frame.width as u32,
            );
            if p[3] != 0 {
                canvas.put_pixel(x, y, Rgba([p[0], p[1], p[2], 255]));
            }
        }
        shown.push(Shown { canvas: canvas.clone(), delay: frame.delay });
    }
    assert_eq!(shown.len(), gif.frames);
    let total: u64 = shown.iter().map(|s| u64::from(s.delay) * 10).sum();
    assert_eq!(total, gif.duration_ms);
    shown
}

/// Frames `0..n` of a growing button, 100 ms apart.
fn growing(n: u32) -> Recorder {
    let mut recorder = Recorder::new(WIDTH, HEIGHT);
    for i in 0..n {
        recorder.frame(page(i), ms(100 * i as u64)).unwrap();
    }
    recorder
}

fn close(a: Rgba<u8>, b: Rgba<u8>) -> bool {
    a.0.iter().zip(b.0).all(|(x, y)| x.abs_diff(y) <= 8)
}

#[test]
fn a_recording_is_a_gif_of_the_viewport_that_moves() {
    let gif = growing(5).finish(Budget::default()).unwrap();
    assert_eq!((gif.width, gif.height), (WIDTH, HEIGHT));
    assert!(!gif.scaled);
    assert_eq!(gif.dropped_frames, 0);
    let shown = decode(&gif);
    assert_eq!(shown.len(), 5);
    assert_ne!(shown[0].canvas, shown[4].canvas, "the last frame is the first");
    // What is shown is what was recorded (within the palette's reach).
    for (x, y) in [(5, 5), (100, 20), (30, 130), (70, 130)] {
        assert!(close(*shown[4].canvas.get_pixel(x, y), *page(4).get_pixel(x, y)), "at ({x}, {y})");
    }
    assert_eq!(shown.iter().map(|s| s.delay).collect::<Vec<_>>(), [10, 10, 10, 10, 100]);
}

#[test]
fn identical_frames_merge_into_one_longer_frame() {
    let mut recorder = Recorder::new(WIDTH, HEIGHT);
    let mut nearly = page(0);
    nearly.put_pixel(3, 3, Rgba([254, 255, 253, 255])); // a compositor's rounding
    recorder.frame(page(0), ms(0)).unwrap();
    recorder.frame(page(0), ms(100)).unwrap();
    recorder.frame(nearly, ms(200)).unwrap();
    recorder.frame(page(1), ms(300)).unwrap();
    recorder.frame(page(1), ms(400)).unwrap();
    assert_eq!(recorder.frames(), 2);
    let gif = recorder.finish(Budget::default()).unwrap();
    let shown = decode(&gif);
    assert_eq!(shown.iter().map(|s| s.delay).collect::<Vec<_>>(), [30, 110]);
    assert_eq!(gif.duration_ms, 1400);

    let unmerged = growing(4).finish(Budget::default()).unwrap();
    assert!(gif.frames < unmerged.frames);
}

#[test]
fn a_step_shows_its_caption_in_a_bar_at_the_bottom() {
    let mut captioned = Recorder::new(WIDTH, HEIGHT);
    captioned.step("Open the counter page");
    captioned.frame(page(0), ms(0)).unwrap();
    let plain = decode(&growing(1).finish(Budget::default()).unwrap());
    let captioned = decode(&captioned.finish(Budget::default()).unwrap());
    let (plain, captioned) = (&plain[0].canvas, &captioned[0].canvas);
    let differ = |y: u32| (0..WIDTH).filter(|&x| plain.get_pixel(x, y) != captioned.get_pixel(x, y)).count();
    assert!(differ(HEIGHT - 1) > WIDTH as usize / 2, "no bar along the bottom");
    let text_rows =
        (HEIGHT - 20..HEIGHT).map(|y| (0..WIDTH).filter(|&x| captioned.get_pixel(x, y) == &WHITE).count());
    assert!(text_rows.sum::<usize>() > 20, "no caption text in the bar");
    assert!((0..HEIGHT - 30).all(|y| differ(y) == 0), "the page above the bar changed");
}

#[test]
fn a_click_is_ringed_for_half_a_second() {
    let mut clicked = Recorder::new(WIDTH, HEIGHT);
    clicked.click(100, 60);
    clicked.frame(page(0), ms(0)).unwrap();
    clicked.frame(page(1), ms(1000)).unwrap();
    let gif = clicked.finish(Budget::default()).unwrap();
    let shown = decode(&gif);
    let plain = decode(&growing(1).finish(Budget::default()).unwrap());
    let (plain, ringed) = (&plain[0].canvas, &shown[0].canvas);
    let around = |r: u32| {
        (0..360).map(move |deg: u32| {
            let a = (deg as f32).to_radians();
            ((100.0 + r as f32 * a.cos()) as u32, (60.0 + r as f32 * a.sin()) as u32)
        })
    };
    let changed = around(16).filter(|&(x, y)| plain.get_pixel(x, y) != ringed.get_pixel(x, y)).count();
    assert!(changed > 300, "only {changed} of 360 points on the ring changed");
    assert_eq!(plain.get_pixel(100, 60), ringed.get_pixel(100, 60), "the ring is filled");
    assert_eq!(plain.get_pixel(200, 150), ringed.get_pixel(200, 150), "far from the click");
    // Half a second in, the first frame is shown again without its ring.
    assert_eq!(shown.iter().map(|s| s.delay).collect::<Vec<_>>(), [50, 50, 100]);
    assert_eq!(&shown[1].canvas, plain);
}

#[test]
fn over_budget_a_recording_loses_frames_then_size_but_still_plays() {
    let mut recorder = Recorder::new(WIDTH, HEIGHT);
    recorder.step("Grow the button");
    for i in 0..20 {
        recorder.frame(page(i), ms(100 * i as u64)).unwrap();
    }
    let full = growing(20).finish(Budget::default()).unwrap();
    let tiny = recorder.finish(Budget::bytes(1)).unwrap();
    assert!(tiny.scaled);
    assert!(tiny.width < WIDTH && tiny.height < HEIGHT);
    assert!(tiny.bytes.len() < full.bytes.len(), "{} bytes, {} in full", tiny.bytes.len(), full.bytes.len());
    assert_eq!(tiny.dropped_frames, 18, "the step's first and last frames stay");
    let shown = decode(&tiny);
    assert_eq!(shown.len(), 2);
    assert_eq!(tiny.duration_ms, full.duration_ms, "dropping frames keeps the time");
}

#[test]
fn frames_arrive_as_png_screenshots() {
    let mut png = Vec::new();
    page(3).write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let mut recorder = Recorder::new(WIDTH, HEIGHT);
    recorder.frame_png(&png, ms(0)).unwrap();
    assert!(matches!(recorder.frame_png(b"not a png", ms(10)), Err(RecordError::Png(_))));
    let shown = decode(&recorder.finish(Budget::default()).unwrap());
    assert!(close(*shown[0].canvas.get_pixel(60, 130), Rgba([37, 99, 235, 255])));
}

#[test]
fn frames_that_do_not_fit_the_recording_are_refused() {
    let mut recorder = Recorder::new(WIDTH, HEIGHT);
    let err = recorder.frame(RgbaImage::new(640, 400), ms(0)).unwrap_err();
    assert_eq!(err.to_string(), "a 640×400 frame in a 320×200 recording");
    recorder.frame(page(0), ms(100)).unwrap();
    let err = recorder.frame(page(1), ms(50)).unwrap_err();
    assert!(matches!(err, RecordError::Backwards { .. }), "{err}");
    assert!(matches!(Recorder::new(8, 8).finish(Budget::default()), Err(RecordError::Empty)));
}

#[test]
fn a_long_recording_keeps_at_most_its_limit_and_every_action() {
    let mut recorder = Recorder::new(WIDTH, HEIGHT).limit_frames(3);
    for i in 0..10 {
        recorder.frame(page(i), ms(100 * i as u64)).unwrap();
    }
    assert_eq!(recorder.frames(), 3, "frames past the limit replace the last one");
    recorder.click(30, 130);
    recorder.frame(page(10), ms(1000)).unwrap();
    assert_eq!(recorder.frames(), 4, "the frame that shows a click is kept");
    let gif = recorder.finish(Budget::default()).unwrap();
    let shown = decode(&gif);
    // The page as it last was is what the recording ends on.
    assert!(close(*shown[shown.len() - 1].canvas.get_pixel(100, 130), *page(10).get_pixel(100, 130)));
    assert!(close(*shown[2].canvas.get_pixel(100, 130), *page(9).get_pixel(100, 130)));
}
