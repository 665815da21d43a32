//! `grove skill keygen` and `grove skill sign`: minisign keys and
//! signatures for publishing skills.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliError, Exit};
use crate::skill::install::digest::Digest;
use crate::skill::install::signature;

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The publisher's name, as users will trust it under
    /// `[skills.publishers]`.
    pub publisher: String,

    /// Where to write `PUBLISHER.key` (secret, mode 0600) and `PUBLISHER.pub`.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The `.wasm` component to sign; the signature goes beside it,
    /// `COMPONENT.minisig`.
    pub component: PathBuf,

    /// The secret key `grove skill keygen` wrote.
    #[arg(long)]
    pub key: PathBuf,

    /// The publisher named in the signature's trusted comment; the key
    /// file's name without `.key` if not given.
    #[arg(long)]
    pub publisher: Option<String>,
}

fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), CliError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| CliError::new(Exit::Host, format!("cannot write {}: {e}", path.display())))?;
    file.write_all(text.as_bytes()).map_err(|e| CliError::new(Exit::Host, format!("{}: {e}", path.display())))
}

pub fn keygen(args: KeygenArgs) -> Result<Exit, CliError> {
    let name = &args.publisher;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(CliError::new(
            Exit::Usage,
            format!("`{name}` is not a publisher name (letters, digits, - and _)"),
        ));
    }
    let (secret, public) = signature::keygen(name).map_err(|e| CliError::new(Exit::Host, e))?;
    let secret_path = args.dir.join(format!("{name}.key"));
    let public_path = args.dir.join(format!("{name}.pub"));
    write_new(&secret_path, &secret, 0o600)?;
    write_new(&public_path, &format!("{public}\n"), 0o644)?;
    println!("wrote {} (secret: keep it private) and {}", secret_path.display(), public_path.display());
    println!("users trust it with, in config.toml:\n[skills.publishers]\n{name} = \"{public}\"");
    Ok(Exit::Ok)
}

pub fn sign(args: SignArgs) -> Result<Exit, CliError> {
    let bytes = std::fs::read(&args.component)
        .map_err(|e| CliError::new(Exit::Usage, format!("cannot read {}: {e}", args.component.display())))?;
    crate::skill::manifest::inspect(&bytes)
        .map_err(|e| CliError::new(Exit::SkillBroken, format!("{}: {e}", args.component.display())))?;
    let publisher = match &args.publisher {
        Some(p) => p.clone(),
        None => args.key.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
    };
    let digest = Digest::of(&bytes);
    let text = signature::sign(&digest, &args.key, &publisher).map_err(|e| CliError::new(Exit::Usage, e))?;
    let out = signature::beside(&args.component);
    std::fs::write(&out, text)
        .map_err(|e| CliError::new(Exit::Host, format!("cannot write {}: {e}", out.display())))?;
    println!("signed {digest} as {publisher}: {}", out.display());
    Ok(Exit::Ok)
}
