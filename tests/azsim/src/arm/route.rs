//! Parsing ARM paths into routes (case-insensitive, as ARM is).

use axum::http::Method;

/// A resource under a provider: `<scope>/providers/<namespace>/<type>/<name>[/<type>/<name>][/<tail>]`.
#[derive(Debug, Clone)]
pub struct Target {
    /// Subscription ID from the path.
    pub sub: String,
    /// Resource group name from the path, if any.
    pub rg: Option<String>,
    /// Everything before the last `/providers/` (no trailing slash).
    pub scope: String,
    /// Provider namespace, canonical casing.
    pub namespace: String,
    /// (type, name) pairs, types in canonical casing.
    pub pairs: Vec<(String, String)>,
    /// A trailing segment: a child collection (GET) or an action (POST).
    pub tail: Option<String>,
}

impl Target {
    /// The resource kind the request is about (the collection's type for a list).
    pub fn kind(&self) -> &str {
        match (&self.tail, self.pairs.last()) {
            (Some(t), _) if !self.is_action() => t,
            (_, Some((t, _))) => t,
            _ => "",
        }
    }

    /// True when the tail is an action (`listClusterUserCredential`).
    pub fn is_action(&self) -> bool {
        self.tail
            .as_deref()
            .is_some_and(|t| !KNOWN.iter().any(|k| k.eq_ignore_ascii_case(t)))
    }

    /// The resource ID of the first `depth` pairs, in canonical casing.
    pub fn id_at(&self, depth: usize) -> String {
        let mut id = format!("{}/providers/{}", self.scope, self.namespace);
        for (t, n) in self.pairs.iter().take(depth) {
            id.push('/');
            id.push_str(t);
            id.push('/');
            id.push_str(n);
        }
        id
    }

    /// The resource ID of all pairs.
    pub fn id(&self) -> String {
        self.id_at(self.pairs.len())
    }
}

/// The routes ARM serves here.
#[derive(Debug, Clone)]
pub enum Route {
    /// `GET /tenants`
    Tenants,
    /// `GET /subscriptions`
    Subscriptions,
    /// `GET /subscriptions/{s}`
    Subscription(String),
    /// `/subscriptions/{s}/providers/{ns}` (registration state)
    Provider { sub: String, namespace: String },
    /// Long-running operation status (`result`: the Location form).
    Operation {
        sub: String,
        id: String,
        result: bool,
    },
    /// `/subscriptions/{s}/resourcegroups`
    Groups(String),
    /// `/subscriptions/{s}/resourcegroups/{rg}`
    Group(String, String),
    /// `/subscriptions/{s}/resourcegroups/{rg}/resources`
    GroupResources(String, String),
    /// `/subscriptions/{s}/resources` (az finds a vault's group through it)
    SubscriptionResources(String),
    /// A provider resource.
    Resource(Target),
}

const KNOWN: &[&str] = &[
    "managedClusters",
    "userAssignedIdentities",
    "federatedIdentityCredentials",
    "namespaces",
    "queues",
    "roleDefinitions",
    "roleAssignments",
    "resourceGroups",
    "vaults",
    "managedHSMs",
    "storageAccounts",
    "deployments",
    "operationStatuses",
    "Microsoft.ContainerService",
    "Microsoft.ManagedIdentity",
    "Microsoft.ServiceBus",
    "Microsoft.Authorization",
    "Microsoft.KeyVault",
    "Microsoft.Storage",
    "Microsoft.Resources",
    "Microsoft.Simulator",
];

/// Canonical casing of a known type or namespace; other segments unchanged.
pub fn canon(seg: &str) -> &str {
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(seg))
        .copied()
        .unwrap_or(seg)
}

impl Route {
    /// Parses a path; `None` when no route matches.
    pub fn parse(method: &Method, path: &str) -> Option<Route> {
        let segs: Vec<&str> = path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
        let l: Vec<&str> = lower.iter().map(String::as_str).collect();
        let s = |i: usize| segs[i].to_string();
        Some(match l.as_slice() {
            ["tenants"] => Route::Tenants,
            ["subscriptions"] => Route::Subscriptions,
            ["subscriptions", _] => Route::Subscription(s(1)),
            ["subscriptions", _, "resourcegroups"] => Route::Groups(s(1)),
            ["subscriptions", _, "resources"] => Route::SubscriptionResources(s(1)),
            ["subscriptions", _, "resourcegroups", _] => Route::Group(s(1), s(3)),
            ["subscriptions", _, "resourcegroups", _, "resources"] => {
                Route::GroupResources(s(1), s(3))
            }
            [
                "subscriptions",
                _,
                "providers",
                "microsoft.simulator",
                "operations",
                _,
            ] => Route::Operation {
                sub: s(1),
                id: s(5),
                result: false,
            },
            [
                "subscriptions",
                _,
                "providers",
                "microsoft.simulator",
                "operations",
                _,
                "result",
            ] => Route::Operation {
                sub: s(1),
                id: s(5),
                result: true,
            },
            ["subscriptions", _, "providers", _] => Route::Provider {
                sub: s(1),
                namespace: s(3),
            },
            ["subscriptions", _, "providers", _, "register"] if method == Method::POST => {
                Route::Provider {
                    sub: s(1),
                    namespace: s(3),
                }
            }
            ["subscriptions", ..] => Route::Resource(target(method, &segs, &l)?),
            _ => return None,
        })
    }

    /// The subscription the route is in, if any.
    pub fn subscription(&self) -> Option<&str> {
        match self {
            Route::Tenants | Route::Subscriptions => None,
            Route::Subscription(s)
            | Route::Groups(s)
            | Route::Group(s, _)
            | Route::GroupResources(s, _)
            | Route::SubscriptionResources(s) => Some(s),
            Route::Provider { sub, .. } | Route::Operation { sub, .. } => Some(sub),
            Route::Resource(t) => Some(&t.sub),
        }
    }

    /// Operation name for faults and the request log (`managedClusters.put`).
    pub fn op_name(&self, method: &Method) -> String {
        let m = method.as_str().to_ascii_lowercase();
        match self {
            Route::Tenants => "tenants.get".into(),
            Route::Subscriptions | Route::Subscription(_) => "subscriptions.get".into(),
            Route::Provider { .. } => format!("providers.{m}"),
            Route::Operation { .. } => "operations.get".into(),
            Route::Groups(_) => "resourceGroups.list".into(),
            Route::Group(..) => format!("resourceGroups.{m}"),
            Route::GroupResources(..) | Route::SubscriptionResources(_) => "resources.list".into(),
            // A provider-level action (`Microsoft.Storage/checkNameAvailability`) has no
            // resource type; the namespace names it.
            Route::Resource(t) if t.pairs.is_empty() && t.is_action() => {
                format!("{}.{}", t.namespace, t.tail.as_deref().unwrap_or_default())
            }
            Route::Resource(t) => match &t.tail {
                Some(a) if t.is_action() => format!("{}.{a}", t.kind()),
                Some(_) => format!("{}.list", t.kind()),
                None => format!("{}.{m}", t.kind()),
            },
        }
    }
}

fn target(method: &Method, segs: &[&str], lower: &[&str]) -> Option<Target> {
    let p = lower.iter().rposition(|s| *s == "providers")?;
    let rest = &segs[p + 1..];
    let (ns, rest) = rest.split_first()?;
    if rest.is_empty() {
        return None;
    }
    let rg = (lower.get(2) == Some(&"resourcegroups"))
        .then(|| segs.get(3).map(|s| s.to_string()))
        .flatten();
    let mut pairs = Vec::new();
    let mut chunks = rest.chunks_exact(2);
    for c in &mut chunks {
        pairs.push((canon(c[0]).to_string(), c[1].to_string()));
    }
    let tail = chunks.remainder().first().map(|t| canon(t).to_string());
    let name_check = tail
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("checkNameAvailability"));
    if tail.is_some() && pairs.is_empty() && method == Method::POST && !name_check {
        return None;
    }
    Some(Target {
        sub: segs.get(1)?.to_string(),
        rg,
        scope: format!("/{}", segs[..p].join("/")),
        namespace: canon(ns).to_string(),
        pairs,
        tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(m: &Method, p: &str) -> Target {
        match Route::parse(m, p) {
            Some(Route::Resource(t)) => t,
            other => panic!("{p}: {other:?}"),
        }
    }

    #[test]
    fn parses_nested_scopes() {
        let t = res(
            &Method::PUT,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/ns/providers/Microsoft.Authorization/roleAssignments/x",
        );
        assert_eq!(
            t.scope,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/ns"
        );
        assert_eq!(t.kind(), "roleAssignments");
        assert_eq!(t.rg.as_deref(), Some("rg"));
    }

    #[test]
    fn actions_and_collections() {
        let t = res(
            &Method::POST,
            "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c/listClusterUserCredential",
        );
        assert!(t.is_action());
        assert_eq!(
            Route::Resource(t).op_name(&Method::POST),
            "managedClusters.listClusterUserCredential"
        );
        let t = res(
            &Method::GET,
            "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ServiceBus/namespaces/n/queues",
        );
        assert!(!t.is_action());
        assert_eq!(t.kind(), "queues");
        assert_eq!(
            t.id(),
            "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ServiceBus/namespaces/n"
        );
    }
}
