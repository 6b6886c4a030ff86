//! What comes after the end state: a further `up` that writes nothing, and a
//! `cleanup --yes` that deletes only what the profile created.

use std::collections::BTreeSet;

use super::case::Case;
use super::check::{lower, resources, writes};

/// A further `up` exits 0 and makes no ARM write.
pub fn rerun_writes_nothing(case: &mut Case) -> Result<(), String> {
    let f = rerun_failures(case)?;
    case.failures.extend(f);
    Ok(())
}

/// Runs a further `up`; what it did that it should not have (empty: no write).
pub fn rerun_failures(case: &Case) -> Result<Vec<String>, String> {
    let mark = case.h.mark();
    case.ok(&["up"])?;
    let w = writes(case, mark);
    Ok(if w.is_empty() {
        Vec::new()
    } else {
        vec![format!("a further up wrote {w:?}")]
    })
}

/// An ARM write: method, path without query, operation, status.
pub type WriteRecord = (String, String, String, u16);

/// Runs `cleanup --yes` and checks it ([`cleanup_failures`]); answers its writes.
pub fn cleanup_keeps_what_is_not_ours(
    case: &mut Case,
    seeds: &[String],
) -> Result<Vec<WriteRecord>, String> {
    let mark = case.h.mark();
    case.ok(&["cleanup", "--yes"])?;
    let w = writes(case, mark);
    let f = cleanup_failures(case, &w, seeds);
    case.failures.extend(f);
    Ok(w)
}

/// After `cleanup --yes` made the writes `w`: it deleted xtenant's groups (or,
/// in an adopted group, the cluster) and nothing else, every hand-made object
/// is still there, and the profile owns nothing any more.
pub fn cleanup_failures(case: &Case, w: &[WriteRecord], seeds: &[String]) -> Vec<String> {
    let mut f = Vec::new();
    let (sub_a, sub_b) = (
        &case.h.tenant_a().subscriptions[0].id,
        &case.h.tenant_b().subscriptions[0].id,
    );
    let group = |sub: &str, g: &str| format!("/subscriptions/{sub}/resourcegroups/{g}");
    let a = group(sub_a, &case.groups[0]);
    let first = if case.trial.creates_group_a() {
        a
    } else {
        format!(
            "{a}/providers/microsoft.containerservice/managedclusters/{}",
            case.cluster
        )
    };
    let want: BTreeSet<String> = [first, group(sub_b, &case.groups[1])].into();
    let deleted: BTreeSet<String> = w
        .iter()
        .filter(|x| x.0 == "DELETE")
        .map(|x| x.1.to_ascii_lowercase())
        .collect();
    if deleted != want || w.iter().any(|x| x.0 != "DELETE") {
        f.push(format!("cleanup wrote {w:?}; expected deletes of {want:?}"));
    }
    let left: BTreeSet<String> = resources(case, &case.groups)
        .iter()
        .map(|r| lower(&r["id"]))
        .collect();
    let kept: BTreeSet<String> = seeds.iter().map(|s| s.to_ascii_lowercase()).collect();
    if left != kept {
        f.push(format!(
            "after cleanup {left:?} is left; expected exactly the hand-made {kept:?}"
        ));
    }
    let owned = &case.profile()["owned"];
    if owned.as_array().is_some_and(|o| !o.is_empty()) {
        f.push(format!("after cleanup the profile still owns {owned}"));
    }
    f
}
