//! The declared trust graph (`xtenant.yaml`): clusters of Tenant A ×
//! workloads → identities of Tenant B and their role grants, checked, then
//! turned into steps for the same engine that runs `up`.

pub mod apply;
pub mod build;
pub mod file;
pub mod migration;
pub mod model;
pub mod plan;
pub mod prune;
pub mod retire;
