use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports the statement where applying the migrations to a fresh PostgreSQL failed,
    /// at the file, line and column the server pointed to, with its SQLSTATE, message, detail
    /// and hint, and the cause when schemagate can tell it: an object created only by a
    /// later migration (an order problem), by a file the Supabase CLI skips because of its
    /// name, or by no migration at all (it exists only in a database changed by hand, or
    /// it is a typo: "did you mean" the closest name the database has); seed rows that
    /// break a foreign key; a syntax error; a duplicate version. The files after it are not
    /// applied and are listed.
    ///
    /// ## Why is this bad?
    /// A folder that cannot rebuild a fresh database breaks `supabase db reset`, preview
    /// branches, CI databases and disaster recovery, even when production (changed by hand
    /// over time) still works.
    ///
    /// ## Example
    /// ```sql
    /// -- 20240101000000_policies.sql
    /// create policy "own rows" on public.notes using (user_id = auth.uid());
    /// -- public.notes is created by 20240102000000_notes.sql
    /// ```
    ///
    /// ## Use instead
    /// Create objects before using them: give the file that creates `notes` an earlier
    /// version, or capture objects made outside migrations with `supabase db pull`.
    ///
    /// ## How to suppress
    /// It cannot be suppressed by a comment: the later files were not checked. Fix the
    /// failure, or run `schemagate check --no-apply` to lint only.
    pub struct ApplyFailed {
        id: "apply-failed",
        severity: Error,
        category: Apply,
        summary: "Applying the migrations to a fresh database fails",
    }
}
