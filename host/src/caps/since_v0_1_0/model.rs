//! `model` of 0.1.0, which 0.2.0 kept as it was: its records converted
//! one by one.

use super::Adapt;
use crate::caps::{CapError, Caps};
use crate::wit::grove::skill::model as v2;
use crate::wit::v0_1_0::grove::skill::model as v1;

same_cases! {
    v1::Tier = v2::Tier { Fast, Default, Deep }
    v1::Role = v2::Role { User, Assistant }
    v1::Effort = v2::Effort { Low, Medium, High }
    v1::StopReason = v2::StopReason { EndTurn, ToolUse, MaxTokens, Refusal }
    v1::Content = v2::Content { Text(x), Call(x), Result(x) }
}

same_records! {
    v1::Tool = v2::Tool { name, description, input_schema }
    v1::ToolCall = v2::ToolCall { id, name, input }
    v1::ToolResult = v2::ToolResult { call_id, content, is_error }
    v1::Message = v2::Message { role, content }
    v1::Request = v2::Request { tier, model, effort, long_context, system, messages, tools, max_tokens }
    v1::Usage = v2::Usage { input_tokens, output_tokens, cache_read_tokens, cache_write_tokens }
    v1::Response = v2::Response { model, content, stop_reason, usage }
}

impl v1::Host for Caps {
    async fn complete(&mut self, req: v1::Request) -> Result<v1::Response, CapError> {
        Ok(v2::Host::complete(self, req.adapt()).await?.adapt())
    }

    async fn history(&mut self) -> Result<Option<Vec<v1::Message>>, CapError> {
        Ok(v2::Host::history(self).await?.adapt())
    }
}
