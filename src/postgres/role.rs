//! Who migrations run as. A pull request's SQL is hostile input, so by default it runs on a
//! connection that logged in as a role without superuser, like hosted Supabase's `postgres`:
//! it can create schemas, roles (without superuser) and the allow-listed extensions, owns the
//! database, `public` and `extensions`, and belongs to the API roles; it cannot run programs,
//! read or write server files, change the server's configuration or become a superuser. The
//! change tracker and the prelude run on a superuser's session the migrations cannot reach
//! (a separate login, so `RESET ROLE` has nothing to go back to).

use super::describe_error;
use crate::Failure;
use tokio_postgres::Client;

/// `--apply-as`: the role migrations run as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ApplyAs {
    /// A role without superuser, like hosted Supabase's `postgres` (the safe default).
    #[default]
    Migrator,
    /// The server's superuser: migrations can run programs and read files on the machine.
    /// Unsafe for untrusted pull requests.
    Superuser,
}

impl ApplyAs {
    /// The role migrations log in as on an ephemeral cluster.
    pub fn cluster_role(self) -> &'static str {
        match self {
            ApplyAs::Migrator => MIGRATOR,
            ApplyAs::Superuser => super::cluster::SUPERUSER,
        }
    }
}

/// The apply role on an ephemeral cluster. Named like hosted Supabase's, so migrations that
/// grant to or hand objects to `postgres` behave as they do there; the cluster's superuser
/// is `supabase_admin` (see `cluster::SUPERUSER`), as on Supabase.
pub const MIGRATOR: &str = "postgres";

/// Predefined roles that let their members run programs and touch server files. A role with
/// CREATEROLE may grant itself any role that is not a superuser (PostgreSQL 15 and older), so
/// on our own clusters these are marked superuser: granting them then needs a superuser. They
/// cannot log in, so the mark gives nobody anything.
pub const SERVER_ACCESS_ROLES: &[&str] = &[
    "pg_execute_server_program",
    "pg_read_server_files",
    "pg_write_server_files",
];

/// Cluster-wide set-up of an ephemeral cluster, as its superuser, before the prelude (which
/// grants to `postgres`): the apply role and the locked server-access roles.
pub fn cluster_sql() -> String {
    let postgrest = POSTGREST_SETTINGS
        .iter()
        .map(|name| format!("pgrst.{name}"))
        .collect::<Vec<_>>()
        .join(", ");
    let locked = SERVER_ACCESS_ROLES
        .iter()
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "set allow_system_table_mods = on;
         update pg_authid set rolsuper = true where rolname in ({locked});
         reset allow_system_table_mods;
         create role {MIGRATOR} login createrole createdb replication bypassrls;
         grant set on parameter {postgrest} to {MIGRATOR};"
    )
}

/// PostgREST's in-database settings (`alter role authenticator set pgrst.…`), which hosted
/// Supabase lets its `postgres` role set; other placeholder settings need a superuser.
const POSTGREST_SETTINGS: &[&str] = &[
    "db_aggregates_enabled",
    "db_anon_role",
    "db_extra_search_path",
    "db_hoisted_tx_settings",
    "db_max_rows",
    "db_plan_enabled",
    "db_pre_config",
    "db_pre_request",
    "db_prepared_statements",
    "db_root_spec",
    "db_schemas",
    "db_tx_end",
    "jwt_aud",
    "jwt_cache_max_lifetime",
    "jwt_role_claim_key",
    "jwt_secret",
    "jwt_secret_is_base64",
    "openapi_mode",
    "openapi_security_active",
    "openapi_server_proxy_uri",
    "server_cors_allowed_origins",
    "server_timing_enabled",
    "server_trace_header",
];

/// Per-database set-up, on the session that ran the prelude (the superuser's, or the URL's
/// user), connected to the database: `role` owns the database, `public` (before PostgreSQL
/// 15, where `pg_database_owner` does not own it) and what that session created there (the
/// prelude's schemas, tables, functions, types, the `supabase_realtime` publication and,
/// from a superuser's session, the preinstalled extensions, but not extensions' member
/// objects), as the applying superuser owned them before; it can use the Supabase schemas,
/// belongs to the API roles, and what it creates in `public` is granted to them.
pub fn database_sql(role: &str) -> String {
    format!(
        r#"do $role$
         declare
           target constant text := '{role}';
           item record;
         begin
           execute format('alter database %I owner to %I', current_database(), target);
           if (select nspowner::regrole::text from pg_namespace where nspname = 'public') <> 'pg_database_owner' then
             execute format('alter schema public owner to %I', target);
           end if;
           for item in
             select format('schema %I', n.nspname) as object from pg_namespace n
             where n.nspowner = current_user::regrole and n.nspname not in ('public', 'information_schema') and n.nspname !~ '^pg_'
               and not exists (select from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
             union all
             select format('%s %s', case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' when 'S' then 'sequence' else 'table' end, c.oid::regclass)
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relowner = current_user::regrole and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
               and n.nspname not in ('information_schema') and n.nspname !~ '^pg_'
               and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('e', 'a', 'i'))
             union all
             select format('routine %s', p.oid::regprocedure) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where p.proowner = current_user::regrole and p.prokind <> 'a'
               and n.nspname not in ('information_schema') and n.nspname !~ '^pg_'
               and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
             union all
             select format('%s %s', case t.typtype when 'd' then 'domain' else 'type' end, t.oid::regtype) from pg_type t join pg_namespace n on n.oid = t.typnamespace
             where t.typowner = current_user::regrole and t.typtype in ('e', 'd', 'r')
               and n.nspname not in ('information_schema') and n.nspname !~ '^pg_'
               and not exists (select from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
             union all
             select format('publication %I', pubname) from pg_publication where pubowner = current_user::regrole
           loop
             execute format('alter %s owner to %I', item.object, target);
           end loop;
           -- CREATE too, as Supabase gave it until 2025: `objects-in-supabase-schemas` reports
           -- what migrations create there.
           for item in select nspname from pg_namespace where nspname in ('auth', 'storage', 'realtime', 'vault', 'supabase_functions', 'graphql', 'graphql_public', 'extensions') loop
             execute format('grant usage, create on schema %I to %I', item.nspname, target);
           end loop;
           -- Supabase's API grants: what the role creates in public and extensions is the
           -- API roles' to use (row level security decides the rest).
           if exists (select from pg_roles where rolname = 'anon') then
             execute format('grant anon, authenticated, service_role to %I', target);
             for item in select nspname from pg_namespace where nspname in ('public', 'extensions') loop
               execute format('alter default privileges for role %I in schema %I grant all on tables to anon, authenticated, service_role', target, item.nspname);
               execute format('alter default privileges for role %I in schema %I grant all on functions to anon, authenticated, service_role', target, item.nspname);
               execute format('alter default privileges for role %I in schema %I grant all on sequences to anon, authenticated, service_role', target, item.nspname);
             end loop;
           end if;
           -- The preinstalled extensions too (PostgreSQL has no ALTER EXTENSION … OWNER), so
           -- migrations may drop and re-create them, as Supabase lets its postgres role.
           if (select rolsuper from pg_roles where rolname = current_user) then
             update pg_extension set extowner = target::regrole
             where extowner = current_user::regrole and extname <> 'plpgsql';
           end if;
         end
         $role$;"#
    )
}

/// PostgreSQL 16+ lets a CREATEROLE role alter only the roles it administers; hosted
/// Supabase's `postgres` alters the API roles (`alter role authenticator set
/// pgrst.db_schemas = …`), so on an ephemeral cluster the apply role gets the ADMIN option
/// on them (not membership of `authenticator`, which it does not have). Never on a
/// `--database-url` server, whose roles are not ours to hand out.
pub fn supabase_admin_sql() -> String {
    format!(
        "do $admin$
         begin
           if current_setting('server_version_num')::int >= 160000
              and exists (select from pg_roles where rolname = 'authenticator') then
             execute 'grant anon, authenticated, service_role to {MIGRATOR} with admin option';
             execute 'grant authenticator to {MIGRATOR} with admin option, inherit false, set false';
           end if;
         end
         $admin$;"
    )
}

/// Runs set-up SQL on a superuser's session.
pub async fn run(client: &Client, sql: &str) -> Result<(), Failure> {
    client.batch_execute(sql).await.map_err(|e| {
        Failure::Environment(format!(
            "cannot prepare the role migrations run as: {}; use a superuser in --database-url, or --apply-as superuser (unsafe for untrusted pull requests)",
            describe_error(&e)
        ))
    })
}

/// The role of a `--database-url` run: no superuser, CREATEROLE or CREATEDB, so it reaches
/// nothing on the server beyond the scratch database it owns. Its password is random and
/// never printed.
pub fn scratch_role_sql(role: &str, password: &str) -> String {
    format!("create role \"{role}\" login password '{password}'")
}

/// A password of 32 hex digits from the kernel's random source.
pub fn random_password() -> Result<String, Failure> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| Failure::Environment(format!("cannot read /dev/urandom: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
