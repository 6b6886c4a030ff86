//! The validated settings each step needs, taken from the profile. Every value
//! is checked with `xtenant_shared::validate` (naming the profile field)
//! before any az call; a missing one names the `init` flag that sets it.

use xtenant_shared::validate::{Kind, check};
use xtenant_shared::{Profile, names};

use xtenant_shared::exit::Usage as UsageError;

/// The two tenants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::A => "Tenant A",
            Side::B => "Tenant B",
        }
    }
    /// "A" or "B".
    pub fn letter(self) -> &'static str {
        match self {
            Side::A => "A",
            Side::B => "B",
        }
    }
}

/// Where one tenant's resources live.
#[derive(Debug, Clone)]
pub struct Place {
    pub side: Side,
    pub tenant: String,
    pub subscription: String,
    pub resource_group: String,
    pub location: String,
}

/// Tenant A: the cluster.
#[derive(Debug, Clone)]
pub struct ClusterSettings {
    pub place: Place,
    pub name: String,
}

/// Tenant B: Service Bus, identity, credential.
#[derive(Debug, Clone)]
pub struct ResourceSettings {
    pub place: Place,
    /// Absent until generated (once) by `init` or `resources`.
    pub namespace: Option<String>,
    pub queue: String,
    pub identity: Option<String>,
    pub credential: Option<String>,
}

/// How an error names the demo cluster's recorded issuer (version 2 kept it
/// as `cluster.issuerUrl`).
pub const DEMO_ISSUER: &str =
    "the demo's cluster.issuerUrl (profile: graph.clusters.@demo.issuerUrl)";

/// A required, valid profile value.
fn need(field: &str, flag: &str, kind: Kind, v: Option<&String>) -> Result<String, anyhow::Error> {
    let v = v.ok_or_else(|| {
        UsageError(format!(
            "the profile has no {field}: set it with `az-xtenant init {flag} <value>`"
        ))
    })?;
    check(&format!("{field} (profile)"), kind, v)?;
    Ok(v.clone())
}

/// An optional value, valid when present.
fn may(field: &str, kind: Kind, v: Option<&String>) -> Result<Option<String>, anyhow::Error> {
    if let Some(v) = v {
        check(&format!("{field} (profile)"), kind, v)?;
    }
    Ok(v.cloned())
}

pub fn cluster(p: &Profile) -> anyhow::Result<ClusterSettings> {
    let c = &p.cluster;
    Ok(ClusterSettings {
        place: Place {
            side: Side::A,
            tenant: need(
                "cluster.tenantId",
                "--tenant-a",
                Kind::Guid,
                c.tenant_id.as_ref(),
            )?,
            subscription: need(
                "cluster.subscriptionId",
                "--subscription-a",
                Kind::Guid,
                c.subscription_id.as_ref(),
            )?,
            resource_group: need(
                "cluster.resourceGroup",
                "--resource-group",
                Kind::ResourceGroup,
                c.resource_group.as_ref(),
            )?,
            location: need(
                "cluster.location",
                "--location",
                Kind::Location,
                c.location.as_ref(),
            )?,
        },
        name: need(
            "cluster.clusterName",
            "--cluster-name",
            Kind::AksCluster,
            c.cluster_name.as_ref(),
        )?,
    })
}

pub fn resources(p: &Profile) -> anyhow::Result<ResourceSettings> {
    let r = &p.resources;
    Ok(ResourceSettings {
        place: Place {
            side: Side::B,
            tenant: need(
                "resources.tenantId",
                "--tenant-b",
                Kind::Guid,
                r.tenant_id.as_ref(),
            )?,
            subscription: need(
                "resources.subscriptionId",
                "--subscription-b",
                Kind::Guid,
                r.subscription_id.as_ref(),
            )?,
            resource_group: need(
                "resources.resourceGroup",
                "--resource-group-b",
                Kind::ResourceGroup,
                r.resource_group.as_ref(),
            )?,
            location: need(
                "resources.location",
                "--location-b",
                Kind::Location,
                r.location.as_ref(),
            )?,
        },
        namespace: may(
            "resources.servicebusNamespace",
            Kind::ServiceBusNamespace,
            r.servicebus_namespace.as_ref(),
        )?,
        queue: may("resources.queueName", Kind::Queue, r.queue_name.as_ref())?
            .unwrap_or_else(|| names::DEFAULT_QUEUE.to_string()),
        identity: may(
            "resources.identityName",
            Kind::Identity,
            r.identity_name.as_ref(),
        )?,
        credential: may(
            "resources.federatedCredentialName",
            Kind::FederatedCredential,
            p.demo_credential().map(str::to_string).as_ref(),
        )?,
    })
}

/// The subject of the federated credential, from validated workload settings.
pub fn subject(p: &Profile) -> anyhow::Result<String> {
    check(
        "workload.namespace (profile)",
        Kind::K8sNamespace,
        &p.workload.namespace,
    )?;
    check(
        "workload.serviceAccount (profile)",
        Kind::ServiceAccount,
        &p.workload.service_account,
    )?;
    Ok(p.subject())
}

/// A Service Bus namespace name with a fresh random suffix, like the
/// procedure's `sb-crosstenantdemo-$RANDOM` (but with more digits).
pub fn generate_namespace() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 100_000_000;
    names::servicebus_namespace(&format!("{n:08}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    #[test]
    fn missing_value_names_the_init_flag() {
        let err = cluster(&Profile::default()).expect_err("missing");
        assert!(err.to_string().contains("--tenant-a"), "{err}");
        assert!(err.is::<UsageError>());
    }

    #[test]
    fn invalid_profile_value_names_the_field() {
        let mut p = Profile::default();
        p.cluster.tenant_id = Some(G.into());
        p.cluster.subscription_id = Some("nope".into());
        let err = cluster(&p).expect_err("invalid");
        assert!(err.to_string().contains("cluster.subscriptionId"), "{err}");
        assert_eq!(xtenant_shared::exit::code_for(&err, |_| None), 2);
    }

    #[test]
    fn generated_namespace_is_valid() {
        let ns = generate_namespace();
        assert!(Kind::ServiceBusNamespace.accepts(&ns), "{ns}");
        assert!(ns.starts_with("sb-crosstenantdemo-"));
    }

    #[test]
    fn subject_is_checked() {
        let mut p = Profile::default();
        assert_eq!(
            subject(&p).expect("ok"),
            "system:serviceaccount:default:myserviceaccount"
        );
        p.workload.namespace = "Bad_NS".into();
        assert!(subject(&p).is_err());
    }
}
