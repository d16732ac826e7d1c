//! Every static rule against its fixtures: `testdata/rules/<rule-id>/bad/` must trigger
//! the rule, `good/` must not, and the bad findings are snapshot-tested.

use schemagate::config::{Config, Profile};
use schemagate::findings::Finding;
use schemagate::migrations::{load, Layout};
use schemagate::rules::registry::{self, STATIC_RULES};
use std::path::{Path, PathBuf};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules")
}

/// The default configuration of a Supabase project: only `public` is exposed.
fn config() -> Config {
    Config {
        exposed_schemas: vec!["public".to_string()],
        ..Config::with_profile(Profile::Supabase)
    }
}

/// Findings of `rule` when linting one fixture folder.
fn findings_of(rule: &str, folder: &Path) -> Vec<Finding> {
    assert!(
        folder.is_dir(),
        "missing fixture folder {}",
        folder.display()
    );
    let set = load(folder, Some(Layout::Supabase));
    assert!(
        !set.migrations.is_empty(),
        "{} has no migrations",
        folder.display()
    );
    schemagate::lint::lint(&set, &config())
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// One line per finding: what a reader of the report sees, without the folder path.
fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let at = f.location.as_ref().map_or("-".to_string(), |l| {
                let file = Path::new(&l.file)
                    .file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().into_owned());
                format!("{file}:{}:{}", l.line, l.column)
            });
            format!(
                "{} {} {} [{}]\n  {}\n  help: {}",
                f.rule,
                f.severity,
                at,
                f.object.as_deref().unwrap_or("-"),
                f.message,
                f.help.as_deref().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn fixture_rules() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(fixtures_root())
        .expect("testdata/rules exists")
        .map(|entry| {
            entry
                .expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_static_rule_has_fixtures() {
    let ids = fixture_rules();
    for rule in STATIC_RULES {
        let id = rule.meta().id;
        assert!(ids.iter().any(|f| f == id), "no testdata/rules/{id}/");
    }
    for id in &ids {
        assert!(
            registry::meta(id).is_some(),
            "testdata/rules/{id} names no rule"
        );
    }
}

#[test]
fn bad_fixtures_trigger_their_rule() {
    for id in fixture_rules() {
        let found = findings_of(&id, &fixtures_root().join(&id).join("bad"));
        assert!(!found.is_empty(), "{id}: bad/ produced no finding");
        for finding in &found {
            assert!(finding.location.is_some(), "{id}: finding without location");
            assert!(finding.object.is_some(), "{id}: finding without object");
            assert!(!finding.fingerprint.is_empty(), "{id}: no fingerprint");
        }
        insta::assert_snapshot!(format!("bad__{id}"), describe(&found));
    }
}

#[test]
fn good_fixtures_are_clean() {
    for id in fixture_rules() {
        let found = findings_of(&id, &fixtures_root().join(&id).join("good"));
        assert!(
            found.is_empty(),
            "{id}: good/ produced\n{}",
            describe(&found)
        );
    }
}

#[test]
fn exposed_schemas_come_from_the_config() {
    let folder = fixtures_root().join("rls-disabled/bad");
    let set = load(&folder, Some(Layout::Supabase));
    let config = Config {
        exposed_schemas: vec!["api".to_string()],
        ..Config::with_profile(Profile::Supabase)
    };
    let found = schemagate::lint::lint(&set, &config);
    assert!(
        !found.iter().any(|f| f.rule == "rls-disabled"),
        "public is not exposed, yet rls-disabled fired"
    );
}

#[test]
fn model_findings_obey_suppression_comments() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("20240101000000_lookup.sql"),
        "-- schemagate-ignore rls-disabled: read-only reference data, granted select only\n\
         create table public.countries (code text primary key);\n",
    )
    .expect("write migration");
    std::fs::write(
        dir.path().join("20240102000000_later.sql"),
        "create table public.cities (id int primary key);\n",
    )
    .expect("write migration");
    let set = load(dir.path(), Some(Layout::Supabase));
    let found: Vec<(String, String)> = schemagate::lint::lint(&set, &config())
        .into_iter()
        .filter(|f| f.rule == "rls-disabled")
        .map(|f| (f.object.unwrap_or_default(), format!("{:?}", f.status)))
        .collect();
    assert_eq!(
        found,
        [
            ("public.countries".to_string(), "Suppressed".to_string()),
            ("public.cities".to_string(), "New".to_string()),
        ]
    );
}

/// Every fixture folder (bad and good) and the bundled example.
fn every_folder() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = fixture_rules()
        .iter()
        .flat_map(|id| ["bad", "good"].map(|kind| fixtures_root().join(id).join(kind)))
        .collect();
    folders
        .push(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/example/supabase/migrations"));
    folders
}

#[test]
fn no_two_findings_of_a_run_share_a_fingerprint() {
    for folder in every_folder() {
        let set = load(&folder, Some(Layout::Supabase));
        let findings = schemagate::lint::lint(&set, &config());
        let mut seen: std::collections::HashMap<&str, &Finding> = Default::default();
        for finding in &findings {
            if let Some(first) = seen.insert(&finding.fingerprint, finding) {
                panic!(
                    "{}: two findings share the fingerprint {}:\n{}",
                    folder.display(),
                    finding.fingerprint,
                    describe(&[first.clone(), finding.clone()])
                );
            }
        }
    }
}

#[test]
fn the_most_specific_rule_wins_on_one_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("20240101000000_notes.sql"),
        "create table public.notes (id bigint primary key, owner uuid);\n\
         create policy own on public.notes using ((select auth.uid()) = owner);\n",
    )
    .expect("write migration");
    std::fs::write(
        dir.path().join("20240102000000_index.sql"),
        "create index notes_owner_idx on public.notes (owner);\n\
         create index notes_owner_again on public.notes (owner);\n",
    )
    .expect("write migration");
    let set = load(dir.path(), Some(Layout::Supabase));
    let found: Vec<(String, u32)> = schemagate::lint::lint(&set, &config())
        .into_iter()
        .map(|f| (f.rule, f.location.map_or(0, |l| l.line)))
        .collect();
    let rules: Vec<&str> = found.iter().map(|(rule, _)| rule.as_str()).collect();
    assert!(rules.contains(&"policy-without-rls"), "{found:?}");
    assert!(!rules.contains(&"rls-disabled"), "{found:?}");
    assert!(rules.contains(&"duplicate-index"), "{found:?}");
    assert_eq!(
        found
            .iter()
            .filter(|(rule, _)| rule == "require-concurrent-index-creation")
            .map(|(_, line)| *line)
            .collect::<Vec<_>>(),
        [1],
        "only the index that is not a duplicate should be built concurrently: {found:?}"
    );
}

#[test]
fn findings_about_an_element_point_at_it_inside_the_statement() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("20240101000000_members.sql"),
        "create table public.orgs (id uuid primary key);
alter table public.orgs enable row level security;
create table public.members (
  id bigint primary key,
  name text,
  joined timestamptz,
  org_id uuid references public.orgs (id)
);
alter table public.members enable row level security;
",
    )
    .expect("write migration");
    let set = load(dir.path(), Some(Layout::Supabase));
    let found: Vec<Finding> = schemagate::lint::lint(&set, &config())
        .into_iter()
        .filter(|f| f.rule == "unindexed-foreign-key")
        .collect();
    assert_eq!(found.len(), 1, "{}", describe(&found));
    let at = found[0].location.as_ref().expect("located");
    assert_eq!(
        (at.line, at.column, at.end_line, at.end_column),
        (7, 3, 7, 42),
        "the `org_id … references public.orgs (id)` column on line 7"
    );
}

/// The files of a `layout` folder made of `files` that `transaction-nesting` reports.
fn nesting_reported(layout: Layout, files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folder");
        std::fs::write(path, text).expect("write migration");
    }
    let set = load(dir.path(), Some(layout));
    schemagate::lint::lint(&set, &config())
        .into_iter()
        .filter(|f| f.rule == "transaction-nesting")
        .map(|f| {
            let file = f.location.expect("located").file;
            Path::new(&file)
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned())
        })
        .collect()
}

/// `transaction-nesting` fires where the tool wraps each file in a transaction (Flyway,
/// dbmate, goose, Supabase) and the file did not opt out; never where the tool runs files
/// as written (golang-migrate, Prisma), nor in down sections.
#[test]
fn transaction_nesting_follows_each_tool() {
    const WRAPPED: &str = "begin;\ncreate table t (id int primary key);\ncommit;\n";
    let dbmate_down =
        format!("-- migrate:up\n{WRAPPED}-- migrate:down\nbegin;\ndrop table t;\ncommit;\n");
    let dbmate_opted_out = format!("-- migrate:up transaction:false\n{WRAPPED}");
    assert_eq!(
        nesting_reported(
            Layout::Dbmate,
            &[
                ("20240101000000_wrapped.sql", &dbmate_down),
                ("20240102000000_opted_out.sql", &dbmate_opted_out),
            ]
        ),
        ["20240101000000_wrapped.sql"]
    );
    let goose = format!("-- +goose Up\n{WRAPPED}");
    let goose_opted_out = format!("-- +goose no transaction\n-- +goose Up\n{WRAPPED}");
    assert_eq!(
        nesting_reported(
            Layout::Goose,
            &[
                ("00001_wrapped.sql", &goose),
                ("00002_opted_out.sql", &goose_opted_out),
            ]
        ),
        ["00001_wrapped.sql"]
    );
    assert_eq!(
        nesting_reported(
            Layout::Flyway,
            &[
                ("V1__wrapped.sql", WRAPPED),
                ("V2__opted_out.sql", WRAPPED),
                (
                    "V2__opted_out.sql.conf",
                    "# Flyway script configuration\nexecuteInTransaction = false\n",
                ),
            ]
        ),
        ["V1__wrapped.sql"]
    );
    assert!(nesting_reported(Layout::GolangMigrate, &[("1_init.up.sql", WRAPPED)]).is_empty());
    assert!(nesting_reported(
        Layout::Prisma,
        &[("20240101000000_init/migration.sql", WRAPPED)]
    )
    .is_empty());
}

/// What `transaction-nesting` says about a `ROLLBACK`, and about a lone `BEGIN` under a tool
/// that opens a real transaction (goose): PostgreSQL only warns.
#[test]
fn transaction_nesting_explains_rollback_and_a_lone_begin() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("00001_rollback.sql"),
        "-- +goose Up\ncreate table t (id int);\nrollback;\n",
    )
    .expect("write migration");
    std::fs::write(
        dir.path().join("00002_begin.sql"),
        "-- +goose Up\nbegin;\ncreate table u (id int);\n",
    )
    .expect("write migration");
    let set = load(dir.path(), Some(Layout::Goose));
    let messages: Vec<String> = schemagate::lint::lint(&set, &config())
        .into_iter()
        .filter(|f| f.rule == "transaction-nesting")
        .map(|f| f.message)
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("`ROLLBACK` discards what the file did before it, yet goose records the migration as applied"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("PostgreSQL does not nest transactions, so the `BEGIN` only warns"),
        "{}",
        messages[1]
    );
}

/// Between two exposed schemas the endpoint stays, under the profile clients must select.
#[test]
fn set_schema_between_exposed_schemas_names_the_profile() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("20240101000000_items.sql"),
        "create table public.items (id bigint primary key);\n",
    )
    .expect("write migration");
    std::fs::write(
        dir.path().join("20240102000000_move.sql"),
        "alter table public.items set schema api;\n",
    )
    .expect("write migration");
    let set = load(dir.path(), Some(Layout::Supabase));
    let config = Config {
        exposed_schemas: vec!["public".to_string(), "api".to_string()],
        ..Config::with_profile(Profile::Supabase)
    };
    let found: Vec<Finding> = schemagate::lint::lint(&set, &config)
        .into_iter()
        .filter(|f| f.rule == "ban-set-schema")
        .collect();
    assert_eq!(found.len(), 1, "{}", describe(&found));
    assert!(
        found[0]
            .message
            .contains("the API serves `/rest/v1/items` from `api` now, only to clients that select that schema (the `Accept-Profile` header)"),
        "{}",
        found[0].message
    );
}
