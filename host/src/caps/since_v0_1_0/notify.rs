//! `notify` of 0.1.0: a message to a channel or a person (0.2.0 added
//! whoever is on call), answered with the message's id, Slack's `ts`
//! (0.2.0 answers its conversation too).

use crate::caps::{CapError, Caps};
use crate::wit::grove::skill::notify as v2;
use crate::wit::v0_1_0::grove::skill::notify as v1;

impl From<v1::Recipient> for v2::Recipient {
    fn from(to: v1::Recipient) -> v2::Recipient {
        match to {
            v1::Recipient::Channel(name) => v2::Recipient::Channel(name),
            v1::Recipient::Person(who) => v2::Recipient::Person(who),
        }
    }
}

impl v1::Host for Caps {
    async fn send(&mut self, to: v1::Recipient, message: String) -> Result<String, CapError> {
        Ok(v2::Host::send(self, to.into(), message).await?.ts)
    }
}
