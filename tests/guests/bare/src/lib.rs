//! A skill exported with the raw bindings, so it has no manifest section:
//! what a skill written in another language without the SDK looks like.

use grove_sdk::bindings::Guest;
use grove_sdk::{Error, Invocation, Outcome, SkillInfo};

struct Bare;

impl Guest for Bare {
    fn describe() -> SkillInfo {
        SkillInfo {
            name: "bare".into(),
            version: "0.0.1".into(),
            summary: "Has no manifest section".into(),
            usage: "grove run bare.wasm".into(),
            permissions: vec!["workspace:read".into()],
        }
    }

    fn run(invocation: Invocation) -> Result<Outcome, Error> {
        // A call its description does not ask for: refused whatever the
        // user grants.
        if invocation.args.first().is_some_and(|a| a == "notify") {
            let to = grove_sdk::notify::Recipient::Channel("#dev".into());
            return grove_sdk::notify::send(&to, "hi").map(|p| Outcome::ok(format!("sent {}", p.ts)));
        }
        let path = invocation.args.first().cloned().unwrap_or_else(|| "README.md".into());
        let text = grove_sdk::workspace::read_text(&path)?;
        Ok(Outcome::ok(format!("{} bytes", text.len())))
    }
}

grove_sdk::bindings::__export_skill_world!(Bare with_types_in grove_sdk::bindings);
