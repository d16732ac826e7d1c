use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a materialized view in an exposed schema that `anon` or `authenticated` can
    /// select (catalog rule).
    ///
    /// ## Why is this bad?
    /// A materialized view is a stored copy with no row level security: the policies of
    /// the tables it was computed from do not apply, so every row it holds is readable by
    /// every API user.
    ///
    /// ## Example
    /// ```sql
    /// create materialized view public.order_totals as
    ///   select customer_id, sum(amount) from public.orders group by customer_id;
    /// ```
    ///
    /// Use instead: keep it out of the API and serve it through a function or view that
    /// filters by the caller:
    /// ```sql
    /// create schema private;
    /// create materialized view private.order_totals as
    ///   select customer_id, sum(amount) from public.orders group by customer_id;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore materialized-view-in-api: <reason>` before the statement, or an
    /// `[[ignore]]` entry with the object `public.order_totals`.
    pub struct MaterializedViewInApi {
        id: "materialized-view-in-api",
        severity: Warning,
        category: Security,
        scope: Api,
        summary: "A materialized view is readable through the API without RLS",
    }
}
