use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// With a base branch (`--base`, or the pull request's base in GitHub Actions), applies
    /// the migrations two ways, each into a database of its own: the base branch's
    /// migrations followed by the ones this branch adds (the path production takes, since
    /// it already ran the base's), and the whole folder of this branch from scratch (the
    /// path every new environment, preview branch and developer machine takes). Reports
    /// when the two end with different schemas, listing the first differences, or when the
    /// branch's migrations fail on top of the base although the folder applies from
    /// scratch.
    ///
    /// ## Why is this bad?
    /// Production and fresh environments silently drift apart: tests, previews and local
    /// databases no longer match what runs in production, and the next migration written
    /// against one of them can fail on the other. This happens when a branch adds a
    /// migration whose version sorts before migrations that landed on the base meanwhile:
    /// a fresh apply runs it earlier than production does.
    ///
    /// ## Example
    /// ```sql
    /// -- base:   20240101000000_t.sql
    /// create table t (a int);
    /// -- base:   20240103000000_v.sql
    /// create view v as select * from t;
    /// -- branch: 20240102000000_b.sql  (older than the base's newest)
    /// alter table t add column b int;
    /// ```
    /// A fresh apply creates `b` before the view, so `v` has columns `a, b`; production
    /// created `v` first, so its `v` has only `a` (`*` is expanded when the view is made).
    ///
    /// Use instead:
    /// ```sql
    /// -- branch: 20240104000000_b.sql  (after the base's newest)
    /// alter table t add column b int;
    /// create or replace view v as select * from t;
    /// ```
    ///
    /// ## How to fix
    /// Give the branch's migrations fresh versions after the base's newest
    /// (`schemagate fix --renumber --base REF`) and re-check that they do what you mean on
    /// top of the base's migrations. If production really needs the other order, write a
    /// new migration that brings both paths to the same schema.
    ///
    /// ## How to suppress
    /// `[[ignore]]` the rule in `schemagate.toml`; the difference remains, so prefer fixing
    /// the order.
    pub struct OrderDependentSchema {
        id: "order-dependent-schema",
        severity: Error,
        category: Conflict,
        summary: "The branch's migrations give another schema on top of the base than applied from scratch",
    }
}
