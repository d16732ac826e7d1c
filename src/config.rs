//! `schemagate.toml` + `supabase/config.toml` + flags → one effective [`Config`].

use crate::findings::Severity;
use crate::migrations::Layout;
use crate::postgres::binaries::WantedMajor;
pub use crate::profile::Profile;
use crate::rules::Scope;
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
    pub profile: Profile,
    /// Why this profile: `--profile`, the config file, or what was detected.
    pub profile_reason: String,
    /// Schemas the API exposes (Supabase `[api].schemas`); RLS rules apply there. Empty
    /// when the project serves no API.
    pub exposed_schemas: Vec<String>,
    /// The roles API clients act as (Supabase: `anon`, `authenticated`).
    pub api_roles: Vec<String>,
    pub rules: BTreeMap<String, RuleLevel>,
    pub ignore: Vec<IgnoreEntry>,
    pub layout: Option<Layout>,
    /// The PostgreSQL major version the project targets (`[db].major_version`,
    /// `pg-version`) and which file says so.
    pub pg_major: Option<WantedMajor>,
    /// The prelude to apply before migrations (`supabase` or `none`); detected when unset.
    pub prelude: Option<String>,
    /// The folder of `supabase/config.toml`, when there is one: where the Supabase CLI
    /// looks for declarative schema files.
    pub supabase_dir: Option<PathBuf>,
    /// `[db.migrations] schema_paths` of `supabase/config.toml`: glob patterns, relative to
    /// [`Config::supabase_dir`], of the declarative schema files in apply order.
    pub schema_paths: Vec<String>,
    /// Where the settings came from, for `-v`.
    pub sources: Vec<PathBuf>,
}

/// The file format of `schemagate.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    profile: Option<Profile>,
    exposed_schemas: Option<Vec<String>>,
    api_roles: Option<Vec<String>>,
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
    migrations: Option<SupabaseMigrations>,
}

#[derive(Debug, Default, Deserialize)]
struct SupabaseMigrations {
    schema_paths: Option<Vec<String>>,
}

impl SupabaseDb {
    fn schema_paths(self) -> Vec<String> {
        self.migrations
            .and_then(|m| m.schema_paths)
            .unwrap_or_default()
    }
}

/// `[db.migrations] schema_paths` of the `supabase/config.toml` at `path` (another
/// commit's copy, say).
pub fn supabase_schema_paths(path: &Path) -> Result<Vec<String>, ConfigError> {
    let parsed: SupabaseConfig = read_toml(path)?;
    Ok(parsed.db.map(SupabaseDb::schema_paths).unwrap_or_default())
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
    pub profile: Option<Profile>,
    pub exposed_schemas: Option<Vec<String>>,
    pub api_roles: Option<Vec<String>>,
    pub layout: Option<Layout>,
}

/// The roles Supabase's API serves requests as.
const SUPABASE_API_ROLES: [&str; 2] = ["anon", "authenticated"];

impl Config {
    /// Whether databases get the Supabase prelude: `prelude` in the config, else in the
    /// supabase profile.
    pub fn supabase_prelude(&self) -> bool {
        match self.prelude.as_deref() {
            Some(prelude) => prelude == "supabase",
            None => self.profile == Profile::Supabase,
        }
    }

    /// Does the database serve an API to untrusted clients, so that the rules about what
    /// the API exposes apply? Supabase does; elsewhere, when exposed schemas and API roles
    /// are configured (PostgREST).
    pub fn serves_api(&self) -> bool {
        self.profile == Profile::Supabase
            || (!self.exposed_schemas.is_empty() && !self.api_roles.is_empty())
    }

    /// Does `rule` run for this project: its scope fits the profile and the
    /// configuration does not turn it off?
    pub fn runs(&self, rule: &str) -> bool {
        let in_scope = crate::rules::registry::meta(rule).is_none_or(|meta| match meta.scope {
            Scope::All => true,
            Scope::Api => self.serves_api(),
            Scope::Supabase => self.profile == Profile::Supabase,
        });
        in_scope && self.level(rule) != Some(RuleLevel::Off)
    }

    /// Loads the effective configuration for the migrations at `target`: the explicit
    /// `--config` file, else the nearest `schemagate.toml` at or above `target`; and the
    /// `supabase/config.toml` next to a Supabase migrations folder.
    pub fn load(target: &Path, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        let supabase = supabase_config_path(target);
        if let Some(supabase) = &supabase {
            let parsed: SupabaseConfig = read_toml(supabase)?;
            if let Some(schemas) = parsed.api.and_then(|api| api.schemas) {
                config.exposed_schemas = schemas;
            }
            let db = parsed.db.unwrap_or_default();
            config.pg_major = db.major_version.map(|major| WantedMajor {
                major,
                from: format!("[db] major_version in {}", supabase.display()),
                required: false,
            });
            config.schema_paths = db.schema_paths();
            config.supabase_dir = supabase.parent().map(Path::to_path_buf);
            config.sources.push(supabase.clone());
        }
        let file = match &overrides.config_file {
            Some(path) => Some(path.clone()),
            None => find_upwards(target, "schemagate.toml"),
        };
        let mut file_profile = None;
        if let Some(path) = file {
            let parsed: FileConfig = read_toml(&path)?;
            file_profile = parsed.profile.map(|p| (p, path.clone()));
            config.apply_file(parsed, &path)?;
            config.sources.push(path);
        }
        if let Some(schemas) = &overrides.exposed_schemas {
            config.exposed_schemas = schemas.clone();
        }
        if let Some(roles) = &overrides.api_roles {
            config.api_roles = roles.clone();
        }
        if overrides.layout.is_some() {
            config.layout = overrides.layout;
        }
        let (profile, reason) = match (overrides.profile, file_profile) {
            (Some(profile), _) => (profile, "--profile".to_string()),
            (None, Some((profile, path))) => (profile, format!("set in {}", path.display())),
            (None, None) => crate::profile::detect(target, &config, supabase.as_deref()),
        };
        config.set_profile(profile, reason);
        Ok(config)
    }

    /// The defaults of a project of `profile`, as if set in its configuration.
    pub fn with_profile(profile: Profile) -> Config {
        let mut config = Config::default();
        config.set_profile(profile, "configured".to_string());
        config
    }

    /// Was the profile detected rather than set (so that what a live database has may
    /// decide it)?
    pub fn profile_detected(&self) -> bool {
        self.profile_reason.starts_with("detected")
    }

    /// Sets the profile and, for Supabase, the API it implies where none is configured.
    pub fn set_profile(&mut self, profile: Profile, reason: String) {
        self.profile = profile;
        self.profile_reason = reason;
        if profile == Profile::Supabase {
            if self.exposed_schemas.is_empty() {
                self.exposed_schemas = vec!["public".to_string()];
            }
            if self.api_roles.is_empty() {
                self.api_roles = SUPABASE_API_ROLES.map(str::to_string).to_vec();
            }
        }
    }

    fn apply_file(&mut self, file: FileConfig, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if let Some(schemas) = file.exposed_schemas {
            self.exposed_schemas = schemas;
        }
        if let Some(roles) = file.api_roles {
            self.api_roles = roles;
        }
        self.layout = file.layout.or(self.layout);
        if let Some(major) = file.pg_version {
            self.pg_major = Some(WantedMajor {
                major,
                from: format!("pg-version in {}", path.display()),
                required: false,
            });
        }
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
    // `supabase/migrations/../config.toml` is shown as `supabase/config.toml`.
    let parent = dir
        .parent()
        .map_or_else(|| dir.join(".."), Path::to_path_buf);
    [
        dir.join("config.toml"),
        parent.join("config.toml"),
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
pub(crate) fn find_upwards(start: &Path, name: &str) -> Option<PathBuf> {
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
            "[api]\nschemas = [\"public\", \"api\"]\n[db]\nmajor_version = 15\n[db.migrations]\nschema_paths = [\"./schemas/a.sql\", \"./schemas/*.sql\"]\n",
        )
        .unwrap();
        let config = Config::load(&migrations, &Overrides::default()).unwrap();
        assert_eq!(config.exposed_schemas, ["public", "api"]);
        assert_eq!(config.schema_paths, ["./schemas/a.sql", "./schemas/*.sql"]);
        assert_eq!(config.supabase_dir, Some(dir.path().join("supabase")));
        assert_eq!(config.pg_major.map(|m| m.major), Some(15));
        assert_eq!(config.sources, [dir.path().join("supabase/config.toml")]);

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
    fn supabase_projects_expose_public_and_plain_ones_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let migrations = dir.path().join("supabase/migrations");
        std::fs::create_dir_all(&migrations).unwrap();
        let config = Config::load(&migrations, &Overrides::default()).unwrap();
        assert_eq!(config.profile, Profile::Supabase);
        assert_eq!(config.exposed_schemas, ["public"]);
        assert_eq!(config.api_roles, ["anon", "authenticated"]);
        assert!(config.runs("rls-disabled") && config.runs("objects-in-supabase-schemas"));

        let flyway = dir.path().join("db/migration");
        std::fs::create_dir_all(&flyway).unwrap();
        let config = Config::load(&flyway, &Overrides::default()).unwrap();
        assert_eq!(config.profile, Profile::Postgres);
        assert!(config.exposed_schemas.is_empty() && !config.serves_api());
        assert!(!config.runs("rls-disabled") && !config.runs("objects-in-supabase-schemas"));
        assert!(config.runs("unindexed-foreign-key") && config.runs("policy-without-rls"));

        // PostgREST: an API configured without Supabase.
        std::fs::write(
            dir.path().join("schemagate.toml"),
            "exposed-schemas = [\"api\"]\napi-roles = [\"web_anon\"]\n",
        )
        .unwrap();
        let config = Config::load(&flyway, &Overrides::default()).unwrap();
        assert_eq!(config.profile, Profile::Postgres);
        assert!(config.runs("rls-disabled") && !config.runs("objects-in-supabase-schemas"));

        // The flag wins over detection.
        let flags = Overrides {
            profile: Some(Profile::Postgres),
            ..Overrides::default()
        };
        let config = Config::load(&migrations, &flags).unwrap();
        assert_eq!(config.profile, Profile::Postgres);
        assert_eq!(config.profile_reason, "--profile");
    }
}
