//! The released contract stays as it was released, and the current one says
//! truthfully what it kept of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use wit_parser::{Function, Handle, InterfaceId, Resolve, Stability, Type, TypeDefKind, WorldItem};

/// The frozen 0.1.0: each file's git blob id as released, in commit
/// `b2c5c96` (`git ls-tree b2c5c96 wit/`). An id is the SHA-1 of the
/// file's bytes, so a changed byte, a file added or one taken away fails
/// the test below, with or without the repository's history at hand.
const RELEASED_0_1_0: &[(&str, &str)] = &[
    ("browser.wit", "14369f5f0680c754dfa8c16cdf7923a4a3ced7db"),
    ("git.wit", "0336bb6efe973ffb8c343b8405b531ba65f57184"),
    ("http.wit", "0508dfc960be316d65ab59e20d5791cb9924fa1c"),
    ("log.wit", "48dfbedb44194a1cdbabb1974349a0c54e099f56"),
    ("model.wit", "2a4b1f8242b24ab4e3f48a95a3a87a761579c955"),
    ("notify.wit", "a45a638180b6703be26c85814dc4722db7da904b"),
    ("process.wit", "f7eecf75f36b8b26d00b7c9d35a1c4c4d328028a"),
    ("review.wit", "fa2f7433ced000535030273eeba47a466cdac5ae"),
    ("sessions.wit", "39ab18345a26f155dc804a52d683727981eb57e0"),
    ("types.wit", "c0a86ef1edd645c3ac274ec2c23bc7ea1de824d3"),
    ("ui.wit", "6a2590c431888e7da399f63c3d66cd4bed410b2a"),
    ("workspace.wit", "f0cdb449a8b904d2e1107d20859ae19fa6ba5df1"),
    ("world.wit", "9a671e22b962b124f9562665dd5ec8167c507d45"),
];

fn wit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit")
}

#[test]
fn the_released_0_1_0_is_kept_byte_for_byte() {
    let frozen = wit().join("since_v0.1.0");
    let mut found: Vec<String> = std::fs::read_dir(&frozen)
        .expect("wit/since_v0.1.0 exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let released: Vec<&str> = RELEASED_0_1_0.iter().map(|(name, _)| *name).collect();
    assert_eq!(found, released, "wit/since_v0.1.0 holds exactly the released files");
    for (name, blob) in RELEASED_0_1_0 {
        let bytes = std::fs::read(frozen.join(name)).unwrap();
        let id = git2::Oid::hash_object(git2::ObjectType::Blob, &bytes).unwrap();
        assert_eq!(
            id.to_string(),
            *blob,
            "wit/since_v0.1.0/{name} differs from the released 0.1.0: a released contract is never \
             edited (change wit/ instead, the next release)"
        );
    }
}

/// A type or function written out in full, every named type replaced by
/// what it is (resources by name), so that two shapes are equal exactly
/// when a component of one links against the other.
fn shape_of_type(resolve: &Resolve, ty: &Type) -> String {
    let Type::Id(id) = ty else { return format!("{ty:?}") };
    let def = &resolve.types[*id];
    let of = |t: &Type| shape_of_type(resolve, t);
    let opt = |t: &Option<Type>| t.as_ref().map_or("_".to_string(), of);
    match &def.kind {
        TypeDefKind::Record(r) => {
            let fields: Vec<String> = r.fields.iter().map(|f| format!("{}: {}", f.name, of(&f.ty))).collect();
            format!("record {{{}}}", fields.join(", "))
        }
        TypeDefKind::Variant(v) => {
            let cases: Vec<String> = v.cases.iter().map(|c| format!("{}({})", c.name, opt(&c.ty))).collect();
            format!("variant {{{}}}", cases.join(", "))
        }
        TypeDefKind::Enum(e) => {
            let cases: Vec<&str> = e.cases.iter().map(|c| c.name.as_str()).collect();
            format!("enum {{{}}}", cases.join(", "))
        }
        TypeDefKind::Flags(f) => {
            let flags: Vec<&str> = f.flags.iter().map(|c| c.name.as_str()).collect();
            format!("flags {{{}}}", flags.join(", "))
        }
        TypeDefKind::Tuple(t) => format!("tuple<{}>", t.types.iter().map(of).collect::<Vec<_>>().join(", ")),
        TypeDefKind::Option(t) => format!("option<{}>", of(t)),
        TypeDefKind::Result(r) => format!("result<{}, {}>", opt(&r.ok), opt(&r.err)),
        TypeDefKind::List(t) => format!("list<{}>", of(t)),
        TypeDefKind::Type(t) => of(t),
        TypeDefKind::Resource => format!("resource {}", def.name.as_deref().unwrap_or("?")),
        TypeDefKind::Handle(Handle::Own(r)) => {
            format!("own<{}>", resolve.types[*r].name.as_deref().unwrap_or("?"))
        }
        TypeDefKind::Handle(Handle::Borrow(r)) => {
            format!("borrow<{}>", resolve.types[*r].name.as_deref().unwrap_or("?"))
        }
        other => format!("{other:?}"),
    }
}

fn shape_of_function(resolve: &Resolve, f: &Function) -> String {
    let params: Vec<String> =
        f.params.iter().map(|p| format!("{}: {}", p.name, shape_of_type(resolve, &p.ty))).collect();
    let result = f.result.as_ref().map_or("()".to_string(), |t| shape_of_type(resolve, t));
    format!("func({}) -> {result}", params.join(", "))
}

fn since(stability: &Stability) -> String {
    match stability {
        Stability::Stable { since, .. } => since.to_string(),
        other => format!("{other:?}"),
    }
}

/// Every item of an interface: its types and functions by name, each with
/// its shape and `@since`.
fn items(resolve: &Resolve, id: InterfaceId) -> BTreeMap<String, (String, String)> {
    let interface = &resolve.interfaces[id];
    let mut items = BTreeMap::new();
    for (name, ty) in &interface.types {
        let def = &resolve.types[*ty];
        // A `use` of another interface's type is that type's item there.
        if def.owner != wit_parser::TypeOwner::Interface(id) || matches!(def.kind, TypeDefKind::Type(_)) {
            continue;
        }
        items.insert(format!("type {name}"), (shape_of_type(resolve, &Type::Id(*ty)), since(&def.stability)));
    }
    for (name, f) in &interface.functions {
        items.insert(format!("func {name}"), (shape_of_function(resolve, f), since(&f.stability)));
    }
    items
}

/// The contract of `dir`, and its package's interfaces by name.
fn contract(dir: &Path) -> (Resolve, BTreeMap<String, InterfaceId>) {
    let mut resolve = Resolve::default();
    let (package, _) = resolve.push_dir(dir).unwrap_or_else(|e| panic!("{}: {e:#}", dir.display()));
    let interfaces = resolve.packages[package].interfaces.iter().map(|(n, id)| (n.clone(), *id)).collect();
    (resolve, interfaces)
}

/// `@since(version = 0.1.0)` in `wit/` says "a component built against
/// 0.1.0 sees this, in this shape": it is on exactly the items 0.1.0 had
/// in the same shape, and every other item says 0.2.0.
#[test]
fn since_0_1_0_marks_exactly_what_0_1_0_had_in_the_same_shape() {
    let (old, old_interfaces) = contract(&wit().join("since_v0.1.0"));
    let (new, new_interfaces) = contract(&wit());
    let mut wrong = Vec::new();
    for (name, id) in &new_interfaces {
        let interface_since = since(&new.interfaces[*id].stability);
        let old_id = old_interfaces.get(name);
        let expected = if old_id.is_some() { "0.1.0" } else { "0.2.0" };
        if interface_since != expected {
            wrong.push(format!("interface {name}: @since {interface_since}, should be {expected}"));
        }
        let before = old_id.map(|id| items(&old, *id)).unwrap_or_default();
        for (item, (shape, item_since)) in items(&new, *id) {
            let kept = before.get(&item).is_some_and(|(old_shape, _)| *old_shape == shape);
            let expected = if kept { "0.1.0" } else { "0.2.0" };
            if item_since != expected {
                wrong.push(format!("{name}: {item}: @since {item_since}, should be {expected} ({shape})"));
            }
        }
    }
    // Nothing of 0.1.0 is gone: what changed shape is still there by name,
    // for the adapters in caps/since_v0_1_0/ to reach.
    for (name, id) in &old_interfaces {
        let Some(new_id) = new_interfaces.get(name) else {
            wrong.push(format!("interface {name} of 0.1.0 is gone"));
            continue;
        };
        let now = items(&new, *new_id);
        for item in items(&old, *id).keys().filter(|item| !now.contains_key(*item)) {
            wrong.push(format!("{name}: {item} of 0.1.0 is gone"));
        }
    }
    let worlds = |r: &Resolve| -> BTreeMap<String, wit_parser::WorldId> {
        r.worlds.iter().map(|(id, w)| (w.name.clone(), id)).collect()
    };
    let old_worlds = worlds(&old);
    for (name, id) in worlds(&new) {
        let world = &new.worlds[id];
        let old_world = old_worlds.get(&name).map(|id| &old.worlds[*id]);
        let expected = if old_world.is_some() { "0.1.0" } else { "0.2.0" };
        if since(&world.stability) != expected {
            wrong.push(format!("world {name}: @since {}, should be {expected}", since(&world.stability)));
        }
        for (key, item) in world.imports.iter().chain(&world.exports) {
            let stability = match item {
                WorldItem::Interface { stability, .. } => stability,
                WorldItem::Function(f) => &f.stability,
                WorldItem::Type { .. } => continue,
            };
            let named = new.name_world_key(key);
            let had = old_world.is_some_and(|w| {
                w.imports
                    .keys()
                    .chain(w.exports.keys())
                    .any(|k| old.name_world_key(k).replace("@0.1.0", "") == named.replace("@0.2.0", ""))
            });
            // 0.1.0's worlds imported without `@since`: a kept item may say
            // nothing, an added one says 0.2.0; an item of a world that is
            // itself new may say nothing more than its world.
            let said = since(stability);
            let right = match (old_world.is_some(), had) {
                (true, true) => matches!(said.as_str(), "0.1.0" | "Unknown"),
                (true, false) => said == "0.2.0",
                (false, _) => matches!(said.as_str(), "0.2.0" | "Unknown"),
            };
            if !right {
                wrong.push(format!(
                    "world {name}: {named}: @since {said}, should be 0.2.0 unless 0.1.0 had it"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "@since in wit/ does not match the released 0.1.0:\n{}", wrong.join("\n"));
}

/// The runtime calls `describe` and `run` of a component of any release
/// through the current bindings (`runtime/`'s one `SkillPre`), which
/// wasmtime checks by shape when the component is linked. That holds while
/// every release's exports have the current shape; a release that changes
/// them needs bindings of its own for them, and this test says so.
#[test]
fn every_release_exports_describe_and_run_in_the_current_shape() {
    let exports = |dir: &Path| -> BTreeMap<String, String> {
        let mut resolve = Resolve::default();
        let (package, _) = resolve.push_dir(dir).unwrap();
        let world = resolve.select_world(&[package], Some("skill")).unwrap();
        let world = &resolve.worlds[world];
        world
            .exports
            .iter()
            .filter_map(|(key, item)| match item {
                WorldItem::Function(f) => Some((resolve.name_world_key(key), shape_of_function(&resolve, f))),
                _ => None,
            })
            .collect()
    };
    let current = exports(&wit());
    assert_eq!(current.keys().collect::<Vec<_>>(), ["describe", "run"]);
    assert_eq!(
        exports(&wit().join("since_v0.1.0")),
        current,
        "0.1.0's exports changed shape: the runtime needs a SkillPre per release to call them"
    );
}
