//! `check`'s GitHub step: the run's reports become a [`PublishInput`] (one sticky comment
//! per folder, the job summary, annotations, the verdict) for `github::publish`.

use super::check::Checked;
use crate::cli::{CheckArgs, CommonArgs, Format, GithubArgs};
use crate::findings::Status;
use crate::github::{self, Conclusion, Context, FolderComment, PublishInput, ReportPaths};
use crate::migrations::{self, MigrationSet};
use crate::report::{escape, markdown, LinkContext, RenderOptions, Report};
use crate::Failure;
use std::path::PathBuf;

/// The GitHub context when this run publishes (`--github`, or inside Actions without
/// `--no-github`).
pub(super) fn context(args: &GithubArgs) -> Result<Option<Context>, Failure> {
    if args.no_github {
        return Ok(None);
    }
    let ctx = Context::from_process_env(args.github_token.clone())?;
    Ok(args.enabled(&ctx).then_some(ctx))
}

/// Links to the pull request's head commit, and to the run whose artifacts hold the HTML
/// report.
pub(super) fn render_options(ctx: &Context) -> RenderOptions {
    let links = match (&ctx.repository, ctx.head_sha()) {
        (Some(repository), Some(sha)) => Some(LinkContext {
            server_url: ctx.server_url.clone(),
            repository: repository.to_string(),
            sha: sha.to_string(),
            prefix: working_directory_prefix(ctx),
        }),
        _ => None,
    };
    RenderOptions {
        links,
        html_report_url: ctx.run_url(),
        ..RenderOptions::default()
    }
}

/// The working directory inside the repository, `/`-terminated ("" at the top or when
/// unknown): inside the workspace Actions names, else inside the git clone.
fn working_directory_prefix(ctx: &Context) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return String::new();
    };
    let relative = match &ctx.workspace {
        Some(workspace) => cwd.strip_prefix(workspace).ok().map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        }),
        None => crate::history::git::Repo::discover(&cwd)
            .and_then(|repo| repo.relative(&cwd))
            .ok(),
    };
    match relative {
        Some(path) if !path.is_empty() => format!("{path}/"),
        _ => String::new(),
    }
}

/// [`render_options`] from the process environment, whether or not this run publishes:
/// a local preview (`--format comment`) with `GITHUB_REPOSITORY` and `GITHUB_SHA` set links
/// like the posted comment. An unreadable environment only means no links.
pub(crate) fn env_render_options() -> RenderOptions {
    Context::from_process_env(None)
        .map(|ctx| render_options(&ctx))
        .unwrap_or_default()
}

/// Publishes a run that checked at least one folder.
pub(super) fn checked(
    args: &CheckArgs,
    ctx: &Context,
    sets: &[MigrationSet],
    results: &[Checked],
    report: &Report<'_>,
    options: &RenderOptions,
) -> Result<(), Failure> {
    let comments = sets
        .iter()
        .zip(results)
        .map(|(set, checked)| {
            let folder = repository_folder(ctx, set);
            if checked.unchanged {
                let line = format!(
                    "No migration in {} changed on this branch.",
                    migrations::display_path(&set.root)
                );
                return unchanged_comment(folder, &line);
            }
            let folder_report = Report {
                command: report.command,
                sets: std::slice::from_ref(set),
                findings: checked.findings.clone(),
                fail_on: report.fail_on,
                fail_on_existing: report.fail_on_existing,
                status: None,
                apply: checked.apply.iter().cloned().collect(),
                changes: checked.changes.clone(),
            };
            FolderComment {
                markdown: markdown::comment(&folder_report, options, github::comment_room(&folder)),
                findings: checked
                    .findings
                    .iter()
                    .filter(|f| f.status == Status::New)
                    .count(),
                folder,
            }
        })
        .collect();
    let input = PublishInput {
        comments,
        summary_markdown: markdown::summary(report, options, github::MAX_TEXT),
        annotations: github::annotations(&report.findings, ctx),
        conclusion: if report.passed() {
            Conclusion::Success
        } else {
            Conclusion::Failure
        },
        counts: (&report.counts()).into(),
        reports: report_paths(&args.common),
    };
    publish(&args.github, ctx, &input, args.common.verbose)
}

/// Publishes a run that had nothing to check: a neutral check run, and earlier comments
/// updated to say so (none are created).
pub(super) fn unchanged(
    args: &CheckArgs,
    ctx: &Context,
    sets: &[MigrationSet],
    line: &str,
) -> Result<(), Failure> {
    let input = PublishInput {
        comments: sets
            .iter()
            .map(|set| unchanged_comment(repository_folder(ctx, set), line))
            .collect(),
        summary_markdown: format!(
            "## ✅ schemagate check: nothing to check\n\n{}\n",
            escape::markdown(line)
        ),
        annotations: Vec::new(),
        conclusion: Conclusion::Neutral,
        counts: github::Counts::default(),
        reports: report_paths(&args.common),
    };
    publish(&args.github, ctx, &input, args.common.verbose)
}

fn publish(
    args: &GithubArgs,
    ctx: &Context,
    input: &PublishInput,
    verbose: bool,
) -> Result<(), Failure> {
    let outcome = github::publish(ctx, &args.settings(), input)?;
    if verbose {
        eprintln!("github: check run {:?}", outcome.check_run);
        for (folder, delivery) in &outcome.comments {
            eprintln!("github: comment for {folder} {delivery:?}");
        }
    }
    Ok(())
}

/// A folder the branch did not change: its comment is only ever an update.
fn unchanged_comment(folder: String, line: &str) -> FolderComment {
    FolderComment {
        markdown: format!(
            "### ✅ schemagate: nothing to check · <code>{}</code>\n\n{}\n",
            escape::markdown(&folder),
            escape::markdown(line)
        ),
        findings: 0,
        folder,
    }
}

/// The folder relative to the repository root: it names the sticky comment's marker.
fn repository_folder(ctx: &Context, set: &MigrationSet) -> String {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    github::annotation::repo_relative(
        &migrations::display_path(&set.root),
        ctx.workspace.as_deref(),
        &cwd,
    )
}

/// The first HTML, SARIF and JSON report among `--output`, for the step outputs.
fn report_paths(common: &CommonArgs) -> ReportPaths {
    let first = |format: Format| {
        common
            .outputs
            .iter()
            .find(|o| o.format == format)
            .map(|o| o.path.clone())
    };
    ReportPaths {
        html: first(Format::Html),
        sarif: first(Format::Sarif),
        json: first(Format::Json),
    }
}
