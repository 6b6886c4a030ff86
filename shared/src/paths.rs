//! Where profiles live, resolved at call time so tests and users can redirect
//! it: `$XTENANT_CONFIG_DIR`, else `$XDG_CONFIG_HOME/xtenant`, else
//! `~/.config/xtenant`.

use std::ffi::OsString;
use std::path::PathBuf;

/// Environment variable that overrides the profile directory.
pub const CONFIG_DIR_ENV: &str = "XTENANT_CONFIG_DIR";

/// The profile directory from the process environment, or `None` when neither
/// an override nor a home directory is known.
pub fn config_dir() -> Option<PathBuf> {
    config_dir_from(|name| std::env::var_os(name))
}

/// The profile directory from any environment lookup (pure, for tests).
pub fn config_dir_from(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(CONFIG_DIR_ENV) {
        return Some(dir);
    }
    // XDG says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    if let Some(xdg) = set("XDG_CONFIG_HOME").filter(|p| p.is_absolute()) {
        return Some(xdg.join("xtenant"));
    }
    set("HOME").map(|home| home.join(".config").join("xtenant"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(vars: &[(&str, &str)]) -> Option<PathBuf> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        config_dir_from(|name| map.get(name).cloned())
    }

    #[test]
    fn override_wins() {
        let got = resolve(&[
            ("XTENANT_CONFIG_DIR", "/o"),
            ("XDG_CONFIG_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(got, Some(PathBuf::from("/o")));
    }

    #[test]
    fn xdg_then_home() {
        assert_eq!(
            resolve(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]),
            Some(PathBuf::from("/x/xtenant"))
        );
        assert_eq!(
            resolve(&[("HOME", "/h")]),
            Some(PathBuf::from("/h/.config/xtenant"))
        );
    }

    #[test]
    fn empty_or_relative_values_are_ignored() {
        assert_eq!(
            resolve(&[
                ("XTENANT_CONFIG_DIR", ""),
                ("XDG_CONFIG_HOME", "rel"),
                ("HOME", "/h")
            ]),
            Some(PathBuf::from("/h/.config/xtenant"))
        );
        assert_eq!(resolve(&[]), None);
    }
}
