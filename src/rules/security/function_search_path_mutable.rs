use crate::declare_rule;
use crate::findings::Finding;
use crate::model::sql_name;
use crate::rules::{LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a function in `public` or another exposed schema that does not set
    /// `search_path` (security definer functions are reported by
    /// `security-definer-search-path` instead). Functions in C or `internal` and
    /// SQL-standard bodies (`BEGIN ATOMIC`, `RETURN …`), whose names are resolved when the
    /// function is created, are not reported.
    ///
    /// ## Why is this bad?
    /// The function resolves unqualified names through whatever `search_path` its caller
    /// has. Its behaviour then depends on the session, and a role that can create objects
    /// earlier on the path can change what it does (for trigger functions: for every
    /// writer of the table).
    ///
    /// ## Example
    /// ```sql
    /// create function public.touch() returns trigger language plpgsql
    ///   as $$ begin new.updated_at = now(); return new; end $$;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create function public.touch() returns trigger language plpgsql
    ///   set search_path = ''
    ///   as $$ begin new.updated_at = pg_catalog.now(); return new; end $$;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore function-search-path-mutable: <reason>` before the function.
    pub struct FunctionSearchPathMutable {
        id: "function-search-path-mutable",
        severity: Info,
        category: Security,
        summary: "A function does not set search_path",
    }
}

impl Rule for FunctionSearchPathMutable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for function in cx.model.functions.values() {
            let native = function
                .language
                .as_deref()
                .is_some_and(|l| matches!(l, "c" | "internal"));
            if function.security_definer
                || function.search_path.is_some()
                || function.standard_body
                || native
                || !(function.schema == "public" || cx.is_exposed(&function.schema))
            {
                continue;
            }
            out.push(
                cx.finding_at(
                    &Self::META,
                    function.history.changed,
                    format!(
                        "function `{}` does not set search_path: what its unqualified names mean depends on the caller",
                        function.display()
                    ),
                )
                .with_help(format!(
                    "add `set search_path = ''` to the definition (or `alter function {}({}) set search_path = '';`) and schema-qualify names in the body",
                    sql_name(&function.name),
                    function.signature
                ))
                .with_object(&function.name),
            );
        }
    }
}
