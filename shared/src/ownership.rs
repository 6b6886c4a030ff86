//! What xtenant created, recorded in the profile so that nothing is lost or
//! taken: before any create the intent is written (the ARM ID is known up
//! front: every name is deterministic), after it the object is marked
//! created. A run killed in between finds the intent on resume, sees the
//! object exists, and still knows it is its own; cleanup deletes only these.

use serde::{Deserialize, Serialize};

/// The kinds of object xtenant creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ObjectKind {
    ResourceGroup,
    ManagedCluster,
    ServiceBusNamespace,
    ServiceBusQueue,
    ManagedIdentity,
    RoleAssignment,
    FederatedCredential,
}

impl ObjectKind {
    /// In words, for messages.
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::ResourceGroup => "resource group",
            ObjectKind::ManagedCluster => "AKS cluster",
            ObjectKind::ServiceBusNamespace => "Service Bus namespace",
            ObjectKind::ServiceBusQueue => "queue",
            ObjectKind::ManagedIdentity => "managed identity",
            ObjectKind::RoleAssignment => "role assignment",
            ObjectKind::FederatedCredential => "federated credential",
        }
    }
}

/// How far a create got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OwnState {
    /// Recorded before the create call; the object may or may not exist.
    Intended,
    /// The create call succeeded.
    Created,
}

/// One object xtenant created (or is about to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owned {
    pub kind: ObjectKind,
    /// Its ARM ID (case-insensitive, as ARM treats it).
    pub id: String,
    pub state: OwnState,
    /// When the create was confirmed, in seconds since the Unix epoch (what
    /// a proof of a federated credential must be newer than); absent in
    /// records older than this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The objects of one profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ownership(Vec<Owned>);

impl Ownership {
    /// The record for `id`, if any.
    pub fn get(&self, id: &str) -> Option<&Owned> {
        self.0.iter().find(|o| o.id.eq_ignore_ascii_case(id))
    }

    /// Records the intent to create `id` (a created record stays created).
    pub fn intend(&mut self, kind: ObjectKind, id: &str) {
        if self.get(id).is_none() {
            self.0.push(Owned {
                kind,
                id: id.to_string(),
                state: OwnState::Intended,
                created_at: None,
            });
        }
    }

    /// Marks `id` as created by xtenant, now (a record already created
    /// keeps its time).
    pub fn created(&mut self, kind: ObjectKind, id: &str) {
        match self.0.iter_mut().find(|o| o.id.eq_ignore_ascii_case(id)) {
            Some(o) if o.state == OwnState::Created => {}
            Some(o) => {
                o.state = OwnState::Created;
                o.created_at = Some(now());
            }
            None => self.0.push(Owned {
                kind,
                id: id.to_string(),
                state: OwnState::Created,
                created_at: Some(now()),
            }),
        }
    }

    /// Whether xtenant created `id` or meant to (an intent left by a run
    /// that was stopped during the create).
    pub fn is_ours(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Drops the record of `id` and of everything inside it (an ARM ID prefix).
    pub fn forget(&mut self, id: &str) {
        let prefix = format!("{}/", id.to_ascii_lowercase());
        self.0.retain(|o| {
            let own = o.id.to_ascii_lowercase();
            !(own == id.to_ascii_lowercase() || own.starts_with(&prefix))
        });
    }

    /// Every record, in the order they were made.
    pub fn iter(&self) -> impl Iterator<Item = &Owned> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RG: &str = "/subscriptions/s/resourceGroups/rg";

    #[test]
    fn an_intent_becomes_created_and_is_ours_either_way() {
        let mut o = Ownership::default();
        assert!(!o.is_ours(RG));
        o.intend(ObjectKind::ResourceGroup, RG);
        assert!(o.is_ours(&RG.to_uppercase()));
        assert_eq!(o.get(RG).map(|r| r.state), Some(OwnState::Intended));
        o.created(ObjectKind::ResourceGroup, RG);
        let made = o.get(RG).and_then(|r| r.created_at);
        assert!(made.is_some_and(|t| t > 1_700_000_000), "{made:?}");
        o.intend(ObjectKind::ResourceGroup, RG);
        o.created(ObjectKind::ResourceGroup, RG);
        assert_eq!(o.get(RG).map(|r| r.state), Some(OwnState::Created));
        assert_eq!(o.get(RG).and_then(|r| r.created_at), made, "kept");
        assert_eq!(o.iter().count(), 1);
    }

    #[test]
    fn forgetting_a_group_forgets_what_is_in_it() {
        let mut o = Ownership::default();
        o.created(ObjectKind::ResourceGroup, RG);
        o.created(ObjectKind::ManagedIdentity, &format!("{RG}/providers/x/y"));
        o.created(
            ObjectKind::ResourceGroup,
            "/subscriptions/s/resourceGroups/rg2",
        );
        o.forget(RG);
        assert_eq!(o.iter().count(), 1);
        assert!(o.is_ours("/subscriptions/s/resourceGroups/rg2"));
    }
}
