use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration that has not been applied yet but whose version is older than
    /// the newest version already applied (or, with `--base`, than the newest migration of
    /// the base branch).
    ///
    /// ## Why is this bad?
    /// `supabase db push` rejects it unless run with `--include-all`, and then applies it
    /// after newer migrations it may conflict with; Flyway fails validation. Usually two
    /// branches were developed in parallel and the older one merged last.
    ///
    /// ## How to fix
    /// Rename the file with a fresh version after the newest applied one
    /// (`schemagate fix --renumber` does it), and check it still makes sense on top of
    /// the newer migrations.
    pub struct OutOfOrderMigration {
        id: "out-of-order-migration",
        severity: Error,
        category: Conflict,
        summary: "A pending migration is older than one already applied",
    }
}
