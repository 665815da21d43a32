//! What every benchmark prints with: medians and a markdown table with
//! ratios against a baseline measured in the same run.

use std::time::{Duration, Instant};

/// How long `f` takes.
pub fn timed(f: impl FnOnce()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

/// The median of some samples (the machines benchmarks run on are noisy).
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The sample below which a fraction `q` of the samples lie (0.5 is the
/// median, 0.99 the p99); `sorted` must be sorted.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

/// `count` in `took` as a rate: `612,000/s` (three significant digits; the
/// rest is noise on the machines benchmarks run on).
pub fn fmt_rate(count: usize, took: Duration) -> String {
    let per_second = count as f64 / took.as_secs_f64();
    let magnitude = 10f64.powi((per_second.log10().floor() as i32 - 2).max(0));
    format!("{}/s", fmt_count(((per_second / magnitude).round() * magnitude) as u64))
}

/// `100,084`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// `ns`, `µs` or `ms`, whichever reads best.
pub fn fmt(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 10_000 {
        format!("{ns} ns")
    } else if ns < 10_000_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{:.1} ms", ns as f64 / 1e6)
    }
}

/// A markdown table of measurements, then notes.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<String>,
    notes: Vec<String>,
}

impl Table {
    /// One measurement, with a target and an optional same-run baseline.
    pub fn row(&mut self, what: &str, median: Duration, target: &str, baseline: Option<(&str, Duration)>) {
        let base = match baseline {
            Some((name, b)) => {
                format!("{} ({name}); ratio {:.2}×", fmt(b), median.as_secs_f64() / b.as_secs_f64())
            }
            None => String::new(),
        };
        self.text_row(what, &fmt(median), target, &base);
    }

    /// One measurement that is not a single duration (a rate, a quantile
    /// with its context), already formatted.
    pub fn text_row(&mut self, what: &str, value: &str, target: &str, baseline: &str) {
        self.rows.push(format!("| {what} | {value} | {target} | {baseline} |"));
    }

    /// A line below the table.
    pub fn note(&mut self, text: &str) {
        self.notes.push(format!("- {text}"));
    }

    pub fn print(&self) {
        println!("| measurement | median | target | baseline (same run) |");
        println!("|---|---|---|---|");
        for row in &self.rows {
            println!("{row}");
        }
        println!();
        for note in &self.notes {
            println!("{note}");
        }
    }
}
