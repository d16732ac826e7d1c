create table public.todos (id bigint primary key, title text);
alter table public.todos enable row level security;
