//! The trace overrides the static safety rules' guesses. Where a statement was traced, a
//! static safety finding on it is checked against what PostgreSQL did:
//!
//! * rules that guess a rewrite (`changing-column-type`, `adding-field-with-default`) are
//!   confirmed by a rewrite of an existing table, else dropped; a confirmed one is merged
//!   into `table-rewrite` by `rules::precedence` (one finding per problem);
//! * rules that guess a blocking lock on an existing table (a non-concurrent index,
//!   a constraint added valid, `set not null`, …) are confirmed when the statement took
//!   one, else dropped;
//! * the others (renames, drops, long names) are about clients and names, which the trace
//!   cannot see: unchecked.

use super::blocking;
use crate::findings::{Category, Finding, Source};
use crate::postgres::trace::{FileTrace, RelKind};

/// Static rules that guess a table rewrite.
const REWRITE_RULES: &[&str] = &["changing-column-type", "adding-field-with-default"];

/// Static rules that guess a lock blocking reads or writes of an existing table.
const LOCK_RULES: &[&str] = &[
    "adding-required-field",
    "constraint-missing-not-valid",
    "disallowed-unique-constraint",
    "require-concurrent-index-creation",
    "require-concurrent-index-deletion",
    "setting-not-nullable-field",
];

/// How the static safety findings fared against the trace.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Verdicts {
    pub confirmed: usize,
    pub dropped: usize,
    /// On traced statements, but about what the trace does not see.
    pub unchecked: usize,
}

/// What the trace says of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judgement {
    /// Not a static safety finding, or on a statement that was not traced.
    Untraced,
    Unchecked,
    Confirmed,
    Contradicted,
}

fn judge(finding: &Finding, traces: &[FileTrace]) -> Judgement {
    if finding.source != Source::Static || finding.category != Category::Safety {
        return Judgement::Untraced;
    }
    let Some((trace, position)) = traced_statement(finding, traces) else {
        return Judgement::Untraced;
    };
    let statement = &trace.statements[position];
    let confirmed = if REWRITE_RULES.contains(&finding.rule.as_str()) {
        statement.rewrites.iter().any(|r| r.kind == RelKind::Table)
    } else if LOCK_RULES.contains(&finding.rule.as_str()) {
        under_blocking_lock(trace, position)
    } else {
        return Judgement::Unchecked;
    };
    if confirmed {
        Judgement::Confirmed
    } else {
        Judgement::Contradicted
    }
}

/// Did the statement at `position` run under a lock that blocks reads or writes of an
/// existing table: one it took, or one an earlier statement of its transaction took?
fn under_blocking_lock(trace: &FileTrace, position: usize) -> bool {
    let statement = &trace.statements[position];
    if blocking(statement).next().is_some() {
        return true;
    }
    statement.in_transaction
        && trace.statements[..position]
            .iter()
            .rev()
            .take_while(|s| s.in_transaction)
            .any(|s| blocking(s).next().is_some())
}

/// How the static safety findings among `findings` (raw: before precedence merges the
/// confirmed ones) fare against the trace.
pub fn verdicts(findings: &[Finding], traces: &[FileTrace]) -> Verdicts {
    let mut verdicts = Verdicts::default();
    for finding in findings {
        match judge(finding, traces) {
            Judgement::Untraced => {}
            Judgement::Unchecked => verdicts.unchecked += 1,
            Judgement::Confirmed => verdicts.confirmed += 1,
            Judgement::Contradicted => verdicts.dropped += 1,
        }
    }
    verdicts
}

/// Drops the static safety findings the trace contradicts. Run on final findings, so a
/// suppression of a finding the trace drops is not reported unused.
pub fn drop_contradicted(findings: &mut Vec<Finding>, traces: &[FileTrace]) {
    findings.retain(|finding| judge(finding, traces) != Judgement::Contradicted);
}

/// The traced file and the position of the statement a finding points into.
fn traced_statement<'a>(
    finding: &Finding,
    traces: &'a [FileTrace],
) -> Option<(&'a FileTrace, usize)> {
    let location = finding.location.as_ref()?;
    let trace = traces.iter().find(|t| t.path == location.file)?;
    let position = trace
        .statements
        .iter()
        .position(|s| s.line <= location.line && location.line <= s.end_line)?;
    Some((trace, position))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, Severity};
    use crate::postgres::trace::{Lock, Rewrite, StatementTrace};

    fn static_finding(rule: &str, line: u32) -> Finding {
        Finding::new(rule, Severity::Warning, Category::Safety, "m").with_location(Location {
            file: "m.sql".into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
        })
    }

    fn statement(line: u32, rewrite: bool, lock: Option<&str>) -> StatementTrace {
        StatementTrace {
            line,
            end_line: line,
            in_transaction: true,
            rewrites: rewrite
                .then(|| Rewrite {
                    relation: "public.t".into(),
                    kind: RelKind::Table,
                    table: None,
                })
                .into_iter()
                .collect(),
            locks: lock
                .map(|mode| Lock {
                    relation: "public.t".into(),
                    kind: RelKind::Table,
                    mode: mode.into(),
                })
                .into_iter()
                .collect(),
            ..StatementTrace::default()
        }
    }

    #[test]
    fn the_trace_confirms_or_drops_what_it_can_see() {
        let traces = vec![FileTrace {
            path: "m.sql".into(),
            statements: vec![
                statement(1, false, Some("ACCESS EXCLUSIVE")),
                statement(2, true, Some("ACCESS EXCLUSIVE")),
                // `create index concurrently`: on its own, outside the transaction.
                StatementTrace {
                    in_transaction: false,
                    ..statement(3, false, Some("SHARE UPDATE EXCLUSIVE"))
                },
                statement(4, false, Some("SHARE")),
                statement(5, false, None),
            ],
        }];
        let mut findings = vec![
            static_finding("changing-column-type", 1),
            static_finding("changing-column-type", 2),
            static_finding("require-concurrent-index-creation", 3),
            static_finding("require-concurrent-index-creation", 4),
            static_finding("renaming-column", 4),
            // Under the SHARE lock statement 4 took, in the same transaction.
            static_finding("constraint-missing-not-valid", 5),
            static_finding("changing-column-type", 9),
        ];
        let verdicts = verdicts(&findings, &traces);
        drop_contradicted(&mut findings, &traces);
        let kept: Vec<(&str, u32)> = findings
            .iter()
            .map(|f| (f.rule.as_str(), f.location.as_ref().unwrap().line))
            .collect();
        assert_eq!(
            kept,
            [
                ("changing-column-type", 2),
                ("require-concurrent-index-creation", 4),
                ("renaming-column", 4),
                ("constraint-missing-not-valid", 5),
                ("changing-column-type", 9),
            ]
        );
        assert_eq!(
            verdicts,
            Verdicts {
                confirmed: 3,
                dropped: 2,
                unchecked: 1
            }
        );
    }
}
