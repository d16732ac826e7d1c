//! `--format github`: GitHub Actions workflow commands, which the runner turns into
//! annotations: the same commands the GitHub integration falls back to
//! ([`crate::github::annotation`]), for workflows that run schemagate themselves. GitHub
//! shows only 10 errors and 10 warnings per step, so errors come first; existing and
//! suppressed findings are left out.

use super::Report;
use crate::findings::{Finding, Severity, Status};
use crate::github::annotation::{escape_data, escape_property, Annotation};
use std::path::Path;

/// A finding about no file: a command without a location, shown on the run's summary.
fn unlocated(finding: &Finding) -> String {
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let message = match &finding.help {
        Some(help) => format!("{}\n\n{help}", finding.message),
        None => finding.message.clone(),
    };
    format!(
        "::{command} title={}::{}",
        escape_property(&finding.rule),
        escape_data(&message)
    )
}

pub fn render(report: &Report<'_>) -> String {
    let mut findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::New)
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut text = String::new();
    for finding in findings {
        // Paths as shown are relative to the working directory, the repository root in CI.
        let line = match Annotation::from_finding(finding, None, Path::new(".")) {
            Some(annotation) => annotation.workflow_command(),
            None => unlocated(finding),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&super::tty::summary_line(report));
    text.push('\n');
    text
}
