use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a version that the database's migration history records as applied but that
    /// no local migration file has (`schemagate status`).
    ///
    /// ## Why is this bad?
    /// The database contains changes the repository cannot reproduce: a fresh environment
    /// built from the folder differs from production, and `supabase db push` refuses to run
    /// until the histories agree.
    ///
    /// ## How to fix
    /// Bring the file back from the branch that applied it, or capture the remote schema
    /// (`supabase db pull`, `pg_dump --schema-only`) into a new migration and mark the
    /// orphan version reverted (`supabase migration repair --status reverted <version>`).
    pub struct RemoteOnlyMigration {
        id: "remote-only-migration",
        severity: Error,
        category: Conflict,
        summary: "The database applied a migration the folder does not have",
    }
}
