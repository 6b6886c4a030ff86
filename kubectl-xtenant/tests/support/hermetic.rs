//! The built plugin as a script runs it, in a hermetic environment: an empty
//! environment, HOME and the profile directory in a temporary directory.

use std::path::Path;
use std::process::Command;

pub const CLIENT: &str = "11111111-1111-1111-1111-111111111111";
pub const TENANT_B: &str = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb";

/// The plugin with a cleared environment: HOME is `home`, profiles live in
/// `home/profiles`.
pub fn command(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-xtenant"));
    cmd.env_clear()
        .env("HOME", home)
        .env("XTENANT_CONFIG_DIR", home.join("profiles"));
    cmd
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A kubeconfig whose only server is `server`; its context's namespace is `demo`.
pub fn kubeconfig(dir: &Path, server: &str) -> String {
    let path = dir.join("kubeconfig");
    let yaml = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster: {{server: \"{server}\"}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: c\n  context: {{cluster: c, user: u, namespace: demo}}\n"
    );
    std::fs::write(&path, yaml).expect("write kubeconfig");
    path.to_string_lossy().into_owned()
}

/// A kubeconfig whose server refuses connections (port 1 on loopback).
pub fn dead_kubeconfig(dir: &Path) -> String {
    kubeconfig(dir, "https://127.0.0.1:1")
}

/// Writes `home/profiles/<name>.json`.
pub fn write_profile(home: &Path, name: &str, body: &str) {
    let dir = home.join("profiles");
    std::fs::create_dir_all(&dir).expect("mkdir profiles");
    std::fs::write(dir.join(format!("{name}.json")), body).expect("write profile");
}
