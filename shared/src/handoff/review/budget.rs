//! The credential budget: each identity holds at most 20 federated
//! credentials, counting those Tenant B's identity already has. A request
//! that would pass that cannot be granted whole, so it is refused before
//! anything is written rather than failing half-way.

use std::collections::BTreeMap;

use super::{Check, Finding};
use crate::handoff::{MAX_CREDENTIALS_PER_IDENTITY, TrustRequest};

pub(super) fn check(r: &TrustRequest, existing: &BTreeMap<String, usize>) -> Vec<Finding> {
    let credentials = r.credentials();
    let mut out = Vec::new();
    for (i, identity) in r.identities.iter().enumerate() {
        let asked = credentials
            .iter()
            .filter(|(_, _, id)| *id == identity.name)
            .count();
        let already = existing.get(&identity.name).copied().unwrap_or(0);
        let after = already + asked;
        if after > MAX_CREDENTIALS_PER_IDENTITY {
            out.push(Finding::error(
                Check::Budget,
                format!("identities[{i}]"),
                format!(
                    "identity {:?} would hold {after} federated credentials after acceptance ({already} already there, {asked} asked for); Azure allows {MAX_CREDENTIALS_PER_IDENTITY} per identity",
                    identity.name
                ),
                "Tenant A: split the workloads over more identities or ask for fewer clusters; Tenant B: remove credentials the identity no longer needs",
            ));
        }
    }
    out
}
