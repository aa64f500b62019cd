//! `docs/python-mapping.md` cannot drift from `python::`: every public item
//! of `runtime/src/python/**` (types, traits, functions, constants, type
//! aliases, re-exports from other modules, inherent `pub fn`s and trait
//! methods) must appear in the document's Rust column, and every item the
//! document names must exist.
//!
//! The item list is read from the source files themselves, so adding,
//! renaming or removing a public item without updating the document fails
//! this test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The public items of the `python` module tree, as `module::Item` or
/// `module::Type::method`, where `module` is `python` (the root),
/// `threading`, `queue`, `concurrent_futures` or `builtins`.
fn source_items() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/python");
    let mod_rs = std::fs::read_to_string(root.join("mod.rs")).unwrap();
    let public_modules: Vec<String> = mod_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_owned())
        .collect();
    let mut files = Vec::new();
    collect_rs(&root, &mut files);
    let mut items = BTreeSet::new();
    for file in files {
        let rel = file.strip_prefix(&root).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        let first = first.trim_end_matches(".rs");
        let module = if public_modules.iter().any(|m| m == first) {
            first.to_owned()
        } else {
            "python".to_owned()
        };
        scan_file(
            &std::fs::read_to_string(&file).unwrap(),
            &module,
            &mut items,
        );
    }
    items
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Code without comments and string contents, so braces can be counted.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_string = false;
                    out.push('"');
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => break,
            '\'' => {
                // A char literal such as '{' (not a lifetime): skip it.
                let rest: String = chars.clone().take(3).collect();
                if rest.len() >= 2 && rest.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                    out.push_str("' '");
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The identifier that starts `s`.
fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The type an `impl` line is for: `impl<T> Foo<T> {` is `Foo`; trait
/// implementations (`impl X for Y`) are `None`.
fn inherent_impl_type(code: &str) -> Option<String> {
    let rest = code.trim().strip_prefix("impl")?;
    // Skip the impl's own generic parameters.
    let rest = if rest.starts_with('<') {
        let mut depth = 0;
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        &rest[end..]
    } else {
        rest
    };
    let head = rest.split('{').next().unwrap_or("");
    if head.contains(" for ") {
        return None;
    }
    Some(ident(head.trim()))
}

fn scan_file(text: &str, module: &str, items: &mut BTreeSet<String>) {
    enum Scope {
        Impl(String),
        Trait(String),
        Other,
    }
    let mut depth = 0usize;
    // The scope opened at depth 0, if any.
    let mut scope = Scope::Other;
    for line in text.lines() {
        let code = code_of(line);
        let trimmed = code.trim();
        if depth == 0 {
            let kinds = [
                "struct", "enum", "trait", "type", "const", "fn", "static", "mod",
            ];
            if let Some(rest) = trimmed.strip_prefix("pub ") {
                scope = Scope::Other;
                let rest = rest.strip_prefix("const fn ").map_or(rest, |r| r);
                for kind in kinds {
                    if let Some(name) = rest.strip_prefix(&format!("{kind} ")) {
                        let name = ident(name);
                        if kind != "mod" {
                            items.insert(format!("{module}::{name}"));
                        }
                        if kind == "trait" {
                            scope = Scope::Trait(name);
                        }
                    }
                }
                if let Some(path) = rest.strip_prefix("use crate::") {
                    // A re-export from another module names a new item here.
                    let last = path.trim_end_matches(';').rsplit("::").next().unwrap();
                    items.insert(format!("{module}::{}", ident(last)));
                }
            } else if trimmed.starts_with("impl") {
                scope = match inherent_impl_type(trimmed) {
                    Some(ty) => Scope::Impl(ty),
                    None => Scope::Other,
                };
            } else if !trimmed.is_empty() && !trimmed.starts_with('#') {
                scope = Scope::Other;
            }
        } else if depth == 1 {
            match &scope {
                Scope::Impl(ty) => {
                    let rest = trimmed.strip_prefix("pub ").and_then(|r| {
                        r.strip_prefix("const fn ")
                            .or_else(|| r.strip_prefix("fn "))
                    });
                    if let Some(rest) = rest {
                        items.insert(format!("{module}::{ty}::{}", ident(rest)));
                    }
                    if let Some(rest) = trimmed.strip_prefix("pub const ")
                        && !rest.starts_with("fn ")
                    {
                        items.insert(format!("{module}::{ty}::{}", ident(rest)));
                    }
                }
                Scope::Trait(tr) => {
                    if let Some(rest) = trimmed.strip_prefix("fn ") {
                        items.insert(format!("{module}::{tr}::{}", ident(rest)));
                    }
                }
                Scope::Other => {}
            }
        }
        for c in code.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if depth == 0 && trimmed.ends_with('}') {
            scope = Scope::Other;
        }
    }
}

/// The items named in the Rust column (the second) of the document's
/// tables: every `backticked` path that starts with a module name.
fn documented_items() -> BTreeSet<String> {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/python-mapping.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let prefixes = [
        "python::",
        "threading::",
        "queue::",
        "concurrent_futures::",
        "builtins::",
    ];
    let mut items = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = line.split('|').collect();
        let Some(rust) = cells.get(2) else { continue };
        for (i, span) in rust.split('`').enumerate() {
            if i % 2 == 1 && prefixes.iter().any(|p| span.starts_with(p)) {
                items.insert(span.to_owned());
            }
        }
    }
    items
}

#[test]
fn mapping_document_matches_the_code() {
    let source = source_items();
    let documented = documented_items();
    assert!(
        source.len() > 100,
        "the scanner found too few items: {source:?}"
    );
    let missing: Vec<_> = source.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&source).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "docs/python-mapping.md is out of date.\n\
         public items missing from it: {missing:#?}\n\
         items it names that do not exist: {unknown:#?}"
    );
}

#[test]
fn scanner_sees_items_methods_and_trait_methods() {
    let mut items = BTreeSet::new();
    scan_file(
        "pub struct A;\n\
         impl<T> A<T> {\n    pub fn f(&self) {\n        let s = \"{\";\n    }\n    fn private() {}\n}\n\
         impl Clone for A {\n    fn clone(&self) -> Self { A }\n}\n\
         pub trait Tr {\n    fn m(&self);\n}\n\
         pub const C: u8 = 1;\n\
         pub use crate::python::builtins::TimeoutError;\n\
         pub(crate) fn hidden() {}\n",
        "m",
        &mut items,
    );
    let want: BTreeSet<String> = [
        "m::A",
        "m::A::f",
        "m::Tr",
        "m::Tr::m",
        "m::C",
        "m::TimeoutError",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(items, want);
}

/// Prints the items, for writing the document:
/// `cargo test -p portalis-threading --test python_mapping -- --ignored --nocapture`.
#[test]
#[ignore = "a helper that prints the item list"]
fn print_source_items() {
    for item in source_items() {
        println!("{item}");
    }
}
