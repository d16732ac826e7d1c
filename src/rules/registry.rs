//! Every rule, by id.

use super::{apply, catalog, conflict, input, performance, safety, security, Rule, RuleMeta};
use crate::findings::Finding;

/// Static rules, run by `lint` over the migrations and the static model.
pub static STATIC_RULES: &[&dyn Rule] = &[
    &security::PolicyUserMetadata,
    &security::RlsDisabled,
    &security::PolicyWithoutRls,
    &security::RlsEnabledNoPolicy,
    &security::SecurityDefinerSearchPath,
    &security::FunctionSearchPathMutable,
    &security::SecurityDefinerView,
    &security::PolicyAlwaysTrue,
    &security::ObjectsInSupabaseSchemas,
    &performance::UnindexedForeignKey,
    &performance::NoPrimaryKey,
    &performance::AuthRlsInitplan,
    &performance::MultiplePermissivePolicies,
    &performance::DuplicateIndex,
    &safety::AddingRequiredField,
    &safety::AddingFieldWithDefault,
    &safety::ConstraintMissingNotValid,
    &safety::DisallowedUniqueConstraint,
    &safety::ChangingColumnType,
    &safety::SettingNotNullableField,
    &safety::RequireConcurrentIndexCreation,
    &safety::RequireConcurrentIndexDeletion,
    &safety::RenamingColumn,
    &safety::RenamingTable,
    &safety::BanDropColumn,
    &safety::BanDropTable,
    &safety::IdentifierTooLong,
];

/// Rules reported by the other stages (discovery, parsing, suppressions, apply, catalog,
/// history): documented and configurable like the static ones.
static STAGE_RULES: &[&RuleMeta] = &[
    &input::InvalidUtf8::META,
    &input::UnreadableFile::META,
    &input::UnterminatedStatement::META,
    &input::EmptyMigration::META,
    &input::InvalidSuppression::META,
    &input::UnusedSuppression::META,
    &conflict::DuplicateVersion::META,
    &conflict::InvalidMigrationName::META,
    &conflict::MixedVersionWidths::META,
    &apply::ApplyFailed::META,
    &apply::ApplyTimeout::META,
    &apply::ExtensionUnavailable::META,
    &apply::ExtensionEmulated::META,
    &apply::NonTransactionalStatement::META,
    &catalog::AuthUsersExposed::META,
    &catalog::SensitiveColumnsExposed::META,
    &catalog::AnonExecutableSecurityDefiner::META,
    &catalog::ExtensionInPublic::META,
    &catalog::FkeyToAuthUnique::META,
    &catalog::PublicBucketAllowsListing::META,
    &catalog::MaterializedViewInApi::META,
    &catalog::ForeignTableInApi::META,
    &catalog::UnsupportedRegTypes::META,
    &conflict::OutOfOrderMigration::META,
    &conflict::EditedAppliedMigration::META,
    &conflict::DeletedAppliedMigration::META,
    &conflict::RenamedAppliedMigration::META,
    &conflict::RemoteOnlyMigration::META,
    &conflict::RemoteMigrationFailed::META,
    &conflict::OrderDependentSchema::META,
];

/// All rules, sorted by id.
pub fn all() -> Vec<&'static RuleMeta> {
    let mut rules: Vec<&'static RuleMeta> = STATIC_RULES
        .iter()
        .map(|rule| rule.meta())
        .chain(STAGE_RULES.iter().copied())
        .collect();
    rules.sort_by_key(|meta| meta.id);
    rules
}

pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    all().into_iter().find(|meta| meta.id == id)
}

/// A finding of rule `id` with its default severity and category. The id must be one of
/// the registry's (a test checks every id the code uses).
pub fn finding(id: &str, message: impl Into<String>) -> Finding {
    let meta = meta(id).unwrap_or_else(|| panic!("rule `{id}` is not in the registry"));
    Finding::new(meta.id, meta.severity, meta.category, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let rules = all();
        for pair in rules.windows(2) {
            assert_ne!(pair[0].id, pair[1].id, "duplicate rule id");
        }
        for meta in rules {
            assert!(
                meta.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                meta.id
            );
            let docs = meta.docs_markdown();
            assert!(docs.contains("## What it does"), "{} lacks docs", meta.id);
            assert!(
                docs.contains("## Why is this bad?"),
                "{} lacks why",
                meta.id
            );
        }
    }

    #[test]
    fn every_rule_id_used_in_the_source_is_registered() {
        let ids: Vec<&str> = all().iter().map(|m| m.id).collect();
        let pattern = regex::Regex::new(r#"registry::finding\(\s*"([a-z0-9-]+)""#).unwrap();
        for entry in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                for captures in pattern.captures_iter(&text) {
                    assert!(
                        ids.contains(&&captures[1]),
                        "{} uses unregistered rule {}",
                        entry.path().display(),
                        &captures[1]
                    );
                }
            }
        }
    }
}
