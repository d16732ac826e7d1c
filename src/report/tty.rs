//! `--format tty`: rustc-style diagnostics with the source lines, a caret span, help and
//! the rule's docs link, then one summary line.

use super::excerpt::{source_of, CONTEXT_LINES};
use super::{plural, Report};
use crate::findings::{Finding, Severity, Status};
use crate::migrations::MigrationSet;
use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// At most this many lines of a statement are shown under a finding.
const EXCERPT_LINES: u32 = 4;

pub struct Options {
    pub color: bool,
    /// Also show suppressed and existing findings.
    pub verbose: bool,
    /// Only the summary line.
    pub quiet: bool,
}

pub fn render(report: &Report<'_>, options: &Options) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Unicode);
    let mut out = String::new();
    if let Some(rows) = report.status.as_ref().filter(|_| !options.quiet) {
        out.push_str(&status_table(rows));
        out.push('\n');
    }
    if let Some(changes) = report.changes.as_ref().filter(|_| !options.quiet) {
        out.push_str(&super::changes::tty(changes));
        out.push('\n');
    }
    if !options.quiet {
        for finding in &report.findings {
            if finding.status != Status::New && !options.verbose {
                continue;
            }
            out.push_str(&render_finding(&renderer, report.sets, finding));
            out.push_str("\n\n");
        }
    }
    for apply in &report.apply {
        out.push_str(&apply_summary(apply, options.verbose));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// One line per applied folder (and, verbose, one per file): what applied, what failed,
/// what was not reached.
fn apply_summary(apply: &crate::postgres::apply::ApplyReport, verbose: bool) -> String {
    use crate::postgres::apply::FileStatus;
    let mut out = String::new();
    if verbose {
        for file in &apply.files {
            let status = match file.status {
                FileStatus::Applied => "applied    ",
                FileStatus::Failed => "FAILED     ",
                FileStatus::NotReached => "not reached",
            };
            out.push_str(&format!(
                "  {status} {} ({} ms",
                file.path,
                file.duration.as_millis()
            ));
            if !file.created.is_empty() || !file.changed.is_empty() {
                out.push_str(&format!(
                    ", {} created, {} changed",
                    file.created.len(),
                    file.changed.len()
                ));
            }
            out.push_str(")\n");
        }
    }
    let applied = apply.count(FileStatus::Applied);
    let baseline = apply
        .baseline
        .as_ref()
        .map_or_else(String::new, |b| format!(" on the baseline `{}`", b.path));
    out.push_str(&format!(
        "{}: applied {applied} of {}{baseline} to {}",
        apply.folder,
        plural(apply.files.len(), "file"),
        apply.server
    ));
    if let Some(failed) = apply.stopped_at() {
        out.push_str(&format!(
            "; failed at `{failed}`; {} not reached",
            apply.count(FileStatus::NotReached)
        ));
    }
    out.push('\n');
    out
}

/// `status`: Local | Remote | State, one line per version.
fn status_table(rows: &[crate::remote::StatusRow]) -> String {
    use crate::remote::State;
    let local_width = rows
        .iter()
        .map(|r| r.local.as_deref().map_or(1, |l| l.chars().count()))
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!("{:local_width$}  {:20}  state\n", "local", "remote");
    for row in rows {
        let remote = match row.state {
            State::Pending | State::OutOfOrder => "-",
            _ => row.version.as_str(),
        };
        let state = match row.state {
            State::Applied => "applied",
            State::Pending => "pending",
            State::OutOfOrder => "pending, older than the newest applied (out of order)",
            State::Edited => "applied, edited since",
            State::Failed => "failed or dirty",
            State::MissingLocally => "missing locally",
        };
        out.push_str(&format!(
            "{:local_width$}  {:20}  {state}\n",
            row.local.as_deref().unwrap_or("-"),
            remote
        ));
    }
    out
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

fn render_finding(renderer: &Renderer, sets: &[MigrationSet], finding: &Finding) -> String {
    let mut title = finding.message.clone();
    match finding.status {
        Status::Suppressed => title.push_str(&format!(
            " (suppressed: {})",
            finding.suppressed_by.as_deref().unwrap_or("")
        )),
        Status::Existing => title.push_str(" (existing)"),
        Status::New => {}
    }
    let mut primary = level(finding.severity)
        .primary_title(title)
        .id(&finding.rule);
    let docs_url = crate::rules::registry::meta(&finding.rule).map(|m| m.docs_url());
    if let Some(url) = &docs_url {
        primary = primary.id_url(url);
    }
    let mut groups = Vec::new();
    let location = finding.location.as_ref();
    let excerpt = location.and_then(|l| source_of(sets, &l.file).map(|s| (l, s)));
    let mut group = match excerpt {
        Some((location, source)) => {
            let spanned_last = location
                .end_line
                .min(location.line + EXCERPT_LINES - 1)
                .max(location.line);
            // Lines of context around a span (see `excerpt::CONTEXT_LINES`), unless blank;
            // after a cut span the next lines are more of it, not context.
            let cut = spanned_last < location.end_line;
            let spans_text =
                (location.end_line, location.end_column) > (location.line, location.column);
            let context = |number: u32| {
                spans_text
                    && (1..=source.line_count() as u32).contains(&number)
                    && !source.line_text(number).trim().is_empty()
            };
            let first = (location.line.saturating_sub(CONTEXT_LINES)..location.line)
                .find(|&n| context(n))
                .unwrap_or(location.line);
            let last = if cut {
                spanned_last
            } else {
                (spanned_last + 1..=spanned_last + CONTEXT_LINES)
                    .take_while(|&n| context(n))
                    .last()
                    .unwrap_or(spanned_last)
            };
            let start = source.offset_of(first, 1);
            let end = source.offset_of(last, u32::MAX);
            let text = &source.text[start..end];
            let span_start = source.offset_of(location.line, location.column) - start;
            let span_end = if cut {
                text.len()
            } else {
                source.offset_of(location.end_line, location.end_column) - start
            };
            let span_end = span_end.max(span_start + 1).min(text.len().max(span_start));
            let mut snippet = Snippet::source(text)
                .line_start(first as usize)
                .path(&location.file)
                // Without a span there is nothing to show around.
                .fold(!spans_text);
            if span_end > span_start {
                let mut annotation = AnnotationKind::Primary.span(span_start..span_end);
                if let Some(object) = &finding.object {
                    annotation = annotation.label(object.as_str());
                }
                snippet = snippet.annotation(annotation);
            }
            primary.element(snippet)
        }
        None => {
            let mut group = Group::with_title(primary);
            if let Some(location) = location {
                group = group.element(Level::NOTE.message(format!(
                    "at {}:{}:{}",
                    location.file, location.line, location.column
                )));
            }
            group
        }
    };
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if let Some(url) = &docs_url {
        group = group.element(
            Level::NOTE.message(format!("`schemagate explain {}` or {url}", finding.rule)),
        );
    }
    groups.push(group);
    renderer.render(&groups)
}

/// "2 errors, 1 warning, 0 infos in 3 files; 40 statements, 97.5 % parsed".
pub fn summary_line(report: &Report<'_>) -> String {
    let counts = report.counts();
    let mut line = format!(
        "{}, {}, {} in {}; {}, {:.1} % parsed",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.infos, "info"),
        plural(counts.files, "file"),
        plural(counts.statements, "statement"),
        report.parse_coverage()
    );
    if counts.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", counts.suppressed));
    }
    if counts.existing > 0 {
        line.push_str(&format!("; {} existing", counts.existing));
    }
    line.push_str(if report.passed() {
        " — gate passed"
    } else {
        " — gate failed"
    });
    line
}
