//! Tenant B's user-assigned managed identity; its client ID is what the
//! ServiceAccount names, its principal ID what roles are granted to.

use anyhow::Result;
use xtenant_shared::ownership::ObjectKind;

use crate::az::arm_id;
use crate::az::types::Identity;
use crate::context::Ctx;
use crate::engine::{Decision, Key, Step};
use crate::settings::{Place, Side};
use crate::steps::slot::IdentitySlot;

pub struct IdentityStep {
    pub key: Key,
    pub place: Place,
    pub name: String,
    pub group: Key,
    pub slot: IdentitySlot,
}

impl Step for IdentityStep {
    type Live = Option<Identity>;

    fn key(&self) -> Key {
        self.key.clone()
    }
    fn needs(&self) -> Vec<Key> {
        vec![self.group.clone()]
    }
    fn side(&self) -> Side {
        Side::B
    }
    fn what(&self) -> String {
        format!("managed identity {}", self.name)
    }
    fn target(&self, _cx: &Ctx) -> Result<(ObjectKind, String)> {
        let p = &self.place;
        Ok((
            ObjectKind::ManagedIdentity,
            arm_id::identity(&p.subscription, &p.resource_group, &self.name),
        ))
    }

    fn read(&self, cx: &Ctx) -> Result<Self::Live> {
        let p = &self.place;
        let (sub, rg) = (&p.subscription, &p.resource_group);
        Ok(match self.slot {
            // A graph's identities share a few groups: one list answers for all.
            IdentitySlot::Graph(_) => cx.az()?.identity_in_group(sub, rg, &self.name)?,
            IdentitySlot::Demo => cx.az()?.identity_show(sub, rg, &self.name)?,
        })
    }

    fn decide(&self, cx: &Ctx, live: &Self::Live) -> Result<Decision> {
        let recorded = self.slot.client_id(&cx.snapshot());
        Ok(match live {
            None => Decision::Create,
            Some(i) => match recorded.filter(|r| !r.eq_ignore_ascii_case(&i.client_id)) {
                Some(r) if !cx.applying() => Decision::Update(format!(
                    "has client ID {} but the profile records {r}",
                    i.client_id
                )),
                _ => Decision::Keep(format!("exists (client ID {})", i.client_id)),
            },
        })
    }

    fn write(&self, cx: &Ctx, _decision: &Decision, _live: Self::Live) -> Result<Self::Live> {
        let p = &self.place;
        let made = cx.az()?.identity_create(
            &p.subscription,
            &p.resource_group,
            &self.name,
            &p.location,
        )?;
        Ok(Some(made.unwrap_or_else(|| {
            Identity::planned(&p.subscription, &p.resource_group, &self.name)
        })))
    }

    fn record(&self, cx: &Ctx, live: &Self::Live) -> Result<()> {
        let Some(i) = live else { return Ok(()) };
        // In a read-only walk (status, plan) this stays in memory, where the
        // role and credential steps after it need the principal.
        cx.record(|pr| self.slot.set(pr, &self.name, i))
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        let p = &self.place;
        Ok(cx
            .az()?
            .identity_delete(&p.subscription, &p.resource_group, &self.name)?)
    }
}
