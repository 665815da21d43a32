//! The static init grove embeds: `grove-sandbox __sandbox-exec …` builds
//! the sandbox and runs the program (see the library).

fn main() {
    grove_sandbox_init::init_if_requested();
    eprintln!(
        "grove sandbox: this binary is the sandbox's init, started by grove: {} {} CWD DEVICE:INODE POLICY -- PROGRAM [ARGS…]",
        grove_sandbox_init::NAME,
        grove_sandbox_init::SUBCOMMAND
    );
    std::process::exit(grove_sandbox_init::SETUP_FAILED)
}
