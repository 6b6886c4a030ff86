//! Azure CLI configurations signed in to one tenant only, beside the
//! harness's own (signed in to both): what two admins who never share a login
//! each have.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::harness::Harness;

/// The files of an az configuration that hold its sign-ins.
const SIGN_INS: &[&str] = &[
    "azureProfile.json",
    "msal_token_cache",
    "service_principal_entries",
    "msal_http_cache",
];

impl Harness {
    /// A copy of the harness's az configuration (the simulator's cloud
    /// registered) without its sign-ins, then signed in to `tenant` only as
    /// its first principal; panics when az lists any other tenant.
    pub fn one_tenant_config(&self, name: &str, tenant: &crate::config::Tenant) -> PathBuf {
        let dir = self.dir().join(format!("azure-{name}"));
        match self.sign_in_alone(&dir, tenant) {
            Ok(()) => dir,
            Err(e) => panic!("az configuration {name} for {}: {e:#}", tenant.id),
        }
    }

    fn sign_in_alone(&self, dir: &Path, tenant: &crate::config::Tenant) -> anyhow::Result<()> {
        copy_without_sign_ins(&self.dir().join("azure"), dir)?;
        let sp = tenant
            .principals
            .first()
            .context("tenant without a service principal")?;
        let login = self
            .az_in(dir, &crate::harness::login_args(sp, &tenant.id))
            .run()?;
        if !login.status.success() {
            bail!("az login: {}", String::from_utf8_lossy(&login.stderr));
        }
        let listed = self
            .az_in(
                dir,
                &["account", "list", "--query", "[].tenantId", "-o", "tsv"],
            )
            .run()?;
        let tenants = String::from_utf8_lossy(&listed.stdout).trim().to_string();
        if tenants.is_empty() || tenants.lines().any(|t| t != tenant.id) {
            bail!("signed in to {} only, az lists {tenants:?}", tenant.id);
        }
        Ok(())
    }

    /// The harness's environment with `AZURE_CONFIG_DIR` set to `config`
    /// (replaced, not added: an expression's own variables win over ones
    /// set around it).
    pub fn env_in(&self, config: &Path) -> Vec<(String, OsString)> {
        self.env()
            .into_iter()
            .map(|(k, v)| {
                if k == "AZURE_CONFIG_DIR" {
                    (k, config.as_os_str().to_owned())
                } else {
                    (k, v)
                }
            })
            .collect()
    }

    /// `az <args>` in the az configuration `config`, output captured, exit
    /// status not checked.
    pub fn az_in(&self, config: &Path, args: &[&str]) -> duct::Expression {
        self.env_in(config)
            .into_iter()
            .fold(duct::cmd(&self.az, args), |c, (k, v)| c.env(k, v))
            .stdout_capture()
            .stderr_capture()
            .unchecked()
    }
}

fn copy_without_sign_ins(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if SIGN_INS.iter().any(|s| name.starts_with(s)) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_without_sign_ins(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
