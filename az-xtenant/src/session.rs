//! Whether az holds a session for a place: its subscription, seen in the
//! right tenant. Every command that calls Azure checks this first (through
//! the context's "az for these places"), and `login` uses it to log in only
//! where a session is missing.

use anyhow::{Result, bail};

use crate::az::Az;
use crate::az::types::Account;
use crate::settings::{self, Place};

/// Whether az holds a session for `tenant`.
pub fn has_session(accounts: &[Account], tenant: &str) -> bool {
    accounts
        .iter()
        .any(|a| a.tenant_id.eq_ignore_ascii_case(tenant))
}

/// Checks that az can reach each place's subscription in the right tenant.
/// Under `--assume`, only prints the listing.
pub fn check(az: &Az, places: &[Place]) -> Result<()> {
    let accounts = az.account_list()?;
    if az.assumed() {
        return Ok(());
    }
    for place in places {
        verdict(&accounts, place)?;
    }
    Ok(())
}

/// Why az cannot use a place's subscription, if it cannot.
fn verdict(accounts: &[Account], place: &Place) -> Result<()> {
    let (label, tenant, sub) = (place.side.label(), &place.tenant, &place.subscription);
    let flag = if place.side == settings::Side::A {
        "a"
    } else {
        "b"
    };
    match accounts.iter().find(|a| a.id.eq_ignore_ascii_case(sub)) {
        Some(a) if a.tenant_id.eq_ignore_ascii_case(tenant) => Ok(()),
        // The profile is wrong, not Azure: bad input (exit 2).
        Some(a) => Err(crate::error::UsageError(format!(
            "subscription {sub} belongs to tenant {}, not to {label}'s tenant {tenant}; \
             fix the profile with `az-xtenant init --tenant-{flag} <id> --subscription-{flag} <id>`",
            a.tenant_id
        ))
        .into()),
        None if has_session(accounts, tenant) => bail!(
            "az is logged in to {label} ({tenant}) but does not see subscription {sub}; \
             check the ID, or run `az login --tenant {tenant}` with an account that can use it"
        ),
        None => bail!(
            "not logged in to {label} ({tenant}): run `az login --tenant {tenant}` \
             (or `az-xtenant login` for both tenants)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Side;

    const TA: &str = "aaaaaaaa-0000-0000-0000-000000000000";
    const TB: &str = "bbbbbbbb-0000-0000-0000-000000000000";
    const SA: &str = "aaaaaaaa-1111-1111-1111-111111111111";
    const SB: &str = "bbbbbbbb-1111-1111-1111-111111111111";

    fn place(tenant: &str, sub: &str) -> Place {
        Place {
            side: Side::A,
            tenant: tenant.into(),
            subscription: sub.into(),
            resource_group: "rg".into(),
            location: "eastus".into(),
        }
    }

    fn account(sub: &str, tenant: &str) -> Account {
        Account {
            id: sub.into(),
            tenant_id: tenant.into(),
        }
    }

    #[test]
    fn verdicts() {
        let both = [account(SA, TA), account(SB, TB)];
        assert!(verdict(&both, &place(TA, SA)).is_ok());
        let wrong = verdict(&both, &place(TA, SB)).expect_err("wrong tenant");
        assert!(
            wrong.to_string().contains(SB) && wrong.to_string().contains("belongs to tenant"),
            "{wrong}"
        );
        let none = verdict(&[account(SB, TB)], &place(TA, SA)).expect_err("no session");
        assert!(
            none.to_string()
                .contains(&format!("az login --tenant {TA}")),
            "{none}"
        );
        let unseen = verdict(&[account(SB, TA)], &place(TA, SA)).expect_err("unseen");
        assert!(
            unseen.to_string().contains("does not see subscription"),
            "{unseen}"
        );
    }
}
