//! `sessions` of 0.1.0: a spec without arguments for the skill, and a
//! session seen without its cost and time (0.2.0 added both).

use super::Adapt;
use crate::caps::{CapError, Caps};
use crate::wit::grove::skill::sessions as v2;
use crate::wit::v0_1_0::grove::skill::sessions as v1;

type R<T> = Result<T, CapError>;

same_cases! {
    v1::State = v2::State { Queued, Running, WaitingApproval, Done, Failed, Cancelled, Interrupted }
}

impl From<v1::Spec> for v2::Spec {
    fn from(v1::Spec { name, task, skill, base }: v1::Spec) -> v2::Spec {
        v2::Spec { name, task, skill, base, args: Vec::new() }
    }
}

impl From<v2::Info> for v1::Info {
    fn from(v2::Info { name, branch, state, summary, cost_usd: _, elapsed_ms: _ }: v2::Info) -> v1::Info {
        v1::Info { name, branch, state: state.adapt(), summary }
    }
}

impl v1::Host for Caps {
    async fn spawn(&mut self, spec: v1::Spec) -> R<String> {
        v2::Host::spawn(self, spec.into()).await
    }

    async fn wait_any(&mut self, names: Vec<String>) -> R<v1::Info> {
        Ok(v2::Host::wait_any(self, names).await?.into())
    }

    async fn wait_all(&mut self, names: Vec<String>) -> R<Vec<v1::Info>> {
        Ok(v2::Host::wait_all(self, names).await?.into_iter().map(v1::Info::from).collect())
    }

    async fn inspect(&mut self, name: String) -> R<v1::Info> {
        Ok(v2::Host::inspect(self, name).await?.into())
    }

    async fn diff(&mut self, name: String) -> R<String> {
        v2::Host::diff(self, name).await
    }

    async fn cancel(&mut self, name: String) -> R<()> {
        v2::Host::cancel(self, name).await
    }
}
