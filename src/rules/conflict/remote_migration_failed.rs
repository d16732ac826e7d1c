use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration that the database's history records as failed or half-applied:
    /// Flyway `success = false`, golang-migrate `dirty = true`, a Prisma migration that
    /// started and never finished.
    ///
    /// ## Why is this bad?
    /// The tool refuses to run further migrations until someone repairs the history, and the
    /// schema may hold part of the failed migration's changes.
    ///
    /// ## How to fix
    /// Inspect what the failed migration left behind, fix the schema by hand, then repair
    /// the history (`flyway repair`, `migrate force <version>`,
    /// `prisma migrate resolve --rolled-back <name>`).
    pub struct RemoteMigrationFailed {
        id: "remote-migration-failed",
        severity: Error,
        category: Conflict,
        summary: "The database's history records a failed or dirty migration",
    }
}
