//! A role granted to the identity at a scope (the procedure: Azure Service
//! Bus Data Owner on the namespace; role and scope are data). The
//! assignment's name is a GUID derived from the profile, role, scope and
//! principal, so its ARM ID is known before the create, and its description
//! names xtenant and the profile. Retried, visibly and within a limit, while
//! a new identity is unknown to the directory (PrincipalNotFound).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use xtenant_shared::ownership::ObjectKind;

use crate::az::argv::Grant;
use crate::az::arm_id::{self, ArmId};
use crate::az::types::{PLACEHOLDER_GUID, RoleAssignment};
use crate::context::Ctx;
use crate::engine::{Decision, Key, Step};
use crate::settings::{Place, Side};
use crate::steps::slot::IdentitySlot;

pub struct RoleStep {
    pub key: Key,
    pub place: Place,
    /// The identity granted the role, and the step that records it.
    pub identity: IdentitySlot,
    pub identity_step: Key,
    /// Role name or role definition GUID.
    pub role: String,
    pub scope: String,
    /// The step that makes the scope's object, when it is in the graph.
    pub scope_step: Option<Key>,
}

impl RoleStep {
    fn principal(&self, cx: &Ctx) -> String {
        self.identity
            .principal(&cx.snapshot())
            .unwrap_or_else(|| PLACEHOLDER_GUID.into())
    }

    /// The assignment's name: the same for the same profile, role, scope and principal.
    fn name(&self, cx: &Ctx) -> Result<String> {
        let profile = cx.profile_id()?;
        let seed = format!(
            "{profile}|{}|{}|{}",
            self.role.to_ascii_lowercase(),
            self.scope.to_ascii_lowercase(),
            self.principal(cx).to_ascii_lowercase()
        );
        Ok(uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes()).to_string())
    }
}

impl Step for RoleStep {
    type Live = Option<RoleAssignment>;

    fn key(&self) -> Key {
        self.key.clone()
    }
    fn needs(&self) -> Vec<Key> {
        let mut needs = vec![self.identity_step.clone()];
        needs.extend(self.scope_step.clone());
        needs
    }
    fn side(&self) -> Side {
        Side::B
    }
    fn what(&self) -> String {
        let at = ArmId::parse(&self.scope).name();
        format!("role assignment {} on {at}", self.role)
    }
    fn target(&self, cx: &Ctx) -> Result<(ObjectKind, String)> {
        Ok((
            ObjectKind::RoleAssignment,
            arm_id::role_assignment(&self.scope, &self.name(cx)?),
        ))
    }

    fn read(&self, cx: &Ctx) -> Result<Self::Live> {
        let principal = self.principal(cx);
        let all = match self.identity {
            // A graph's grants are on many scopes of a few subscriptions: one
            // list of each subscription's assignments answers for all.
            IdentitySlot::Graph(_) => cx.az()?.role_assignments_everywhere(&self.scope)?,
            IdentitySlot::Demo => cx
                .az()?
                .role_assignment_list(&self.place.subscription, &self.scope)?,
        };
        Ok(all
            .into_iter()
            .find(|ra| ra.grants(&self.role, &principal, &self.scope)))
    }

    fn decide(&self, _cx: &Ctx, live: &Self::Live) -> Result<Decision> {
        Ok(match live {
            None => Decision::Create,
            Some(_) => Decision::Keep("already granted to the identity".into()),
        })
    }

    fn write(&self, cx: &Ctx, _decision: &Decision, _live: Self::Live) -> Result<Self::Live> {
        let principal = self.principal(cx);
        let name = self.name(cx)?;
        let description = format!("Created by xtenant (profile {})", cx.profile_id()?);
        let grant = Grant {
            principal: &principal,
            role: &self.role,
            scope: &self.scope,
            name: Some(&name),
            description: Some(&description),
        };
        assign(cx, &self.place.subscription, &grant)
    }

    fn record(&self, cx: &Ctx, live: &Self::Live) -> Result<()> {
        match (live, &self.identity) {
            // The demo keeps its assignment's ID; a graph's are found by
            // their deterministic names.
            (Some(ra), IdentitySlot::Demo) => {
                cx.record(|pr| pr.graph.demo_identity_mut().role_assignments = vec![ra.id.clone()])
            }
            _ => Ok(()),
        }
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        let (_, id) = self.target(cx)?;
        Ok(cx
            .az()?
            .role_assignment_delete(&self.place.subscription, &id)?)
    }
}

/// Creates the assignment, retrying with a growing, visible delay while the
/// directory does not know the new principal yet (`PrincipalNotFound`).
fn assign(cx: &Ctx, sub: &str, grant: &Grant<'_>) -> Result<Option<RoleAssignment>> {
    let started = Instant::now();
    let limit = cx.waits.principal;
    let mut delay = Duration::from_secs(1);
    loop {
        match cx.az()?.role_assignment_create(sub, grant) {
            Ok(ra) => return Ok(ra),
            Err(e) if e.is_principal_not_found() => {
                let waited = started.elapsed();
                if waited + delay > limit {
                    return Err(e).with_context(|| {
                        format!(
                            "the identity's principal {} was still unknown to Tenant B's \
                             directory after {} s (PrincipalNotFound); Entra replication can take \
                             minutes: re-run `az-xtenant up` later, or raise --principal-wait",
                            grant.principal,
                            waited.as_secs()
                        )
                    });
                }
                cx.progress.note(&format!(
                    "Tenant B: principal {} not replicated yet (PrincipalNotFound); \
                     retrying in {} s ({} s of {} s)",
                    grant.principal,
                    delay.as_secs(),
                    waited.as_secs(),
                    limit.as_secs()
                ));
                cx.progress.wait(
                    "Tenant B: waiting for Entra to replicate the identity",
                    || std::thread::sleep(delay),
                );
                delay = (delay * 2).min(Duration::from_secs(16));
            }
            Err(e) => return Err(e.into()),
        }
    }
}
