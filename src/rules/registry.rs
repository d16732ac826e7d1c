//! Every rule, by id.

use super::{
    apply, catalog, conflict, input, performance, safety, security, trace, Rule, RuleMeta,
};
use crate::findings::Finding;

// Every rule is a constant here, named after its id (`APPLY_FAILED` for `apply-failed`), and
// [`finding`] takes one: a rule that is not registered cannot be reported, and `explain`
// documents everything a report can show.

/// The static rules, run by `lint` over the migrations and the static model.
macro_rules! static_rules {
    ($($constant:ident = $category:ident::$rule:ident),* $(,)?) => {
        $(pub const $constant: &RuleMeta = &$category::$rule::META;)*
        pub static STATIC_RULES: &[&dyn Rule] = &[$(&$category::$rule),*];
        #[cfg(test)]
        static STATIC_NAMES: &[(&str, &RuleMeta)] = &[$((stringify!($constant), $constant)),*];
    };
}

/// The rules reported by the other stages (discovery, parsing, suppressions, apply, catalog,
/// history): documented and configurable like the static ones.
macro_rules! stage_rules {
    ($($constant:ident = $category:ident::$rule:ident),* $(,)?) => {
        $(pub const $constant: &RuleMeta = &$category::$rule::META;)*
        static STAGE_RULES: &[&RuleMeta] = &[$($constant),*];
        #[cfg(test)]
        static STAGE_NAMES: &[(&str, &RuleMeta)] = &[$((stringify!($constant), $constant)),*];
    };
}

static_rules! {
    POLICY_USER_METADATA = security::PolicyUserMetadata,
    RLS_DISABLED = security::RlsDisabled,
    POLICY_WITHOUT_RLS = security::PolicyWithoutRls,
    RLS_ENABLED_NO_POLICY = security::RlsEnabledNoPolicy,
    SECURITY_DEFINER_SEARCH_PATH = security::SecurityDefinerSearchPath,
    FUNCTION_SEARCH_PATH_MUTABLE = security::FunctionSearchPathMutable,
    SECURITY_DEFINER_VIEW = security::SecurityDefinerView,
    POLICY_ALWAYS_TRUE = security::PolicyAlwaysTrue,
    OBJECTS_IN_SUPABASE_SCHEMAS = security::ObjectsInSupabaseSchemas,
    UNINDEXED_FOREIGN_KEY = performance::UnindexedForeignKey,
    NO_PRIMARY_KEY = performance::NoPrimaryKey,
    AUTH_RLS_INITPLAN = performance::AuthRlsInitplan,
    MULTIPLE_PERMISSIVE_POLICIES = performance::MultiplePermissivePolicies,
    DUPLICATE_INDEX = performance::DuplicateIndex,
    ADDING_REQUIRED_FIELD = safety::AddingRequiredField,
    ADDING_FIELD_WITH_DEFAULT = safety::AddingFieldWithDefault,
    CONSTRAINT_MISSING_NOT_VALID = safety::ConstraintMissingNotValid,
    DISALLOWED_UNIQUE_CONSTRAINT = safety::DisallowedUniqueConstraint,
    CHANGING_COLUMN_TYPE = safety::ChangingColumnType,
    SETTING_NOT_NULLABLE_FIELD = safety::SettingNotNullableField,
    REQUIRE_CONCURRENT_INDEX_CREATION = safety::RequireConcurrentIndexCreation,
    REQUIRE_CONCURRENT_INDEX_DELETION = safety::RequireConcurrentIndexDeletion,
    RENAMING_COLUMN = safety::RenamingColumn,
    RENAMING_TABLE = safety::RenamingTable,
    BAN_DROP_COLUMN = safety::BanDropColumn,
    BAN_DROP_TABLE = safety::BanDropTable,
    BAN_DROP_VIEW = safety::BanDropView,
    BAN_DROP_FUNCTION = safety::BanDropFunction,
    BAN_SET_SCHEMA = safety::BanSetSchema,
    TRANSACTION_NESTING = safety::TransactionNesting,
    RENAMING_ENUM_VALUE = safety::RenamingEnumValue,
    PREFER_TIMESTAMPTZ = safety::PreferTimestamptz,
    IDENTIFIER_TOO_LONG = safety::IdentifierTooLong,
}

stage_rules! {
    INVALID_UTF8 = input::InvalidUtf8,
    UNREADABLE_FILE = input::UnreadableFile,
    UNTERMINATED_STATEMENT = input::UnterminatedStatement,
    EMPTY_MIGRATION = input::EmptyMigration,
    INVALID_SUPPRESSION = input::InvalidSuppression,
    UNUSED_SUPPRESSION = input::UnusedSuppression,
    DUPLICATE_VERSION = conflict::DuplicateVersion,
    INVALID_MIGRATION_NAME = conflict::InvalidMigrationName,
    MIXED_VERSION_WIDTHS = conflict::MixedVersionWidths,
    APPLY_FAILED = apply::ApplyFailed,
    APPLY_TIMEOUT = apply::ApplyTimeout,
    EXTENSION_UNAVAILABLE = apply::ExtensionUnavailable,
    EXTENSION_EMULATED = apply::ExtensionEmulated,
    NON_TRANSACTIONAL_STATEMENT = apply::NonTransactionalStatement,
    AUTH_USERS_EXPOSED = catalog::AuthUsersExposed,
    SENSITIVE_COLUMNS_EXPOSED = catalog::SensitiveColumnsExposed,
    ANON_EXECUTABLE_SECURITY_DEFINER = catalog::AnonExecutableSecurityDefiner,
    EXTENSION_IN_PUBLIC = catalog::ExtensionInPublic,
    FKEY_TO_AUTH_UNIQUE = catalog::FkeyToAuthUnique,
    PUBLIC_BUCKET_ALLOWS_LISTING = catalog::PublicBucketAllowsListing,
    MATERIALIZED_VIEW_IN_API = catalog::MaterializedViewInApi,
    FOREIGN_TABLE_IN_API = catalog::ForeignTableInApi,
    UNSUPPORTED_REG_TYPES = catalog::UnsupportedRegTypes,
    OUT_OF_ORDER_MIGRATION = conflict::OutOfOrderMigration,
    EDITED_APPLIED_MIGRATION = conflict::EditedAppliedMigration,
    DELETED_APPLIED_MIGRATION = conflict::DeletedAppliedMigration,
    RENAMED_APPLIED_MIGRATION = conflict::RenamedAppliedMigration,
    REMOTE_ONLY_MIGRATION = conflict::RemoteOnlyMigration,
    REMOTE_MIGRATION_FAILED = conflict::RemoteMigrationFailed,
    ORDER_DEPENDENT_SCHEMA = conflict::OrderDependentSchema,
    DECLARATIVE_SCHEMA_DRIFT = conflict::DeclarativeSchemaDrift,
    TABLE_REWRITE = trace::TableRewrite,
    LOCK_HELD_ACROSS_STATEMENTS = trace::LockHeldAcrossStatements,
    LOCK_TIMEOUT_MISSING = trace::LockTimeoutMissing,
    VALIDATE_IN_SAME_TRANSACTION = trace::ValidateInSameTransaction,
}

/// All rules, sorted by id.
pub fn all() -> Vec<&'static RuleMeta> {
    let mut rules: Vec<&'static RuleMeta> = unsorted().collect();
    rules.sort_by_key(|meta| meta.id);
    rules
}

/// Looked up for every finding and every rule run: no list is built for it.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    unsorted().find(|meta| meta.id == id)
}

fn unsorted() -> impl Iterator<Item = &'static RuleMeta> {
    STATIC_RULES
        .iter()
        .map(|rule| rule.meta())
        .chain(STAGE_RULES.iter().copied())
}

/// A finding of `rule` (one of this module's constants) with its default severity and
/// category.
pub fn finding(rule: &'static RuleMeta, message: impl Into<String>) -> Finding {
    Finding::new(rule.id, rule.severity, rule.category, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_named_after_their_ids() {
        for (name, meta) in STATIC_NAMES.iter().chain(STAGE_NAMES) {
            assert_eq!(*name, meta.id.to_uppercase().replace('-', "_"));
        }
        assert_eq!(STATIC_NAMES.len() + STAGE_NAMES.len(), all().len());
    }

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
}
