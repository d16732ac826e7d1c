//! One entry point, [`publish`]: everything a `check` run shows on GitHub, and the fallback
//! when the API refuses. Publishing never changes the gate: API failures become notices.

use super::annotation::{escape_data, Annotation};
use super::api::{ApiError, Client};
use super::check_run::{self, CheckRun};
use super::comment;
use super::context::{Context, Repository};
use super::{step, truncate, MAX_TEXT};
use crate::findings::Finding;
use crate::report::plural;
use crate::Failure;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The gate's verdict as a check-run conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    Success,
    Failure,
    /// Nothing was checked (no migration changed): passing, but not a green tick for work
    /// that was not done.
    Neutral,
}

impl Conclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Success => "success",
            Conclusion::Failure => "failure",
            Conclusion::Neutral => "neutral",
        }
    }
}

/// New findings (existing and suppressed ones are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    /// All new findings, infos included.
    pub findings: usize,
}

impl From<&crate::report::Counts> for Counts {
    fn from(counts: &crate::report::Counts) -> Counts {
        Counts {
            errors: counts.errors,
            warnings: counts.warnings,
            findings: counts.errors + counts.warnings + counts.infos,
        }
    }
}

/// Reports written by this run, exposed as step outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportPaths {
    pub html: Option<PathBuf>,
    pub sarif: Option<PathBuf>,
    pub json: Option<PathBuf>,
}

/// The sticky comment of one migrations folder.
#[derive(Debug, Clone)]
pub struct FolderComment {
    /// The folder relative to the repository root; names the comment's marker.
    pub folder: String,
    pub markdown: String,
    /// New findings in this folder: with none and no earlier comment, nothing is posted.
    pub findings: usize,
}

/// What to publish, rendered by the report renderers.
#[derive(Debug, Clone)]
pub struct PublishInput {
    pub comments: Vec<FolderComment>,
    /// The job summary and the check run's summary.
    pub summary_markdown: String,
    pub annotations: Vec<Annotation>,
    pub conclusion: Conclusion,
    pub counts: Counts,
    pub reports: ReportPaths,
}

/// Which channels to use (from `GithubArgs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub comment: bool,
    pub check_run: bool,
    pub check_name: String,
}

/// What happened to one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Created(u64),
    Updated(u64),
    Skipped(&'static str),
    /// The token may not write here (HTTP 403): the fallback ran.
    Forbidden,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishOutcome {
    pub check_run: Delivery,
    /// Per folder, in input order.
    pub comments: Vec<(String, Delivery)>,
}

/// The annotations for `findings`: new findings with a location, paths made relative to the
/// repository root.
pub fn annotations(findings: &[Finding], ctx: &Context) -> Vec<Annotation> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    findings
        .iter()
        .filter_map(|f| Annotation::from_finding(f, ctx.workspace.as_deref(), &cwd))
        .collect()
}

/// Publishes to GitHub with the context's token, writing workflow commands and notices to
/// stdout. Errors only when the runner's summary or output file cannot be written.
pub fn publish(
    ctx: &Context,
    settings: &Settings,
    input: &PublishInput,
) -> Result<PublishOutcome, Failure> {
    let client = ctx
        .token
        .clone()
        .map(|token| Client::new(&ctx.api_url, token));
    let mut console = Vec::new();
    let outcome = publish_with(ctx, settings, input, client.as_ref(), &mut console);
    if !console.is_empty() {
        super::stop_commands::with_commands(|| std::io::stdout().write_all(&console))
            .map_err(console_error)?;
    }
    outcome
}

/// [`publish`] with an explicit client (`None`: no API) and console.
pub fn publish_with(
    ctx: &Context,
    settings: &Settings,
    input: &PublishInput,
    client: Option<&Client>,
    console: &mut dyn Write,
) -> Result<PublishOutcome, Failure> {
    let mut notices = Vec::new();
    let api = match (client, &ctx.repository) {
        (Some(client), Some(repo)) => Some((client, repo)),
        _ => {
            if settings.check_run || (settings.comment && ctx.pull_request.is_some()) {
                notices.push(
                    "no GitHub API access (needs a token and GITHUB_REPOSITORY): pass \
                     --github-token or set GITHUB_TOKEN; findings are shown as annotations \
                     from workflow commands instead"
                        .to_string(),
                );
            }
            None
        }
    };

    let check_run = match (settings.check_run, api) {
        (false, _) => Delivery::Skipped("check runs are turned off"),
        (true, None) => Delivery::Skipped("no API access"),
        (true, Some(api)) => create_check_run(ctx, settings, input, api, &mut notices),
    };
    if !matches!(check_run, Delivery::Created(_)) {
        for annotation in &input.annotations {
            writeln!(console, "{}", annotation.workflow_command()).map_err(console_error)?;
        }
    }
    let comments = match (settings.comment, api) {
        (true, Some(api)) => upsert_comments(ctx, input, api, &mut notices),
        _ => Vec::new(),
    };

    for notice in &notices {
        writeln!(
            console,
            "::notice title=schemagate::{}",
            escape_data(notice)
        )
        .map_err(console_error)?;
    }
    if let Some(file) = &ctx.step_summary {
        let mut summary = input.summary_markdown.clone();
        for notice in &notices {
            summary.push_str(&format!("\n\n> [!NOTE]\n> {notice}\n"));
        }
        step::append_summary(file, &summary)
            .map_err(|e| file_error("GITHUB_STEP_SUMMARY", file, e))?;
    }
    if let Some(file) = &ctx.output {
        step::append_outputs(file, &outputs(ctx, input))
            .map_err(|e| file_error("GITHUB_OUTPUT", file, e))?;
    }
    Ok(PublishOutcome {
        check_run,
        comments,
    })
}

type Api<'a> = (&'a Client, &'a Repository);

fn create_check_run(
    ctx: &Context,
    settings: &Settings,
    input: &PublishInput,
    (client, repo): Api<'_>,
    notices: &mut Vec<String>,
) -> Delivery {
    let Some(sha) = ctx.head_sha() else {
        return Delivery::Skipped("no commit to attach it to (GITHUB_SHA)");
    };
    let note = truncation_note(ctx);
    let text = input
        .comments
        .iter()
        .map(|c| c.markdown.as_str())
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    let details_url = ctx.run_url();
    let run = CheckRun {
        name: &settings.check_name,
        head_sha: sha,
        details_url: details_url.as_deref(),
        title: &title(&input.counts),
        summary: &truncate(&input.summary_markdown, MAX_TEXT, &note),
        text: &truncate(&text, MAX_TEXT, &note),
        annotations: &input.annotations,
        conclusion: input.conclusion.as_str(),
    };
    deliver(
        check_run::publish(client, repo, &run).map(Delivery::Created),
        ctx,
        "create the check run",
        "checks: write",
        notices,
    )
}

/// One sticky comment per folder; none outside a pull request.
fn upsert_comments(
    ctx: &Context,
    input: &PublishInput,
    (client, repo): Api<'_>,
    notices: &mut Vec<String>,
) -> Vec<(String, Delivery)> {
    let Some(pr) = &ctx.pull_request else {
        return Vec::new();
    };
    let note = truncation_note(ctx);
    input
        .comments
        .iter()
        .map(|folder| {
            let marker = comment::marker(&folder.folder);
            let body = truncate(&folder.markdown, super::comment_room(&folder.folder), &note);
            let clean = folder.findings == 0;
            let result = comment::upsert(client, repo, pr.number, &marker, &body, clean);
            let delivery = deliver(
                result,
                ctx,
                "comment on the pull request",
                "pull-requests: write",
                notices,
            );
            (folder.folder.clone(), delivery)
        })
        .collect()
}

/// Turns an API result into a delivery, adding the notice that explains a failure: a 403
/// names the permission the workflow must grant.
fn deliver(
    result: Result<Delivery, ApiError>,
    ctx: &Context,
    action: &str,
    permission: &str,
    notices: &mut Vec<String>,
) -> Delivery {
    match result {
        Ok(delivery) => delivery,
        Err(error) if error.is_forbidden() => {
            let fork = if ctx.pull_request.as_ref().is_some_and(|pr| pr.fork) {
                " Pull requests from forks get a read-only token, so this is expected there."
            } else {
                ""
            };
            notices.push(format!(
                "schemagate could not {action}: the token lacks the `{permission}` permission. \
                 Add `permissions: {{ {permission} }}` to the workflow job.{fork} The findings \
                 are in the job summary and the annotations; the gate result is unaffected."
            ));
            Delivery::Forbidden
        }
        Err(error) => {
            notices.push(format!(
                "schemagate could not {action}: {error}. The gate result is unaffected."
            ));
            Delivery::Failed(error.to_string())
        }
    }
}

/// "2 errors, 1 warning" or "No new findings".
fn title(counts: &Counts) -> String {
    if counts.findings == 0 {
        return "No new findings".to_string();
    }
    let others = counts
        .findings
        .saturating_sub(counts.errors + counts.warnings);
    let mut parts = vec![
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
    ];
    if others > 0 {
        parts.push(plural(others, "notice"));
    }
    parts.join(", ")
}

fn truncation_note(ctx: &Context) -> String {
    match ctx.run_url() {
        Some(url) => format!(
            "\n\n… truncated: the full report is in the HTML report of [this run]({url}).\n"
        ),
        None => "\n\n… truncated: the full report is in the HTML report.\n".to_string(),
    }
}

/// The step outputs; report paths relative to the workspace, so later steps on the runner
/// (where the workspace is mounted elsewhere than in the container) can use them.
fn outputs(ctx: &Context, input: &PublishInput) -> Vec<(&'static str, String)> {
    let path = |p: &Option<PathBuf>| {
        p.as_deref()
            .map(|p| workspace_relative(p, ctx.workspace.as_deref()))
            .unwrap_or_default()
    };
    vec![
        ("conclusion", input.conclusion.as_str().to_string()),
        ("errors", input.counts.errors.to_string()),
        ("warnings", input.counts.warnings.to_string()),
        ("findings", input.counts.findings.to_string()),
        ("report-html", path(&input.reports.html)),
        ("report-sarif", path(&input.reports.sarif)),
        ("report-json", path(&input.reports.json)),
    ]
}

fn workspace_relative(path: &Path, workspace: Option<&Path>) -> String {
    workspace
        .and_then(|ws| path.strip_prefix(ws).ok())
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn console_error(error: std::io::Error) -> Failure {
    Failure::Environment(format!("cannot write to stdout: {error}"))
}

fn file_error(variable: &str, file: &Path, error: std::io::Error) -> Failure {
    Failure::Environment(format!(
        "cannot append to {} ({variable}): {error}; check the runner's file permissions",
        file.display()
    ))
}
