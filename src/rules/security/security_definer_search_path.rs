use crate::declare_rule;
use crate::findings::Finding;
use crate::model::sql_name;
use crate::rules::{LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `SECURITY DEFINER` function that has no `SET search_path`.
    ///
    /// ## Why is this bad?
    /// A security definer function runs with its owner's privileges but resolves
    /// unqualified names through the caller's `search_path`. A caller who can create objects
    /// in a schema on that path can plant a table, operator or function with the same name
    /// and have it run with the owner's rights.
    ///
    /// ## Example
    /// ```sql
    /// create function public.is_admin() returns boolean
    ///   language sql security definer
    ///   as $$ select exists (select 1 from admins where id = auth.uid()) $$;
    /// ```
    ///
    /// Use instead (and schema-qualify names in the body):
    /// ```sql
    /// create function public.is_admin() returns boolean
    ///   language sql security definer set search_path = ''
    ///   as $$ select exists (select 1 from public.admins where id = auth.uid()) $$;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore security-definer-search-path: <reason>` before the function.
    pub struct SecurityDefinerSearchPath {
        id: "security-definer-search-path",
        severity: Error,
        category: Security,
        summary: "A SECURITY DEFINER function does not set search_path",
    }
}

impl Rule for SecurityDefinerSearchPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for function in cx.model.functions.values() {
            if !function.security_definer || function.search_path.is_some() {
                continue;
            }
            out.push(
                cx.finding_at(
                    &Self::META,
                    function.history.changed,
                    format!(
                        "security definer function `{}` does not set search_path: callers can make it resolve names to objects they control",
                        function.display()
                    ),
                )
                .with_help(format!(
                    "add `set search_path = ''` to the definition (or `alter function {}({}) set search_path = '';`) and schema-qualify every name in the body",
                    sql_name(&function.name),
                    function.signature
                ))
                .with_object(&function.name),
            );
        }
    }
}
