//! Static and catalog findings → one list (DESIGN.md, "Static and catalog findings merge"):
//! for the rules the catalog checks, the catalog decides whether a finding exists and the
//! static side decides where it points.

use super::CATALOG_RULES;
use crate::findings::{Finding, Location};

/// Does the catalog check `rule` (and so decide its findings)?
pub fn covers(rule: &str) -> bool {
    CATALOG_RULES.iter().any(|catalog| catalog.id == rule)
}

/// Merges the findings of a run that has both.
///
/// - A static finding of a rule the catalog does not check is kept as it is.
/// - A static finding of a catalog rule is kept only when the catalog reports the same
///   rule on the same object; the two become one finding: the catalog's (its message says
///   what the database really has) at the static finding's location.
/// - A catalog finding without a static counterpart points at `locate(object)`: the
///   statement of the static model that defines the object (None: no location).
pub fn merge(
    static_findings: Vec<Finding>,
    catalog_findings: Vec<Finding>,
    locate: impl Fn(&str) -> Option<Location>,
) -> Vec<Finding> {
    let mut merged: Vec<Finding> =
        Vec::with_capacity(static_findings.len() + catalog_findings.len());
    let mut static_of_catalog: Vec<Finding> = Vec::new();
    for finding in static_findings {
        if covers(&finding.rule) {
            static_of_catalog.push(finding);
        } else {
            merged.push(finding);
        }
    }
    for mut finding in catalog_findings {
        let counterpart = static_of_catalog.iter().find(|candidate| {
            candidate.rule == finding.rule
                && candidate.object.is_some()
                && candidate.object == finding.object
        });
        if finding.location.is_none() {
            finding.location = match counterpart {
                Some(counterpart) => counterpart.location.clone(),
                None => finding.object.as_deref().and_then(&locate),
            };
        }
        merged.push(finding);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Category, Severity, Source};

    fn at(file: &str, line: u32) -> Location {
        Location {
            file: file.to_string(),
            line,
            column: 1,
            end_line: line,
            end_column: 10,
        }
    }

    fn static_finding(rule: &str, object: Option<&str>, line: u32) -> Finding {
        let finding = Finding::new(rule, Severity::Error, Category::Security, "static says")
            .with_location(at("m1.sql", line));
        match object {
            Some(object) => finding.with_object(object),
            None => finding,
        }
    }

    fn catalog_finding(rule: &str, object: &str) -> Finding {
        Finding::new(rule, Severity::Error, Category::Security, "catalog says")
            .with_object(object)
            .with_source(Source::Catalog)
            .finish("")
    }

    fn no_location(_: &str) -> Option<Location> {
        None
    }

    #[test]
    fn same_rule_and_object_become_one_catalog_finding_at_the_static_location() {
        let merged = merge(
            vec![static_finding("rls-disabled", Some("public.t"), 7)],
            vec![catalog_finding("rls-disabled", "public.t")],
            no_location,
        );
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].message, "catalog says");
        assert_eq!(merged[0].source, Source::Catalog);
        assert_eq!(merged[0].location, Some(at("m1.sql", 7)));
    }

    #[test]
    fn the_catalog_decides_existence_for_the_rules_it_checks() {
        let merged = merge(
            vec![
                // The table got RLS in a way the static model missed (e.g. dynamic SQL).
                static_finding("rls-disabled", Some("public.t"), 7),
                // Without an object it can match nothing in the catalog.
                static_finding("no-primary-key", None, 9),
            ],
            vec![],
            no_location,
        );
        assert!(merged.is_empty(), "{merged:?}");
    }

    #[test]
    fn static_findings_of_other_rules_are_kept() {
        let merged = merge(
            vec![
                static_finding("empty-migration", None, 1),
                static_finding("duplicate-version", Some("version 1"), 1),
            ],
            vec![catalog_finding("rls-disabled", "public.t")],
            no_location,
        );
        let rules: Vec<&str> = merged.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["empty-migration", "duplicate-version", "rls-disabled"]
        );
    }

    #[test]
    fn catalog_findings_without_counterpart_are_located_by_the_caller() {
        let locate = |object: &str| (object == "public.t").then(|| at("m2.sql", 3));
        let merged = merge(
            vec![static_finding("rls-disabled", Some("public.other"), 5)],
            vec![
                catalog_finding("rls-disabled", "public.t"),
                catalog_finding("no-primary-key", "public.made_by_hand"),
            ],
            locate,
        );
        assert_eq!(merged.len(), 2, "{merged:?}");
        assert_eq!(merged[0].object.as_deref(), Some("public.t"));
        assert_eq!(merged[0].location, Some(at("m2.sql", 3)));
        assert_eq!(merged[1].location, None);
    }

    #[test]
    fn rule_must_match_as_well_as_object() {
        let merged = merge(
            vec![static_finding("no-primary-key", Some("public.t"), 4)],
            vec![catalog_finding("rls-disabled", "public.t")],
            |_| Some(at("m3.sql", 1)),
        );
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].rule, "rls-disabled");
        assert_eq!(merged[0].location, Some(at("m3.sql", 1)));
    }

    #[test]
    fn fingerprint_is_rule_and_object_wherever_it_points() {
        let located = merge(
            vec![static_finding("rls-disabled", Some("public.t"), 7)],
            vec![catalog_finding("rls-disabled", "public.t")],
            no_location,
        );
        let unlocated = merge(
            vec![],
            vec![catalog_finding("rls-disabled", "public.t")],
            no_location,
        );
        assert_eq!(located[0].fingerprint, unlocated[0].fingerprint);
        assert!(!located[0].fingerprint.is_empty());
    }
}
