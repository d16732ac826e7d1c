use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a permissive `SELECT` (or `ALL`) policy on `storage.objects` for `PUBLIC`,
    /// `anon` or `authenticated` that applies to a public bucket (it names the bucket, or
    /// does not filter by bucket at all) and is not narrowed by owner or by the caller's
    /// identity (catalog rule; runs when the `storage` schema exists).
    ///
    /// ## Why is this bad?
    /// A public bucket serves every file by URL without any policy. A select policy adds
    /// only one ability: listing the bucket, so anyone can enumerate every file, including
    /// ones whose unguessable names were the only protection.
    ///
    /// ## Example
    /// ```sql
    /// insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);
    /// create policy "read avatars" on storage.objects for select
    ///   using (bucket_id = 'avatars');
    /// ```
    ///
    /// Use instead: no select policy (URLs keep working), or one limited to the owner:
    /// ```sql
    /// create policy "list own avatars" on storage.objects for select to authenticated
    ///   using (bucket_id = 'avatars' and owner_id = (select auth.uid())::text);
    /// ```
    ///
    /// ## How to suppress
    /// `-- schemagate-ignore public-bucket-allows-listing: <reason>` before the
    /// `create policy`, or an `[[ignore]]` entry with the object
    /// `storage.objects.read avatars`.
    pub struct PublicBucketAllowsListing {
        id: "public-bucket-allows-listing",
        severity: Warning,
        category: Security,
        scope: Supabase,
        summary: "A broad select policy lets anyone list a public bucket's files",
    }
}
