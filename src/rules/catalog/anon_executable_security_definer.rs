use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `SECURITY DEFINER` function in an exposed schema that the `anon` role may
    /// execute (catalog rule). Functions get `EXECUTE` for `PUBLIC` by default, so this is
    /// every such function nobody revoked. Trigger functions are skipped.
    ///
    /// ## Why is this bad?
    /// The API exposes functions of the exposed schemas as RPC endpoints. A SECURITY DEFINER
    /// function runs with its owner's rights (usually `postgres`, which bypasses row level
    /// security), so anyone with the public key can run it, signed in or not.
    ///
    /// ## Example
    /// ```sql
    /// create function public.delete_account(target uuid) returns void
    ///   language sql security definer set search_path = ''
    ///   as $$ delete from auth.users where id = target $$;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create function public.delete_account(target uuid) returns void
    ///   language sql security definer set search_path = ''
    ///   as $$ delete from auth.users where id = target and id = (select auth.uid()) $$;
    /// revoke execute on function public.delete_account(uuid) from public, anon;
    /// grant execute on function public.delete_account(uuid) to authenticated;
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore anon-executable-security-definer: <reason>` before the
    /// `create function`, or an `[[ignore]]` entry with the object `public.delete_account`.
    pub struct AnonExecutableSecurityDefiner {
        id: "anon-executable-security-definer",
        severity: Warning,
        category: Security,
        scope: Api,
        summary: "anon may call a SECURITY DEFINER function through the API",
    }
}
