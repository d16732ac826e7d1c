//! Markdown for the pull-request comment and the job summary (`--format markdown`).
//!
//! Both list only new findings (existing ones as a collapsed count) and must fit a size
//! limit. They degrade whole pieces at a time — excerpts, then the `<details>` blocks,
//! then findings from the least severe up — so no tag is ever cut in half.

use super::excerpt::Excerpt;
use super::view::{FindingView, Head, View};
use super::{escape, plural, RenderOptions, Report};
use crate::findings::{Severity, Status};
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};
use serde::Serialize;

/// GitHub refuses comment bodies over 65,536 characters. Sizes are measured in bytes,
/// which is never less than characters or UTF-16 units.
pub const COMMENT_LIMIT: usize = 65_536;
/// GitHub accepts job summaries up to 1 MiB per step.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

const COUNTS: &str = include_str!("../../templates/counts.md.hbs");
const FINDINGS: &str = include_str!("../../templates/findings.md.hbs");
const COMMENT: &str = include_str!("../../templates/comment.md.hbs");
const SUMMARY: &str = include_str!("../../templates/summary.md.hbs");

/// The sticky pull-request comment's body, within `limit` bytes. The publisher adds the
/// hidden marker line (`github::comment::marker`) and passes the room left for the body
/// (at most [`COMMENT_LIMIT`] minus the marker line).
pub fn comment(report: &Report<'_>, options: &RenderOptions, limit: usize) -> String {
    fit(
        &View::from_options(report, options),
        "comment",
        limit,
        COMMENT_FINDINGS,
    )
}

/// `--format comment`: each folder's pull-request comment as it would be posted, marker
/// line included, separated by a rule when there are several.
pub fn comments(report: &Report<'_>, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    for set in report.sets {
        let shown = crate::migrations::display_path(&set.root);
        // The marker names the folder from the repository's top, as the publisher does.
        let folder = options
            .links
            .as_ref()
            .and_then(|links| links.repository_path(&shown))
            .unwrap_or(shown);
        let body = comment(
            &report.for_folder(set),
            options,
            crate::github::comment_room(&folder),
        );
        out.push(format!(
            "{}\n{body}",
            crate::github::comment_marker(&folder)
        ));
    }
    out.join("\n---\n\n")
}

/// The job summary (`--format summary`) within `limit` bytes: [`SUMMARY_LIMIT`] for a
/// job summary, less where the same text goes elsewhere (a check run's summary).
pub fn summary(report: &Report<'_>, options: &RenderOptions, limit: usize) -> String {
    fit(
        &View::from_options(report, options),
        "summary",
        limit,
        usize::MAX,
    )
}

/// New findings the comment lists one per line before the rest are summarised: with the
/// heading, counts and collapsed blocks, about 40 lines. Errors are always listed.
pub const COMMENT_FINDINGS: usize = 20;

#[derive(Serialize)]
struct Page<'a> {
    view: &'a Head,
    /// New findings shown, most severe first, by folder.
    sections: Vec<Section>,
    /// More than one folder: each section (and apply line) names its folder.
    headed: bool,
    /// New findings left out.
    more: Option<More>,
    /// One per statement the shown findings point at; empty when left out for space.
    excerpts: Vec<ExcerptView>,
    statements: usize,
}

#[derive(Serialize)]
struct Section {
    /// Empty for files outside every folder and findings about no file.
    folder: String,
    findings: Vec<FindingView>,
}

#[derive(Serialize)]
struct More {
    total: usize,
    /// "10 warnings, 2 infos".
    breakdown: String,
}

/// One statement's SQL and the rules that point into it.
#[derive(Serialize)]
struct ExcerptView {
    name: String,
    line: u32,
    link: Option<String>,
    rules: Vec<String>,
    excerpt: Excerpt,
}

/// A whole comment or summary: the head, and the pieces rendered from [`Page`].
#[derive(Serialize)]
struct Whole<'a> {
    view: &'a Head,
    counts: String,
    findings: String,
}

fn render_one(registry: &Handlebars<'_>, name: &str, data: &impl Serialize) -> String {
    registry
        .render(name, data)
        .expect("the embedded Markdown templates render plain data")
}

/// `shown` by folder, in order of first appearance; one section when the folders are not
/// `headed` (the heading names the one folder).
fn sections(shown: &[&FindingView], headed: bool) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for finding in shown {
        let folder = if headed {
            finding.folder.clone().unwrap_or_default()
        } else {
            String::new()
        };
        match sections.iter_mut().find(|s| s.folder == folder) {
            Some(section) => section.findings.push((*finding).clone()),
            None => sections.push(Section {
                folder,
                findings: vec![(*finding).clone()],
            }),
        }
    }
    sections
}

/// One excerpt per statement: findings whose excerpts show the same lines of one file with
/// the same lines marked share it (the first one's marks are shown). `headed`: several
/// folders, so the excerpt names the whole path.
fn excerpts(shown: &[&FindingView], headed: bool) -> Vec<ExcerptView> {
    // File, lines shown, lines marked.
    type Key = (String, Vec<u32>, Vec<u32>);
    let mut out: Vec<(Key, ExcerptView)> = Vec::new();
    for finding in shown {
        let (Some(excerpt), Some(file), Some(line)) =
            (&finding.excerpt, &finding.file, finding.line)
        else {
            continue;
        };
        let numbers = |marked: bool| -> Vec<u32> {
            excerpt
                .lines
                .iter()
                .filter(|l| !marked || l.pieces.iter().any(|p| p.highlight))
                .map(|l| l.number)
                .collect()
        };
        let key = (file.clone(), numbers(false), numbers(true));
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, view)) => {
                if !view.rules.contains(&finding.rule) {
                    view.rules.push(finding.rule.clone());
                }
            }
            None => out.push((
                key,
                ExcerptView {
                    name: if headed {
                        file.clone()
                    } else {
                        finding.name.clone().unwrap_or_default()
                    },
                    line,
                    link: finding.link.clone(),
                    rules: vec![finding.rule.clone()],
                    excerpt: excerpt.clone(),
                },
            )),
        }
    }
    out.into_iter().map(|(_, view)| view).collect()
}

/// "10 warnings, 2 infos" for the findings left out.
fn breakdown(left: &[&FindingView]) -> String {
    [Severity::Error, Severity::Warning, Severity::Info]
        .iter()
        .map(|severity| {
            (
                severity,
                left.iter().filter(|f| f.severity == *severity).count(),
            )
        })
        .filter(|(_, count)| *count > 0)
        .map(|(severity, count)| plural(count, severity.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders `template` within `limit` bytes, listing at most `budget` new findings besides
/// the errors (always listed while they fit).
fn fit(view: &View, template: &str, limit: usize, budget: usize) -> String {
    let registry = registry();
    // Most severe first; ties keep report order (the view groups by file).
    let mut ranked: Vec<&FindingView> = view
        .groups
        .iter()
        .flat_map(|g| &g.findings)
        .filter(|f| f.status == Status::New)
        .collect();
    ranked.sort_by_key(|f| (std::cmp::Reverse(f.severity), f.id));
    let total = ranked.len();
    let errors = ranked
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let headed = view.head.folders.len() > 1;
    let render = |keep: usize, with_excerpts: bool| {
        let shown = &ranked[..keep];
        let excerpts = if with_excerpts {
            excerpts(shown, headed)
        } else {
            Vec::new()
        };
        let page = Page {
            view: &view.head,
            sections: sections(shown, headed),
            headed,
            more: (keep < total).then(|| More {
                total: total - keep,
                breakdown: breakdown(&ranked[keep..]),
            }),
            statements: excerpts.len(),
            excerpts,
        };
        // Pieces are rendered separately and pasted raw: handlebars partials copy the
        // whole context, which costs seconds with thousands of findings.
        let whole = Whole {
            view: &view.head,
            counts: render_one(&registry, "counts", &page)
                .trim_end()
                .to_string(),
            findings: render_one(&registry, "findings", &page)
                .trim_end()
                .to_string(),
        };
        render_one(&registry, template, &whole)
    };
    let listed = total.min(budget.max(errors));
    for with_excerpts in [true, false] {
        let text = render(listed, with_excerpts);
        if text.len() <= limit {
            return text;
        }
    }
    // The largest number of findings that fits, by bisection (size grows with the count).
    let (mut fits, mut too_many) = (0, listed);
    while too_many - fits > 1 {
        let middle = (fits + too_many) / 2;
        if render(middle, false).len() <= limit {
            fits = middle;
        } else {
            too_many = middle;
        }
    }
    let text = render(fits, false);
    if text.len() <= limit {
        return text;
    }
    // Only absurd folder names get here: the verdict alone.
    let verdict = if view.head.passed { "passed" } else { "failed" };
    format!(
        "schemagate: gate {verdict}; {}\n",
        escape::markdown(&view.head.headline)
    )
}

fn registry() -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(escape::markdown);
    registry.register_helper("segments", Box::new(super::view::segments_helper));
    registry.register_helper("pre", Box::new(pre));
    registry.register_helper("pre_number", Box::new(pre_number));
    registry.register_helper("plural", Box::new(plural_helper));
    for (name, text) in [
        ("counts", COUNTS),
        ("findings", FINDINGS),
        ("comment", COMMENT),
        ("summary", SUMMARY),
    ] {
        registry
            .register_template_string(name, text)
            .expect("the embedded Markdown templates parse");
    }
    registry
}

/// Text inside a `<pre>` block: GitHub passes the block through as HTML, so only HTML
/// escaping applies (Markdown escapes would show as backslashes).
fn pre(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let text = helper
        .param(0)
        .and_then(|p| p.value().as_str())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("pre", 0))?;
    out.write(&escape::html(text))?;
    Ok(())
}

/// `{{plural count "noun"}}`: "1 noun", "2 nouns".
fn plural_helper(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let count = helper
        .param(0)
        .and_then(|p| p.value().as_u64())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("plural", 0))?;
    let noun = helper
        .param(1)
        .and_then(|p| p.value().as_str())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("plural", 1))?;
    out.write(&escape::markdown(&plural(count as usize, noun)))?;
    Ok(())
}

/// A line number column inside `<pre>`.
fn pre_number(
    helper: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let number = helper
        .param(0)
        .and_then(|p| p.value().as_u64())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("pre_number", 0))?;
    out.write(&format!("{number:>4} │ "))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Category, FailOn, Finding, Severity};

    fn view(count: usize) -> View {
        let findings = (0..count)
            .map(|i| {
                Finding::new(
                    "r",
                    Severity::Error,
                    Category::Safety,
                    format!("finding {i}"),
                )
                .with_help("help")
            })
            .collect();
        let report = Report {
            command: "lint",
            sets: &[],
            findings,
            fail_on: FailOn::Error,
            fail_on_existing: false,
            status: None,
            apply: Vec::new(),
            changes: None,
        };
        View::from_options(&report, &RenderOptions::default())
    }

    #[test]
    fn when_even_the_counts_do_not_fit_only_the_verdict_remains() {
        let text = fit(&view(3), "comment", 80, COMMENT_FINDINGS);
        assert_eq!(
            text,
            "schemagate: gate failed; 3 errors, 0 warnings, 0 infos in 0 files\n"
        );
    }

    #[test]
    fn the_list_is_cut_to_what_fits() {
        let full = fit(&view(50), "summary", SUMMARY_LIMIT, usize::MAX);
        assert_eq!(full.matches("finding ").count(), 50);
        let limit = full.len() - 1;
        let cut = fit(&view(50), "summary", limit, usize::MAX);
        assert!(cut.len() <= limit);
        let shown = cut.matches("finding ").count();
        assert!(shown > 0 && shown < 50, "{shown}");
        let more = 50 - shown;
        assert!(
            cut.contains(&format!(
                "**{more} more findings** ({more} errors) not shown here"
            )),
            "{cut}"
        );
    }

    #[test]
    fn the_comment_lists_every_error_and_summarises_the_rest() {
        let errors = fit(&view(40), "comment", COMMENT_LIMIT, COMMENT_FINDINGS);
        assert_eq!(errors.matches("finding ").count(), 40, "errors are kept");
        assert!(!errors.contains("more finding"));
    }
}
