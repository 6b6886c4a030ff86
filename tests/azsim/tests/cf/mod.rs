//! The conformance suite's parts: reading cassettes, replaying them, comparing answers, the allowlist.

pub mod allowlist;
pub mod cassette;
pub mod replay;
pub mod shape;
