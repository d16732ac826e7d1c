create extension if not exists pgroonga with schema extensions;
create table public.memos (id bigint primary key, title text, content text, tags text[]);
create index memos_content on public.memos using pgroonga (content);
create index memos_title_content on public.memos using pgroonga ((array[title, content]));
create index memos_tags on public.memos using pgroonga (tags pgroonga_text_array_full_text_search_ops_v2);
insert into public.memos values (1, 'Groonga', 'PostgreSQL and Groonga', '{search}'), (2, 'Rice', 'cooking', '{food}');
do $$
begin
  assert (select array_agg(id) from public.memos where content &@ 'groonga') = array[1::bigint];
  assert (select array_agg(id) from public.memos where content &@~ 'rice OR cooking') = array[2::bigint];
  assert (select array_agg(id) from public.memos where array[title, content] &@~ 'groonga') = array[1::bigint];
end
$$;
