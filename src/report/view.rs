//! The report as the templates see it (HTML, Markdown): findings grouped by file, with
//! rule docs, excerpts and links resolved. Plain serializable data, unescaped — the
//! templates escape.
//!
//! Optional sections (the schema change summary, apply results) are fields filled from the
//! `Report` when it has them, with an `{{#if …}}` block in each template.

use super::escape::{self, Segment};
use super::excerpt::{self, Excerpt};
use super::{plural, Counts, Report};
use crate::findings::{Category, Finding, Location, Severity, Status};
use serde::Serialize;
use std::collections::HashMap;

/// Where source links point: a repository's files at one commit, e.g. a pull request's
/// head. Filled from the GitHub environment when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkContext {
    /// `https://github.com` or a GitHub Enterprise server.
    pub server_url: String,
    /// `owner/name`.
    pub repository: String,
    /// The commit to link to (a pull request's head, not the merge commit).
    pub sha: String,
    /// The working directory inside the repository (`db/`; empty at its top), which the
    /// reports' relative paths start from.
    pub prefix: String,
}

impl LinkContext {
    /// `path` (relative to the working directory) relative to the repository's top, `/`
    /// separated; `None` for absolute paths and paths outside the repository.
    pub fn repository_path(&self, path: &str) -> Option<String> {
        let path = path.replace('\\', "/");
        if path.starts_with('/') {
            return None;
        }
        let joined = format!("{}{path}", self.prefix);
        let mut parts: Vec<&str> = Vec::new();
        for part in joined.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                part => parts.push(part),
            }
        }
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// A link to the location's lines, when its path is inside the repository.
    pub fn blob_url(&self, location: &Location) -> Option<String> {
        let path = self.repository_path(&location.file)?;
        let lines = if location.end_line > location.line {
            format!("L{}-L{}", location.line, location.end_line)
        } else {
            format!("L{}", location.line)
        };
        Some(format!(
            "{}/{}/blob/{}/{}#{lines}",
            self.server_url.trim_end_matches('/'),
            self.repository,
            self.sha,
            escape::url_path(&path)
        ))
    }
}

/// What the templates render.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    #[serde(flatten)]
    pub head: Head,
    /// Findings grouped by file, in report order; findings without a file come last.
    pub groups: Vec<Group>,
    /// The same findings by severity, errors first (the HTML page's order), each in report
    /// order; severities without findings are left out.
    pub by_severity: Vec<SeveritySection>,
    /// The rules the findings come from, with their documentation.
    pub rules: Vec<RuleView>,
    pub filters: Filters,
}

/// The findings of one severity.
#[derive(Debug, Clone, Serialize)]
pub struct SeveritySection {
    pub severity: Severity,
    /// `errors`, `warnings`, `infos`: the section's anchor and heading.
    pub name: &'static str,
    pub count: usize,
    /// The findings, the ones on one statement together where the first of them is.
    pub statements: Vec<StatementView>,
}

/// Findings of one severity on one statement (or one finding outside a statement), shown
/// under one excerpt that marks each of their spans.
#[derive(Debug, Clone, Serialize)]
pub struct StatementView {
    pub excerpt: Option<Excerpt>,
    pub findings: Vec<FindingView>,
}

/// The verdict and counts: everything but the findings.
#[derive(Debug, Clone, Serialize)]
pub struct Head {
    pub version: &'static str,
    pub command: &'static str,
    pub passed: bool,
    pub fail_on: &'static str,
    /// Existing findings count against the gate too.
    pub fail_on_existing: bool,
    /// "2 errors, 1 warning, 0 infos in 3 files".
    pub headline: String,
    pub counts: Counts,
    /// Percentage of statements sqlparser parsed, one decimal.
    pub parse_coverage: String,
    pub folders: Vec<String>,
    pub severities: Vec<CountRow>,
    pub categories: Vec<CountRow>,
    pub html_report_url: Option<String>,
    /// "Schema changes in this pull request" as Markdown (escaped), when computed.
    pub changes_markdown: Option<String>,
    /// The same changes for the HTML page, when computed.
    pub changes: Option<ChangesView>,
    /// Per folder applied to PostgreSQL, what happened to each file.
    pub apply: Vec<ApplyView>,
}

/// The schema changes as lines (an object even when empty: "computed, none").
#[derive(Debug, Clone, Serialize)]
pub struct ChangesView {
    pub lines: Vec<ChangeLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeLine {
    /// `added`, `removed` or `changed`.
    pub verb: &'static str,
    pub body: String,
}

/// One folder's apply: the totals a sentence needs and a row per file.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyView {
    pub folder: String,
    pub server: String,
    /// The server without how it was reached (`PostgreSQL 15.18`), for the Markdown
    /// reports and the HTML apply line: a runner's bin path says nothing to a reviewer.
    pub server_name: String,
    pub applied: usize,
    pub total: usize,
    /// The file that failed, if one did.
    pub failed: Option<String>,
    /// The same file inside the folder.
    pub failed_name: Option<String>,
    /// "file" or "files", after `total`.
    pub files_noun: &'static str,
    pub duration_ms: u128,
    pub files: Vec<ApplyFileView>,
    /// "Locks on existing tables": the lock and rewrite trace of the branch's new files.
    pub locks: Vec<super::locks::LockFileView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyFileView {
    pub path: String,
    /// The path inside the folder (the folder is the section's heading).
    pub name: String,
    /// `applied`, `failed` or `not reached`.
    pub status: &'static str,
    pub duration_ms: u128,
    pub created: usize,
    pub changed: usize,
    pub dropped: usize,
}

impl ApplyView {
    fn new(apply: &crate::postgres::apply::ApplyReport) -> ApplyView {
        use crate::postgres::apply::FileStatus;
        let inside = |path: &str| {
            path.strip_prefix(apply.folder.as_str())
                .map_or(path, |rest| rest.trim_start_matches('/'))
                .to_string()
        };
        ApplyView {
            folder: apply.folder.clone(),
            server: apply.server.clone(),
            server_name: apply
                .server
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_string(),
            applied: apply.count(FileStatus::Applied),
            total: apply.files.len(),
            failed: apply.stopped_at().map(str::to_string),
            failed_name: apply.stopped_at().map(inside),
            files_noun: if apply.files.len() == 1 {
                "file"
            } else {
                "files"
            },
            duration_ms: apply.files.iter().map(|f| f.duration.as_millis()).sum(),
            // The file that failed first: it is what the table is read for.
            files: apply
                .files
                .iter()
                .filter(|f| f.status == FileStatus::Failed)
                .chain(
                    apply
                        .files
                        .iter()
                        .filter(|f| f.status != FileStatus::Failed),
                )
                .map(|file| ApplyFileView {
                    path: file.path.clone(),
                    name: inside(&file.path),
                    status: match file.status {
                        FileStatus::Applied => "applied",
                        FileStatus::Failed => "failed",
                        FileStatus::NotReached => "not reached",
                    },
                    duration_ms: file.duration.as_millis(),
                    created: file.created.len(),
                    changed: file.changed.len(),
                    dropped: file.dropped.len(),
                })
                .collect(),
            locks: super::locks::views(&apply.trace, inside),
        }
    }
}

/// Findings of one kind: new ones by status, and how many are existing or suppressed.
#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    pub name: &'static str,
    pub new: usize,
    pub existing: usize,
    pub suppressed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Empty for findings about no file.
    pub file: String,
    pub anchor: String,
    pub findings: Vec<FindingView>,
}

impl Group {
    /// The group with only the findings `keep` accepts; `None` when none is left.
    pub fn only(&self, keep: impl Fn(&FindingView) -> bool) -> Option<Group> {
        let findings: Vec<FindingView> =
            self.findings.iter().filter(|f| keep(f)).cloned().collect();
        (!findings.is_empty()).then(|| Group {
            file: self.file.clone(),
            anchor: self.anchor.clone(),
            findings,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    /// The finding's index in the report's findings: unique, for anchors.
    pub id: usize,
    pub rule: String,
    pub severity: Severity,
    pub category: Category,
    pub status: Status,
    pub fails_gate: bool,
    pub message: Vec<Segment>,
    pub help: Option<Vec<Segment>>,
    pub object: Option<String>,
    pub suppressed_by: Option<String>,
    pub file: Option<String>,
    /// The migrations folder the file is in, when it is in one.
    pub folder: Option<String>,
    /// The file's path inside `folder` (else the whole path), so a list under the folder's
    /// name does not repeat it.
    pub name: Option<String>,
    /// `line:column`.
    pub position: Option<String>,
    pub line: Option<u32>,
    /// The lines at the linked commit, when a [`LinkContext`] is known.
    pub link: Option<String>,
    pub rule_summary: Option<&'static str>,
    pub docs_url: Option<String>,
    pub excerpt: Option<Excerpt>,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: &'static str,
    pub summary: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub docs_url: String,
    pub docs: String,
}

/// The distinct values the HTML filters offer.
#[derive(Debug, Clone, Serialize)]
pub struct Filters {
    pub severities: Vec<&'static str>,
    pub categories: Vec<&'static str>,
    pub rules: Vec<String>,
    pub files: Vec<String>,
    pub statuses: Vec<&'static str>,
}

const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];
const CATEGORIES: [Category; 6] = [
    Category::Security,
    Category::Performance,
    Category::Safety,
    Category::Conflict,
    Category::Apply,
    Category::Input,
];

fn status_name(status: Status) -> &'static str {
    match status {
        Status::New => "new",
        Status::Existing => "existing",
        Status::Suppressed => "suppressed",
    }
}

fn count_row(
    name: &'static str,
    findings: &[Finding],
    keep: impl Fn(&Finding) -> bool,
) -> CountRow {
    let mut row = CountRow {
        name,
        new: 0,
        existing: 0,
        suppressed: 0,
    };
    for finding in findings.iter().filter(|f| keep(f)) {
        match finding.status {
            Status::New => row.new += 1,
            Status::Existing => row.existing += 1,
            Status::Suppressed => row.suppressed += 1,
        }
    }
    row
}

impl View {
    pub fn from_options(report: &Report<'_>, options: &super::RenderOptions) -> View {
        View::new(
            report,
            options.links.as_ref(),
            options.html_report_url.as_deref(),
        )
    }

    pub fn new(
        report: &Report<'_>,
        links: Option<&LinkContext>,
        html_report_url: Option<&str>,
    ) -> View {
        let counts = report.counts();
        let findings = &report.findings;
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        let mut loose: Vec<FindingView> = Vec::new();
        for (id, finding) in findings.iter().enumerate() {
            let item = finding_view(report, links, id, finding);
            let Some(location) = &finding.location else {
                loose.push(item);
                continue;
            };
            let index = *group_of.entry(location.file.as_str()).or_insert_with(|| {
                groups.push(Group {
                    file: location.file.clone(),
                    anchor: format!("file-{}", groups.len() + 1),
                    findings: Vec::new(),
                });
                groups.len() - 1
            });
            groups[index].findings.push(item);
        }
        if !loose.is_empty() {
            groups.push(Group {
                file: String::new(),
                anchor: "file-none".to_string(),
                findings: loose,
            });
        }
        let mut rule_ids: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        rule_ids.sort_unstable();
        rule_ids.dedup();
        let rules = rule_ids
            .iter()
            .filter_map(|id| crate::rules::registry::meta(id))
            .map(|meta| RuleView {
                id: meta.id,
                summary: meta.summary,
                severity: meta.severity,
                category: meta.category,
                docs_url: meta.docs_url(),
                docs: meta.docs_markdown(),
            })
            .collect();
        let present = |keep: &dyn Fn(&Finding) -> bool| findings.iter().any(keep);
        let filters = Filters {
            severities: SEVERITIES
                .iter()
                .filter(|s| present(&|f| f.severity == **s))
                .map(|s| s.as_str())
                .collect(),
            categories: CATEGORIES
                .iter()
                .filter(|c| present(&|f| f.category == **c))
                .map(|c| c.as_str())
                .collect(),
            rules: rule_ids.iter().map(|id| id.to_string()).collect(),
            files: groups
                .iter()
                .map(|g| g.file.clone())
                .filter(|f| !f.is_empty())
                .collect(),
            statuses: [Status::New, Status::Existing, Status::Suppressed]
                .into_iter()
                .filter(|s| present(&|f| f.status == *s))
                .map(status_name)
                .collect(),
        };
        let head = Head {
            version: env!("CARGO_PKG_VERSION"),
            command: report.command,
            passed: report.passed(),
            fail_on: fail_on_name(report),
            fail_on_existing: report.fail_on_existing,
            headline: format!(
                "{}, {}, {} in {}",
                plural(counts.errors, "error"),
                plural(counts.warnings, "warning"),
                plural(counts.infos, "info"),
                plural(counts.files, "file")
            ),
            parse_coverage: format!("{:.1}", report.parse_coverage()),
            counts,
            // Relative to the repository when it is known (the links are).
            folders: report
                .sets
                .iter()
                .map(|set| {
                    let shown = crate::migrations::display_path(&set.root);
                    links
                        .and_then(|links| links.repository_path(&shown))
                        .unwrap_or(shown)
                })
                .collect(),
            severities: SEVERITIES
                .iter()
                .map(|s| count_row(s.as_str(), findings, |f| f.severity == *s))
                .collect(),
            categories: CATEGORIES
                .iter()
                .map(|c| count_row(c.as_str(), findings, |f| f.category == *c))
                .filter(|row| row.new + row.existing + row.suppressed > 0)
                .collect(),
            html_report_url: html_report_url.map(str::to_string),
            changes_markdown: report.changes.as_deref().map(super::changes::markdown),
            changes: report.changes.as_deref().map(|changes| ChangesView {
                lines: changes
                    .iter()
                    .map(|change| ChangeLine {
                        verb: crate::diff::describe::verb(change),
                        body: crate::diff::describe::body(change),
                    })
                    .collect(),
            }),
            apply: report.apply.iter().map(ApplyView::new).collect(),
        };
        let mut in_order: Vec<&FindingView> = groups.iter().flat_map(|g| &g.findings).collect();
        in_order.sort_by_key(|f| f.id);
        let by_severity = SEVERITIES
            .iter()
            .map(|severity| {
                let of_severity: Vec<&FindingView> = in_order
                    .iter()
                    .copied()
                    .filter(|f| f.severity == *severity)
                    .collect();
                SeveritySection {
                    severity: *severity,
                    name: match severity {
                        Severity::Error => "errors",
                        Severity::Warning => "warnings",
                        Severity::Info => "infos",
                    },
                    count: of_severity.len(),
                    statements: by_statement(report, &of_severity),
                }
            })
            .filter(|section| section.count > 0)
            .collect();
        View {
            head,
            groups,
            by_severity,
            rules,
            filters,
        }
    }
}

/// `findings` (in report order) with the ones on one statement together, where the first
/// of them is, under an excerpt marking each one's span.
fn by_statement(report: &Report<'_>, findings: &[&FindingView]) -> Vec<StatementView> {
    // A statement: its file and where it starts.
    type Statement<'a> = Option<(&'a str, usize)>;
    let mut keyed: Vec<(Statement, Vec<&FindingView>)> = Vec::new();
    for finding in findings {
        let location = &report.findings[finding.id].location;
        let key = location.as_ref().and_then(|l| {
            excerpt::statement_of(report.sets, l).map(|span| (l.file.as_str(), span.start))
        });
        match keyed.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, group)) => group.push(finding),
            None => keyed.push((key, vec![finding])),
        }
    }
    keyed
        .into_iter()
        .map(|(key, group)| {
            let excerpt = match key {
                Some((file, _)) if group.len() > 1 => {
                    let locations: Vec<&Location> = group
                        .iter()
                        .filter_map(|f| report.findings[f.id].location.as_ref())
                        .collect();
                    excerpt::source_of(report.sets, file)
                        .and_then(|source| excerpt::excerpt_of(source, &locations))
                }
                _ => group[0].excerpt.clone(),
            };
            StatementView {
                excerpt,
                findings: group.into_iter().cloned().collect(),
            }
        })
        .collect()
}

/// `{{segments message}}`: text and `<code>` pieces, each escaped with the registry's
/// escape function (HTML for the page, Markdown for comments).
pub fn segments_helper(
    helper: &handlebars::Helper<'_>,
    registry: &handlebars::Handlebars<'_>,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext<'_, '_>,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let value = helper.param(0).map(|p| p.value().clone()).ok_or(
        handlebars::RenderErrorReason::ParamNotFoundForIndex("segments", 0),
    )?;
    let pieces: Vec<Segment> = serde_json::from_value(value)
        .map_err(|_| handlebars::RenderErrorReason::InvalidParamType("segments"))?;
    let escape = registry.get_escape_fn();
    for piece in pieces {
        if piece.code {
            out.write("<code>")?;
            out.write(&escape(&piece.text))?;
            out.write("</code>")?;
        } else {
            out.write(&escape(&piece.text))?;
        }
    }
    Ok(())
}

fn fail_on_name(report: &Report<'_>) -> &'static str {
    use crate::findings::FailOn;
    match report.fail_on {
        FailOn::Error => "error",
        FailOn::Warning => "warning",
        FailOn::Info => "info",
        FailOn::Never => "never",
    }
}

fn finding_view(
    report: &Report<'_>,
    links: Option<&LinkContext>,
    id: usize,
    finding: &Finding,
) -> FindingView {
    let meta = crate::rules::registry::meta(&finding.rule);
    let location = finding.location.as_ref();
    let folder = location.and_then(|l| folder_of(report.sets, &l.file));
    let name = location.map(|l| {
        folder
            .as_deref()
            .and_then(|folder| l.file.strip_prefix(folder))
            .map_or(l.file.as_str(), |rest| rest.trim_start_matches('/'))
            .to_string()
    });
    FindingView {
        id,
        rule: finding.rule.clone(),
        severity: finding.severity,
        category: finding.category,
        status: finding.status,
        fails_gate: finding.fails_gate(report.fail_on, report.fail_on_existing),
        message: escape::segments(&finding.message),
        help: finding.help.as_deref().map(escape::segments),
        object: finding.object.clone(),
        suppressed_by: finding.suppressed_by.clone(),
        file: location.map(|l| l.file.clone()),
        folder,
        name,
        position: location.map(|l| format!("{}:{}", l.line, l.column)),
        line: location.map(|l| l.line),
        link: links.zip(location).and_then(|(links, l)| links.blob_url(l)),
        rule_summary: meta.map(|m| m.summary),
        docs_url: meta.map(|m| m.docs_url()),
        excerpt: location
            .and_then(|l| excerpt::excerpt(excerpt::source_of(report.sets, &l.file)?, l)),
        fingerprint: finding.fingerprint.clone(),
    }
}

/// The folder (as displayed) of the set that holds `file`.
fn folder_of(sets: &[crate::migrations::MigrationSet], file: &str) -> Option<String> {
    sets.iter()
        .find(|set| set.migrations.iter().any(|m| m.path == file))
        .map(|set| crate::migrations::display_path(&set.root))
        .filter(|folder| file.starts_with(folder.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: &str) -> Location {
        Location {
            file: file.into(),
            line: 3,
            column: 1,
            end_line: 5,
            end_column: 2,
        }
    }

    #[test]
    fn blob_urls_are_encoded_and_only_for_relative_paths() {
        let links = LinkContext {
            server_url: "https://ghe.example.com/".into(),
            repository: "acme/app".into(),
            sha: "abc123".into(),
            prefix: String::new(),
        };
        assert_eq!(
            links.blob_url(&at("./supabase/migrations/1 (copy).sql")).as_deref(),
            Some("https://ghe.example.com/acme/app/blob/abc123/supabase/migrations/1%20%28copy%29.sql#L3-L5")
        );
        assert_eq!(links.blob_url(&at("/tmp/x.sql")), None);
        assert_eq!(links.blob_url(&at("../x.sql")), None);
        // Run from a folder inside the repository.
        let inside = LinkContext {
            prefix: "db/".into(),
            ..links
        };
        assert_eq!(
            inside.blob_url(&at("migrations/1.sql")).as_deref(),
            Some("https://ghe.example.com/acme/app/blob/abc123/db/migrations/1.sql#L3-L5")
        );
        assert_eq!(
            inside.repository_path("../other/2.sql").as_deref(),
            Some("other/2.sql")
        );
        assert_eq!(inside.repository_path("../../x.sql"), None);
    }
}
