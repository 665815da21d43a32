//! Planning: the deep model proposes strategies through a tool whose input
//! is the structured answer; near duplicates are rejected (by a measured
//! similarity of their approaches) and replacements asked for. Or the
//! user gives the strategies in a file.

use grove_sdk::model::{self, Content, Message, Request, Role, Tier, Tool};
use grove_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::similar::{NEAR_DUPLICATE, similarity};

/// Rounds of asking before going on with what was planned.
const ROUNDS: usize = 3;
const TOOL: &str = "propose_strategies";

/// One way to build the feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    pub title: String,
    pub approach: String,
    #[serde(default)]
    pub tradeoffs: String,
    #[serde(default)]
    pub risks: String,
}

impl Strategy {
    /// What distinctness is measured on.
    fn gist(&self) -> String {
        format!("{} {}", self.title, self.approach)
    }
}

/// A strategy left out for being too like one already taken.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub title: String,
    pub like: String,
    pub similarity: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct Plan {
    pub strategies: Vec<Strategy>,
    pub rejected: Vec<Rejected>,
}

impl Plan {
    /// Take `candidate` unless it is a near duplicate of one taken.
    fn offer(&mut self, candidate: Strategy) {
        let closest = self
            .strategies
            .iter()
            .map(|taken| (taken, similarity(&taken.gist(), &candidate.gist())))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match closest {
            Some((taken, score)) if score >= NEAR_DUPLICATE => self.rejected.push(Rejected {
                title: candidate.title,
                like: taken.title.clone(),
                similarity: (score * 100.0).round() / 100.0,
            }),
            _ => self.strategies.push(candidate),
        }
    }
}

const SYSTEM: &str = "You plan how to build a software feature. Propose implementation strategies that \
differ in approach (architecture, data flow, libraries, where the work happens), not in wording: two \
strategies that a reviewer would call the same idea are one. Each is small enough for one engineer to \
build in a session. Answer only by calling the propose_strategies tool.";

fn tool() -> Tool {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "strategies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "title": { "type": "string", "description": "a few words naming the approach" },
                        "approach": { "type": "string", "description": "how it is built, concretely" },
                        "tradeoffs": { "type": "string", "description": "what it gains and gives up" },
                        "risks": { "type": "string", "description": "what could go wrong" }
                    },
                    "required": ["title", "approach", "tradeoffs", "risks"]
                }
            }
        },
        "required": ["strategies"]
    });
    Tool {
        name: TOOL.into(),
        description: "Propose distinct implementation strategies for the feature.".into(),
        input_schema: schema.to_string(),
    }
}

/// Ask the model for `wanted` distinct strategies for `task`.
pub fn ask(task: &str, wanted: usize, tier: Tier) -> Result<Plan> {
    let mut plan = Plan::default();
    for round in 0..ROUNDS {
        let missing = wanted - plan.strategies.len();
        let rejected_before = plan.rejected.len();
        for candidate in propose(task, missing, &plan, round, tier)? {
            if plan.strategies.len() == wanted {
                break;
            }
            plan.offer(candidate);
        }
        for r in &plan.rejected[rejected_before..] {
            log::info(&format!(
                "left out “{}”: a near duplicate of “{}” (similarity {:.2})",
                r.title, r.like, r.similarity
            ));
        }
        if plan.strategies.len() == wanted {
            return Ok(plan);
        }
    }
    if plan.strategies.len() < 2 {
        return Err(Error::failed(format!(
            "the model proposed {} distinct {} after {ROUNDS} tries; give them yourself with --strategies FILE",
            plan.strategies.len(),
            if plan.strategies.len() == 1 { "strategy" } else { "strategies" }
        )));
    }
    log::warn(&format!(
        "planned {} distinct strategies of the {wanted} asked for; going on with those",
        plan.strategies.len()
    ));
    Ok(plan)
}

/// One request: `missing` more, told what is already taken.
fn propose(task: &str, missing: usize, plan: &Plan, round: usize, tier: Tier) -> Result<Vec<Strategy>> {
    let mut ask = format!("The feature:\n\n{task}\n\nPropose exactly {missing} strategies.");
    if round > 0 {
        ask.push_str("\n\nThese strategies are already taken; yours must differ from them in approach:\n");
        for s in &plan.strategies {
            ask.push_str(&format!("- {}: {}\n", s.title, s.approach));
        }
        if !plan.rejected.is_empty() {
            ask.push_str("\nThese were left out as the same idea as one taken:\n");
            for r in &plan.rejected {
                ask.push_str(&format!("- {} (like {})\n", r.title, r.like));
            }
        }
    }
    let request = Request {
        tier,
        model: None,
        effort: None,
        long_context: false,
        system: Some(SYSTEM.into()),
        messages: vec![Message { role: Role::User, content: vec![Content::Text(ask)] }],
        tools: vec![tool()],
        max_tokens: 4096,
    };
    let response = model::complete(&request)?;
    let input = response
        .tool_input(TOOL)
        .ok_or_else(|| Error::failed("the model answered without proposing strategies"))?;
    #[derive(Deserialize)]
    struct Proposal {
        strategies: Vec<Strategy>,
    }
    let proposal: Proposal = serde_json::from_str(&input)
        .map_err(|e| Error::failed(format!("the model's strategies could not be read: {e}")))?;
    Ok(proposal.strategies.into_iter().filter(|s| !s.title.trim().is_empty()).collect())
}

/// Strategies the user wrote in `text` (TOML: `[[strategy]]` tables with
/// `title`, `approach`, and optionally `tradeoffs` and `risks`).
pub fn from_file(path: &str, text: &str) -> Result<Plan> {
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        strategy: Vec<Strategy>,
    }
    let file: File = toml::from_str(text).map_err(|e| Error::invalid(format!("{path}: {e}")))?;
    if file.strategy.len() < 2 {
        return Err(Error::invalid(format!(
            "{path} gives {} strategies; a comparison needs at least 2 `[[strategy]]` tables with a title and an approach",
            file.strategy.len()
        )));
    }
    let mut plan = Plan::default();
    for s in file.strategy {
        plan.offer(s);
    }
    for r in &plan.rejected {
        log::warn(&format!("{path}: “{}” is a near duplicate of “{}”; left out", r.title, r.like));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(title: &str, approach: &str) -> Strategy {
        Strategy {
            title: title.into(),
            approach: approach.into(),
            tradeoffs: String::new(),
            risks: String::new(),
        }
    }

    #[test]
    fn a_near_duplicate_is_left_out_and_named() {
        let mut plan = Plan::default();
        plan.offer(s("Local storage", "Keep the items in localStorage and re-render the list on change"));
        plan.offer(s("Server API", "A JSON REST endpoint stores items; the page fetches and renders them"));
        plan.offer(s("Browser storage", "Re-render the list on change and keep the items in localStorage"));
        assert_eq!(plan.strategies.len(), 2);
        assert_eq!(plan.rejected[0].title, "Browser storage");
        assert_eq!(plan.rejected[0].like, "Local storage");
    }

    #[test]
    fn strategies_come_from_a_toml_file() {
        let text = "[[strategy]]\ntitle = \"A\"\napproach = \"canvas drawing\"\n\n[[strategy]]\ntitle = \"B\"\napproach = \"svg elements\"\nrisks = \"slow\"\n";
        let plan = from_file("s.toml", text).unwrap();
        assert_eq!(plan.strategies.len(), 2);
        assert_eq!(plan.strategies[1].risks, "slow");
        assert!(from_file("s.toml", "[[strategy]]\ntitle = \"A\"\napproach = \"x\"\n").is_err());
        let err = from_file("s.toml", "[[strategy]\n").unwrap_err();
        assert!(format!("{err:?}").contains("s.toml"), "{err:?}");
    }
}
