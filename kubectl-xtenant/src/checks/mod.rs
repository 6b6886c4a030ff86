//! The checks that give a verdict and a fix: a pod's injected identity
//! (`pod`), a token's claims and the issuer (`token`), a pod template before
//! binding (`template`), and a bound workload's pods (`workload`).

pub mod doctor;
pub mod job;
pub mod pod;
pub mod template;
pub mod token;
pub mod workload;
