use crate::declare_rule;
use crate::findings::Finding;
use crate::migrations::{Layout, Migration};
use crate::rules::{LintContext, Rule, RuleMeta};
use crate::sql::fallback::leading_words;
use crate::sql::Statement;

declare_rule! {
    /// ## What it does
    /// Reports `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK` and `ABORT` in a
    /// migration that its tool already runs inside a transaction of its own: the Supabase
    /// CLI (`supabase db push`, `migration up`: a file and its history row are one batch,
    /// one transaction), Flyway (`executeInTransaction`, on by default), dbmate and goose.
    /// Files that opt out (`-- migrate:up transaction:false`, `-- +goose NO TRANSACTION`,
    /// Flyway's `executeInTransaction=false` in `<migration>.sql.conf`) are not reported,
    /// nor are layouts whose tool runs files as written: golang-migrate, Prisma and sqitch
    /// leave transactions to the file, and a plain folder's tool is unknown.
    ///
    /// ## Why is this bad?
    /// PostgreSQL does not nest transactions. Inside the tool's transaction a `BEGIN`
    /// only warns that one is in progress, and a `COMMIT` ends the tool's transaction
    /// early: the statements after it and the tool's history row run outside it, so a
    /// failure there leaves the file half-applied with no history row, and the next run
    /// repeats what already committed. A `ROLLBACK` silently discards what the file did,
    /// yet the tool records the migration as applied. The Supabase CLI sends a file as one
    /// pipelined batch: a `BEGIN` there turns the batch into a transaction that only a
    /// `COMMIT` ends, so a `BEGIN` with no `COMMIT` after it (`COMMIT; BEGIN;` to use a
    /// new enum value) leaves this file and every later one uncommitted, rolled back when
    /// the CLI disconnects, while it reports success.
    ///
    /// ## Example
    /// ```sql
    /// begin;
    /// alter table public.orders add column note text;
    /// commit;
    /// ```
    ///
    /// Use instead: leave transaction control to the tool, which already makes the file
    /// atomic; a statement that cannot run in a transaction goes in a file that opts out
    /// (dbmate, goose, Flyway) or a migration of its own (Supabase).
    /// ```sql
    /// alter table public.orders add column note text;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore transaction-nesting: <reason>` before the reported statement,
    /// or `-- schemagate-ignore-file transaction-nesting: <reason>` in the file.
    pub struct TransactionNesting {
        id: "transaction-nesting",
        severity: Warning,
        category: Safety,
        summary: "A migration controls its own transaction inside the one its tool runs it in",
    }
}

/// A transaction-control statement, by what it does to an open transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    /// `BEGIN`, `START TRANSACTION`.
    Open,
    /// `COMMIT`, `END` (`COMMIT AND CHAIN` too: it ends the transaction first).
    Commit,
    /// `ROLLBACK`, `ABORT`; not `ROLLBACK TO SAVEPOINT`, which stays in the transaction.
    Rollback,
}

/// What a statement does to the transaction, read from its leading keywords (sqlparser
/// parses these, but nothing else needs their trees, so they are released at parse time).
fn control(text: &str) -> Option<(Control, String)> {
    let words = leading_words(text, 2);
    let second = words.get(1).map(String::as_str);
    let control = match (words.first()?.as_str(), second) {
        ("BEGIN", _) | ("START", Some("TRANSACTION")) => Control::Open,
        ("COMMIT", second) if second != Some("PREPARED") => Control::Commit,
        ("END", _) => Control::Commit,
        ("ROLLBACK", second) if !matches!(second, Some("TO" | "PREPARED")) => Control::Rollback,
        ("ABORT", _) => Control::Rollback,
        _ => return None,
    };
    let keyword = match second {
        Some("TRANSACTION") if control == Control::Open => words.join(" "),
        _ => words[0].clone(),
    };
    Some((control, keyword))
}

impl Rule for TransactionNesting {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let Some(wrapper) = cx.set.layout.transaction_wrapper() else {
            return;
        };
        for migration in cx.set.migrations.iter() {
            if !migration.applies() || migration.no_transaction {
                continue;
            }
            let Some(found) = controls(migration) else {
                continue;
            };
            let tool = wrapper.tool;
            let supabase = cx.set.layout == Layout::Supabase;
            let (at, consequence) = harm(migration, &found, tool, supabase);
            let list = found
                .iter()
                .map(|(_, keyword, statement)| {
                    format!(
                        "`{keyword}` at line {}",
                        migration.statement_location(statement).line
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let help = match wrapper.opt_out {
                Some(opt_out) => format!("remove the transaction statements: {tool} already makes the file atomic; if it must run outside a transaction, opt out with {opt_out}"),
                None => format!("remove the transaction statements: {tool} already makes the file atomic; a statement that cannot run in a transaction goes in a migration of its own"),
            };
            out.push(
                cx.finding(
                    &Self::META,
                    migration,
                    found[at].2,
                    format!(
                        "this migration controls its own transaction ({list}) although {tool} already runs it in one: {consequence}"
                    ),
                )
                .with_help(help)
                .with_object(migration.path.clone()),
            );
        }
    }
}

/// What the file's transaction control does under the tool's transaction, and which of
/// `found` does the harm (where the finding points).
fn harm(
    migration: &Migration,
    found: &[(Control, String, &Statement)],
    tool: &str,
    supabase: bool,
) -> (usize, String) {
    // An opening after the last end: nothing in the file closes it.
    let dangling = match found.iter().rposition(|(c, ..)| *c != Control::Open) {
        None => Some(0),
        Some(last_end) => (last_end + 1 < found.len()).then_some(last_end + 1),
    };
    if let (Some(at), true) = (dangling, supabase) {
        return (at, format!("the `{}` turns the rest of the CLI's batch into a transaction that nothing commits: the statements after it, the history row and every later migration are rolled back when the CLI disconnects, although it reports success", found[at].1));
    }
    let mut consequences = Vec::new();
    let first_end = found.iter().position(|(c, ..)| *c != Control::Open);
    if let Some(at) = found.iter().position(|(c, ..)| *c == Control::Commit) {
        let (_, keyword, statement) = &found[at];
        consequences.push(if statements_after(migration, statement) {
            format!("the `{keyword}` ends that transaction early, so the statements after it and the history row run outside it: a failure there leaves the file half-applied with no history row, and the next run repeats what already committed")
        } else {
            format!("the `{keyword}` ends that transaction before {tool} writes the history row: if recording fails, the file stays applied with no history row, and the next run repeats it")
        });
    }
    if let Some((_, keyword, _)) = found.iter().find(|(c, ..)| *c == Control::Rollback) {
        consequences.push(format!(
            "the `{keyword}` discards what the file did before it, yet {tool} records the migration as applied"
        ));
    }
    match first_end {
        Some(at) => (at, consequences.join("; ")),
        None => (0, format!("PostgreSQL does not nest transactions, so the `{}` only warns that one is in progress", found[0].1)),
    }
}

/// Does any applied statement other than transaction control follow `statement`?
fn statements_after(migration: &Migration, statement: &Statement) -> bool {
    let Some(source) = &migration.source else {
        return false;
    };
    migration
        .statements
        .iter()
        .filter(|s| s.applies && s.index > statement.index)
        .any(|s| control(s.text(source)).is_none())
}

/// The applied transaction-control statements of a file, in order; `None` when it has
/// none.
fn controls(migration: &Migration) -> Option<Vec<(Control, String, &Statement)>> {
    let source = migration.source.as_ref()?;
    let found: Vec<_> = migration
        .statements
        .iter()
        .filter(|s| s.applies)
        .filter_map(|s| control(s.text(source)).map(|(c, keyword)| (c, keyword, s)))
        .collect();
    (!found.is_empty()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_transaction_control_from_the_leading_keywords() {
        let kind = |text| control(text).map(|(c, _)| c);
        assert_eq!(kind("begin;"), Some(Control::Open));
        assert_eq!(kind("-- lead\nBEGIN WORK;"), Some(Control::Open));
        assert_eq!(
            control("start transaction isolation level serializable"),
            Some((Control::Open, "START TRANSACTION".to_string()))
        );
        assert_eq!(kind("commit"), Some(Control::Commit));
        assert_eq!(kind("commit and chain"), Some(Control::Commit));
        assert_eq!(kind("end transaction;"), Some(Control::Commit));
        assert_eq!(kind("rollback;"), Some(Control::Rollback));
        assert_eq!(kind("abort"), Some(Control::Rollback));
        assert_eq!(kind("rollback to savepoint a"), None);
        assert_eq!(kind("commit prepared 'x'"), None);
        assert_eq!(kind("savepoint a"), None);
        assert_eq!(kind("beginning_of_time();"), None);
        assert_eq!(kind("create table t (begin int)"), None);
    }
}
