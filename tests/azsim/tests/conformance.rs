//! Conformance: Azure's own recorded ARM traffic (the Azure CLI's test cassettes under
//! `conformance/recordings/`) replayed against the simulator; every divergence from
//! what Azure answered must be listed, with a reason, in `conformance/allowlist.txt`.

mod cf;

use std::path::PathBuf;

use cf::{allowlist, cassette, replay};

#[test]
fn simulator_answers_as_azure_recorded() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let root = dir.join("recordings");
    let allow = allowlist::read(&dir.join("allowlist.txt"));
    let mut used = vec![false; allow.len()];
    let mut unlisted = Vec::new();
    let files = cassette::all(&root);
    assert!(!files.is_empty(), "no *.yaml under {}", root.display());
    println!("recording | # | method | path | what differs | allowed");
    for f in files {
        let c = cassette::read(&root, &f);
        for d in replay::run(&c) {
            let call = format!("{} {}", d.method, d.path);
            let line = allow
                .iter()
                .position(|e| e.covers(&c.name, d.index, &call, &d.what));
            if let Some(n) = line {
                used[n] = true;
            }
            let allowed = line.map_or("NO".to_string(), |n| format!("line {}", allow[n].line));
            let row = format!(
                "{} | {} | {} | {} | {} | {allowed}",
                c.name, d.index, d.method, d.path, d.what
            );
            println!("{row}");
            if line.is_none() {
                unlisted.push(row);
            }
        }
    }
    let stale: Vec<String> = allow
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(e, _)| {
            format!(
                "line {}: {} {} {}  # {}",
                e.line, e.recording, e.interaction, e.what, e.reason
            )
        })
        .collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "{} divergence(s) from Azure's recordings not in conformance/allowlist.txt:\n{}\n\
         {} allowlist line(s) that match nothing any more (remove them):\n{}",
        unlisted.len(),
        unlisted.join("\n"),
        stale.len(),
        stale.join("\n")
    );
}
