use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// When the Supabase project has declarative schema files (`supabase/schemas/`, or the
    /// files `[db.migrations] schema_paths` in `supabase/config.toml` lists), applies them
    /// to a database of their own, in the Supabase CLI's order (the `schema_paths` patterns
    /// in the order listed, the files of one pattern by name; without `schema_paths`, every
    /// `.sql` file below `supabase/schemas/` by name), and compares its catalog with the one
    /// the migrations built. Every difference (a table, column, constraint, index, policy,
    /// function, grant… only on one side, or different on the two) is a finding, on the
    /// statement of the schema files that declares the object where there is one, else on
    /// the migration that creates it. Schema files that fail to apply are a finding too,
    /// with the server's error at its position. Runs in `check` when the migrations apply
    /// (not with `--no-apply`).
    ///
    /// ## Why is this bad?
    /// With declarative schemas the schema files are the source of truth and the migrations
    /// are generated from them (`supabase db diff -f <name>`). A pull request that edits one
    /// without the other leaves them disagreeing: what the schema files say is not what
    /// `supabase db push` deploys, and the next `supabase db diff` silently folds the
    /// forgotten change (or its reversal) into someone else's migration.
    ///
    /// ## Example
    /// ```sql
    /// -- supabase/schemas/employees.sql
    /// create table employees (id bigint primary key, name text, age smallint);
    /// -- supabase/migrations/20240101000000_employees.sql (no migration adds `age`)
    /// create table employees (id bigint primary key, name text);
    /// ```
    ///
    /// Use instead: generate the migration from the schema files.
    /// ```sql
    /// -- supabase/migrations/20240102000000_employees_age.sql (`supabase db diff -f employees_age`)
    /// alter table employees add column age smallint;
    /// ```
    ///
    /// ## How to suppress
    /// `[[ignore]]` in `schemagate.toml` with the rule and the object as the finding names
    /// it (`column public.employees.age`), e.g. for what the Supabase CLI's diff cannot
    /// express (it does not track some objects, such as DML or some grants).
    pub struct DeclarativeSchemaDrift {
        id: "declarative-schema-drift",
        severity: Error,
        category: Conflict,
        scope: Supabase,
        summary: "The declarative schema files and the migrations build different schemas",
    }
}
