//! How two OIDC issuer URLs (or two subjects) compare. Entra matches a
//! federated credential byte for byte, so "almost equal" is the most common
//! cause of AADSTS70021/700211 (issuer) and AADSTS7002138 (subject): a
//! trailing slash, or letter case.

/// How a presented value relates to a recorded one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likeness {
    /// Byte for byte equal: Entra accepts it.
    Exact,
    /// Equal once a trailing `/` is ignored: Entra refuses it.
    TrailingSlash,
    /// Equal once letter case is ignored: Entra refuses it (for a subject,
    /// AADSTS7002138).
    Case,
    /// Different.
    Different,
}

impl Likeness {
    /// Equal in every way except one Entra is strict about.
    pub fn is_near(self) -> bool {
        matches!(self, Likeness::TrailingSlash | Likeness::Case)
    }
}

/// Compares two issuer URLs.
pub fn compare(a: &str, b: &str) -> Likeness {
    if a == b {
        Likeness::Exact
    } else if a.trim_end_matches('/') == b.trim_end_matches('/') {
        Likeness::TrailingSlash
    } else if a
        .trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
    {
        Likeness::Case
    } else {
        Likeness::Different
    }
}

/// Compares two subjects (`system:serviceaccount:<ns>:<sa>`); only case can
/// make them near.
pub fn compare_subject(a: &str, b: &str) -> Likeness {
    if a == b {
        Likeness::Exact
    } else if a.eq_ignore_ascii_case(b) {
        Likeness::Case
    } else {
        Likeness::Different
    }
}

/// Why `presented` differs from `recorded`, in words, when it is near.
pub fn explain(recorded: &str, presented: &str) -> Option<String> {
    match compare(recorded, presented) {
        Likeness::Exact | Likeness::Different => None,
        Likeness::TrailingSlash => Some(format!(
            "{presented:?} differs from {recorded:?} only by the trailing slash; Entra compares issuers byte for byte"
        )),
        Likeness::Case => Some(format!(
            "{presented:?} differs from {recorded:?} only in letter case; Entra compares issuers byte for byte"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const I: &str = "https://eastus.oic.prod-aks.azure.com/t/u/";

    #[test]
    fn issuers() {
        assert_eq!(compare(I, I), Likeness::Exact);
        assert_eq!(compare(I, I.trim_end_matches('/')), Likeness::TrailingSlash);
        assert_eq!(compare(I, &I.to_uppercase()), Likeness::Case);
        assert_eq!(compare(I, "https://other/"), Likeness::Different);
        assert!(compare(I, &I.to_uppercase()[..I.len() - 1]).is_near());
        assert!(explain(I, I).is_none());
        assert!(
            explain(I, "https://eastus.oic.prod-aks.azure.com/t/u")
                .is_some_and(|m| m.contains("trailing slash"))
        );
    }

    #[test]
    fn subjects() {
        let s = "system:serviceaccount:default:sa";
        assert_eq!(compare_subject(s, s), Likeness::Exact);
        assert_eq!(
            compare_subject(s, "system:serviceaccount:Default:sa"),
            Likeness::Case
        );
        assert_eq!(
            compare_subject(s, "system:serviceaccount:default:sb"),
            Likeness::Different
        );
    }
}
