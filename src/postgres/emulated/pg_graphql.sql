-- pg_graphql: GraphQL over the schema. Emulated: the API exists and answers nothing.
do $schema$
begin
  if not exists (select from pg_namespace where nspname = 'graphql_public') then
    create schema graphql_public;
  end if;
end
$schema$;
create function graphql.resolve(query text, variables jsonb default '{}', "operationName" text default null, extensions jsonb default null)
returns jsonb language sql as $$
  select jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('message', 'pg_graphql is emulated by schemagate')))
$$;
create function graphql_public.graphql("operationName" text default null, query text default null, variables jsonb default null, extensions jsonb default null)
returns jsonb language sql as $$ select graphql.resolve(query, coalesce(variables, '{}'), "operationName", extensions) $$;
create function graphql.comment_directive(comment_ text) returns jsonb language sql immutable as $$ select null::jsonb $$;
create function graphql.rebuild_schema() returns void language sql as $$ select $$;
create function graphql.get_schema_version() returns integer language sql as $$ select 1 $$;
grant usage on schema graphql, graphql_public to public;
grant execute on all functions in schema graphql, graphql_public to public;
