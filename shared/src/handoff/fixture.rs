//! A request and its grant as the hand-off tests start from: two clusters
//! of Tenant A, two identities, three workloads.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

pub const TENANT_A: &str = "11111111-2222-4333-8444-555555555555";
pub const TENANT_B: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
pub const OTHER_TENANT: &str = "99999999-8888-4777-8666-555555555555";
const SUB_A: &str = "22222222-3333-4444-8555-666666666666";

/// 2026-12-04T22:03:09Z.
pub fn made_at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_421_789)
}

/// A regional AKS issuer of `tenant`; `n` tells clusters apart.
pub fn issuer(tenant: &str, n: u8) -> String {
    format!(
        "https://eastus.oic.prod-aks.azure.com/{tenant}/0000000{n}-aaaa-4bbb-8ccc-dddddddddddd/"
    )
}

pub fn cluster(name: &str, issuer: String) -> RequestedCluster {
    RequestedCluster {
        name: name.into(),
        resource_id: format!(
            "/subscriptions/{SUB_A}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/{name}"
        ),
        issuer,
    }
}

pub fn identity(name: &str, roles: &[(&str, &str)]) -> RequestedIdentity {
    RequestedIdentity {
        name: name.into(),
        roles: roles
            .iter()
            .map(|(role, scope)| RoleRequest {
                role: role.to_string(),
                scope: scope.to_string(),
            })
            .collect(),
    }
}

pub fn request() -> TrustRequest {
    TrustRequest::new(
        TENANT_A,
        made_at(),
        vec![
            cluster("aks-blue", issuer(TENANT_A, 1)),
            cluster("aks-green", issuer(TENANT_A, 2)),
        ],
        vec![
            identity(
                "orders-writer",
                &[(
                    "Azure Service Bus Data Sender",
                    "the orders queue of sb-orders",
                )],
            ),
            identity("reports-reader", &[]),
        ],
        vec![
            RequestedWorkload::new(
                "orders",
                "writer",
                "orders-writer",
                &["aks-blue", "aks-green"],
            ),
            RequestedWorkload::new("orders", "audit", "orders-writer", &["aks-blue"]),
            RequestedWorkload::new("reports", "reader", "reports-reader", &["aks-green"]),
        ],
    )
    .expect("the fixture request is well formed")
}

pub fn grant(request: &TrustRequest) -> TrustGrant {
    let id = |name: &str, client_id: &str| GrantedIdentity {
        name: name.into(),
        client_id: client_id.into(),
        roles: Vec::new(),
    };
    TrustGrant::new(
        TENANT_B,
        request,
        made_at(),
        vec![
            id("orders-writer", "c1c1c1c1-0000-4000-8000-000000000001"),
            id("reports-reader", "c2c2c2c2-0000-4000-8000-000000000002"),
        ],
        TrustedSubject::all_of(request),
    )
    .expect("the fixture grant is well formed")
}
