//! `--format tty`: rustc-style diagnostics with the source lines, a caret span, help and
//! the rule's docs link, then one summary line.

use super::excerpt::{self, CONTEXT_LINES};
use super::{escape, plural, Report};
use crate::findings::{Finding, Severity, Status};
use crate::migrations::MigrationSet;
use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

/// At most this many lines of a statement are shown under a finding.
const EXCERPT_LINES: u32 = 8;

pub struct Options {
    pub color: bool,
    /// Also show suppressed and existing findings.
    pub verbose: bool,
    /// Only the summary line.
    pub quiet: bool,
    /// Only findings of this severity or above (`--severity`).
    pub min_severity: Option<Severity>,
}

/// Past this many findings shown, the output ends with a recap of the errors.
const RECAP_AFTER: usize = 10;

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
        let listed: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.status == Status::New || options.verbose)
            .collect();
        let shown: Vec<&Finding> = listed
            .iter()
            .copied()
            .filter(|f| options.min_severity.is_none_or(|min| f.severity >= min))
            .collect();
        for group in by_statement(report.sets, &shown) {
            out.push_str(&render_statement(&renderer, report.sets, &group));
            out.push_str("\n\n");
        }
        if shown.len() > RECAP_AFTER {
            out.push_str(&errors_recap(&shown));
        }
        if let Some(min) = options.min_severity.filter(|_| listed.len() > shown.len()) {
            out.push_str(&format!(
                "{} below {min} not shown (--severity)\n",
                plural(listed.len() - shown.len(), "finding")
            ));
        }
    }
    for apply in &report.apply {
        out.push_str(&apply_summary(apply, options.verbose));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// The errors again, one line each (`file:line rule`), after a long list: what fails the
/// gate, without scrolling back.
fn errors_recap(shown: &[&Finding]) -> String {
    let errors: Vec<&&Finding> = shown
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return String::new();
    }
    let mut out = format!("{}:\n", plural(errors.len(), "error"));
    for finding in errors {
        let place = finding.location.as_ref().map_or_else(
            || "(no file)".to_string(),
            |l| format!("{}:{}", escape::terminal_line(&l.file), l.line),
        );
        out.push_str(&format!("  {place}  {}\n", finding.rule));
    }
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

/// Where a finding's excerpt comes from: its file's source and the statement around it.
struct Place<'a> {
    location: &'a crate::findings::Location,
    source: &'a crate::sql::SourceText,
    /// The statement's byte span, when the location is inside one.
    statement: Option<std::ops::Range<usize>>,
}

fn place<'a>(sets: &'a [MigrationSet], finding: &'a Finding) -> Option<Place<'a>> {
    let location = finding.location.as_ref()?;
    Some(Place {
        location,
        source: excerpt::source_of(sets, &location.file)?,
        statement: excerpt::statement_of(sets, location),
    })
}

/// A statement: its file and where it starts.
type StatementKey = (String, usize);

/// The findings to show, the ones on one statement together (where its first, most severe
/// finding is), so each statement's SQL is shown once.
fn by_statement<'a>(sets: &[MigrationSet], findings: &[&'a Finding]) -> Vec<Vec<&'a Finding>> {
    let mut groups: Vec<(Option<StatementKey>, Vec<&Finding>)> = Vec::new();
    for finding in findings {
        let key = place(sets, finding).and_then(|p| {
            p.statement
                .map(|span| (p.location.file.clone(), span.start))
        });
        match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, group)) => group.push(finding),
            None => groups.push((key, vec![finding])),
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

fn title(finding: &Finding) -> String {
    let mut title = finding.message.clone();
    match finding.status {
        Status::Suppressed => title.push_str(&format!(
            " (suppressed: {})",
            finding.suppressed_by.as_deref().unwrap_or("")
        )),
        Status::Existing => title.push_str(" (existing)"),
        Status::New => {}
    }
    title
}

/// The help and docs lines of a finding.
fn advice<'a>(group: Group<'a>, finding: &'a Finding, docs_url: Option<&'a str>) -> Group<'a> {
    let mut group = group;
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if let Some(url) = docs_url {
        group = group.element(
            Level::NOTE.message(format!("`schemagate explain {}` or {url}", finding.rule)),
        );
    }
    group
}

/// One statement's findings: the first one's diagnostic with the statement's SQL, every
/// finding's span marked in it (labelled with its rule when there are several), then the
/// others' titles and help under it.
fn render_statement(renderer: &Renderer, sets: &[MigrationSet], findings: &[&Finding]) -> String {
    let first = findings[0];
    let docs: Vec<Option<String>> = findings
        .iter()
        .map(|f| crate::rules::registry::meta(&f.rule).map(|m| m.docs_url()))
        .collect();
    let mut primary = level(first.severity)
        .primary_title(title(first))
        .id(&first.rule);
    if let Some(url) = &docs[0] {
        primary = primary.id_url(url);
    }
    let places: Vec<Option<Place>> = findings.iter().map(|f| place(sets, f)).collect();
    let group = match &places[0] {
        Some(place) => primary.element(snippet(findings, &places, place)),
        None => {
            let mut group = Group::with_title(primary);
            if let Some(location) = &first.location {
                group = group.element(Level::NOTE.message(format!(
                    "at {}:{}:{}",
                    location.file, location.line, location.column
                )));
            }
            group
        }
    };
    let mut groups = vec![advice(group, first, docs[0].as_deref())];
    for (finding, url) in findings.iter().zip(&docs).skip(1) {
        let mut title = level(finding.severity)
            .secondary_title(self::title(finding))
            .id(&finding.rule);
        if let Some(url) = url {
            title = title.id_url(url);
        }
        // Where it points, under the SQL shown above.
        let mut group = Group::with_title(title);
        if let Some(location) = &finding.location {
            group = group.element(
                Origin::path(location.file.as_str())
                    .line(location.line as usize)
                    .char_column(location.column as usize),
            );
        }
        groups.push(advice(group, finding, url.as_deref()));
    }
    renderer.render(&groups)
}

/// The SQL of `place`'s statement (or of the finding's span outside one) with each
/// finding's span marked. Short excerpts are shown whole, with a line of context around
/// the spans; longer ones are folded (`┇`) to the marked lines and the statement's first.
fn snippet<'a>(
    findings: &[&'a Finding],
    places: &[Option<Place<'a>>],
    place: &Place<'a>,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let source = place.source;
    let spans: Vec<(usize, usize)> = places
        .iter()
        .flatten()
        .map(|p| {
            let l = p.location;
            let start = source.offset_of(l.line, l.column);
            (start, source.offset_of(l.end_line, l.end_column).max(start))
        })
        .collect();
    let (from, to) = match &place.statement {
        Some(statement) => (statement.start, statement.end),
        None => (spans[0].0, spans[0].1),
    };
    let line_of = |offset: usize| {
        let (line, _) = source.line_col(offset);
        line
    };
    let spans_text = spans.iter().any(|(s, e)| e > s);
    let context = |number: u32| {
        (1..=source.line_count() as u32).contains(&number)
            && !source.line_text(number).trim().is_empty()
    };
    // Whole lines from the statement's first (or a line before the first span) to a line
    // after the last span.
    let span_first = spans.iter().map(|s| line_of(s.0)).min().unwrap_or(1);
    let span_last = spans
        .iter()
        .map(|s| line_of(s.1))
        .max()
        .unwrap_or(span_first);
    let mut first_line = line_of(from).min(span_first);
    if spans_text && first_line == span_first && context(first_line.saturating_sub(1)) {
        first_line -= CONTEXT_LINES;
    }
    let mut last_line = line_of(to).min(span_last + CONTEXT_LINES).max(span_last);
    while last_line > span_last && !context(last_line) {
        last_line -= 1;
    }
    let start = source.offset_of(first_line, 1);
    let end = source.offset_of(last_line, u32::MAX).max(start);
    let text = &source.text[start..end];
    let folded = last_line - first_line + 1 > EXCERPT_LINES;
    let mut snippet = Snippet::source(text)
        .line_start(first_line as usize)
        .path(place.location.file.as_str())
        .fold(folded || !spans_text);
    let several = findings.len() > 1;
    for (index, (finding, (span_start, span_end))) in findings.iter().zip(&spans).enumerate() {
        let range =
            span_start.saturating_sub(start)..span_end.saturating_sub(start).min(text.len());
        let range = range.start
            ..range
                .end
                .max(range.start + 1)
                .min(text.len().max(range.start));
        if range.end <= range.start {
            continue;
        }
        let kind = if index == 0 {
            AnnotationKind::Primary
        } else {
            AnnotationKind::Context
        };
        let label = if several {
            Some(finding.rule.as_str())
        } else {
            finding.object.as_deref()
        };
        let mut annotation = kind.span(range);
        if let Some(label) = label {
            annotation = annotation.label(label);
        }
        snippet = snippet.annotation(annotation);
    }
    // A folded excerpt keeps the statement's first line, so it says what the SQL is.
    if folded && place.statement.is_some() && span_first > first_line {
        let head = source.line_text(first_line).trim_end();
        let indent = head.len() - head.trim_start().len();
        if head.len() > indent {
            snippet = snippet.annotation(AnnotationKind::Visible.span(indent..head.len()));
        }
    }
    snippet
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
