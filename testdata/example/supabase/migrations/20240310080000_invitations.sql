-- Invitations are sent by team admins.
create table public.invitations (
  id bigint generated always as identity primary key,
  team_id bigint not null references public.teams (id),
  email text not null,
  token text not null default encode(gen_random_bytes(16), 'hex'),
  invited_by uuid references public.profiles (id)
);

create policy "admins manage invitations"
  on public.invitations for all to authenticated
  using ((auth.jwt() -> 'user_metadata' ->> 'is_admin')::boolean);

create function public.accept_invitation(invitation_token text)
returns void
language plpgsql
security definer
as $$
begin
  insert into public.team_members (team_id, user_id)
  select team_id, auth.uid() from public.invitations where token = invitation_token;
  delete from public.invitations where token = invitation_token;
end;
$$;
