//! TEMPORARY: registrations of the rule ids the catalog shares with static rules that the
//! `rules` branch has not delivered yet, so the catalog's findings are valid on this
//! branch. The lead deletes this file (and its `pub mod` and `.chain` lines in
//! `rules/catalog/mod.rs` and `rules/registry.rs`) when merging `rules`, whose rule files
//! carry the real documentation.

use crate::declare_rule;
use crate::rules::RuleMeta;

macro_rules! pending {
    ($name:ident, $id:literal, $severity:ident, $category:ident, $summary:literal) => {
        declare_rule! {
            /// ## What it does
            /// Placeholder registration until the static rule is merged; see `schemagate
            /// explain` after the merge.
            ///
            /// ## Why is this bad?
            /// See the rule's summary.
            pub struct $name {
                id: $id,
                severity: $severity,
                category: $category,
                summary: $summary,
            }
        }
    };
}

pending!(
    RlsDisabled,
    "rls-disabled",
    Error,
    Security,
    "A table the API can read has row level security off"
);
pending!(
    PolicyWithoutRls,
    "policy-without-rls",
    Error,
    Security,
    "A table has policies but row level security is off"
);
pending!(
    RlsEnabledNoPolicy,
    "rls-enabled-no-policy",
    Info,
    Security,
    "Row level security is on but the table has no policy"
);
pending!(
    UnindexedForeignKey,
    "unindexed-foreign-key",
    Warning,
    Performance,
    "No index covers a foreign key's columns"
);
pending!(
    NoPrimaryKey,
    "no-primary-key",
    Info,
    Performance,
    "A table has no primary key"
);
pending!(
    DuplicateIndex,
    "duplicate-index",
    Warning,
    Performance,
    "An index duplicates another"
);
pending!(
    AuthRlsInitplan,
    "auth-rls-initplan",
    Warning,
    Performance,
    "A policy calls auth functions once per row"
);
pending!(
    MultiplePermissivePolicies,
    "multiple-permissive-policies",
    Warning,
    Performance,
    "Several permissive policies for one role and command"
);
pending!(
    SecurityDefinerSearchPath,
    "security-definer-search-path",
    Error,
    Security,
    "A SECURITY DEFINER function has no search_path setting"
);
pending!(
    FunctionSearchPathMutable,
    "function-search-path-mutable",
    Warning,
    Security,
    "A function resolves names through the caller's search_path"
);
pending!(
    SecurityDefinerView,
    "security-definer-view",
    Error,
    Security,
    "A view the API can read bypasses row level security"
);
pending!(
    PolicyAlwaysTrue,
    "policy-always-true",
    Warning,
    Security,
    "A permissive write policy allows every row"
);

/// The pending registrations, chained into `registry::all`.
pub static RULES: &[&RuleMeta] = &[
    &RlsDisabled::META,
    &PolicyWithoutRls::META,
    &RlsEnabledNoPolicy::META,
    &UnindexedForeignKey::META,
    &NoPrimaryKey::META,
    &DuplicateIndex::META,
    &AuthRlsInitplan::META,
    &MultiplePermissivePolicies::META,
    &SecurityDefinerSearchPath::META,
    &FunctionSearchPathMutable::META,
    &SecurityDefinerView::META,
    &PolicyAlwaysTrue::META,
];
