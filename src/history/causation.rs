//! New means caused by this branch (docs/history.md, "New and existing findings").
//!
//! With a base, the base's own findings are computed the way the head's are: the static
//! rules on the base's files, the catalog rules and the apply on a database the base's
//! migrations were applied to. A head finding is new when its fingerprint is not among the
//! base's, wherever the object was created: a branch that disables row level security on
//! a table from an old file causes `rls-disabled`. A new finding that points into a file
//! the branch did not touch is moved to the branch's statement that last changed its object.
//!
//! Where the base's findings of a stage are unknown (the base does not apply, or nothing
//! applied), that stage's findings fall back to the file rule: existing when they point
//! into a file the branch did not touch.

use crate::findings::{Finding, Source, Status};
use crate::history::Comparison;
use crate::migrations::MigrationSet;
use crate::model::{Model, Origin};
use std::collections::BTreeSet;

/// The base's findings, by fingerprint, and which stages they cover.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
    /// The base's catalog findings are included (the base applied fully).
    pub catalog: bool,
    /// The base's apply findings are included.
    pub apply: bool,
}

impl Baseline {
    /// The base's final findings (every status: a finding suppressed on the base is not
    /// caused by the branch either).
    pub fn new(findings: &[Finding], catalog: bool, apply: bool) -> Baseline {
        Baseline {
            fingerprints: findings.iter().map(|f| f.fingerprint.clone()).collect(),
            catalog,
            apply,
        }
    }

    /// Does the base have this finding? `None` when the base's findings of its stage are
    /// unknown. History findings exist only relative to the base: never on it.
    fn has(&self, finding: &Finding) -> Option<bool> {
        let known = match finding.source {
            Source::Static => true,
            Source::Catalog => self.catalog,
            Source::Apply => self.apply,
            Source::History => return Some(false),
        };
        known.then(|| self.fingerprints.contains(&finding.fingerprint))
    }
}

/// Before levels and suppressions: points every finding the base does not have, and
/// that points into a file the branch did not touch (or nowhere), at the branch's latest
/// statement that changed its object, so that suppressions and reviewers see it where the
/// branch caused it. Findings without an object, or whose cause the static model does not
/// know, stay where they are.
pub fn relocate(
    findings: &mut [Finding],
    baseline: &Baseline,
    comparison: &Comparison,
    set: &MigrationSet,
    model: &Model,
) {
    let branch_wrote = |origin: &Origin| {
        set.migrations
            .get(origin.migration)
            .is_some_and(|m| m.applies() && !comparison.unchanged.contains(&m.path))
    };
    for finding in findings.iter_mut() {
        let Some(object) = finding.object.clone() else {
            continue;
        };
        if finding.fingerprint.is_empty() {
            // With an object the fingerprint is rule + object, whatever the anchor.
            finding.fingerprint = finding.fingerprint_with("");
        }
        let untouched = finding
            .location
            .as_ref()
            .is_none_or(|l| comparison.unchanged.contains(&l.file));
        if !untouched || baseline.has(finding) != Some(false) {
            continue;
        }
        let touches = model.touches(&object);
        let cause = [touches.own, touches.table]
            .into_iter()
            .find_map(|origins| origins.into_iter().filter(branch_wrote).max());
        if let Some((migration, statement)) = cause.and_then(|origin| origin.resolve(set)) {
            finding.location = Some(migration.statement_location(statement));
        }
    }
}

/// After levels and suppressions: a new finding the base has (or, where the base's are
/// unknown, that points into a file the branch did not touch) becomes existing.
pub fn mark(findings: &mut [Finding], baseline: &Baseline, comparison: &Comparison) {
    for finding in findings.iter_mut().filter(|f| f.status == Status::New) {
        let existing = baseline.has(finding).unwrap_or_else(|| {
            finding
                .location
                .as_ref()
                .is_some_and(|l| comparison.unchanged.contains(&l.file))
        });
        if existing {
            finding.status = Status::Existing;
        }
    }
}
