//! `schemagate deploy`: loads the folder, runs `deploy::deploy`, says what happened.

use crate::cli::{DeployArgs, DeployFormat};
use crate::config::Overrides;
use crate::deploy::{self, run, Deploy, Stage};
use crate::findings::{Finding, Severity};
use crate::migrations;
use crate::report::escape::terminal_line as clean;
use crate::Failure;
use std::io::IsTerminal;

pub fn run(args: DeployArgs) -> Result<bool, Failure> {
    let url = super::required_url(
        args.database_url.as_deref(),
        "deploy needs the database to deploy to",
    )?;
    if !args.path.is_dir() {
        return Err(Failure::Usage(format!(
            "{} is not a folder; pass the migrations folder or the repository root",
            args.path.display()
        )));
    }
    let folders = migrations::find_folders(&args.path, args.layout)?;
    let [folder] = folders.as_slice() else {
        let list: Vec<String> = folders
            .iter()
            .map(|f| migrations::display_path(f))
            .collect();
        return Err(Failure::Usage(format!(
            "{} holds several migration folders ({}); deploy one at a time",
            args.path.display(),
            list.join(", ")
        )));
    };
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
    match args.format {
        DeployFormat::Json => {
            let document = serde_json::to_string_pretty(&outcome).map_err(|e| {
                Failure::Environment(format!("cannot write the JSON document: {e}"))
            })?;
            println!("{document}");
        }
        DeployFormat::Tty => print!("{}", text(&outcome, args.no_backup)),
    }
    Ok(outcome.succeeded())
}

/// The deploy for people: the plan or what was applied, with durations and lock waits,
/// then the verdict.
fn text(deploy: &Deploy, no_backup: bool) -> String {
    let mut out = format!(
        "deploy to {} ({} history)\n",
        deploy.server,
        serde_json::to_value(deploy.history)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    );
    let pending: Vec<&crate::remote::StatusRow> = deploy
        .status
        .iter()
        .filter(|row| {
            matches!(
                row.state,
                crate::remote::State::Pending | crate::remote::State::OutOfOrder
            )
        })
        .collect();
    let applied_before = deploy
        .status
        .iter()
        .filter(|row| row.state == crate::remote::State::Applied)
        .count();
    out.push_str(&format!(
        "pre-flight: {applied_before} applied, {} pending\n",
        pending.len()
    ));
    out.push_str(&findings_lines(&deploy.lint));
    if !deploy.rehearsal.is_empty() {
        out.push_str("rehearsal on a copy of production's schema:\n");
        for outcome in &deploy.rehearsal {
            out.push_str(&outcome_line(outcome));
        }
    }
    if let Some(backup) = &deploy.backup {
        out.push_str(&format!("backup: {} (verified)\n", clean(backup)));
    } else if no_backup && !deploy.applied.is_empty() {
        out.push_str("backup: none (--no-backup)\n");
    }
    if !deploy.applied.is_empty() {
        out.push_str("applied to production:\n");
        for outcome in &deploy.applied {
            out.push_str(&outcome_line(outcome));
        }
    }
    for change in deploy.differences.iter().take(20) {
        let (kind, identity) = change.key();
        out.push_str(&format!(
            "  differs from the rehearsal: {kind} {}\n",
            clean(identity)
        ));
    }
    let catalog_errors: Vec<Finding> = deploy
        .catalog
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect();
    if !catalog_errors.is_empty() {
        out.push_str(&format!(
            "the catalog rules on the deployed database ({} error(s); `schemagate inspect` shows every finding):\n",
            catalog_errors.len()
        ));
        out.push_str(&findings_lines(&catalog_errors));
    }
    let verdict = match (&deploy.stopped, &deploy.reason) {
        (Some(stage), Some(reason)) => format!(
            "deploy stopped at the {}: {}\n",
            match stage {
                Stage::Preflight => "pre-flight",
                Stage::Rehearsal => "rehearsal",
                Stage::Backup => "backup",
                Stage::Apply => "apply",
                Stage::Validation => "validation",
            },
            clean(reason)
        ),
        _ if pending.is_empty() => "nothing to deploy: every migration is applied\n".to_string(),
        _ if deploy.dry_run => format!(
            "dry run: {} migration(s) would be deployed; nothing was written\n",
            pending.len()
        ),
        _ => format!(
            "deployed {} migration(s); the database's schema equals the rehearsal's\n",
            deploy.applied.len()
        ),
    };
    out.push_str(&verdict);
    out
}

/// One line per finding: severity, place, message, rule.
fn findings_lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|finding| {
            let at = finding
                .location
                .as_ref()
                .map(|l| format!("{}:{}: ", clean(&l.file), l.line))
                .unwrap_or_default();
            format!(
                "  {} {at}{} [{}]\n",
                finding.severity.as_str(),
                clean(&finding.message),
                finding.rule
            )
        })
        .collect()
}

fn outcome_line(outcome: &run::Outcome) -> String {
    let status = match outcome.status {
        run::Status::Applied => "applied",
        run::Status::Failed => "FAILED",
        run::Status::NotReached => "not applied",
    };
    let mut line = format!("  {status:<11} {}", clean(&outcome.path));
    if outcome.status != run::Status::NotReached {
        line.push_str(&format!(" ({} ms", outcome.duration_ms));
        if outcome.lock_retries > 0 {
            line.push_str(&format!(
                ", {} lock retries, {} ms waiting for locks",
                outcome.lock_retries, outcome.lock_wait_ms
            ));
        }
        line.push(')');
    }
    if let Some(error) = &outcome.error {
        line.push_str(&format!(": {}", clean(error)));
    }
    line.push('\n');
    line
}
