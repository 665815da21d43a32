use super::*;

fn toml(permissions: &[&str]) -> GroveToml {
    GroveToml {
        name: "todos".into(),
        version: "0.1.0".into(),
        summary: "Count markers".into(),
        usage: "grove run todos".into(),
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
        publisher: Some("Example <dev@example.com>".into()),
    }
}

/// The fixture without a manifest section: it imports `workspace` (and
/// `types`, `log`, …) through the raw bindings.
fn bare() -> Vec<u8> {
    std::fs::read(grove_tests::BARE).expect("the bare fixture is built")
}

#[test]
fn packing_writes_a_section_grove_reads_back() {
    let packed = pack(&bare(), &toml(&["workspace:read"])).unwrap();
    assert!(!packed.already);
    let info = manifest::inspect(&packed.wasm).unwrap();
    let read = info.manifest.expect("the section is there");
    assert_eq!(read, packed.manifest);
    assert_eq!(read.publisher.as_deref(), Some("Example <dev@example.com>"));
    assert_eq!(info.imports, manifest::inspect(&bare()).unwrap().imports, "the imports are untouched");
    // Packing what is packed with the same manifest changes nothing.
    let again = pack(&packed.wasm, &toml(&["workspace:read"])).unwrap();
    assert!(again.already);
    assert_eq!(again.wasm, packed.wasm);
}

#[test]
fn a_permission_no_import_can_use_is_refused() {
    let imports = manifest::inspect(&bare()).unwrap().imports;
    assert!(!imports.iter().any(|i| i.starts_with("grove:skill/process")), "{imports:?}");
    let e = pack(&bare(), &toml(&["workspace:read", "process"])).unwrap_err();
    assert!(matches!(e, PackError::Unreachable { permission: Permission::Process, .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains("`grove:skill/process`") && text.contains("hint"), "{text}");
}

#[test]
fn unknown_permissions_and_bad_names_are_refused() {
    let e = pack(&bare(), &toml(&["workspace:raed"])).unwrap_err();
    assert!(e.to_string().contains("unknown permission `workspace:raed`"), "{e}");
    let mut bad = toml(&[]);
    bad.name = "Todos!".into();
    assert!(pack(&bare(), &bad).unwrap_err().to_string().contains("name"));
    let mut empty = toml(&[]);
    empty.summary = " ".into();
    assert!(pack(&bare(), &empty).unwrap_err().to_string().contains("summary"));
}

#[test]
fn a_different_manifest_already_there_is_a_conflict() {
    let packed = pack(&bare(), &toml(&["workspace:read"])).unwrap();
    let mut other = toml(&["workspace:read"]);
    other.version = "0.2.0".into();
    let e = pack(&packed.wasm, &other).unwrap_err();
    assert!(matches!(e, PackError::Conflict { .. }), "{e}");
}

#[test]
fn imports_no_permission_reaches_are_reported() {
    // Asking only for `ui`: `workspace` and `git` are imported but idle.
    let packed = pack(&bare(), &toml(&["ui"]));
    let imports = manifest::inspect(&bare()).unwrap().imports;
    if imports.iter().any(|i| i.starts_with("grove:skill/ui")) {
        let packed = packed.unwrap();
        assert!(packed.idle_imports.iter().any(|i| i == "workspace"), "{:?}", packed.idle_imports);
    } else {
        assert!(matches!(packed.unwrap_err(), PackError::Unreachable { .. }));
    }
}

#[test]
fn grove_toml_parses_strictly() {
    let t = GroveToml::parse(
        "name = \"todos\"\nversion = \"0.1.0\"\nsummary = \"s\"\npermissions = [\"process\"]\npublisher = \"me\"\n",
    )
    .unwrap();
    assert_eq!(t.permissions, ["process"]);
    let e =
        GroveToml::parse("name = \"x\"\nversion = \"1\"\nsummary = \"s\"\npermission = []\n").unwrap_err();
    assert!(e.to_string().contains("permission"), "{e}");
    assert!(GroveToml::parse("name = \"x\"\n").unwrap_err().to_string().contains("version"));
}

#[test]
fn a_core_module_is_not_packed() {
    let core = b"\0asm\x01\0\0\0";
    assert!(matches!(pack(core, &toml(&[])).unwrap_err(), PackError::Component(PackageError::CoreModule)));
}
