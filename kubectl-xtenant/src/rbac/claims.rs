//! What is asked of the authorizer for each ServiceAccount: every request
//! of every path ("can"), and a sample of the namespace's other
//! ServiceAccounts that have no path ("cannot", unless the model says they
//! can through a group).

use std::collections::BTreeSet;

use serde::Serialize;

use super::authorizer::Claim;
use super::model::{Model, Subject};
use super::paths::{self, Path, Target};
use super::request::Request;

/// How many of the namespace's other ServiceAccounts are asked about as
/// subjects the computation says cannot.
const CANNOT_SAMPLE: usize = 3;

/// A ServiceAccount that stands for an identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Account {
    pub target: Target,
    /// Its annotated client ID; None when only the graph binds it.
    pub client_id: Option<String>,
}

impl Account {
    pub fn new(ns: &str, name: &str, client_id: Option<String>) -> Self {
        Self {
            target: Target {
                namespace: ns.into(),
                name: name.into(),
            },
            client_id,
        }
    }
}

/// The computation for one account: its paths and the claims to confirm.
#[derive(Debug, Clone)]
pub struct AccountReview {
    pub account: Account,
    pub paths: Vec<Path>,
    pub claims: Vec<Claim>,
}

/// The requests asked about for a subject the computation says cannot.
fn cannot_requests(target: &Target) -> Vec<Request> {
    let ns = Some(target.namespace.as_str());
    vec![
        Request::new(ns, "create", "", "pods"),
        Request::new(ns, "create", "", "serviceaccounts")
            .subresource("token")
            .named(&target.name),
        Request::new(ns, "impersonate", "", "serviceaccounts").named(&target.name),
    ]
}

/// The claims of a path list (each subject and request once), then the
/// sample: the namespace's first other ServiceAccounts with no path.
pub fn claims(
    model: &Model,
    target: &Target,
    paths: &[Path],
    service_accounts: &[(String, String)],
) -> Vec<Claim> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for p in paths {
        for r in &p.requests {
            if seen.insert((p.subject.clone(), r.clone())) {
                out.push(Claim {
                    subject: p.subject.clone(),
                    request: r.clone(),
                    can: true,
                });
            }
        }
    }
    let with_path: BTreeSet<&Subject> = paths.iter().map(|p| &p.subject).collect();
    let others = service_accounts
        .iter()
        .filter(|(ns, name)| *ns == target.namespace && *name != target.name)
        .map(|(ns, name)| Subject::service_account(ns, name))
        .filter(|s| !with_path.contains(s))
        .take(CANNOT_SAMPLE);
    for subject in others {
        for request in cannot_requests(target) {
            let can = !model.allowing(&subject.user_info(), &request).is_empty();
            out.push(Claim {
                subject: subject.clone(),
                request,
                can,
            });
        }
    }
    out
}

/// Paths and claims of every account.
pub fn compute(
    model: &Model,
    accounts: &[Account],
    service_accounts: &[(String, String)],
) -> Vec<AccountReview> {
    accounts
        .iter()
        .map(|account| {
            let paths = paths::paths(model, &account.target);
            let claims = claims(model, &account.target, &paths, service_accounts);
            AccountReview {
                account: account.clone(),
                paths,
                claims,
            }
        })
        .collect()
}
