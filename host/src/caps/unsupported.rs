//! Interfaces of the contract whose host side has not landed yet. They link,
//! pass the gate like any other call, and answer `unsupported`, so a skill
//! written against them today fails with a clear error instead of failing
//! to load.

use wasmtime::component::{HasData, Linker};

use super::{CapError, Caps};
use crate::gate::classify::Subject;
use crate::gate::{Action, Permission};
use crate::wit::grove::skill;

type R<T> = Result<T, CapError>;

impl Caps {
    async fn unsupported<T>(
        &mut self,
        capability: &'static str,
        verb: &'static str,
        permission: Permission,
    ) -> Result<T, CapError> {
        self.unsupported_on(capability, verb, "", permission, Subject::None).await
    }

    /// Like [`Caps::unsupported`], with a subject the gate can judge.
    async fn unsupported_on<T>(
        &mut self,
        capability: &'static str,
        verb: &'static str,
        target: &str,
        permission: Permission,
        subject: Subject<'_>,
    ) -> Result<T, CapError> {
        self.gate.check(Action { capability, verb, target, permission, subject }).await?;
        Err(CapError::unsupported(format!("{capability}.{verb} is not available in this version of grove")))
    }
}

pub(super) fn add_to_linker<T: Send + 'static, D>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> D::Data<'_>,
) -> wasmtime::Result<()>
where
    D: HasData + Send,
    for<'a> D::Data<'a>: skill::types::Host + skill::notify::Host,
{
    skill::notify::add_to_linker::<T, D>(linker, get)
}

impl skill::notify::Host for Caps {
    async fn send(&mut self, _: skill::notify::Recipient, _: String) -> R<String> {
        self.unsupported("notify", "send", Permission::Notify).await
    }
}
