//! Negative controls: the clean run's finished state, corrupted one way at a
//! time through the simulator's state (or the profile file), must be flagged by
//! the check that guards against it; the corruption is then undone. They cost
//! no `az` process except the further `up` that must be seen writing.

use serde_json::{Value, json};

use super::after::{self, WriteRecord};
use super::case::Case;
use super::{check, converged};

/// A control that was not caught, as a case failure.
fn missed(name: &str, needle: &str, got: &[String]) -> String {
    format!("negative control \"{name}\" not caught: no failure containing {needle:?} in {got:?}")
}

/// Records whether `got` flags the control, and says so.
fn expect(case: &mut Case, name: &str, needle: &str, got: &[String]) {
    if let Some(hit) = got.iter().find(|f| f.contains(needle)) {
        println!("negative control \"{name}\": flagged: {}", first_line(hit));
    } else {
        case.failures.push(missed(name, needle, got));
    }
}

fn first_line(s: &str) -> String {
    s.chars().take(160).collect()
}

/// The stored resource ID (lower case) of `name` of `rtype` in the case's groups.
fn stored_id(case: &Case, rtype: &str, name: &str) -> Option<String> {
    check::resources(case, &case.groups)
        .into_iter()
        .find(|r| {
            check::lower(&r["type"]) == rtype.to_ascii_lowercase()
                && check::lower(&r["name"]) == name.to_ascii_lowercase()
        })
        .map(|r| check::lower(&r["id"]))
}

/// Tenant B's group's ID, as stored.
fn group_b(case: &Case) -> String {
    stored_id(
        case,
        "Microsoft.Resources/resourceGroups",
        &case.groups[1].clone(),
    )
    .expect("Tenant B's group exists")
}

/// Runs `check` with the stored resource `id` changed by `change` (removed when
/// it answers false), then puts it back as it was.
fn with_resource_changed(
    case: &Case,
    id: &str,
    change: impl Fn(&mut Value) -> bool,
    check: impl FnOnce(&Case) -> Vec<String>,
) -> Vec<String> {
    let saved = {
        let mut g = case.h.server.sim.lock();
        let saved = g
            .resources
            .get(id)
            .cloned()
            .expect("the resource to corrupt");
        let mut body = saved.body.clone();
        if change(&mut body) {
            g.resources.get_mut(id).expect("stored").body = body;
        } else {
            g.resources.remove(id);
        }
        saved
    };
    let got = check(case);
    case.h
        .server
        .sim
        .lock()
        .resources
        .insert(id.to_string(), saved);
    got
}

/// Runs `check` with a copy of the stored resource `id` under `copy_id`, then
/// removes the copy.
fn with_stray_copy(
    case: &Case,
    id: &str,
    copy_id: &str,
    check: impl FnOnce(&Case) -> Vec<String>,
) -> Vec<String> {
    {
        let mut g = case.h.server.sim.lock();
        let mut stray = g.resources.get(id).cloned().expect("the resource to copy");
        let name = copy_id.rsplit('/').next().unwrap_or_default();
        stray.body["id"] = json!(copy_id);
        stray.body["name"] = json!(name);
        g.resources.insert(copy_id.to_string(), stray);
    }
    let got = check(case);
    case.h.server.sim.lock().resources.remove(copy_id);
    got
}

/// Runs `check` with the profile file rewritten by `change`, then restores it.
fn with_profile_changed(
    case: &Case,
    change: impl Fn(&mut Value),
    check: impl FnOnce(&Case) -> Vec<String>,
) -> Vec<String> {
    let path = case.profile_path();
    let text = std::fs::read_to_string(&path).expect("reading the profile");
    let mut p: Value = serde_json::from_str(&text).expect("the profile is JSON");
    change(&mut p);
    std::fs::write(&path, p.to_string()).expect("writing the profile");
    let got = check(case);
    std::fs::write(&path, text).expect("restoring the profile");
    got
}

/// On the converged state (writes counted from `from`): the end-state,
/// tagging, ownership and further-`up` checks each flag their corruption, and
/// so does the comparison of estates that spares a case its further `up` and
/// `cleanup`.
pub fn before_cleanup(case: &mut Case, from: usize) -> Result<(), String> {
    estate_text_sees(case);
    let end = move |c: &Case| check::end_state_failures(c, from).0;
    let b = group_b(case);
    let got = with_resource_changed(
        case,
        &b,
        |g| {
            g["tags"]
                .as_object_mut()
                .is_some_and(|t| t.remove("created-by").is_some())
        },
        end,
    );
    expect(case, "group B without its created-by tag", "has tags", &got);

    let identity = check::resources(case, &case.groups[1..2])
        .into_iter()
        .find(|r| {
            check::lower(&r["type"]) == "microsoft.managedidentity/userassignedidentities"
                && !check::lower(&r["name"]).starts_with("keep-")
        })
        .map(|r| check::lower(&r["id"]))
        .expect("the identity up made");
    let stray = format!("{b}/providers/microsoft.managedidentity/userassignedidentities/stray");
    let got = with_stray_copy(case, &identity, &stray, end);
    expect(
        case,
        "a stray identity in group B",
        "2 Microsoft.ManagedIdentity/userAssignedIdentities instead of one",
        &got,
    );
    let got = with_resource_changed(case, &identity, |_| false, end);
    expect(
        case,
        "the identity gone",
        "0 Microsoft.ManagedIdentity/userAssignedIdentities instead of one",
        &got,
    );

    let got = with_profile_changed(
        case,
        |p| {
            if let Some(o) = p["owned"].as_array_mut().and_then(|o| o.last_mut()) {
                o["state"] = json!("intended");
            }
        },
        end,
    );
    expect(
        case,
        "an ownership record flipped to intended",
        "ownership records not created",
        &got,
    );

    // The writes counted from after they were made: none succeeded.
    let got = check::end_state_failures(case, case.h.mark()).0;
    expect(
        case,
        "writes not made",
        "managedClusters.put succeeded 0 times",
        &got,
    );

    // The credential gone: a further up must be seen writing it again (which
    // also puts it back).
    let fic = format!("{identity}/federatedidentitycredentials/");
    let fic_id = check::resources(case, &case.groups[1..2])
        .into_iter()
        .map(|r| check::lower(&r["id"]))
        .find(|id| id.starts_with(&fic))
        .expect("the credential up made");
    case.h.server.sim.lock().resources.remove(&fic_id);
    let got = after::rerun_failures(case)?;
    expect(
        case,
        "the credential gone before a further up",
        "a further up wrote",
        &got,
    );
    Ok(())
}

/// The estate text ([`converged::text`]) of the clean run changes with what a
/// further `up` would find different: a role assignment of another
/// principal, a cluster with workload identity off, a record gone from the
/// profile. A case that differs only so runs its own further `up` and `cleanup`.
fn estate_text_sees(case: &mut Case) {
    let base = converged::text(case);
    let differs = |c: &Case| {
        if converged::text(c) == base {
            Vec::new()
        } else {
            vec!["the estate differs from the clean run's".to_string()]
        }
    };
    let of_type = |rtype: &str| {
        check::resources(case, &case.groups[..2])
            .into_iter()
            .find(|r| check::lower(&r["type"]) == rtype)
            .map(|r| check::lower(&r["id"]))
            .expect("an object up made")
    };
    let role = of_type("microsoft.authorization/roleassignments");
    let cluster = of_type("microsoft.containerservice/managedclusters");
    let got = with_resource_changed(
        case,
        &role,
        |r| {
            r["properties"]["principalId"] = json!("00000000-0000-4000-8000-000000000001");
            true
        },
        differs,
    );
    expect(
        case,
        "the role assignment of another principal",
        "differs",
        &got,
    );
    let got = with_resource_changed(
        case,
        &cluster,
        |c| {
            c["properties"]["securityProfile"]["workloadIdentity"]["enabled"] = json!(false);
            true
        },
        differs,
    );
    expect(case, "the cluster's workload identity off", "differs", &got);
    let got = with_profile_changed(
        case,
        |p| {
            if let Some(o) = p["owned"].as_array_mut() {
                o.pop();
            }
        },
        differs,
    );
    expect(case, "an ownership record gone", "differs", &got);
}

/// After `cleanup --yes` (which made `writes`): the cleanup check flags a
/// hand-made object deleted, a stray object left, a record still owned and a
/// delete of what was not xtenant's.
pub fn after_cleanup(case: &mut Case, writes: &[WriteRecord], seeds: &[String]) {
    let cleanup = |c: &Case| after::cleanup_failures(c, writes, seeds);
    let credential = seeds
        .iter()
        .find(|s| s.contains("/federatedIdentityCredentials/"))
        .expect("a hand-made credential")
        .to_ascii_lowercase();
    let got = with_resource_changed(case, &credential, |_| false, cleanup);
    expect(
        case,
        "a hand-made credential deleted",
        "expected exactly the hand-made",
        &got,
    );

    let keep = seeds
        .iter()
        .find(|s| s.contains("/userAssignedIdentities/keep-identity") && !s.contains("/federated"))
        .expect("a hand-made identity")
        .to_ascii_lowercase();
    let stray = format!("{keep}-stray");
    let got = with_stray_copy(case, &keep, &stray, cleanup);
    expect(
        case,
        "a stray identity left",
        "expected exactly the hand-made",
        &got,
    );

    let got = with_profile_changed(
        case,
        |p| p["owned"] = json!([{"kind": "resourceGroup", "id": "x", "state": "created"}]),
        cleanup,
    );
    expect(case, "a record still owned", "the profile still owns", &got);

    let mut more = writes.to_vec();
    more.push((
        "DELETE".into(),
        seeds[0].clone(),
        "resourceGroups.delete".into(),
        200,
    ));
    let got = after::cleanup_failures(case, &more, seeds);
    expect(case, "a hand-made group deleted", "cleanup wrote", &got);
}
