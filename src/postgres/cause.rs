//! Why a statement failed, in the terms of the migrations folder: the missing object is
//! created only by a later file, by a file the Supabase CLI skips, or by no migration at all;
//! seed data breaks a foreign key; a syntax error; an extension that is not available.

use crate::migrations::{Migration, MigrationSet};
use crate::rules::{registry, RuleMeta};
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// What the failure means and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The rule to report: `apply-failed`, `apply-timeout` or `extension-unavailable`.
    pub rule: &'static RuleMeta,
    pub cause: Option<String>,
    pub help: String,
}

/// An object named by an error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    Relation(Name),
    Type(Name),
    Function(Name),
    Schema(String),
    Column { column: String, table: Option<Name> },
    Extension(String),
    AccessMethod(String),
    OperatorClass(String),
}

/// `schema.name`, the schema when the message gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub schema: Option<String>,
    pub name: String,
}

impl Name {
    fn parse(text: &str) -> Name {
        let text = text.trim().trim_matches('"');
        match text.rsplit_once('.') {
            Some((schema, name)) => Name {
                schema: Some(schema.trim_matches('"').to_string()),
                name: name.trim_matches('"').to_string(),
            },
            None => Name {
                schema: None,
                name: text.to_string(),
            },
        }
    }

    fn display(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl Missing {
    fn display(&self) -> String {
        match self {
            Missing::Relation(n) => format!("relation `{}`", n.display()),
            Missing::Type(n) => format!("type `{}`", n.display()),
            Missing::Function(n) => format!("function `{}`", n.display()),
            Missing::Schema(s) => format!("schema `{s}`"),
            Missing::Column { column, table } => match table {
                Some(t) => format!("column `{column}` of `{}`", t.display()),
                None => format!("column `{column}`"),
            },
            Missing::Extension(e) => format!("extension `{e}`"),
            Missing::AccessMethod(m) => format!("access method `{m}`"),
            Missing::OperatorClass(c) => format!("operator class `{c}`"),
        }
    }

    fn schema(&self) -> Option<&str> {
        match self {
            Missing::Relation(n) | Missing::Type(n) | Missing::Function(n) => n.schema.as_deref(),
            Missing::Column { table: Some(n), .. } => n.schema.as_deref(),
            Missing::Schema(s) => Some(s),
            _ => None,
        }
    }
}

static MESSAGE_PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r#"^relation "([^"]+)" does not exist"#, "relation"),
        (r#"^type "([^"]+)" does not exist"#, "type"),
        (r#"^function ([^(\s]+)\(.*\) does not exist"#, "function"),
        (r#"^procedure ([^(\s]+)\(.*\) does not exist"#, "function"),
        (r#"^schema "([^"]+)" does not exist"#, "schema"),
        (
            r#"^column "([^"]+)" of relation "([^"]+)" does not exist"#,
            "column-of",
        ),
        (
            r#"^column (?:"([^"]+)"|([A-Za-z_0-9$."]+)) does not exist"#,
            "column",
        ),
        (
            r#"^access method "([^"]+)" does not exist"#,
            "access-method",
        ),
        (
            r#"^operator class "([^"]+)" does not exist"#,
            "operator-class",
        ),
        (r#"^extension "([^"]+)" is not available"#, "extension"),
        (
            r#"^could not open extension control file ".*/([^/"]+)\.control""#,
            "extension",
        ),
    ]
    .into_iter()
    .map(|(pattern, kind)| (Regex::new(pattern).expect("valid regex"), kind))
    .collect()
});

/// The object an error message says is missing.
pub fn missing_object(message: &str) -> Option<Missing> {
    for (pattern, kind) in MESSAGE_PATTERNS.iter() {
        let Some(c) = pattern.captures(message) else {
            continue;
        };
        let first = c.get(1).or(c.get(2)).map(|m| m.as_str()).unwrap_or("");
        return Some(match *kind {
            "relation" => Missing::Relation(Name::parse(first)),
            "type" => Missing::Type(Name::parse(first)),
            "function" => Missing::Function(Name::parse(first)),
            "schema" => Missing::Schema(first.to_string()),
            "column-of" => Missing::Column {
                column: first.to_string(),
                table: c.get(2).map(|m| Name::parse(m.as_str())),
            },
            "column" => {
                let name = Name::parse(first);
                Missing::Column {
                    column: name.name,
                    table: name.schema.map(|t| Name::parse(&t)),
                }
            }
            "access-method" => Missing::AccessMethod(first.to_string()),
            "operator-class" => Missing::OperatorClass(first.to_string()),
            _ => Missing::Extension(first.to_string()),
        });
    }
    None
}

/// Schemas created by an extension, for "used without creating the extension".
fn extension_of_schema(schema: &str) -> Option<&'static str> {
    Some(match schema {
        "cron" => "pg_cron",
        "net" => "pg_net",
        "pgmq" => "pgmq",
        "graphql" | "graphql_public" => "pg_graphql",
        "vault" => "supabase_vault",
        "pgsodium" => "pgsodium",
        "partman" => "pg_partman",
        "repack" => "pg_repack",
        _ => return None,
    })
}

/// The extension that provides an object, for the objects of extensions Supabase projects
/// commonly use (the schema is not part of the match: extensions go where they are told).
fn extension_providing(missing: &Missing) -> Option<&'static str> {
    static PROVIDED: LazyLock<Vec<(&'static str, Regex, &'static str)>> = LazyLock::new(|| {
        [
            // Foreign data wrapper handlers and validators of Supabase Wrappers
            // (`postgres_fdw` is a contrib extension of its own).
            (
                "function",
                r"^(?:[a-z0-9]+_)?fdw_(?:handler|validator|meta)$",
                "wrappers",
            ),
            (
                "function",
                r"^uuid_generate_v[1345]$|^uuid_nil$",
                "uuid-ossp",
            ),
            (
                "function",
                r"^(?:crypt|gen_salt|gen_random_bytes|pgp_[a-z_]+|digest|hmac)$",
                "pgcrypto",
            ),
            (
                "function",
                r"^(?:similarity|word_similarity|show_trgm|set_limit)$",
                "pg_trgm",
            ),
            ("function", r"^unaccent$", "unaccent"),
            (
                "function",
                r"^(?:http|http_get|http_post|http_put|http_delete|http_head|http_patch)$",
                "http",
            ),
            ("function", r"^pgroonga_", "pgroonga"),
            (
                "function",
                r"^(?:create_hypertable|time_bucket|set_chunk_time_interval|add_(?:retention|compression|reorder)_policy|by_range|by_hash)$",
                "timescaledb",
            ),
            ("function", r"^id_(?:encode|decode|decode_once)$", "pg_hashids"),
            ("function", r"^st_[a-z0-9_]+$", "postgis"),
            ("access method", r"^pgroonga$", "pgroonga"),
            ("access method", r"^(?:hnsw|ivfflat)$", "vector"),
            ("access method", r"^rum$", "rum"),
            ("operator class", r"^g(?:in|ist)_trgm_ops$", "pg_trgm"),
            ("operator class", r"^pgroonga_", "pgroonga"),
            ("operator class", r"^rum_", "rum"),
            (
                "operator class",
                r"^(?:vector|halfvec|sparsevec)_[a-z0-9_]+_ops$",
                "vector",
            ),
            ("type", r"^(?:geometry|geography|box2d|box3d)$", "postgis"),
            ("type", r"^(?:vector|halfvec|sparsevec)$", "vector"),
            ("type", r"^citext$", "citext"),
            ("type", r"^hstore$", "hstore"),
            ("type", r"^(?:ltree|lquery|ltxtquery)$", "ltree"),
            ("type", r"^http_(?:request|response|header|method)$", "http"),
        ]
        .into_iter()
        .map(|(kind, pattern, extension)| {
            (kind, Regex::new(pattern).expect("valid regex"), extension)
        })
        .collect()
    });
    let (kind, name) = match missing {
        Missing::Function(n)
            if n.name != "postgres_fdw_handler" && n.name != "postgres_fdw_validator" =>
        {
            ("function", n.name.as_str())
        }
        Missing::Type(n) => ("type", n.name.as_str()),
        Missing::AccessMethod(m) => ("access method", m.as_str()),
        Missing::OperatorClass(c) => ("operator class", c.as_str()),
        _ => return None,
    };
    let name = name.to_lowercase();
    PROVIDED
        .iter()
        .find(|(k, pattern, _)| *k == kind && pattern.is_match(&name))
        .map(|(_, _, extension)| *extension)
}

/// Does schemagate's emulation of `extension` create the missing object?
fn emulation_provides(extension: &str, missing: &Missing) -> bool {
    let name = match missing {
        Missing::Function(n) | Missing::Type(n) => n.name.as_str(),
        Missing::AccessMethod(name) | Missing::OperatorClass(name) => name.as_str(),
        _ => return false,
    };
    let Some((_, script)) = super::overlay::EMULATIONS
        .iter()
        .find(|(emulated, _)| *emulated == extension)
    else {
        return false;
    };
    Regex::new(&format!(
        r#"(?im)^\s*create\s+(?:or\s+replace\s+)?(?:type|domain|function|access\s+method|operator\s+class)\s+(?:[@\w]+\.)?{}[\s(;]"#,
        word(name)
    ))
    .is_ok_and(|pattern| pattern.is_match(script))
}

/// Does one of `files` create the extension `name`?
fn creates_extension(files: &[&Migration], name: &str) -> bool {
    let Ok(pattern) = Regex::new(&format!(
        r#"(?is)\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?{}(?:\s|;|$)"#,
        word(name)
    )) else {
        return false;
    };
    files.iter().any(|m| {
        m.source
            .as_ref()
            .is_some_and(|source| pattern.is_match(&source.text))
    })
}

const IDENT: &str = r#"(?:"[^"]+"|[a-z_][a-z0-9_$]*)"#;

fn word(name: &str) -> String {
    format!(r#""?{}"?"#, regex::escape(&name.to_lowercase()))
}

/// A regex finding statements that create `missing`. The optional schema is captured as
/// group 1 so a match in another schema can be told apart.
fn creation_pattern(missing: &Missing) -> Option<Regex> {
    let qualified = |kinds: &str, name: &str, suffix: &str| {
        format!(
            r#"(?is)\b(?:create\s+(?:or\s+replace\s+)?(?:(?:global|local|temp|temporary|unlogged|materialized|recursive|foreign)\s+)*(?:{kinds})\s+(?:if\s+not\s+exists\s+)?(?:({IDENT})\s*\.\s*)?{name}{suffix}|rename\s+to\s+(){name}{suffix})"#
        )
    };
    let pattern = match missing {
        Missing::Relation(n) => qualified("table|view|sequence", &word(&n.name), r"(?:\s|\(|;|$)"),
        Missing::Type(n) => qualified("type|domain", &word(&n.name), r"(?:\s|\(|;|$)"),
        Missing::Function(n) => qualified("function|procedure", &word(&n.name), r"\s*\("),
        Missing::Schema(s) => format!(
            r#"(?is)\bcreate\s+schema\s+(?:if\s+not\s+exists\s+)?(){}(?:\s|;|$)"#,
            word(s)
        ),
        Missing::Column { column, .. } => format!(
            r#"(?is)\b(?:add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?(){c}\s|rename\s+(?:column\s+)?{IDENT}\s+to\s+(){c}(?:\s|;|$))"#,
            c = word(column)
        ),
        Missing::Extension(_) | Missing::AccessMethod(_) | Missing::OperatorClass(_) => {
            return None
        }
    };
    Regex::new(&pattern).ok()
}

/// Where a text creates `missing`: the 1-based line, if it does.
fn creates(text: &str, missing: &Missing) -> Option<u32> {
    let pattern = creation_pattern(missing)?;
    let wanted_schema = missing.schema().map(str::to_lowercase);
    for captures in pattern.captures_iter(text) {
        let whole = captures.get(0)?;
        if let Missing::Column {
            table: Some(table), ..
        } = missing
        {
            // The column must be added to the right table: look back to the statement start.
            let start = text[..whole.start()].rfind(';').map_or(0, |i| i + 1);
            let head = text[start..whole.start()].to_lowercase();
            if !head.contains(&table.name.to_lowercase()) {
                continue;
            }
        }
        let schema = captures
            .get(1)
            .map(|m| m.as_str().trim_matches('"').to_lowercase())
            .filter(|s| !s.is_empty());
        let same_schema = match (&wanted_schema, &schema) {
            (Some(w), Some(s)) => w == s,
            (Some(w), None) => {
                w == "public"
                    || !matches!(
                        missing,
                        Missing::Relation(_) | Missing::Type(_) | Missing::Function(_)
                    )
            }
            (None, _) => true,
        };
        if same_schema {
            let line = text[..whole.start()].matches('\n').count() as u32 + 1;
            return Some(line);
        }
    }
    None
}

/// The failing statement's place in the run.
pub struct Context<'a> {
    pub set: &'a MigrationSet,
    /// The files applied in order, and the index of the failing one.
    pub applied: &'a [&'a Migration],
    pub failed: usize,
    pub supabase: bool,
    /// Extensions the server has, real or emulated.
    pub available_extensions: &'a [String],
    /// Those of them that are schemagate's emulations (their SQL API without native code).
    pub emulated_extensions: &'a [String],
    /// What the database has at the failure, for "did you mean".
    pub known: &'a KnownNames,
}

fn found_in_migrations<'a>(
    files: &[&'a Migration],
    missing: &Missing,
) -> Option<(&'a Migration, u32)> {
    files.iter().find_map(|m| {
        let source = m.source.as_ref()?;
        creates(&source.text, missing).map(|line| (*m, line))
    })
}

/// Files in the folder the tool never applies: misnamed ones, and `.sql` files in
/// subfolders (the Supabase CLI reads only the folder itself).
fn skipped_files(set: &MigrationSet) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = set
        .findings
        .iter()
        .filter(|f| f.rule == crate::rules::registry::INVALID_MIGRATION_NAME.id)
        .filter_map(|f| f.location.as_ref().map(|l| l.file.clone()))
        .map(|path| {
            let why =
                "the Supabase CLI skips it because its name does not match <digits>_<name>.sql"
                    .to_string();
            (path, why)
        })
        .collect();
    if set.root.is_dir() {
        let known: Vec<&Path> = set
            .migrations
            .iter()
            .map(|m| m.abs_path.as_path())
            .collect();
        let nested = walkdir::WalkDir::new(&set.root)
            .min_depth(2)
            .max_depth(4)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "sql"))
            .filter(|e| !known.contains(&e.path()));
        for entry in nested {
            let path = crate::migrations::display_path(entry.path());
            if !files.iter().any(|(p, _)| *p == path) {
                files.push((
                    path,
                    "it lies in a subfolder, which the migration tool does not read".to_string(),
                ));
            }
        }
    }
    files
}

/// Explains a failure from its SQLSTATE, message and detail.
/// Whether a permission error is about something only a superuser may do (PostgreSQL's own
/// wording, or a statement only a superuser can run), not a missing grant of the role.
fn needs_superuser(message: &str, statement: &str) -> bool {
    static SUPERUSER_ONLY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)superuser|pg_execute_server_program|pg_read_server_files|pg_write_server_files|permission denied for language|permission denied for function (pg_read_file|pg_read_binary_file|pg_ls_dir|pg_stat_file|lo_import|lo_export)\b|permission denied to create extension|permission denied to COPY (to|from) (a file|or from an external program)")
            .expect("valid regex")
    });
    // PostgreSQL 16+ words some refusals without naming the superuser (that is in the
    // detail): the statement tells.
    static SUPERUSER_STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)^\s*(alter\s+system\b|(create|alter)\s+(role|user)\b.*\bsuperuser\b)")
            .expect("valid regex")
    });
    SUPERUSER_ONLY.is_match(message) || SUPERUSER_STATEMENT.is_match(statement)
}

/// `extension-unavailable` when the server has neither `extension` nor an emulation of
/// `missing` (its native part).
fn not_emulated(extension: &str, missing: &Missing, cx: &Context<'_>) -> Option<Explanation> {
    let offered = |list: &[String]| list.iter().any(|e| e == extension);
    let emulated_without_it =
        offered(cx.emulated_extensions) && !emulation_provides(extension, missing);
    (!offered(cx.available_extensions) || emulated_without_it).then(|| Explanation {
        rule: registry::EXTENSION_UNAVAILABLE,
        cause: Some(format!(
            "{} comes from the `{extension}` extension, which schemagate does not emulate: {}",
            missing.display(),
            if emulated_without_it {
                "this server has only an emulation of its SQL API, without this part"
            } else {
                "this server does not have it"
            }
        )),
        help: extension_remedy(extension),
    })
}

/// Options only an extension's native code understands, refused where schemagate emulates
/// it: index options of the emulated index methods (`hnsw … with (m = 16)`, rum's `attach`,
/// pgroonga's `tokenizer`) and TimescaleDB's `timescaledb.*` table and view options.
fn option_beyond_emulation(
    message: &str,
    statement: &str,
    cx: &Context<'_>,
) -> Option<Explanation> {
    static INDEX_METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\busing\s+"?([a-z_][a-z0-9_]*)"?\s*\("#).expect("valid regex")
    });
    let emulated = |extension: &str| cx.emulated_extensions.iter().any(|e| e == extension);
    let (extension, cause) = if message.contains(r#"parameter namespace "timescaledb""#) {
        (
            "timescaledb",
            "`timescaledb.*` options (compression, continuous aggregates) need the real TimescaleDB: schemagate's emulation of `timescaledb` keeps hypertables as plain tables, and PostgreSQL knows no such options".to_string(),
        )
    } else if message.starts_with("unrecognized parameter ") {
        let method = INDEX_METHOD.captures(statement)?[1].to_lowercase();
        let extension = extension_providing(&Missing::AccessMethod(method.clone()))?;
        (
            extension,
            format!("index options of the `{method}` method need the real `{extension}`: schemagate's emulation of the method takes none"),
        )
    } else {
        return None;
    };
    emulated(extension).then(|| Explanation {
        rule: registry::EXTENSION_UNAVAILABLE,
        cause: Some(cause),
        help: extension_remedy(extension),
    })
}

/// PostgreSQL's words when an FDW handler returns no routine, which the handlers of the
/// `wrappers` emulation do (they stand in for native code), on a server that emulates it.
fn wrapper_handler_called(message: &str, cx: &Context<'_>) -> bool {
    static RETURNED_NULL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^function \d+ returned NULL$").expect("valid regex"));
    RETURNED_NULL.is_match(message) && cx.emulated_extensions.iter().any(|e| e == "wrappers")
}

/// Hosted Supabase lets `postgres` create foreign data wrappers (through its supautils
/// extension); PostgreSQL asks a superuser. When the wrapper's handler comes from an
/// extension schemagate cannot provide, that is the real cause.
fn foreign_data_wrapper(statement: &str, cx: &Context<'_>) -> Explanation {
    static HANDLER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?i)\bhandler\s+([A-Za-z0-9_."]+)"#).expect("valid regex"));
    let handler = HANDLER
        .captures(statement)
        .map(|c| Missing::Function(Name::parse(&c[1])));
    let unavailable = handler
        .as_ref()
        .and_then(|missing| not_emulated(extension_providing(missing)?, missing, cx));
    unavailable.unwrap_or_else(|| Explanation {
        rule: registry::APPLY_FAILED,
        cause: Some("hosted Supabase lets `postgres` create foreign data wrappers (through its supautils extension), but on plain PostgreSQL only a superuser may, and schemagate applies as a role without superuser".to_string()),
        help: "apply this folder with `--apply-as superuser` (only for pull requests you trust), or check it with `--database-url` against a supabase/postgres container".to_string(),
    })
}

pub fn explain(
    code: &str,
    message: &str,
    detail: Option<&str>,
    statement: &str,
    cx: &Context<'_>,
) -> Explanation {
    let apply = |cause: Option<String>, help: &str| Explanation {
        rule: registry::APPLY_FAILED,
        cause,
        help: help.to_string(),
    };
    match code {
        "57014" | "55P03" => {
            let what = if code == "55P03" {
                "lock_timeout"
            } else {
                "statement_timeout"
            };
            return Explanation {
                rule: registry::APPLY_TIMEOUT,
                cause: Some(format!("the statement ran into the {what} and was cancelled")),
                help: "a migration that waits this long would block production too: look for long locks, slow data backfills or sleeps; raise --lock-timeout/--statement-timeout only if the wait is intended".to_string(),
            };
        }
        "23503" => {
            return apply(
                Some(format!(
                    "seed data: a row references a row that does not exist at this point{}",
                    detail.map(|d| format!(" ({d})")).unwrap_or_default()
                )),
                "insert the referenced rows first (in this or an earlier migration), or move seed data to supabase/seed.sql, which runs after all migrations",
            );
        }
        "42601" => {
            let meta = statement
                .lines()
                .map(str::trim_start)
                .find(|l| l.starts_with('\\'))
                .map(|l| l.split_whitespace().next().unwrap_or("\\").to_string());
            return match meta {
                Some(command) => apply(
                    Some(format!("syntax error: `{command}` is a psql meta-command, not SQL")),
                    "migration tools send the file to the server as it is; remove psql meta-commands",
                ),
                None => apply(
                    Some("syntax error: PostgreSQL cannot parse this statement".to_string()),
                    "fix the SQL at the position shown; run it in psql against the same PostgreSQL version to iterate",
                ),
            };
        }
        "42501" if message.contains("foreign-data wrapper") => {
            return foreign_data_wrapper(statement, cx);
        }
        "22023" => {
            if let Some(explanation) = option_beyond_emulation(message, statement, cx) {
                return explanation;
            }
        }
        "XX000" if wrapper_handler_called(message, cx) => {
            return Explanation {
                rule: registry::EXTENSION_UNAVAILABLE,
                cause: Some("a foreign table of Supabase Wrappers was read (or a foreign schema imported): schemagate's emulation of `wrappers` lets wrappers, servers and foreign tables be created, but its handlers fetch nothing".to_string()),
                help: extension_remedy("wrappers"),
            };
        }
        "42501" if needs_superuser(message, statement) => {
            return apply(
                Some("this needs a superuser, which hosted Supabase does not give migrations: they run as `postgres`, a role without superuser, and so does schemagate (running programs or reading files on the server, ALTER SYSTEM, superuser roles, untrusted languages and extensions are refused)".to_string()),
                "do this outside the migrations (the Supabase dashboard or support), or use what a non-superuser may: COPY FROM STDIN, trusted languages (plpgsql, sql), the extensions Supabase allows",
            );
        }
        _ => {}
    }
    if matches!(code, "42P07" | "42710" | "42723" | "42P06" | "42701") {
        return already_exists(message, cx);
    }
    let Some(missing) = missing_object(message) else {
        return apply(
            None,
            "fix the statement; the files after it were not applied",
        );
    };
    if let Missing::Extension(name) = &missing {
        return Explanation {
            rule: registry::EXTENSION_UNAVAILABLE,
            cause: Some(format!("this PostgreSQL server has no extension `{name}`, and schemagate does not emulate it")),
            help: extension_remedy(name),
        };
    }
    let later = &cx.applied[(cx.failed + 1).min(cx.applied.len())..];
    if let Some((file, line)) = found_in_migrations(later, &missing) {
        return apply(
            Some(format!(
                "order problem: {} is created only by a later migration, `{}` (line {line})",
                missing.display(),
                file.path
            )),
            "give the file that creates it an earlier version than this one (or move this statement after it)",
        );
    }
    for (path, why) in skipped_files(cx.set) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Some(line) = creates(&text, &missing) {
                return apply(
                    Some(format!(
                        "{} is created by `{path}` (line {line}), but {why}",
                        missing.display()
                    )),
                    "rename that file to <version>_<name>.sql with a version before this migration, and move it into the migrations folder itself",
                );
            }
        }
    }
    if let Some(extension) = extension_providing(&missing) {
        if let Some(unavailable) = not_emulated(extension, &missing, cx) {
            return unavailable;
        }
        let so_far = cx.applied.get(..=cx.failed).unwrap_or(cx.applied);
        if !creates_extension(so_far, extension) {
            return apply(
                Some(format!(
                    "{} comes from the `{extension}` extension, which no migration creates before this statement",
                    missing.display()
                )),
                &format!("add `create extension if not exists \"{extension}\";` to a migration before this one"),
            );
        }
    }
    if let Some(extension) = missing.schema().and_then(extension_of_schema) {
        return apply(
            Some(format!(
                "{} belongs to the {extension} extension, which no migration creates (it was enabled outside the migrations, e.g. in the dashboard)",
                missing.display()
            )),
            &format!("add `create extension if not exists {extension};` to a migration before this one"),
        );
    }
    if let Missing::Column { column, .. } = &missing {
        if let Some(catalog) = SYSTEM_CATALOG.find(statement) {
            let created_anywhere = cx.applied.iter().any(|m| {
                m.source
                    .as_ref()
                    .is_some_and(|s| creates(&s.text, &missing).is_some())
            });
            if !created_anywhere {
                return apply(
                    Some(format!(
                        "no migration has a column `{column}`, and the statement reads the system catalog `{}`: it names a column this PostgreSQL version does not have (a bug in the query, or written for another version)",
                        catalog.as_str()
                    )),
                    "check the column names against the PostgreSQL documentation of that catalog view",
                );
            }
        }
    }
    if let Some(closest) = cx.known.closest(&missing, statement) {
        return apply(
            Some(format!(
                "{} does not exist; did you mean `{closest}`?",
                missing.display()
            )),
            "fix the name (a typo, or a name that changed in an earlier migration)",
        );
    }
    if cx.supabase
        && missing
            .schema()
            .is_some_and(|s| crate::supabase::MANAGED_SCHEMAS.contains(&s))
    {
        return apply(
            Some(format!(
                "{} is not part of what schemagate's Supabase prelude provides",
                missing.display()
            )),
            "if your Supabase project has it, apply against a supabase/postgres container with --database-url (and please report it)",
        );
    }
    apply(
        Some(format!(
            "no migration creates {}: it exists only in a database that was changed outside the migrations (dashboard, SQL editor), so a fresh database cannot be rebuilt from this folder",
            missing.display()
        )),
        "capture the missing schema: as a baseline applied before the migrations (`schemagate dump-schema --database-url URL -o baseline.sql` of the database that has it, or `supabase db dump`, then `baseline = \"baseline.sql\"` in schemagate.toml; docs/baselines.md), or in a migration placed before this file (`supabase db pull`)",
    )
}

/// The names a database has, by kind: what "did you mean" picks from. Columns are
/// `schema.table.column`, the others `schema.name`.
#[derive(Debug, Default)]
pub struct KnownNames {
    names: Vec<(String, String)>,
}

/// Relations, columns, functions and types outside the system schemas, and the built-in
/// functions and types (`gen_random_uuid`, `timestamptz`), which typos also miss.
const KNOWN_NAMES: &str = "
select 'relation', n.nspname || '.' || c.relname
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
   and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
union all
select 'column', n.nspname || '.' || c.relname || '.' || a.attname
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
 where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f')
   and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
union all
select distinct 'function', n.nspname || '.' || p.proname
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname <> 'information_schema' and n.nspname not like 'pg\\_toast%'
union all
select 'type', n.nspname || '.' || t.typname
  from pg_type t join pg_namespace n on n.oid = t.typnamespace
 where t.typtype in ('b', 'd', 'e', 'r', 'm') and t.typname not like '\\_%'
   and n.nspname <> 'information_schema' and n.nspname not like 'pg\\_toast%'";

impl KnownNames {
    /// Reads the names of the database `client` is connected to; on error none (the
    /// explanation then goes without "did you mean").
    pub async fn load(client: &tokio_postgres::Client) -> KnownNames {
        let rows = client.query(KNOWN_NAMES, &[]).await.unwrap_or_default();
        KnownNames {
            names: rows
                .iter()
                .filter_map(|row| Some((row.try_get(0).ok()?, row.try_get(1).ok()?)))
                .collect(),
        }
    }

    /// The existing name closest to `missing` by edit distance, when one is close enough
    /// to be a typo. Schemas are compared only when the message names one; a column is
    /// looked for in its table, or in the tables the statement mentions.
    pub fn closest(&self, missing: &Missing, statement: &str) -> Option<String> {
        let (kind, wanted, schema) = match missing {
            Missing::Relation(n) => ("relation", &n.name, n.schema.as_deref()),
            Missing::Function(n) => ("function", &n.name, n.schema.as_deref()),
            Missing::Type(n) => ("type", &n.name, n.schema.as_deref()),
            Missing::Column { column, .. } => ("column", column, None),
            _ => return None,
        };
        let statement = statement.to_lowercase();
        let candidates = self
            .names
            .iter()
            .filter(|(k, _)| k == kind)
            .filter_map(|(_, name)| {
                let (owner, base) = name.rsplit_once('.')?;
                let fits = match missing {
                    Missing::Column {
                        table: Some(table), ..
                    } => owner.rsplit_once('.').is_some_and(|(s, t)| {
                        t == table.name && table.schema.as_deref().is_none_or(|w| w == s)
                    }),
                    Missing::Column { table: None, .. } => owner
                        .rsplit_once('.')
                        .is_some_and(|(_, t)| statement.contains(&t.to_lowercase())),
                    _ => schema.is_none_or(|w| w == owner),
                };
                fits.then_some((name, base))
            });
        let limit = (wanted.chars().count() / 3).min(2);
        let (distance, name) = candidates
            .map(|(name, base)| (strsim::levenshtein(wanted, base), name))
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))?;
        // Distance 0: the name exists, so the failure is not a typo.
        (distance > 0 && distance <= limit).then(|| display_name(missing, name))
    }
}

/// A name as a suggestion: built-in functions and types without `pg_catalog.`, a column
/// as `table.column`.
fn display_name(missing: &Missing, name: &str) -> String {
    match missing {
        Missing::Column { .. } => name
            .split_once('.')
            .map_or(name, |(_, rest)| rest)
            .to_string(),
        _ => name.strip_prefix("pg_catalog.").unwrap_or(name).to_string(),
    }
}

static SYSTEM_CATALOG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:pg_catalog\.)?pg_(?:policies|tables|views|roles|user|indexes|class|attribute|namespace|proc|policy|constraint|trigger|type|stat_[a-z_]+|settings|extension|publication[a-z_]*)\b|\binformation_schema\.[a-z_]+")
        .expect("valid regex")
});

static ALREADY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(relation|role|type|function|schema|extension|column|constraint|publication|trigger|policy|index)\s+"?([^"\s(]+)"?.*already exists"#).expect("valid regex")
});

/// "already exists": made earlier by another migration, or something Supabase provides.
fn already_exists(message: &str, cx: &Context<'_>) -> Explanation {
    let named = ALREADY
        .captures(message)
        .map(|c| (c[1].to_string(), c[2].to_string()));
    let earlier = named.as_ref().and_then(|(kind, name)| {
        let missing = match kind.as_str() {
            "relation" | "index" => Missing::Relation(Name::parse(name)),
            "type" => Missing::Type(Name::parse(name)),
            "function" => Missing::Function(Name::parse(name)),
            "schema" => Missing::Schema(name.clone()),
            _ => return None,
        };
        found_in_migrations(&cx.applied[..cx.failed], &missing)
    });
    let supabase_role = named.as_ref().is_some_and(|(kind, name)| {
        kind == "role"
            && [
                "anon",
                "authenticated",
                "service_role",
                "authenticator",
                "supabase_admin",
                "supabase_auth_admin",
                "supabase_storage_admin",
                "dashboard_user",
            ]
            .contains(&name.as_str())
    });
    let (cause, help) = match (earlier, supabase_role) {
        (Some((file, line)), _) => (
            format!("it was already created by an earlier migration, `{}` (line {line})", file.path),
            "drop the duplicate, or make it idempotent (`if not exists`, `create or replace`)",
        ),
        (None, true) => (
            "Supabase projects already have this role".to_string(),
            "do not create Supabase's roles in migrations; guard with `if not exists (select from pg_roles …)` if the file must also run elsewhere",
        ),
        (None, false) if cx.supabase => (
            "it already exists before this statement: created by an earlier statement or by Supabase itself".to_string(),
            "make the statement idempotent (`if not exists`, `create or replace`) or remove the duplicate",
        ),
        (None, false) => (
            "it already exists before this statement".to_string(),
            "make the statement idempotent (`if not exists`, `create or replace`) or remove the duplicate",
        ),
    };
    Explanation {
        rule: registry::APPLY_FAILED,
        cause: Some(cause),
        help: help.to_string(),
    }
}

/// How to get a real extension.
pub fn extension_remedy(name: &str) -> String {
    let package = match name {
        "postgis"
        | "postgis_topology"
        | "postgis_raster"
        | "postgis_tiger_geocoder"
        | "address_standardizer" => Some("postgis-3".to_string()),
        "vector" => Some("pgvector".to_string()),
        "pg_cron" => Some("cron".to_string()),
        "pgrouting" => Some("pgrouting".to_string()),
        "timescaledb" => None,
        other => Some(other.replace('_', "-")),
    };
    let install = match package {
        Some(package) => format!("install it on the server (Debian/Ubuntu: `apt-get install postgresql-<major>-{package}`)"),
        None => "install it on the server".to_string(),
    };
    format!("{install}, or pass --database-url pointing to a `supabase/postgres` container, which has every Supabase extension")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_superuser_only_actions_from_missing_grants() {
        for (message, statement) in [
            ("must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program", "copy t from program 'id'"),
            ("must be superuser to create superusers", "create role x superuser"),
            // PostgreSQL 16+.
            ("permission denied to COPY to or from an external program", "copy t from program 'id'"),
            ("permission denied to COPY from a file", "copy t from '/etc/passwd'"),
            ("permission denied to create role", "create role boss superuser"),
            ("permission denied to set parameter \"work_mem\"", "ALTER SYSTEM set work_mem = '1MB'"),
            ("permission denied for language c", "create function f() returns int language c as 'x'"),
            ("permission denied for function pg_read_file", "select pg_read_file('x')"),
            ("permission denied to create extension \"plpython3u\"", "create extension plpython3u"),
        ] {
            assert!(needs_superuser(message, statement), "{message}");
        }
        for (message, statement) in [
            ("permission denied for table notes", "select * from notes"),
            (
                "must be owner of database precious",
                "drop database precious",
            ),
            (
                "permission denied to set parameter \"work_mem\"",
                "alter role x set work_mem = '1MB'",
            ),
            (
                "permission denied to create role",
                "create role helper nosuperuser",
            ),
        ] {
            assert!(!needs_superuser(message, statement), "{message}");
        }
    }

    #[test]
    fn reads_missing_objects_from_messages() {
        assert_eq!(
            missing_object(r#"relation "public.user_balances" does not exist"#),
            Some(Missing::Relation(Name {
                schema: Some("public".into()),
                name: "user_balances".into()
            }))
        );
        assert_eq!(
            missing_object(
                r#"column "strength_mod" of relation "official_monsters" does not exist"#
            ),
            Some(Missing::Column {
                column: "strength_mod".into(),
                table: Some(Name {
                    schema: None,
                    name: "official_monsters".into()
                })
            })
        );
        assert_eq!(
            missing_object("function auth.nope(uuid) does not exist"),
            Some(Missing::Function(Name {
                schema: Some("auth".into()),
                name: "nope".into()
            }))
        );
        assert_eq!(
            missing_object(
                r#"could not open extension control file "/usr/share/postgresql/15/extension/postgis.control": No such file or directory"#
            ),
            Some(Missing::Extension("postgis".into()))
        );
    }

    #[test]
    fn names_the_extension_that_provides_an_object() {
        let function = |name: &str| Missing::Function(Name::parse(name));
        assert_eq!(
            extension_providing(&function("create_hypertable")),
            Some("timescaledb")
        );
        assert_eq!(
            extension_providing(&function("extensions.id_encode")),
            Some("pg_hashids")
        );
        assert_eq!(
            extension_providing(&Missing::OperatorClass("rum_tsvector_ops".into())),
            Some("rum")
        );
        assert!(emulation_provides(
            "timescaledb",
            &function("create_hypertable")
        ));
        assert_eq!(
            extension_providing(&function("extensions.stripe_fdw_handler")),
            Some("wrappers")
        );
        assert_eq!(extension_providing(&function("postgres_fdw_handler")), None);
        assert_eq!(
            extension_providing(&Missing::AccessMethod("pgroonga".into())),
            Some("pgroonga")
        );
        assert_eq!(
            extension_providing(&Missing::OperatorClass("gin_trgm_ops".into())),
            Some("pg_trgm")
        );
        assert_eq!(
            extension_providing(&Missing::Type(Name::parse("geography"))),
            Some("postgis")
        );
        assert_eq!(extension_providing(&function("public.my_handler")), None);
        assert_eq!(
            missing_object(r#"access method "pgroonga" does not exist"#),
            Some(Missing::AccessMethod("pgroonga".into()))
        );
        assert!(emulation_provides(
            "vector",
            &Missing::Type(Name::parse("vector"))
        ));
        assert!(emulation_provides(
            "pgroonga",
            &Missing::AccessMethod("pgroonga".into())
        ));
        assert!(emulation_provides(
            "wrappers",
            &function("stripe_fdw_handler")
        ));
        assert!(!emulation_provides(
            "wrappers",
            &function("helloworld_fdw_handler")
        ));
        assert!(!emulation_provides(
            "postgis",
            &Missing::Type(Name::parse("box2d"))
        ));
    }

    #[test]
    fn suggests_the_closest_existing_name() {
        let known = KnownNames {
            names: [
                ("relation", "public.accounts"),
                ("relation", "public.accents"),
                ("relation", "auth.users"),
                ("column", "public.accounts.balance"),
                ("column", "public.ledger.balance_cents"),
                ("function", "pg_catalog.gen_random_uuid"),
                ("type", "pg_catalog.timestamptz"),
            ]
            .map(|(k, n)| (k.to_string(), n.to_string()))
            .to_vec(),
        };
        let relation = |name: &str| Missing::Relation(Name::parse(name));
        assert_eq!(
            known.closest(&relation("public.acounts"), ""),
            Some("public.accounts".into())
        );
        assert_eq!(
            known.closest(&relation("auth.user"), ""),
            Some("auth.users".into())
        );
        assert_eq!(
            known.closest(&relation("other.acounts"), ""),
            None,
            "another schema"
        );
        assert_eq!(
            known.closest(&relation("public.invoices"), ""),
            None,
            "too far"
        );
        assert_eq!(
            known.closest(&relation("public.accounts"), ""),
            None,
            "exists"
        );
        let column = |column: &str, table: Option<&str>| Missing::Column {
            column: column.into(),
            table: table.map(Name::parse),
        };
        assert_eq!(
            known.closest(&column("balanse", Some("accounts")), ""),
            Some("accounts.balance".into())
        );
        assert_eq!(
            known.closest(
                &column("balanse", None),
                "select balanse from public.accounts"
            ),
            Some("accounts.balance".into())
        );
        assert_eq!(known.closest(&column("balanse", None), "select 1"), None);
        assert_eq!(
            known.closest(&Missing::Function(Name::parse("gen_random_uid")), ""),
            Some("gen_random_uuid".into())
        );
    }

    #[test]
    fn finds_creations_respecting_schema_and_table() {
        let text = "select 1;\ncreate table if not exists public.sneakers (id int);\nalter table shoes add column size int;";
        assert_eq!(
            creates(text, &Missing::Relation(Name::parse("sneakers"))),
            Some(2)
        );
        assert_eq!(
            creates(text, &Missing::Relation(Name::parse("other.sneakers"))),
            None
        );
        let column = |t: &str| Missing::Column {
            column: "size".into(),
            table: Some(Name::parse(t)),
        };
        assert_eq!(creates(text, &column("shoes")), Some(3));
        assert_eq!(creates(text, &column("hats")), None);
        assert_eq!(
            creates(
                "create or replace function public.f(a int) returns int",
                &Missing::Function(Name::parse("f"))
            ),
            Some(1)
        );
    }
}
