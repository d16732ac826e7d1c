alter table public.comments
  add constraint comments_post_fk foreign key (post_id) references public.posts (id);
-- A partial index does not cover the key.
create index comments_post_live_idx on public.comments (post_id) where post_id > 0;
