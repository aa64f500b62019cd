//! The `portalis:threading` package parses, resolves and keeps its promises:
//! every item documented and gated `@since(version = 0.1.0)`, every function
//! saying whether it blocks, every shareable resource shareable.

use std::path::Path;

use wit_parser::{FunctionKind, Resolve, Stability, TypeDefKind, WorldItem, WorldKey};

fn resolve() -> (Resolve, wit_parser::PackageId) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    let mut resolve = Resolve::new();
    let (pkg, _files) = resolve.push_dir(&dir).expect("the WIT package resolves");
    (resolve, pkg)
}

fn since_0_1_0(stability: &Stability) -> bool {
    matches!(stability, Stability::Stable { since, .. } if since.to_string() == "0.1.0")
}

#[test]
fn package_is_portalis_threading_0_1_0() {
    let (resolve, pkg) = resolve();
    let name = &resolve.packages[pkg].name;
    assert_eq!(name.to_string(), "portalis:threading@0.1.0");
    let mut interfaces: Vec<_> = resolve.packages[pkg].interfaces.keys().cloned().collect();
    interfaces.sort();
    assert_eq!(
        interfaces,
        ["channel", "executor", "lock", "thread", "types", "worker"]
    );
    let mut worlds: Vec<_> = resolve.packages[pkg].worlds.keys().cloned().collect();
    worlds.sort();
    assert_eq!(worlds, ["guest", "imports"]);
}

#[test]
fn every_item_is_documented_and_gated() {
    let (resolve, pkg) = resolve();
    let mut missing = Vec::new();
    for (name, &id) in &resolve.packages[pkg].interfaces {
        let iface = &resolve.interfaces[id];
        if iface.docs.contents.is_none() {
            missing.push(format!("interface {name}: docs"));
        }
        if !since_0_1_0(&iface.stability) {
            missing.push(format!("interface {name}: @since"));
        }
        for (tname, &tid) in &iface.types {
            let ty = &resolve.types[tid];
            // `use` brings in aliases; the definitions are checked where they live.
            if matches!(ty.kind, TypeDefKind::Type(wit_parser::Type::Id(_))) {
                continue;
            }
            if ty.docs.contents.is_none() {
                missing.push(format!("{name}.{tname}: docs"));
            }
            if !since_0_1_0(&ty.stability) {
                missing.push(format!("{name}.{tname}: @since"));
            }
        }
        for (fname, func) in &iface.functions {
            let docs = func.docs.contents.as_deref().unwrap_or("");
            if docs.is_empty() {
                missing.push(format!("{name}.{fname}: docs"));
            }
            if !docs.to_lowercase().contains("block") && name != "worker" {
                missing.push(format!("{name}.{fname}: does not say whether it blocks"));
            }
            if !since_0_1_0(&func.stability) {
                missing.push(format!("{name}.{fname}: @since"));
            }
        }
    }
    for (name, &id) in &resolve.packages[pkg].worlds {
        let world = &resolve.worlds[id];
        if world.docs.contents.is_none() || !since_0_1_0(&world.stability) {
            missing.push(format!("world {name}: docs or @since"));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_shared_object_can_be_shared_and_opened() {
    let (resolve, pkg) = resolve();
    let shareable = [
        ("lock", "mutex"),
        ("lock", "rwlock"),
        ("lock", "semaphore"),
        ("lock", "barrier"),
        ("lock", "condition"),
        ("lock", "event"),
        ("channel", "sender"),
        ("channel", "receiver"),
        ("channel", "broadcaster"),
        ("executor", "pool"),
    ];
    for (iface_name, resource) in shareable {
        let iface = &resolve.interfaces[resolve.packages[pkg].interfaces[iface_name]];
        let rid = iface.types[resource];
        let share = iface
            .functions
            .get(&format!("[method]{resource}.share"))
            .unwrap_or_else(|| panic!("{resource}.share"));
        assert!(matches!(share.kind, FunctionKind::Method(id) if id == rid));
        let open = iface
            .functions
            .get(&format!("[static]{resource}.open"))
            .unwrap_or_else(|| panic!("{resource}.open"));
        assert!(matches!(open.kind, FunctionKind::Static(id) if id == rid));
    }
}

#[test]
fn every_wait_parameter_is_the_wait_variant() {
    // Each blocking function takes `wait`, so each has its blocking,
    // non-blocking and timed forms.
    let (resolve, pkg) = resolve();
    let types_iface = &resolve.interfaces[resolve.packages[pkg].interfaces["types"]];
    let wait = types_iface.types["wait"];
    let mut blocking = Vec::new();
    for &id in resolve.packages[pkg].interfaces.values() {
        for func in resolve.interfaces[id].functions.values() {
            for param in &func.params {
                if param.name == "wait" {
                    blocking.push(func.name.clone());
                    let wit_parser::Type::Id(tid) = param.ty else {
                        panic!("{}: `wait` is not a type reference", func.name)
                    };
                    let mut t = tid;
                    while let TypeDefKind::Type(wit_parser::Type::Id(next)) = resolve.types[t].kind
                    {
                        t = next;
                    }
                    assert_eq!(t, wait, "{}: `wait` has another type", func.name);
                }
            }
        }
    }
    blocking.sort();
    assert_eq!(
        blocking,
        [
            "[method]barrier.wait",
            "[method]broadcaster.send",
            "[method]condition.wait",
            "[method]event.wait",
            "[method]mutex.lock",
            "[method]pool.shutdown",
            "[method]receiver.recv",
            "[method]rwlock.read",
            "[method]rwlock.write",
            "[method]semaphore.acquire",
            "[method]sender.send",
            "[method]task.wait",
            "[method]thread.join",
            "wait-any",
        ]
    );
}

#[test]
fn guest_world_imports_everything_and_exports_worker() {
    let (resolve, pkg) = resolve();
    let world = &resolve.worlds[resolve.packages[pkg].worlds["guest"]];
    let names = |items: &wit_parser::IndexMap<WorldKey, WorldItem>| -> Vec<String> {
        let mut v: Vec<_> = items
            .iter()
            .filter_map(|(_, item)| match item {
                WorldItem::Interface { id, .. } => resolve.interfaces[*id].name.clone(),
                _ => None,
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&world.imports),
        ["channel", "executor", "lock", "thread", "types", "worker"]
    );
    assert_eq!(names(&world.exports), ["worker"]);
}
