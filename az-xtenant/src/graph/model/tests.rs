//! Each rule of the graph file, with the line and key it names.

use std::path::Path;

use super::*;

const A: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
const B: &str = "bbbbbbbb-1111-4000-8000-00000000000b";

fn file(workloads: &str, extra_identity: &str) -> String {
    format!(
        "tenantA:
  tenantId: {A}
  subscriptionId: {A}
tenantB:
  tenantId: {B}
  subscriptionId: {B}
  resourceGroup: rg-identities
  location: eastus
clusters:
  - name: aks-blue
    resourceGroup: rg-aks
  - name: aks-green
    resourceGroup: rg-aks
identities:
  - name: orders-writer
    roles:
      - role: Azure Service Bus Data Sender
        scope: /subscriptions/{B}/resourceGroups/rg-data/providers/Microsoft.ServiceBus/namespaces/sb1/queues/orders
{extra_identity}workloads:
{workloads}"
    )
}

const ONE: &str = "  - namespace: orders
    serviceAccount: writer
    identity: orders-writer
";

fn refused(text: &str) -> String {
    parse(Path::new("xtenant.yaml"), text)
        .expect_err("refused")
        .0
}

#[test]
fn a_good_file_gives_one_credential_per_cluster() {
    let m = parse(Path::new("xtenant.yaml"), &file(ONE, "")).expect("valid");
    assert_eq!(m.clusters.len(), 2);
    assert_eq!(
        m.clusters[0].subscription, A,
        "tenantA's subscription by default"
    );
    assert_eq!(m.identities[0].resource_group, "rg-identities");
    let names: Vec<&str> = m.bindings.iter().map(|b| b.credential.as_str()).collect();
    assert_eq!(
        names,
        ["xt-aks-blue-orders-writer", "xt-aks-green-orders-writer"]
    );
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let text = file(&format!("{ONE}    replicas: 3\n"), "");
    let err = refused(&text);
    assert!(
        err.starts_with("xtenant.yaml:23:5: unknown field `replicas`"),
        "{err}"
    );
    assert!(
        err.contains(" --> xtenant.yaml:23:5"),
        "the lines around it are shown: {err}"
    );
    assert!(err.contains("replicas"), "{err}");
}

#[test]
fn an_undeclared_identity_or_cluster_is_named_with_its_line() {
    let text = file(
        "  - namespace: orders
    serviceAccount: writer
    identity: orders-writr
    clusters: [aks-blue, aks-purple]
",
        "",
    );
    let err = refused(&text);
    assert!(
        err.contains(
            "xtenant.yaml:22:15: workloads[0].identity: no identity named \"orders-writr\""
        ),
        "{err}"
    );
    assert!(
        err.contains("xtenant.yaml:23:26: workloads[0].clusters: no cluster named \"aks-purple\""),
        "{err}"
    );
    assert!(err.contains("2 problems; nothing was run"), "{err}");
}

#[test]
fn the_same_service_account_in_the_same_cluster_twice_is_refused() {
    let err = refused(&file(&format!("{ONE}{ONE}"), ""));
    assert!(err.contains("xtenant.yaml:24:21: workloads[1].serviceAccount: orders/writer in cluster aks-blue is already bound"), "{err}");
}

#[test]
fn a_scope_outside_tenant_b_is_refused() {
    let text = file(
        ONE,
        &format!(
            "  - name: reader
    roles:
      - role: Reader
        scope: /subscriptions/{A}/resourceGroups/rg
"
        ),
    );
    let err = refused(&text);
    assert!(
        err.contains("identities[1].roles[0].scope")
            && err.contains("outside Tenant B's subscription"),
        "{err}"
    );
}

#[test]
fn values_follow_the_profile_rules() {
    let text = file(ONE, "")
        .replace("rg-identities", "rg;ls")
        .replace("namespace: orders", "namespace: Orders");
    let err = refused(&text);
    assert!(err.contains(":7:18: tenantB.resourceGroup:"), "{err}");
    assert!(
        err.contains("workloads[0].namespace: \"Orders\" must be a DNS-1123 label"),
        "{err}"
    );
}

#[test]
fn more_than_twenty_credentials_on_one_identity_are_refused_before_anything_runs() {
    let workloads: String = (0..11)
        .map(|i| {
            format!("  - namespace: ns{i}\n    serviceAccount: sa\n    identity: orders-writer\n")
        })
        .collect();
    let err = refused(&file(&workloads, ""));
    assert!(err.contains("xtenant.yaml:15:11: identities[0].name: identity \"orders-writer\" would need 22 federated credentials"), "{err}");
    assert!(
        err.contains("split its workloads over two identities"),
        "{err}"
    );
}

#[test]
fn long_credential_names_stay_within_azures_limit_and_stable() {
    let long = "a".repeat(63);
    let name = credential_name(&long, &long, &format!("{long}.{long}"));
    assert_eq!(name.len(), 120);
    assert_eq!(
        name,
        credential_name(&long, &long, &format!("{long}.{long}"))
    );
    assert!(Kind::FederatedCredential.accepts(&name), "{name}");
    assert!(Kind::FederatedCredential.accepts(&credential_name("c", "ns", "a.b")));
}

#[test]
fn two_workloads_whose_credential_names_collide_are_refused_naming_both() {
    // `.` becomes `-`: api.v1 and api-v1 would share one credential.
    let dotted = "  - namespace: orders
    serviceAccount: api.v1
    identity: orders-writer
    clusters: [aks-blue]
  - namespace: orders
    serviceAccount: api-v1
    identity: orders-writer
    clusters: [aks-blue]
";
    let err = refused(&file(dotted, ""));
    assert!(
        err.contains("xtenant.yaml:25:21: workloads[1].serviceAccount: orders/api-v1 in cluster aks-blue would get the federated credential name \"xt-aks-blue-orders-api-v1\", which orders/api.v1 in cluster aks-blue (workloads[0], xtenant.yaml:21:21) already gets"),
        "{err}"
    );
    // The cluster's name runs into the namespace's.
    let text = file(
        "  - namespace: orders
    serviceAccount: writer
    identity: orders-writer
    clusters: [aks-blue]
  - namespace: blue-orders
    serviceAccount: writer
    identity: orders-writer
    clusters: [aks]
",
        "",
    )
    .replace("  - name: aks-green\n", "  - name: aks\n");
    let err = refused(&text);
    assert!(
        err.contains("workloads[1].serviceAccount: blue-orders/writer in cluster aks would get the federated credential name \"xt-aks-blue-orders-writer\", which orders/writer in cluster aks-blue (workloads[0], xtenant.yaml:21:21) already gets"),
        "{err}"
    );
    assert!(err.contains("1 problem; nothing was run"), "{err}");
}
