//! A large generated repository for benchmarks: nested folders of text
//! files that compress like source code, some larger files, executables
//! and symlinks; committed and packed as a clone is. The same seed gives
//! the same repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn git(args: &[&str], dir: &Path) -> String {
    let out = Command::new("git").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[derive(Debug, Default)]
pub struct Stats {
    pub files: usize,
    pub dirs: usize,
    pub bytes: u64,
    pub executables: usize,
    pub symlinks: usize,
}

/// A repository of `files` files: nested folders, mostly 1–8 KiB of text,
/// some larger files, a few executables and symlinks; committed and packed
/// (as a clone is).
pub fn generate(repo: &Path, files: usize) -> Stats {
    use std::os::unix::fs::PermissionsExt;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut stats = Stats::default();
    let mut dirs: Vec<PathBuf> = vec![PathBuf::new()];
    let mut regular: Vec<PathBuf> = Vec::new();
    fs::create_dir_all(repo).unwrap();
    for i in 0..files {
        // A new folder now and then, under a random existing one (depth grows).
        if rng.below(100) < 7 {
            let parent = dirs[rng.below(dirs.len())].clone();
            let dir = parent.join(format!("{}{}", WORDS[rng.below(WORDS.len())], dirs.len()));
            fs::create_dir_all(repo.join(&dir)).unwrap();
            dirs.push(dir);
        }
        let dir = dirs[rng.below(dirs.len())].clone();
        let roll = rng.below(1000);
        if roll < 5 && !regular.is_empty() {
            let target = &regular[rng.below(regular.len())];
            let link = dir.join(format!("link{i}"));
            let up = "../".repeat(dir.components().count());
            std::os::unix::fs::symlink(format!("{up}{}", target.display()), repo.join(&link)).unwrap();
            stats.symlinks += 1;
            continue;
        }
        let (ext, size) = match roll {
            5..25 => ("sh", 200 + rng.below(2_000)),
            25..75 => ("json", 8_192 + rng.below(24 * 1024)),
            75..80 => ("dat", 64 * 1024 + rng.below(192 * 1024)),
            _ => (["rs", "ts", "py", "md", "go"][rng.below(5)], 1_024 + rng.below(7 * 1024)),
        };
        let path = dir.join(format!("file{i}.{ext}"));
        let text = text(&mut rng, size);
        fs::write(repo.join(&path), &text).unwrap();
        if ext == "sh" {
            fs::set_permissions(repo.join(&path), fs::Permissions::from_mode(0o755)).unwrap();
            stats.executables += 1;
        }
        stats.bytes += text.len() as u64;
        regular.push(path);
    }
    stats.files = files;
    stats.dirs = dirs.len() - 1;
    git(&["init", "-q", "-b", "main"], repo);
    // No background `gc --auto` racing the explicit one, or the measurements.
    git(&["config", "gc.auto", "0"], repo);
    git(&["add", "-A"], repo);
    git(&["-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "init"], repo);
    git(&["gc", "-q"], repo);
    stats
}

/// Lines of words and numbers: compresses about as well as source code.
fn text(rng: &mut Rng, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 16);
    while out.len() < size {
        for _ in 0..rng.below(4) {
            out.extend_from_slice(b"    ");
        }
        for _ in 0..3 + rng.below(8) {
            out.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
            if rng.below(4) == 0 {
                out.extend_from_slice(&rng.next().to_string().as_bytes()[..4]);
            }
            out.push(b' ');
        }
        out.push(b'\n');
    }
    out.truncate(size);
    out
}

const WORDS: &[&str] = &[
    "fn", "let", "match", "self", "return", "impl", "struct", "value", "index", "path", "error", "result",
    "config", "option", "buffer", "stream", "worker", "handle", "state", "event", "query", "token", "node",
    "tree", "commit", "branch", "session", "grove", "async", "await", "const", "static", "import", "export",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn pack_size(repo: &Path) -> u64 {
    let pack = repo.join(".git/objects/pack");
    fs::read_dir(pack)
        .map_or(0, |entries| entries.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
}
