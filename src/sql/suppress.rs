//! Suppression comments: `-- schemagate-ignore rule-a, rule-b: reason` in the comments
//! before a statement, `-- schemagate-ignore-file rule: reason` anywhere between statements.

use super::{SourceText, Statement};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

static COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"--[ \t]*schemagate-ignore(-file)?\b[ \t]*([^:\r\n]*)(?::[ \t]*([^\r\n]*))?")
        .expect("valid regex")
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The statement with this index in the file.
    Statement(usize),
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub scope: Scope,
    /// Where the comment is, for findings about the suppression itself.
    pub span: Range<usize>,
}

/// All suppressions of one file.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    pub items: Vec<Suppression>,
}

impl Suppressions {
    pub fn collect(source: &SourceText, statements: &[Statement]) -> Suppressions {
        let mut items = Vec::new();
        let tail_start = statements.last().map_or(0, |s| s.span.end);
        let trivia = statements
            .iter()
            .map(|s| (s.leading.clone(), Some(s.index)))
            .chain(std::iter::once((tail_start..source.text.len(), None)));
        for (range, statement) in trivia {
            let base = range.start;
            for captures in COMMENT.captures_iter(&source.text[range]) {
                let whole = captures.get(0).expect("group 0 exists");
                let file_wide = captures.get(1).is_some();
                let scope = match (file_wide, statement) {
                    (true, _) => Scope::File,
                    (false, Some(index)) => Scope::Statement(index),
                    // A statement suppression after the last statement suppresses nothing;
                    // keep it so that it is reported as unused.
                    (false, None) => Scope::Statement(usize::MAX),
                };
                let rules = captures
                    .get(2)
                    .map_or("", |m| m.as_str())
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|r| !r.is_empty())
                    .map(|r| r.to_ascii_lowercase())
                    .collect();
                let reason = captures
                    .get(3)
                    .map(|m| m.as_str().trim().to_string())
                    .filter(|r| !r.is_empty());
                items.push(Suppression {
                    rules,
                    reason,
                    scope,
                    span: base + whole.start()..base + whole.end(),
                });
            }
        }
        Suppressions { items }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse_text;

    #[test]
    fn statement_and_file_suppressions() {
        let source = SourceText::new(
            "-- schemagate-ignore-file no-primary-key: log table\n\
             create table a (id int);\n\
             -- schemagate-ignore rls-disabled, unindexed-foreign-key: internal\n\
             create table b (id int);\n"
                .to_string(),
        );
        let (statements, _) = parse_text(&source, |_| true);
        let found = Suppressions::collect(&source, &statements).items;
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].scope, Scope::File);
        assert_eq!(found[0].rules, ["no-primary-key"]);
        assert_eq!(found[0].reason.as_deref(), Some("log table"));
        assert_eq!(found[1].scope, Scope::Statement(1));
        assert_eq!(found[1].rules, ["rls-disabled", "unindexed-foreign-key"]);
    }

    #[test]
    fn suppression_without_reason_or_rules() {
        let source = SourceText::new("-- schemagate-ignore\nselect 1;".to_string());
        let (statements, _) = parse_text(&source, |_| true);
        let found = Suppressions::collect(&source, &statements).items;
        assert_eq!(found.len(), 1);
        assert!(found[0].rules.is_empty());
        assert_eq!(found[0].reason, None);
    }
}
