create extension if not exists rum with schema extensions;
create table public.articles (
  id bigint primary key,
  body text not null,
  tags text[] not null default '{}',
  fts tsvector generated always as (to_tsvector('english', body)) stored
);
create index articles_fts on public.articles using rum (fts rum_tsvector_ops);
create index articles_tags on public.articles using rum (tags);
insert into public.articles (id, body, tags) values (1, 'PostgreSQL full text search', '{db}'), (2, 'cooking with rice', '{food}');
do $$
begin
  set local enable_seqscan = off;
  assert (select array_agg(id) from public.articles where fts @@ to_tsquery('english', 'search')) = array[1::bigint];
  assert (select array_agg(id) from public.articles where tags @> '{food}') = array[2::bigint];
  assert (select id from public.articles order by fts <=> to_tsquery('english', 'rice') limit 1) = 2;
end
$$;
