use super::*;

fn project(lang: Lang) -> Project {
    Project { name: "my-check".into(), lang, sdk: None }
}

/// Every file of the current contract; not the released ones kept beside
/// it (`wit/since_v0.1.0/`): a new skill is built against the current one.
#[test]
fn every_interface_of_the_contract_is_carried() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(Result::unwrap)
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| format!("wit/{}", e.file_name().to_string_lossy()))
        .collect();
    on_disk.sort();
    let mut carried: Vec<String> = WIT.iter().map(|(p, _)| p.to_string()).collect();
    carried.sort();
    assert_eq!(carried, on_disk);
}

#[test]
fn every_file_of_each_example_is_carried() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/skills");
    for (lang, files) in [("rust", RUST), ("python", PYTHON), ("js", JS), ("c", C)] {
        let mut on_disk = Vec::new();
        walk(&root.join(lang), &root.join(lang), &mut on_disk);
        on_disk.sort();
        let mut carried: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
        carried.sort();
        assert_eq!(carried, on_disk, "examples/skills/{lang}");
    }
}

/// The files a project has: not what its build leaves, nor the link to
/// the contract.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let kind = entry.file_type().unwrap();
        if kind.is_symlink()
            || ["out", "gen", "target", "node_modules", "__pycache__", "Cargo.lock"].contains(&name.as_str())
        {
            continue;
        }
        if kind.is_dir() {
            walk(root, &entry.path(), out);
        } else {
            out.push(entry.path().strip_prefix(root).unwrap().to_string_lossy().to_string());
        }
    }
}

#[test]
fn the_name_replaces_the_examples_everywhere() {
    for lang in [Lang::Rust, Lang::Python, Lang::Js, Lang::C] {
        let files = project(lang).files().unwrap();
        let toml = &files.iter().find(|(p, _)| p == "grove.toml").unwrap().1;
        assert!(toml.contains("name = \"my-check\""), "{lang}: {toml}");
        for (path, text) in &files {
            assert!(!text.contains(EXAMPLE), "{lang}: {path} still says {EXAMPLE}");
        }
        let wit = files.iter().any(|(p, _)| p == "wit/world.wit");
        assert_eq!(wit, lang != Lang::Rust, "{lang}");
    }
}

#[test]
fn a_rust_project_finds_the_sdk_where_told() {
    let cargo = |p: Project| p.files().unwrap().into_iter().find(|(p, _)| p == "Cargo.toml").unwrap().1;
    assert!(cargo(project(Lang::Rust)).contains(&format!("grove-sdk = {{ git = {SDK_GIT:?} }}")));
    let local = Project { sdk: Some("/src/grove/sdk".into()), ..project(Lang::Rust) };
    assert!(cargo(local).contains("grove-sdk = { path = \"/src/grove/sdk\" }"));
}

#[test]
fn bad_names_and_full_folders_are_refused() {
    for bad in ["", "My", "-x", "a/b", "../up", "x y"] {
        let p = Project { name: bad.into(), ..project(Lang::Python) };
        assert!(matches!(p.files(), Err(ScaffoldError::Name(_))), "{bad:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    assert!(matches!(project(Lang::C).write(dir.path()), Err(ScaffoldError::Exists(_))));
    assert_eq!(std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(), "mine");
}

#[test]
fn a_project_is_written_with_an_executable_build() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("my-check");
    let written = project(Lang::Js).write(&at).unwrap();
    assert!(written.iter().any(|p| p.ends_with("wit/world.wit")));
    let mode = std::fs::metadata(at.join("build.sh")).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111);
}
