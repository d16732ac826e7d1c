//! The catalog rules: each id with its query, what it needs and how a row reads.

use crate::rules::{registry, RuleMeta};

/// One catalog rule. Severity and category come from the rule's entry in the registry.
#[derive(Debug)]
pub struct CatalogRule {
    pub rule: &'static RuleMeta,
    /// The rule's id, which names its query file.
    pub id: &'static str,
    /// The query, `queries/<id>.sql` (after `queries/_api-readable.sql` for the rules about
    /// what the API can read).
    pub sql: &'static str,
    /// Relations outside pg_catalog the query reads; the rule is skipped when one is
    /// missing or unreadable (e.g. no `storage` schema outside Supabase).
    pub requires: &'static [&'static str],
    /// The message, with `{object}` and `{detail}` replaced by the row's columns.
    pub message: &'static str,
    pub help: &'static str,
}

macro_rules! catalog_rule {
    ($rule:ident = $id:literal $(, requires: $requires:expr)?, message: $message:literal, help: $help:literal $(,)?) => {
        catalog_rule!(@rule $rule, $id, include_str!(concat!("queries/", $id, ".sql")), [$($requires)?], $message, $help)
    };
    // Rules about what the API can read go on from the shared `api_readable` relations.
    ($rule:ident = $id:literal, over_api_readable $(, requires: $requires:expr)?, message: $message:literal, help: $help:literal $(,)?) => {
        catalog_rule!(
            @rule $rule, $id,
            concat!(include_str!("queries/_api-readable.sql"), include_str!(concat!("queries/", $id, ".sql"))),
            [$($requires)?], $message, $help
        )
    };
    (@rule $rule:ident, $id:literal, $sql:expr, [$($requires:expr)?], $message:literal, $help:literal) => {
        CatalogRule {
            rule: registry::$rule,
            id: $id,
            sql: $sql,
            requires: catalog_rule!(@requires $($requires)?),
            message: $message,
            help: $help,
        }
    };
    (@requires) => { &[] };
    (@requires $requires:expr) => { $requires };
}

/// Every catalog rule, in the order they run.
pub static CATALOG_RULES: &[CatalogRule] = &[
    catalog_rule!(
        RLS_DISABLED = "rls-disabled",
        over_api_readable,
        message: "row level security is off on `{object}`, which {detail} can read through the API",
        help: "enable it (`alter table … enable row level security`) and add a policy for what each role may see; revoke the grants if the table is not meant for the API",
    ),
    catalog_rule!(
        POLICY_WITHOUT_RLS = "policy-without-rls",
        message: "`{object}` has policies ({detail}) but row level security is off, so they are not enforced",
        help: "enable row level security on the table: `alter table … enable row level security`",
    ),
    catalog_rule!(
        RLS_ENABLED_NO_POLICY = "rls-enabled-no-policy",
        message: "row level security is on for `{object}` but it has no policy, so the API roles can read and write no row",
        help: "add a policy for the access you intend; suppress the finding if only the service role should reach the table",
    ),
    catalog_rule!(
        UNINDEXED_FOREIGN_KEY = "unindexed-foreign-key",
        message: "foreign key `{object}` ({detail}) has no index that starts with its columns: deleting or updating a referenced row scans the table",
        help: "create an index whose leading columns are the foreign key's: `create index on <table> (<columns>)`",
    ),
    catalog_rule!(
        NO_PRIMARY_KEY = "no-primary-key",
        message: "`{object}` has no primary key",
        help: "add one, e.g. `id bigint generated always as identity primary key`: logical replication, row updates through the API and most tools need it",
    ),
    catalog_rule!(
        DUPLICATE_INDEX = "duplicate-index",
        message: "index `{object}` duplicates `{detail}`",
        help: "drop the duplicate: it slows every write and takes space, and serves no query the other cannot",
    ),
    catalog_rule!(
        AUTH_RLS_INITPLAN = "auth-rls-initplan",
        message: "policy `{object}` calls {detail} once per row",
        help: "wrap the call in a subquery, e.g. `(select auth.uid())`, so PostgreSQL evaluates it once per statement",
    ),
    catalog_rule!(
        MULTIPLE_PERMISSIVE_POLICIES = "multiple-permissive-policies",
        message: "`{object}` has several permissive policies for the same role and command ({detail}), each evaluated for every row",
        help: "merge them into one policy per role and command (OR the conditions), or make the extra ones restrictive",
    ),
    catalog_rule!(
        SECURITY_DEFINER_SEARCH_PATH = "security-definer-search-path",
        message: "SECURITY DEFINER function `{detail}` has no search_path setting",
        help: "add `set search_path = ''` and qualify every name in the body (or set a fixed list of trusted schemas)",
    ),
    catalog_rule!(
        FUNCTION_SEARCH_PATH_MUTABLE = "function-search-path-mutable",
        message: "function `{detail}` resolves names through the caller's search_path",
        help: "add `set search_path = ''` to the function and qualify the names in its body",
    ),
    catalog_rule!(
        SECURITY_DEFINER_VIEW = "security-definer-view",
        over_api_readable,
        message: "view `{object}` runs with its owner's rights for {detail}, bypassing row level security of the tables it reads",
        help: "create it `with (security_invoker = true)` (PostgreSQL 15+), or revoke select from the API roles",
    ),
    catalog_rule!(
        POLICY_USER_METADATA = "policy-user-metadata",
        message: "policy `{object}` trusts user_metadata, which every user can change for themselves",
        help: "read authorization data from `app_metadata` (only the service role can write it) or from a table the user cannot write",
    ),
    catalog_rule!(
        POLICY_ALWAYS_TRUE = "policy-always-true",
        message: "{detail} policy `{object}` allows every row (its condition is always true) to the API roles",
        help: "restrict it to the caller's rows, e.g. `using ((select auth.uid()) = user_id)`, or drop it if only the service role writes",
    ),
    catalog_rule!(
        AUTH_USERS_EXPOSED = "auth-users-exposed",
        over_api_readable,
        message: "`{object}` exposes auth.users to {detail} through the API",
        help: "copy what the app needs into a profile table with row level security, or make the view `security_invoker` and revoke select from anon",
    ),
    catalog_rule!(
        SENSITIVE_COLUMNS_EXPOSED = "sensitive-columns-exposed",
        message: "column `{object}` looks sensitive and {detail} can read it without row level security",
        help: "enable row level security on the table, revoke select on the column from the API roles, or move it to a schema that is not exposed",
    ),
    catalog_rule!(
        ANON_EXECUTABLE_SECURITY_DEFINER = "anon-executable-security-definer",
        message: "anon can call SECURITY DEFINER function `{detail}` through the API",
        help: "`revoke execute on function … from public, anon`, make it SECURITY INVOKER, or move it to a schema that is not exposed",
    ),
    catalog_rule!(
        EXTENSION_IN_PUBLIC = "extension-in-public",
        message: "extension `{object}` is installed in the exposed schema `{detail}`",
        help: "install extensions into their own schema: `create extension … with schema extensions` (or `alter extension … set schema extensions`)",
    ),
    catalog_rule!(
        FKEY_TO_AUTH_UNIQUE = "fkey-to-auth-unique",
        message: "foreign key `{object}` references a unique constraint of an auth table instead of its primary key ({detail})",
        help: "reference `auth.users(id)`: Supabase may change the other constraints of its auth tables in an upgrade",
    ),
    catalog_rule!(
        PUBLIC_BUCKET_ALLOWS_LISTING = "public-bucket-allows-listing",
        requires: &["storage.buckets", "storage.objects"],
        message: "policy `{object}` lets clients list every file of public {detail}",
        help: "public buckets serve files by URL without any select policy: drop the policy, or narrow it (e.g. to the owner's files)",
    ),
    catalog_rule!(
        MATERIALIZED_VIEW_IN_API = "materialized-view-in-api",
        over_api_readable,
        message: "materialized view `{object}` is readable by {detail} through the API, and materialized views have no row level security",
        help: "move it to a schema that is not exposed, or revoke select from anon and authenticated",
    ),
    catalog_rule!(
        FOREIGN_TABLE_IN_API = "foreign-table-in-api",
        over_api_readable,
        message: "foreign table `{object}` is readable by {detail} through the API, and foreign tables have no row level security",
        help: "move it to a schema that is not exposed, or revoke select from anon and authenticated",
    ),
    catalog_rule!(
        UNSUPPORTED_REG_TYPES = "unsupported-reg-types",
        message: "column `{object}` has type {detail}, which pg_upgrade cannot carry over to a new major version",
        help: "store the object's name as text, or use regclass, regtype or regrole, which pg_upgrade supports",
    ),
];

/// The ids of the static rules the catalog also checks (and decides, see `merge`).
pub const OVERLAPPING_STATIC_IDS: &[&str] = &[
    "rls-disabled",
    "policy-without-rls",
    "rls-enabled-no-policy",
    "unindexed-foreign-key",
    "no-primary-key",
    "duplicate-index",
    "auth-rls-initplan",
    "multiple-permissive-policies",
    "security-definer-search-path",
    "function-search-path-mutable",
    "security-definer-view",
    "policy-user-metadata",
    "policy-always-true",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::registry;

    #[test]
    fn every_catalog_rule_is_registered_and_has_a_query() {
        for rule in CATALOG_RULES {
            assert_eq!(rule.rule.id, rule.id, "the query file is another rule's");
            assert!(
                rule.sql.contains("as object"),
                "{} returns no object",
                rule.id
            );
            assert!(
                rule.sql.contains("as detail"),
                "{} returns no detail",
                rule.id
            );
        }
        let mut ids: Vec<&str> = CATALOG_RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            CATALOG_RULES.len(),
            "a catalog rule is listed twice"
        );
    }

    /// The static side registers every id the catalog shares with it.
    #[test]
    fn overlapping_ids_are_registered() {
        for id in OVERLAPPING_STATIC_IDS {
            assert!(registry::meta(id).is_some(), "{id} is not registered");
            assert!(
                CATALOG_RULES.iter().any(|rule| rule.id == *id),
                "{id} has no catalog query"
            );
        }
    }
}
