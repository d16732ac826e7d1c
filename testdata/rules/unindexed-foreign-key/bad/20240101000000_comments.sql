create table public.posts (id bigint primary key);
create table public.comments (
  id bigint primary key,
  post_id bigint not null,
  author uuid references auth.users (id)
);
create index comments_author_idx on public.comments (author);
