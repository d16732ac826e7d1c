//! `schemagate backup`: writes (or, with --verify, checks) a verified `pg_dump` archive and
//! says what it holds, what was left out, whether it restores, and how to restore it.

use crate::backup::{self, Backup, Request};
use crate::cli::BackupArgs;
use crate::report::escape::terminal_line as clean;
use crate::Failure;

pub fn run(args: BackupArgs) -> Result<bool, Failure> {
    let url = super::required_url(args.database_url.as_deref(), "backup needs a database")?;
    if let Some(existing) = &args.verify {
        if !existing.is_file() {
            return Err(Failure::Usage(format!(
                "{} is not a file; --verify takes an archive written by schemagate backup or pg_dump --format=custom",
                existing.display()
            )));
        }
    }
    let request = Request {
        url,
        out: args.out.clone(),
        schema_only: args.schema_only,
        exclude_schemas: args.exclude_schema.clone(),
        include_managed: args.include_managed_schemas,
        pg_bin: args.pg_bin.clone().filter(|p| !p.as_os_str().is_empty()),
        verify_only: args.verify.clone(),
        progress: !args.quiet,
    };
    let runtime = super::runtime()?;
    let backup = runtime.block_on(backup::run(&request))?;
    let passed = backup.verification.passed();
    if !args.quiet || !passed {
        eprint!("{}", summary(&backup, args.verify.is_some()));
    }
    Ok(passed)
}

/// What the run did, for stderr. Names and server messages are the database's; printed as
/// plain lines, with control characters shown escaped so a name cannot forge terminal or
/// CI-runner output.
fn summary(backup: &Backup, verify_only: bool) -> String {
    let path = backup.path.display().to_string();
    let mut out = String::new();
    let what = if backup.schema_only {
        "schema only"
    } else {
        "schema and data"
    };
    if verify_only {
        out.push_str(&format!(
            "checking {} ({}) against {}\n",
            clean(&path),
            backup::human_size(backup.bytes),
            backup.server
        ));
    } else {
        out.push_str(&format!(
            "wrote {} ({}, {what}) from {}, on one read-only snapshot\n",
            clean(&path),
            backup::human_size(backup.bytes),
            backup.server
        ));
    }
    if !backup.excluded.is_empty() {
        let why = if backup.supabase {
            " (Supabase manages them; --include-managed-schemas keeps them)"
        } else {
            ""
        };
        out.push_str(&format!(
            "left out: {}{why}\n",
            clean(&backup.excluded.join(", "))
        ));
    }
    let v = &backup.verification;
    if v.passed() {
        let rows = if v.tables > 0 {
            format!(", the same rows in {} tables ({} rows)", v.tables, v.rows)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "verified: restored into a fresh database on {}: the same catalog ({} objects){rows}\n",
            v.restored_on, v.objects
        ));
        out.push_str(&format!(
            "restore it with:\n  {}\n",
            backup::restore_command(&backup.path)
        ));
        return out;
    }
    out.push_str(&format!(
        "error: the backup does NOT verify: restored into a fresh database on {}, it is not the same database\n",
        v.restored_on
    ));
    const SHOWN: usize = 20;
    for line in v.restore_errors.iter().take(SHOWN) {
        out.push_str(&format!("  restore: {}\n", clean(line)));
    }
    for change in v.differences.iter().take(SHOWN) {
        let (kind, identity) = change.key();
        let how = match change {
            crate::diff::Change::Added { .. } => "only in the restored database",
            crate::diff::Change::Removed { .. } => "missing from the restored database",
            crate::diff::Change::Changed { .. } => "differs",
        };
        out.push_str(&format!("  {kind} {}: {how}\n", clean(identity)));
    }
    for (table, expected, found) in v.row_differences.iter().take(SHOWN) {
        out.push_str(&format!(
            "  table {}: {expected} rows in the database, {found} restored\n",
            clean(table)
        ));
    }
    let total = v.restore_errors.len() + v.differences.len() + v.row_differences.len();
    if total > 3 * SHOWN {
        out.push_str("  … (more not shown)\n");
    }
    out.push_str("do not rely on this archive; run the backup again, and check the pg_dump and pg_restore versions (--pg-bin)\n");
    out
}
