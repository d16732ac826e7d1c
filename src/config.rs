//! `schemagate.toml` + `supabase/config.toml` + flags → one effective [`Config`].

use crate::findings::Severity;
use crate::migrations::Layout;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A rule's configured level: a severity, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Severity(Severity),
}

/// An `[[ignore]]` entry: findings of `rule` on `object` are suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub rule: String,
    pub object: Option<String>,
    pub file: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Schemas the API exposes (Supabase `[api].schemas`); RLS rules apply there.
    pub exposed_schemas: Vec<String>,
    pub rules: BTreeMap<String, RuleLevel>,
    pub ignore: Vec<IgnoreEntry>,
    pub layout: Option<Layout>,
    /// The PostgreSQL major version the project targets (`[db].major_version`).
    pub pg_major: Option<u32>,
    /// The prelude to apply before migrations (`supabase` or `none`); detected when unset.
    pub prelude: Option<String>,
    /// Where the settings came from, for `-v`.
    pub sources: Vec<PathBuf>,
}

/// The file format of `schemagate.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    exposed_schemas: Option<Vec<String>>,
    layout: Option<Layout>,
    pg_version: Option<u32>,
    prelude: Option<String>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    ignore: Vec<IgnoreEntry>,
}

#[derive(Debug, Default, Deserialize)]
struct SupabaseConfig {
    api: Option<SupabaseApi>,
    db: Option<SupabaseDb>,
}

#[derive(Debug, Default, Deserialize)]
struct SupabaseApi {
    schemas: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct SupabaseDb {
    major_version: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Flags that override the files.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub exposed_schemas: Option<Vec<String>>,
    pub layout: Option<Layout>,
}

impl Config {
    /// Whether databases get the Supabase prelude: `prelude` in the config, else for
    /// Supabase folders.
    pub fn supabase_prelude(&self, layout: crate::migrations::Layout) -> bool {
        match self.prelude.as_deref() {
            Some(prelude) => prelude == "supabase",
            None => layout == crate::migrations::Layout::Supabase,
        }
    }

    /// Loads the effective configuration for the migrations at `target`: the explicit
    /// `--config` file, else the nearest `schemagate.toml` at or above `target`; and the
    /// `supabase/config.toml` next to a Supabase migrations folder.
    pub fn load(target: &Path, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(supabase) = supabase_config_path(target) {
            let parsed: SupabaseConfig = read_toml(&supabase)?;
            if let Some(schemas) = parsed.api.and_then(|api| api.schemas) {
                config.exposed_schemas = schemas;
            }
            config.pg_major = parsed.db.and_then(|db| db.major_version);
            config.sources.push(supabase);
        }
        let file = match &overrides.config_file {
            Some(path) => Some(path.clone()),
            None => find_upwards(target, "schemagate.toml"),
        };
        if let Some(path) = file {
            let parsed: FileConfig = read_toml(&path)?;
            config.apply_file(parsed, &path)?;
            config.sources.push(path);
        }
        if let Some(schemas) = &overrides.exposed_schemas {
            config.exposed_schemas = schemas.clone();
        }
        if overrides.layout.is_some() {
            config.layout = overrides.layout;
        }
        if config.exposed_schemas.is_empty() {
            config.exposed_schemas = vec!["public".to_string()];
        }
        Ok(config)
    }

    fn apply_file(&mut self, file: FileConfig, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if let Some(schemas) = file.exposed_schemas {
            self.exposed_schemas = schemas;
        }
        self.layout = file.layout.or(self.layout);
        self.pg_major = file.pg_version.or(self.pg_major);
        self.prelude = file.prelude;
        for (rule, level) in file.rules {
            if crate::rules::registry::meta(&rule).is_none() {
                return Err(invalid(format!(
                    "[rules] names unknown rule `{rule}` (see `schemagate rules`)"
                )));
            }
            let level = match level.as_str() {
                "off" => RuleLevel::Off,
                other => RuleLevel::Severity(Severity::parse(other).ok_or_else(|| {
                    invalid(format!(
                        "[rules] {rule} = \"{other}\": use \"error\", \"warning\", \"info\" or \"off\""
                    ))
                })?),
            };
            self.rules.insert(rule, level);
        }
        for entry in &file.ignore {
            if crate::rules::registry::meta(&entry.rule).is_none() {
                return Err(invalid(format!(
                    "[[ignore]] names unknown rule `{}` (see `schemagate rules`)",
                    entry.rule
                )));
            }
        }
        self.ignore = file.ignore;
        Ok(())
    }

    pub fn level(&self, rule: &str) -> Option<RuleLevel> {
        self.rules.get(rule).copied()
    }
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|error| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: error.to_string(),
    })
}

/// `supabase/config.toml` for a Supabase migrations folder or a folder that contains one.
fn supabase_config_path(target: &Path) -> Option<PathBuf> {
    let dir = if target.is_file() {
        target.parent()?.to_path_buf()
    } else {
        target.to_path_buf()
    };
    [
        dir.join("config.toml"),
        dir.join("../config.toml"),
        dir.join("supabase/config.toml"),
    ]
    .into_iter()
    .find(|candidate| {
        candidate.is_file()
            && candidate
                .canonicalize()
                .ok()
                .and_then(|c| c.parent().map(|p| p.ends_with("supabase")))
                .unwrap_or(false)
    })
}

/// The nearest `name` at or above `start`, stopping at a repository root.
fn find_upwards(start: &Path, name: &str) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    let mut dir = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start
    };
    loop {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supabase_config_and_file_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let migrations = dir.path().join("supabase/migrations");
        std::fs::create_dir_all(&migrations).unwrap();
        std::fs::write(
            dir.path().join("supabase/config.toml"),
            "[api]\nschemas = [\"public\", \"api\"]\n[db]\nmajor_version = 15\n",
        )
        .unwrap();
        let config = Config::load(&migrations, &Overrides::default()).unwrap();
        assert_eq!(config.exposed_schemas, ["public", "api"]);
        assert_eq!(config.pg_major, Some(15));

        std::fs::write(
            dir.path().join("schemagate.toml"),
            "exposed-schemas = [\"api\"]\n[rules]\nempty-migration = \"off\"\nduplicate-version = \"warning\"\n[[ignore]]\nrule = \"duplicate-version\"\nobject = \"version 1\"\nreason = \"old\"\n",
        )
        .unwrap();
        let config = Config::load(&migrations, &Overrides::default()).unwrap();
        assert_eq!(config.exposed_schemas, ["api"]);
        assert_eq!(config.level("empty-migration"), Some(RuleLevel::Off));
        assert_eq!(
            config.level("duplicate-version"),
            Some(RuleLevel::Severity(Severity::Warning))
        );
        assert_eq!(config.ignore.len(), 1);

        let flags = Overrides {
            exposed_schemas: Some(vec!["x".into()]),
            ..Overrides::default()
        };
        assert_eq!(
            Config::load(&migrations, &flags).unwrap().exposed_schemas,
            ["x"]
        );
    }

    #[test]
    fn unknown_rule_and_bad_level_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[rules]\nno-such-rule = \"off\"\n").unwrap();
        let overrides = Overrides {
            config_file: Some(path.clone()),
            ..Overrides::default()
        };
        let error = Config::load(dir.path(), &overrides)
            .unwrap_err()
            .to_string();
        assert!(error.contains("no-such-rule"), "{error}");
        std::fs::write(&path, "[rules]\nduplicate-version = \"loud\"\n").unwrap();
        let error = Config::load(dir.path(), &overrides)
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"loud\""), "{error}");
    }

    #[test]
    fn defaults_to_public() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let config = Config::load(dir.path(), &Overrides::default()).unwrap();
        assert_eq!(config.exposed_schemas, ["public"]);
    }
}
