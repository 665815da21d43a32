//! `wasi-adapter OUT`: write the reactor adapter (a skill is a library the
//! host calls, not a command with a `main`) to OUT.

fn main() {
    let Some(out) = std::env::args_os().nth(1) else {
        eprintln!("usage: wasi-adapter OUT.wasm");
        std::process::exit(2);
    };
    let bytes = wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER;
    if let Err(e) = std::fs::write(&out, bytes) {
        eprintln!("writing {}: {e}", std::path::Path::new(&out).display());
        std::process::exit(1);
    }
}
