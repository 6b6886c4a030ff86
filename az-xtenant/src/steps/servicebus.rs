//! Tenant B's Service Bus namespace (local auth disabled, as the procedure
//! requires) and its queue.

use anyhow::Result;
use xtenant_shared::names;
use xtenant_shared::ownership::ObjectKind;

use crate::az::arm_id;
use crate::az::types::{Namespace, Queue};
use crate::context::Ctx;
use crate::engine::{Decision, Key, Step};
use crate::settings::{Place, Side};

pub struct NamespaceStep {
    pub place: Place,
    pub name: String,
    pub group: Key,
}

impl Step for NamespaceStep {
    type Live = Option<Namespace>;

    fn key(&self) -> Key {
        "namespace".into()
    }
    fn needs(&self) -> Vec<Key> {
        vec![self.group.clone()]
    }
    fn side(&self) -> Side {
        Side::B
    }
    fn what(&self) -> String {
        format!("Service Bus namespace {}", self.name)
    }
    fn target(&self, _cx: &Ctx) -> Result<(ObjectKind, String)> {
        let p = &self.place;
        Ok((
            ObjectKind::ServiceBusNamespace,
            arm_id::namespace(&p.subscription, &p.resource_group, &self.name),
        ))
    }

    fn read(&self, cx: &Ctx) -> Result<Self::Live> {
        let p = &self.place;
        Ok(cx
            .az()?
            .namespace_show(&p.subscription, &p.resource_group, &self.name)?)
    }

    fn decide(&self, _cx: &Ctx, live: &Self::Live) -> Result<Decision> {
        Ok(match live {
            None => Decision::Create,
            Some(n) if n.disable_local_auth != Some(true) => {
                Decision::Update("has local (SAS key) authentication enabled".into())
            }
            Some(_) => Decision::Keep("exists (local auth disabled)".into()),
        })
    }

    fn write(&self, cx: &Ctx, decision: &Decision, live: Self::Live) -> Result<Self::Live> {
        let p = &self.place;
        let (sub, rg, ns) = (&p.subscription, &p.resource_group, &self.name);
        Ok(match decision {
            Decision::Create => cx.az()?.namespace_create(sub, rg, ns, &p.location)?,
            _ => cx.az()?.namespace_disable_local_auth(sub, rg, ns)?.or(live),
        })
    }

    fn record(&self, cx: &Ctx, live: &Self::Live) -> Result<()> {
        let p = &self.place;
        let id = live.as_ref().map_or_else(
            || arm_id::namespace(&p.subscription, &p.resource_group, &self.name),
            |n| n.id.clone(),
        );
        let host = live
            .as_ref()
            .and_then(|n| n.service_bus_endpoint.as_deref())
            .map_or_else(
                || format!("{}.servicebus.windows.net", self.name),
                names::servicebus_hostname,
            );
        cx.record(|pr| {
            pr.resources.servicebus_id = Some(id.clone());
            pr.resources.servicebus_hostname = Some(host.clone());
        })
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        let p = &self.place;
        Ok(cx
            .az()?
            .namespace_delete(&p.subscription, &p.resource_group, &self.name)?)
    }
}

pub struct QueueStep {
    pub place: Place,
    pub namespace: String,
    pub name: String,
}

impl Step for QueueStep {
    type Live = Option<Queue>;

    fn key(&self) -> Key {
        "queue".into()
    }
    fn needs(&self) -> Vec<Key> {
        vec!["namespace".into()]
    }
    fn side(&self) -> Side {
        Side::B
    }
    fn what(&self) -> String {
        format!("queue {}", self.name)
    }
    fn target(&self, _cx: &Ctx) -> Result<(ObjectKind, String)> {
        let p = &self.place;
        let ns = arm_id::namespace(&p.subscription, &p.resource_group, &self.namespace);
        Ok((
            ObjectKind::ServiceBusQueue,
            format!("{ns}/queues/{}", self.name),
        ))
    }

    fn read(&self, cx: &Ctx) -> Result<Self::Live> {
        let p = &self.place;
        Ok(cx.az()?.queue_show(
            &p.subscription,
            &p.resource_group,
            &self.namespace,
            &self.name,
        )?)
    }

    fn decide(&self, _cx: &Ctx, live: &Self::Live) -> Result<Decision> {
        Ok(match live {
            None => Decision::Create,
            Some(_) => Decision::Keep("exists".into()),
        })
    }

    fn write(&self, cx: &Ctx, _decision: &Decision, _live: Self::Live) -> Result<Self::Live> {
        let p = &self.place;
        cx.az()?.queue_create(
            &p.subscription,
            &p.resource_group,
            &self.namespace,
            &self.name,
        )?;
        Ok(Some(Queue {}))
    }

    fn record(&self, cx: &Ctx, _live: &Self::Live) -> Result<()> {
        cx.record(|pr| pr.resources.queue_name = Some(self.name.clone()))
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        let p = &self.place;
        Ok(cx.az()?.queue_delete(
            &p.subscription,
            &p.resource_group,
            &self.namespace,
            &self.name,
        )?)
    }
}
