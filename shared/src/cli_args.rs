//! The options both tools take, defined once: which profile, and how data is
//! printed. Each tool flattens them into its own global options.

use clap::Args;

use crate::names;
use crate::output::Format;
use crate::store::{ProfileError, ProfileStore};
use crate::validate::{Kind, parser};

/// `--profile` and `-o`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct Common {
    /// The xtenant profile (a file in $XTENANT_CONFIG_DIR, else ~/.config/xtenant) [default: default]
    #[arg(
        long,
        global = true,
        env = "XTENANT_PROFILE",
        hide_env_values = true,
        value_parser = parser(Kind::ProfileName)
    )]
    pub profile: Option<String>,
    /// Output format of the data printed on stdout: human (for people) or json (for scripts)
    // The values are named here: listing them with the enum's per-value help
    // would switch every `--help` to clap's long layout.
    #[arg(
        short = 'o',
        long,
        global = true,
        value_enum,
        default_value_t = Format::Human,
        hide_possible_values = true
    )]
    pub output: Format,
}

impl Common {
    /// The profile's name: `--profile`, else `default`.
    pub fn profile_name(&self) -> &str {
        self.profile.as_deref().unwrap_or(names::DEFAULT_PROFILE)
    }

    /// The store of the chosen profile.
    pub fn store(&self) -> Result<ProfileStore, ProfileError> {
        ProfileStore::open(self.profile_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        common: Common,
    }

    #[test]
    fn both_options_parse_and_check_their_values() {
        let cli = Cli::try_parse_from(["t", "--profile", "dev", "-o", "json"]).expect("parses");
        assert_eq!(cli.common.profile.as_deref(), Some("dev"));
        assert_eq!(cli.common.output, Format::Json);
        assert!(Cli::try_parse_from(["t", "--profile", "../x"]).is_err());
        assert!(Cli::try_parse_from(["t", "-o", "yaml"]).is_err());
    }
}
