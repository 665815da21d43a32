//! `browser` of 0.1.0: a page opened at the default viewport, a screenshot
//! of the viewport, a recording without captions that answers the GIF
//! alone. The page is the same resource as 0.2.0's, kept by the same
//! handle, so every call on it is the 0.2.0 call.

use wasmtime::component::Resource;

use crate::caps::{CapError, Caps};
use crate::wit::Page;
use crate::wit::grove::skill::browser as v2;
use crate::wit::v0_1_0::grove::skill::browser as v1;

type R<T> = Result<T, CapError>;

impl v1::Host for Caps {}

impl v1::HostPage for Caps {
    /// 0.1.0 also named a file inside the workspace; 0.2.0 opens http(s)
    /// only, and so does this: such a URL is refused like any other.
    async fn open(&mut self, url: String) -> R<Resource<Page>> {
        v2::HostPage::open(self, url, None).await
    }

    async fn goto(&mut self, page: Resource<Page>, url: String) -> R<()> {
        v2::HostPage::goto(self, page, url).await
    }

    async fn click(&mut self, page: Resource<Page>, selector: String) -> R<()> {
        v2::HostPage::click(self, page, selector).await
    }

    async fn type_(&mut self, page: Resource<Page>, selector: String, text: String) -> R<()> {
        v2::HostPage::type_(self, page, selector, text).await
    }

    async fn wait_for(&mut self, page: Resource<Page>, selector: String, timeout_ms: u32) -> R<()> {
        v2::HostPage::wait_for(self, page, selector, timeout_ms).await
    }

    /// 0.1.0's screenshot is of the viewport.
    async fn screenshot(&mut self, page: Resource<Page>) -> R<Vec<u8>> {
        v2::HostPage::screenshot(self, page, false).await
    }

    /// 0.1.0's recording has no steps: no caption is shown.
    async fn record_start(&mut self, page: Resource<Page>) -> R<()> {
        v2::HostPage::record_start(self, page, String::new()).await
    }

    /// The GIF, within the default size budget.
    async fn record_stop(&mut self, page: Resource<Page>) -> R<Vec<u8>> {
        Ok(v2::HostPage::record_stop(self, page, None).await?.gif)
    }

    async fn drop(&mut self, page: Resource<Page>) -> wasmtime::Result<()> {
        v2::HostPage::drop(self, page).await
    }
}
