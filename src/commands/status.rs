//! `schemagate status --database-url URL [PATH]`: the folder against a live database's
//! applied history. Read-only: one READ ONLY transaction, rolled back.

use crate::cli::StatusArgs;
use crate::findings::Finding;
use crate::migrations::{self, file_location};
use crate::remote::{self, History, State, StatusRow};
use crate::report::Report;
use crate::rules::registry;
use crate::Failure;

pub fn run(args: StatusArgs) -> Result<bool, Failure> {
    let folder = &super::one_folder(&args.path, args.common.layout)?;
    let config = super::load_config(folder, &args.common)?;
    let set = migrations::load(folder, config.layout);
    let history = read_remote(&args.database_url, set.layout)?;
    let rows = match &history {
        Some(history) => remote::compare(&set, history),
        None => remote::compare(
            &set,
            &History {
                format: remote::HistoryFormat::Supabase,
                entries: Vec::new(),
                up_to: None,
            },
        ),
    };
    if history.is_none() && !args.common.quiet {
        eprintln!("note: the database has no migration history table: every migration is pending");
    }
    let findings = crate::lint::finalize(&set, &config, findings_of(&rows));
    let sets = [set];
    let report = Report {
        command: "status",
        sets: &sets,
        findings,
        fail_on: args.common.fail_on,
        fail_on_existing: false,
        status: Some(rows),
        apply: Vec::new(),
        changes: None,
    };
    super::emit(&report, &args.common)
}

fn read_remote(url: &str, layout: migrations::Layout) -> Result<Option<History>, Failure> {
    let runtime = super::runtime()?;
    let shown = super::redact::redact_url(url);
    runtime.block_on(async {
        let config = crate::postgres::connect::parse(url)?;
        let mut client = crate::postgres::connect::connect(&config, &shown).await?;
        let read = async {
            let transaction = client.build_transaction().read_only(true).start().await?;
            let history = remote::read_history(&transaction, layout).await?;
            transaction.rollback().await?;
            Ok::<_, tokio_postgres::Error>(history)
        }
        .await
        .map_err(|e| {
            Failure::Environment(format!(
                "reading the migration history from {shown} failed: {}",
                crate::postgres::connect::reason(&e)
            ))
        });
        drop(client);
        read
    })
}

fn findings_of(rows: &[StatusRow]) -> Vec<Finding> {
    rows.iter()
        .filter_map(|row| {
            let (rule, message, help) = match row.state {
                State::Applied | State::Pending => return None,
                State::MissingLocally => (
                    registry::REMOTE_ONLY_MIGRATION,
                    format!("version {} is applied in the database but no local file has it", row.version),
                    "restore the file from the branch that applied it, or capture the remote schema into a new migration",
                ),
                State::OutOfOrder => (
                    registry::OUT_OF_ORDER_MIGRATION,
                    format!("version {} is pending but older than the newest applied version", row.version),
                    "rename it with a version after the newest applied one (`schemagate fix --renumber`)",
                ),
                State::Edited => (
                    registry::EDITED_APPLIED_MIGRATION,
                    format!("version {} changed after the database applied it", row.version),
                    "restore the applied content and put the change in a new migration",
                ),
                State::Failed => (
                    registry::REMOTE_MIGRATION_FAILED,
                    format!("the database's history records version {} as failed or dirty", row.version),
                    "inspect what it left behind, fix the schema, then repair the history with the migration tool",
                ),
            };
            let mut finding = registry::finding(rule, message)
                .with_help(help)
                .with_source(crate::findings::Source::History)
                .with_object(format!("version {}", row.version));
            if let Some(local) = &row.local {
                finding = finding.with_location(file_location(local));
            }
            Some(finding)
        })
        .collect()
}
