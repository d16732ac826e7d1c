use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `CREATE EXTENSION` of an extension the server schemagate applies to does not
    /// have and schemagate does not emulate (e.g. `pgrouting` where it is not installed), and a
    /// statement that fails on an object such an extension provides, or that its emulation
    /// lacks (a PostGIS `box2d` where PostGIS is emulated). The run stops there.
    ///
    /// ## Why is this bad?
    /// Nothing after the statement can be checked. It is not a bug in the migration, but the
    /// check is incomplete until the extension is available.
    ///
    /// ## Example
    /// ```sql
    /// create extension if not exists pgrouting;
    /// ```
    ///
    /// ## Use instead
    /// Install the extension's package next to the server schemagate uses (Debian/Ubuntu:
    /// `apt-get install postgresql-15-pgrouting`), or pass `--database-url` pointing to a
    /// `supabase/postgres` container, which has every extension Supabase offers.
    ///
    /// ## How to suppress
    /// Set `extension-unavailable = "warning"` in `[rules]` to keep the gate open; the
    /// apply still stops.
    pub struct ExtensionUnavailable {
        id: "extension-unavailable",
        severity: Error,
        category: Apply,
        summary: "A migration needs an extension the server does not have",
    }
}
