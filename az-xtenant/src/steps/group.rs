//! A resource group, in either tenant: adopted when it exists (never
//! deleted then), or created tagged `created-by=xtenant` and with this
//! profile's ID. A group ARM is still deleting (e.g. right after
//! `cleanup --no-wait`) is waited for, visibly and within a limit, then made
//! again.

use std::time::Instant;

use anyhow::Result;
use xtenant_shared::ownership::{ObjectKind, OwnState};
use xtenant_shared::{names, profile::group_id};

use crate::az::types::Group;
use crate::context::Ctx;
use crate::engine::{Decision, Key, Step};
use crate::settings::{Place, Side};

pub struct GroupStep {
    pub key: Key,
    pub place: Place,
}

impl GroupStep {
    fn id(&self) -> String {
        group_id(&self.place.subscription, &self.place.resource_group)
    }
}

/// Whether `group` is this profile's to delete: it carries the profile's ID,
/// or (made by a version before the ID existed) it is recorded as created
/// and carries `created-by=xtenant`.
pub fn is_ours(cx: &Ctx, id: &str, group: &Group) -> bool {
    let p = cx.snapshot();
    if let (Some(tag), Some(mine)) = (group.profile(), p.id.as_deref()) {
        return tag.eq_ignore_ascii_case(mine);
    }
    group.profile().is_none()
        && group.tagged_by_xtenant()
        && p.owned
            .get(id)
            .is_some_and(|o| o.state == OwnState::Created)
}

impl Step for GroupStep {
    type Live = Option<Group>;

    fn key(&self) -> Key {
        self.key.clone()
    }
    fn needs(&self) -> Vec<Key> {
        Vec::new()
    }
    fn side(&self) -> Side {
        self.place.side
    }
    fn what(&self) -> String {
        format!("resource group {}", self.place.resource_group)
    }
    fn target(&self, _cx: &Ctx) -> Result<(ObjectKind, String)> {
        Ok((ObjectKind::ResourceGroup, self.id()))
    }

    fn read(&self, cx: &Ctx) -> Result<Self::Live> {
        let (sub, rg) = (&self.place.subscription, &self.place.resource_group);
        let started = Instant::now();
        // Said once, visibly even without a terminal; the spinner shows the rest.
        let mut told = false;
        // The first look may be the plan's; a wait asks Azure again each time.
        let fresh = cx.az()?.fresh();
        let mut az = cx.az()?;
        loop {
            let group = az.group_show(sub, rg)?;
            az = fresh.clone();
            match group {
                Some(g) if g.deleting() && cx.changes => {
                    let waited = started.elapsed();
                    if waited >= cx.waits.group_deletion {
                        return Err(xtenant_shared::exit::Timeout {
                            what: format!(
                                "Azure to finish deleting resource group {rg} (writes inside it are refused until then; run again later, or raise --group-wait)"
                            ),
                            seconds: waited.as_secs(),
                        }
                        .into());
                    }
                    let what = format!(
                        "{}: resource group {rg} is being deleted; waiting for it to go before creating it again",
                        self.place.side.label()
                    );
                    if !std::mem::replace(&mut told, true) {
                        cx.progress.note(&what);
                    }
                    cx.progress
                        .wait(&what, || std::thread::sleep(cx.waits.poll));
                }
                other => return Ok(other),
            }
        }
    }

    fn decide(&self, cx: &Ctx, live: &Self::Live) -> Result<Decision> {
        Ok(match live {
            None => Decision::Create,
            Some(g) if g.deleting() => Decision::Keep("is being deleted".into()),
            Some(g) if is_ours(cx, &self.id(), g) => {
                Decision::Keep("exists (created by this profile)".into())
            }
            Some(_) => Decision::Keep("exists; adopted (cleanup will not delete it)".into()),
        })
    }

    fn write(&self, cx: &Ctx, _decision: &Decision, _live: Self::Live) -> Result<Self::Live> {
        let id = cx.profile_id()?;
        let p = &self.place;
        cx.az()?
            .group_create(&p.subscription, &p.resource_group, &p.location, &id)?;
        Ok(None)
    }

    fn created_note(&self, cx: &Ctx) -> Option<String> {
        let id = cx.snapshot().id.unwrap_or_default();
        Some(format!(
            "in {}, tagged {}={} {}={id}",
            self.place.location,
            names::TAG_CREATED_BY,
            names::TAG_CREATED_BY_VALUE,
            names::TAG_PROFILE
        ))
    }

    fn record(&self, _cx: &Ctx, _live: &Self::Live) -> Result<()> {
        Ok(())
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        let p = &self.place;
        cx.az()?
            .group_delete(&p.subscription, &p.resource_group, cx.waits.no_wait)?;
        Ok(())
    }
}
