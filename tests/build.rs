//! Compile the fixture guests in `tests/guests/` to components; their paths
//! are exported as constants by `src/lib.rs`.

use std::fmt::Write;
use std::{env, fs, path::PathBuf};

fn main() {
    let built = grove_guest_build::build(&grove_guest_build::packages_in("tests/guests"));
    let mut code = String::new();
    for (name, path) in &built {
        let constant = name.to_uppercase().replace('-', "_");
        writeln!(code, "/// Path of the compiled `{name}` fixture component.").unwrap();
        writeln!(code, "pub const {constant}: &str = {:?};", path.display().to_string()).unwrap();
    }
    fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("guests.rs"), code).unwrap();
}
