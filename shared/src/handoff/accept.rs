//! Tenant A's record of the hand-off, in its profile's graph state: the
//! requests it made (so a grant can be checked against what was asked), and
//! an accepted grant's clusters, identities and bindings, recorded the way
//! `apply` records a graph's, so that `kubectl xtenant bind`, `verify`,
//! `doctor` and `audit` find a workload's client ID and Tenant B without an
//! ID typed.

use std::collections::BTreeSet;

use super::{HandoffError, TrustGrant, TrustRequest};
use crate::graph_state::{Binding, ClusterState, GraphState, IdentityState};

/// What an accepted grant recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub identities: usize,
    pub bindings: usize,
}

impl GraphState {
    /// Records a request made, replacing one with the same digest.
    pub fn record_request(&mut self, request: &TrustRequest) {
        self.requests.retain(|r| r.digest != request.digest);
        self.requests.push(request.clone());
    }

    /// Records `grant` (its digest already checked) against the request it
    /// answers, which must be on record and answered exactly; refused, and
    /// nothing recorded, otherwise. `credential_name` names the credential
    /// of a (cluster, namespace, ServiceAccount) as the granting side does.
    pub fn accept(
        &mut self,
        grant: &TrustGrant,
        credential_name: impl Fn(&str, &str, &str) -> String,
    ) -> Result<Accepted, HandoffError> {
        let Some(request) = self.requests.iter().find(|r| r.digest == grant.request) else {
            return Err(HandoffError::Mismatch(vec![format!(
                "request: the grant answers {}, a request this profile never made (it made {}); accept it in the profile that ran `az-xtenant request`",
                grant.request,
                if self.requests.is_empty() {
                    "none".to_string()
                } else {
                    self.requests
                        .iter()
                        .map(|r| r.digest.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )]));
        };
        grant.answers(request)?;
        let request = request.clone();
        if let Some(b) = &self.tenant_b
            && !b.eq_ignore_ascii_case(&grant.tenant_b)
        {
            return Err(HandoffError::Mismatch(vec![format!(
                "tenantB: the grant is from {}, this profile's graph trusts tenant {b}; accept it in a profile of its own (--profile)",
                grant.tenant_b
            )]));
        }
        self.tenant_b = Some(grant.tenant_b.clone());
        for c in &request.clusters {
            self.clusters.insert(
                c.name.clone(),
                ClusterState {
                    id: Some(c.resource_id.clone()),
                    issuer_url: Some(c.issuer.clone()),
                    ..ClusterState::default()
                },
            );
        }
        for i in &grant.identities {
            let state = self.identities.entry(i.name.clone()).or_default();
            *state = IdentityState {
                client_id: Some(i.client_id.clone()),
                ..state.clone()
            };
        }
        // The hand-off's bindings are the last accepted grant's: a later
        // request supersedes an earlier one, as Tenant B's `grant --prune`
        // makes it. Bindings of identities no request asked for (an
        // `apply` of this profile) are kept.
        let handed: BTreeSet<&str> = self
            .requests
            .iter()
            .flat_map(|r| r.identities.iter().map(|i| i.name.as_str()))
            .collect();
        self.bindings
            .retain(|b| !handed.contains(b.identity.as_str()));
        let mut bindings = 0;
        for t in &grant.trusted {
            let Some((namespace, service_account)) = t
                .subject
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':'))
            else {
                continue;
            };
            let binding = Binding {
                cluster: t.cluster.clone(),
                namespace: namespace.to_string(),
                service_account: service_account.to_string(),
                identity: t.identity.clone(),
                credential: credential_name(&t.cluster, namespace, service_account),
            };
            self.bindings.retain(|b| {
                (&b.cluster, &b.namespace, &b.service_account)
                    != (
                        &binding.cluster,
                        &binding.namespace,
                        &binding.service_account,
                    )
            });
            self.bindings.push(binding);
            bindings += 1;
        }
        Ok(Accepted {
            identities: grant.identities.len(),
            bindings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::fixture;

    fn name(c: &str, ns: &str, sa: &str) -> String {
        format!("xt-{c}-{ns}-{sa}")
    }

    #[test]
    fn a_grant_for_the_request_on_record_binds_its_workloads() {
        let request = fixture::request();
        let grant = fixture::grant(&request);
        let mut g = GraphState::default();
        g.record_request(&request);
        let done = g.accept(&grant, name).expect("accepted");
        assert_eq!(done.bindings, grant.trusted.len());
        let w = &request.workloads[0];
        let (identity, state) = g
            .identity_for(&w.namespace, &w.service_account)
            .expect("bound");
        assert_eq!(identity, w.identity);
        let granted = grant
            .identities
            .iter()
            .find(|i| i.name == identity)
            .unwrap();
        assert_eq!(state.client_id.as_deref(), Some(granted.client_id.as_str()));
        assert_eq!(g.tenant_b.as_deref(), Some(grant.tenant_b.as_str()));
        let c = &request.clusters[0];
        assert_eq!(
            g.clusters[&c.name].issuer_url.as_deref(),
            Some(c.issuer.as_str())
        );
        // Accepting again changes nothing.
        let before = g.clone();
        g.accept(&grant, name).expect("again");
        assert_eq!(g, before);
    }

    #[test]
    fn a_later_grant_replaces_the_bindings_an_earlier_one_recorded() {
        let first = fixture::request();
        let mut g = GraphState::default();
        g.record_request(&first);
        g.accept(&fixture::grant(&first), name).expect("first");
        // An `apply` of this profile bound a workload of its own identity.
        let own = Binding {
            cluster: "aks-blue".into(),
            namespace: "batch".into(),
            service_account: "runner".into(),
            identity: "batch-runner".into(),
            credential: name("aks-blue", "batch", "runner"),
        };
        g.bindings.push(own.clone());
        // Tenant A drops orders/audit and asks again.
        let mut second = first.clone();
        second.workloads.retain(|w| w.service_account != "audit");
        let second = TrustRequest::new(
            &second.tenant_a,
            fixture::made_at(),
            second.clusters,
            second.identities,
            second.workloads,
        )
        .expect("well formed");
        g.record_request(&second);
        g.accept(&fixture::grant(&second), name).expect("second");
        assert!(
            g.identity_for("orders", "audit").is_none(),
            "the dropped workload is still bound: {:#?}",
            g.bindings
        );
        assert!(g.identity_for("orders", "writer").is_some());
        assert!(g.bindings.contains(&own), "{:#?}", g.bindings);
    }

    #[test]
    fn a_grant_for_a_request_never_made_is_refused_and_records_nothing() {
        let request = fixture::request();
        let grant = fixture::grant(&request);
        let mut g = GraphState::default();
        let err = g.accept(&grant, name).expect_err("refused");
        assert!(err.to_string().contains("never made"), "{err}");
        assert!(g.is_empty(), "{g:?}");
    }

    #[test]
    fn a_grant_of_another_tenant_b_than_the_graphs_is_refused() {
        let request = fixture::request();
        let grant = fixture::grant(&request);
        let mut g = GraphState {
            tenant_b: Some("99999999-0000-4000-8000-000000000009".into()),
            ..GraphState::default()
        };
        g.record_request(&request);
        let before = g.clone();
        let err = g.accept(&grant, name).expect_err("refused");
        assert!(err.to_string().contains("tenantB"), "{err}");
        assert_eq!(g, before);
    }
}
