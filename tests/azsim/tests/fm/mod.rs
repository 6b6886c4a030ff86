//! The fault matrix: what each case does to `az-xtenant up`, the names it works
//! in (its own resource groups and profile), and the outcome it reports.

pub mod after;
pub mod case;
pub mod check;
pub mod controls;
pub mod converged;
mod fault;
pub mod seed;

/// The writes `up` makes, as the simulator names them, and the group they are in.
#[derive(Clone, Copy, Debug)]
pub struct Write {
    /// Row label.
    pub label: &'static str,
    /// Simulator operation (`managedClusters.put`).
    pub op: &'static str,
    /// The object's kind in the profile's ownership records.
    pub kind: &'static str,
    /// The object's ARM type.
    pub rtype: &'static str,
    /// In Tenant A's group (else Tenant B's).
    pub in_a: bool,
}

pub const WRITES: [Write; 8] = [
    Write {
        label: "resource group A",
        kind: "resourceGroup",
        rtype: "Microsoft.Resources/resourceGroups",
        op: "resourceGroups.put",
        in_a: true,
    },
    Write {
        label: "resource group B",
        kind: "resourceGroup",
        rtype: "Microsoft.Resources/resourceGroups",
        op: "resourceGroups.put",
        in_a: false,
    },
    Write {
        label: "AKS cluster",
        kind: "managedCluster",
        rtype: "Microsoft.ContainerService/managedClusters",
        op: "managedClusters.put",
        in_a: true,
    },
    Write {
        label: "Service Bus namespace",
        kind: "serviceBusNamespace",
        rtype: "Microsoft.ServiceBus/Namespaces",
        op: "namespaces.put",
        in_a: false,
    },
    Write {
        label: "queue",
        kind: "serviceBusQueue",
        rtype: "Microsoft.ServiceBus/Namespaces/Queues",
        op: "queues.put",
        in_a: false,
    },
    Write {
        label: "managed identity",
        kind: "managedIdentity",
        rtype: "Microsoft.ManagedIdentity/userAssignedIdentities",
        op: "userAssignedIdentities.put",
        in_a: false,
    },
    Write {
        label: "role assignment",
        kind: "roleAssignment",
        rtype: "Microsoft.Authorization/roleAssignments",
        op: "roleAssignments.put",
        in_a: false,
    },
    Write {
        label: "federated credential",
        kind: "federatedCredential",
        rtype: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        op: "federatedIdentityCredentials.put",
        in_a: false,
    },
];

/// Where `up` is killed (SIGKILL to its process group: az-xtenant and the az it runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// The write's request is stopped on its way and never takes effect (the
    /// intent is already recorded; nothing exists).
    Before,
    /// The write has reached Azure but not taken effect; Azure carries it out
    /// after the client is gone.
    During,
    /// The write took effect; its answer never reaches the client.
    After,
}

/// An Azure fault met by an uninterrupted `up`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 409 OperationNotAllowed on the cluster PUT (another operation in flight).
    BusyCluster,
    /// Tenant B's group still being deleted when `up` starts (cleanup --no-wait, then up).
    GroupDeleting,
    /// 409 on the credential PUT: another credential write on the identity in flight.
    ConcurrentCredential,
    /// The role assignment refused with PrincipalNotFound for a few seconds.
    PrincipalNotFound,
    /// 429 with Retry-After on the queue PUT.
    Throttled,
    /// 500 on the managed identity PUT.
    ServerError,
    /// 503 on the namespace PUT for as long as it lasts (beyond az's own
    /// retries): `up` fails, and converges once Azure answers again.
    Unavailable,
}

/// Every kill point, in the order of the matrix.
pub const POINTS: [Point; 3] = [Point::Before, Point::During, Point::After];

/// Every fault, in the order of the matrix ([`Fault::GroupDeleting`] runs first:
/// it is the longest case).
pub const FAULTS: [Fault; 7] = [
    Fault::GroupDeleting,
    Fault::BusyCluster,
    Fault::ConcurrentCredential,
    Fault::PrincipalNotFound,
    Fault::Throttled,
    Fault::ServerError,
    Fault::Unavailable,
];

/// What a case does.
#[derive(Clone, Copy, Debug)]
pub enum Trial {
    /// An uninterrupted `up`, the reference end state.
    Clean,
    Kill(Write, Point),
    Fault(Fault),
}

impl Trial {
    /// The table's "case" and "kill point or fault" columns.
    pub fn columns(&self) -> (String, String) {
        match self {
            Trial::Clean => ("clean run".into(), "none".into()),
            Trial::Kill(w, p) => (
                w.label.into(),
                format!("kill {} {}", format!("{p:?}").to_lowercase(), w.op),
            ),
            Trial::Fault(f) => {
                let (what, how) = match f {
                    Fault::BusyCluster => ("AKS cluster", "409 OperationNotAllowed (busy)"),
                    Fault::GroupDeleting => ("resource group B", "being deleted when up starts"),
                    Fault::ConcurrentCredential => {
                        ("federated credential", "409 concurrent credential write ×2")
                    }
                    Fault::PrincipalNotFound => ("role assignment", "PrincipalNotFound ×2 (~3 s)"),
                    Fault::Throttled => ("queue", "429 Retry-After 1 ×2"),
                    Fault::ServerError => ("managed identity", "500 ×1"),
                    Fault::Unavailable => (
                        "Service Bus namespace",
                        "503 beyond az's retries: up exits 3, then converges",
                    ),
                };
                (what.into(), how.into())
            }
        }
    }

    /// Whether `up` creates Tenant A's group (else it is made by hand first and adopted).
    pub fn creates_group_a(&self) -> bool {
        matches!(self, Trial::Kill(w, _) if w.in_a && w.op == "resourceGroups.put")
    }
}

/// Every case: the clean run, each write killed at each point, each fault
/// (the longest case first, so that it overlaps the others).
pub fn matrix() -> Vec<Trial> {
    let mut v = vec![Trial::Fault(FAULTS[0]), Trial::Clean];
    for w in WRITES {
        v.extend(POINTS.map(|p| Trial::Kill(w, p)));
    }
    v.extend(FAULTS[1..].iter().map(|f| Trial::Fault(*f)));
    v
}

/// How many cases the matrix has, from its tables: writes × kill points, the
/// faults, the clean run.
pub fn expected_cases() -> usize {
    WRITES.len() * POINTS.len() + FAULTS.len() + 1
}

/// How a case ended.
pub struct Outcome {
    pub trial: Trial,
    /// Every guarantee that did not hold (empty: survived).
    pub failures: Vec<String>,
    /// The end state by kind and name, normalised across cases (None when the
    /// case stopped before it could be taken).
    pub state: Option<Vec<String>>,
    /// Whether the case ran its own further `up` and `cleanup`.
    pub followup: Followup,
    pub secs: f64,
}

/// Whether a case ran its own further `up` and `cleanup` ([`converged`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Followup {
    /// The case stopped before them.
    #[default]
    NotReached,
    /// Run and checked.
    Ran,
    /// Not run: the case's estate and profile equal the clean run's, whose
    /// further `up` wrote nothing and whose `cleanup` deleted exactly what it
    /// should.
    AsCleanRun,
}
