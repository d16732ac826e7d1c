//! The rule catalogue: every rule id schemagate can report, with its documentation, and
//! the static rules that run on the statement model.
//!
//! Adding a static rule: a new file in the category folder with `declare_rule!` and a
//! `Rule` impl, one line in `static_rules!` (`registry.rs`), and its fixtures under
//! `testdata/rules/`.

pub mod precedence;
pub mod registry;

pub mod apply;
pub mod catalog;
pub mod conflict;
pub mod input;
pub mod performance;
pub mod safety;
pub mod security;
pub mod trace;

use crate::config::Config;
use crate::findings::{Category, Finding, Severity};
use crate::migrations::{Migration, MigrationSet};
use crate::model::{Model, Origin};
use crate::sql::{Statement, TreeRef};
use sqlparser::ast;
use sqlparser::tokenizer::Span;

/// Which projects a rule is for (docs/profiles.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every PostgreSQL project.
    All,
    /// Projects whose database serves an API to clients that are not trusted: the
    /// `supabase` profile, or `exposed-schemas` and `api-roles` configured (PostgREST).
    Api,
    /// Supabase projects only (Supabase's own schemas, functions and storage).
    Supabase,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Api => "api",
            Scope::Supabase => "supabase",
        }
    }

    /// Which projects, in words (`rules --format docs`, `explain`).
    pub fn describe(self) -> &'static str {
        match self {
            Scope::All => "every project",
            Scope::Api => "projects that serve an API (the supabase profile, or exposed-schemas and api-roles set)",
            Scope::Supabase => "Supabase projects (the supabase profile)",
        }
    }
}

/// What every rule is: its id, defaults and documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleMeta {
    pub id: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// The projects it runs for.
    pub scope: Scope,
    pub summary: &'static str,
    /// The doc comment's lines: what it does, why it is bad, bad and good SQL, suppression.
    pub docs: &'static [&'static str],
}

impl RuleMeta {
    /// The documentation as Markdown.
    pub fn docs_markdown(&self) -> String {
        let mut text = String::new();
        for line in self.docs {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
        text
    }

    /// Where the rule's documentation lives online.
    pub fn docs_url(&self) -> String {
        format!("{}#{}", crate::DOCS_BASE_URL, self.id)
    }
}

/// Everything a static rule may look at.
pub struct LintContext<'a> {
    pub set: &'a MigrationSet,
    pub model: &'a Model<'a>,
    pub config: &'a Config,
    /// What this change creates, so DDL on it is not a locking risk.
    pub fresh: safety::Fresh,
}

impl LintContext<'_> {
    /// A finding located on `statement`, with the rule's default severity and category.
    pub fn finding(
        &self,
        meta: &RuleMeta,
        migration: &Migration,
        statement: &Statement,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(meta.id, meta.severity, meta.category, message)
            .with_location(migration.statement_location(statement))
    }

    /// A finding located on the statement at `origin` (where the model says an object was
    /// defined or last changed).
    pub fn finding_at(
        &self,
        meta: &RuleMeta,
        origin: Origin,
        message: impl Into<String>,
    ) -> Finding {
        let finding = Finding::new(meta.id, meta.severity, meta.category, message);
        match origin.resolve(self.set) {
            Some((migration, statement)) => {
                finding.with_location(migration.statement_location(statement))
            }
            None => finding,
        }
    }

    /// A finding located on one element of `statement` (a column, a constraint, a policy
    /// clause): `span` from the statement's own tree.
    pub fn finding_on_element(
        &self,
        meta: &RuleMeta,
        migration: &Migration,
        statement: &Statement,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(meta.id, meta.severity, meta.category, message)
            .with_location(migration.element_location(statement, span))
    }

    /// [`LintContext::finding_at`] narrowed to the element `element` finds in the
    /// statement's tree; the whole statement when it has no tree of its own (DDL inside a
    /// `DO` block) or `element` finds nothing.
    pub fn finding_at_element(
        &self,
        meta: &RuleMeta,
        origin: Origin,
        element: impl FnOnce(TreeRef<'_>) -> Option<Span>,
        message: impl Into<String>,
    ) -> Finding {
        let Some((migration, statement)) = origin.resolve(self.set) else {
            return self.finding_at(meta, origin, message);
        };
        match statement.tree().and_then(element) {
            Some(span) => self.finding_on_element(meta, migration, statement, span, message),
            None => self.finding(meta, migration, statement, message),
        }
    }

    /// Is `schema` exposed through the API (Supabase's `[api].schemas`)?
    pub fn is_exposed(&self, schema: &str) -> bool {
        self.config.exposed_schemas.iter().any(|s| s == schema)
    }

    /// Is `schema` one whose tables the project's clients use: the exposed schemas when
    /// some are configured, else every schema the project owns (not Supabase's or an
    /// extension's).
    pub fn is_application_schema(&self, schema: &str) -> bool {
        if self.config.exposed_schemas.is_empty() {
            !crate::supabase::MANAGED_SCHEMAS.contains(&schema)
        } else {
            self.is_exposed(schema)
        }
    }
}

/// The `USING` and `WITH CHECK` expressions a `CREATE POLICY` or `ALTER POLICY` statement
/// writes, for rules that point at a policy's clause.
pub fn policy_clauses(statement: TreeRef<'_>) -> (Option<&ast::Expr>, Option<&ast::Expr>) {
    match statement {
        TreeRef::CreatePolicy(create) => (create.using.as_ref(), create.with_check.as_ref()),
        TreeRef::Other(ast::Statement::AlterPolicy(ast::AlterPolicy {
            operation:
                ast::AlterPolicyOperation::Apply {
                    using, with_check, ..
                },
            ..
        })) => (using.as_ref(), with_check.as_ref()),
        _ => (None, None),
    }
}

/// A rule that runs over the migrations and the static model.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Appends findings. Findings must have a location; [`Finding::finish`] is called by
    /// the caller only if the rule left the fingerprint empty.
    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>);
}

/// Declares a rule's unit struct and its [`RuleMeta`] from one doc comment, so the docs
/// `schemagate explain` prints are the docs in the source.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal,
            severity: $severity:ident,
            category: $category:ident,
            $(scope: $scope:ident,)?
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                id: $id,
                severity: $crate::findings::Severity::$severity,
                category: $crate::findings::Category::$category,
                scope: $crate::declare_rule!(@scope $($scope)?),
                summary: $summary,
                docs: &[$($doc),*],
            };
        }
    };
    (@scope) => {
        $crate::rules::Scope::All
    };
    (@scope $scope:ident) => {
        $crate::rules::Scope::$scope
    };
}
