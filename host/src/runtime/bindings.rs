//! Host bindings generated from `wit/`.
//!
//! Every import is `async` (capabilities such as `process` wait on the
//! outside world) and `trappable`: a host function returns
//! `wasmtime::Result<Result<T, Error>>`, where the outer error traps the
//! guest (host bugs, exhausted limits) and the inner one is a typed error
//! the guest handles.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "grove:skill/skill",
    imports: { default: async | trappable },
    exports: { default: async },
    with: {
        "grove:skill/browser.page": crate::caps::unsupported::Page,
    },
});

pub use self::grove::skill::types::Error as GuestError;
