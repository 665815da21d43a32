//! `--model`: the deep tier reviews the diff through a tool whose input
//! is its findings (`grove_review::model` says what is asked and what is
//! kept); what it cost is told with the review.

use grove_diff::Diff;
use grove_review::Finding;
use grove_review::model::{self, Kept};
use grove_sdk::model::{Content, Message, Request, Role, Tier, Tool};
use grove_sdk::prelude::*;

/// What the model's review came to.
#[derive(Debug, Clone)]
pub struct ModelReview {
    pub kept: Kept,
    /// Findings the model made, before any was left out.
    pub said: usize,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl ModelReview {
    /// One line for the report: what was kept and what it cost.
    pub fn line(&self) -> String {
        format!(
            "model review ({}): {} kept of {} ({} outside the diff, {} already found by the rules); \
             {} input + {} output tokens",
            self.model,
            self.kept.findings.len(),
            self.said,
            self.kept.outside,
            self.kept.duplicates,
            self.input_tokens,
            self.output_tokens
        )
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "model": self.model,
            "said": self.said,
            "kept": self.kept.findings.len(),
            "outside_the_diff": self.kept.outside,
            "duplicates": self.kept.duplicates,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
        })
    }
}

/// Ask the deep tier to review `diff_text`; keep what is on its lines and
/// not already in `rules`.
pub fn review(diff_text: &str, diff: &Diff<'_>, rules: &[Finding]) -> Result<ModelReview> {
    let request = Request {
        tier: Tier::Deep,
        model: None,
        effort: None,
        long_context: false,
        system: Some(model::SYSTEM.into()),
        messages: vec![Message { role: Role::User, content: vec![Content::Text(model::prompt(diff_text))] }],
        tools: vec![Tool {
            name: model::TOOL.into(),
            description: "Report the review's findings.".into(),
            input_schema: model::SCHEMA.into(),
        }],
        max_tokens: 8192,
    };
    let response = grove_sdk::model::complete(&request)?;
    let input = response
        .tool_input(model::TOOL)
        .ok_or_else(|| Error::failed("the model answered without findings"))?;
    let said = model::parse(&input)
        .map_err(|e| Error::failed(format!("the model's findings could not be read: {e}")))?;
    let count = said.len();
    Ok(ModelReview {
        kept: model::keep(said, diff, rules),
        said: count,
        model: response.model,
        input_tokens: response.usage.input_tokens
            + response.usage.cache_read_tokens
            + response.usage.cache_write_tokens,
        output_tokens: response.usage.output_tokens,
    })
}
