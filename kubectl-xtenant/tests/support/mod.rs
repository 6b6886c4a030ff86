//! What the binary's tests share: the plugin run in a hermetic environment
//! (`hermetic`) and plain-HTTP API servers on loopback (`fake_apiserver`,
//! `stuck_apiserver`). Each test file uses only some of it.
#![allow(dead_code)]

pub mod fake_apiserver;
pub mod hermetic;
pub mod stuck_apiserver;
