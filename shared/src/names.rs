//! Naming rules and well-known values of the procedure: defaults taken from the
//! manual procedure, the Kubernetes annotations the webhook reads, the tag that
//! marks what xtenant created.

/// The audience Entra expects in a federated client assertion.
pub const TOKEN_AUDIENCE: &str = "api://AzureADTokenExchange";

/// ServiceAccount annotation that names the managed identity's client ID.
pub const ANNOTATION_CLIENT_ID: &str = "azure.workload.identity/client-id";
/// ServiceAccount annotation that names the identity's tenant (Tenant B).
pub const ANNOTATION_TENANT_ID: &str = "azure.workload.identity/tenant-id";
/// Pod label that makes the workload identity webhook mutate a pod.
pub const LABEL_USE: &str = "azure.workload.identity/use";

/// Tag put on every resource group xtenant creates; cleanup deletes only these.
pub const TAG_CREATED_BY: &str = "created-by";
/// Value of [`TAG_CREATED_BY`].
pub const TAG_CREATED_BY_VALUE: &str = "xtenant";
/// Tag naming the profile (its unique ID) that created a resource group:
/// only that profile's cleanup deletes it.
pub const TAG_PROFILE: &str = "xtenant-profile";

pub const DEFAULT_PROFILE: &str = "default";
pub const DEFAULT_NAMESPACE: &str = "default";
pub const DEFAULT_SERVICE_ACCOUNT: &str = "myserviceaccount";
pub const DEFAULT_JOB_NAME: &str = "myproducer";
pub const DEFAULT_QUEUE: &str = "myqueue";
pub const DEFAULT_MESSAGE_COUNT: u32 = 100;
pub const DEFAULT_IMAGE: &str = "ghcr.io/azure-samples/aks-app-samples/servicebusdemo:latest";
pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com/";
/// Role that lets the identity send and receive on the namespace.
pub const SERVICEBUS_ROLE: &str = "Azure Service Bus Data Owner";
/// Prefix of the generated Service Bus namespace name, as in the procedure.
pub const SERVICEBUS_PREFIX: &str = "sb-crosstenantdemo-";

/// The subject Kubernetes puts in a service-account token:
/// `system:serviceaccount:<namespace>:<name>`.
pub fn subject(namespace: &str, service_account: &str) -> String {
    format!("system:serviceaccount:{namespace}:{service_account}")
}

/// Splits a subject back into (namespace, service account), if it has that form.
pub fn parse_subject(subject: &str) -> Option<(&str, &str)> {
    let rest = subject.strip_prefix("system:serviceaccount:")?;
    let (namespace, name) = rest.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':')).then_some((namespace, name))
}

/// The Service Bus namespace name for a generated suffix, as the procedure's
/// `sb-crosstenantdemo-$RANDOM`.
pub fn servicebus_namespace(suffix: &str) -> String {
    format!("{SERVICEBUS_PREFIX}{suffix}")
}

/// The identity name the procedure derives from the namespace name.
pub fn identity_name(servicebus_namespace: &str) -> String {
    format!("{servicebus_namespace}-identity")
}

/// The federated credential name derived from the identity name.
pub fn federated_credential_name(identity_name: &str) -> String {
    format!("{identity_name}-federated")
}

/// The host name the workload is given, from ARM's `serviceBusEndpoint`
/// (`https://<ns>.servicebus.windows.net:443/` → `<ns>.servicebus.windows.net`),
/// as the procedure's `sed` does.
pub fn servicebus_hostname(endpoint: &str) -> String {
    let host = endpoint.strip_prefix("https://").unwrap_or(endpoint);
    let host = host.trim_end_matches('/');
    host.strip_suffix(":443").unwrap_or(host).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_round_trips() {
        let s = subject("default", "myserviceaccount");
        assert_eq!(s, "system:serviceaccount:default:myserviceaccount");
        assert_eq!(parse_subject(&s), Some(("default", "myserviceaccount")));
        assert_eq!(parse_subject("system:serviceaccount:default"), None);
        assert_eq!(parse_subject("system:serviceaccount::sa"), None);
        assert_eq!(parse_subject("user:x:y"), None);
    }

    #[test]
    fn derived_names_follow_the_procedure() {
        let ns = servicebus_namespace("12345");
        assert_eq!(ns, "sb-crosstenantdemo-12345");
        assert_eq!(identity_name(&ns), "sb-crosstenantdemo-12345-identity");
        assert_eq!(
            federated_credential_name(&identity_name(&ns)),
            "sb-crosstenantdemo-12345-identity-federated"
        );
    }

    #[test]
    fn hostname_is_stripped_like_the_procedure_does() {
        assert_eq!(
            servicebus_hostname("https://sb-x.servicebus.windows.net:443/"),
            "sb-x.servicebus.windows.net"
        );
        assert_eq!(
            servicebus_hostname("sb-x.servicebus.windows.net"),
            "sb-x.servicebus.windows.net"
        );
    }
}
