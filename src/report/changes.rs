//! "Schema changes in this pull request": the base → branch catalog changes as a list, for
//! the terminal and for Markdown (PR comment, job summary).

use super::escape;
use crate::diff::{describe, Change};

pub const TITLE: &str = "Schema changes in this pull request";

/// `Schema changes in this pull request (2):` and one indented line per change.
pub fn tty(changes: &[Change]) -> String {
    if changes.is_empty() {
        return format!("{TITLE}: none\n");
    }
    let mut out = format!("{TITLE} ({}):\n", changes.len());
    for change in changes {
        out.push_str("  ");
        out.push_str(&describe::line(change));
        out.push('\n');
    }
    out
}

/// At most this many changes are listed in Markdown (a PR comment has a size limit).
const MARKDOWN_LIMIT: usize = 100;

/// A heading and a bullet list (`- added: table public.x`), every name escaped: object
/// names can hold Markdown and HTML syntax.
pub fn markdown(changes: &[Change]) -> String {
    let mut out = format!("### {TITLE}\n\n");
    if changes.is_empty() {
        out.push_str("No schema changes.\n");
        return out;
    }
    for change in changes.iter().take(MARKDOWN_LIMIT) {
        out.push_str(&format!(
            "- {}: {}\n",
            describe::verb(change),
            escape::markdown(&describe::body(change))
        ));
    }
    if changes.len() > MARKDOWN_LIMIT {
        out.push_str(&format!(
            "- … and {} more (`schemagate diff` lists them all)\n",
            changes.len() - MARKDOWN_LIMIT
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(identity: &str) -> Change {
        Change::Added {
            kind: "table".to_string(),
            identity: identity.to_string(),
        }
    }

    #[test]
    fn markdown_escapes_object_names() {
        let text = markdown(&[added("public.\"<img src=x>*x*\"")]);
        assert!(
            text.starts_with("### Schema changes in this pull request\n\n- added: table public"),
            "{text}"
        );
        assert!(text.contains("&lt;img src=x&gt;\\*x\\*"), "{text}");
        assert!(!text.contains('<'), "{text}");
        assert_eq!(
            markdown(&[]),
            "### Schema changes in this pull request\n\nNo schema changes.\n"
        );
    }

    #[test]
    fn markdown_lists_at_most_a_hundred() {
        let many: Vec<Change> = (0..130).map(|i| added(&format!("public.t{i}"))).collect();
        let text = markdown(&many);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("- added")).count(),
            100
        );
        assert!(text.ends_with("- … and 30 more (`schemagate diff` lists them all)\n"));
    }

    #[test]
    fn the_job_summary_and_comment_show_the_changes() {
        let report = crate::report::Report {
            command: "check",
            sets: &[],
            findings: Vec::new(),
            fail_on: crate::findings::FailOn::Error,
            fail_on_existing: false,
            status: None,
            apply: Vec::new(),
            changes: Some(vec![added("public.x")]),
        };
        let options = crate::report::RenderOptions::default();
        for text in [
            crate::report::markdown::summary(&report, &options, 10_000),
            crate::report::markdown::comment(&report, &options, 10_000),
        ] {
            assert!(
                text.contains(
                    "### Schema changes in this pull request\n\n- added: table public.x\n"
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn tty_lists_each_change() {
        let changes = [
            Change::Added {
                kind: "table".to_string(),
                identity: "public.x".to_string(),
            },
            Change::Removed {
                kind: "policy".to_string(),
                identity: "public.x.p".to_string(),
            },
        ];
        assert_eq!(
            tty(&changes),
            "Schema changes in this pull request (2):\n  + table public.x\n  - policy public.x.p\n"
        );
        assert_eq!(tty(&[]), "Schema changes in this pull request: none\n");
    }
}
