//! `--format gitlab`: GitLab Code Quality JSON (the `codequality` report artifact).
//! GitLab compares the base and head reports itself, so existing findings are included;
//! suppressed ones are not.

use super::Report;
use crate::findings::{Category, Finding, Severity, Status};
use serde::Serialize;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'a str,
    check_name: &'a str,
    fingerprint: &'a str,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// GitLab's scale has four steps (plus blocker, which we leave to humans): security
/// errors are critical, other errors major, warnings minor.
fn severity(finding: &Finding) -> &'static str {
    match (finding.severity, finding.category) {
        (Severity::Error, Category::Security) => "critical",
        (Severity::Error, _) => "major",
        (Severity::Warning, _) => "minor",
        (Severity::Info, _) => "info",
    }
}

/// Code Quality's categories closest to ours.
fn category(category: Category) -> &'static str {
    match category {
        Category::Security => "Security",
        Category::Performance => "Performance",
        Category::Safety | Category::Apply => "Bug Risk",
        Category::Conflict | Category::Input => "Compatibility",
    }
}

pub fn render(report: &Report<'_>) -> String {
    let folder = report.folder_path();
    let issues: Vec<Issue<'_>> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Suppressed)
        .map(|f| Issue {
            kind: "issue",
            description: &f.message,
            check_name: &f.rule,
            fingerprint: &f.fingerprint,
            severity: severity(f),
            categories: [category(f.category)],
            location: Location {
                path: f
                    .location
                    .as_ref()
                    .map_or(folder.as_str(), |l| l.file.as_str()),
                lines: Lines {
                    begin: f.location.as_ref().map_or(1, |l| l.line),
                },
            },
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).expect("plain data serializes");
    text.push('\n');
    text
}
