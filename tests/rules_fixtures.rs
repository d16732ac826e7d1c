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
