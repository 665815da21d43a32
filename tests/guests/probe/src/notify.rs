//! The probe's commands for `notify`: messages and evidence to people on
//! Slack, and a look through its own memory for the token that sends them.

use grove_sdk::notify::{self, Recipient};
use grove_sdk::prelude::*;

/// `channel NAME`, `person WHO` or `on-call`.
fn recipient(kind: &str, name: &str) -> Recipient {
    match kind {
        "person" => Recipient::Person(name.into()),
        "on-call" => Recipient::OnCall,
        _ => Recipient::Channel(name.into()),
    }
}

pub fn probe(command: &str, rest: &[String]) -> Result<Outcome> {
    let arg = |i: usize| rest.get(i).cloned().unwrap_or_default();
    match command {
        // `notify KIND WHO MESSAGE`: where it went.
        "notify" => notify::send(&recipient(&arg(0), &arg(1)), &arg(2))
            .map(|p| Outcome::ok(format!("sent {} {}", p.conversation, p.ts))),
        // `notify-gif KIND WHO CAPTION COMMENT`: add a small GIF to the
        // evidence bundle and share it.
        "notify-gif" => {
            let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
            let entry = grove_sdk::evidence::add(grove_sdk::evidence::Kind::Gif, &arg(2), gif, None)?;
            notify::share_evidence(&recipient(&arg(0), &arg(1)), &entry.file, &arg(3))
                .map(|id| Outcome::ok(format!("shared {} as {id}", entry.file)))
        }
        // `notify-share KIND WHO FILE`: share a file by the name given.
        "notify-share" => notify::share_evidence(&recipient(&arg(0), &arg(1)), &arg(2), "")
            .map(|id| Outcome::ok(format!("shared {id}"))),
        // `notify-scan HIDDEN`: send a message, then look through this
        // guest's memory for HIDDEN (hex, each byte XOR 0x5a, so the
        // argument itself is not a match).
        "notify-scan" => {
            let sent = notify::send(&Recipient::OnCall, "scanning")?;
            let hidden: Vec<u8> = (0..arg(0).len() / 2)
                .filter_map(|i| u8::from_str_radix(&arg(0)[2 * i..2 * i + 2], 16).ok())
                .collect();
            let found = crate::memory_holds(&hidden);
            Ok(Outcome::ok(format!("sent={} token-in-memory={found}", sent.conversation)))
        }
        _ => Err(Error::invalid(format!("unknown notify command {command:?}"))),
    }
}
