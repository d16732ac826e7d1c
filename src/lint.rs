//! Runs the static rules, then turns raw findings into final ones: fingerprints,
//! configured severities, suppressions and the findings about suppressions themselves.

use crate::config::{Config, RuleLevel};
use crate::findings::{sort_findings, Finding, Status};
use crate::history::causation::{self, Baseline};
use crate::history::{self, Comparison};
use crate::migrations::{Migration, MigrationSet};
use crate::model::Model;
use crate::rules::precedence;
use crate::rules::registry::{self, STATIC_RULES};
use crate::rules::safety::Fresh;
use crate::rules::LintContext;
use crate::sql::suppress::Scope;
use rayon::prelude::*;

/// Raw findings of discovery and of every enabled static rule. With a `comparison`, the
/// migrations the branch adds are known, and what they create counts as new.
pub fn run_static_rules(
    set: &MigrationSet,
    model: &Model,
    config: &Config,
    comparison: Option<&Comparison>,
) -> Vec<Finding> {
    let added = comparison.map_or_else(Default::default, |comparison| {
        let added: std::collections::BTreeSet<&str> = comparison
            .changes
            .iter()
            .filter(|change| change.kind == history::ChangeKind::Added)
            .map(|change| change.path.as_str())
            .collect();
        set.migrations
            .iter()
            .enumerate()
            .filter(|(_, m)| added.contains(m.path.as_str()))
            .map(|(index, _)| index)
            .collect()
    });
    let cx = LintContext {
        set,
        model,
        config,
        fresh: Fresh::build(set, added),
    };
    let mut findings = set.findings.clone();
    let per_rule: Vec<Vec<Finding>> = STATIC_RULES
        .par_iter()
        .filter(|rule| config.runs(rule.meta().id))
        .map(|rule| {
            let mut out = Vec::new();
            rule.check(&cx, &mut out);
            out
        })
        .collect();
    findings.extend(per_rule.into_iter().flatten());
    settle_baseline_objects(&mut findings, model, set);
    findings
}

/// Findings about objects the baseline made have no location (nothing resolves into the
/// baseline): those about objects only the baseline made are dropped, as they are the
/// database's, not the migrations'; the others point at the latest migration statement that
/// changed the object ([`Model::locate`]).
pub fn settle_baseline_objects(findings: &mut Vec<Finding>, model: &Model, set: &MigrationSet) {
    findings.retain_mut(|finding| {
        let Some(object) = finding
            .object
            .as_deref()
            .filter(|object| finding.location.is_none() && model.defined_in_baseline(object))
        else {
            return true;
        };
        if model.only_in_baseline(object) {
            return false;
        }
        let located = model
            .locate(object)
            .and_then(|origin| origin.resolve(set))
            .map(|(migration, statement)| migration.statement_location(statement));
        if let Some(location) = located {
            finding.location = Some(location);
        }
        true
    });
}

/// Lints a set with the static rules and finalizes the findings.
pub fn lint(set: &MigrationSet, config: &Config) -> Vec<Finding> {
    lint_on(set, config, None)
}

/// [`lint`] on the objects of a baseline (a schema dump applied before the migrations).
pub fn lint_on(set: &MigrationSet, config: &Config, baseline: Option<&Migration>) -> Vec<Finding> {
    let model = Model::build_on(baseline, set);
    let findings = run_static_rules(set, &model, config, None);
    finalize(set, config, findings)
}

/// [`lint`] against the base branch: the comparison's history findings join the static
/// ones, and findings the base's own files also have are existing
/// (`history::causation`); new ones point at the branch's statement that caused them.
pub fn lint_with_base(
    set: &MigrationSet,
    config: &Config,
    comparison: &Comparison,
    dump: Option<&Migration>,
) -> Result<Vec<Finding>, crate::Failure> {
    let folders = crate::diff::base::materialize(&set.root, set.layout, comparison)?;
    let mut base_findings = lint_on(&folders.base, config, dump);
    if let Some(start) = &folders.start {
        base_findings.extend(lint_on(start, config, dump));
    }
    let baseline = Baseline::new(&base_findings, false, false);
    let model = Model::build_on(dump, set);
    let mut findings = run_static_rules(set, &model, config, Some(comparison));
    history::add_findings(&mut findings, comparison);
    causation::relocate(&mut findings, &baseline, comparison, set, &model);
    let mut findings = finalize(set, config, findings);
    causation::mark(&mut findings, &baseline, comparison);
    Ok(findings)
}

/// Fingerprints, configured levels, one finding per problem, suppressions; sorted for
/// output.
pub fn finalize(set: &MigrationSet, config: &Config, findings: Vec<Finding>) -> Vec<Finding> {
    // Fingerprints hash the text each finding points at: a large folder's thousands, on
    // every core (the order is kept).
    let mut findings: Vec<Finding> = findings
        .into_par_iter()
        .filter_map(|finding| apply_level(config, finding))
        .map(|finding| fingerprint(set, finding))
        .collect();
    precedence::keep_most_specific(&mut findings);
    let problems = apply_suppressions(set, config, &mut findings);
    findings.extend(
        problems
            .into_iter()
            .filter_map(|finding| apply_level(config, finding))
            .map(|finding| fingerprint(set, finding)),
    );
    sort_findings(&mut findings);
    findings
}

/// The configured severity; `None` for rules that are off or not for this project (an
/// apply finding of a Supabase-only rule in a plain project, say).
fn apply_level(config: &Config, mut finding: Finding) -> Option<Finding> {
    if !config.runs(&finding.rule) {
        return None;
    }
    match config.level(&finding.rule) {
        Some(RuleLevel::Off) => None,
        Some(RuleLevel::Severity(severity)) => {
            finding.severity = severity;
            Some(finding)
        }
        None => Some(finding),
    }
}

/// Fills in the fingerprint of findings whose rule left it empty, anchored on the text the
/// finding points at.
fn fingerprint(set: &MigrationSet, finding: Finding) -> Finding {
    if !finding.fingerprint.is_empty() {
        return finding;
    }
    let anchor = finding
        .location
        .as_ref()
        .and_then(|location| {
            let migration = find_migration(set, &location.file)?;
            let source = migration.source.as_ref()?;
            let start = source.offset_of(location.line, location.column);
            let end = source.offset_of(location.end_line, location.end_column);
            source.text.get(start..end.max(start)).map(str::to_string)
        })
        .unwrap_or_default();
    finding.finish(&anchor)
}

fn find_migration<'a>(set: &'a MigrationSet, path: &str) -> Option<&'a Migration> {
    set.migrations.iter().find(|m| m.path == path)
}

/// Marks suppressed findings; returns findings about invalid and unused suppressions.
fn apply_suppressions(
    set: &MigrationSet,
    config: &Config,
    findings: &mut [Finding],
) -> Vec<Finding> {
    let mut problems = Vec::new();
    for migration in &set.migrations {
        let Some(source) = &migration.source else {
            continue;
        };
        for suppression in &migration.suppressions.items {
            let location = source.location(&migration.path, &suppression.span);
            let unknown: Vec<&String> = suppression
                .rules
                .iter()
                .filter(|rule| registry::meta(rule).is_none())
                .collect();
            if suppression.rules.is_empty() || !unknown.is_empty() {
                let message = if suppression.rules.is_empty() {
                    "this suppression names no rule".to_string()
                } else {
                    let names: Vec<String> = unknown.iter().map(|r| format!("`{r}`")).collect();
                    format!("this suppression names unknown rule {}", names.join(", "))
                };
                problems.push(
                    registry::finding(registry::INVALID_SUPPRESSION, message)
                        .with_help("name rules by their ids (`schemagate rules` lists them): `-- schemagate-ignore rule-id: reason`")
                        .with_location(location.clone()),
                );
            }
            let lines = match suppression.scope {
                Scope::File => None,
                Scope::Statement(index) => Some(
                    migration
                        .statements
                        .get(index)
                        .map(|s| {
                            let l = migration.statement_location(s);
                            (l.line, l.end_line)
                        })
                        .unwrap_or((0, 0)),
                ),
            };
            let mut used = false;
            for finding in findings.iter_mut() {
                let Some(at) = &finding.location else {
                    continue;
                };
                let in_scope = at.file == migration.path
                    && lines.is_none_or(|(first, last)| at.line >= first && at.line <= last);
                if in_scope && suppression.rules.contains(&finding.rule) {
                    used = true;
                    if finding.status != Status::Suppressed {
                        finding.status = Status::Suppressed;
                        finding.suppressed_by = Some(
                            suppression
                                .reason
                                .clone()
                                .unwrap_or_else(|| "suppressed by a comment".to_string()),
                        );
                    }
                }
            }
            if !used && unknown.len() < suppression.rules.len() {
                problems.push(
                    registry::finding(
                        registry::UNUSED_SUPPRESSION,
                        format!(
                            "this suppression of {} matches no finding",
                            suppression.rules.join(", ")
                        ),
                    )
                    .with_help("delete it: the problem it was written for is gone")
                    .with_location(location),
                );
            }
        }
    }
    for entry in &config.ignore {
        let mut used = false;
        for finding in findings.iter_mut() {
            let object_matches = entry
                .object
                .as_ref()
                .is_none_or(|object| finding.object.as_ref() == Some(object));
            let file_matches = entry.file.as_ref().is_none_or(|file| {
                finding
                    .location
                    .as_ref()
                    .is_some_and(|l| l.file.ends_with(file.as_str()))
            });
            if finding.rule == entry.rule && object_matches && file_matches {
                used = true;
                finding.status = Status::Suppressed;
                finding.suppressed_by = Some(
                    entry
                        .reason
                        .clone()
                        .unwrap_or_else(|| "ignored in the config".to_string()),
                );
            }
        }
        if !used {
            let target = entry
                .object
                .as_deref()
                .or(entry.file.as_deref())
                .unwrap_or("any object");
            let mut problem = registry::finding(
                registry::UNUSED_SUPPRESSION,
                format!(
                    "config [[ignore]] of {} on {target} matches no finding",
                    entry.rule
                ),
            )
            .with_help("delete the [[ignore]] entry: the problem it was written for is gone");
            if let Some(path) = config.sources.last() {
                problem = problem.with_location(crate::migrations::file_location(
                    &crate::migrations::display_path(path),
                ));
            }
            problems.push(problem.finish(&format!("{}:{target}", entry.rule)));
        }
    }
    problems
}
