//! Azure CLI VCR cassettes: `interactions:` of `request` (method, uri, body) and `response` (status, headers, body).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The subscription every cassette was scrubbed to.
pub const RECORDED_SUB: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Deserialize)]
struct File {
    interactions: Vec<Raw>,
}

#[derive(Deserialize)]
struct Raw {
    request: RawRequest,
    response: RawResponse,
}

#[derive(Deserialize)]
struct RawRequest {
    method: String,
    uri: String,
    #[serde(default)]
    body: serde_yaml::Value,
}

#[derive(Deserialize)]
struct RawResponse {
    status: RawStatus,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    body: serde_yaml::Value,
}

#[derive(Deserialize)]
struct RawStatus {
    code: u16,
}

/// One recorded ARM call.
#[derive(Clone, Debug)]
pub struct Interaction {
    /// Position in the cassette (0-based, counting every interaction, ARM or not).
    pub index: usize,
    pub method: String,
    /// Path and query, host removed.
    pub path: String,
    pub request_body: Option<String>,
    pub status: u16,
    /// Response headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl Interaction {
    /// A response header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A path without its query, lower-cased (how polling URLs are matched).
pub fn bare(path: &str) -> String {
    path.split('?').next().unwrap_or(path).to_ascii_lowercase()
}

/// A cassette: its name relative to the recordings folder and its ARM interactions.
pub struct Cassette {
    pub name: String,
    pub arm: Vec<Interaction>,
}

/// Host of ARM in the recordings; every other host (Graph, Key Vault data plane, …) is skipped.
const ARM_HOST: &str = "https://management.azure.com";

/// Reads one cassette, keeping the ARM interactions.
pub fn read(root: &Path, file: &Path) -> Cassette {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let parsed: File =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let arm = parsed
        .interactions
        .into_iter()
        .enumerate()
        .filter_map(|(index, i)| {
            let path = i.request.uri.strip_prefix(ARM_HOST)?.to_string();
            Some(Interaction {
                index,
                method: i.request.method,
                path,
                request_body: text_of(&i.request.body).map(|b| repair_template_key(&b)),
                status: i.response.status.code,
                headers: i
                    .response
                    .headers
                    .into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.join(",")))
                    .collect(),
                body: text_of(&i.response.body["string"]).or_else(|| text_of(&i.response.body)),
            })
        })
        .collect();
    let name = file
        .strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string();
    Cassette { name, arm }
}

/// The Azure CLI's recorder writes a deployment's template into the request body
/// as `template:{...}`, the key unquoted; ARM received `"template": {...}`.
fn repair_template_key(body: &str) -> String {
    body.replacen(", template:{", ", \"template\": {", 1)
}

fn text_of(v: &serde_yaml::Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(String::from)
}

/// Every `*.yaml` under `root`, sorted.
pub fn all(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.expect("directory entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
