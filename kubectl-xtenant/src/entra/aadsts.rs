//! Entra's AADSTS error codes, as they appear in the workload's logs or in a
//! token endpoint's error body, decoded into the likely cause and the fix.

/// What one code means in a cross-tenant workload identity setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    pub code: u32,
    pub meaning: &'static str,
    pub cause: &'static str,
    pub fix: &'static str,
}

const TABLE: &[Explanation] = &[
    Explanation {
        code: 70021,
        meaning: "no matching federated identity record",
        cause: "the token's issuer, subject or audience differs from the federated credential (often a missing trailing slash, or pods started before the OIDC issuer was enabled); or the credential was created less than a few minutes ago",
        fix: "run `kubectl xtenant doctor` to compare iss/sub/aud with the credential; recreate it with `az-xtenant trust`; if it is new, wait a minute or two and re-run the Job",
    },
    Explanation {
        code: 700211,
        meaning: "no matching federated identity record for the assertion's issuer",
        cause: "the credential's issuer is not the cluster's issuer byte for byte, or the credential is on another identity",
        fix: "record the issuer from `az aks show` (oidcIssuerProfile.issuerUrl) and run `az-xtenant trust`; check that --client-id names the identity that holds the credential",
    },
    Explanation {
        code: 700212,
        meaning: "no matching federated identity record for the assertion's audience",
        cause: "the token's audience is not api://AzureADTokenExchange, or the credential names another audience",
        fix: "keep the default audience api://AzureADTokenExchange on both sides (`az-xtenant trust`)",
    },
    Explanation {
        code: 700213,
        meaning: "no matching federated identity record for the assertion's subject",
        cause: "the credential's subject is not system:serviceaccount:<namespace>:<service account> of the pod",
        fix: "run `az-xtenant trust` with the namespace and ServiceAccount the Job uses, or deploy with the recorded ones",
    },
    // Entra's own text: "The subject matches with case-insensitive comparison,
    // but not with case-sensitive comparison." Matching of issuer, subject
    // and audience became case-sensitive in September 2024.
    Explanation {
        code: 7002138,
        meaning: "no matching federated identity record: the assertion's subject matches a credential only when letter case is ignored",
        cause: "Entra matches the credential's subject case-sensitively, and the credential's subject differs from the token's sub only in letter case",
        fix: "make the credential's subject exactly equal to the token's sub (`kubectl xtenant doctor` shows both; Kubernetes writes subjects in lowercase), then recreate it with `az-xtenant trust`",
    },
    Explanation {
        code: 700016,
        meaning: "application not found in the directory",
        cause: "the token request went to the wrong tenant (AZURE_TENANT_ID is Tenant A: set through envFrom, or not set at all), or the client ID is a principal or resource ID",
        fix: "set AZURE_TENANT_ID to Tenant B in the container's env (kubectl xtenant deploy does) and use the identity's clientId",
    },
    Explanation {
        code: 90002,
        meaning: "tenant not found",
        cause: "the tenant ID is malformed or belongs to another cloud",
        fix: "check --tenant-id (Tenant B) and the authority host for the cloud",
    },
    Explanation {
        code: 700024,
        meaning: "client assertion is not within its valid time range",
        cause: "an expired projected token was reused, or the clock is skewed",
        fix: "re-run the Job so it reads a fresh token; check node and control plane clocks",
    },
    Explanation {
        code: 90061,
        meaning: "request to an external OIDC endpoint failed",
        cause: "Entra could not fetch the issuer's discovery document or JWKS",
        fix: "check that <issuer>/.well-known/openid-configuration and its jwks_uri are publicly reachable (`kubectl xtenant doctor`)",
    },
    Explanation {
        code: 50020,
        meaning: "user account does not exist in the tenant",
        cause: "the operator signed in with an account that is not a member or guest of Tenant B",
        fix: "`az login --tenant <Tenant B>` with an account of Tenant B, or invite the account as a guest",
    },
];

/// The explanation of a code, if it is one we know.
pub fn explain(code: u32) -> Option<&'static Explanation> {
    TABLE.iter().find(|e| e.code == code)
}

/// The distinct AADSTS codes in a text, in order of first appearance.
pub fn find_codes(text: &str) -> Vec<u32> {
    let mut codes = Vec::new();
    for (i, _) in text.match_indices("AADSTS") {
        let digits: String = text[i + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(code) = digits.parse::<u32>()
            && !codes.contains(&code)
        {
            codes.push(code);
        }
    }
    codes
}

/// One line per code: what it means, why here, and the fix.
pub fn describe(code: u32) -> (String, String) {
    match explain(code) {
        Some(e) => (
            format!("AADSTS{code}: {}; likely cause: {}", e.meaning, e.cause),
            e.fix.to_string(),
        ),
        None => (
            format!("AADSTS{code}: not a code xtenant knows"),
            format!("look up AADSTS{code} in the Microsoft Entra error reference"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_is_explained() {
        for code in [
            70021, 700211, 700212, 700213, 7002138, 700016, 90002, 700024, 90061, 50020,
        ] {
            let e = explain(code).expect("known");
            assert!(!e.cause.is_empty() && !e.fix.is_empty());
        }
        assert!(explain(12345).is_none());
    }

    #[test]
    fn codes_are_found_in_logs() {
        let logs = "Adding message\nERROR: AADSTS700016: Application with identifier 'x' was not found.\n\
                    trace AADSTS700016 again; then AADSTS70021: No matching federated identity";
        assert_eq!(find_codes(logs), vec![700016, 70021]);
        assert!(find_codes("AADSTS without digits").is_empty());
    }

    #[test]
    fn the_case_only_code_is_decoded_from_entras_message() {
        let logs = "Error: AADSTS7002138: No matching federated identity record found for presented assertion subject 'system:serviceaccount:Default:sa'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.";
        assert_eq!(find_codes(logs), vec![7002138]);
        let (what, fix) = describe(7002138);
        assert!(what.contains("letter case"), "{what}");
        assert!(fix.contains("exactly equal"), "{fix}");
    }

    #[test]
    fn description_names_cause_and_fix() {
        let (what, fix) = describe(700016);
        assert!(what.contains("Tenant A"), "{what}");
        assert!(fix.contains("AZURE_TENANT_ID"), "{fix}");
        let (unknown, _) = describe(1);
        assert!(unknown.contains("AADSTS1"));
    }
}
