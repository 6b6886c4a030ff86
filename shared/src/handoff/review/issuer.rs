//! Each cluster's issuer: a URL Entra can fetch, of the AKS shape
//! `https://<region>.oic.prod-aks.azure.com/<tenant>/<guid>/`, whose tenant
//! segment is the request's Tenant A. That segment is what lets Tenant B
//! tie an issuer to Tenant A without Tenant A's login: one naming another
//! tenant is an error (the request asks for a cluster that is not Tenant
//! A's). An issuer of another shape may be genuine (an older cluster,
//! another Kubernetes) but cannot be tied, so it is a warning.

use super::{Check, Finding};
use crate::handoff::TrustRequest;
use crate::validate::Kind;

/// The shapes an issuer can have, as far as the review can tell.
#[derive(Debug, PartialEq, Eq)]
enum Shape<'a> {
    /// `https://<region>.oic.prod-aks.azure.com/<tenant>/<guid>/`.
    Regional {
        tenant: &'a str,
    },
    /// `https://oidc.prod-aks.azure.com/<guid>/`, of older clusters: no tenant.
    Legacy,
    Other,
}

fn shape(issuer: &str) -> Shape<'_> {
    let Some(rest) = issuer.strip_prefix("https://") else {
        return Shape::Other;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        [host, tenant, id, ""] => {
            let regional = host
                .strip_suffix(".oic.prod-aks.azure.com")
                .is_some_and(|region| Kind::Location.accepts(region));
            if regional && Kind::Guid.accepts(tenant) && Kind::Guid.accepts(id) {
                Shape::Regional { tenant }
            } else {
                Shape::Other
            }
        }
        ["oidc.prod-aks.azure.com", id, ""] if Kind::Guid.accepts(id) => Shape::Legacy,
        _ => Shape::Other,
    }
}

pub(super) fn check(r: &TrustRequest) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, c) in r.clusters.iter().enumerate() {
        let at = format!("clusters[{i}].issuer");
        let issuer = &c.issuer;
        if !Kind::IssuerUrl.accepts(issuer) {
            out.push(Finding::error(
                Check::Issuer,
                at,
                format!("{issuer:?} {}", Kind::IssuerUrl.rule()),
                "ask Tenant A for a request written by `az-xtenant request`, which copies the issuer from AKS",
            ));
            continue;
        }
        let finding = match shape(issuer) {
            Shape::Regional { tenant } if tenant.eq_ignore_ascii_case(&r.tenant_a) => continue,
            // The issuer says which tenant's cluster it is, and it is not
            // Tenant A's: a request for it cannot be Tenant A's to make.
            Shape::Regional { tenant } => Finding::error(
                Check::Issuer,
                at,
                format!(
                    "issuer {issuer:?} of cluster {:?} belongs to tenant {tenant}, not to the request's Tenant A ({})",
                    c.name, r.tenant_a
                ),
                "refused: ask Tenant A for a request from the tenant that owns the cluster (its tenantA), or for one without that cluster",
            ),
            Shape::Legacy => Finding::warning(
                Check::Issuer,
                at,
                format!(
                    "issuer {issuer:?} of cluster {:?} has the older AKS shape with no tenant in it: it cannot be tied to Tenant A ({})",
                    c.name, r.tenant_a
                ),
                "ask Tenant A to confirm the cluster, or to move it to a regional issuer",
            ),
            Shape::Other => Finding::warning(
                Check::Issuer,
                at,
                format!(
                    "issuer {issuer:?} of cluster {:?} does not have the AKS shape https://<region>.oic.prod-aks.azure.com/<tenant>/<guid>/ (with its trailing slash): it cannot be tied to Tenant A ({})",
                    c.name, r.tenant_a
                ),
                "ask Tenant A where the issuer comes from; Entra compares it byte for byte",
            ),
        };
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "11111111-2222-4333-8444-555555555555";
    const U: &str = "99999999-8888-4777-8666-555555555555";

    #[test]
    fn shapes() {
        let regional = format!("https://eastus.oic.prod-aks.azure.com/{T}/{U}/");
        assert_eq!(shape(&regional), Shape::Regional { tenant: T });
        assert_eq!(shape(regional.trim_end_matches('/')), Shape::Other);
        let legacy = format!("https://oidc.prod-aks.azure.com/{U}/");
        assert_eq!(shape(&legacy), Shape::Legacy);
        let foreign = format!("https://eastus.oic.prod-aks.azure.com.evil.example/{T}/{U}/");
        assert_eq!(shape(&foreign), Shape::Other);
        assert_eq!(shape("https://127.0.0.1:6443/"), Shape::Other);
    }
}
