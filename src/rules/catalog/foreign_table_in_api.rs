use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a foreign table in an exposed schema that `anon` or `authenticated` can
    /// select (catalog rule).
    ///
    /// ## Why is this bad?
    /// Foreign tables cannot have row level security. Every row the remote source returns
    /// (another database, Stripe, S3 through a wrapper…) is readable by every API user,
    /// with the credentials of the foreign server.
    ///
    /// ## Example
    /// ```sql
    /// create foreign table public.stripe_customers (id text, email text)
    ///   server stripe_server options (object 'customers');
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create schema private;
    /// create foreign table private.stripe_customers (id text, email text)
    ///   server stripe_server options (object 'customers');
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore foreign-table-in-api: <reason>` before the statement, or an
    /// `[[ignore]]` entry with the object `public.stripe_customers`.
    pub struct ForeignTableInApi {
        id: "foreign-table-in-api",
        severity: Warning,
        category: Security,
        scope: Api,
        summary: "A foreign table is readable through the API without RLS",
    }
}
