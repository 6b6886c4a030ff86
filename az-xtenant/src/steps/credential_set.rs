//! An identity's federated credentials as one node of the graph. Each is
//! decided by its own credential step, on one read of the identity's list;
//! the ones to write go to Azure in one ARM template deployment whose
//! `dependsOn` chain makes Azure write them one after the other (it refuses
//! concurrent credential writes on one identity): one az process for them
//! all, instead of one each, and ARM paces the chain, not Python start-up.
//! A single write goes through the credential step itself. A dry run prints
//! the deployment the live run would start (its template written to a named
//! file first), so that it prints exactly what the live run runs.
//!
//! ARM sends no `Retry-After` while a deployment runs, so az would look at
//! it again only after 30 s: the deployment is started (`--no-wait`) and
//! watched with `az deployment group show` at xtenant's own poll interval.
//! A caller whose role on the group leaves out `Microsoft.Resources/
//! deployments/*` (`AuthorizationFailed`) gets the credentials written one
//! at a time instead, which needs rights on the identity only; this is said
//! once, and the group is not tried again in the run.
//!
//! Intents are recorded for every credential before the deployment and
//! confirmed after it. A deployment left running by a run that was stopped
//! is waited for (Azure refuses a namesake meanwhile: `DeploymentActive`),
//! then the list is read again and only what is still missing is written.
//! A deployment az reports failed is read again before the run fails: ARM
//! may have lost track of it for az's poll while it went on writing.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Result, bail};
use xtenant_shared::ownership::ObjectKind;

use crate::az::arm_id;
use crate::az::types::{Deployment, Identity};
use crate::context::Ctx;
use crate::engine::{Decision, Finding, Key, Node, Step, Vertex, protocol, report};
use crate::settings::{Place, Side};
use crate::steps::credential::CredentialStep;
use crate::steps::retry::{Backoff, CONCURRENT_WRITES, RETRIES};

pub struct CredentialSetStep {
    pub key: Key,
    /// The identity's step and the steps of the clusters it trusts.
    pub needs: Vec<Key>,
    pub place: Place,
    pub identity: String,
    pub members: Vec<CredentialStep>,
}

/// How many times in a row `az deployment group show` may answer "not
/// found" for a deployment just started before its credentials are read:
/// ARM has lost track of running deployments for a while
/// (Azure/azure-cli#28834).
const LOST_READS: u32 = 3;

/// Resource groups where the caller may not deploy templates: found once per
/// run, then their credentials are written one at a time straight away.
static NO_DEPLOYMENTS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// The action ARM names in an `AuthorizationFailed` message.
fn denied_action(message: &str) -> &str {
    message
        .split_once("perform action '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map_or("Microsoft.Resources/deployments/*", |(action, _)| action)
}

/// How one attempt ended.
enum Attempt {
    Done,
    /// Azure was busy with another write on the identity: read and try again.
    Busy(String),
}

impl CredentialSetStep {
    fn identity(&self) -> Identity {
        let p = &self.place;
        Identity::planned(&p.subscription, &p.resource_group, &self.identity)
    }

    /// The deployment's name: fixed per identity, so that a run started
    /// again meets (and waits for) the one a stopped run left.
    fn deployment(&self) -> String {
        let id = self.identity().id.to_ascii_lowercase();
        let u = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, id.as_bytes());
        format!("xtenant-credentials-{u}")
    }

    fn attempt(&self, cx: &Ctx) -> Result<Attempt> {
        let mut pending = Vec::new();
        for m in &self.members {
            let protocol::Decided {
                kind,
                id,
                live,
                decision,
            } = protocol::read_and_decide(m, cx)?;
            match decision {
                Decision::Keep(_) => report(cx, Side::B, &Step::what(m), &decision, None),
                _ => pending.push((m, kind, id, decision, live)),
            }
        }
        let group = format!("{}/{}", self.place.subscription, self.place.resource_group)
            .to_ascii_lowercase();
        let denied = NO_DEPLOYMENTS.lock().is_ok_and(|g| g.contains(&group));
        if pending.len() < 2 || denied {
            for (m, ..) in &pending {
                Node::apply(*m, cx)?;
            }
            return Ok(Attempt::Done);
        }
        let writes = pending
            .iter()
            .map(|(m, _, _, d, live)| m.to_write(cx, d, live))
            .collect::<Result<Vec<_>>>()?;
        let creates = || {
            pending
                .iter()
                .filter(|(.., d, _)| *d == Decision::Create)
                .map(|(_, kind, id, ..)| (*kind, id.as_str()))
        };
        protocol::intend(cx, creates())?;
        let p = &self.place;
        let name = self.deployment();
        let placed = (
            p.subscription.as_str(),
            p.resource_group.as_str(),
            name.as_str(),
        );
        let template = cx.template_file(&name);
        let deployed = cx
            .az()?
            .credentials_deploy(placed, &self.identity(), &writes, &template);
        if deployed.is_ok() && cx.dry_run() {
            cx.progress.note(&format!(
                "Tenant B: the template of deployment {name} is in {}",
                template.display()
            ));
        }
        match deployed {
            // A dry run started nothing to watch.
            Ok(()) if cx.dry_run() => {
                cx.az()?
                    .credentials_made(placed.0, placed.1, &self.identity, &writes);
            }
            Ok(()) => {
                if !self.watch(cx, &name)? {
                    bail!(
                        "deployment {name} of the federated credentials of {} ended without them (see `az deployment group show -g {} -n {name}`)",
                        self.identity,
                        p.resource_group
                    );
                }
                cx.az()?
                    .credentials_made(placed.0, placed.1, &self.identity, &writes);
            }
            Err(e) if e.says("AuthorizationFailed") => {
                let first = NO_DEPLOYMENTS.lock().is_ok_and(|mut g| g.insert(group));
                if first {
                    cx.progress.note(&format!(
                        "Tenant B: no right to deploy templates in {} (AuthorizationFailed for {}); writing federated credentials one at a time instead",
                        p.resource_group,
                        denied_action(&e.to_string())
                    ));
                }
                for (m, ..) in &pending {
                    Node::apply(*m, cx)?;
                }
                return Ok(Attempt::Done);
            }
            Err(e) if e.says("DeploymentActive") => {
                self.wait_for_deployment(cx, &name, "from an earlier run is still running")?;
                return Ok(Attempt::Busy(format!(
                    "deployment {name} was still running"
                )));
            }
            Err(e) if e.says(CONCURRENT_WRITES) => {
                return Ok(Attempt::Busy(format!(
                    "another credential write on {} was in flight",
                    self.identity
                )));
            }
            Err(e) => match self.landed_after_all(cx, &name) {
                Ok(true) => cx
                    .az()?
                    .credentials_made(placed.0, placed.1, &self.identity, &writes),
                Ok(false) => return Err(e.into()),
                Err(later) => {
                    return Err(anyhow::Error::from(e).context(format!(
                        "reading deployment {name} again failed too: {later:#}"
                    )));
                }
            },
        }
        protocol::made(cx, creates())?;
        for (m, _, _, d, _) in &pending {
            let note = (*d == Decision::Create)
                .then(|| Step::created_note(*m, cx))
                .flatten();
            report(cx, Side::B, &Step::what(*m), d, note);
        }
        Ok(Attempt::Done)
    }

    /// Watches the deployment `name` just started until ARM ends it, at
    /// xtenant's poll interval; whether it wrote the credentials. One that
    /// failed is an error with ARM's reason.
    fn watch(&self, cx: &Ctx, name: &str) -> Result<bool> {
        let what = format!(
            "Tenant B: deployment {name} (federated credentials of {})",
            self.identity
        );
        let mut lost = 0;
        self.poll_deployment(cx, name, &what, |shown| match shown {
            Some(d) if d.failed() => {
                let why = d
                    .properties
                    .error
                    .map_or_else(String::new, |e| format!(": {e}"));
                bail!(
                    "deployment {name} of the federated credentials of {} ended {}{why}",
                    self.identity,
                    d.properties.provisioning_state
                );
            }
            Some(d) if !d.running() => Ok(Some(true)),
            Some(_) => {
                lost = 0;
                Ok(None)
            }
            None => {
                lost += 1;
                if lost >= LOST_READS {
                    return self.landed_after_all(cx, name).map(Some);
                }
                Ok(None)
            }
        })
    }

    /// Looks at deployment `name` (asking Azure each time) at xtenant's poll
    /// interval until `look` answers, for as long as a cluster may take;
    /// `what` is shown while waiting.
    fn poll_deployment<T>(
        &self,
        cx: &Ctx,
        name: &str,
        what: &str,
        mut look: impl FnMut(Option<Deployment>) -> Result<Option<T>>,
    ) -> Result<T> {
        let p = &self.place;
        let az = cx.az()?.fresh();
        let started = Instant::now();
        loop {
            let shown = az.deployment_show(&p.subscription, &p.resource_group, name)?;
            if let Some(answer) = look(shown)? {
                return Ok(answer);
            }
            if started.elapsed() >= cx.waits.cluster {
                return Err(deployment_timeout(&p.resource_group, name, started));
            }
            cx.progress.wait(what, || std::thread::sleep(cx.waits.poll));
        }
    }

    /// After az said the deployment failed: whether it wrote the credentials
    /// all the same. ARM has answered az's status poll with 404
    /// `DeploymentNotFound` while it went on writing (Azure/azure-cli#28834),
    /// so the deployment is read again and waited for while it runs; unless
    /// it failed, the credentials are read once more, and all of them there
    /// as decided means the write happened.
    fn landed_after_all(&self, cx: &Ctx, name: &str) -> Result<bool> {
        let p = &self.place;
        let shown = cx
            .az()?
            .fresh()
            .deployment_show(&p.subscription, &p.resource_group, name)?;
        if shown.as_ref().is_some_and(|d| d.running()) {
            self.wait_for_deployment(cx, name, "is still running after az gave up on it")?;
        } else if shown.is_some_and(|d| d.failed()) {
            return Ok(false);
        }
        let fresh = cx.az()?.fresh().caching();
        let again = cx.with_az(&fresh);
        for m in &self.members {
            let live = Step::read(m, &again)?;
            if !matches!(Step::decide(m, &again, &live)?, Decision::Keep(_)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Waits while ARM still carries out the deployment `name`; `why` says
    /// whose it is.
    fn wait_for_deployment(&self, cx: &Ctx, name: &str, why: &str) -> Result<()> {
        let what = format!(
            "Tenant B: deployment {name} (federated credentials of {}) {why}; waiting for it",
            self.identity
        );
        cx.progress.note(&what);
        self.poll_deployment(cx, name, &what, |shown| {
            Ok((!shown.is_some_and(|d| d.running())).then_some(()))
        })
    }
}

impl Vertex for CredentialSetStep {
    fn key(&self) -> Key {
        self.key.clone()
    }
    fn needs(&self) -> Vec<Key> {
        self.needs.clone()
    }
}

impl Node for CredentialSetStep {
    fn side(&self) -> Side {
        Side::B
    }
    fn what(&self) -> String {
        format!("federated credentials of {}", self.identity)
    }
    fn target(&self, _cx: &Ctx) -> Result<(ObjectKind, String)> {
        Ok((
            ObjectKind::FederatedCredential,
            format!("{}/{}", self.identity().id, arm_id::CREDENTIALS),
        ))
    }
    fn targets(&self, cx: &Ctx) -> Result<Vec<(ObjectKind, String)>> {
        self.members.iter().map(|m| Step::target(m, cx)).collect()
    }

    fn apply(&self, cx: &Ctx) -> Result<()> {
        let mut backoff = Backoff::default();
        let fresh = cx.az()?.fresh();
        let again = cx.with_az(&fresh);
        let mut first = true;
        // The first attempt decides on what was read before; later ones on
        // what Azure answers now.
        while let Attempt::Busy(why) = self.attempt(if first { cx } else { &again })? {
            first = false;
            if !backoff.left() {
                bail!("{why}, {RETRIES} times; run the same command again later");
            }
            cx.progress.note(&format!(
                "Tenant B: {why}; reading the credentials of {} again",
                self.identity
            ));
            backoff.wait();
        }
        Ok(())
    }

    fn prefetch(&self, cx: &Ctx) {
        // The list itself; deciding needs the clusters' issuers, known later.
        let p = &self.place;
        if let Ok(az) = cx.az() {
            let _ = az.credential_list(&p.subscription, &p.resource_group, &self.identity);
        }
    }

    fn check(&self, cx: &Ctx) -> Result<Finding> {
        let all = self.check_all(cx)?;
        let update = all
            .iter()
            .find(|f| matches!(f.decision, Decision::Update(_)));
        let decision = if all.iter().any(|f| f.decision == Decision::Create) {
            Decision::Create
        } else if let Some(f) = update {
            f.decision.clone()
        } else {
            Decision::Keep(format!("{} in place", all.len()))
        };
        Ok(Finding {
            side: Side::B,
            what: Node::what(self),
            decision,
            ours: all.iter().all(|f| f.ours),
        })
    }
    fn check_all(&self, cx: &Ctx) -> Result<Vec<Finding>> {
        self.members.iter().map(|m| Node::check(m, cx)).collect()
    }

    fn present(&self, cx: &Ctx) -> Result<bool> {
        for m in &self.members {
            if !Node::present(m, cx)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        self.members.iter().try_for_each(|m| Node::delete(m, cx))
    }
}

/// The timeout of a wait for ARM to finish deployment `name` in `group`.
fn deployment_timeout(group: &str, name: &str, started: Instant) -> anyhow::Error {
    xtenant_shared::exit::Timeout {
        what: format!(
            "ARM to finish deployment {name} in {group} (see `az deployment group show -g {group} -n {name}`)"
        ),
        seconds: started.elapsed().as_secs(),
    }
    .into()
}
