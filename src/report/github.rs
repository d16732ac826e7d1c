//! `--format github`: GitHub Actions workflow commands, which the runner turns into
//! annotations. GitHub shows only 10 errors and 10 warnings per step, so errors come
//! first; existing and suppressed findings are left out.

use super::{escape, Report};
use crate::findings::{Finding, Severity, Status};

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One `::error file=…,line=…::message` line. Columns are only given for one-line spans
/// (GitHub ignores them otherwise); `endColumn` is the last character, inclusive.
fn line(finding: &Finding) -> String {
    let mut properties: Vec<(&str, String)> = Vec::new();
    if let Some(l) = &finding.location {
        properties.push(("file", l.file.clone()));
        properties.push(("line", l.line.to_string()));
        let end_line = l.end_line.max(l.line);
        properties.push(("endLine", end_line.to_string()));
        if end_line == l.line {
            properties.push(("col", l.column.to_string()));
            properties.push((
                "endColumn",
                (l.end_column.max(l.column + 1) - 1).to_string(),
            ));
        }
    }
    properties.push(("title", format!("schemagate {}", finding.rule)));
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape::workflow_property(value)))
        .collect();
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    if let Some(meta) = crate::rules::registry::meta(&finding.rule) {
        message.push_str(&format!("\ndocs: {}", meta.docs_url()));
    }
    format!(
        "::{} {}::{}\n",
        command(finding.severity),
        properties.join(","),
        escape::workflow_data(&message)
    )
}

pub fn render(report: &Report<'_>) -> String {
    let mut findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::New)
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut text: String = findings.into_iter().map(line).collect();
    text.push_str(&super::tty::summary_line(report));
    text.push('\n');
    text
}
