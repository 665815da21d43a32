//! Interfaces of the contract whose host side has not landed yet. They link,
//! pass the gate like any other call, and answer `unsupported`, so a skill
//! written against them today fails with a clear error instead of failing
//! to load.

use wasmtime::component::{HasData, Linker, Resource};

use super::Caps;
use crate::gate::Permission;
use crate::runtime::bindings::{GuestError, grove::skill};

type R<T> = wasmtime::Result<Result<T, GuestError>>;

/// The host side of `browser.page`; no page can be opened yet.
pub struct Page;

impl Caps {
    fn unsupported<T>(
        &mut self,
        capability: &'static str,
        verb: &'static str,
        permission: Permission,
    ) -> Result<T, GuestError> {
        self.check(capability, verb, "", permission)?;
        Err(GuestError::Unsupported(format!("{capability}.{verb} is not available in this version of grove")))
    }
}

pub(super) fn add_to_linker<T: Send + 'static, D>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> D::Data<'_>,
) -> wasmtime::Result<()>
where
    D: HasData + Send,
    for<'a> D::Data<'a>: skill::model::Host
        + skill::browser::Host
        + skill::review::Host
        + skill::notify::Host
        + skill::http::Host,
{
    skill::model::add_to_linker::<T, D>(linker, get)?;
    skill::browser::add_to_linker::<T, D>(linker, get)?;
    skill::review::add_to_linker::<T, D>(linker, get)?;
    skill::notify::add_to_linker::<T, D>(linker, get)?;
    skill::http::add_to_linker::<T, D>(linker, get)
}

impl skill::model::Host for Caps {
    async fn complete(&mut self, _: skill::model::Request) -> R<skill::model::Response> {
        Ok(self.unsupported("model", "complete", Permission::Model))
    }
}

impl skill::browser::Host for Caps {}

impl skill::browser::HostPage for Caps {
    async fn open(&mut self, _: String) -> R<Resource<Page>> {
        Ok(self.unsupported("browser", "open", Permission::Browser))
    }
    async fn goto(&mut self, _: Resource<Page>, _: String) -> R<()> {
        Ok(self.unsupported("browser", "goto", Permission::Browser))
    }
    async fn click(&mut self, _: Resource<Page>, _: String) -> R<()> {
        Ok(self.unsupported("browser", "click", Permission::Browser))
    }
    async fn type_(&mut self, _: Resource<Page>, _: String, _: String) -> R<()> {
        Ok(self.unsupported("browser", "type", Permission::Browser))
    }
    async fn wait_for(&mut self, _: Resource<Page>, _: String, _: u32) -> R<()> {
        Ok(self.unsupported("browser", "wait-for", Permission::Browser))
    }
    async fn screenshot(&mut self, _: Resource<Page>) -> R<Vec<u8>> {
        Ok(self.unsupported("browser", "screenshot", Permission::Browser))
    }
    async fn record_start(&mut self, _: Resource<Page>) -> R<()> {
        Ok(self.unsupported("browser", "record-start", Permission::Browser))
    }
    async fn record_stop(&mut self, _: Resource<Page>) -> R<Vec<u8>> {
        Ok(self.unsupported("browser", "record-stop", Permission::Browser))
    }
    async fn drop(&mut self, _: Resource<Page>) -> wasmtime::Result<()> {
        // No page is ever created, so a guest can only hand us a forged
        // handle: that is a guest bug worth trapping on.
        wasmtime::bail!("browser.page handle dropped, but this host never creates pages")
    }
}

impl skill::review::Host for Caps {
    async fn open(&mut self, _: skill::review::PullRequest) -> R<u64> {
        Ok(self.unsupported("review", "open", Permission::Review))
    }
    async fn comment(&mut self, _: u64, _: String) -> R<()> {
        Ok(self.unsupported("review", "comment", Permission::Review))
    }
    async fn set_status(&mut self, _: u64, _: String, _: skill::review::StatusState, _: String) -> R<()> {
        Ok(self.unsupported("review", "set-status", Permission::Review))
    }
    async fn attach(&mut self, _: u64, _: String, _: Vec<u8>) -> R<String> {
        Ok(self.unsupported("review", "attach", Permission::Review))
    }
}

impl skill::notify::Host for Caps {
    async fn send(&mut self, _: skill::notify::Recipient, _: String) -> R<String> {
        Ok(self.unsupported("notify", "send", Permission::Notify))
    }
}

impl skill::http::Host for Caps {
    async fn send(&mut self, _: skill::http::Request) -> R<skill::http::Response> {
        Ok(self.unsupported("http", "send", Permission::Http))
    }
}
