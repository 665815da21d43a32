//! Compile the built-in skills in `plugins/` to components and embed them:
//! `cargo install --path host` yields one self-contained `grove`.

use std::fmt::Write;
use std::{env, fs, path::PathBuf};

fn main() {
    let built = grove_guest_build::build(&grove_guest_build::packages_in("plugins"));
    let mut code = String::from(
        "/// Built-in skills: (name, component bytes).\npub static BUILTINS: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &built {
        writeln!(code, "    ({name:?}, include_bytes!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("builtins.rs");
    fs::write(out, code).unwrap();
}
