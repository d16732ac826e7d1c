//! Renderers: one per output format, each a function of the [`Report`].

pub mod changes;
pub mod deploy;
pub mod escape;
pub mod excerpt;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod json;
pub mod junit;
pub mod locks;
pub mod markdown;
pub mod sarif;
pub mod terminal_markdown;
pub mod tty;
pub mod view;

pub use view::LinkContext;

use crate::cli::Format;
use crate::findings::{FailOn, Finding, Severity, Status};
use crate::migrations::MigrationSet;
use serde::Serialize;

/// Everything a renderer shows: the run's findings, the folders they came from and the
/// verdict. Plain data; renderers never run anything.
pub struct Report<'a> {
    pub command: &'static str,
    pub sets: &'a [MigrationSet],
    pub findings: Vec<Finding>,
    pub fail_on: FailOn,
    pub fail_on_existing: bool,
    /// `status`: each version's place between the folder and the database.
    pub status: Option<Vec<crate::remote::StatusRow>>,
    /// Per folder, what applying it to PostgreSQL did (empty when nothing was applied).
    pub apply: Vec<crate::postgres::apply::ApplyReport>,
    /// `diff` (and `check` with a base): the schema changes from the base branch to this
    /// one; `None` when not computed.
    pub changes: Option<Vec<crate::diff::Change>>,
}

/// How to render, beyond the report itself.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// tty: colour, all findings (`verbose`) or only the summary line (`quiet`).
    pub color: bool,
    pub verbose: bool,
    pub quiet: bool,
    /// tty: show only findings of this severity or above.
    pub min_severity: Option<Severity>,
    /// Where `file:line` links point (HTML, Markdown), when the commit is known.
    pub links: Option<LinkContext>,
    /// Where the HTML report can be downloaded (Markdown links to it), when known.
    pub html_report_url: Option<String>,
}

/// The report in `format`.
pub fn render(report: &Report<'_>, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Tty => tty::render(
            report,
            &tty::Options {
                color: options.color,
                verbose: options.verbose,
                quiet: options.quiet,
                min_severity: options.min_severity,
            },
        ),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::Github => github::render(report),
        Format::Summary => markdown::summary(report, options, markdown::SUMMARY_LIMIT),
        Format::Comment => markdown::comments(report, options),
        Format::Html => html::render(&view::View::from_options(report, options)),
        Format::Junit => junit::render(report),
    }
}

/// Writes the report in `format` to `out`: JSON as it is printed (a large run's takes
/// megabytes), the others rendered first.
pub fn write(
    report: &Report<'_>,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        _ => out.write_all(render(report, format, options).as_bytes()),
    }
}

/// Counts shown in every format's summary.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings on files and objects the change did not touch (not counted above).
    pub existing: usize,
    pub suppressed: usize,
    pub files: usize,
    pub statements: usize,
    pub parsed_statements: usize,
}

impl Report<'_> {
    /// Did the gate pass?
    pub fn passed(&self) -> bool {
        !self
            .findings
            .iter()
            .any(|f| f.fails_gate(self.fail_on, self.fail_on_existing))
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for finding in &self.findings {
            match finding.status {
                Status::Suppressed => counts.suppressed += 1,
                Status::Existing => counts.existing += 1,
                Status::New => match finding.severity {
                    Severity::Error => counts.errors += 1,
                    Severity::Warning => counts.warnings += 1,
                    Severity::Info => counts.infos += 1,
                },
            }
        }
        for set in self.sets {
            counts.files += set.migrations.len();
            counts.statements += set.statement_count();
            counts.parsed_statements += set.parsed_count();
        }
        counts
    }

    /// The part of the report about `set` (one of `sets`): its findings (those about no
    /// file go with the first folder), its apply, and the schema changes when it is the
    /// only folder. What one folder's pull-request comment shows.
    pub fn for_folder<'a>(&self, set: &'a MigrationSet) -> Report<'a> {
        let folder = crate::migrations::display_path(&set.root);
        let first = self.sets.first().is_some_and(|s| s.root == set.root);
        let findings = self
            .findings
            .iter()
            .filter(|f| match &f.location {
                Some(l) => {
                    set.migrations.iter().any(|m| m.path == l.file)
                        || std::path::Path::new(&l.file).starts_with(&folder)
                }
                None => first,
            })
            .cloned()
            .collect();
        Report {
            command: self.command,
            sets: std::slice::from_ref(set),
            findings,
            fail_on: self.fail_on,
            fail_on_existing: self.fail_on_existing,
            status: None,
            apply: self
                .apply
                .iter()
                .filter(|a| a.folder == folder)
                .cloned()
                .collect(),
            changes: if self.sets.len() == 1 {
                self.changes.clone()
            } else {
                None
            },
        }
    }

    /// Where findings about no file point in formats that require a path (SARIF, GitLab):
    /// the (first) migrations folder.
    pub fn folder_path(&self) -> String {
        self.sets.first().map_or_else(
            || ".".to_string(),
            |set| crate::migrations::display_path(&set.root),
        )
    }

    /// Parsed statements as a percentage of all statements (100 when there are none).
    pub fn parse_coverage(&self) -> f64 {
        let counts = self.counts();
        if counts.statements == 0 {
            100.0
        } else {
            counts.parsed_statements as f64 * 100.0 / counts.statements as f64
        }
    }
}

/// "1 error", "2 errors".
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
