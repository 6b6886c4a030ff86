//! Each workload's subject: `system:serviceaccount:<namespace>:<name>`, with
//! a namespace and a ServiceAccount name Kubernetes would accept, and the
//! same two the workload names, so what Tenant B reads as trusted is what
//! the credential will trust.

use super::{Check, Finding};
use crate::handoff::TrustRequest;
use crate::names;
use crate::validate::Kind;

const FIX: &str = "ask Tenant A for a request written by `az-xtenant request`; a subject is system:serviceaccount:<namespace>:<serviceAccount>";

pub(super) fn check(r: &TrustRequest) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, w) in r.workloads.iter().enumerate() {
        let at = |key: &str| format!("workloads[{i}].{key}");
        for (key, value, kind) in [
            ("namespace", &w.namespace, Kind::K8sNamespace),
            ("serviceAccount", &w.service_account, Kind::ServiceAccount),
        ] {
            if !kind.accepts(value) {
                let what = format!("{value:?} {}", kind.rule());
                out.push(Finding::error(Check::Subject, at(key), what, FIX));
            }
        }
        let expected = names::subject(&w.namespace, &w.service_account);
        if w.subject == expected {
            continue;
        }
        let what = match names::parse_subject(&w.subject) {
            None => format!(
                "{:?} is not a ServiceAccount subject (system:serviceaccount:<namespace>:<serviceAccount>)",
                w.subject
            ),
            Some(_) => format!(
                "{:?} is not the subject of the workload's ServiceAccount, {expected:?}",
                w.subject
            ),
        };
        out.push(Finding::error(Check::Subject, at("subject"), what, FIX));
    }
    out
}
