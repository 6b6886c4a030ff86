//! The library under az-xtenant's commands: the context a run works in, the
//! step engine and its steps, the declared graph, the audit, and the typed
//! az calls. The binary (`main.rs`, `cli.rs`, `commands/`) parses, builds
//! the context and calls in here; nothing here can name `cli` or `commands`,
//! so the compiler keeps the layers apart.

pub mod audit;
pub mod az;
pub mod context;
pub mod engine;
pub mod error;
pub mod graph;
pub mod handoff;
pub mod interrupt;
pub mod progress;
pub mod session;
pub mod settings;
pub mod steps;
