use super::*;
use crate::migrations::{load, Layout};

/// A Supabase folder holding `files` (SQL) in order, loaded.
fn set_of(files: &[&str]) -> MigrationSet {
    let dir = tempfile::tempdir().expect("temp dir");
    for (i, sql) in files.iter().enumerate() {
        let name = format!("2024010100000{i}_m{i}.sql");
        std::fs::write(dir.path().join(name), sql).expect("write migration");
    }
    load(dir.path(), Some(Layout::Supabase))
}

#[test]
fn inline_and_altered_foreign_keys() {
    let set = set_of(&[
        "create table orgs (id uuid primary key);
         create table Members (
           id bigint generated always as identity primary key,
           org_id uuid not null references orgs (id) on delete cascade,
           user_id uuid
         );",
        "alter table public.members add constraint members_user_fk
           foreign key (user_id) references auth.users (id);",
    ]);
    let model = Model::build(&set);
    let members = model.table("public.members").expect("members exists");
    let fks: Vec<(&str, &[String], &str)> = members
        .foreign_keys
        .iter()
        .map(|fk| {
            (
                fk.name.as_str(),
                fk.columns.as_slice(),
                fk.references.as_str(),
            )
        })
        .collect();
    assert_eq!(
        fks,
        [
            (
                "members_org_id_fkey",
                &["org_id".to_string()][..],
                "public.orgs"
            ),
            (
                "members_user_fk",
                &["user_id".to_string()][..],
                "auth.users"
            ),
        ]
    );
    assert_eq!(members.foreign_keys[1].history.created.migration, 1);
    assert_eq!(
        members.primary_key.as_deref(),
        Some(&["id".to_string()][..])
    );
    assert!(model.indexes.contains_key("public.members_pkey"));
}

#[test]
fn renames_follow_keys_indexes_and_policies() {
    let set = set_of(&[
        "create table t (a int, b int, primary key (a, b));
         create index t_b_idx on t (b);
         create policy p on t for select using (true);",
        "alter table t rename column b to c;
         alter table t rename to u;",
    ]);
    let model = Model::build(&set);
    assert!(model.table("public.t").is_none());
    let u = model.table("public.u").expect("renamed table");
    assert_eq!(
        u.primary_key.as_deref(),
        Some(&["a".to_string(), "c".to_string()][..])
    );
    assert_eq!(u.history.changed.migration, 1);
    assert_eq!(u.history.created.migration, 0);
    let index = model
        .indexes
        .get("public.t_b_idx")
        .expect("index keeps its name");
    assert_eq!(
        (index.table.as_str(), index.columns.as_slice()),
        ("public.u", &["c".to_string()][..])
    );
    assert_eq!(model.policies_on("public.u").count(), 1);
}

#[test]
fn drops_remove_objects_and_dependents() {
    let set = set_of(&[
        "create table a (id int primary key);
         create table b (id int primary key, a_id int references a);
         create index b_a_idx on b (a_id);
         create policy p on b using (true);
         create function f(x int) returns int language sql as 'select 1';
         create function f(x text) returns int language sql as 'select 1';
         create view v as select 1;",
        "drop index b_a_idx;
         drop policy p on b;
         drop function f(int);
         drop view v;
         drop table a cascade;",
    ]);
    let model = Model::build(&set);
    assert!(model.table("public.a").is_none());
    assert!(model.table("public.b").expect("b").foreign_keys.is_empty());
    assert!(!model.indexes.contains_key("public.b_a_idx"));
    assert_eq!(model.policies.len(), 0);
    let signatures: Vec<&str> = model
        .functions
        .values()
        .map(|f| f.signature.as_str())
        .collect();
    assert_eq!(signatures, ["text"]);
    assert!(model.views.is_empty());
}

#[test]
fn rls_policies_functions_views() {
    let set = set_of(&[
        r#"create table "Quoted" (id int);
           create table s.t (id int);
           create policy "Read own" on s.t as restrictive for update to authenticated, anon
             using ((select auth.uid()) is not null) with check (true);
           create function s.f() returns trigger language plpgsql security definer
             set search_path = '' as $$ begin return new; end $$;
           create view s.v with (security_invoker = true) as select 1;
           create view s.w as select 1;"#,
        "alter table s.t enable row level security;
         alter table s.t force row level security;
         alter view s.w set (security_invoker = on);
         alter function s.f() security invoker;",
    ]);
    let model = Model::build(&set);
    assert!(model.table("public.Quoted").is_some());
    let t = model.table("s.t").expect("s.t");
    assert!(t.rls_enabled && t.rls_forced);
    let (migration, statement) = t.rls_changed.and_then(|o| o.resolve(&set)).expect("origin");
    assert!(migration.name.contains("m1"));
    assert_eq!(statement.index, 1);
    let policy = model.policies.values().next().expect("a policy");
    assert_eq!(policy.name, "Read own");
    assert_eq!(policy.command, PolicyCommand::Update);
    assert_eq!(policy.roles, ["authenticated", "anon"]);
    assert!(!policy.permissive);
    assert_eq!(
        policy.with_check.as_ref().map(|e| e.to_string()).as_deref(),
        Some("true")
    );
    let f = model.functions.values().next().expect("a function");
    assert!(!f.security_definer && f.returns_trigger);
    assert_eq!(f.search_path.as_deref(), Some("''"));
    assert_eq!(f.language.as_deref(), Some("plpgsql"));
    assert!(model.views["s.v"].security_invoker);
    assert!(model.views["s.w"].security_invoker);
}

#[test]
fn a_table_moved_to_another_schema_takes_its_indexes_and_policies() {
    let set = set_of(&[
        "create schema private;
         create table private.audit (id int primary key);
         create policy p on private.audit for select using (true);",
        "alter table private.audit set schema public;",
    ]);
    let model = Model::build(&set);
    assert!(model.table("private.audit").is_none());
    let audit = model.table("public.audit").expect("moved table");
    assert_eq!(audit.schema, "public");
    assert_eq!(audit.history.changed.migration, 1);
    let index = model
        .indexes
        .get("public.audit_pkey")
        .expect("the index moves with its table");
    assert_eq!(index.table, "public.audit");
    assert_eq!(model.policies_on("public.audit").count(), 1);
}

#[test]
fn a_view_moved_to_another_schema_is_found_there() {
    let set = set_of(&[
        "create table t (id int);
         create view public.v as select id from t;",
        "alter view public.v set schema api;",
    ]);
    let model = Model::build(&set);
    assert!(!model.views.contains_key("public.v"));
    let view = model.views.get("api.v").expect("moved view");
    assert_eq!(view.schema, "api");
    assert_eq!(view.history.changed.migration, 1);
}

#[test]
fn do_blocks_and_fallbacks_count() {
    let set = set_of(&["create table t (id int primary key);
         DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'p') THEN
             CREATE POLICY p ON t FOR SELECT USING (true);
           END IF;
         END $$;
         ALTER TABLE t ALTER COLUMN id SET STATISTICS 100, ENABLE ROW LEVEL SECURITY;"]);
    let model = Model::build(&set);
    assert_eq!(model.policies_on("public.t").count(), 1);
    assert!(model.table("public.t").expect("t").rls_enabled);
}

#[test]
fn down_files_are_not_replayed() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("001_t.up.sql"), "create table t (id int);").expect("write");
    std::fs::write(dir.path().join("001_t.down.sql"), "drop table t;").expect("write");
    let set = load(dir.path(), Some(Layout::GolangMigrate));
    let model = Model::build(&set);
    assert!(model.table("public.t").is_some());
}

#[test]
fn odd_input_does_not_panic() {
    let set = set_of(&["alter table missing enable row level security;
         create index on missing (x);
         drop table if exists nothing;
         alter table nothing rename column a to b;
         create policy p on nowhere using (true);
         do $$ $$;
         create table x as select 1;
         alter policy nope on x rename to yes;
         create table x (id int);"]);
    let model = Model::build(&set);
    assert!(model.table("public.x").is_some());
    assert!(model.table("public.missing").is_none());
}

#[test]
fn owner_changes_do_not_move_a_function() {
    let set = set_of(&[
        r#"create function "public"."f"("a" "text") returns int language sql as 'select 1';
           alter function "public"."f"("a" "text") owner to "postgres";
           alter function public.f(text) set search_path to default;"#,
        "alter function public.f(character varying) security definer;",
    ]);
    let model = Model::build(&set);
    let f = model.functions.values().next().expect("a function");
    assert_eq!(f.signature, "text");
    assert_eq!(f.history.changed.statement, 2);
    assert!(f.search_path.is_none());
    assert!(!f.security_definer, "varchar is another overload");
}

#[test]
fn revokes_make_objects_unreadable_for_the_api() {
    let set = set_of(&["create view a as select 1;
         create view b as select 1;
         create view c as select 1;
         revoke select on a from anon, authenticated;
         revoke all on b from anon;
         revoke all on all tables in schema public from anon, authenticated;
         grant select on c to authenticated;"]);
    let model = Model::build(&set);
    let since = |name: &str| model.views[name].history.created;
    assert!(!model.api_readable("public.a", since("public.a")));
    assert!(!model.api_readable("public.b", since("public.b")));
    assert!(model.api_readable("public.c", since("public.c")));
}

#[test]
fn locate_finds_the_defining_statement() {
    let set = set_of(&[
        "create table t (id int primary key, a int, b int);
         create policy \"read.all\" on t for select using (true);
         create function f() returns int language sql as 'select 1';",
        "alter table t add foreign key (a, b) references t2 (x, y);
         create index t_a_idx on t (a);
         create or replace function f() returns int language sql as 'select 2';",
    ]);
    let model = Model::build(&set);
    let at = |object: &str| model.locate(object).map(|o| (o.migration, o.statement));
    assert_eq!(at("public.t"), Some((0, 0)));
    assert_eq!(at("public.t.read.all"), Some((0, 1)));
    assert_eq!(at("public.f"), Some((1, 2)));
    assert_eq!(at("public.t.a,b"), Some((1, 0)));
    assert_eq!(at("public.t.t_a_idx"), Some((1, 1)));
    assert_eq!(at("public.t.b"), Some((0, 0)));
    assert_eq!(at("public.nothing"), None);
}

#[test]
fn a_baseline_seeds_the_model_and_locates_nothing_in_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("base.sql"),
        "create table public.accounts (id int primary key, name text);\n\
         alter table public.accounts enable row level security;\n\
         create table public.logs (id int);\n",
    )
    .expect("write baseline");
    let baseline = load(&dir.path().join("base.sql"), Some(Layout::Plain));
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).expect("folder");
    std::fs::write(
        migrations.join("20240101000000_m.sql"),
        "alter table public.accounts add column email text;\n\
         alter table public.accounts disable row level security;\n",
    )
    .expect("write migration");
    let set = load(&migrations, Some(Layout::Supabase));
    let model = Model::build_on(baseline.migrations.first(), &set);
    let accounts = model.table("public.accounts").expect("from the baseline");
    assert!(accounts.history.created.in_baseline());
    assert!(accounts.column("email").is_some());
    // Ordered as they run: the baseline before every migration.
    assert!(
        accounts.history.created
            < Origin {
                migration: 0,
                statement: 0
            }
    );
    // Changed by a migration: located there; untouched: the baseline's alone.
    assert_eq!(
        model.locate("public.accounts"),
        Some(Origin {
            migration: 0,
            statement: 1
        })
    );
    assert!(!model.only_in_baseline("public.accounts"));
    assert!(model.only_in_baseline("public.logs"));
    assert_eq!(model.locate("public.logs"), None);
    assert!(!model.only_in_baseline("public.nothing"));
}

#[test]
fn renamed_policies_and_functions_are_found_under_their_new_names() {
    let set = set_of(&[
        "create table t (id int);
         create policy p on t for select using (true);
         create function f(a int) returns int language sql as 'select a';
         create function f(a text) returns text language sql as 'select a';",
        "alter policy p on t rename to q;
         alter function f(int) rename to g;
         alter table t rename to u;",
    ]);
    let model = Model::build(&set);
    let policies: Vec<&str> = model
        .policies_on("public.u")
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(policies, ["q"]);
    assert_eq!(model.policies_on("public.t").count(), 0);
    let g: Vec<String> = model
        .functions_named("public.g")
        .map(|f| f.display())
        .collect();
    assert_eq!(g, ["public.g(integer)"]);
    let f: Vec<String> = model
        .functions_named("public.f")
        .map(|f| f.display())
        .collect();
    assert_eq!(f, ["public.f(text)"]);
    assert!(model.locate("public.u.q").is_some());
}
