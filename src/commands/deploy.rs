//! `schemagate deploy`: loads the folder, runs `deploy::deploy`, says what happened.

use crate::cli::{DeployArgs, DeployFormat};
use crate::config::Overrides;
use crate::deploy::{self, run, Deploy};
use crate::migrations;
use crate::report::deploy::{render, Markup};
use crate::Failure;
use std::io::IsTerminal;

pub fn run(args: DeployArgs) -> Result<bool, Failure> {
    let url = super::required_url(
        args.database_url.as_deref(),
        "deploy needs the database to deploy to",
    )?;
    let folder = &super::one_folder(&args.path, args.layout)?;
    let overrides = Overrides {
        config_file: args.config.clone(),
        profile: None,
        exposed_schemas: None,
        api_roles: None,
        layout: args.layout,
    };
    let config = super::load_config_with(folder, &overrides, false)?;
    let set = migrations::load(folder, config.layout);
    let progress =
        !args.quiet && (args.format == DeployFormat::Tty || std::io::stderr().is_terminal());
    let request = deploy::Request {
        url,
        set: &set,
        config: &config,
        settings: run::Settings {
            lock_timeout: args.lock_timeout,
            statement_timeout: args.statement_timeout,
            lock_retries: args.lock_retries,
            backoff: args.retry_backoff,
            progress,
        },
        allow_out_of_order: args.allow_out_of_order,
        allow_lint_errors: args.allow_lint_errors,
        dry_run: args.dry_run,
        backup: args.backup.clone(),
        no_backup: args.no_backup,
        pg_bin: args.pg_bin.clone().filter(|p| !p.as_os_str().is_empty()),
        progress,
    };
    let runtime = super::runtime()?;
    let outcome = runtime.block_on(deploy::deploy(&request))?;
    print!("{}", rendered(&outcome, args.no_backup, args.format)?);
    for output in &args.outputs {
        let text = rendered(&outcome, args.no_backup, output.format)?;
        std::fs::write(&output.path, text).map_err(|e| {
            Failure::Environment(format!("cannot write {}: {e}", output.path.display()))
        })?;
        if !args.quiet {
            eprintln!(
                "wrote the {} report to {}",
                output.format.name(),
                output.path.display()
            );
        }
    }
    // In GitHub Actions, the job summary (as `check` writes it).
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        let markdown = render(&outcome, args.no_backup, Markup::Markdown);
        crate::github::step::append_summary(std::path::Path::new(&summary), &markdown)
            .map_err(|e| Failure::Environment(format!("cannot write GITHUB_STEP_SUMMARY: {e}")))?;
    }
    Ok(outcome.succeeded())
}

fn rendered(deploy: &Deploy, no_backup: bool, format: DeployFormat) -> Result<String, Failure> {
    Ok(match format {
        DeployFormat::Json => {
            let document = serde_json::to_string_pretty(deploy).map_err(|e| {
                Failure::Environment(format!("cannot write the JSON document: {e}"))
            })?;
            format!("{document}\n")
        }
        DeployFormat::Tty => render(deploy, no_backup, Markup::Tty),
        DeployFormat::Markdown => render(deploy, no_backup, Markup::Markdown),
        DeployFormat::Html => render(deploy, no_backup, Markup::Html),
    })
}
