//! `cleanup`: the demo graph walked backwards, deleting only what this
//! profile created — a resource group when it carries this profile's ID
//! (everything in it goes with it), and each object xtenant created inside a
//! group it adopted. Nothing else, ever. Asks on a terminal; elsewhere
//! `--yes` is required. Then forgets what the demo's entries of the graph
//! state record of what it deleted; a declared graph's entries stay.

use anyhow::Result;
use xtenant_shared::Profile;
use xtenant_shared::ownership::ObjectKind;

use az_xtenant::az::arm_id::ArmId;
use az_xtenant::context::Ctx;
use az_xtenant::context::Waits;
use az_xtenant::engine::Node;
use az_xtenant::engine::delete::{By, Doomed, delete_all};
use az_xtenant::settings;
use az_xtenant::steps::{self, Part, group};

/// Delete what xtenant created (both tenants), after confirmation.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Delete without asking (required when not on a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Start the deletions and return without waiting for them to finish
    #[arg(long)]
    pub no_wait: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    if p.owned.is_empty() {
        ctx.progress.done(
            "nothing to delete: this profile created nothing (adopted groups and objects are kept)",
        );
        return Ok(());
    }
    let graph = steps::demo(&p, Part::All)?;
    let places = [settings::cluster(&p)?.place, settings::resources(&p)?.place];
    let az = ctx.az_for(&places)?;
    let mut waits = Waits::standard();
    waits.no_wait = args.no_wait;
    let cx = ctx.walk(&az, &waits, false);
    let doomed = plan(&cx, &graph.order()?)?;
    if doomed.is_empty() {
        return Ok(());
    }
    if !args.yes && !ctx.dry_run() {
        confirm(&doomed)?;
    }
    delete_all(&cx, &doomed, forget, |d| {
        let how = if args.no_wait && d.kind == ObjectKind::ResourceGroup {
            "deletion started"
        } else {
            "deleted"
        };
        format!("{}: {} {how}", d.side.label(), d.what)
    })
}

/// What to delete, objects before their groups: every group this profile
/// made, and every object it made outside those groups. Deleted through the
/// engine's delete walk, each by the step that made it.
fn plan<'g>(cx: &Ctx, order: &[&'g dyn Node]) -> Result<Vec<Doomed<'g>>> {
    let owned = cx.snapshot().owned;
    let mut groups: Vec<Doomed<'g>> = Vec::new();
    // Recorded as ours but not marked so: someone may have taken them over;
    // nothing inside them is touched.
    let mut suspect: Vec<String> = Vec::new();
    for &node in order {
        let (kind, id) = node.target(cx)?;
        if kind != ObjectKind::ResourceGroup || !owned.is_ours(&id) {
            continue;
        }
        let (sub, rg) = split_group(&id);
        match cx.az()?.group_show(sub, rg)? {
            None => {
                cx.progress.done(&format!(
                    "{}: {} is already gone",
                    node.side().label(),
                    node.what()
                ));
                cx.record(|p| forget(p, kind, &id))?;
            }
            Some(g) if group::is_ours(cx, &id, &g) => groups.push(doomed(node, kind, id)),
            Some(_) => {
                cx.progress.warn(&format!(
                    "{}: not deleting {} nor anything in it: it does not carry this profile's tag (xtenant-profile), so someone else may own it",
                    node.side().label(),
                    node.what()
                ));
                suspect.push(id);
            }
        }
    }
    let inside = |id: &str, group: &str| ArmId::parse(id).is_inside(group);
    let inside_doomed = |id: &str| {
        groups.iter().any(|g| inside(id, &g.id)) || suspect.iter().any(|g| inside(id, g))
    };
    let mut objects = Vec::new();
    for &node in order.iter().rev() {
        let (kind, id) = node.target(cx)?;
        if kind == ObjectKind::ResourceGroup || !owned.is_ours(&id) || inside_doomed(&id) {
            continue;
        }
        // An assumed Azure cannot say; the plan shows the delete.
        if cx.assumed() || node.present(cx)? {
            objects.push(doomed(node, kind, id));
        } else {
            cx.record(|p| forget(p, kind, &id))?;
        }
    }
    objects.extend(groups);
    Ok(objects)
}

fn doomed(node: &dyn Node, kind: ObjectKind, id: String) -> Doomed<'_> {
    Doomed {
        side: node.side(),
        kind,
        id,
        what: node.what(),
        by: By::Step(node),
    }
}

/// `/subscriptions/<sub>/resourceGroups/<rg>` → (sub, rg).
fn split_group(id: &str) -> (&str, &str) {
    let id = ArmId::parse(id);
    (id.subscription(), id.resource_group())
}

/// Asks on the terminal; refuses (exit 2) when there is none.
fn confirm(doomed: &[Doomed]) -> Result<()> {
    let list: Vec<String> = doomed
        .iter()
        .map(|d| format!("{} ({})", d.what, d.side.label()))
        .collect();
    az_xtenant::context::confirm(
        &format!(
            "Delete {} (resource groups with everything in them)?",
            list.join(", ")
        ),
        &format!("cleanup would delete {}", list.join(", ")),
        "cleanup cancelled; nothing was deleted",
    )
}

/// Forgets a deleted object: its ownership record (with everything inside
/// it) and what the demo's entries of the graph state record of it. Names
/// and settings stay, so `up` can build it again.
///
/// The ownership record is forgotten by ARM ID; the demo's entries by the
/// deleted object's kind, because they cannot all be found by ID: the
/// cluster's entry may hold an issuer without the cluster's ID (the ID is
/// optional where `ClusterSlot::set` records it), the binding holds a credential's name, not
/// its ID, and the namespace's ID lives in `resources`. A group is forgotten
/// by its side: the cluster's, or the identity's with all the demo made in it.
fn forget(p: &mut Profile, kind: ObjectKind, id: &str) {
    p.owned.forget(id);
    let c = &p.cluster;
    let cluster_side = c
        .subscription_id
        .as_deref()
        .zip(c.resource_group.as_deref())
        .is_some_and(|(s, g)| xtenant_shared::profile::group_id(s, g).eq_ignore_ascii_case(id));
    let (g, r) = (&mut p.graph, &mut p.resources);
    match kind {
        ObjectKind::ResourceGroup if cluster_side => g.forget_demo_cluster(),
        ObjectKind::ResourceGroup => {
            (r.servicebus_id, r.servicebus_hostname) = (None, None);
            r.federated_credential_name = None;
            g.forget_demo_identity();
        }
        ObjectKind::ManagedCluster => g.forget_demo_cluster(),
        ObjectKind::ServiceBusNamespace => (r.servicebus_id, r.servicebus_hostname) = (None, None),
        ObjectKind::ServiceBusQueue => {}
        ObjectKind::ManagedIdentity => g.forget_demo_identity_ids(),
        ObjectKind::RoleAssignment => g.forget_demo_roles(),
        ObjectKind::FederatedCredential => {
            r.federated_credential_name = None;
            g.forget_demo_binding();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_split_into_subscription_and_name() {
        assert_eq!(
            split_group("/subscriptions/s1/resourceGroups/rg-x"),
            ("s1", "rg-x")
        );
    }

    #[test]
    fn forgetting_a_group_forgets_its_side_and_contents() {
        let mut p = Profile::default();
        p.cluster.subscription_id = Some("s".into());
        p.cluster.resource_group = Some("rg".into());
        p.graph.demo_cluster_mut().issuer_url = Some("https://i/".into());
        p.graph.demo_identity_mut().client_id = Some("c".into());
        let g = "/subscriptions/s/resourceGroups/rg";
        p.owned.created(ObjectKind::ResourceGroup, g);
        p.owned
            .created(ObjectKind::ManagedCluster, &format!("{g}/providers/x/y"));
        forget(&mut p, ObjectKind::ResourceGroup, g);
        assert!(p.owned.is_empty());
        assert_eq!(p.demo_issuer(), None);
        assert_eq!(p.demo_client_id(), Some("c"));
    }
}
