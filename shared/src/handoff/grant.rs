//! The grant, Tenant B to Tenant A: which request it answers, each
//! identity's client ID and the roles Tenant B actually granted, and the
//! (issuer, subject) pairs now trusted. IDs only, nothing secret.
//!
//! ```yaml
//! apiVersion: xtenant/v1alpha1
//! kind: TrustGrant
//! tenantB: <guid>
//! tenantA: <guid>
//! request: sha256:<the request's digest>
//! madeAt: 2026-12-05T09:12:00Z
//! identities:
//!   - name: orders-writer
//!     clientId: <guid>
//!     roles:
//!       - role: Azure Service Bus Data Sender
//!         scope: /subscriptions/<b>/resourceGroups/rg-data/providers/Microsoft.ServiceBus/namespaces/sb-orders/queues/orders
//! trusted:
//!   - cluster: aks-blue
//!     issuer: https://eastus.oic.prod-aks.azure.com/<tenant A>/<guid>/
//!     subject: system:serviceaccount:orders:writer
//!     identity: orders-writer
//! digest: sha256:<64 hex digits>
//! ```

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::review::{Check, Finding};
use super::{API_VERSION, HandoffError, TrustRequest, digest, document, when};
use crate::names;
use crate::validate::Kind;

/// The `kind` of a grant.
pub const KIND: &str = "TrustGrant";

/// What Tenant B granted in answer to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrustGrant {
    pub api_version: String,
    pub kind: String,
    /// Tenant B's ID: the tenant of the identities, where tokens come from.
    pub tenant_b: String,
    /// The Tenant A of the request answered.
    pub tenant_a: String,
    /// The digest of the request answered.
    pub request: String,
    pub made_at: String,
    pub identities: Vec<GrantedIdentity>,
    pub trusted: Vec<TrustedSubject>,
    /// [`digest::of`] the rest.
    pub digest: String,
}

/// An identity of Tenant B, as a workload's ServiceAccount will name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrantedIdentity {
    pub name: String,
    pub client_id: String,
    /// The roles granted, which may differ from those asked for.
    #[serde(default)]
    pub roles: Vec<RoleGrant>,
}

/// A role assignment made: the role and its ARM scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleGrant {
    pub role: String,
    pub scope: String,
}

/// A federated credential made: tokens with this issuer and subject act as
/// the identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrustedSubject {
    pub cluster: String,
    pub issuer: String,
    pub subject: String,
    pub identity: String,
}

impl TrustedSubject {
    /// Everything `request` asks to trust.
    pub fn all_of(request: &TrustRequest) -> Vec<Self> {
        let cluster_of = |issuer: &str| {
            request
                .clusters
                .iter()
                .find(|c| c.issuer == issuer)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        };
        request
            .credentials()
            .into_iter()
            .map(|(issuer, subject, identity)| Self {
                cluster: cluster_of(issuer),
                issuer: issuer.to_string(),
                subject: subject.to_string(),
                identity: identity.to_string(),
            })
            .collect()
    }
}

impl TrustGrant {
    /// A grant answering `request`, made at `made_at`, its digest computed;
    /// refused with every broken rule named.
    pub fn new(
        tenant_b: &str,
        request: &TrustRequest,
        made_at: SystemTime,
        identities: Vec<GrantedIdentity>,
        trusted: Vec<TrustedSubject>,
    ) -> Result<Self, HandoffError> {
        let mut grant = Self {
            api_version: API_VERSION.to_string(),
            kind: KIND.to_string(),
            tenant_b: tenant_b.to_string(),
            tenant_a: request.tenant_a.clone(),
            request: request.computed_digest(),
            made_at: when::rfc3339(made_at),
            identities,
            trusted,
            digest: String::new(),
        };
        grant.digest = grant.computed_digest();
        let errors = grant.broken_rules();
        if errors.is_empty() {
            Ok(grant)
        } else {
            Err(HandoffError::Invalid(errors))
        }
    }

    /// Reads a grant; `source_name` names it in errors. Its values are
    /// checked; its digest is not ([`Self::verify_digest`]).
    pub fn from_yaml(source_name: &str, text: &str) -> Result<Self, HandoffError> {
        let grant: Self = document::read(source_name, text, KIND)?;
        let errors = grant.broken_rules();
        if errors.is_empty() {
            Ok(grant)
        } else {
            Err(HandoffError::Invalid(errors))
        }
    }

    pub fn to_yaml(&self) -> String {
        document::write(self)
    }

    pub fn computed_digest(&self) -> String {
        digest::of(self)
    }

    /// Refuses a grant whose content is not what its digest covers.
    pub fn verify_digest(&self, source_name: &str) -> Result<(), HandoffError> {
        digest::verify(self, &self.digest, source_name)
    }

    /// The client ID a workload's ServiceAccount is to name, if it is trusted.
    pub fn client_id_for(&self, namespace: &str, service_account: &str) -> Option<&str> {
        let subject = names::subject(namespace, service_account);
        let t = self.trusted.iter().find(|t| t.subject == subject)?;
        let id = self.identities.iter().find(|i| i.name == t.identity)?;
        Some(&id.client_id)
    }

    fn broken_rules(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut rule = |at: String, value: &str, kind: Kind| {
            if !kind.accepts(value) {
                let what = format!("{value:?} {}", kind.rule());
                out.push(Finding::error(Check::Shape, at, what, FIX));
            }
        };
        rule("tenantB".into(), &self.tenant_b, Kind::Guid);
        rule("tenantA".into(), &self.tenant_a, Kind::Guid);
        for (i, id) in self.identities.iter().enumerate() {
            rule(format!("identities[{i}].name"), &id.name, Kind::Identity);
            rule(
                format!("identities[{i}].clientId"),
                &id.client_id,
                Kind::Guid,
            );
        }
        for (i, t) in self.trusted.iter().enumerate() {
            rule(format!("trusted[{i}].issuer"), &t.issuer, Kind::IssuerUrl);
        }
        let mut bad =
            |at: String, what: String| out.push(Finding::error(Check::Shape, at, what, FIX));
        if !digest::is_well_formed(&self.request) {
            bad(
                "request".into(),
                format!("{:?} is not a sha256: digest", self.request),
            );
        }
        if !when::is_rfc3339(&self.made_at) {
            bad(
                "madeAt".into(),
                format!(
                    "{:?} is not a UTC time like 2026-12-04T22:03:09Z",
                    self.made_at
                ),
            );
        }
        for (i, t) in self.trusted.iter().enumerate() {
            if names::parse_subject(&t.subject).is_none() {
                let what = format!(
                    "{:?} is not system:serviceaccount:<namespace>:<name>",
                    t.subject
                );
                bad(format!("trusted[{i}].subject"), what);
            }
            if !self.identities.iter().any(|id| id.name == t.identity) {
                let what = format!("identity {:?} is not among the identities", t.identity);
                bad(format!("trusted[{i}].identity"), what);
            }
        }
        out
    }

    /// Refuses a grant that does not answer `request` (the one Tenant A kept):
    /// another Tenant A, another request (by digest), or other subjects
    /// trusted, or the same through another identity. Every difference is
    /// named.
    pub fn answers(&self, request: &TrustRequest) -> Result<(), HandoffError> {
        let mut differences = Vec::new();
        if !self.tenant_a.eq_ignore_ascii_case(&request.tenant_a) {
            differences.push(format!(
                "tenantA: the grant is for {}, the request is from {}",
                self.tenant_a, request.tenant_a
            ));
        }
        let asked = request.computed_digest();
        if self.request != asked {
            differences.push(format!(
                "request: the grant answers {}, the request on record is {asked}",
                self.request
            ));
        }
        let asked = TrustedSubject::all_of(request);
        for t in &self.trusted {
            match asked.iter().find(|a| (&a.issuer, &a.subject) == (&t.issuer, &t.subject)) {
                None => differences.push(format!(
                    "trusted: the grant trusts {} from issuer {}, which the request did not ask for",
                    t.subject, t.issuer
                )),
                Some(a) if a.identity != t.identity => differences.push(format!(
                    "trusted: the grant trusts {} as identity {}, the request asked for {}",
                    t.subject, t.identity, a.identity
                )),
                Some(_) => {}
            }
        }
        for a in &asked {
            if !self
                .trusted
                .iter()
                .any(|t| (&a.issuer, &a.subject) == (&t.issuer, &t.subject))
            {
                differences.push(format!(
                    "trusted: the request asked to trust {} from issuer {}, which the grant does not",
                    a.subject, a.issuer
                ));
            }
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(HandoffError::Mismatch(differences))
        }
    }
}

const FIX: &str = "ask Tenant B for the grant as `az-xtenant grant` wrote it";
