use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration that has not been applied yet but whose version is older than
    /// the newest version already applied: with `--base` (or the pull request's base in
    /// GitHub Actions), a migration this branch adds that is older than the newest one on
    /// the base branch; with `status`, a pending migration older than the database's newest.
    ///
    /// ## Why is this bad?
    /// Databases deployed from the base branch have already applied the newer migration.
    /// `supabase db push` refuses to apply an older, pending one (unless `--include-all`,
    /// and then it runs it after the newer migrations, an order no fresh environment uses);
    /// golang-migrate silently skips it, Flyway's validate fails, goose reports it missing.
    /// Usually two branches were developed in parallel and the older one merged last.
    ///
    /// ## Example
    /// ```text
    /// base:   20240301120000_add_orders.sql
    /// branch: 20240215090000_add_invoices.sql   (written before add_orders merged)
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// branch: 20240302080000_add_invoices.sql
    /// ```
    ///
    /// ## How to fix
    /// Rename the file with a fresh version after the newest applied one, and check it still
    /// makes sense on top of the newer migrations. `schemagate fix --renumber --base REF`
    /// prints the renames that give the branch's migrations fresh versions after the base's
    /// newest, keeping their order; `--write` renames the files.
    ///
    /// ## How to suppress
    /// If the order truly does not matter and your tool applies old versions, `[[ignore]]`
    /// the rule for that file in `schemagate.toml`.
    pub struct OutOfOrderMigration {
        id: "out-of-order-migration",
        severity: Error,
        category: Conflict,
        summary: "A pending migration is older than one already applied",
    }
}
