//! Rules from the lock and rewrite trace (docs/trace.md): what PostgreSQL did to the
//! relations that existed before the branch's migrations, observed while `check --base`
//! applied them onto the base's schema ([`crate::postgres::trace`]). Documented here,
//! emitted by [`findings`]; [`reconcile`] lets the trace override the static safety rules'
//! guesses.

mod lock_held_across_statements;
mod lock_timeout_missing;
pub mod reconcile;
mod table_rewrite;
mod validate_in_same_transaction;

pub use lock_held_across_statements::LockHeldAcrossStatements;
pub use lock_timeout_missing::LockTimeoutMissing;
pub use table_rewrite::TableRewrite;
pub use validate_in_same_transaction::ValidateInSameTransaction;

use crate::findings::{Finding, Severity, Source};
use crate::migrations::{Migration, MigrationSet};
use crate::postgres::trace::{FileTrace, Lock, RelKind, StatementTrace};
use crate::rules::registry;
use regex::Regex;
use std::sync::LazyLock;

/// Is `id` one of the rules the trace reports?
pub fn is_trace_rule(id: &str) -> bool {
    [
        registry::TABLE_REWRITE,
        registry::LOCK_HELD_ACROSS_STATEMENTS,
        registry::LOCK_TIMEOUT_MISSING,
        registry::VALIDATE_IN_SAME_TRANSACTION,
    ]
    .iter()
    .any(|rule| rule.id == id)
}

/// What a lock mode blocks of a table, in words; `None` for the modes that block neither
/// reads nor writes (the ones queries and `CONCURRENTLY` take).
pub fn blocks(mode: &str) -> Option<&'static str> {
    match mode {
        "ACCESS EXCLUSIVE" => Some("reads and writes"),
        "EXCLUSIVE" | "SHARE ROW EXCLUSIVE" | "SHARE" => Some("writes"),
        _ => None,
    }
}

/// Locks of a statement that block reads or writes of an existing table.
pub fn blocking(statement: &StatementTrace) -> impl Iterator<Item = &Lock> {
    statement
        .locks
        .iter()
        .filter(|l| l.kind != RelKind::Index && blocks(&l.mode).is_some())
}

/// Until when a lock taken by `statement` is held, in words.
pub fn held_until(statement: &StatementTrace) -> &'static str {
    if statement.in_transaction {
        "until the transaction commits"
    } else {
        "until the statement ends"
    }
}

/// "blocks reads and writes of `public.orders` until the transaction commits".
fn blocks_words(lock: &Lock, statement: &StatementTrace) -> String {
    format!(
        "blocks {} of `{}` {}",
        blocks(&lock.mode).unwrap_or("schema changes"),
        lock.relation,
        held_until(statement)
    )
}

/// Statements that take long on a large table: data changes and `DO` blocks.
static BACKFILL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)^\s*(?:update\b|delete\b|merge\b|do\b|call\b|insert\b.*\bselect\b|with\b.*\b(?:update|delete|insert)\b)",
    )
    .expect("valid regex")
});

/// The findings of the traced files of `set` (migrations found by path).
pub fn findings(set: &MigrationSet, traces: &[FileTrace]) -> Vec<Finding> {
    let mut found = Vec::new();
    for trace in traces {
        if let Some(migration) = set.migrations.iter().find(|m| m.path == trace.path) {
            found.extend(file_findings(migration, trace));
        }
    }
    found
}

/// A traced statement's migration statement and text.
struct Traced<'a> {
    migration: &'a Migration,
}

impl<'a> Traced<'a> {
    fn text(&self, statement: &StatementTrace) -> &'a str {
        match (
            self.migration.statements.get(statement.statement),
            &self.migration.source,
        ) {
            (Some(s), Some(source)) => s.text(source),
            _ => "",
        }
    }

    /// `line 4: update public.orders set …`
    fn short(&self, statement: &StatementTrace) -> String {
        format!(
            "line {}: `{}`",
            statement.line,
            statement.text.trim_end_matches(';')
        )
    }

    fn finding(
        &self,
        rule: &'static crate::rules::RuleMeta,
        statement: &StatementTrace,
        message: String,
    ) -> Finding {
        let location = match self.migration.statements.get(statement.statement) {
            Some(s) => self.migration.statement_location(s),
            None => crate::migrations::file_location(&self.migration.path),
        };
        registry::finding(rule, message)
            .with_source(Source::Apply)
            .with_location(location)
    }
}

fn file_findings(migration: &Migration, trace: &FileTrace) -> Vec<Finding> {
    let traced = Traced { migration };
    let mut found = Vec::new();
    // The locks taken so far in the current transaction: relation → mode.
    let mut held: Vec<&Lock> = Vec::new();
    // Constraints added NOT VALID in the current transaction.
    let mut not_valid: Vec<&str> = Vec::new();
    // Blocking locks taken with no lock_timeout in effect, in order.
    let mut untimed: Vec<(&StatementTrace, &Lock)> = Vec::new();
    for (position, statement) in trace.statements.iter().enumerate() {
        if !statement.in_transaction {
            held.clear();
            not_valid.clear();
        }
        if statement.lock_timeout.is_none() {
            // A lock no stronger than one the transaction holds on the relation waits for
            // nobody.
            let waits = |lock: &&Lock| {
                !held.iter().any(|h| {
                    h.relation == lock.relation && strength(&h.mode) >= strength(&lock.mode)
                })
            };
            untimed.extend(
                blocking(statement)
                    .filter(waits)
                    .map(|lock| (statement, lock)),
            );
        }
        held.extend(&statement.locks);
        rewrites(&traced, statement, &held, &mut found);
        if statement.in_transaction {
            held_across(&traced, &trace.statements[position..], &mut found);
        }
        for name in &statement.constraints_validated {
            if statement.in_transaction && not_valid.contains(&name.as_str()) {
                found.push(
                    traced
                        .finding(
                            registry::VALIDATE_IN_SAME_TRANSACTION,
                            statement,
                            format!(
                                "`{name}` is validated in the same transaction that added it NOT VALID: the scan runs while the lock the ADD CONSTRAINT took is still held, which NOT VALID was meant to avoid"
                            ),
                        )
                        .with_help("validate the constraint in a later migration (another transaction); its scan then takes only a SHARE UPDATE EXCLUSIVE lock, which blocks neither reads nor writes")
                        .with_object(name.clone())
                        .finish(traced.text(statement)),
                );
            }
        }
        not_valid.extend(
            statement
                .constraints_added
                .iter()
                .filter(|(_, valid)| !valid)
                .map(|(name, _)| name.as_str()),
        );
    }
    found.extend(lock_timeout_missing(&traced, &untimed));
    found
}

/// One `lock-timeout-missing` per file, on the first statement that waits for a blocking
/// lock with no `lock_timeout`, naming the later ones: one `set lock_timeout` at the top of
/// the file is the fix for all of them.
fn lock_timeout_missing(traced: &Traced, untimed: &[(&StatementTrace, &Lock)]) -> Option<Finding> {
    let ((statement, lock), later) = untimed.split_first()?;
    let mut message = format!(
        "this statement takes an {} lock on `{}` with no `lock_timeout`: it {}, and while it waits for the lock every query on the table queues behind it",
        lock.mode,
        lock.relation,
        blocks_words(lock, statement)
    );
    if !later.is_empty() {
        const SHOWN: usize = 5;
        let mut named: Vec<String> = later
            .iter()
            .take(SHOWN)
            .map(|(s, l)| format!("line {} on `{}`", s.line, l.relation))
            .collect();
        if later.len() > SHOWN {
            named.push(format!("{} more", later.len() - SHOWN));
        }
        message.push_str(&format!(
            "; {} later in this file, without one either: {}",
            crate::report::plural(later.len(), "lock"),
            named.join(", ")
        ));
    }
    Some(
        traced
            .finding(registry::LOCK_TIMEOUT_MISSING, statement, message)
            .with_help("set a `lock_timeout` at the top of the file (`set lock_timeout = '5s';`) so each statement gives up instead of queueing every query behind it, and retry the migration")
            .with_object(lock.relation.clone())
            .finish(traced.text(statement)),
    )
}

/// `table-rewrite` for each relation `statement` rewrote; an index rebuilt with its table
/// is part of the table's finding.
fn rewrites(traced: &Traced, statement: &StatementTrace, held: &[&Lock], found: &mut Vec<Finding>) {
    let lock_on = |relation: &str| {
        held.iter()
            .filter(|l| l.relation == relation)
            .map(|l| l.mode.as_str())
            .max_by_key(|mode| strength(mode))
    };
    for rewrite in &statement.rewrites {
        let table_rewritten = rewrite
            .table
            .as_ref()
            .is_some_and(|table| statement.rewrites.iter().any(|r| &r.relation == table));
        if table_rewritten {
            continue;
        }
        let what = match rewrite.kind {
            RelKind::Table => "table",
            RelKind::Index => "index",
            RelKind::MaterializedView => "materialized view",
        };
        let indexes: Vec<&str> = statement
            .rewrites
            .iter()
            .filter(|r| r.table.as_deref() == Some(rewrite.relation.as_str()))
            .map(|r| r.relation.as_str())
            .collect();
        let rebuilt = if indexes.is_empty() {
            String::new()
        } else {
            format!(" and rebuilt its indexes ({})", indexes.join(", "))
        };
        let blocked = rewrite.table.as_deref().unwrap_or(&rewrite.relation);
        let lock = match lock_on(&rewrite.relation).or_else(|| lock_on(blocked)) {
            Some(mode) => format!(
                "under an {mode} lock that blocks {} of `{blocked}` {}",
                blocks(mode).unwrap_or("schema changes"),
                held_until(statement)
            ),
            None => format!("under a lock on `{blocked}`"),
        };
        let mut finding = traced
            .finding(
                registry::TABLE_REWRITE,
                statement,
                format!(
                    "this statement rewrote the existing {what} `{}`{rebuilt} {lock}: it copies every row, so it takes as long as the {what} is large in production",
                    rewrite.relation
                ),
            )
            .with_help("add a column of the new type, fill it in batches and switch to it in a short transaction; or make a change PostgreSQL does without a rewrite")
            .with_object(rewrite.relation.clone());
        if rewrite.kind != RelKind::Table {
            finding.severity = Severity::Warning;
        }
        found.push(finding.finish(traced.text(statement)));
    }
}

/// How much a lock mode blocks, for picking the strongest.
fn strength(mode: &str) -> u8 {
    match mode {
        "ACCESS EXCLUSIVE" => 8,
        "EXCLUSIVE" => 7,
        "SHARE ROW EXCLUSIVE" => 6,
        "SHARE" => 5,
        "SHARE UPDATE EXCLUSIVE" => 4,
        "ROW EXCLUSIVE" => 3,
        "ROW SHARE" => 2,
        _ => 1,
    }
}

/// Is this statement slow on a large table: a backfill, a rewrite or a validation scan?
fn slow(traced: &Traced, statement: &StatementTrace) -> bool {
    BACKFILL.is_match(traced.text(statement))
        || !statement.rewrites.is_empty()
        || !statement.constraints_validated.is_empty()
}

/// `lock-held-across-statements` for the blocking locks the first statement of `rest`
/// took, when slow statements of the same transaction run after it.
fn held_across(traced: &Traced, rest: &[StatementTrace], found: &mut Vec<Finding>) {
    let Some((statement, later)) = rest.split_first() else {
        return;
    };
    let later: Vec<&StatementTrace> = later.iter().take_while(|s| s.in_transaction).collect();
    let under: Vec<&StatementTrace> = later.iter().copied().filter(|s| slow(traced, s)).collect();
    if under.is_empty() {
        return;
    }
    let backfill = under.iter().any(|s| BACKFILL.is_match(traced.text(s)));
    let listed: Vec<String> = under.iter().map(|s| traced.short(s)).collect();
    for lock in blocking(statement) {
        found.push(
            traced
                .finding(
                    registry::LOCK_HELD_ACROSS_STATEMENTS,
                    statement,
                    format!(
                        "the {} lock this statement takes on `{}` {}, and is still held while {} of the same transaction {}{}: {}",
                        lock.mode,
                        lock.relation,
                        blocks_words(lock, statement),
                        if under.len() == 1 { "a later statement" } else { "later statements" },
                        if under.len() == 1 { "runs" } else { "run" },
                        if backfill { " (a backfill: the table stays blocked for as long as it takes)" } else { "" },
                        listed.join("; ")
                    ),
                )
                .with_help("commit the schema change on its own (a migration of its own) and run the slow statements in later transactions, in batches")
                .with_object(lock.relation.clone())
                .finish(traced.text(statement)),
        );
    }
}
