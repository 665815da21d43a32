//! Hello world as a WASI command, for the baseline `wasmtime run`.

fn main() {
    println!("Hello, world!");
}
