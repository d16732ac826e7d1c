//! `--format json`: a stable, versioned document (see README, "JSON output").

use super::{Counts, Report};
use crate::findings::{FailOn, Finding};
use crate::migrations::Role;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::value::RawValue;
use std::io::{self, Write};

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
    /// Printed by [`FindingsInParallel`] on every core: a large run has thousands.
    findings: Box<RawValue>,
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
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes the document as it is printed, without holding all of it in memory: the findings
/// are printed on every core, a few hundred at a time.
pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
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
        findings: RawValue::NULL.to_owned(),
        apply: &report.apply,
        changes: report.changes.as_deref(),
        trace: report.apply.iter().flat_map(|a| &a.trace).collect(),
    };
    let formatter = FindingsInParallel {
        pretty: PrettyFormatter::new(),
        findings: &report.findings,
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    document.serialize(&mut serializer)?;
    out.write_all(b"\n")
}

/// serde_json's pretty printer, printing [`Document::findings`] (the document's only raw
/// value) from the findings themselves.
struct FindingsInParallel<'a> {
    pretty: PrettyFormatter<'static>,
    findings: &'a [Finding],
}

impl FindingsInParallel<'_> {
    /// Findings printed by one job; a round of jobs is printed before the next starts.
    const PER_JOB: usize = 256;
    const JOBS_PER_ROUND: usize = 8;

    /// The findings as the pretty printer writes an array at the document's first level:
    /// items indented by four spaces, the closing bracket by two.
    fn write_findings<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        if self.findings.is_empty() {
            return writer.write_all(b"[]");
        }
        writer.write_all(b"[")?;
        for (round, findings) in self
            .findings
            .chunks(Self::PER_JOB * Self::JOBS_PER_ROUND)
            .enumerate()
        {
            let printed: Vec<String> = findings
                .par_chunks(Self::PER_JOB)
                .map(|chunk| {
                    let mut out = String::new();
                    for finding in chunk {
                        let text =
                            serde_json::to_string_pretty(finding).expect("plain data serializes");
                        // JSON strings escape their line breaks: each one here starts a line.
                        out.push_str(",\n    ");
                        out.push_str(&text.replace('\n', "\n    "));
                    }
                    out
                })
                .collect();
            for (job, text) in printed.iter().enumerate() {
                // The first finding of all has no comma before it.
                let skip = usize::from(round == 0 && job == 0);
                writer.write_all(&text.as_bytes()[skip..])?;
            }
        }
        writer.write_all(b"\n  ]")
    }
}

impl Formatter for FindingsInParallel<'_> {
    fn write_raw_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, _: &str) -> io::Result<()> {
        self.write_findings(writer)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Category, FailOn, Severity};

    fn report(count: usize) -> Report<'static> {
        let findings = (0..count)
            .map(|i| {
                Finding::new(
                    "r",
                    Severity::Warning,
                    Category::Safety,
                    format!("line\n{i}"),
                )
                .with_help("\"quoted\"")
            })
            .collect();
        Report {
            command: "lint",
            sets: &[],
            findings,
            fail_on: FailOn::Error,
            fail_on_existing: false,
            status: None,
            apply: Vec::new(),
            changes: None,
        }
    }

    /// The findings printed in parallel rounds read as the pretty printer writes them.
    #[test]
    fn findings_print_as_the_pretty_printer_writes_them() {
        let rounds = FindingsInParallel::PER_JOB * FindingsInParallel::JOBS_PER_ROUND;
        for count in [0, 1, 2, rounds, rounds + 1, 2 * rounds + 3] {
            let report = report(count);
            let text = render(&report);
            let document: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(
                document["findings"],
                serde_json::to_value(&report.findings).expect("serializes"),
                "{count} findings"
            );
            let pretty = serde_json::to_string_pretty(&report.findings)
                .expect("serializes")
                .replace('\n', "\n  ");
            assert!(
                text.contains(&format!("\n  \"findings\": {pretty}\n}}\n")),
                "{count} findings"
            );
        }
    }
}
