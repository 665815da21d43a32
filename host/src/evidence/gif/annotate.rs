//! The marks a reviewer follows: the step's caption in a bar at the bottom
//! of the frame, and a ring where a click landed. Both are drawn over the
//! page (the GIF stays the viewport's size), in flat colours that survive
//! a 256-colour palette.

use image::{Rgba, RgbaImage};

const BAR: Rgba<u8> = Rgba([24, 24, 28, 255]);
const TEXT: Rgba<u8> = Rgba([255, 255, 255, 255]);
const RING: Rgba<u8> = Rgba([230, 30, 60, 255]);
/// Around the ring, so it shows on a red page as well as a white one.
const RING_EDGE: Rgba<u8> = Rgba([255, 255, 255, 255]);
/// The glyphs are 8×8; the bar pads them by this much (times the font's
/// scale) above and below.
const GLYPH: u32 = 8;
const PAD: u32 = 3;
/// The ring's outer radius and width at full size.
const RING_RADIUS: f32 = 18.0;
const RING_WIDTH: f32 = 4.0;

/// How many pixels a glyph pixel takes: 2 when there is room (legible at
/// a glance), 1 on small frames.
fn font_scale(width: u32) -> u32 {
    if width >= 400 { 2 } else { 1 }
}

/// The caption bar's height on a frame `width` wide.
pub(super) fn bar_height(width: u32) -> u32 {
    (GLYPH + 2 * PAD) * font_scale(width)
}

/// `caption` in a bar across the bottom, cut short with `...` when the
/// frame is too narrow for it.
pub(super) fn caption_bar(image: &mut RgbaImage, caption: &str) {
    let (width, height) = image.dimensions();
    let scale = font_scale(width);
    let bar = bar_height(width).min(height);
    let (top, pad) = (height - bar, PAD * scale);
    for y in top..height {
        for x in 0..width {
            image.put_pixel(x, y, BAR);
        }
    }
    let room = (width.saturating_sub(2 * pad) / (GLYPH * scale)) as usize;
    let text = fit(caption, room);
    let baseline = top + pad.min(bar.saturating_sub(GLYPH * scale) / 2);
    for (i, c) in text.chars().enumerate() {
        draw_glyph(image, glyph(c), pad + i as u32 * GLYPH * scale, baseline, scale);
    }
}

/// `text` in at most `room` characters.
fn fit(text: &str, room: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= room {
        return text.to_string();
    }
    let kept: String = text.chars().take(room.saturating_sub(3)).collect();
    format!("{}...", kept.trim_end())
}

/// The 8×8 bitmap of `c`: ASCII and Latin-1 are drawn, anything else is a `?`.
fn glyph(c: char) -> [u8; 8] {
    use font8x8::legacy::{BASIC_LEGACY, LATIN_LEGACY};
    let code = c as usize;
    match code {
        0x20..0x7f => BASIC_LEGACY[code],
        0xa0..0x100 => LATIN_LEGACY[code - 0xa0],
        _ if c.is_whitespace() => BASIC_LEGACY[b' ' as usize],
        _ => BASIC_LEGACY[b'?' as usize],
    }
}

/// Each row is a byte, its lowest bit the leftmost pixel.
fn draw_glyph(image: &mut RgbaImage, rows: [u8; 8], left: u32, top: u32, scale: u32) {
    for (row, bits) in rows.iter().enumerate() {
        for col in 0..GLYPH {
            if bits & (1 << col) == 0 {
                continue;
            }
            for dy in 0..scale {
                for dx in 0..scale {
                    let (x, y) = (left + col * scale + dx, top + row as u32 * scale + dy);
                    if x < image.width() && y < image.height() {
                        image.put_pixel(x, y, TEXT);
                    }
                }
            }
        }
    }
}

/// A ring centred on (`x`, `y`); `scale` is the frame's size against the
/// viewport's (½ when it was halved).
pub(super) fn click_ring(image: &mut RgbaImage, x: u32, y: u32, scale: f32) {
    let outer = (RING_RADIUS * scale).max(6.0);
    let width = (RING_WIDTH * scale).max(2.0);
    let inner = outer - width;
    let reach = outer + 1.5;
    let (cx, cy) = (x as f32 * scale, y as f32 * scale);
    let x0 = (cx - reach).max(0.0) as u32;
    let y0 = (cy - reach).max(0.0) as u32;
    let x1 = ((cx + reach).ceil() as u32).min(image.width());
    let y1 = ((cy + reach).ceil() as u32).min(image.height());
    for py in y0..y1 {
        for px in x0..x1 {
            let d = ((px as f32 + 0.5 - cx).powi(2) + (py as f32 + 0.5 - cy).powi(2)).sqrt();
            if (inner..=outer).contains(&d) {
                image.put_pixel(px, py, RING);
            } else if (outer..=outer + 1.5).contains(&d) || (inner - 1.5..inner).contains(&d) {
                image.put_pixel(px, py, RING_EDGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_caption_is_cut_short() {
        assert_eq!(fit("Click Save", 20), "Click Save");
        assert_eq!(fit("Click the big green Save button", 12), "Click the...");
    }

    #[test]
    fn a_caption_is_drawn_in_the_bar() {
        let mut image = RgbaImage::from_pixel(640, 100, Rgba([255, 255, 255, 255]));
        caption_bar(&mut image, "Hi");
        let top = 100 - bar_height(640);
        assert_eq!(*image.get_pixel(639, top), BAR);
        let lit = (top..100).flat_map(|y| (0..40).map(move |x| (x, y)));
        assert!(lit.clone().any(|(x, y)| *image.get_pixel(x, y) == TEXT), "no text drawn");
        assert_eq!(*image.get_pixel(320, top - 1), Rgba([255, 255, 255, 255]), "drawn above the bar");
    }

    #[test]
    fn a_ring_at_the_edge_stays_inside_the_frame() {
        let mut image = RgbaImage::new(50, 50);
        click_ring(&mut image, 0, 49, 1.0);
        click_ring(&mut image, 49, 0, 0.5);
        assert!(image.pixels().any(|p| *p == RING));
    }
}
