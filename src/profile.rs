//! Project profiles (docs/profiles.md): `supabase` or plain `postgres`, detected once per
//! migrations folder and carried in `Config`; rules declare the profiles they are for
//! (`rules::Scope`).

use crate::config::Config;
use crate::findings::Finding;
use serde::Deserialize;
use std::path::Path;

/// What kind of project the migrations belong to (docs/profiles.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// A Supabase project: its API (PostgREST with `anon` and `authenticated`), its
    /// schemas, and the Supabase prelude before the migrations.
    Supabase,
    /// Plain PostgreSQL: no API unless configured, no prelude.
    #[default]
    Postgres,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Supabase => "supabase",
            Profile::Postgres => "postgres",
        }
    }
}

/// The supabase profile when the migrations are a Supabase project's: a
/// `supabase/migrations` folder, a `supabase/config.toml` beside them, the supabase layout
/// or prelude configured, or a `supabase` folder with a `config.toml` at the repository root.
pub(crate) fn detect(
    target: &Path,
    config: &Config,
    supabase_config: Option<&Path>,
) -> (Profile, String) {
    let reason = if crate::migrations::layout::is_supabase_dir(target) {
        Some("the folder is supabase/migrations".to_string())
    } else if let Some(path) = supabase_config {
        Some(format!("{} exists", crate::migrations::display_path(path)))
    } else if config.layout == Some(crate::migrations::Layout::Supabase) {
        Some("layout = \"supabase\"".to_string())
    } else if config.prelude.as_deref() == Some("supabase") {
        Some("prelude = \"supabase\"".to_string())
    } else {
        crate::config::find_upwards(target, "supabase/config.toml")
            .map(|path| format!("{} exists", crate::migrations::display_path(&path)))
    };
    match reason {
        Some(reason) => (Profile::Supabase, format!("detected: {reason}")),
        None => (
            Profile::Postgres,
            "detected: no Supabase project around the migrations".to_string(),
        ),
    }
}

/// Names of Supabase's roles and schemas: a plain project whose apply fails on one of them
/// is most likely a Supabase project that was not recognised.
const SUPABASE_NAMES: &[&str] = &[
    "\"anon\"",
    "\"authenticated\"",
    "\"service_role\"",
    "\"auth\"",
    "\"storage\"",
    "auth.uid",
    "auth.users",
    "auth.jwt",
    "storage.objects",
    "storage.buckets",
];

/// Adds to the help of apply failures that name a Supabase role or schema, in the
/// postgres profile, how to apply the folder as a Supabase project.
pub fn hint_supabase(findings: &mut [Finding], config: &Config) {
    if config.profile != Profile::Postgres {
        return;
    }
    for finding in findings.iter_mut().filter(|f| f.rule == "apply-failed") {
        if SUPABASE_NAMES
            .iter()
            .any(|name| finding.message.contains(name))
        {
            let hint = "this looks like a Supabase project: pass --profile supabase (or set profile = \"supabase\" in schemagate.toml) to apply it after Supabase's roles and schemas";
            finding.help = Some(match finding.help.take() {
                Some(help) => format!("{help}; {hint}"),
                None => hint.to_string(),
            });
        }
    }
}
