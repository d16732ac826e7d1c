//! Command-line definitions. Flags also read from the environment where CI sets them.

use crate::config::{Config, Profile};
use crate::findings::FailOn;
use crate::github::{Context, Settings, Token};
use crate::migrations::Layout;
use crate::postgres::baseline::Baseline;
use crate::postgres::binaries::WantedMajor;
use crate::postgres::{ApplyAs, ServerOptions};
use crate::Failure;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "schemagate",
    version,
    about = "The merge gate for PostgreSQL and Supabase migrations",
    long_about = "The merge gate for PostgreSQL and Supabase migrations.\n\n\
        Lints migration SQL for missing row level security, unindexed foreign keys, unsafe \
        DDL and insecure functions and policies, applies the migrations to a throwaway \
        PostgreSQL to find failures, conflicts and order dependence, and exits non-zero when a \
        finding reaches --fail-on.\n\n\
        Exit codes: 0 gate passed, 1 gate failed, 2 usage or configuration error, \
        3 environment error.",
    after_help = "Examples:\n  schemagate check\n  schemagate lint supabase/migrations\n  schemagate lint . --format json\n  schemagate rules\n  schemagate explain rls-disabled"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Give up reaching a PostgreSQL server (connect, startup, authentication) after this
    /// long, e.g. 10s.
    #[arg(
        long,
        global = true,
        default_value = "10s",
        value_parser = parse_duration,
        env = "SCHEMAGATE_CONNECT_TIMEOUT"
    )]
    pub connect_timeout: std::time::Duration,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The gate: lint, compare with the base branch, apply the migrations to a fresh
    /// PostgreSQL, run the catalog rules and the order check, report (and publish on GitHub),
    /// exit code.
    Check(CheckArgs),
    /// Lint migration files statically (no database). Fast enough for a pre-commit hook.
    Lint(LintArgs),
    /// Run the catalog rules on a live database inside a read-only transaction; nothing
    /// is written.
    Inspect(InspectArgs),
    /// Compare the local folder with a database's applied migration history (read-only):
    /// applied, pending, out of order, edited after apply, missing locally.
    Status(StatusArgs),
    /// The schema changes from the base branch (--base) to this branch, from two applied
    /// catalogs; fails the gate when the branch's migrations give another schema on top of
    /// the base than from scratch (order-dependent-schema).
    Diff(DiffArgs),
    /// List every rule with its default severity, category and summary.
    Rules(RulesArgs),
    /// Show one rule's documentation: why it matters, bad and good SQL, how to suppress.
    Explain {
        /// The rule id, e.g. rls-disabled.
        rule: String,
    },
    /// Rewrite migration files. `--renumber` gives this branch's out-of-order migrations
    /// fresh versions after the base's newest (prints the renames unless --write).
    Fix(FixArgs),
    /// The schema the migrations leave, as one SQL file: applied to a fresh PostgreSQL,
    /// dumped, and verified by applying the dump to another fresh database and comparing
    /// catalogs. With --database-url and no folder: that live database's schema as a
    /// baseline (read-only; Supabase's managed schemas left out).
    DumpSchema(DumpArgs),
    /// Replace a Supabase folder's migrations with one verified file that carries the newest
    /// version (prints the plan unless --write).
    Squash(SquashArgs),
    /// A verified backup of a live database: `pg_dump` in custom format on one read-only
    /// snapshot, restored into a fresh PostgreSQL of the same major and compared (catalog,
    /// and each table's rows); fails when it does not restore to the same database.
    Backup(BackupArgs),
    /// After the merge: check the database's history against the folder, rehearse the
    /// pending migrations on a copy of its schema, back it up (verified), apply them with
    /// lock timeouts and retries, writing the migration tool's history, and validate.
    Deploy(DeployArgs),
    /// The GitHub Action's entrypoint: runs `check` with the action's INPUT_* variables.
    #[command(hide = true)]
    Action,
}

impl Command {
    /// The stdout format, for commands that have one.
    pub fn format(&self) -> Option<Format> {
        match self {
            Command::Check(args) => Some(args.common.format),
            Command::Lint(args) => Some(args.common.format),
            Command::Inspect(args) => Some(args.common.format),
            Command::Status(args) => Some(args.common.format),
            Command::Diff(args) => Some(args.common.format),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  schemagate fix --renumber supabase/migrations --base origin/main --write"
)]
pub struct FixArgs {
    /// Give the branch's migrations that sort before the base's newest fresh versions,
    /// keeping their order.
    #[arg(long, required = true)]
    pub renumber: bool,
    /// The migrations folder (or a folder containing supabase/migrations).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Base branch, tag or commit (default in GitHub Actions: the pull request's base).
    #[arg(long, env = "SCHEMAGATE_BASE")]
    pub base: Option<String>,
    /// Rename the files; without it, only print `old -> new`.
    #[arg(long)]
    pub write: bool,
    /// Config file (default: the nearest schemagate.toml at or above the migrations).
    #[arg(long, env = "SCHEMAGATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Migration folder layout (default: detected).
    #[arg(long, value_enum)]
    pub layout: Option<Layout>,
}

/// Where migrations are applied (`check`, `diff`, `dump-schema`, `squash`).
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Apply in scratch databases on this server instead of an ephemeral cluster; they are
    /// dropped at the end and no other database is touched (pg_dump, for dump-schema, must
    /// be at least the server's version).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The server binaries (postgres, initdb; pg_dump for dump-schema): bin directories or
    /// folders to search below, as a path list (dir1:dir2).
    #[arg(long, env = "PG_BIN")]
    pub pg_bin: Option<PathBuf>,
    /// The PostgreSQL major version to use; exit 3 when it is not installed (default:
    /// supabase/config.toml's [db].major_version, else the newest).
    #[arg(long)]
    pub pg_version: Option<u32>,
    /// Cancel a statement that runs longer than this (e.g. 60s, 2m).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub statement_timeout: std::time::Duration,
    /// Who migrations run as: `migrator`, a role without superuser like hosted Supabase's
    /// postgres; or `superuser`, which lets migrations run programs and read files on this
    /// machine (unsafe for untrusted pull requests).
    #[arg(long, value_enum, default_value_t = ApplyAs::Migrator, env = "SCHEMAGATE_APPLY_AS")]
    pub apply_as: ApplyAs,
    /// A schema dump applied after the prelude and before the migrations, for histories
    /// that do not rebuild from scratch (default: `baseline` in schemagate.toml).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

impl ServerArgs {
    /// The baseline to apply before a folder configured by `config`: `--baseline`, else
    /// `baseline` in its schemagate.toml; read and split once for every apply of the run.
    pub fn baseline(&self, config: &Config) -> Result<Option<Arc<Baseline>>, Failure> {
        let path = self
            .baseline
            .clone()
            .filter(|p| !p.as_os_str().is_empty())
            .or_else(|| config.baseline.clone());
        match (path, &config.baseline_version) {
            (Some(path), version) => Ok(Some(Arc::new(Baseline::load(&path, version.clone())?))),
            (None, Some(version)) => Err(Failure::Usage(format!(
                "baseline-version = \"{version}\" is set without a baseline: name the schema dump that contains those migrations (baseline = \"schema.sql\" in schemagate.toml, or --baseline FILE)"
            ))),
            (None, None) => Ok(None),
        }
    }

    /// How to get a database for a folder configured by `config`.
    pub fn options(&self, config: &Config, lock_timeout: std::time::Duration) -> ServerOptions {
        ServerOptions {
            database_url: self.database_url.clone().filter(|u| !u.is_empty()),
            pg_bin: self.pg_bin.clone().filter(|p| !p.as_os_str().is_empty()),
            pg_major: self
                .pg_version
                .map(WantedMajor::flag)
                .or_else(|| config.pg_major.clone()),
            supabase: config.supabase_prelude(),
            apply_as: self.apply_as,
            lock_timeout,
            statement_timeout: self.statement_timeout,
        }
    }
}

/// Where the migrations come from and where they are applied (`dump-schema`, `squash`).
#[derive(Debug, Args)]
pub struct DumpSource {
    /// The migrations folder (or a folder containing one supabase/migrations folder;
    /// default: the current directory).
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Config file (default: the nearest schemagate.toml at or above the migrations).
    #[arg(long, env = "SCHEMAGATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Migration folder layout (default: detected).
    #[arg(long, value_enum)]
    pub layout: Option<Layout>,
    /// No progress or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

impl DumpSource {
    /// The migrations folder, `.` when none is given.
    pub fn folder(&self) -> PathBuf {
        self.path.clone().unwrap_or_else(|| PathBuf::from("."))
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  schemagate dump-schema supabase/migrations -o schema.sql\n  schemagate dump-schema db/migrations --layout flyway\n  schemagate dump-schema --database-url \"$PRODUCTION_URL\" -o supabase/baseline.sql"
)]
pub struct DumpArgs {
    #[command(flatten)]
    pub source: DumpSource,
    /// Write the SQL to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  schemagate backup --database-url \"$DATABASE_URL\"\n  schemagate backup -o backups/before-deploy.dump --schema-only\n  schemagate backup --verify backups/app-20261207T010000Z.dump\n\nExit codes: 0 verified, 1 written but it does not restore to the same database,\n2 usage error, 3 the database or the PostgreSQL tools cannot be reached."
)]
pub struct BackupArgs {
    /// The database to back up (read-only: nothing is written to it).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The archive to write (default: backups/<database>-<UTC timestamp>.dump; folders are
    /// created).
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only the schema, no rows.
    #[arg(long, conflicts_with = "verify")]
    pub schema_only: bool,
    /// Leave this schema out (repeatable). On a Supabase database the schemas Supabase
    /// manages (auth, storage, realtime, …) are left out too, and named.
    #[arg(long, value_name = "SCHEMA")]
    pub exclude_schema: Vec<String>,
    /// Keep the Supabase-managed schemas in the archive (verification then restores into a
    /// plain PostgreSQL).
    #[arg(long)]
    pub include_managed_schemas: bool,
    /// Check an existing archive against the database instead of writing one: it must
    /// restore to the database as it is now.
    #[arg(long, value_name = "FILE", conflicts_with = "out")]
    pub verify: Option<PathBuf>,
    /// pg_dump, pg_restore and the server binaries for the verification: bin directories or
    /// folders to search below, as a path list (dir1:dir2).
    #[arg(long, env = "PG_BIN")]
    pub pg_bin: Option<PathBuf>,
    /// No progress or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  schemagate deploy --database-url \"$DATABASE_URL\" supabase/migrations --dry-run\n  schemagate deploy --database-url \"$DATABASE_URL\" db/migrations --backup backups/pre-deploy.dump\n\nExit codes: 0 deployed (or nothing pending, or a dry run that would deploy), 1 stopped: drift,\nlint errors, a failed rehearsal, backup or migration, or a schema that differs from the\nrehearsal; 2 usage error; 3 the database or the PostgreSQL tools cannot be reached."
)]
pub struct DeployArgs {
    /// The migrations folder (or a folder containing one).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The database to deploy to.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Stop after the pre-flight and the rehearsal and print the plan; nothing is written.
    #[arg(long)]
    pub dry_run: bool,
    /// Deploy pending migrations older than the newest applied one too.
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Deploy even when the pending migrations have lint errors (say, errors the pull
    /// request's reviewers accepted without a suppression comment).
    #[arg(long)]
    pub allow_lint_errors: bool,
    /// Where the verified backup goes (default: backups/<database>-<UTC timestamp>.dump).
    #[arg(long, value_name = "FILE", conflicts_with = "no_backup")]
    pub backup: Option<PathBuf>,
    /// Deploy without a backup (said in the output).
    #[arg(long)]
    pub no_backup: bool,
    /// Give up on a lock after this long (e.g. 5s, 500ms); the migration is then retried.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub lock_timeout: std::time::Duration,
    /// Retries of a migration whose lock was not available, with doubling pauses.
    #[arg(long, default_value_t = 3)]
    pub lock_retries: u32,
    /// The pause before the first retry (doubled for each next one).
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub retry_backoff: std::time::Duration,
    /// Cancel a statement that runs longer than this (0 for no limit).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub statement_timeout: std::time::Duration,
    /// pg_dump, pg_restore and the server binaries for the rehearsal: bin directories or
    /// folders to search below, as a path list (dir1:dir2).
    #[arg(long, env = "PG_BIN")]
    pub pg_bin: Option<PathBuf>,
    /// `tty` for people, `json` for programs (the whole deploy as one document), `markdown`
    /// (as the GitHub job summary, which a run in Actions also gets), `html` (a page).
    #[arg(long, value_enum, default_value_t = DeployFormat::Tty)]
    pub format: DeployFormat,
    /// Also write FORMAT to PATH (repeatable), e.g. --output html=deploy.html.
    #[arg(long = "output", value_name = "FORMAT=PATH")]
    pub outputs: Vec<OutputSpec<DeployFormat>>,
    /// Config file (default: the nearest schemagate.toml at or above the migrations).
    #[arg(long, env = "SCHEMAGATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Migration folder layout (default: detected).
    #[arg(long, value_enum)]
    pub layout: Option<Layout>,
    /// No progress on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeployFormat {
    Tty,
    Json,
    Markdown,
    Html,
}

impl DeployFormat {
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

#[derive(Debug, Args)]
#[command(after_help = "Example:\n  schemagate squash supabase/migrations --write")]
pub struct SquashArgs {
    #[command(flatten)]
    pub source: DumpSource,
    /// Replace the files; without it, only say what would change.
    #[arg(long)]
    pub write: bool,
    /// With --write: go ahead although some migrations change data (inserts, updates,
    /// function calls such as cron.schedule), which the squashed schema does not carry.
    #[arg(long)]
    pub without_data: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Migration folders or files. A folder containing supabase/migrations folders
    /// (e.g. the repository root) lints each of them.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  schemagate check\n  schemagate check supabase/migrations --base origin/main --output html=report.html\n  schemagate check --database-url postgresql://postgres@localhost/postgres\n  schemagate check --no-apply --format json"
)]
pub struct CheckArgs {
    /// A migrations folder, or the repository root (every supabase/migrations below it).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Lint only: do not start or reach PostgreSQL.
    #[arg(long)]
    pub no_apply: bool,
    /// With a base: do not trace the locks and rewrites of the branch's new migrations
    /// (docs/trace.md); the static safety rules stand alone.
    #[arg(long, env = "SCHEMAGATE_NO_TRACE")]
    pub no_trace: bool,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Cancel a statement that waits longer than this for a lock (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub lock_timeout: std::time::Duration,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub github: GithubArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "Example:\n  schemagate diff --base origin/main supabase/migrations")]
pub struct DiffArgs {
    /// A migrations folder, or the repository root (every supabase/migrations below it).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The database to inspect: postgresql://user:password@host:port/dbname (a unix socket
    /// directory as `?host=/path`).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `500ms`, `10s`, `2m`, or a number of milliseconds.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: use e.g. 500ms, 10s or 2m"))?;
    let millis = match unit.trim() {
        "" | "ms" => number,
        "s" => number * 1000,
        "m" | "min" => number * 60_000,
        _ => {
            return Err(format!(
                "`{text}` is not a duration: use e.g. 500ms, 10s or 2m"
            ))
        }
    };
    if millis == 0 {
        return Err("a timeout of 0 would disable it; give a positive duration".to_string());
    }
    Ok(std::time::Duration::from_millis(millis))
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The migrations folder, or a folder containing one supabase/migrations folder.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The database to compare with (e.g. postgresql://user:pass@host:5432/db). Only read.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = RulesFormat::Tty)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RulesFormat {
    Tty,
    Json,
    /// A Markdown table, as in the README.
    Markdown,
    /// Every rule's full documentation as one Markdown page (docs/rules.md).
    Docs,
}

impl Format {
    /// Does the format show SQL from the files (excerpts), so the text must be kept?
    pub fn shows_sql(self) -> bool {
        matches!(
            self,
            Format::Tty | Format::Summary | Format::Comment | Format::Html
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics for people, with source excerpts.
    Tty,
    /// A stable document for programs (see the README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// GitHub Actions workflow commands (annotations on the changed lines).
    Github,
    /// The job summary in Markdown, as published to $GITHUB_STEP_SUMMARY (also `markdown`).
    #[value(alias = "markdown")]
    Summary,
    /// The pull-request comment in Markdown, exactly as it would be posted (one per folder).
    Comment,
    /// One self-contained HTML page with filters.
    Html,
    /// JUnit XML: one test case per migration file.
    Junit,
}

fn parse_severity(text: &str) -> Result<crate::findings::Severity, String> {
    crate::findings::Severity::parse(text)
        .ok_or_else(|| format!("unknown severity `{text}`: expected error, warning or info"))
}

/// `--output FORMAT=PATH`: one more report written to a file, in one of `F`'s formats
/// (the gate's [`Format`], or `deploy`'s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec<F = Format> {
    pub format: F,
    pub path: PathBuf,
}

impl<F: ValueEnum> std::str::FromStr for OutputSpec<F> {
    type Err = String;

    fn from_str(text: &str) -> Result<OutputSpec<F>, String> {
        let formats = || {
            F::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value())
                .map(|v| v.get_name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some((format, path)) = text.split_once('=') else {
            return Err(format!(
                "expected FORMAT=PATH, e.g. html=schemagate-report.html (formats: {})",
                formats()
            ));
        };
        let format = F::from_str(format.trim(), true)
            .map_err(|_| format!("unknown format `{format}` (formats: {})", formats()))?;
        if path.is_empty() {
            return Err(format!("no path after `{text}`: expected FORMAT=PATH"));
        }
        Ok(OutputSpec {
            format,
            path: PathBuf::from(path),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Tty, env = "SCHEMAGATE_FORMAT")]
    pub format: Format,
    /// Also write a report in FORMAT to PATH (repeatable), e.g.
    /// --output html=schemagate-report.html --output sarif=results.sarif
    #[arg(long = "output", value_name = "FORMAT=PATH")]
    pub outputs: Vec<OutputSpec>,
    /// Config file (default: the nearest schemagate.toml at or above the migrations).
    #[arg(long, env = "SCHEMAGATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Fail the gate on findings of this severity or above.
    #[arg(long, value_enum, default_value_t = FailOn::Error, env = "SCHEMAGATE_FAIL_ON")]
    pub fail_on: FailOn,
    /// The kind of project: supabase (its API, schemas and prelude) or postgres (plain
    /// PostgreSQL: no API rules unless --exposed-schemas and --api-roles say there is an
    /// API). Default: detected (a supabase/ folder or config.toml around the migrations).
    #[arg(long, value_enum, env = "SCHEMAGATE_PROFILE")]
    pub profile: Option<Profile>,
    /// Schemas exposed through the API, comma-separated (default in the supabase profile:
    /// supabase/config.toml's [api].schemas, else public; in the postgres profile: none).
    #[arg(long, value_delimiter = ',')]
    pub exposed_schemas: Option<Vec<String>>,
    /// The roles API clients act as, comma-separated (default in the supabase profile:
    /// anon,authenticated; set them with --exposed-schemas for a PostgREST API).
    #[arg(long, value_delimiter = ',')]
    pub api_roles: Option<Vec<String>>,
    /// Migration folder layout (default: detected).
    #[arg(long, value_enum)]
    pub layout: Option<Layout>,
    /// Only the summary line.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also show suppressed findings, ignored files and where settings came from.
    #[arg(short, long)]
    pub verbose: bool,
    /// Colour in tty output (auto: when stdout is a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// tty output: show only findings of this severity or above (error, warning, info);
    /// the counts, the gate and the other formats still cover every finding.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub severity: Option<crate::findings::Severity>,
    /// Base branch, tag or commit to compare with (default in GitHub Actions: the pull
    /// request's base commit). Enables the history checks, and findings on files this
    /// branch did not change become "existing".
    #[arg(long, env = "SCHEMAGATE_BASE")]
    pub base: Option<String>,
    /// Let existing findings (on files this branch did not change) fail the gate too.
    #[arg(long, env = "SCHEMAGATE_FAIL_ON_EXISTING")]
    pub fail_on_existing: bool,
}

/// Publishing to GitHub (flattened into `check`).
#[derive(Debug, Clone, Args)]
pub struct GithubArgs {
    /// Publish to GitHub: sticky PR comment, check run with annotations, job summary and
    /// step outputs (default: on inside GitHub Actions).
    #[arg(long, overrides_with = "no_github")]
    pub github: bool,
    /// Do not publish to GitHub, even inside GitHub Actions.
    #[arg(long, overrides_with = "github")]
    pub no_github: bool,
    /// GitHub API token (default: the action's github-token input, then GITHUB_TOKEN).
    /// Prefer the environment: other processes can read command-line arguments.
    #[arg(long, value_name = "TOKEN")]
    pub github_token: Option<Token>,
    /// Do not post or update the sticky PR comment.
    #[arg(long)]
    pub no_comment: bool,
    /// Do not create a check run (annotations then come from workflow commands).
    #[arg(long)]
    pub no_check_run: bool,
    /// Name of the check run.
    #[arg(long, value_name = "NAME", default_value = "schemagate")]
    pub check_name: String,
}

impl GithubArgs {
    /// Publish in this run? `--no-github` wins, then `--github`, else only inside Actions.
    pub fn enabled(&self, ctx: &Context) -> bool {
        !self.no_github && (self.github || ctx.in_actions)
    }

    pub fn settings(&self) -> Settings {
        Settings {
            comment: !self.no_comment,
            check_run: !self.no_check_run,
            check_name: self.check_name.clone(),
        }
    }
}
