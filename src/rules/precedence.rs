//! One finding per problem: when two rules report the same problem, the more specific one
//! wins and the other's finding is dropped. Applied to every run's findings, static and
//! catalog alike, once configured levels are known (a rule turned off wins nothing).

use crate::findings::Finding;

/// What two findings must share for one to replace the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Same {
    /// The same object (`schema.table`).
    Object,
    /// The same statement: same file and first line.
    Statement,
    /// The loser points inside the winner's span (an element of the winner's statement).
    Within,
}

/// (wins, loses, what they share).
const PRECEDENCE: &[(&str, &str, Same)] = &[
    // A table with policies but no RLS: enabling RLS is the whole fix.
    ("policy-without-rls", "rls-disabled", Same::Object),
    // An index that duplicates another should be dropped, not built concurrently.
    (
        "duplicate-index",
        "require-concurrent-index-creation",
        Same::Statement,
    ),
    // A rewrite the trace saw on PostgreSQL is the problem the static guesses describe.
    ("table-rewrite", "changing-column-type", Same::Within),
    ("table-rewrite", "adding-field-with-default", Same::Within),
];

/// Drops every finding that a more specific finding on the same object or statement
/// replaces.
pub fn keep_most_specific(findings: &mut Vec<Finding>) {
    let beaten: Vec<bool> = findings
        .iter()
        .map(|loser| {
            PRECEDENCE
                .iter()
                .filter(|(_, loses, _)| *loses == loser.rule)
                .any(|(wins, _, same)| {
                    findings
                        .iter()
                        .any(|winner| winner.rule == *wins && shares(winner, loser, *same))
                })
        })
        .collect();
    let mut beaten = beaten.into_iter();
    findings.retain(|_| !beaten.next().unwrap_or(false));
}

fn shares(a: &Finding, b: &Finding, same: Same) -> bool {
    match same {
        Same::Object => a.object.is_some() && a.object == b.object,
        Same::Statement => match (&a.location, &b.location) {
            (Some(a), Some(b)) => a.file == b.file && a.line == b.line,
            _ => false,
        },
        Same::Within => match (&a.location, &b.location) {
            (Some(a), Some(b)) => {
                a.file == b.file
                    && (a.line, a.column) <= (b.line, b.column)
                    && (b.end_line, b.end_column) <= (a.end_line, a.end_column)
            }
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Category, Location, Severity};

    fn finding(rule: &str, object: &str, line: u32) -> Finding {
        Finding::new(rule, Severity::Warning, Category::Security, "m")
            .with_object(object)
            .with_location(Location {
                file: "m.sql".into(),
                line,
                column: 1,
                end_line: line,
                end_column: 5,
            })
    }

    fn rules(findings: &[Finding]) -> Vec<(&str, &str)> {
        findings
            .iter()
            .map(|f| (f.rule.as_str(), f.object.as_deref().unwrap_or("")))
            .collect()
    }

    #[test]
    fn every_rule_named_is_registered() {
        for (wins, loses, _) in PRECEDENCE {
            assert!(crate::rules::registry::meta(wins).is_some(), "{wins}");
            assert!(crate::rules::registry::meta(loses).is_some(), "{loses}");
        }
    }

    #[test]
    fn the_specific_rule_wins_on_the_same_object() {
        let mut findings = vec![
            finding("rls-disabled", "public.a", 1),
            finding("policy-without-rls", "public.a", 4),
            finding("rls-disabled", "public.b", 7),
        ];
        keep_most_specific(&mut findings);
        assert_eq!(
            rules(&findings),
            [
                ("policy-without-rls", "public.a"),
                ("rls-disabled", "public.b")
            ]
        );
    }

    #[test]
    fn the_specific_rule_wins_on_the_same_statement() {
        let mut findings = vec![
            finding("require-concurrent-index-creation", "public.i", 3),
            finding("duplicate-index", "public.t.i", 3),
            finding("require-concurrent-index-creation", "public.j", 5),
        ];
        keep_most_specific(&mut findings);
        assert_eq!(
            rules(&findings),
            [
                ("duplicate-index", "public.t.i"),
                ("require-concurrent-index-creation", "public.j")
            ]
        );
    }
}
