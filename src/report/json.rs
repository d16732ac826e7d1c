//! `--format json`: a stable, versioned document (see README, "JSON output").

use super::{Counts, Report};
use crate::findings::{FailOn, Finding};
use crate::migrations::Role;
use serde::Serialize;

/// Bumped on any incompatible change of the document's shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    command: &'a str,
    passed: bool,
    fail_on: FailOn,
    summary: Summary,
    folders: Vec<Folder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a [crate::remote::StatusRow]>,
    findings: &'a [Finding],
    /// Per folder: each file applied, failed or not reached, and what it created.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    apply: &'a [crate::postgres::apply::ApplyReport],
    /// The schema changes from the base branch to this one (`diff`, `check` with a base).
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a [crate::diff::Change]>,
    /// `check` with a base: the lock and rewrite trace of the branch's new migrations
    /// applied onto the base's schema (docs/trace.md).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    trace: Vec<&'a crate::postgres::trace::FileTrace>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    #[serde(flatten)]
    counts: Counts,
    /// Percentage of statements sqlparser parsed; the rest were classified by keywords.
    parse_coverage: f64,
}

#[derive(Serialize)]
struct Folder {
    path: String,
    layout: &'static str,
    files: Vec<File>,
    ignored: Vec<Ignored>,
}

#[derive(Serialize)]
struct File {
    path: String,
    version: Option<String>,
    role: Role,
    statements: usize,
    parsed_statements: usize,
}

#[derive(Serialize)]
struct Ignored {
    path: String,
    reason: String,
}

pub fn render(report: &Report<'_>) -> String {
    let folders = report
        .sets
        .iter()
        .map(|set| Folder {
            path: crate::migrations::display_path(&set.root),
            layout: set.layout.as_str(),
            files: set
                .migrations
                .iter()
                .map(|m| File {
                    path: m.path.clone(),
                    version: m.version.clone(),
                    role: m.role,
                    statements: m.statements.len(),
                    parsed_statements: m.statements.iter().filter(|s| s.is_parsed()).count(),
                })
                .collect(),
            ignored: set
                .ignored
                .iter()
                .map(|(path, reason)| Ignored {
                    path: path.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        })
        .collect();
    let document = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "schemagate",
            version: env!("CARGO_PKG_VERSION"),
        },
        command: report.command,
        passed: report.passed(),
        fail_on: report.fail_on,
        summary: Summary {
            counts: report.counts(),
            parse_coverage: (report.parse_coverage() * 10.0).round() / 10.0,
        },
        folders,
        status: report.status.as_deref(),
        findings: &report.findings,
        apply: &report.apply,
        changes: report.changes.as_deref(),
        trace: report.apply.iter().flat_map(|a| &a.trace).collect(),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("plain data serializes");
    text.push('\n');
    text
}
