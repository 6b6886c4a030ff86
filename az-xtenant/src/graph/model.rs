//! The graph file, checked: every value against its rule, every name a
//! workload uses declared, no (namespace, ServiceAccount, cluster) twice, no
//! two of them with one credential name, no scope outside Tenant B's
//! subscription, no identity past Azure's 20 federated credentials. Each error names the file, the line and the key;
//! nothing runs until the whole file is right.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_saphyr::Spanned;
use xtenant_shared::exit::Usage;
use xtenant_shared::validate::Kind;

use super::file::GraphFile;
use crate::az::MAX_CREDENTIALS;
use crate::az::arm_id::{self, ArmId};
pub use crate::az::types::KnownCluster;

/// A declared graph, every value checked.
#[derive(Debug, Clone)]
pub struct Model {
    pub tenant_a: String,
    pub tenant_b: String,
    pub subscription_b: String,
    pub location: String,
    pub clusters: Vec<Cluster>,
    pub identities: Vec<Identity>,
    pub bindings: Vec<Binding>,
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    pub subscription: String,
    pub resource_group: String,
    /// What a trust request says of it, for a side that cannot read Tenant
    /// A (`grant`); `None`: read it in Tenant A.
    pub known: Option<KnownCluster>,
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub name: String,
    pub resource_group: String,
    pub roles: Vec<Grant>,
}

#[derive(Debug, Clone)]
pub struct Grant {
    pub role: String,
    pub scope: String,
}

/// One federated credential: a workload's ServiceAccount in one cluster
/// (its name deterministic, so a re-run finds it), as the profile records it.
pub use xtenant_shared::graph_state::Binding;

/// Collects errors with where they were written.
struct Errors<'a> {
    file: &'a Path,
    list: Vec<String>,
}

impl Errors<'_> {
    fn at<T>(&mut self, v: &Spanned<T>, key: &str, message: impl AsRef<str>) {
        let place = self.place(v);
        self.list
            .push(format!("{place}: {key}: {}", message.as_ref()));
    }

    /// `file:line:column` of a value.
    fn place<T>(&self, v: &Spanned<T>) -> String {
        let l = &v.referenced;
        format!("{}:{}:{}", self.file.display(), l.line(), l.column())
    }

    /// Checks a value against its kind.
    fn kind(&mut self, v: &Spanned<String>, key: &str, kind: Kind) -> String {
        if !kind.accepts(&v.value) {
            self.at(v, key, format!("{:?} {}", v.value, kind.rule()));
        }
        v.value.clone()
    }
}

/// Reads and checks a graph file. Every problem is reported at once, as a
/// usage error (exit 2).
pub fn load(path: &Path) -> Result<Model, Usage> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Usage(format!("cannot read {}: {e}", path.display())))?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<Model, Usage> {
    let file: GraphFile = serde_saphyr::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!("{}:{}:{}", path.display(), l.line(), l.column()))
            .unwrap_or_else(|| path.display().to_string());
        let plain = e.without_snippet().to_string();
        let plain = plain
            .rfind(" at line ")
            .map_or(plain.as_str(), |i| &plain[..i]);
        // The library's own rendering shows the lines around the mistake.
        let name = path.display().to_string();
        let rendered =
            e.render_with_options(serde_saphyr::render_options! { source_name: Some(&name) });
        let snippet = rendered
            .find(" --> ")
            .map(|i| format!("\n{}", &rendered[i..]))
            .unwrap_or_default();
        Usage(format!("{at}: {plain}{snippet}"))
    })?;
    let mut errors = Errors {
        file: path,
        list: Vec::new(),
    };
    let model = check(&file, &mut errors);
    if errors.list.is_empty() {
        Ok(model)
    } else {
        let n = errors.list.len();
        Err(Usage(format!(
            "{} ({n} problem{}; nothing was run)",
            errors.list.join("\n"),
            if n == 1 { "" } else { "s" }
        )))
    }
}

fn check(f: &GraphFile, e: &mut Errors) -> Model {
    let tenant_a = e.kind(&f.tenant_a.tenant_id, "tenantA.tenantId", Kind::Guid);
    let sub_a = e.kind(
        &f.tenant_a.subscription_id,
        "tenantA.subscriptionId",
        Kind::Guid,
    );
    let tenant_b = e.kind(&f.tenant_b.tenant_id, "tenantB.tenantId", Kind::Guid);
    let sub_b = e.kind(
        &f.tenant_b.subscription_id,
        "tenantB.subscriptionId",
        Kind::Guid,
    );
    let group_b = e.kind(
        &f.tenant_b.resource_group,
        "tenantB.resourceGroup",
        Kind::ResourceGroup,
    );
    let location = e.kind(&f.tenant_b.location, "tenantB.location", Kind::Location);

    let mut clusters = Vec::new();
    for (i, c) in f.clusters.iter().enumerate() {
        let at = |k: &str| format!("clusters[{i}].{k}");
        let name = e.kind(&c.name, &at("name"), Kind::AksCluster);
        if clusters.iter().any(|x: &Cluster| x.name == name) {
            e.at(
                &c.name,
                &at("name"),
                format!("cluster {name:?} is declared twice"),
            );
        }
        let subscription = match &c.subscription_id {
            Some(s) => e.kind(s, &at("subscriptionId"), Kind::Guid),
            None => sub_a.clone(),
        };
        let resource_group = e.kind(&c.resource_group, &at("resourceGroup"), Kind::ResourceGroup);
        clusters.push(Cluster {
            name,
            subscription,
            resource_group,
            known: None,
        });
    }

    let mut identities = Vec::new();
    for (i, id) in f.identities.iter().enumerate() {
        let at = |k: &str| format!("identities[{i}].{k}");
        let name = e.kind(&id.name, &at("name"), Kind::Identity);
        if identities.iter().any(|x: &Identity| x.name == name) {
            e.at(
                &id.name,
                &at("name"),
                format!("identity {name:?} is declared twice"),
            );
        }
        let resource_group = match &id.resource_group {
            Some(g) => e.kind(g, &at("resourceGroup"), Kind::ResourceGroup),
            None => group_b.clone(),
        };
        let mut roles = Vec::new();
        for (j, r) in id.roles.iter().enumerate() {
            let key = format!("identities[{i}].roles[{j}]");
            if r.role.value.trim().is_empty() || r.role.value.chars().any(char::is_control) {
                e.at(
                    &r.role,
                    &format!("{key}.role"),
                    "must be a role name or a role definition GUID",
                );
            }
            if !ArmId::parse(&r.scope.value).is_inside(&arm_id::subscription(&sub_b)) {
                e.at(
                    &r.scope,
                    &format!("{key}.scope"),
                    format!("{:?} is outside Tenant B's subscription {sub_b}: a scope must start with /subscriptions/{sub_b}/", r.scope.value),
                );
            }
            roles.push(Grant {
                role: r.role.value.clone(),
                scope: r.scope.value.trim_end_matches('/').to_string(),
            });
        }
        identities.push(Identity {
            name,
            resource_group,
            roles,
        });
    }

    let bindings = bindings(f, e, &clusters, &identities);
    budget(f, e, &bindings);
    Model {
        tenant_a,
        tenant_b,
        subscription_b: sub_b,
        location,
        clusters,
        identities,
        bindings,
    }
}

fn bindings(
    f: &GraphFile,
    e: &mut Errors,
    clusters: &[Cluster],
    identities: &[Identity],
) -> Vec<Binding> {
    let declared = |names: Vec<&str>| names.join(", ");
    let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    // Credential name → the workload that gets it, where it was written.
    let mut named: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, w) in f.workloads.iter().enumerate() {
        let at = |k: &str| format!("workloads[{i}].{k}");
        let namespace = e.kind(&w.namespace, &at("namespace"), Kind::K8sNamespace);
        let sa = e.kind(
            &w.service_account,
            &at("serviceAccount"),
            Kind::ServiceAccount,
        );
        let identity = w.identity.value.clone();
        if !identities.iter().any(|x| x.name == identity) {
            let known = declared(identities.iter().map(|x| x.name.as_str()).collect());
            e.at(
                &w.identity,
                &at("identity"),
                format!("no identity named {identity:?} is declared (identities: {known})"),
            );
        }
        let targets: Vec<(String, Option<&Spanned<String>>)> = match &w.clusters {
            Some(list) => list.iter().map(|c| (c.value.clone(), Some(c))).collect(),
            None => clusters.iter().map(|c| (c.name.clone(), None)).collect(),
        };
        for (cluster, span) in targets {
            if let Some(span) = span
                && !clusters.iter().any(|c| c.name == cluster)
            {
                let known = declared(clusters.iter().map(|c| c.name.as_str()).collect());
                e.at(
                    span,
                    &at("clusters"),
                    format!("no cluster named {cluster:?} is declared (clusters: {known})"),
                );
                continue;
            }
            let credential = credential_name(&cluster, &namespace, &sa);
            let whose = format!("{namespace}/{sa} in cluster {cluster}");
            if !seen.insert((namespace.clone(), sa.clone(), cluster.clone())) {
                e.at(&w.service_account, &at("serviceAccount"), format!(
                    "{whose} is already bound by an earlier workload; one ServiceAccount in one cluster acts as one identity"
                ));
            } else if let Some(first) = named.get(&credential) {
                // Two workloads, one credential: ARM refuses a template that
                // writes one resource twice, and each run would undo the other.
                e.at(&w.service_account, &at("serviceAccount"), format!(
                    "{whose} would get the federated credential name {credential:?}, which {first} already gets (a credential's name joins cluster, namespace and ServiceAccount with '-' and turns '.' into '-'): rename one of them so that the names differ"
                ));
            } else {
                let place = e.place(&w.service_account);
                named.insert(
                    credential.clone(),
                    format!("{whose} (workloads[{i}], {place})"),
                );
            }
            out.push(Binding {
                credential,
                cluster,
                namespace: namespace.clone(),
                service_account: sa.clone(),
                identity: identity.clone(),
            });
        }
    }
    out
}

/// Azure allows 20 federated credentials per identity: a file that needs
/// more is refused before anything runs, at the identity's line.
fn budget(f: &GraphFile, e: &mut Errors, bindings: &[Binding]) {
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for b in bindings {
        *per.entry(&b.identity).or_default() += 1;
    }
    for (i, id) in f.identities.iter().enumerate() {
        let n = per.get(id.name.value.as_str()).copied().unwrap_or(0);
        if n > MAX_CREDENTIALS {
            e.at(&id.name, &format!("identities[{i}].name"), format!(
                "identity {:?} would need {n} federated credentials, and Azure allows {MAX_CREDENTIALS} per identity: split its workloads over two identities, or list fewer clusters per workload",
                id.name.value
            ));
        }
    }
}

/// The credential's name for a (cluster, namespace, ServiceAccount): at most
/// 120 letters, digits, '-' or '_', the same every run.
pub fn credential_name(cluster: &str, namespace: &str, service_account: &str) -> String {
    let raw = format!("xt-{cluster}-{namespace}-{service_account}").replace('.', "-");
    if raw.len() <= 120 {
        return raw;
    }
    let hash = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, raw.as_bytes())
        .simple()
        .to_string();
    format!("{}-{}", &raw[..111], &hash[..8])
}

#[cfg(test)]
mod tests;
