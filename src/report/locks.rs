//! "Locks on existing tables": the lock and rewrite trace (docs/trace.md) as report data.
//! Per traced file, each statement that locked or rewrote an existing relation → its locks →
//! what they block → until when (HTML), and one line per file (the pull request comment).

use crate::postgres::trace::{FileTrace, StatementTrace};
use crate::rules::trace::{blocks, held_until};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct LockFileView {
    /// The file's path inside its folder (the section names the folder).
    pub path: String,
    /// One line for the pull request comment (after the path).
    pub summary: String,
    pub statements: Vec<LockRowView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockRowView {
    pub line: u32,
    pub text: String,
    /// `ACCESS EXCLUSIVE on public.orders`, comma-separated; rewrites after them.
    pub locks: String,
    /// `reads and writes of public.orders`, or `neither reads nor writes`.
    pub blocks: String,
    pub held_until: &'static str,
}

/// The views of a folder's traced files; `inside` gives a path inside the folder.
pub fn views(traces: &[FileTrace], inside: impl Fn(&str) -> String) -> Vec<LockFileView> {
    traces
        .iter()
        .map(|trace| LockFileView {
            path: inside(&trace.path),
            ..view(trace)
        })
        .collect()
}

fn view(trace: &FileTrace) -> LockFileView {
    let statements: Vec<LockRowView> = trace
        .statements
        .iter()
        .filter(|s| !s.locks.is_empty() || !s.rewrites.is_empty())
        .map(row)
        .collect();
    LockFileView {
        path: trace.path.clone(),
        summary: summary(trace),
        statements,
    }
}

fn row(statement: &StatementTrace) -> LockRowView {
    let mut locks: Vec<String> = statement
        .locks
        .iter()
        .map(|l| format!("{} on {}", l.mode, l.relation))
        .collect();
    locks.extend(
        statement
            .rewrites
            .iter()
            .map(|r| format!("rewrote {}", r.relation)),
    );
    let blocked: Vec<String> = statement
        .locks
        .iter()
        .filter_map(|l| Some(format!("{} of {}", blocks(&l.mode)?, l.relation)))
        .collect();
    LockRowView {
        line: statement.line,
        text: statement.text.clone(),
        locks: locks.join(", "),
        blocks: if blocked.is_empty() {
            "neither reads nor writes".to_string()
        } else {
            blocked.join(", ")
        },
        held_until: held_until(statement),
    }
}

/// "blocks reads and writes of public.orders until the transaction commits (3 statements);
/// rewrites public.orders".
fn summary(trace: &FileTrace) -> String {
    let mut blocked: Vec<String> = Vec::new();
    for (position, statement) in trace.statements.iter().enumerate() {
        for lock in &statement.locks {
            let Some(what) = blocks(&lock.mode) else {
                continue;
            };
            let under = if statement.in_transaction {
                trace.statements[position..]
                    .iter()
                    .take_while(|s| s.in_transaction)
                    .count()
            } else {
                1
            };
            blocked.push(format!(
                "blocks {what} of {} {} ({under} statement{})",
                lock.relation,
                held_until(statement),
                if under == 1 { "" } else { "s" }
            ));
        }
    }
    let rewrites: Vec<&str> = trace
        .statements
        .iter()
        .flat_map(|s| &s.rewrites)
        .map(|r| r.relation.as_str())
        .collect();
    let mut parts = blocked;
    if !rewrites.is_empty() {
        parts.push(format!("rewrites {}", rewrites.join(", ")));
    }
    if parts.is_empty() {
        parts.push("no lock that blocks reads or writes of an existing table".to_string());
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::trace::{Lock, RelKind};

    #[test]
    fn a_file_reads_as_its_locks() {
        let lock = |mode: &str| Lock {
            relation: "public.orders".into(),
            kind: RelKind::Table,
            mode: mode.into(),
        };
        let trace = FileTrace {
            path: "m.sql".into(),
            statements: vec![
                StatementTrace {
                    line: 1,
                    text: "alter table public.orders add column s text;".into(),
                    in_transaction: true,
                    locks: vec![lock("ACCESS EXCLUSIVE")],
                    ..StatementTrace::default()
                },
                StatementTrace {
                    line: 2,
                    text: "update public.orders set s = 'x';".into(),
                    in_transaction: true,
                    locks: vec![lock("ROW EXCLUSIVE")],
                    ..StatementTrace::default()
                },
            ],
        };
        let view = view(&trace);
        assert_eq!(
            view.summary,
            "blocks reads and writes of public.orders until the transaction commits (2 statements)"
        );
        assert_eq!(
            view.statements[0].blocks,
            "reads and writes of public.orders"
        );
        assert_eq!(view.statements[1].blocks, "neither reads nor writes");
        assert_eq!(
            view.statements[1].held_until,
            "until the transaction commits"
        );
    }
}
