//! A cluster the declared graph names: it must exist in Tenant A with its
//! OIDC issuer and workload identity on; xtenant only reads it and records
//! its issuer. It never creates, changes or deletes it. For a side that
//! cannot read Tenant A (`grant`), the trust request says what it is.

use anyhow::{Result, bail};
use xtenant_shared::ownership::ObjectKind;
use xtenant_shared::validate::{Kind, check};

use crate::az::arm_id;
use crate::az::types::{Cluster, KnownCluster, PLACEHOLDER_GUID};
use crate::context::Ctx;
use crate::engine::{Decision, Key, Step};
use crate::settings::Side;
use crate::steps::slot::ClusterSlot;

pub struct AdoptedClusterStep {
    pub key: Key,
    pub name: String,
    pub subscription: String,
    pub resource_group: String,
    /// Its ID and issuer as a trust request gives them: then nothing is read.
    pub known: Option<KnownCluster>,
}

impl Step for AdoptedClusterStep {
    type Live = Option<Cluster>;

    fn key(&self) -> Key {
        self.key.clone()
    }
    fn needs(&self) -> Vec<Key> {
        Vec::new()
    }
    fn side(&self) -> Side {
        Side::A
    }
    fn what(&self) -> String {
        format!("AKS cluster {}", self.name)
    }
    fn target(&self, _cx: &Ctx) -> Result<(ObjectKind, String)> {
        Ok((
            ObjectKind::ManagedCluster,
            arm_id::cluster(&self.subscription, &self.resource_group, &self.name),
        ))
    }

    fn read(&self, cx: &Ctx) -> Result<Self::Live> {
        if let Some(k) = &self.known {
            return Ok(Some(Cluster::requested(&k.id, &k.issuer)));
        }
        // A graph's clusters share a few groups: one list answers for all.
        Ok(cx
            .az()?
            .aks_in_group(&self.subscription, &self.resource_group, &self.name)?)
    }

    fn decide(&self, cx: &Ctx, live: &Self::Live) -> Result<Decision> {
        let (sub, rg, name) = (&self.subscription, &self.resource_group, &self.name);
        match live {
            // A dry run against an assumed Azure cannot know the cluster.
            None if cx.assumed() => Ok(Decision::Keep("assumed to exist".into())),
            None => bail!(
                "AKS cluster {name} was not found in resource group {rg} of subscription {sub} (Tenant A); \
                 the graph only adopts existing clusters: create it, or fix its entry in the file"
            ),
            Some(c) if !c.oidc_enabled() || !c.workload_identity_enabled() => bail!(
                "AKS cluster {name} has the OIDC issuer or workload identity off; turn them on with \
                 `az aks update --subscription {sub} -g {rg} -n {name} --enable-oidc-issuer --enable-workload-identity`"
            ),
            Some(c) => Ok(Decision::Keep(format!(
                "has issuer {}{}",
                c.issuer_url().unwrap_or("(none yet)"),
                if self.known.is_some() {
                    " (as the trust request says)"
                } else {
                    ""
                }
            ))),
        }
    }

    fn write(&self, _cx: &Ctx, _decision: &Decision, _live: Self::Live) -> Result<Self::Live> {
        bail!(
            "AKS cluster {} is adopted: xtenant never changes it",
            self.name
        )
    }

    fn record(&self, cx: &Ctx, live: &Self::Live) -> Result<()> {
        let slot = ClusterSlot::Graph(self.name.clone());
        let Some(c) = live else {
            if cx.assumed() {
                // What an issuer looks like, for the plan's credentials.
                let planned = format!("https://oidc.prod-aks.azure.com/{PLACEHOLDER_GUID}/");
                cx.record(|p| slot.set(p, None, &planned))?;
            }
            return Ok(());
        };
        let Some(issuer) = c.issuer_url() else {
            return Ok(());
        };
        check("the cluster's OIDC issuer URL", Kind::IssuerUrl, issuer)?;
        cx.record(|p| slot.set(p, Some(&c.id), issuer))
    }

    fn delete(&self, _cx: &Ctx) -> Result<()> {
        bail!(
            "AKS cluster {} is adopted: xtenant never deletes it",
            self.name
        )
    }
}
