//! What the test crates share: a throw-away certificate authority for loopback
//! servers and clients ([`tls`]), the binaries tests run, refused when older than
//! their sources ([`locate`], [`fresh`]), polling waits with a deadline ([`wait`]),
//! a fake Entra: an issuer's discovery document and the token endpoint ([`entra`]),
//! and profiles of older layouts ([`profiles`]).
//!
//! Only test code links this crate: the simulator and control-plane harnesses,
//! and the tools' tests as a dev-dependency.

pub mod entra;
pub mod fresh;
pub mod locate;
pub mod profiles;
pub mod tls;
pub mod wait;

pub use locate::{env_path, workspace_bin};
pub use wait::{Deadline, TimedOut};
