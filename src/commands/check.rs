//! `schemagate check [PATH]`: the gate. Per migrations folder: discover → compare with the
//! base → lint → apply → catalog rules and declarative schema drift → order check; then
//! report, publish on GitHub, and the exit code.

use super::publish;
use crate::cli::CheckArgs;
use crate::config::Config;
use crate::declarative::{self, Schemas};
use crate::diff::base::Folders;
use crate::diff::order::{self, BaseRun, OrderOutcome};
use crate::diff::Change;
use crate::findings::Finding;
use crate::history::causation::{self, Baseline};
use crate::history::Comparison;
use crate::migrations::{self, Migration, MigrationSet};
use crate::model::Model;
use crate::postgres::apply::{self, ApplyOptions, ApplyReport};
use crate::postgres::{self, Database, ServerOptions};
use crate::report::Report;
use crate::Failure;
use tokio::runtime::Runtime;

/// What checking one migrations folder gave.
pub(super) struct Checked {
    /// Final findings (levels, suppressions and statuses applied).
    pub findings: Vec<Finding>,
    pub apply: Option<ApplyReport>,
    /// The base → branch schema changes, when the order check computed them.
    pub changes: Option<Vec<Change>>,
    /// The branch changed no migration in this folder since the base: nothing else ran.
    pub unchanged: bool,
}

pub fn run(args: CheckArgs) -> Result<bool, Failure> {
    if !args.path.exists() {
        return Err(Failure::Usage(format!(
            "{} does not exist; pass a migrations folder or the repository root",
            args.path.display()
        )));
    }
    let base = crate::history::base_ref(args.common.base.as_deref())?;
    if base.is_none() && args.common.verbose {
        eprintln!("no base (--base, or a pull request in GitHub Actions): history and order checks and the lock trace skipped (the static safety rules stand alone)");
    }
    let github = publish::context(&args.github)?;
    let runtime = super::runtime()?;
    let mut sets: Vec<MigrationSet> = Vec::new();
    let mut results: Vec<Checked> = Vec::new();
    let mut base_commit = None;
    for folder in migrations::find_folders(&args.path, args.common.layout)? {
        let config = super::load_config(&folder, &args.common)?;
        let set = migrations::load(&folder, config.layout);
        let comparison = match &base {
            Some(base) if !folder.is_file() => {
                Some(crate::history::compare(&folder, set.layout, base)?)
            }
            _ => None,
        };
        if let Some(comparison) = &comparison {
            base_commit = Some(comparison.base_commit.clone());
        }
        results.push(check_folder(
            &args,
            &runtime,
            &set,
            &config,
            comparison.as_ref(),
        )?);
        sets.push(set);
    }
    if sets.iter().all(|s| s.migrations.is_empty()) && !args.common.quiet {
        eprintln!("note: no migration files found in {}", args.path.display());
    }
    let nothing_changed = !results.is_empty() && results.iter().all(|r| r.unchanged);
    let mut findings: Vec<Finding> = results.iter().flat_map(|r| r.findings.clone()).collect();
    crate::findings::sort_findings(&mut findings);
    let computed: Vec<&Vec<Change>> = results.iter().filter_map(|r| r.changes.as_ref()).collect();
    let report = Report {
        command: "check",
        sets: &sets,
        findings,
        fail_on: args.common.fail_on,
        fail_on_existing: args.common.fail_on_existing,
        status: None,
        apply: results.iter().filter_map(|r| r.apply.clone()).collect(),
        changes: (!computed.is_empty()).then(|| computed.into_iter().flatten().cloned().collect()),
    };
    let options = github
        .as_ref()
        .map(publish::render_options)
        .unwrap_or_else(publish::env_render_options);
    let passed = if nothing_changed {
        let line = unchanged_line(&sets, base.as_deref(), base_commit.as_deref());
        super::write_outputs(&report, &args.common, &options)?;
        if args.common.format == crate::cli::Format::Tty {
            println!("{line}");
        } else {
            super::print_report(&report, args.common.format, &options)?;
        }
        if let Some(ctx) = &github {
            publish::unchanged(&args, ctx, &sets, &line)?;
        }
        true
    } else {
        let passed = super::emit_with(&report, &args.common, options.clone())?;
        if let Some(ctx) = &github {
            publish::checked(&args, ctx, &sets, &results, &report, &options)?;
        }
        passed
    };
    Ok(passed)
}

/// "no migration changed since origin/main (1a2b3c4d5e6f) in supabase/migrations: nothing
/// to check; gate passed".
fn unchanged_line(sets: &[MigrationSet], base: Option<&str>, commit: Option<&str>) -> String {
    let folders: Vec<String> = sets
        .iter()
        .map(|s| migrations::display_path(&s.root))
        .collect();
    let base = base.unwrap_or("the base");
    // A base given as a commit already says which one.
    let commit = match commit {
        Some(commit) if !commit.starts_with(base) => {
            format!(" ({})", crate::history::git::short_commit(commit))
        }
        _ => String::new(),
    };
    format!(
        "schemagate: no migration changed since {base}{commit} in {}: nothing to check; gate passed",
        folders.join(", ")
    )
}

fn check_folder(
    args: &CheckArgs,
    runtime: &Runtime,
    set: &MigrationSet,
    config: &Config,
    comparison: Option<&Comparison>,
) -> Result<Checked, Failure> {
    let shown = migrations::display_path(&set.root);
    let (schemas, base_schemas) = declarative_schemas(args, set, config, comparison)?;
    let schemas_changed = match (&schemas, &base_schemas) {
        (Some(head), Some(base)) => !head.same_as(base),
        (head, base) => head.is_some() != base.is_some(),
    };
    if let Some(comparison) =
        comparison.filter(|c| c.changed_migrations().is_empty() && !schemas_changed)
    {
        if args.common.verbose {
            eprintln!(
                "{shown}: no migration changed since {}: not linted or applied",
                comparison.base
            );
        }
        return Ok(Checked {
            findings: Vec::new(),
            apply: None,
            changes: None,
            unchanged: true,
        });
    }
    if args.common.verbose {
        super::describe_folder(set);
    }
    // The baseline's objects seed the static model; its statements are applied first.
    let dump = args.server.baseline(config)?;
    let dump_file = dump.as_ref().map(|d| &d.file);
    let model = Model::build_on(dump_file, set);
    let mut raw = crate::lint::run_static_rules(set, &model, config, comparison);
    if let Some(comparison) = comparison {
        crate::history::add_findings(&mut raw, comparison);
    }
    // The base's folder, written from git objects: the order check applies it, and its
    // findings tell the branch's from the base's.
    let mut folders = comparison
        .map(|comparison| crate::diff::base::materialize(&set.root, set.layout, comparison))
        .transpose()?;
    if let Some(folders) = folders.as_mut() {
        folders.declarative = base_schemas;
    }
    let mut apply = None;
    let mut changes = None;
    let mut base_run = None;
    let mut trace = Vec::new();
    if !args.no_apply && set.applied().next().is_some() {
        let options = args.server.options(config, args.lock_timeout);
        let apply_options = ApplyOptions {
            trace: !args.no_trace,
            ..ApplyOptions::new(
                set,
                args.server.statement_timeout,
                args.common.quiet,
                dump.clone(),
            )
        };
        let applied = runtime.block_on(apply_set(
            args,
            (set, &model, schemas.as_ref()),
            config,
            &options,
            &apply_options,
            folders.as_ref(),
        ))?;
        if !args.common.quiet {
            if let Some(baseline) = &applied.report.baseline {
                super::note_baseline(baseline, args.common.verbose);
            }
        }
        if let Some(catalog) = applied.catalog {
            raw = merge_catalog(raw, catalog, set, &model);
        }
        let mut apply_findings = applied.findings;
        crate::profile::hint_supabase(&mut apply_findings, config);
        hint_baseline(&mut apply_findings, &applied.report, comparison);
        raw.extend(without_static_duplicates(&raw, apply_findings));
        if let Some(order) = applied.order {
            for note in &order.notes {
                if args.common.verbose {
                    eprintln!("{shown}: order check: {note}");
                }
            }
            raw.extend(order.findings);
            changes = order.changes;
            base_run = order.base;
            trace = order.trace;
            if args.common.verbose && !trace.is_empty() {
                let v = crate::rules::trace::reconcile::verdicts(&raw, &trace);
                eprintln!(
                    "{shown}: lock trace: {} file(s) traced; static safety findings confirmed {}, dropped {}, not checkable {}",
                    trace.len(),
                    v.confirmed,
                    v.dropped,
                    v.unchecked
                );
            }
        }
        base_run = base_run.or(applied.base);
        // The reports show the trace with the folder's apply.
        apply = Some(ApplyReport {
            trace: trace.clone(),
            ..applied.report
        });
    }
    let baseline = folders
        .as_ref()
        .map(|folders| baseline(folders, config, base_run, dump_file));
    if let (Some(comparison), Some(baseline)) = (comparison, &baseline) {
        causation::relocate(&mut raw, baseline, comparison, set, &model);
    }
    let mut findings = crate::lint::finalize(set, config, raw);
    crate::rules::trace::reconcile::drop_contradicted(&mut findings, &trace);
    if let (Some(comparison), Some(baseline)) = (comparison, &baseline) {
        causation::mark(&mut findings, baseline, comparison);
    }
    Ok(Checked {
        findings,
        apply,
        changes,
        unchanged: false,
    })
}

/// When the apply stops in a file this branch did not change, the folder's history does not
/// rebuild from scratch (it began on a database that had more), which no change in the
/// pull request fixes and a baseline does: the failure's help says how to set one up.
fn hint_baseline(findings: &mut [Finding], report: &ApplyReport, comparison: Option<&Comparison>) {
    let Some(stopped) = report.stopped_at() else {
        return;
    };
    if !comparison.is_some_and(|c| c.unchanged.contains(stopped)) {
        return;
    }
    let failure = findings
        .iter_mut()
        .rev()
        .find(|f| f.location.as_ref().is_some_and(|l| l.file == stopped));
    let Some(failure) = failure else {
        return;
    };
    let hint = match &report.baseline {
        Some(baseline) => format!(
            "`{stopped}` is not changed by this branch: the baseline `{}` lacks what it expects; write the baseline again from the database the history runs on (`schemagate dump-schema --database-url URL -o {}`)",
            baseline.path, baseline.path
        ),
        None => format!(
            "`{stopped}` is not changed by this branch: the history does not rebuild from scratch; set up a baseline once: `schemagate dump-schema --database-url URL -o baseline.sql` of production (or `supabase db dump`), `baseline = \"baseline.sql\"` in schemagate.toml, and `baseline-version` for the migrations it contains (docs/baselines.md)"
        ),
    };
    failure.help = Some(match failure.help.take() {
        Some(help) => format!("{help}; {hint}"),
        None => hint,
    });
}

/// The Supabase declarative schema files to compare with what the migrations build (not
/// with `--no-apply`): the working tree's and, with a base, the base's (so that a branch
/// that only edits them is checked, and the drift the base had is not the branch's).
fn declarative_schemas(
    args: &CheckArgs,
    set: &MigrationSet,
    config: &Config,
    comparison: Option<&Comparison>,
) -> Result<(Option<Schemas>, Option<Schemas>), Failure> {
    let Some(dir) = (!args.no_apply)
        .then(|| declarative::supabase_dir(set, config))
        .flatten()
    else {
        return Ok((None, None));
    };
    let schemas = declarative::load(&dir, &config.schema_paths, &dir);
    if let (Some(schemas), true) = (&schemas, args.common.verbose) {
        let files: Vec<&str> = schemas
            .set
            .migrations
            .iter()
            .map(|m| m.path.as_str())
            .collect();
        eprintln!(
            "{}: declarative schema files, to compare with the migrations once they apply, in this order: {}",
            migrations::display_path(&dir),
            files.join(", ")
        );
    }
    let base = match comparison {
        Some(comparison) => declarative::base::load(&dir, &comparison.base_commit)?,
        None => None,
    };
    Ok((schemas, base))
}

/// The catalog decides whether a finding of its rules exists; the static model decides
/// where it points.
fn merge_catalog(
    raw: Vec<Finding>,
    catalog: Vec<Finding>,
    set: &MigrationSet,
    model: &Model,
) -> Vec<Finding> {
    let mut merged = crate::inspect::merge(raw, catalog, |object| {
        let origin = model.locate(object)?;
        let (migration, statement) = origin.resolve(set)?;
        Some(migration.statement_location(statement))
    });
    crate::lint::settle_baseline_objects(&mut merged, model, set);
    merged
}

/// The base's own findings, computed as the head's are: static rules on its files, and
/// the apply and catalog findings of the base run when there was one. When the branch is
/// behind its base, the static findings of where it started count too.
fn baseline(
    folders: &Folders,
    config: &Config,
    run: Option<BaseRun>,
    dump: Option<&Migration>,
) -> Baseline {
    let model = Model::build_on(dump, &folders.base);
    let mut raw = crate::lint::run_static_rules(&folders.base, &model, config, None);
    let (catalog, apply) = match run {
        Some(run) => (run.catalog, Some(run.apply)),
        None => (None, None),
    };
    let catalog_known = catalog.is_some();
    if let Some(catalog) = catalog {
        raw = merge_catalog(raw, catalog, &folders.base, &model);
    }
    let apply_known = apply.is_some();
    if let Some(apply) = apply {
        raw.extend(without_static_duplicates(&raw, apply));
    }
    let mut findings = crate::lint::finalize(&folders.base, config, raw);
    if let Some(start) = &folders.start {
        findings.extend(crate::lint::lint_on(start, config, dump));
    }
    Baseline::new(&findings, catalog_known, apply_known)
}

/// Apply findings the static rules already reported on the same object (the same rule on
/// the same object is one finding; the apply stage adds what the text does not show, such
/// as objects made by dynamic SQL).
fn without_static_duplicates(existing: &[Finding], found: Vec<Finding>) -> Vec<Finding> {
    found
        .into_iter()
        .filter(|finding| {
            finding.object.is_none()
                || !existing
                    .iter()
                    .any(|other| other.rule == finding.rule && other.object == finding.object)
        })
        .collect()
}

/// What applying one folder produced.
struct Applied {
    report: ApplyReport,
    findings: Vec<Finding>,
    /// The catalog rules' findings and the declarative schema files' differences, when
    /// every file applied (on a half-applied database they would describe a schema no one
    /// has).
    catalog: Option<Vec<Finding>>,
    /// The order check and schema changes, with a base and when every file applied.
    order: Option<OrderOutcome>,
    /// With a base, when the branch's folder did not apply fully: the base's own apply, so
    /// that a failure the base shares is not blamed on the branch.
    base: Option<BaseRun>,
}

async fn apply_set(
    args: &CheckArgs,
    (set, model, schemas): (&MigrationSet, &Model<'_>, Option<&Schemas>),
    config: &Config,
    options: &ServerOptions,
    apply_options: &ApplyOptions,
    folders: Option<&Folders>,
) -> Result<Applied, Failure> {
    let started = std::time::Instant::now();
    let database = postgres::open(options).await?;
    if args.common.verbose {
        eprintln!(
            "applying to {} (ready in {} ms)",
            database.description,
            started.elapsed().as_millis()
        );
    }
    let (report, findings) = apply::apply(&database, set, apply_options).await;
    let complete = report.stopped_at().is_none()
        && report
            .files
            .iter()
            .all(|f| f.status == apply::FileStatus::Applied);
    if !complete {
        let base = match folders {
            Some(folders) => {
                let quiet = ApplyOptions {
                    progress: false,
                    ..apply_options.clone()
                };
                let (_, _, run) =
                    order::apply_base(&database, options, folders, &quiet, None).await?;
                Some(run)
            }
            None => None,
        };
        return Ok(Applied {
            report,
            findings,
            catalog: None,
            order: None,
            base,
        });
    }
    let mut catalog = catalog_findings(&database, config).await?;
    if let Some(schemas) = schemas {
        catalog.extend(
            declarative::compare(&database, options, schemas, (set, model), apply_options).await?,
        );
    }
    let catalog = Some(catalog);
    let order = match folders {
        Some(folders) => Some(
            order::order_check(&database, options, folders, apply_options, Some(config)).await?,
        ),
        None => None,
    };
    Ok(Applied {
        report,
        findings,
        catalog,
        order,
        base: None,
    })
}

/// The catalog rules on the applied database, before it is dropped.
async fn catalog_findings(database: &Database, config: &Config) -> Result<Vec<Finding>, Failure> {
    crate::inspect::run(&database.client, config)
        .await
        .map_err(|error| {
            Failure::Environment(format!(
                "the catalog rules failed on the applied database: {}",
                postgres::describe_error(&error)
            ))
        })
}
