//! The most output tokens each model may be asked for: a skill's
//! `max-tokens` is cut to it, so a request can neither fail at the provider
//! for asking too much nor reserve more than the model can spend.

use std::collections::BTreeMap;

/// Output-token limits by model name; a model matches the longest listed
/// name it starts with, as prices do.
#[derive(Debug, Clone, Default)]
pub struct MaxOutput(BTreeMap<String, u32>);

impl MaxOutput {
    /// The published limits of the models grove names by default.
    pub fn builtin() -> MaxOutput {
        let list = [
            ("claude-haiku-4-5", 64_000),
            ("claude-sonnet-4", 64_000),
            ("claude-opus-4-5", 64_000),
            ("claude-opus-4-1", 32_000),
            ("gpt-4.1", 32_768),
            ("gpt-4.1-mini", 32_768),
        ];
        MaxOutput(list.into_iter().map(|(m, n)| (m.to_string(), n)).collect())
    }

    pub fn set(&mut self, model: String, tokens: u32) {
        self.0.insert(model, tokens);
    }

    /// The limit for `model`, if one is known.
    pub fn get(&self, model: &str) -> Option<u32> {
        self.0
            .iter()
            .filter(|(name, _)| model.starts_with(name.as_str()))
            .max_by_key(|(name, _)| name.len())
            .map(|(_, n)| *n)
    }

    /// `asked`, cut to the model's limit when it is known.
    pub fn clamp(&self, model: &str, asked: u32) -> u32 {
        self.get(model).map_or(asked, |most| asked.min(most))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_are_cut_to_the_longest_matching_model() {
        let mut m = MaxOutput::builtin();
        assert_eq!(m.clamp("claude-opus-4-1-20250805", 100_000), 32_000);
        assert_eq!(m.clamp("claude-sonnet-4-5", 1000), 1000);
        assert_eq!(m.clamp("llama3", 1_000_000), 1_000_000);
        m.set("llama3".into(), 4096);
        assert_eq!(m.clamp("llama3:8b", 1_000_000), 4096);
    }
}
