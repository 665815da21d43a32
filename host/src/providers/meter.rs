//! What a session has spent on models, what that cost, and the budget that
//! stops it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::chat::Usage;

/// A spending limit: tokens of any kind, or US dollars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    Tokens(u64),
    Usd(f64),
}

impl Budget {
    /// `$5`, `5usd`, `2.50$` for dollars; `200000`, `200k`, `1.5M` for tokens.
    pub fn parse(text: &str) -> Result<Budget, String> {
        let t = text.trim().to_ascii_lowercase();
        let bad = || format!("budget {text:?}: write dollars as `$5` or `5usd`, tokens as `200k` or `2m`");
        let dollars = t.strip_prefix('$').or_else(|| t.strip_suffix('$')).or_else(|| t.strip_suffix("usd"));
        if let Some(d) = dollars {
            let usd: f64 = d.trim().parse().map_err(|_| bad())?;
            return if usd.is_finite() && usd > 0.0 { Ok(Budget::Usd(usd)) } else { Err(bad()) };
        }
        let (number, scale) = match t.as_bytes().last() {
            Some(b'k') => (&t[..t.len() - 1], 1e3),
            Some(b'm') => (&t[..t.len() - 1], 1e6),
            _ => (t.as_str(), 1.0),
        };
        let n: f64 = number.trim().parse().map_err(|_| bad())?;
        if !n.is_finite() || n < 1.0 {
            return Err(bad());
        }
        Ok(Budget::Tokens((n * scale).round() as u64))
    }

    /// Whether the two count the same thing (tokens, or dollars).
    pub fn same_unit(self, other: Budget) -> bool {
        matches!((self, other), (Budget::Tokens(_), Budget::Tokens(_)) | (Budget::Usd(_), Budget::Usd(_)))
    }

    /// `tokens` or `dollars`, for messages.
    pub fn unit(self) -> &'static str {
        match self {
            Budget::Tokens(_) => "tokens",
            Budget::Usd(_) => "dollars",
        }
    }

    /// What is left of it once `spent` is taken off; `None` when nothing
    /// is. Dollars are counted in millionths, as the session store keeps
    /// them, so `$1` less `$0.60` leaves `$0.4`, not `$0.39999999999999997`.
    pub fn left_after(self, spent: &Spend) -> Option<Budget> {
        match self {
            Budget::Tokens(limit) => {
                limit.checked_sub(spent.usage.total()).filter(|n| *n > 0).map(Budget::Tokens)
            }
            Budget::Usd(limit) => {
                let left = micro(limit) - micro(spent.cost_usd);
                (left > 0).then(|| Budget::Usd(left as f64 / 1e6))
            }
        }
    }

    /// The smaller of two budgets of the same unit (`self` when they
    /// differ).
    pub fn at_most(self, other: Budget) -> Budget {
        match (self, other) {
            (Budget::Tokens(a), Budget::Tokens(b)) => Budget::Tokens(a.min(b)),
            (Budget::Usd(a), Budget::Usd(b)) => Budget::Usd(a.min(b)),
            _ => self,
        }
    }

    /// How much of it `spent` used, once that is all of it: `110 of 100
    /// tokens`, `$1.02 of $1.00`.
    pub fn spent_by(self, spent: &Spend) -> Option<String> {
        match self {
            Budget::Tokens(limit) if spent.usage.total() >= limit => {
                Some(format!("{} of {limit} tokens", spent.usage.total()))
            }
            Budget::Usd(limit) if micro(spent.cost_usd) >= micro(limit) => {
                Some(format!("{} of {}", usd(spent.cost_usd), usd(limit)))
            }
            _ => None,
        }
    }
}

/// Dollars in millionths.
fn micro(dollars: f64) -> i64 {
    (dollars * 1e6).round() as i64
}

/// As [`Budget::parse`] reads it back: `$2.5` or `200000`.
impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Budget::Tokens(n) => write!(f, "{n}"),
            Budget::Usd(d) => write!(f, "${d}"),
        }
    }
}

/// Dollars as a user reads them: cents (`$2.03`), and below a cent two
/// significant digits (`$0.0004`, `$0.00012`), so a tiny amount is not
/// shown as `$0.00`.
pub fn usd(amount: f64) -> String {
    if amount == 0.0 || amount.abs() >= 0.01 || !amount.is_finite() {
        return format!("${amount:.2}");
    }
    let digits = (-amount.abs().log10()).floor() as usize + 2;
    let text = format!("{amount:.digits$}");
    format!("${}", text.trim_end_matches('0'))
}

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    /// Defaults to a tenth of `input`, as providers price cache reads.
    pub cache_read: Option<f64>,
    /// Defaults to `input` and a quarter.
    pub cache_write: Option<f64>,
}

impl Price {
    const fn new(input: f64, output: f64) -> Price {
        Price { input, output, cache_read: None, cache_write: None }
    }

    fn cost(&self, u: Usage) -> f64 {
        let per = |tokens: u64, rate: f64| tokens as f64 * rate / 1e6;
        per(u.input_tokens, self.input)
            + per(u.output_tokens, self.output)
            + per(u.cache_read_tokens, self.cache_read.unwrap_or(self.input / 10.0))
            + per(u.cache_write_tokens, self.cache_write.unwrap_or(self.input * 1.25))
    }
}

/// Prices by model name. A model matches the longest listed name it starts
/// with, so `claude-sonnet-4-5-20250929` is priced as `claude-sonnet-4-5`.
#[derive(Debug, Clone, Default)]
pub struct Prices(BTreeMap<String, Price>);

impl Prices {
    /// List prices of the models grove names by default.
    pub fn builtin() -> Prices {
        let list = [
            ("claude-haiku-4-5", Price::new(1.0, 5.0)),
            ("claude-sonnet-4", Price::new(3.0, 15.0)),
            ("claude-opus-4-5", Price::new(5.0, 25.0)),
            ("claude-opus-4-1", Price::new(15.0, 75.0)),
            ("gpt-4.1", Price::new(2.0, 8.0)),
            ("gpt-4.1-mini", Price::new(0.4, 1.6)),
        ];
        Prices(list.into_iter().map(|(m, p)| (m.to_string(), p)).collect())
    }

    pub fn set(&mut self, model: String, price: Price) {
        self.0.insert(model, price);
    }

    /// Whether `model` has a price.
    pub fn knows(&self, model: &str) -> bool {
        self.cost(model, Usage::default()).is_some()
    }

    /// What `usage` of `model` cost; `None` for a model with no price.
    pub fn cost(&self, model: &str, usage: Usage) -> Option<f64> {
        self.0
            .iter()
            .filter(|(name, _)| model.starts_with(name.as_str()))
            .max_by_key(|(name, _)| name.len())
            .map(|(_, price)| price.cost(usage))
    }
}

/// Spending so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spend {
    pub calls: u64,
    #[serde(flatten)]
    pub usage: Usage,
    pub cost_usd: f64,
    /// Calls to models with no known price: `cost_usd` leaves them out.
    #[serde(default)]
    pub unpriced_calls: u64,
}

impl Spend {
    /// `12 calls · 48.2k in · 3.1k out · $0.21`.
    pub fn line(&self) -> String {
        let k = |n: u64| if n >= 10_000 { format!("{:.1}k", n as f64 / 1e3) } else { n.to_string() };
        let input = self.usage.input_tokens + self.usage.cache_read_tokens + self.usage.cache_write_tokens;
        let mut line = format!(
            "{} · {} in · {} out",
            crate::text::count(self.calls, "call"),
            k(input),
            k(self.usage.output_tokens)
        );
        if self.unpriced_calls < self.calls {
            line.push_str(&format!(" · {}", usd(self.cost_usd)));
        }
        line
    }
}

/// Counts spending and enforces the budget.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    pub spend: Spend,
    pub budget: Option<Budget>,
}

impl Meter {
    /// Why a call to `model` may not be made under a dollar budget: grove
    /// has no price for it, so what it costs could not be counted.
    ///
    /// Refused rather than counted at the highest known price: a guessed
    /// price is wrong both ways (a local model would be billed as the
    /// dearest one and stop the run early; a dearer new model would slip
    /// past the budget), while a refusal tells the user the one line of
    /// configuration that makes the budget exact.
    pub fn unpriced(&self, prices: &Prices, model: &str) -> Option<String> {
        if !matches!(self.budget, Some(Budget::Usd(_))) || prices.knows(model) {
            return None;
        }
        Some(format!(
            "grove has no price for the model `{model}`, so the dollar budget cannot count what it \
             costs; set its price (dollars per million tokens) in config.toml under \
             [model.prices.\"{model}\"] as `input = …` and `output = …`, or budget in tokens \
             (--budget 500k)"
        ))
    }

    /// The reason no more calls may be made, once the budget is spent.
    pub fn exhausted(&self) -> Option<String> {
        let spent = self.budget?.spent_by(&self.spend)?;
        Some(format!(
            "the model budget is spent ({spent} after {}); raise it with --budget",
            crate::text::count(self.spend.calls, "call")
        ))
    }

    pub fn record(&mut self, prices: &Prices, model: &str, usage: Usage) {
        self.spend.calls += 1;
        self.spend.usage.add(usage);
        match prices.cost(model, usage) {
            Some(cost) => self.spend.cost_usd += cost,
            None => self.spend.unpriced_calls += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_in_dollars_and_tokens() {
        assert_eq!(Budget::parse("$5"), Ok(Budget::Usd(5.0)));
        assert_eq!(Budget::parse("2.5usd"), Ok(Budget::Usd(2.5)));
        assert_eq!(Budget::parse("1$"), Ok(Budget::Usd(1.0)));
        assert_eq!(Budget::parse("200k"), Ok(Budget::Tokens(200_000)));
        assert_eq!(Budget::parse("1.5M"), Ok(Budget::Tokens(1_500_000)));
        assert_eq!(Budget::parse("5000"), Ok(Budget::Tokens(5000)));
        for b in [Budget::Usd(0.125), Budget::Tokens(200_000)] {
            assert_eq!(Budget::parse(&b.to_string()), Ok(b), "{b} reads back");
        }
        for bad in ["", "$", "$-1", "lots", "0", "$nan", "-5k"] {
            assert!(Budget::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn what_is_left_of_a_budget() {
        let spent = |tokens: u64, cost_usd: f64| Spend {
            usage: Usage { input_tokens: tokens, ..Default::default() },
            cost_usd,
            ..Default::default()
        };
        assert_eq!(Budget::Usd(1.0).left_after(&spent(0, 0.6)), Some(Budget::Usd(0.4)));
        assert_eq!(Budget::Usd(1.0).left_after(&spent(0, 1.0)), None);
        assert_eq!(Budget::Tokens(100).left_after(&spent(30, 9.0)), Some(Budget::Tokens(70)));
        assert_eq!(Budget::Tokens(100).left_after(&spent(130, 0.0)), None);
        assert_eq!(Budget::Usd(2.0).at_most(Budget::Usd(0.5)), Budget::Usd(0.5));
        assert_eq!(Budget::Tokens(5).at_most(Budget::Usd(0.5)), Budget::Tokens(5));
        assert!(
            Budget::Usd(1.0).same_unit(Budget::Usd(3.0)) && !Budget::Usd(1.0).same_unit(Budget::Tokens(3))
        );
        assert_eq!(Budget::Usd(1.0).spent_by(&spent(0, 1.02)).as_deref(), Some("$1.02 of $1.00"));
        assert_eq!(Budget::Usd(1.0).spent_by(&spent(0, 0.99)), None);
    }

    #[test]
    fn prices_match_the_longest_prefix() {
        let p = Prices::builtin();
        let u = Usage { input_tokens: 1_000_000, output_tokens: 1_000_000, ..Default::default() };
        assert_eq!(p.cost("claude-sonnet-4-5-20250929", u), Some(18.0));
        assert_eq!(p.cost("gpt-4.1-mini", u), Some(2.0));
        assert_eq!(p.cost("llama3", u), None);
        let cached =
            Usage { cache_read_tokens: 1_000_000, cache_write_tokens: 1_000_000, ..Default::default() };
        assert!((p.cost("claude-haiku-4-5", cached).unwrap() - 1.35).abs() < 1e-9);
    }

    #[test]
    fn the_budget_stops_once_spent() {
        let mut m = Meter { budget: Some(Budget::Tokens(100)), ..Default::default() };
        assert!(m.exhausted().is_none());
        m.record(
            &Prices::builtin(),
            "llama3",
            Usage { input_tokens: 80, output_tokens: 30, ..Default::default() },
        );
        let why = m.exhausted().unwrap();
        assert!(why.contains("110 of 100 tokens"), "{why}");
        assert_eq!(m.spend.unpriced_calls, 1);
        assert_eq!(m.spend.line(), "1 call · 80 in · 30 out");
    }

    #[test]
    fn a_dollar_budget_refuses_models_without_a_price() {
        let prices = Prices::builtin();
        let dollars = Meter { budget: Some(Budget::Usd(1.0)), ..Default::default() };
        let why = dollars.unpriced(&prices, "llama3").unwrap();
        assert!(why.contains("`llama3`") && why.contains("[model.prices.\"llama3\"]"), "{why}");
        assert!(dollars.unpriced(&prices, "claude-sonnet-4-5").is_none());
        let tokens = Meter { budget: Some(Budget::Tokens(1000)), ..Default::default() };
        assert!(tokens.unpriced(&prices, "llama3").is_none());
        assert!(Meter::default().unpriced(&prices, "llama3").is_none());
    }

    #[test]
    fn a_tiny_budget_shows_digits_that_mean_something() {
        let mut m = Meter { budget: Some(Budget::Usd(0.0001)), ..Default::default() };
        let u = Usage { input_tokens: 100, output_tokens: 60, ..Default::default() };
        m.record(&Prices::builtin(), "claude-haiku-4-5", u);
        let why = m.exhausted().unwrap();
        assert!(why.contains("($0.0004 of $0.0001 after 1 call)"), "{why}");
        assert_eq!(m.spend.line(), "1 call · 100 in · 60 out · $0.0004");
        assert_eq!(usd(2.034), "$2.03");
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(0.00012), "$0.00012");
        assert_eq!(usd(0.05), "$0.05");
    }
}
