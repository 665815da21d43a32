//! `review` of 0.1.0: `open` answers the pull request's number alone and
//! `comment` nothing (0.2.0 answers their pages too); the rest is 0.2.0's.

use super::Adapt;
use crate::caps::{CapError, Caps};
use crate::wit::grove::skill::review as v2;
use crate::wit::v0_1_0::grove::skill::review as v1;

type R<T> = Result<T, CapError>;

same_cases! {
    v1::StatusState = v2::StatusState { Pending, Success, Failure }
}

same_records! {
    v1::PullRequest = v2::PullRequest { title, body, head, base, draft }
}

impl v1::Host for Caps {
    async fn open(&mut self, pr: v1::PullRequest) -> R<u64> {
        Ok(v2::Host::open(self, pr.adapt()).await?.number)
    }

    async fn comment(&mut self, number: u64, body: String) -> R<()> {
        v2::Host::comment(self, number, body).await.map(|_url| ())
    }

    async fn set_status(
        &mut self,
        number: u64,
        context: String,
        state: v1::StatusState,
        description: String,
    ) -> R<()> {
        v2::Host::set_status(self, number, context, state.adapt(), description).await
    }

    async fn attach(&mut self, number: u64, name: String, contents: Vec<u8>) -> R<String> {
        v2::Host::attach(self, number, name, contents).await
    }
}
