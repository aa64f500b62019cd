//! Every function of the `portalis:threading` contract is called by some
//! guest test program on the host.
//!
//! A component imports only the functions its code calls (the linker drops
//! the others, and wit-component types the import by what is left), so the
//! union of the test components' imports is what the programs exercise.

use std::collections::BTreeSet;
use std::path::Path;

use portalis_test_artifacts::PROGRAMS;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;
use wasmtime::{Config, Engine};

/// `interface#function` for every function of the package's interfaces.
fn contract() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    let mut resolve = wit_parser::Resolve::new();
    let (pkg, _) = resolve.push_dir(&dir).expect("the WIT package");
    let mut all = BTreeSet::new();
    for (name, &id) in &resolve.packages[pkg].interfaces {
        if name == "worker" {
            continue; // exported, and imported as the chain's next stage
        }
        for func in resolve.interfaces[id].functions.keys() {
            all.insert(format!("{name}#{func}"));
        }
    }
    all
}

/// `interface#function` for every threading function a component imports.
fn imported(engine: &Engine, path: &str) -> BTreeSet<String> {
    let component = Component::from_file(engine, path).expect("a component");
    let ty = component.component_type();
    let mut used = BTreeSet::new();
    for (name, item) in ty.imports(engine) {
        let Some(rest) = name.strip_prefix("portalis:threading/") else {
            continue;
        };
        let interface = rest.split('@').next().unwrap_or(rest);
        if let ComponentItem::ComponentInstance(instance) = item.ty {
            for (func, item) in instance.exports(engine) {
                if matches!(item.ty, ComponentItem::ComponentFunc(_)) {
                    used.insert(format!("{interface}#{func}"));
                }
            }
        }
    }
    used
}

#[test]
fn every_contract_function_is_called_by_a_test_program() {
    let engine = Engine::new(Config::new().wasm_threads(true)).unwrap();
    let mut called = BTreeSet::new();
    for (_, component, _) in PROGRAMS {
        called.extend(imported(&engine, component));
    }
    let missing: Vec<_> = contract().difference(&called).cloned().collect();
    assert!(missing.is_empty(), "no test program calls: {missing:#?}");

    // The check means something only if a component imports what it calls,
    // not whole interfaces: a program without pools imports no pool calls.
    let tokens = PROGRAMS
        .iter()
        .find(|(n, _, _)| *n == "fault_tokens")
        .unwrap()
        .1;
    let few = imported(&engine, tokens);
    assert!(!few.contains("executor#wait-any"), "{few:#?}");
    assert!(few.contains("lock#[method]mutex.share"), "{few:#?}");
}
