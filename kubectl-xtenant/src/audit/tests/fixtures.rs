//! The scripted cluster and profile of the `audit` scenarios: a clean
//! namespace `shop` that each scenario spoils in one way.

use serde_json::{Value, json};
use xtenant_shared::Profile;
use xtenant_shared::graph_state::{Binding, ClusterState, IdentityState};
use xtenant_shared::handoff::{RequestedIdentity, TrustRequest};

use crate::checks::pod::tests::{CLIENT, TENANT_A, TENANT_B, mutated_pod};
use crate::fake_api::{self, Call};
use crate::settings::Settings;

const ANNOTATED: &str = "2026-01-02T00:00:00Z";
const LATER: &str = "2026-01-03T00:00:00Z";
pub const UNKNOWN: &str = "99999999-9999-4999-8999-999999999999";

/// The objects of the scripted cluster, by resource (plural).
#[derive(Clone)]
pub struct World {
    namespaces: Vec<&'static str>,
    objects: Vec<(&'static str, Value)>,
}

impl World {
    pub fn add(&mut self, resource: &'static str, object: Value) {
        self.objects.push((resource, object));
    }

    pub fn find(&mut self, resource: &str, name: &str) -> &mut Value {
        let found = self
            .objects
            .iter_mut()
            .find(|(r, o)| *r == resource && o["metadata"]["name"] == name);
        &mut found.unwrap_or_else(|| panic!("no {resource}/{name}")).1
    }
}

pub fn service_account(name: &str, client_id: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount",
           "metadata": {"name": name, "namespace": "shop",
                        "annotations": {"azure.workload.identity/client-id": client_id,
                                        "azure.workload.identity/tenant-id": TENANT_B},
                        "managedFields": [{"manager": "xtenant", "operation": "Apply", "time": ANNOTATED,
                            "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations":
                                {"f:azure.workload.identity/client-id": {}}}}}]}})
}

pub fn deployment(name: &str, sa: &str, labelled: bool) -> Value {
    let labels = if labelled {
        json!({"app": name, "azure.workload.identity/use": "true"})
    } else {
        json!({"app": name})
    };
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": name, "namespace": "shop", "uid": format!("d-{name}")},
           "spec": {"selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": labels},
                                 "spec": {"serviceAccountName": sa, "containers": [{"name": "app"}]}}}})
}

pub fn owner(kind: &str, name: &str, uid: &str) -> Value {
    json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid, "controller": true}])
}

/// A clean namespace: an annotated ServiceAccount the graph binds, its
/// labelled Deployment, and a pod made after the annotations, in Tenant B.
pub fn clean() -> World {
    let mut w = World {
        namespaces: vec!["shop"],
        objects: Vec::new(),
    };
    w.add("serviceaccounts", service_account("web", CLIENT));
    w.add("deployments", deployment("web", "web", true));
    let mut rs = json!({"metadata": {"name": "web-1", "namespace": "shop", "uid": "rs-web"}});
    rs["metadata"]["ownerReferences"] = owner("Deployment", "web", "d-web");
    w.add("replicasets", rs);
    let mut pod = mutated_pod(TENANT_B);
    pod["metadata"]["name"] = json!("web-1-a");
    pod["metadata"]["namespace"] = json!("shop");
    pod["metadata"]["creationTimestamp"] = json!(LATER);
    pod["metadata"]["ownerReferences"] = owner("ReplicaSet", "web-1", "rs-web");
    pod["spec"]["serviceAccountName"] = json!("web");
    w.add("pods", pod);
    w
}

pub fn binding(ns: &str, sa: &str) -> Binding {
    Binding {
        cluster: "aks-blue".into(),
        namespace: ns.into(),
        service_account: sa.into(),
        identity: "shop-web".into(),
        credential: format!("xt-aks-blue-{ns}-{sa}"),
    }
}

/// A profile whose graph binds shop/web on aks-blue to identity shop-web.
pub fn graph_profile() -> Profile {
    let mut p = Profile::default();
    p.graph.tenant_b = Some(TENANT_B.into());
    p.graph.identities.insert(
        "shop-web".into(),
        IdentityState {
            client_id: Some(CLIENT.into()),
            ..IdentityState::default()
        },
    );
    p.graph.clusters.insert(
        "aks-blue".into(),
        ClusterState {
            id: None,
            issuer_url: Some("https://blue/".into()),
            ..ClusterState::default()
        },
    );
    p.graph.bindings.push(binding("shop", "web"));
    p
}

/// [`graph_profile`] as `az-xtenant accept` leaves it: identity shop-web
/// came from Tenant B's grant for a request this profile made.
pub fn handed_off_profile() -> Profile {
    let mut p = graph_profile();
    p.graph.requests.push(TrustRequest {
        api_version: "xtenant/v1".into(),
        kind: "TrustRequest".into(),
        tenant_a: TENANT_A.into(),
        made_at: ANNOTATED.into(),
        clusters: Vec::new(),
        identities: vec![RequestedIdentity {
            name: "shop-web".into(),
            roles: Vec::new(),
        }],
        workloads: Vec::new(),
        digest: "sha256:0".into(),
    });
    p
}

pub fn settings(profile: Option<Profile>) -> Settings {
    Settings {
        profile,
        profile_name: "default".into(),
        bound: None,
    }
}

pub fn route(world: World) -> impl Fn(&Call) -> Option<fake_api::Reply> + Send + Sync {
    move |c: &Call| {
        if c.method != "GET" {
            return None;
        }
        let parts: Vec<&str> = c.path.trim_start_matches('/').split('/').collect();
        if let ["api", "v1", "namespaces", ns] = parts.as_slice() {
            return world.namespaces.contains(ns).then(|| {
                (
                    200,
                    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
                )
            });
        }
        let resource = *parts.last()?;
        let ns = parts
            .iter()
            .position(|p| *p == "namespaces")
            .and_then(|i| parts.get(i + 1));
        let items: Vec<Value> = world
            .objects
            .iter()
            .filter(|(r, o)| {
                *r == resource && ns.is_none_or(|ns| o["metadata"]["namespace"] == *ns)
            })
            .map(|(_, o)| o.clone())
            .collect();
        Some(fake_api::list("Item", &items))
    }
}
