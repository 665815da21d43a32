//! The policy key `sandbox`: what happens to the programs a skill starts
//! where the kernel offers no OS sandbox.

/// What happens where the kernel offers no sandbox: the policy key
/// `sandbox`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Requirement {
    /// Refuse to start programs.
    #[default]
    Required,
    /// Start them unsandboxed, after one warning.
    BestEffort,
}

impl Requirement {
    pub const ALL: [Requirement; 2] = [Requirement::Required, Requirement::BestEffort];

    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Required => "required",
            Requirement::BestEffort => "best-effort",
        }
    }

    pub fn parse(text: &str) -> Option<Requirement> {
        Requirement::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether this refuses more than `other`.
    pub fn stricter_than(self, other: Requirement) -> bool {
        self == Requirement::Required && other == Requirement::BestEffort
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_read_as_written() {
        assert_eq!(Requirement::parse("required"), Some(Requirement::Required));
        assert_eq!(Requirement::parse("best-effort"), Some(Requirement::BestEffort));
        assert_eq!(Requirement::parse("off"), None);
        assert_eq!(Requirement::default(), Requirement::Required);
    }
}
