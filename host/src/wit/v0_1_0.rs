//! The contract as released at 0.1.0, generated from the frozen
//! `wit/since_v0.1.0/`, so that a component built against it links.
//!
//! Its interfaces are named `grove:skill/<x>@0.1.0`, beside the current
//! contract's `@0.2.0` in the same linker. `caps/since_v0_1_0/` implements
//! each by delegating to the current contract's implementation, converting
//! the types; the error type and the page resource are the current ones,
//! so a 0.1.0 call fails and holds a page exactly like a 0.2.0 call.

wasmtime::component::bindgen!({
    path: "../wit/since_v0.1.0",
    world: "grove:skill/skill@0.1.0",
    imports: { default: async | trappable },
    exports: { default: async },
    trappable_error_type: { "grove:skill/types@0.1.0.error" => crate::wit::CapError },
    with: {
        "grove:skill/browser@0.1.0.page": crate::wit::Page,
    },
});
