//! A local two-tenant simulator of Entra and Azure Resource Manager, for testing with the real Azure CLI.
//!
//! [`Server`] serves HTTPS on a random loopback port; [`Harness`] also registers it as a
//! custom cloud for the real `az` in a temporary `AZURE_CONFIG_DIR` and logs in to both tenants.
//!
//! What it does not model: providers other than Resources (groups, template
//! deployments), ContainerService, ManagedIdentity, ServiceBus, Authorization,
//! KeyVault and Storage (Compute, Network, ContainerRegistry and the rest answer
//! `NoRouteInSimulator`); template expressions (`[parameters(...)]` and the like:
//! such a template is refused with `InvalidTemplate`), template deployments in
//! `Complete` mode (refused), resource types other than identities and their
//! credentials inside a template, `whatIf`, `exportTemplate`, deployment
//! operations and cancel; custom role definitions through ARM (the built-in
//! roles exist, and custom ones only as the control API makes them);
//! Service Bus topics and namespaces with a managed identity; Key Vault recovery of a soft deleted vault (purge only);
//! the providers' `operations` catalogues and an identity's associated
//! resources; paging (`nextLink`); the pace of polling (every long-running
//! operation but a deployment says `Retry-After: 1`, which Azure does not:
//! `conformance/allowlist.txt` says why);
//! most read-only fields Azure computes (`systemData`, counts, times, SKU
//! capacity, AKS node pool, network and storage profile details), while it
//! echoes request fields Azure drops; principals Azure knows but the
//! simulator's tenants do not (a role assignment for one is
//! `PrincipalNotFound`).
//!
//! Caller permissions ([`authz`]): each ARM request needs its action (the type's
//! `read`/`write`/`delete`, or `<name>/action`) over its scope, granted by a
//! role assignment of the token's principal there or above (group, subscription,
//! management group, root), matched against the role's `actions`/`notActions`
//! with wildcards, ignoring case; a deployment's validate and PUT also need each
//! template resource's write. The configuration's service principals (those the
//! harness signs in as) are Owner of their tenant's subscriptions without a
//! stored assignment; [`Harness::create_principal`] makes a narrower one. Not
//! modelled: deny assignments, ABAC conditions (a `condition` is ignored), PIM (eligible and time-bound
//! assignments), `dataActions` (data-plane calls are not served), group
//! membership, the filtering of `GET /subscriptions` by access, and checks on
//! provider and operation-status reads (allowed to every caller of the tenant).
//! The built-in roles served carry Azure's `actions`/`notActions` (and their
//! `dataActions`, shown but never needed), so assigning one grants what it grants
//! in Azure; a role assignment naming a role definition the simulator does not
//! know grants nothing. A group's DELETE needs only `resourceGroups/delete`: the
//! deletes of the resources in it are not authorised one by one.
//!
//! `tests/conformance.rs` replays Azure's own recordings against it, and
//! `conformance/allowlist.txt` lists every known divergence, one line per
//! cause with its reason.

pub mod arm;
pub mod authz;
mod az_import_crash;
mod bench_bin;
pub mod config;
mod control;
mod entra;
pub mod faults;
mod federated;
mod graph;
pub mod harness;
mod harness_authz;
mod harness_graph;
mod harness_logins;
mod hold;
pub mod hold_scoped;
pub mod keys;
mod lro;
pub mod server;
pub mod snapshot;
pub mod state;
mod tls;

pub use bench_bin::newest_az_xtenant;
pub use config::{Config, ServicePrincipal, Subscription, Tenant};
pub use faults::{ErrorRule, Faults, LroFailure};
pub use harness::{Harness, real_az};
pub use server::Server;

/// Path of a binary built by this workspace (`cargo build --workspace`); panics
/// loudly when it is not built or is older than its sources.
pub use xtenant_testsupport::workspace_bin;
