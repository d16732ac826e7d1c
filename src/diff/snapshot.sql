-- One row per object of the user's schema: (kind, identity, attributes as a JSON object).
-- Deterministic and comparable across databases: no OIDs, names only, sorted lists.
-- System schemas are left out; everything else (including Supabase's own schemas) is kept,
-- so the same prelude on both sides compares equal.
with user_namespaces as (
  select oid, nspname
  from pg_namespace
  where nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    and nspname not like 'pg_temp_%' and nspname not like 'pg_toast_temp_%'
),
extension_members as (
  select objid, classid from pg_depend where deptype = 'e'
)
-- Identities are text: a `name` first branch would make the column `name` and cut every
-- identity to 63 bytes, so long ones would collide.
select 'schema' as kind, n.nspname::text as identity, '{}'::jsonb::text as attributes
from user_namespaces n
union all
select case c.relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view'
                      when 'm' then 'materialized view' when 'f' then 'foreign table'
                      when 'S' then 'sequence' end,
       n.nspname || '.' || c.relname,
       jsonb_build_object(
         'rls', c.relrowsecurity,
         'rls forced', c.relforcerowsecurity,
         'options', coalesce(array_to_string(array(select o from unnest(c.reloptions) o order by o), ','), ''),
         'definition', case when c.relkind in ('v', 'm') then md5(pg_get_viewdef(c.oid)) end
       )::text
from pg_class c
join user_namespaces n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
  and not exists (select 1 from extension_members e where e.objid = c.oid and e.classid = 'pg_class'::regclass)
union all
select 'column', n.nspname || '.' || c.relname || '.' || a.attname,
       jsonb_build_object(
         'type', format_type(a.atttypid, a.atttypmod),
         'not null', a.attnotnull,
         'default', pg_get_expr(d.adbin, d.adrelid),
         'identity', nullif(a.attidentity::text, ''),
         'generated', nullif(a.attgenerated::text, '')
       )::text
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join user_namespaces n on n.oid = c.relnamespace
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped
  and not exists (select 1 from extension_members e where e.objid = c.oid and e.classid = 'pg_class'::regclass)
union all
select 'constraint', n.nspname || '.' || c.relname || '.' || k.conname,
       jsonb_build_object('definition', pg_get_constraintdef(k.oid))::text
from pg_constraint k
join pg_class c on c.oid = k.conrelid
join user_namespaces n on n.oid = c.relnamespace
-- NOT NULL constraints (in pg_constraint from PostgreSQL 18) are the columns' `not null`.
where k.contype <> 'n'
  and not exists (select 1 from extension_members e where e.objid = c.oid and e.classid = 'pg_class'::regclass)
union all
select 'index', n.nspname || '.' || i.relname,
       jsonb_build_object('definition', pg_get_indexdef(i.oid))::text
from pg_index x
join pg_class i on i.oid = x.indexrelid
join user_namespaces n on n.oid = i.relnamespace
where not exists (select 1 from extension_members e where e.objid = x.indrelid and e.classid = 'pg_class'::regclass)
union all
select 'policy', n.nspname || '.' || c.relname || '.' || p.polname,
       jsonb_build_object(
         'command', p.polcmd::text,
         'permissive', p.polpermissive,
         'roles', array_to_string(array(
            select case when r = 0 then 'public' else pg_get_userbyid(r) end
            from unnest(p.polroles) r order by 1), ','),
         'using', pg_get_expr(p.polqual, p.polrelid),
         'with check', pg_get_expr(p.polwithcheck, p.polrelid)
       )::text
from pg_policy p
join pg_class c on c.oid = p.polrelid
join user_namespaces n on n.oid = c.relnamespace
union all
select case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end,
       n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       jsonb_build_object(
         'returns', pg_get_function_result(p.oid),
         'language', l.lanname,
         'security definer', p.prosecdef,
         'volatility', p.provolatile::text,
         'config', coalesce(array_to_string(array(select o from unnest(p.proconfig) o order by o), ','), ''),
         'body', md5(coalesce(p.prosrc, ''))
       )::text
from pg_proc p
join user_namespaces n on n.oid = p.pronamespace
join pg_language l on l.oid = p.prolang
where not exists (select 1 from extension_members e where e.objid = p.oid and e.classid = 'pg_proc'::regclass)
union all
select 'trigger', n.nspname || '.' || c.relname || '.' || t.tgname,
       jsonb_build_object('definition', pg_get_triggerdef(t.oid), 'enabled', t.tgenabled::text)::text
from pg_trigger t
join pg_class c on c.oid = t.tgrelid
join user_namespaces n on n.oid = c.relnamespace
where not t.tgisinternal
union all
select 'enum', n.nspname || '.' || t.typname,
       jsonb_build_object('labels', array_to_string(array(
         select e.enumlabel from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder), ','))::text
from pg_type t
join user_namespaces n on n.oid = t.typnamespace
where t.typtype = 'e'
  and not exists (select 1 from extension_members e where e.objid = t.oid and e.classid = 'pg_type'::regclass)
union all
select 'extension', x.extname::text,
       jsonb_build_object('schema', n.nspname, 'version', x.extversion)::text
from pg_extension x
join pg_namespace n on n.oid = x.extnamespace
union all
select 'grant', n.nspname || '.' || c.relname || ' to ' || r.rolname,
       jsonb_build_object('privileges', array_to_string(array(
         select p from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
         where has_table_privilege(r.oid, c.oid, p) order by 1), ','))::text
from pg_class c
join user_namespaces n on n.oid = c.relnamespace
cross join pg_roles r
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and r.rolname in ('anon', 'authenticated')
  -- Only roles that have some privilege: a grant appears and disappears with its first and last privilege.
  and has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
  and not exists (select 1 from extension_members e where e.objid = c.oid and e.classid = 'pg_class'::regclass)
union all
select 'schema grant', n.nspname || ' to ' || r.rolname,
       jsonb_build_object('privileges', array_to_string(array(
         select p from unnest(array['CREATE', 'USAGE']) p
         where has_schema_privilege(r.oid, n.oid, p) order by 1), ','))::text
from user_namespaces n
cross join pg_roles r
where r.rolname in ('anon', 'authenticated')
  and has_schema_privilege(r.oid, n.oid, 'USAGE, CREATE')
union all
-- Functions anon and authenticated may call (PUBLIC's default EXECUTE included): a revoke
-- that hardens a function is a change.
select 'function grant',
       n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') to ' || r.rolname,
       '{}'::jsonb::text
from pg_proc p
join user_namespaces n on n.oid = p.pronamespace
cross join pg_roles r
where r.rolname in ('anon', 'authenticated')
  and has_function_privilege(r.oid, p.oid, 'EXECUTE')
  and not exists (select 1 from extension_members e where e.objid = p.oid and e.classid = 'pg_proc'::regclass)
union all
select 'default privileges',
       pg_get_userbyid(d.defaclrole) || coalesce(' in ' || n.nspname, '') || ' on ' ||
         case d.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions'
                              when 'T' then 'types' when 'n' then 'schemas' else d.defaclobjtype::text end,
       jsonb_build_object('acl', array_to_string(array(
         select a::text from unnest(d.defaclacl) a order by 1), ','))::text
from pg_default_acl d
left join pg_namespace n on n.oid = d.defaclnamespace
