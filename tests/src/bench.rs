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
        self.rows.push(format!("| {what} | {} | {target} | {base} |", fmt(median)));
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
