//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it. Every rule is in the
//! driver (so code scanning can show the docs of any alert); results carry our fingerprint
//! as a partial fingerprint, so alerts survive line moves.

use super::{escape, Report};
use crate::findings::{Finding, Location, Severity, Status};
use crate::rules::{registry, RuleMeta};
use serde_json::{json, Value};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The first paragraph under "What it does", the docs' one-line answer.
fn what_it_does(meta: &RuleMeta) -> String {
    let docs = meta.docs_markdown();
    docs.split("## What it does")
        .nth(1)
        .and_then(|rest| {
            rest.split("\n\n")
                .map(str::trim)
                .find(|p| !p.is_empty() && !p.starts_with('#'))
        })
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| meta.summary.to_string())
}

fn rule(meta: &RuleMeta) -> Value {
    json!({
        "id": meta.id,
        "name": meta.id,
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": what_it_does(meta) },
        "help": { "text": meta.docs_markdown(), "markdown": meta.docs_markdown() },
        "helpUri": meta.docs_url(),
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": { "tags": [meta.category.as_str()] },
    })
}

/// A URI reference for a path as shown: relative paths stay relative (to the repository
/// root, where CI runs us), absolute ones become `file:` URIs.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    if path.starts_with('/') {
        format!("file://{}", escape::url_path(path))
    } else {
        escape::url_path(path)
    }
}

fn location(location: &Location) -> Value {
    let mut region = json!({
        "startLine": location.line.max(1),
        "startColumn": location.column.max(1),
    });
    let end = (location.end_line, location.end_column);
    if end >= (location.line, location.column) {
        region["endLine"] = json!(location.end_line.max(1));
        region["endColumn"] = json!(location.end_column.max(1));
    }
    let mut artifact = json!({ "uri": uri(&location.file) });
    if !location.file.starts_with('/') {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    json!({ "physicalLocation": { "artifactLocation": artifact, "region": region } })
}

/// Code scanning requires a location: findings about no file point at the folder.
fn folder_location(folder: &str) -> Value {
    let mut artifact = json!({ "uri": uri(folder) });
    if !folder.starts_with('/') {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    json!({ "physicalLocation": { "artifactLocation": artifact } })
}

fn result(finding: &Finding, rule_ids: &[&str], folder: &str) -> Value {
    let mut text = finding.message.clone();
    if let Some(help) = &finding.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "level": level(finding.severity),
        "message": { "text": text },
        "partialFingerprints": { "schemagate/v1": finding.fingerprint },
        "baselineState": if finding.status == Status::Existing { "unchanged" } else { "new" },
        "properties": { "category": finding.category.as_str(), "source": finding.source },
    });
    if let Some(index) = rule_ids.iter().position(|id| *id == finding.rule) {
        result["ruleIndex"] = json!(index);
    }
    result["locations"] = json!([match &finding.location {
        Some(l) => location(l),
        None => folder_location(folder),
    }]);
    if finding.status == Status::Suppressed {
        result["suppressions"] = json!([{
            "kind": "inSource",
            "justification": finding.suppressed_by.as_deref().unwrap_or(""),
        }]);
    }
    result
}

pub fn render(report: &Report<'_>) -> String {
    let rules = registry::all();
    let rule_ids: Vec<&str> = rules.iter().map(|m| m.id).collect();
    let folder = report.folder_path();
    let document = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "schemagate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/schemagate/schemagate",
                "rules": rules.iter().map(|m| rule(m)).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "description": {
                "text": "The directory schemagate ran in (the repository root in CI)."
            }}},
            "columnKind": "unicodeCodePoints",
            "results": report.findings.iter().map(|f| result(f, &rule_ids, &folder)).collect::<Vec<_>>(),
        }],
    });
    let mut text = serde_json::to_string_pretty(&document).expect("plain data serializes");
    text.push('\n');
    text
}
