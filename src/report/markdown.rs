//! Markdown for the pull-request comment and the job summary (`--format markdown`).
//!
//! Both list only new findings (existing ones as a collapsed count) and must fit a size
//! limit. They degrade whole pieces at a time — excerpts, then the `<details>` blocks,
//! then findings from the least severe up — so no tag is ever cut in half.

use super::view::{Group, Head, View};
use super::{escape, RenderOptions, Report};
use crate::findings::Status;
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
    fit(&View::from_options(report, options), "comment", limit)
}

/// The job summary (`--format markdown`) within `limit` bytes: [`SUMMARY_LIMIT`] for a
/// job summary, less where the same text goes elsewhere (a check run's summary).
pub fn summary(report: &Report<'_>, options: &RenderOptions, limit: usize) -> String {
    fit(&View::from_options(report, options), "summary", limit)
}

#[derive(Serialize)]
struct Page<'a> {
    view: &'a Head,
    /// New findings shown, grouped by file.
    groups: Vec<Group>,
    /// New findings left out for space.
    more: usize,
    excerpts: bool,
    details: bool,
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

/// How much of each finding is shown, from most to least.
const LEVELS: [(bool, bool); 3] = [(true, true), (false, true), (false, false)];

fn fit(view: &View, template: &str, limit: usize) -> String {
    let registry = registry();
    let new_groups: Vec<Group> = view
        .groups
        .iter()
        .filter_map(|group| group.only(|f| f.status == Status::New))
        .collect();
    let total: usize = new_groups.iter().map(|g| g.findings.len()).sum();
    // Most severe first when the list must be cut; ties keep report order.
    let mut ranked: Vec<(crate::findings::Severity, usize)> = new_groups
        .iter()
        .flat_map(|g| &g.findings)
        .map(|f| (f.severity, f.id))
        .collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    let render = |keep: usize, (excerpts, details): (bool, bool)| {
        let mut kept = vec![false; view.groups.iter().map(|g| g.findings.len()).sum()];
        for (_, id) in &ranked[..keep] {
            kept[*id] = true;
        }
        let groups = new_groups
            .iter()
            .filter_map(|group| group.only(|f| kept[f.id]))
            .collect();
        let page = Page {
            view: &view.head,
            groups,
            more: total - keep,
            excerpts,
            details,
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
    for level in LEVELS {
        let text = render(total, level);
        if text.len() <= limit {
            return text;
        }
    }
    // The largest number of findings that fits, by bisection (size grows with the count).
    let terse = LEVELS[LEVELS.len() - 1];
    let (mut fits, mut too_many) = (0, total);
    while too_many - fits > 1 {
        let middle = (fits + too_many) / 2;
        if render(middle, terse).len() <= limit {
            fits = middle;
        } else {
            too_many = middle;
        }
    }
    let text = render(fits, terse);
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
        let text = fit(&view(3), "comment", 80);
        assert_eq!(
            text,
            "schemagate: gate failed; 3 errors, 0 warnings, 0 infos in 0 files\n"
        );
    }

    #[test]
    fn the_list_is_cut_to_what_fits() {
        let full = fit(&view(50), "summary", SUMMARY_LIMIT);
        assert!(full.contains("<details>"));
        let terse = fit(&view(50), "summary", full.len() - 1);
        assert!(!terse.contains("<details>"), "details go first");
        assert_eq!(terse.matches("finding ").count(), 50);
        let limit = terse.len() - 1;
        let cut = fit(&view(50), "summary", limit);
        assert!(cut.len() <= limit);
        let shown = cut.matches("finding ").count();
        assert!(shown > 0 && shown < 50, "{shown}");
        assert!(cut.contains(&format!("**{} more in the HTML report.**", 50 - shown)));
    }
}
