//! A picture of each variant's page, when `[evidence]` says how the app is
//! served: the variant's commit written into a folder of the workspace, the
//! app served from it (through `process`, so through the gate and the
//! sandbox), its page screenshotted, the app stopped and the copy removed.
//! The picture goes on the variant's card and into the run's evidence. A
//! variant whose app does not come up gets a note saying why, never a
//! failed run.

use base64::Engine;
use grove_app::App;
use grove_app::config::Evidence;
use grove_sdk::evidence::{self, Kind};
use grove_sdk::prelude::*;

use crate::gather::Variant;

/// The viewport a preview is taken at.
const WIDTH: u32 = 800;
const HEIGHT: u32 = 500;

/// What a card shows where its preview goes.
#[derive(Debug, Clone, Default)]
pub enum Preview {
    /// `[evidence]` is not configured.
    #[default]
    Unconfigured,
    /// A PNG of the variant's page, as a `data:` URL.
    Shot(String),
    /// Why there is none.
    Missing(String),
}

/// Take a preview of every variant that finished.
pub fn take_all(config: &Evidence, variants: &mut [Variant]) {
    let total = variants.len() as u64;
    for (i, variant) in variants.iter_mut().enumerate() {
        log::progress("previews", i as u64, total);
        variant.preview = if !variant.passed {
            Preview::Missing("the variant did not finish".into())
        } else {
            match take(config, variant) {
                Ok(png) => {
                    let data = base64::engine::general_purpose::STANDARD.encode(&png);
                    Preview::Shot(format!("data:image/png;base64,{data}"))
                }
                Err(e) => {
                    log::warn(&format!("no preview of variant {}: {}", variant.number, e.message()));
                    Preview::Missing(e.message().to_string())
                }
            }
        };
    }
}

fn take(config: &Evidence, variant: &Variant) -> Result<Vec<u8>> {
    let commit = grove_sdk::changes::resolve(&variant.branch)?;
    let folder = format!(".prototype-preview-{}", variant.number);
    if workspace::stat(&folder).is_ok() {
        workspace::remove(&folder)?;
    }
    workspace::export_commit(&commit, &folder)?;
    let shot = App::serve(config, Some(&folder)).and_then(|app| {
        let png = app.screenshot(&config.url, WIDTH, HEIGHT);
        app.stop();
        png
    });
    if let Err(e) = workspace::remove(&folder) {
        log::warn(&format!("removing {folder}: {}", e.message()));
    }
    let png = shot?;
    let caption = format!("variant {}: {}", variant.number, variant.strategy.title);
    evidence::add(Kind::Png, &caption, &png, Some(&commit))?;
    Ok(png)
}
