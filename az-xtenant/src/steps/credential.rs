//! The federated identity credential on the identity, trusting Tenant A's
//! issuer (byte for byte) for the workload's subject. A credential with the
//! same (issuer, subject) is used whatever its name; near twins (trailing
//! slash, letter case) are pointed out; the 20-per-identity budget is checked
//! before a create; a write refused because another write on the identity is
//! in flight is retried with backoff.

use anyhow::{Context, Result, bail};
use xtenant_shared::issuer::{self, Likeness};
use xtenant_shared::ownership::ObjectKind;
use xtenant_shared::validate::{Kind, check};

use crate::az::argv::Credential;
use crate::az::types::FederatedCredential;
use crate::az::{MAX_CREDENTIALS, arm_id};
use crate::context::Ctx;
use crate::engine::{Decision, Key, Present, Step};
use crate::settings::{Place, Side};
use crate::steps::retry::{Backoff, CONCURRENT_WRITES};
use crate::steps::slot::ClusterSlot;

pub struct CredentialStep {
    pub key: Key,
    /// The identity's and the cluster's steps, and the identity's previous
    /// credential step: Azure refuses concurrent writes on one identity.
    pub needs: Vec<Key>,
    pub cluster: ClusterSlot,
    pub place: Place,
    pub identity: String,
    pub name: String,
    pub subject: String,
    pub audience: String,
}

/// What the identity has: the matching credential, and all of them.
pub struct Credentials {
    pub matching: Option<FederatedCredential>,
    pub all: Vec<FederatedCredential>,
}

impl Present for Credentials {
    fn present(&self) -> bool {
        self.matching.is_some()
    }
    fn absent() -> Self {
        Credentials {
            matching: None,
            all: Vec::new(),
        }
    }
}

impl CredentialStep {
    /// The cluster's issuer, as recorded; none before the cluster is made.
    fn recorded_issuer(&self, cx: &Ctx) -> Result<Option<String>> {
        let Some(issuer) = self.cluster.issuer(&cx.snapshot()) else {
            return Ok(None);
        };
        check(crate::settings::DEMO_ISSUER, Kind::IssuerUrl, &issuer)?;
        Ok(Some(issuer))
    }

    fn issuer(&self, cx: &Ctx) -> Result<String> {
        self.recorded_issuer(cx)?
            .context("no OIDC issuer recorded yet: run `az-xtenant cluster` (or `up`) first")
    }

    /// Whether `status` meets the demo's cluster before it gave an issuer
    /// (before `up`): no credential can trust it yet, so the credential is
    /// missing, as the cluster is, rather than an error. (A graph's cluster
    /// is adopted, never made: without an issuer its own step fails.)
    fn before_the_cluster(&self, cx: &Ctx) -> Result<bool> {
        let demo = matches!(self.cluster, ClusterSlot::Demo);
        Ok(demo && !cx.applying() && self.recorded_issuer(cx)?.is_none())
    }
}

impl CredentialStep {
    /// The credential a write for `decision` makes: an audience fix
    /// rewrites the matching credential under its own name.
    pub fn to_write(
        &self,
        cx: &Ctx,
        decision: &Decision,
        live: &Credentials,
    ) -> Result<FederatedCredential> {
        let name = match (decision, &live.matching) {
            (Decision::Update(_), Some(c)) => c.name.clone(),
            _ => self.name.clone(),
        };
        Ok(FederatedCredential {
            name,
            issuer: self.issuer(cx)?,
            subject: self.subject.clone(),
            audiences: vec![self.audience.clone()],
        })
    }
}

impl Step for CredentialStep {
    type Live = Credentials;

    fn key(&self) -> Key {
        self.key.clone()
    }
    fn needs(&self) -> Vec<Key> {
        self.needs.clone()
    }
    fn side(&self) -> Side {
        Side::B
    }
    fn what(&self) -> String {
        format!("federated credential {}", self.name)
    }
    fn target(&self, _cx: &Ctx) -> Result<(ObjectKind, String)> {
        let p = &self.place;
        let identity = arm_id::identity(&p.subscription, &p.resource_group, &self.identity);
        Ok((
            ObjectKind::FederatedCredential,
            arm_id::credential(&identity, &self.name),
        ))
    }

    fn read(&self, cx: &Ctx) -> Result<Self::Live> {
        if self.before_the_cluster(cx)? {
            return Ok(Credentials::absent());
        }
        let issuer = self.issuer(cx)?;
        let p = &self.place;
        let all = cx
            .az()?
            .credential_list(&p.subscription, &p.resource_group, &self.identity)?;
        let matching = all
            .iter()
            .find(|c| c.issuer == issuer && c.subject == self.subject)
            .cloned();
        Ok(Credentials { matching, all })
    }

    fn decide(&self, cx: &Ctx, live: &Self::Live) -> Result<Decision> {
        if self.before_the_cluster(cx)? {
            return Ok(Decision::Create);
        }
        let issuer = self.issuer(cx)?;
        if let Some(c) = &live.matching {
            if !c.audiences.contains(&self.audience) {
                return Ok(Decision::Update(format!(
                    "({}) has audiences {:?}; workload identity tokens carry {}",
                    c.name, c.audiences, self.audience
                )));
            }
            let named = if c.name == self.name {
                String::new()
            } else {
                format!(" (as {})", c.name)
            };
            return Ok(Decision::Keep(format!(
                "trusts {} from {issuer}{named}",
                self.subject
            )));
        }
        if cx.applying() {
            for c in &live.all {
                let near_issuer = issuer::compare(&issuer, &c.issuer);
                let near_subject = issuer::compare_subject(&self.subject, &c.subject);
                if (near_issuer.is_near() && near_subject != Likeness::Different)
                    || (near_issuer == Likeness::Exact && near_subject.is_near())
                {
                    cx.progress.warn(&format!(
                        "federated credential {} trusts {:?} from {:?}, almost but not exactly the cluster's {:?} from {issuer:?}; Entra compares byte for byte",
                        c.name, c.subject, c.issuer, self.subject
                    ));
                }
            }
        }
        let replaces = live.all.iter().any(|c| c.name == self.name);
        if !replaces && live.all.len() >= MAX_CREDENTIALS {
            bail!(
                "managed identity {} already has {} federated credentials, the most Azure allows; remove one it no longer needs first",
                self.identity,
                live.all.len()
            );
        }
        Ok(if replaces {
            Decision::Update("exists with another issuer or subject".into())
        } else {
            Decision::Create
        })
    }

    fn write(&self, cx: &Ctx, decision: &Decision, live: Self::Live) -> Result<Self::Live> {
        let made = self.to_write(cx, decision, &live)?;
        let c = Credential {
            identity: &self.identity,
            name: &made.name,
            issuer: &made.issuer,
            subject: &self.subject,
            audience: &self.audience,
        };
        let p = &self.place;
        let mut backoff = Backoff::default();
        loop {
            match cx
                .az()?
                .credential_create(&p.subscription, &p.resource_group, &c)
            {
                Err(e) if e.says(CONCURRENT_WRITES) && backoff.left() => {
                    cx.progress.note(&format!(
                        "Tenant B: another credential write on {} is in flight; retrying in {} ms",
                        self.identity,
                        backoff.delay().as_millis()
                    ));
                    backoff.wait();
                }
                Err(e) => return Err(e.into()),
                Ok(()) => break,
            }
        }
        Ok(Credentials {
            matching: Some(made),
            all: live.all,
        })
    }

    fn record(&self, cx: &Ctx, live: &Self::Live) -> Result<()> {
        match (&live.matching, &self.cluster) {
            // The demo's binding; a graph's are recorded by the apply.
            // The name chosen for it is now the one recorded.
            (Some(c), ClusterSlot::Demo) => cx.record(|pr| {
                pr.resources.federated_credential_name = None;
                let w = pr.workload.clone();
                pr.graph
                    .set_demo_binding(&w.namespace, &w.service_account, &c.name);
            }),
            _ => Ok(()),
        }
    }

    fn created_note(&self, cx: &Ctx) -> Option<String> {
        let issuer = self.issuer(cx).unwrap_or_default();
        Some(format!(
            "trusts {} from {issuer}; Entra may take a minute or two to accept it",
            self.subject
        ))
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        let p = &self.place;
        Ok(cx.az()?.credential_delete(
            &p.subscription,
            &p.resource_group,
            &self.identity,
            &self.name,
        )?)
    }
}
