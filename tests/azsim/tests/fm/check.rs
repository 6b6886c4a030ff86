//! The state checks: right after the kill (the write's intent recorded, the
//! object there or not as the kill point says), and the end state `up` leaves
//! (the clean run's objects, one of each and wired together, each write made
//! once, every ownership record `created`).

use std::collections::BTreeSet;

use serde_json::Value;

use super::case::Case;
use super::{Point, WRITES, Write};

const SUBJECT: &str = "system:serviceaccount:default:myserviceaccount";

/// Whether the ARM ID (or path) is `group` or inside it.
fn in_group(id: &str, group: &str) -> bool {
    let id = id.to_ascii_lowercase();
    let g = format!("/resourcegroups/{group}");
    id.contains(&format!("{g}/")) || id.contains(&format!("{g}?")) || id.ends_with(&g)
}

/// Stored resources in any of `groups`, as ARM renders them.
pub fn resources(case: &Case, groups: &[String]) -> Vec<Value> {
    let g = case.h.server.sim.lock();
    g.resources
        .values()
        .map(azsim::arm::render)
        .filter(|r| {
            let id = r["id"].as_str().unwrap_or_default();
            groups.iter().any(|gr| in_group(id, gr))
        })
        .collect()
}

/// The statuses answered to calls of `op` on paths containing `scope`, since `from`.
pub fn statuses(case: &Case, op: &str, scope: &str, from: usize) -> Vec<u16> {
    let scope = scope.to_ascii_lowercase();
    let g = case.h.server.sim.lock();
    g.requests
        .iter()
        .skip(from)
        .filter(|r| r.op == op && r.path.to_ascii_lowercase().contains(&scope))
        .map(|r| r.status)
        .collect()
}

/// Writes in this case's groups since `from`: (method, path without query, op, status).
pub(super) fn writes(case: &Case, from: usize) -> Vec<(String, String, String, u16)> {
    let g = case.h.server.sim.lock();
    g.requests
        .iter()
        .skip(from)
        .filter(|r| r.is_write() && case.groups.iter().any(|gr| in_group(&r.path, gr)))
        .map(|r| {
            let path = r.path.split('?').next().unwrap_or_default();
            (r.method.clone(), path.to_string(), r.op.clone(), r.status)
        })
        .collect()
}

fn of_type<'v>(all: &'v [Value], t: &str) -> Vec<&'v Value> {
    all.iter()
        .filter(|r| {
            r["type"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(t))
        })
        .collect()
}

pub(super) fn lower(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_ascii_lowercase()
}

/// Right after the kill, before the resume: the profile records the write's
/// object as intended, and it exists in Azure unless its write was stopped on
/// the way — so the case did what its row says.
pub fn at_kill(case: &mut Case, w: Write, p: Point) {
    let group = &case.groups[usize::from(!w.in_a)];
    let is_it = |id: &str| {
        let id = id.to_ascii_lowercase();
        w.kind != "resourceGroup" || id.ends_with(&format!("/resourcegroups/{group}"))
    };
    let owned = case.profile()["owned"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let record: Vec<&Value> = owned
        .iter()
        .filter(|o| o["kind"] == w.kind && is_it(o["id"].as_str().unwrap_or_default()))
        .collect();
    if record.len() != 1 || record[0]["state"] != "intended" {
        case.failures.push(format!(
            "when killed, the profile's record of the {} is {record:?}, not one intended",
            w.label
        ));
    }
    let live = resources(case, std::slice::from_ref(group))
        .into_iter()
        .filter(|r| {
            r["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(w.rtype))
                && is_it(r["id"].as_str().unwrap_or_default())
        })
        .count();
    let want = usize::from(p != Point::Before);
    if live != want {
        case.failures.push(format!(
            "when killed {p:?} its write, {live} {} exist in Azure, expected {want}",
            w.label
        ));
    }
}

/// Checks the objects `up` left and the writes it made since `from`; answers
/// them by kind and name, the case's own names replaced, for comparison with
/// the clean run's.
pub fn end_state(case: &mut Case, from: usize) -> Vec<String> {
    let (f, state) = end_state_failures(case, from);
    case.failures.extend(f);
    state
}

/// What [`end_state`] finds wrong, and the normalised state; changes nothing.
pub fn end_state_failures(case: &Case, from: usize) -> (Vec<String>, Vec<String>) {
    let ours: Vec<Value> = resources(case, &case.groups[..2])
        .into_iter()
        .filter(|r| !r["name"].as_str().unwrap_or_default().starts_with("keep-"))
        .collect();
    let mut f = Vec::new();
    let one = |t: &str, f: &mut Vec<String>| -> Option<Value> {
        let found = of_type(&ours, t);
        if found.len() != 1 {
            f.push(format!("{} {t} instead of one", found.len()));
        }
        found.first().map(|v| (*v).clone())
    };
    let cluster = one("Microsoft.ContainerService/managedClusters", &mut f);
    let ns = one("Microsoft.ServiceBus/Namespaces", &mut f);
    one("Microsoft.ServiceBus/Namespaces/Queues", &mut f);
    let identity = one("Microsoft.ManagedIdentity/userAssignedIdentities", &mut f);
    let role = one("Microsoft.Authorization/roleAssignments", &mut f);
    let fic = one(
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        &mut f,
    );
    if let Some(c) = &cluster {
        let p = &c["properties"];
        if p["provisioningState"] != "Succeeded"
            || p["securityProfile"]["workloadIdentity"]["enabled"] != true
            || !p["oidcIssuerProfile"]["issuerURL"].is_string()
        {
            f.push(format!("the cluster is not as up leaves it: {p}"));
        }
    }
    if let Some(n) = &ns
        && n["properties"]["disableLocalAuth"] != true
    {
        f.push("the namespace has local auth on".into());
    }
    if let (Some(c), Some(fic)) = (&cluster, &fic) {
        let p = &fic["properties"];
        if p["issuer"] != c["properties"]["oidcIssuerProfile"]["issuerURL"]
            || p["subject"] != SUBJECT
        {
            f.push(format!(
                "the credential trusts the wrong issuer or subject: {p}"
            ));
        }
    }
    if let (Some(r), Some(i), Some(n)) = (&role, &identity, &ns)
        && (r["properties"]["principalId"] != i["properties"]["principalId"]
            || lower(&r["properties"]["scope"]) != lower(&n["id"]))
    {
        f.push(format!(
            "the role assignment is not the identity's on the namespace: {r}"
        ));
    }
    groups_tagged(case, &ours, &mut f);
    writes_once(case, from, &mut f);
    owned_all_created(case, &ours, &mut f);
    let state = normalise(case, &ours, ns.as_ref());
    (f, state)
}

/// Groups xtenant created carry its two tags; an adopted group is left untagged.
fn groups_tagged(case: &Case, ours: &[Value], f: &mut Vec<String>) {
    let profile = case.profile();
    let id = profile["id"]
        .as_str()
        .unwrap_or("(no profile id)")
        .to_string();
    for (i, group) in case.groups[..2].iter().enumerate() {
        let Some(g) = ours.iter().find(|r| lower(&r["name"]) == *group) else {
            f.push(format!("resource group {group} is missing"));
            continue;
        };
        let tags = &g["tags"];
        let created = i == 1 || case.trial.creates_group_a();
        let tagged = tags["created-by"] == "xtenant" && tags["xtenant-profile"] == id.as_str();
        let untouched = tags.as_object().is_none_or(serde_json::Map::is_empty);
        if (created && !tagged) || (!created && !untouched) {
            f.push(format!("resource group {group} has tags {tags}"));
        }
    }
}

/// Since `from`: only PUTs, and exactly one that succeeded per write (none for
/// an adopted group).
fn writes_once(case: &Case, from: usize, f: &mut Vec<String>) {
    let all = writes(case, from);
    let others: Vec<_> = all.iter().filter(|w| w.0 != "PUT").collect();
    if !others.is_empty() {
        f.push(format!("writes other than PUT: {others:?}"));
    }
    for w in WRITES {
        let group = &case.groups[usize::from(!w.in_a)];
        let ok = all
            .iter()
            .filter(|(_, path, op, status)| {
                op == w.op
                    && *status < 300
                    && (w.op != "resourceGroups.put" || in_group(path, group))
            })
            .count();
        let adopted = w.in_a && w.op == "resourceGroups.put" && !case.trial.creates_group_a();
        let want = usize::from(!adopted);
        if ok != want {
            f.push(format!("{} succeeded {ok} times, expected {want}", w.op));
        }
    }
}

/// Every ownership record is `created`, and they name exactly the objects xtenant made.
fn owned_all_created(case: &Case, ours: &[Value], f: &mut Vec<String>) {
    let owned = case.profile()["owned"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pending: Vec<_> = owned.iter().filter(|o| o["state"] != "created").collect();
    if !pending.is_empty() {
        f.push(format!("ownership records not created: {pending:?}"));
    }
    let recorded: BTreeSet<String> = owned.iter().map(|o| lower(&o["id"])).collect();
    let adopted = (!case.trial.creates_group_a()).then(|| case.groups[0].clone());
    let made: BTreeSet<String> = ours
        .iter()
        .filter(|r| adopted.as_ref().is_none_or(|a| lower(&r["name"]) != *a))
        .map(|r| lower(&r["id"]))
        .collect();
    if recorded != made {
        f.push(format!(
            "the profile owns {recorded:?}, xtenant made {made:?}"
        ));
    }
}

/// Kind and name of each object, the case's tag, namespace and GUIDs replaced.
fn normalise(case: &Case, ours: &[Value], ns: Option<&Value>) -> Vec<String> {
    let ns = ns.map(|n| lower(&n["name"])).unwrap_or_default();
    let mut v: Vec<String> = ours
        .iter()
        .map(|r| {
            let t = lower(&r["type"]);
            let name = if t.ends_with("/roleassignments") {
                "<guid>".to_string()
            } else {
                lower(&r["name"]).replace(&case.tag, "fmNN")
            };
            let name = if ns.is_empty() {
                name
            } else {
                name.replace(&ns, "<namespace>")
            };
            format!("{t} {name}")
        })
        .collect();
    v.sort();
    v
}
