//! One palette for the whole GIF. UI frames share their colours (the
//! page's background, its text, its buttons), so a palette learnt once from
//! a sample of frames serves them all, and no frame pays for a quantizer.
//! A page's most common colours go in exactly; NeuQuant (the `image`
//! crate's quantizer) finds the rest.

use std::collections::HashMap;

use color_quant::NeuQuant;
use image::RgbaImage;

/// Colours in the palette; the last index of the 256 is transparency.
pub(super) const COLOURS: usize = 255;
pub(super) const TRANSPARENT: u8 = 255;
/// Colours that go in exactly when a sample has more than [`COLOURS`].
const EXACT: usize = 64;
/// Pixels the palette is learnt from, spread over the sample frames.
const SAMPLED_PIXELS: usize = 200_000;
/// NeuQuant's sampling factor: 1 is its best and slowest, 30 its fastest.
const NEUQUANT_SAMPLING: i32 = 10;
/// Colours are looked up by their top 6 bits a channel.
const BITS: u32 = 6;
const UNKNOWN: u16 = u16::MAX;

#[derive(Debug, Clone)]
pub(super) struct Palette {
    rgb: Vec<[u8; 3]>,
}

impl Palette {
    /// The palette for frames like `sample`.
    pub fn learn(sample: &[RgbaImage]) -> Palette {
        let total: usize = sample.iter().map(|i| i.as_raw().len() / 4).sum();
        let stride = total.div_ceil(SAMPLED_PIXELS).max(1);
        let mut counts: HashMap<[u8; 3], u32> = HashMap::new();
        for image in sample {
            for p in image.as_raw().chunks_exact(4).step_by(stride) {
                *counts.entry([p[0], p[1], p[2]]).or_default() += 1;
            }
        }
        let mut by_count: Vec<([u8; 3], u32)> = counts.into_iter().collect();
        // Most common first; ties by colour, so the palette is the same every run.
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if by_count.len() <= COLOURS {
            return Palette { rgb: by_count.into_iter().map(|(c, _)| c).collect() };
        }
        let mut rgb: Vec<[u8; 3]> = by_count[..EXACT].iter().map(|(c, _)| *c).collect();
        let mut rest = Vec::new();
        for (c, n) in &by_count[EXACT..] {
            for _ in 0..*n {
                rest.extend_from_slice(&[c[0], c[1], c[2], 255]);
            }
        }
        let learnt = NeuQuant::new(NEUQUANT_SAMPLING, COLOURS - EXACT, &rest);
        rgb.extend(learnt.color_map_rgb().chunks_exact(3).map(|c| [c[0], c[1], c[2]]));
        Palette { rgb }
    }

    /// The GIF's colour table: 256 entries, the last one transparency's.
    pub fn table(&self) -> Vec<u8> {
        let mut table: Vec<u8> = self.rgb.iter().flatten().copied().collect();
        table.resize(256 * 3, 0);
        table
    }

    fn nearest(&self, [r, g, b]: [u8; 3]) -> u8 {
        let distance = |c: &[u8; 3]| {
            let (dr, dg, db) = (c[0] as i32 - r as i32, c[1] as i32 - g as i32, c[2] as i32 - b as i32);
            // Eyes are most sensitive to green and least to blue.
            2 * dr * dr + 4 * dg * dg + 3 * db * db
        };
        let best = self.rgb.iter().enumerate().min_by_key(|(_, c)| distance(c));
        best.map_or(0, |(i, _)| i as u8)
    }
}

/// Pixels to palette indices, through a table filled as colours are met
/// (a page has a few thousand distinct colours, not millions). One per
/// thread.
#[derive(Debug)]
pub(super) struct Mapper<'a> {
    palette: &'a Palette,
    table: Vec<u16>,
}

impl<'a> Mapper<'a> {
    pub fn new(palette: &'a Palette) -> Mapper<'a> {
        Mapper { palette, table: vec![UNKNOWN; 1 << (3 * BITS)] }
    }

    /// The palette index of every pixel of `image`.
    pub fn indices(&mut self, image: &RgbaImage) -> Vec<u8> {
        let drop = 8 - BITS;
        let mut out = Vec::with_capacity(image.as_raw().len() / 4);
        for p in image.as_raw().chunks_exact(4) {
            let key = ((p[0] as usize >> drop) << (2 * BITS))
                | ((p[1] as usize >> drop) << BITS)
                | (p[2] as usize >> drop);
            let mut index = self.table[key];
            if index == UNKNOWN {
                // The middle of the cell, so every thread picks the same colour.
                let (low, half) = ((1u8 << drop) - 1, 1u8 << (drop - 1));
                let centre = [p[0], p[1], p[2]].map(|c| (c & !low) | half);
                index = self.palette.nearest(centre) as u16;
                self.table[key] = index;
            }
            out.push(index as u8);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    #[test]
    fn a_page_of_few_colours_keeps_them_exactly() {
        let mut image = RgbaImage::from_pixel(64, 64, Rgba([255, 255, 255, 255]));
        for x in 0..64 {
            image.put_pixel(x, 10, Rgba([37, 99, 235, 255]));
        }
        let palette = Palette::learn(&[image]);
        assert_eq!(palette.rgb, [[255, 255, 255], [37, 99, 235]]);
        let mut mapper = Mapper::new(&palette);
        let blue = RgbaImage::from_pixel(1, 1, Rgba([37, 99, 235, 255]));
        assert_eq!(mapper.indices(&blue), [1]);
    }

    #[test]
    fn a_page_of_many_colours_gets_a_full_palette() {
        let image = RgbaImage::from_fn(256, 256, |x, y| Rgba([x as u8, y as u8, 128, 255]));
        let palette = Palette::learn(&[image]);
        assert_eq!(palette.rgb.len(), COLOURS);
        assert_eq!(palette.table().len(), 768);
    }
}
