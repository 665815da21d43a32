//! The objective: a command line whose exit code says pass or fail.

use grove_sdk::prelude::*;

/// One run of the check.
pub struct Check {
    pub code: Option<i32>,
    pub timed_out: bool,
    /// stdout and stderr together.
    pub output: String,
}

impl Check {
    pub fn run(command: &str) -> Result<Check> {
        let out = process::Command::new("sh").args(["-c", command]).timeout_ms(1_800_000).run()?;
        let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !stderr.trim().is_empty() {
            if !output.is_empty() && !output.ends_with('\n') {
                output.push('\n');
            }
            output.push_str(&stderr);
        }
        Ok(Check { code: out.code, timed_out: out.timed_out, output })
    }

    pub fn passed(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }

    pub fn status(&self) -> String {
        match (self.code, self.timed_out) {
            (_, true) => "timed out".into(),
            (Some(0), _) => "passes".into(),
            (Some(code), _) => format!("fails with exit code {code}"),
            (None, _) => "was killed by a signal".into(),
        }
    }

    /// The same failure: same status, same output once numbers (timings,
    /// counts of seconds, addresses) are set aside.
    pub fn same_failure(&self, other: &Check) -> bool {
        self.status() == other.status() && fingerprint(&self.output) == fingerprint(&other.output)
    }
}

fn fingerprint(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(code: i32, output: &str) -> Check {
        Check { code: Some(code), timed_out: false, output: output.into() }
    }

    #[test]
    fn timings_do_not_make_a_failure_new() {
        let a = check(101, "test foo ... FAILED\nfinished in 0.12s");
        let b = check(101, "test foo ... FAILED\nfinished in 3.04s");
        assert!(a.same_failure(&b));
        assert!(!a.same_failure(&check(101, "test bar ... FAILED\nfinished in 0.12s")));
        assert!(!a.same_failure(&check(1, "test foo ... FAILED\nfinished in 0.12s")));
    }
}
