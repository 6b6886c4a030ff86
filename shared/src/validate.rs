//! Validation of every ID and name the tools accept, before anything runs.
//! Each rule is the one Azure or Kubernetes enforces (or a safe subset of it),
//! so a bad value is refused here with the field and the rule named, rather
//! than half-way through a run by az or the API server.

use thiserror::Error;

/// A value that breaks the rule of the field it was given for.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {field} {value:?}: {rule}")]
pub struct InvalidInput {
    /// The flag, variable or profile field the value came from.
    pub field: String,
    pub value: String,
    /// The rule, in words.
    pub rule: String,
}

/// The kinds of value the tools take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Tenant or subscription ID.
    Guid,
    ResourceGroup,
    Location,
    AksCluster,
    ServiceBusNamespace,
    Queue,
    Identity,
    FederatedCredential,
    /// Kubernetes namespace (DNS-1123 label).
    K8sNamespace,
    /// Kubernetes ServiceAccount (DNS-1123 subdomain).
    ServiceAccount,
    /// Job name (DNS-1123 label: it becomes the pods' `job-name` label).
    JobName,
    /// OIDC issuer URL: https, no query or fragment.
    IssuerUrl,
    /// Name of a profile file.
    ProfileName,
    /// A DNS host name such as `<namespace>.servicebus.windows.net`.
    HostName,
}

impl Kind {
    /// The rule of this kind, in words, for error messages.
    pub fn rule(self) -> &'static str {
        match self {
            Kind::Guid => "must be a GUID like 00000000-0000-0000-0000-000000000000",
            Kind::ResourceGroup => {
                "must be 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'"
            }
            Kind::Location => {
                "must be an Azure region name such as eastus or westeurope (lowercase letters and digits)"
            }
            Kind::AksCluster => {
                "must be 1-63 letters, digits, '_' or '-', starting and ending with a letter or digit"
            }
            Kind::ServiceBusNamespace => {
                "must be 6-50 letters, digits or '-', start with a letter, end with a letter or digit, and not end in -sb or -mgmt"
            }
            Kind::Queue => {
                "must be 1-260 letters, digits, '.', '-' or '_', starting and ending with a letter or digit"
            }
            Kind::Identity => {
                "must be 3-128 letters, digits, '-' or '_', starting with a letter or digit"
            }
            Kind::FederatedCredential => {
                "must be 3-120 letters, digits, '-' or '_', starting with a letter or digit"
            }
            Kind::K8sNamespace | Kind::JobName => {
                "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit"
            }
            Kind::ServiceAccount => {
                "must be a DNS-1123 subdomain: at most 253 characters, dot-separated lowercase labels of letters, digits or '-'"
            }
            Kind::IssuerUrl => {
                "must be an https:// URL with a host and no query, fragment, user info or whitespace"
            }
            Kind::ProfileName => "must be 1-64 letters, digits, '-' or '_'",
            Kind::HostName => {
                "must be a DNS host name: at most 253 characters, dot-separated labels of 1-63 letters, digits or '-', not starting or ending with '-'"
            }
        }
    }

    /// Whether `value` satisfies this kind's rule.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            Kind::Guid => is_guid(value),
            Kind::ResourceGroup => {
                (1..=90).contains(&value.chars().count())
                    && value
                        .chars()
                        .all(|c| c.is_alphanumeric() || "_-.()".contains(c))
                    && !value.ends_with('.')
            }
            Kind::Location => {
                (2..=40).contains(&value.len())
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            }
            Kind::AksCluster => ascii_name(value, 1, 63, b"_-") && alnum_ends(value, true, true),
            Kind::ServiceBusNamespace => {
                ascii_name(value, 6, 50, b"-")
                    && value.as_bytes()[0].is_ascii_alphabetic()
                    && alnum_ends(value, false, true)
                    && !value.ends_with("-sb")
                    && !value.ends_with("-mgmt")
            }
            Kind::Queue => ascii_name(value, 1, 260, b".-_") && alnum_ends(value, true, true),
            Kind::Identity => ascii_name(value, 3, 128, b"-_") && alnum_ends(value, true, false),
            Kind::FederatedCredential => {
                ascii_name(value, 3, 120, b"-_") && alnum_ends(value, true, false)
            }
            Kind::K8sNamespace | Kind::JobName => dns1123_label(value),
            Kind::ServiceAccount => value.len() <= 253 && value.split('.').all(dns1123_label),
            Kind::IssuerUrl => is_issuer_url(value),
            Kind::ProfileName => ascii_name(value, 1, 64, b"-_"),
            Kind::HostName => is_host_name(value),
        }
    }
}

/// Checks `value` against `kind`, naming `field` in the error.
pub fn check(field: &str, kind: Kind, value: &str) -> Result<(), InvalidInput> {
    if kind.accepts(value) {
        Ok(())
    } else {
        Err(InvalidInput {
            field: field.to_string(),
            value: value.to_string(),
            rule: kind.rule().to_string(),
        })
    }
}

/// A clap `value_parser` for a kind: `#[arg(value_parser = parser(Kind::Guid))]`.
/// Clap names the flag; the message gives the rule.
pub fn parser(
    kind: Kind,
) -> impl Fn(&str) -> Result<String, String> + Clone + Send + Sync + 'static {
    move |value: &str| {
        if kind.accepts(value) {
            Ok(value.to_string())
        } else {
            Err(kind.rule().to_string())
        }
    }
}

/// Why an issuer URL that passes [`Kind::IssuerUrl`] may still be wrong for
/// AKS: no trailing slash (AKS issuers end in `/`, and Entra compares byte
/// for byte), or a tenant segment that is not Tenant A.
pub fn issuer_warnings(issuer: &str, tenant_a: Option<&str>) -> Vec<String> {
    let mut warnings = Vec::new();
    if !issuer.ends_with('/') {
        warnings.push(format!(
            "issuer URL {issuer:?} has no trailing slash; AKS issuers end in '/', and the federated credential must match the token's iss byte for byte"
        ));
    }
    if let (Some(tenant), Ok(url)) = (tenant_a, url::Url::parse(issuer)) {
        let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
        // Regional AKS issuers are https://<region>.oic.prod-aks.azure.com/<tenant>/<uuid>/.
        let is_regional = url
            .host_str()
            .is_some_and(|h| h.ends_with(".oic.prod-aks.azure.com"));
        if is_regional
            && segments
                .first()
                .is_some_and(|s| !s.eq_ignore_ascii_case(tenant))
        {
            warnings.push(format!(
                "issuer URL {issuer:?} names tenant {:?}, not Tenant A ({tenant})",
                segments[0]
            ));
        }
    }
    warnings
}

fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    groups.len() == lens.len()
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn ascii_name(value: &str, min: usize, max: usize, extra: &[u8]) -> bool {
    (min..=max).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

fn alnum_ends(value: &str, first: bool, last: bool) -> bool {
    let bytes = value.as_bytes();
    let ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    (!first || ok(bytes.first())) && (!last || ok(bytes.last()))
}

fn dns1123_label(value: &str) -> bool {
    (1..=63).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && alnum_ends(value, true, true)
}

fn is_host_name(value: &str) -> bool {
    value.len() <= 253
        && value
            .split('.')
            .all(|label| ascii_name(label, 1, 63, b"-") && alnum_ends(label, true, true))
}

fn is_issuer_url(value: &str) -> bool {
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    // Check the raw text too: the parser would drop an empty `?` or `#`.
    if value.contains('?') || value.contains('#') {
        return false;
    }
    match url::Url::parse(value) {
        Ok(url) => {
            url.scheme() == "https"
                && url.host_str().is_some_and(|h| !h.is_empty())
                && url.username().is_empty()
                && url.password().is_none()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    #[test]
    fn accepted_values() {
        let cases: &[(Kind, &str)] = &[
            (Kind::Guid, GUID),
            (Kind::Guid, "72F988BF-86F1-41AF-91AB-2D7CD011DB47"),
            (Kind::ResourceGroup, "rg-xtenant_demo.(1)"),
            (Kind::Location, "eastus2"),
            (Kind::AksCluster, "aks_cluster-1"),
            (Kind::ServiceBusNamespace, "sb-crosstenantdemo-12345"),
            (Kind::Queue, "my.queue_1"),
            (Kind::Identity, "sb-x-identity"),
            (Kind::FederatedCredential, "fic_1"),
            (Kind::K8sNamespace, "default"),
            (Kind::ServiceAccount, "my.service-account"),
            (Kind::JobName, "myproducer"),
            (
                Kind::IssuerUrl,
                "https://eastus.oic.prod-aks.azure.com/t/u/",
            ),
            (Kind::IssuerUrl, "https://127.0.0.1:6443"),
            (Kind::ProfileName, "default"),
            (
                Kind::HostName,
                "sb-crosstenantdemo-1.servicebus.windows.net",
            ),
            (Kind::HostName, "localhost"),
        ];
        for (kind, value) in cases {
            assert!(kind.accepts(value), "{kind:?} should accept {value:?}");
        }
    }

    #[test]
    fn refused_values() {
        let cases: &[(Kind, &str)] = &[
            (Kind::Guid, "72f988bf86f141af91ab2d7cd011db47"),
            (Kind::Guid, "72f988bf-86f1-41af-91ab-2d7cd011db4g"),
            (Kind::Guid, "$(rm -rf /)"),
            (Kind::ResourceGroup, ""),
            (Kind::ResourceGroup, "rg."),
            (Kind::ResourceGroup, "rg;ls"),
            (Kind::ResourceGroup, &"r".repeat(91)),
            (Kind::Location, "East US"),
            (Kind::AksCluster, "-aks"),
            (Kind::AksCluster, &"a".repeat(64)),
            (Kind::ServiceBusNamespace, "sb-x"),
            (Kind::ServiceBusNamespace, "1sbnamespace"),
            (Kind::ServiceBusNamespace, "sbnamespace-"),
            (Kind::ServiceBusNamespace, "sbnamespace-sb"),
            (Kind::ServiceBusNamespace, "sb_namespace"),
            (Kind::ServiceBusNamespace, &format!("s{}", "b".repeat(50))),
            (Kind::Queue, "-q"),
            (Kind::Queue, "q`id`"),
            (Kind::Identity, "id"),
            (Kind::Identity, "_identity"),
            (Kind::FederatedCredential, "f c"),
            (Kind::K8sNamespace, "Default"),
            (Kind::K8sNamespace, "my_ns"),
            (Kind::K8sNamespace, "ns-"),
            (Kind::ServiceAccount, "sa..x"),
            (Kind::ServiceAccount, "SA"),
            (Kind::JobName, "job.name"),
            (Kind::IssuerUrl, "http://issuer.example/"),
            (Kind::IssuerUrl, "https://issuer.example/?x=1"),
            (Kind::IssuerUrl, "https://issuer.example/#f"),
            (Kind::IssuerUrl, "https://issuer.example/?"),
            (Kind::IssuerUrl, "https://user@issuer.example/"),
            (Kind::IssuerUrl, "https:// issuer.example/"),
            (Kind::IssuerUrl, "issuer.example"),
            (Kind::ProfileName, "../x"),
            (Kind::ProfileName, ""),
            (Kind::HostName, "sb.servicebus.windows.net/"),
            (Kind::HostName, "-sb.servicebus.windows.net"),
            (Kind::HostName, "sb..windows.net"),
            (Kind::HostName, "sb_x.windows.net"),
        ];
        for (kind, value) in cases {
            assert!(!kind.accepts(value), "{kind:?} should refuse {value:?}");
        }
    }

    #[test]
    fn error_names_field_value_and_rule() {
        let err = check("--tenant-a", Kind::Guid, "nope").expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("--tenant-a"), "{text}");
        assert!(text.contains("\"nope\""), "{text}");
        assert!(text.contains("GUID"), "{text}");
    }

    #[test]
    fn clap_parser_returns_rule() {
        let p = parser(Kind::ServiceBusNamespace);
        assert_eq!(p("sb-valid1"), Ok("sb-valid1".to_string()));
        assert!(p("sb").unwrap_err().contains("6-50"));
    }

    #[test]
    fn issuer_warnings_flag_slash_and_tenant() {
        let good = format!("https://eastus.oic.prod-aks.azure.com/{GUID}/abc/");
        assert!(issuer_warnings(&good, Some(GUID)).is_empty());
        let no_slash = good.trim_end_matches('/');
        assert_eq!(issuer_warnings(no_slash, Some(GUID)).len(), 1);
        let other = "00000000-0000-0000-0000-000000000001";
        let w = issuer_warnings(&good, Some(other));
        assert!(w.iter().any(|w| w.contains("not Tenant A")), "{w:?}");
        // Non-AKS issuers (a local apiserver) carry no tenant segment.
        assert!(issuer_warnings("https://127.0.0.1:6443/", Some(other)).is_empty());
    }
}
