//! Replacing a made principal's role assignments at once: a control operation of
//! the simulator for tests, not an ARM behaviour.

use super::{Grant, assign, resolve, tenant_id};
use crate::state::Sim;

/// Replaces every role assignment of the principal `object_id` of `tenant` (one
/// made through [`create_principal`](super::create_principal)) with `roles`.
///
/// This is a test control, not something ARM does: in Azure a caller's roles
/// change through one role assignment DELETE or PUT at a time. It exists so that a
/// test can sign `az` in once as a principal and change what it may do between
/// commands. It takes effect on the next request, because every request is
/// authorised against the stored assignments (see [`check`](super::check)); the
/// tokens `az` holds stay valid. The principal's old assignments are removed,
/// wherever they are and however they were made (also through
/// `az role assignment create`); custom role definitions stay, as ARM keeps a
/// definition when its assignments go. Bad input (unknown tenant, a principal not
/// made at run time, a bad role or scope) changes nothing.
pub fn set_principal_roles(
    sim: &Sim,
    tenant: &str,
    object_id: &str,
    roles: &[Grant],
) -> Result<(), String> {
    let tenant = tenant_id(sim, tenant)?;
    let made = sim.lock().authz.principals.iter().any(|(t, p)| {
        t.eq_ignore_ascii_case(&tenant) && p.object_id.eq_ignore_ascii_case(object_id)
    });
    if !made {
        // A configured principal is Owner whatever is stored, so new roles would
        // change nothing for it.
        return Err(format!(
            "principal: no principal with object ID '{object_id}' was made in tenant '{tenant}'; make one with create_principal (configured principals are Owner whatever their assignments)"
        ));
    }
    let resolved = resolve(roles)?;
    sim.lock().resources.retain(|_, r| {
        !(r.tenant.eq_ignore_ascii_case(&tenant)
            && r.body["type"] == "Microsoft.Authorization/roleAssignments"
            && r.body["properties"]["principalId"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case(object_id)))
    });
    assign(sim, &tenant, object_id, resolved);
    Ok(())
}
