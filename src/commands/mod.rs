//! One module per command: each turns parsed arguments into a result for `main`.
//! `Ok(true)` = gate passed (exit 0), `Ok(false)` = gate failed (exit 1).

mod backup;
mod check;
mod deploy;
mod diff;
mod dump;
mod fix;
mod inspect;
mod lint;
mod publish;
pub(crate) mod redact;
mod rules;
mod status;

use crate::cli::{Color, Command, CommonArgs, OutputSpec};
use crate::config::{Config, Overrides};
use crate::report::{self, Report};
use crate::Failure;
use clap::Parser;
use clap::ValueEnum;
use std::io::IsTerminal;
use std::io::Write as _;
use std::path::Path;

pub fn run(cli: crate::cli::Cli) -> Result<bool, Failure> {
    crate::postgres::connect::set_connect_timeout(cli.connect_timeout);
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Status(args) => status::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Rules(args) => rules::list(args),
        Command::Explain { rule } => rules::explain(&rule),
        Command::Fix(args) => fix::run(args),
        Command::DumpSchema(args) => dump::dump_schema(args),
        Command::Squash(args) => dump::squash(args),
        Command::Backup(args) => backup::run(args),
        Command::Deploy(args) => deploy::run(args),
        Command::Action => {
            let args = crate::github::action::check_args(&crate::github::context::process_env())?;
            let cli = crate::cli::Cli::try_parse_from(
                std::iter::once("schemagate".to_string()).chain(args),
            )
            .map_err(|error| {
                let message = error.to_string();
                let message = message.trim_start_matches("error: ");
                Failure::Usage(format!("the action inputs are invalid: {message}"))
            })?;
            run(cli)
        }
    }
}

/// The single-threaded runtime a command's database work runs on.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Environment(format!("cannot start the async runtime: {error}")))
}

/// The `--database-url` a command cannot work without (`DATABASE_URL` counts; blank does
/// not): a usage error that says how to give it.
pub(crate) fn required_url<'a>(url: Option<&'a str>, what: &str) -> Result<&'a str, Failure> {
    url.filter(|url| !url.trim().is_empty()).ok_or_else(|| {
        Failure::Usage(format!(
            "{what}: pass --database-url postgresql://user:password@host:port/dbname or set DATABASE_URL"
        ))
    })
}

/// The one migrations folder `path` names (a folder, or a root with exactly one below it),
/// for commands that work on one history at a time.
pub(crate) fn one_folder(
    path: &Path,
    layout: Option<crate::migrations::Layout>,
) -> Result<std::path::PathBuf, Failure> {
    if !path.is_dir() {
        return Err(Failure::Usage(format!(
            "{} is not a folder; pass the migrations folder or the repository root",
            path.display()
        )));
    }
    let mut folders = crate::migrations::find_folders(path, layout)?;
    if folders.len() != 1 {
        let list: Vec<String> = folders
            .iter()
            .map(|f| crate::migrations::display_path(f))
            .collect();
        return Err(Failure::Usage(format!(
            "{} holds several migration folders ({}); pass one of them",
            path.display(),
            list.join(", ")
        )));
    }
    Ok(folders.remove(0))
}

/// `-v`: the folder's layout and file count, and what the layout ignores in it, on stderr.
pub(crate) fn describe_folder(set: &crate::migrations::MigrationSet) {
    eprintln!(
        "{}: {} layout, {} files",
        crate::migrations::display_path(&set.root),
        set.layout.as_str(),
        set.migrations.len()
    );
    for (path, reason) in &set.ignored {
        eprintln!("  ignored {path}: {reason}");
    }
}

/// The effective configuration for migrations at `target`.
pub(crate) fn load_config(target: &Path, common: &CommonArgs) -> Result<Config, Failure> {
    let overrides = Overrides {
        config_file: common.config.clone(),
        profile: common.profile,
        exposed_schemas: common.exposed_schemas.clone(),
        api_roles: common.api_roles.clone(),
        layout: common.layout,
    };
    load_config_with(target, &overrides, common.verbose)
}

/// [`load_config`] from explicit overrides.
pub(crate) fn load_config_with(
    target: &Path,
    overrides: &Overrides,
    verbose: bool,
) -> Result<Config, Failure> {
    let config = Config::load(target, overrides).map_err(|error| {
        Failure::Usage(format!(
            "{error}\nfix the file, or pass another with --config"
        ))
    })?;
    if verbose {
        for source in &config.sources {
            eprintln!("config: {}", source.display());
        }
        eprintln!(
            "profile: {} ({})",
            config.profile.as_str(),
            config.profile_reason
        );
        if config.serves_api() {
            eprintln!(
                "API: schemas {}, roles {}",
                config.exposed_schemas.join(", "),
                config.api_roles.join(", ")
            );
        }
    }
    Ok(config)
}

/// Prints the report in the chosen format and writes each `--output`; returns whether
/// the gate passed.
pub(crate) fn emit(report: &Report<'_>, common: &CommonArgs) -> Result<bool, Failure> {
    emit_with(report, common, publish::env_render_options())
}

/// [`emit`] with links (source lines at a commit, the HTML report's URL) for commands
/// that know them.
pub(crate) fn emit_with(
    report: &Report<'_>,
    common: &CommonArgs,
    options: report::RenderOptions,
) -> Result<bool, Failure> {
    crate::postgres::cleanup::halt_if_interrupted();
    let color = match common.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let stdout_options = report::RenderOptions {
        color,
        verbose: common.verbose,
        quiet: common.quiet,
        min_severity: common.severity,
        ..options.clone()
    };
    write_outputs(report, common, &options)?;
    print_report(report, common.format, &stdout_options)?;
    Ok(report.passed())
}

/// Prints the report on stdout; the runner executes the `github` format's workflow commands
/// (and only those: see `github::stop_commands`).
pub(crate) fn print_report(
    report: &Report<'_>,
    format: crate::cli::Format,
    options: &report::RenderOptions,
) -> Result<(), Failure> {
    if format == crate::cli::Format::Github {
        let text = report::render(report, format, options);
        crate::github::stop_commands::with_commands(|| print!("{text}"));
        return Ok(());
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    report::write(report, format, options, &mut stdout)
        .and_then(|()| stdout.flush())
        .map_err(|error| Failure::Environment(format!("cannot print the report: {error}")))
}

/// Writes every `--output FORMAT=PATH` file.
pub(crate) fn write_outputs(
    report: &Report<'_>,
    common: &CommonArgs,
    options: &report::RenderOptions,
) -> Result<(), Failure> {
    crate::postgres::cleanup::halt_if_interrupted();
    for output in &common.outputs {
        write_output(report, output, options)?;
        if !common.quiet {
            let format = output
                .format
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default();
            eprintln!("wrote the {format} report to {}", output.path.display());
        }
    }
    Ok(())
}

/// Writes one `--output FORMAT=PATH` file (tty without colour, creating parent folders).
fn write_output(
    report: &Report<'_>,
    output: &OutputSpec,
    options: &report::RenderOptions,
) -> Result<(), Failure> {
    let path = &output.path;
    let failure = |error: std::io::Error| {
        Failure::Environment(format!(
            "cannot write the report to {}: {error}; pass a writable path to --output",
            path.display()
        ))
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(failure)?;
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(failure)?);
    report::write(report, output.format, options, &mut file)
        .and_then(|()| file.flush())
        .map_err(failure)
}

/// The baseline's skipped statements on stderr: how many, and with `-v` each of them.
pub(crate) fn note_baseline(baseline: &crate::postgres::baseline::BaselineApplied, verbose: bool) {
    if baseline.skipped.is_empty() {
        return;
    }
    eprintln!(
        "note: baseline {}: {} skipped (on what the server already has or the apply role may not change){}",
        baseline.path,
        crate::report::plural(baseline.skipped.len(), "statement"),
        if verbose { ":" } else { "; -v lists them" }
    );
    if verbose {
        for skipped in &baseline.skipped {
            eprintln!("  {skipped}");
        }
    }
}
