//! The released contract 0.1.0 (`wit/since_v0.1.0/`), linked beside the
//! current one so that a component built against it runs unchanged.
//!
//! There is one implementation of each capability, the current one's:
//! every 0.1.0 function here converts its arguments, calls the 0.2.0
//! function of the same interface and name on the same [`Caps`], and
//! converts the answer back. So a 0.1.0 call passes the gate as the same
//! `Action` (the same row of the verbs table, the same classifier, the
//! same audit line) and does the same work; no 0.1.0 call has a path of
//! its own to the world. A function 0.2.0 changed the shape of is adapted
//! here: `browser.page.screenshot()` takes the viewport, `notify.send`
//! answers the message's id, `review.open` the pull request's number,
//! `sessions.spawn` a spec without arguments.
//!
//! A file per interface that changed; `kept.rs` for those 0.2.0 kept as
//! they were (it only added to them), `model.rs` for the model's many
//! records.

use wasmtime::component::Linker;

use super::{Caps, HasCaps};
use crate::wit::v0_1_0::grove::skill as v1;

/// Link every 0.1.0 interface into `linker`, reaching `Caps` through `get`.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut Caps,
) -> wasmtime::Result<()> {
    v1::types::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::log::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::workspace::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::process::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::git::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::ui::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::sessions::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::model::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::http::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::browser::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::notify::add_to_linker::<T, HasCaps>(linker, get)?;
    v1::review::add_to_linker::<T, HasCaps>(linker, get)?;
    Ok(())
}

/// A value of one contract as the same value of the other: the records,
/// enums and variants 0.2.0 kept have the same fields and cases under
/// another name, and convert one by one, both ways.
trait Adapt<T> {
    fn adapt(self) -> T;
}

macro_rules! as_itself {
    ($($t:ty),*) => {$(
        impl Adapt<$t> for $t {
            fn adapt(self) -> $t {
                self
            }
        }
    )*};
}

as_itself!(bool, u8, u16, u32, u64, i32, i64, f64, String);

impl<A: Adapt<B>, B> Adapt<Option<B>> for Option<A> {
    fn adapt(self) -> Option<B> {
        self.map(Adapt::adapt)
    }
}

impl<A: Adapt<B>, B> Adapt<Vec<B>> for Vec<A> {
    fn adapt(self) -> Vec<B> {
        self.into_iter().map(Adapt::adapt).collect()
    }
}

impl<A1: Adapt<B1>, A2: Adapt<B2>, B1, B2> Adapt<(B1, B2)> for (A1, A2) {
    fn adapt(self) -> (B1, B2) {
        (self.0.adapt(), self.1.adapt())
    }
}

/// Records with the same fields in both contracts: each converts to the
/// other field by field (a field added or taken away does not compile).
macro_rules! same_records {
    ($($a:path = $b:path { $($field:ident),* $(,)? })*) => {$(
        impl $crate::caps::since_v0_1_0::Adapt<$b> for $a {
            fn adapt(self) -> $b {
                let $a { $($field),* } = self;
                $b { $($field: $crate::caps::since_v0_1_0::Adapt::adapt($field)),* }
            }
        }
        impl $crate::caps::since_v0_1_0::Adapt<$a> for $b {
            fn adapt(self) -> $a {
                let $b { $($field),* } = self;
                $a { $($field: $crate::caps::since_v0_1_0::Adapt::adapt($field)),* }
            }
        }
    )*};
}

/// Enums, and variants whose cases each carry a value, with the same cases
/// in both contracts.
macro_rules! same_cases {
    ($($a:ty = $b:ty { $($case:ident $(($x:ident))?),* $(,)? })*) => {$(
        impl $crate::caps::since_v0_1_0::Adapt<$b> for $a {
            fn adapt(self) -> $b {
                match self {
                    $(Self::$case $(($x))? => <$b>::$case $(($crate::caps::since_v0_1_0::Adapt::adapt($x)))?),*
                }
            }
        }
        impl $crate::caps::since_v0_1_0::Adapt<$a> for $b {
            fn adapt(self) -> $a {
                match self {
                    $(Self::$case $(($x))? => <$a>::$case $(($crate::caps::since_v0_1_0::Adapt::adapt($x)))?),*
                }
            }
        }
    )*};
}

// After the macros: the files below use them.
mod browser;
mod kept;
mod model;
mod notify;
mod review;
mod sessions;

#[cfg(test)]
mod tests {
    use crate::gate::verbs::Release;

    /// The runtime's list of releases (its messages) and the verbs table's
    /// (what an import reaches) are the same.
    #[test]
    fn the_releases_linked_are_the_releases_judged() {
        let judged: Vec<&str> = [Release::V0_1_0, Release::V0_2_0].map(Release::as_str).to_vec();
        assert_eq!(crate::wit::RELEASES, judged);
        assert_eq!(crate::wit::RELEASES.last(), Some(&Release::CURRENT.as_str()));
    }
}
