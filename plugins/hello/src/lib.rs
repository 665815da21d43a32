//! The smallest complete skill: greets whoever is named.

use grove_sdk::prelude::*;

struct Hello;

impl Skill for Hello {
    const MANIFEST: Manifest =
        Manifest::new("hello", "Greets whoever is named").usage("grove run hello [NAME]");

    fn run(invocation: Invocation) -> Result<Outcome> {
        let name = invocation.args.first().map_or("world", String::as_str);
        log::debug(&format!("greeting {name}"));
        Ok(Outcome::ok(format!("Hello, {name}!")))
    }
}

grove_sdk::export!(Hello);
