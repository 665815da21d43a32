//! Skills compiled into the `grove` binary (see `host/build.rs`).

include!(concat!(env!("OUT_DIR"), "/builtins.rs"));

/// The component bytes of a built-in skill.
pub fn get(name: &str) -> Option<&'static [u8]> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, bytes)| *bytes)
}

/// Every built-in skill: (name, bytes).
pub fn all() -> &'static [(&'static str, &'static [u8])] {
    BUILTINS
}
