//! Compile the built-in skills in `plugins/` to components, and the
//! sandbox's init (`host/sandbox-init`) to a static binary, and embed them:
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
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out_dir.join("builtins.rs"), code).unwrap();

    let init = grove_guest_build::build_static(
        "grove-sandbox-init",
        "host/sandbox-init",
        "grove-sandbox-init",
        "sandbox-init",
    );
    let code = match init {
        Some(path) => format!("Some(include_bytes!({:?}))", path.display().to_string()),
        None => "None".to_string(),
    };
    let code = format!(
        "/// The sandbox's init, a static binary, where one was built for this target.\npub static SANDBOX_INIT: Option<&[u8]> = {code};\n"
    );
    fs::write(out_dir.join("sandbox_init.rs"), code).unwrap();
}
