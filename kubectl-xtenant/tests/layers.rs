//! The walls between the rooms of `src/`: every `crate::…` path in a file
//! names a room on the file's own layer or one below it. The library
//! (`lib.rs`) already keeps the command line and the verbs out of reach of
//! everything else; this test keeps the layers inside the library too.
//!
//! Run it alone: `cargo test -p kubectl-xtenant --test layers`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module (a room) and its layer: a room may use rooms of
/// its own layer and below, never above. A new room must be placed here.
const LAYERS: &[(u8, &[&str])] = &[
    // The binary: the command line and the verbs.
    (4, &["main", "cli", "commands"]),
    // What a verb calls: the checks, the audit (and who can become an
    // identity: rbac), bind and unbind.
    (3, &["checks", "audit", "bind", "rbac"]),
    // The workloads: binding, reading, rolling out, deploying, deleting.
    (2, &["workload"]),
    // The ground: the cluster client, Entra, waits, manifests, the context
    // and settings, the report vocabulary, the exit codes.
    (
        1,
        &[
            "lib",
            "kube",
            "entra",
            "wait",
            "manifests",
            "context",
            "settings",
            "output",
            "exit",
            "fake_api",
        ],
    ),
];

fn layer_of(room: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(_, rooms)| rooms.contains(&room))
        .map(|(layer, _)| *layer)
}

/// The room a file belongs to: its first path component under `src/`.
fn room_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src/");
    let first = relative.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The rooms a line names through `crate::`: `crate::a::…` and
/// `crate::{a, b::…}`.
fn rooms_named(line: &str) -> Vec<String> {
    let mut rooms = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        rooms.push(ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            rooms.push(ident(&item));
        } else {
            rooms.push(ident(rest));
        }
    }
    rooms.retain(|r| !r.is_empty() && r != "self");
    rooms
}

fn ident(text: &str) -> String {
    text.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every import that runs up a layer, as `file:line: …`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let room = room_of(src, &file);
        let name = file.strip_prefix(src).expect("under src/").display();
        let Some(layer) = layer_of(&room) else {
            found.push(format!(
                "src/{name}: the room `{room}` has no layer: place it in LAYERS in tests/layers.rs"
            ));
            continue;
        };
        let text = fs::read_to_string(&file).expect("read a source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for named in rooms_named(code) {
                // A name the table does not know (e.g. a macro's path) is
                // not a room of this crate.
                let Some(above) = layer_of(&named).filter(|l| *l > layer) else {
                    continue;
                };
                found.push(format!(
                    "src/{name}:{}: `{room}` (layer {layer}) imports `crate::{named}` (layer {above}): move the shared part down, or the caller up",
                    n + 1
                ));
            }
        }
    }
    found
}

#[test]
fn no_room_imports_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "imports across the walls:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_room_in_src_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut rooms = BTreeMap::new();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in &files {
        let room = room_of(&src, file);
        rooms.insert(room.clone(), layer_of(&room));
    }
    let unplaced: Vec<_> = rooms.iter().filter(|(_, l)| l.is_none()).collect();
    assert!(unplaced.is_empty(), "rooms without a layer: {unplaced:?}");
}

#[test]
fn the_scan_sees_plain_and_grouped_paths() {
    assert_eq!(
        rooms_named("use crate::commands::bind::Found;"),
        ["commands"]
    );
    assert_eq!(
        rooms_named("use crate::{checks::pod, workload};"),
        ["checks", "workload"]
    );
    assert_eq!(
        rooms_named("let x = crate::cli::Cli::try_parse();"),
        ["cli"]
    );
    assert!(rooms_named("use super::Plan;").is_empty());
}
