//! Resource groups: create/update with tags, show, exists (HEAD), list with tag filter, delete (cascading, long-running).

use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;

use super::error::{self, ArmError, ArmResult};
use super::{Req, store};

fn group_id(sub: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{name}")
}

/// `/subscriptions/{s}/resourcegroups/{rg}`.
pub async fn handle(req: &Req<'_>, sub: &str, rg: &str) -> ArmResult {
    let tenant = tenant_of(req, sub);
    match req.method {
        Method::GET | Method::HEAD => {
            let g = req.sim.lock();
            let found = g.get(&group_id(sub, rg)).map(store::render);
            match (found, req.method == Method::HEAD) {
                (Some(_), true) => Ok(StatusCode::NO_CONTENT.into_response()),
                (None, true) => Ok(StatusCode::NOT_FOUND.into_response()),
                (Some(b), false) => error::reply(StatusCode::OK, b),
                (None, false) => Err(ArmError::group_not_found(rg)),
            }
        }
        Method::PUT | Method::PATCH => {
            let mut g = req.sim.lock();
            let existing = g.get(&group_id(sub, rg)).cloned();
            store::group_writable(&g, sub, rg)?;
            let name = existing
                .as_ref()
                .and_then(|e| e.body["name"].as_str().map(String::from))
                .unwrap_or_else(|| rg.to_string());
            let old = existing.map(|e| e.body);
            let location = match (&old, req.body["location"].as_str()) {
                (Some(o), Some(l))
                    if !o["location"]
                        .as_str()
                        .is_some_and(|ol| ol.eq_ignore_ascii_case(l)) =>
                {
                    return Err(ArmError::new(
                        StatusCode::CONFLICT,
                        "InvalidResourceGroupLocation",
                        format!(
                            "Invalid resource group location '{l}'. The Resource group already exists in location '{}'.",
                            o["location"].as_str().unwrap_or_default()
                        ),
                    ));
                }
                (Some(o), _) => o["location"].clone(),
                (None, Some(l)) => json!(l.to_ascii_lowercase().replace(' ', "")),
                (None, None) if req.method == Method::PATCH => {
                    return Err(ArmError::group_not_found(rg));
                }
                (None, None) => {
                    return Err(ArmError::bad(
                        "LocationRequired",
                        "The location property is required for this definition.",
                    ));
                }
            };
            let tags = match (&req.method, req.body.get("tags"), &old) {
                (&Method::PATCH, None, Some(o)) => o.get("tags").cloned(),
                (_, Some(t), _) if !t.is_null() => Some(t.clone()),
                _ => None,
            };
            // ARM leaves out `tags` and `managedBy` when the group has none
            // (resource/test_resource_group_no_wait.yaml and every group GET in
            // the recordings).
            let mut body = json!({
                "id": group_id(sub, &name), "name": name, "type": "Microsoft.Resources/resourceGroups",
                "location": location,
                "properties": {"provisioningState": "Succeeded"},
            });
            if let Some(t) = tags {
                body["tags"] = t;
            }
            if let Some(m) = req.body.get("managedBy").filter(|m| !m.is_null()) {
                body["managedBy"] = m.clone();
            }
            let (created, shown) = store::save(&mut g, &group_id(sub, &name), body, &tenant, 0);
            if req.method == Method::PATCH {
                return error::reply(StatusCode::OK, shown);
            }
            store::put_answer(created, shown)
        }
        Method::DELETE => {
            let name = {
                let g = req.sim.lock();
                store::group_name(&g, sub, rg)?
            };
            store::delete(
                req,
                sub,
                &group_id(sub, &name),
                "resourceGroups.delete",
                true,
            )
        }
        _ => Err(store::unsupported(req, &group_id(sub, rg))),
    }
}

fn tenant_of(req: &Req<'_>, sub: &str) -> String {
    req.sim
        .config
        .tenant_of_subscription(sub)
        .map(|t| t.id.clone())
        .unwrap_or_default()
}

/// `GET /subscriptions/{s}/resourcegroups` with an optional tag filter: az sends
/// `$filter=tagname eq 'x' and tagvalue eq 'y'` (lower case); ARM's documentation
/// spells it `tagName`/`tagValue`. Both are accepted, in `$filter` or as parameters.
pub fn list(req: &Req<'_>, sub: &str) -> ArmResult {
    let (mut tag, mut value) = parse_tag_filter(req.filter().unwrap_or_default());
    for (k, v) in &req.query {
        if k.eq_ignore_ascii_case("tagname") {
            tag = Some(v.clone());
        } else if k.eq_ignore_ascii_case("tagvalue") {
            value = Some(v.clone());
        }
    }
    let g = req.sim.lock();
    let items = store::children(
        &g,
        &format!("/subscriptions/{sub}/resourceGroups"),
        "Microsoft.Resources/resourceGroups",
    );
    let items = items
        .into_iter()
        .filter(|i| {
            tag.as_ref().is_none_or(|t| {
                i["tags"].as_object().is_some_and(|tags| {
                    tags.iter().any(|(k, v)| {
                        k.eq_ignore_ascii_case(t)
                            && value.as_ref().is_none_or(|want| v.as_str() == Some(want))
                    })
                })
            })
        })
        .collect();
    error::list(items)
}

/// `tagName eq 'x' and tagValue eq 'y'`, the names in any case.
fn parse_tag_filter(f: &str) -> (Option<String>, Option<String>) {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `f`.
    let lower = f.to_ascii_lowercase();
    let quoted = |key: &str| {
        let start = lower.find(key)? + key.len();
        let rest = f[start..]
            .trim_start()
            .strip_prefix("eq")
            .or_else(|| f[start..].trim_start().strip_prefix("EQ"))?
            .trim_start()
            .strip_prefix('\'')?;
        Some(rest[..rest.find('\'')?].to_string())
    };
    (quoted("tagname"), quoted("tagvalue"))
}

/// `GET /subscriptions/{s}/resourcegroups/{rg}/resources`: top-level resources in the group.
pub fn resources(req: &Req<'_>, sub: &str, rg: &str) -> ArmResult {
    let g = req.sim.lock();
    let name = store::group_name(&g, sub, rg)?;
    let prefix = format!("{}/providers", group_id(sub, &name));
    let items = g
        .under(&prefix)
        .filter(|s| s.body["id"].as_str().is_some_and(|i| i.matches('/').count() == 8))
        .map(|s| {
            let b = store::render(s);
            json!({"id": b["id"], "name": b["name"], "type": b["type"], "location": b["location"], "tags": b["tags"]})
        })
        .collect();
    error::list(items)
}

/// `GET /subscriptions/{s}/resources`, optionally `$filter=resourceType eq '<type>'`:
/// top-level resources of the subscription (az finds a vault's group this way).
pub fn subscription_resources(req: &Req<'_>, sub: &str) -> ArmResult {
    let filter = req.filter().unwrap_or_default();
    let wanted = filter
        .split_once("resourceType eq '")
        .and_then(|(_, r)| r.split_once('\''))
        .map(|(t, _)| t.to_string());
    let g = req.sim.lock();
    let items = g
        .under(&format!("/subscriptions/{sub}/resourceGroups"))
        .filter(|s| s.body["id"].as_str().is_some_and(|i| i.matches('/').count() == 8))
        .filter(|s| {
            wanted.as_ref().is_none_or(|w| {
                s.body["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(w))
            })
        })
        .map(|s| {
            let b = store::render(s);
            json!({"id": b["id"], "name": b["name"], "type": b["type"], "location": b["location"], "tags": b["tags"]})
        })
        .collect();
    error::list(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_filter() {
        assert_eq!(
            parse_tag_filter("tagName eq 'created-by' and tagValue eq 'xtenant'"),
            (Some("created-by".into()), Some("xtenant".into()))
        );
        assert_eq!(
            parse_tag_filter("tagname eq 'Created-By' and tagvalue eq 'xtenant'"),
            (Some("Created-By".into()), Some("xtenant".into()))
        );
        assert_eq!(parse_tag_filter(""), (None, None));
    }
}
