//! The walls between az-xtenant's layers, checked by reading `src/`: a
//! library module may name only modules of a lower layer (or its own). The
//! compiler already keeps the library from naming the binary's `cli` and
//! `commands`; this keeps the order inside the library. Run it alone with
//! `cargo test -p az-xtenant --test layers`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest first. A module may import only
/// modules of a lower rank: the verbs (binary) > graph, audit > steps (which
/// implement the engine's `Step`) > engine > context > session > az's error
/// classification > az > plain types.
const LAYERS: &[&[&str]] = &[
    &["settings", "progress", "interrupt"],
    &["az"],
    &["error"],
    &["session"],
    &["context"],
    &["engine"],
    &["steps"],
    &["graph", "audit"],
    // The two-admin hand-off makes a request from a graph's model.
    &["handoff"],
];

/// The binary's modules: nothing in the library may name them.
const BINARY: &[&str] = &["main", "cli", "commands"];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reads src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`engine/executor.rs` → engine).
fn module_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// The top-level modules a source text names through `crate::` (also
/// `crate::{a, b}`), and whether it names the library from outside
/// (`az_xtenant::`), comments left out.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let group = rest.strip_prefix('{');
            let names: Vec<&str> = match group {
                Some(g) => g.split('}').next().unwrap_or_default().split(',').collect(),
                None => vec![rest],
            };
            for n in names {
                let ident: String = n
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !ident.is_empty() {
                    out.insert(ident);
                }
            }
        }
        if code.contains("az_xtenant::") {
            out.insert("az_xtenant".into());
        }
    }
    out
}

/// Every import that runs up (or sideways) a layer, as `file: a -> b`.
fn violations() -> Vec<String> {
    let root = src();
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let mut out = Vec::new();
    for file in all {
        let module = module_of(&root, &file);
        if module == "lib" || BINARY.contains(&module.as_str()) {
            continue;
        }
        let Some(own) = rank(&module) else {
            out.push(format!(
                "{}: module {module} has no layer in tests/layers.rs: give it one",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("reads a source file");
        for target in imports(&text) {
            if target == module {
                continue;
            }
            let allowed = rank(&target).is_some_and(|r| r < own);
            if !allowed {
                let rel = file.strip_prefix(&root).unwrap_or(&file);
                out.push(format!("src/{}: {module} -> {target}", rel.display()));
            }
        }
    }
    out
}

#[test]
fn no_library_module_imports_a_layer_above_it() {
    let bad = violations();
    assert!(
        bad.is_empty(),
        "imports that run up a layer (order, lowest first: {LAYERS:?}; the binary's {BINARY:?} above all):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_reader_sees_grouped_and_plain_imports() {
    let found = imports(
        "use crate::az::Az;\nuse crate::{engine::Key, steps};\n// crate::commands in a comment\nlet x = az_xtenant::az::Mode::Live;",
    );
    let want: BTreeSet<String> = ["az", "engine", "steps", "az_xtenant"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, want);
}
