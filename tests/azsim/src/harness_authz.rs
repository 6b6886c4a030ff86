//! Harness helpers for caller permissions: a service principal with chosen roles
//! (replaced at will), and `az` signed in as it.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::authz::{self, PrincipalSpec};
use crate::config::ServicePrincipal;
use crate::harness::Harness;

impl Harness {
    /// A service principal of `tenant` with `roles` (as `POST /_azsim/principals`
    /// takes them: `[{"role": "Reader" | {"roleName", "actions", "notActions"},
    /// "scope": "…"}]`); panics on bad input.
    pub fn create_principal(&self, tenant: &str, roles: &Value) -> ServicePrincipal {
        let spec: PrincipalSpec =
            serde_json::from_value(serde_json::json!({"tenant": tenant, "roles": roles}))
                .unwrap_or_else(|e| panic!("principal spec: {e}"));
        authz::create_principal(&self.server.sim, &spec).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Replaces every role assignment of `sp` (a principal of `tenant` made by
    /// [`Harness::create_principal`]) with `roles`, given as `create_principal`
    /// takes them; panics on bad input. A test control of the simulator, not an
    /// ARM behaviour (see [`authz::set_principal_roles`]): `az` signed in as `sp`
    /// stays signed in, and its next request is authorised against the new roles.
    pub fn set_principal_roles(&self, tenant: &str, sp: &ServicePrincipal, roles: &Value) {
        let roles: Vec<authz::Grant> =
            serde_json::from_value(roles.clone()).unwrap_or_else(|e| panic!("roles: {e}"));
        authz::set_principal_roles(&self.server.sim, tenant, &sp.object_id, &roles)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Signs `az` in to `tenant` as `sp`: from then on az calls that tenant's
    /// subscriptions as this principal (the other tenant keeps its login).
    pub fn sign_in_as(&self, tenant: &str, sp: &ServicePrincipal) {
        self.run_az(&crate::harness::login_args(sp, tenant))
            .unwrap_or_else(|e| panic!("{e:#}"));
    }

    /// The actions requests from `tenant`'s callers have needed since the last
    /// call (sorted, each once), then forgets them: what one command asks of ARM.
    pub fn take_needed_actions(&self, tenant: &str) -> Vec<String> {
        let mut g = self.server.sim.lock();
        let tenant = tenant.to_ascii_lowercase();
        let (mine, rest): (BTreeSet<_>, BTreeSet<_>) = std::mem::take(&mut g.authz.needed)
            .into_iter()
            .partition(|(t, _)| *t == tenant);
        g.authz.needed = rest;
        mine.into_iter().map(|(_, a)| a).collect()
    }
}
