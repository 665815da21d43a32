//! Budgets cannot be slipped: under a dollar budget a model grove has no
//! price for is refused before anything is sent, and `max-tokens` is cut
//! to what the model can give.

use grove_tests::model_server::Reply;

use crate::support::{Lab, probe};

fn answer() -> Reply {
    Reply::anthropic().text("hi").usage(10, 2).into()
}

fn last_record(lab: &Lab) -> serde_json::Value {
    let text = std::fs::read_to_string(lab.root().join(".git/grove/audit.jsonl")).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

#[test]
fn an_unpriced_model_is_refused_under_a_dollar_budget() {
    let lab = Lab::new(&[("README.md", "hi\n")], vec![answer(), answer()]);
    lab.config("[model]\nretry_base_ms = 10\n[model.default]\nmodel = \"llama3\"\n");
    let out =
        lab.grove(&["run", probe(), "--allow", "model", "--budget", "$1", "model-scan", "00"]).expect(1);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(said.contains("no price for the model `llama3`"), "{said}");
    assert!(said.contains("[model.prices.\"llama3\"]"), "{said}");
    assert!(lab.requests().is_empty(), "nothing may be sent");
    let record = last_record(&lab);
    assert_eq!(record["capability"], "model");
    assert_eq!(record["decision"], "deny");
    assert_eq!(record["decided_by"], "host");

    // The same budget from config.toml holds the same way.
    lab.config("[model]\nretry_base_ms = 10\nbudget = \"$1\"\n[model.default]\nmodel = \"llama3\"\n");
    lab.grove(&["run", probe(), "--allow", "model", "model-scan", "00"]).expect(1);
    assert!(lab.requests().is_empty(), "nothing may be sent");

    // A token budget counts any model; a price makes a dollar budget exact.
    lab.grove(&["run", probe(), "--allow", "model", "--budget", "10k", "model-scan", "00"]).expect(0);
    lab.config(
        "[model]\nretry_base_ms = 10\nbudget = \"$1\"\n[model.default]\nmodel = \"llama3\"\n\
         [model.prices.llama3]\ninput = 0.0\noutput = 0.0\n",
    );
    lab.grove(&["run", probe(), "--allow", "model", "model-scan", "00"]).expect(0);
    assert_eq!(lab.requests().len(), 2);
}

#[test]
fn a_priced_model_goes_with_max_tokens_cut_to_its_limit() {
    let lab = Lab::new(&[("README.md", "hi\n")], vec![answer(), answer()]);
    lab.grove(&["run", probe(), "--allow", "model", "--budget", "$1", "model-scan", "00"]).expect(0);
    let sent = lab.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body["max_tokens"], 64, "under the model's limit, as asked");
    assert_eq!(last_record(&lab)["decision"], "allow");

    lab.config("[model]\nretry_base_ms = 10\n[model.max_output_tokens]\n\"claude-sonnet-4-5\" = 16\n");
    lab.grove(&["run", probe(), "--allow", "model", "--budget", "$1", "model-scan", "00"]).expect(0);
    assert_eq!(lab.requests()[1].body["max_tokens"], 16);
}
