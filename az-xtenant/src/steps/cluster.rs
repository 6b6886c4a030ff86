//! Tenant A's AKS cluster with OIDC issuer and workload identity: created, or
//! adopted and updated. A cluster AKS is busy with (another operation in
//! flight: a write would be refused with OperationNotAllowed) is waited for;
//! an operation that ends Failed or Canceled is reported with AKS's error and
//! what to do. The issuer URL is recorded byte for byte.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use xtenant_shared::ownership::ObjectKind;
use xtenant_shared::validate::{Kind, check, issuer_warnings};

use crate::az::AzError;
use crate::az::arm_id;
use crate::az::types::{Cluster, PLACEHOLDER_GUID};
use crate::context::Ctx;
use crate::engine::{Decision, Key, Step};
use crate::settings::{ClusterSettings, Side};
use crate::steps::slot::ClusterSlot;

pub struct ClusterStep {
    pub s: ClusterSettings,
    pub group: Key,
}

impl ClusterStep {
    fn names(&self) -> (&str, &str, &str) {
        (
            &self.s.place.subscription,
            &self.s.place.resource_group,
            &self.s.name,
        )
    }

    /// Waits while AKS works on the cluster (bounded by `--cluster-wait`).
    fn settle(&self, cx: &Ctx, mut c: Cluster) -> Result<Cluster> {
        let (sub, rg, name) = self.names();
        let started = Instant::now();
        let mut told = false;
        while c.in_progress() && cx.changes {
            let state = c.provisioning_state.clone().unwrap_or_default();
            if started.elapsed() >= cx.waits.cluster {
                return Err(xtenant_shared::exit::Timeout {
                    what: format!("AKS cluster {name} to finish {state} (run again later, or raise --cluster-wait)"),
                    seconds: started.elapsed().as_secs(),
                }
                .into());
            }
            let what = format!("Tenant A: waiting for AKS cluster {name} ({state})");
            if !std::mem::replace(&mut told, true) {
                // Said once, visibly even without a terminal; the spinner shows the rest.
                cx.progress.note(&what);
            }
            cx.progress
                .wait(&what, || std::thread::sleep(cx.waits.poll));
            // Asks Azure again: the walk's az may remember the first look.
            c = cx
                .az()?
                .fresh()
                .aks_show(sub, rg, name)?
                .with_context(|| format!("AKS cluster {name} disappeared while {state}"))?;
        }
        Ok(c)
    }

    /// Runs a cluster write; when AKS refuses it because another operation
    /// is in flight, waits for the cluster and tries once more.
    fn write_once_settled(
        &self,
        cx: &Ctx,
        write: impl Fn() -> Result<Option<Cluster>, AzError>,
    ) -> Result<Option<Cluster>> {
        let (sub, rg, name) = self.names();
        match write() {
            Err(e) if e.says("OperationNotAllowed") && cx.changes => {
                cx.progress.note(&format!(
                    "Tenant A: AKS is busy with another operation on {name}; waiting for it"
                ));
                if let Some(c) = cx.az()?.fresh().aks_show(sub, rg, name)? {
                    self.settle(cx, c)?;
                }
                write().map_err(|e| self.failed(e))
            }
            Err(e) => Err(self.failed(e)),
            Ok(c) => Ok(c),
        }
    }

    fn failed(&self, e: AzError) -> anyhow::Error {
        if matches!(e, AzError::Interrupted { .. }) {
            // Stopped by Ctrl-C, not failed: there is nothing to look at.
            return e.into();
        }
        let (sub, rg, name) = self.names();
        let why = if e.says("Canceled") {
            "the operation was canceled"
        } else {
            "AKS reports the operation failed"
        };
        anyhow::Error::new(e).context(format!(
            "{why} on AKS cluster {name}; look at it with `az aks show --subscription {sub} -g {rg} -n {name}`, fix the cause, then run `az-xtenant up` again"
        ))
    }

    fn planned_issuer(&self) -> String {
        let p = &self.s.place;
        format!(
            "https://{}.oic.prod-aks.azure.com/{}/{PLACEHOLDER_GUID}/",
            p.location, p.tenant
        )
    }
}

impl Step for ClusterStep {
    type Live = Option<Cluster>;

    fn key(&self) -> Key {
        "cluster".into()
    }
    fn needs(&self) -> Vec<Key> {
        vec![self.group.clone()]
    }
    fn side(&self) -> Side {
        Side::A
    }
    fn what(&self) -> String {
        format!("AKS cluster {}", self.s.name)
    }
    fn target(&self, _cx: &Ctx) -> Result<(ObjectKind, String)> {
        let (sub, rg, name) = self.names();
        Ok((ObjectKind::ManagedCluster, arm_id::cluster(sub, rg, name)))
    }

    fn read(&self, cx: &Ctx) -> Result<Self::Live> {
        let (sub, rg, name) = self.names();
        cx.az()?
            .aks_show(sub, rg, name)?
            .map(|c| self.settle(cx, c))
            .transpose()
    }

    fn decide(&self, _cx: &Ctx, live: &Self::Live) -> Result<Decision> {
        Ok(match live {
            None => Decision::Create,
            Some(c) if !c.oidc_enabled() || !c.workload_identity_enabled() => {
                Decision::Update("has the OIDC issuer or workload identity off".into())
            }
            Some(c) if c.in_progress() => Decision::Keep(format!(
                "exists with OIDC issuer and workload identity ({})",
                c.provisioning_state.as_deref().unwrap_or("busy")
            )),
            Some(c) if c.failed() => Decision::Keep(format!(
                "exists with OIDC issuer and workload identity, but its last operation ended {}: check it with `az aks show`",
                c.provisioning_state.as_deref().unwrap_or("badly")
            )),
            Some(_) => Decision::Keep("exists with OIDC issuer and workload identity".into()),
        })
    }

    fn write(&self, cx: &Ctx, decision: &Decision, _live: Self::Live) -> Result<Self::Live> {
        let (sub, rg, name) = self.names();
        let az = cx.az()?;
        let c = if *decision == Decision::Create {
            self.write_once_settled(cx, || az.aks_create(sub, rg, name))?
        } else {
            self.write_once_settled(cx, || az.aks_enable_workload_identity(sub, rg, name))?
        };
        c.map(|c| self.settle(cx, c)).transpose()
    }

    fn record(&self, cx: &Ctx, live: &Self::Live) -> Result<()> {
        let name = &self.s.name;
        let issuer = match live.as_ref().map(|c| (c, c.issuer_url())) {
            Some((_, Some(url))) => url.to_string(),
            Some((c, None)) if cx.changes => bail!(
                "AKS cluster {name} reports no OIDC issuer URL (provisioning state {:?}); check it with `az aks show`",
                c.provisioning_state.as_deref().unwrap_or("unknown")
            ),
            // A dry run (or status) before the cluster has an issuer.
            _ if !cx.changes && cx.dry_run() => self.planned_issuer(),
            _ => return Ok(()),
        };
        check("the cluster's OIDC issuer URL", Kind::IssuerUrl, &issuer)?;
        if cx.applying() {
            for w in issuer_warnings(&issuer, Some(&self.s.place.tenant)) {
                cx.progress.warn(&w);
            }
            let recorded = cx.snapshot().demo_issuer().map(str::to_string);
            if let Some(r) = recorded.filter(|r| *r != issuer) {
                cx.progress.warn(&format!(
                    "the cluster's issuer changed from {r:?} to {issuer:?}; the trust step adds a credential for the new one"
                ));
            }
        }
        let id = live.as_ref().map(|c| c.id.clone());
        cx.record(|p| ClusterSlot::Demo.set(p, id.as_deref(), &issuer))?;
        if cx.applying() {
            cx.progress.done(&format!("Tenant A: OIDC issuer {issuer}"));
        }
        Ok(())
    }

    fn created_note(&self, _cx: &Ctx) -> Option<String> {
        Some("with OIDC issuer and workload identity".into())
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        let (sub, rg, name) = self.names();
        cx.az()?.aks_delete(sub, rg, name)?;
        Ok(())
    }
}
