//! The extensions schemagate emulates since issue #12 (and the wrappers and pgroonga parts
//! it added then): each fixture in testdata/extensions/, written with the objects real
//! Supabase migrations use, applies on an ephemeral cluster, and its `assert`s about what
//! the emulation computes hold. PostGIS: the emulation on a server without it, and (run by
//! `.ci/run`, which installs Debian's PostGIS) the real one where the server has it.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs `check` (JSON, never failing the gate) on `project`; returns the report.
fn check(project: &Path, mut command: Command, extra: &[&str]) -> Value {
    let output = command
        .args(["check", "--format", "json", "-q", "--fail-on", "never"])
        .args(extra)
        .arg(project)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}\nstderr: {}",
            support::text(&output.stdout),
            support::text(&output.stderr)
        )
    })
}

/// The text of testdata/extensions/`name`.sql.
fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/extensions")
        .join(format!("{name}.sql"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `check` on a project whose migrations are `files`.
fn check_files(files: &[(&str, &str)], extra: &[&str]) -> Value {
    let project = support::supabase_project(files);
    check(project.path(), support::schemagate(), extra)
}

/// Runs `check` on a project whose one migration is testdata/extensions/`name`.sql.
fn check_fixture(name: &str, command: Command, extra: &[&str]) -> Value {
    let text = fixture(name);
    let project = support::supabase_project(&[("20240101000000_extension.sql", &text)]);
    check(project.path(), command, extra)
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Asserts the fixture applied on the emulation of `name`.
fn assert_applies_emulated(report: &Value, name: &str) {
    assert_eq!(
        support::apply_statuses(report),
        ["applied"],
        "{:#}",
        report["findings"]
    );
    let emulated: Vec<&str> = findings(report, "extension-emulated")
        .iter()
        .filter_map(|f| f["object"].as_str())
        .collect();
    assert_eq!(emulated, [format!("extension {name}")], "{report:#}");
}

fn applies_emulated(name: &str) {
    let report = check_fixture(name, support::schemagate(), &[]);
    assert_applies_emulated(&report, name);
}

#[test]
fn pg_hashids_fixture_applies() {
    applies_emulated("pg_hashids");
}

#[test]
fn pg_repack_fixture_applies() {
    applies_emulated("pg_repack");
}

#[test]
fn pgaudit_fixture_applies_and_its_settings_may_be_set_on_roles() {
    applies_emulated("pgaudit");
}

#[test]
fn pgtap_fixture_applies() {
    applies_emulated("pgtap");
}

#[test]
fn rum_fixture_applies_and_its_indexes_search() {
    applies_emulated("rum");
}

#[test]
fn pg_partman_fixture_applies_with_a_default_partition() {
    applies_emulated("pg_partman");
}

#[test]
fn timescaledb_fixture_applies_with_plain_tables() {
    applies_emulated("timescaledb");
}

#[test]
fn pgroonga_fixture_applies_with_its_index_method() {
    applies_emulated("pgroonga");
}

/// `create foreign data wrapper` needs a superuser on plain PostgreSQL (hosted Supabase lets
/// `postgres` through supautils), so the wrapper is made with `--apply-as superuser`.
#[test]
fn wrappers_fixture_applies_with_handlers_and_validators() {
    let report = check_fixture(
        "wrappers",
        support::schemagate(),
        &["--apply-as", "superuser"],
    );
    assert_applies_emulated(&report, "wrappers");
}

/// Reading a foreign table needs the real wrapper: the run stops there, saying so.
#[test]
fn reading_a_foreign_table_of_an_emulated_wrapper_is_unavailable() {
    let report = check_files(
        &[
            ("20240101000000_stripe.sql", &fixture("wrappers")),
            (
                "20240102000000_read.sql",
                "create table public.customers as select id, email from stripe.customers;",
            ),
        ],
        &["--apply-as", "superuser"],
    );
    assert_eq!(support::apply_statuses(&report), ["applied", "failed"]);
    let unavailable = findings(&report, "extension-unavailable");
    assert_eq!(unavailable.len(), 1, "{report:#}");
    let message = unavailable[0]["message"].as_str().unwrap();
    assert!(
        message.contains("emulation of `wrappers`") && message.contains("fetch nothing"),
        "{message}"
    );
}

/// On a server without PostGIS (a copy of this machine's, its PostGIS files left out) the
/// emulation takes its place.
#[test]
fn postgis_fixture_applies_on_the_emulation_where_the_server_lacks_postgis() {
    let install = tempfile::tempdir().unwrap();
    let bin =
        support::pg::installation_without(install.path(), &["postgis", "address_standardizer"]);
    let mut command = support::schemagate();
    command.env("PG_BIN", &bin);
    let report = check_fixture("postgis", command, &[]);
    assert_applies_emulated(&report, "postgis");
}

/// The real PostGIS where the server has it: `.ci/run` installs Debian's
/// `postgresql-15-postgis-3` and runs this (`--ignored`), so there it fails rather than
/// skips when PostGIS is missing. A typmod the emulation cannot check is refused, and
/// `extversion` is PostGIS's own.
#[test]
#[ignore = "needs Debian's postgresql-N-postgis-3 installed; .ci/run installs it and runs this"]
fn postgis_is_the_real_one_where_the_server_has_it() {
    let report = check_fixture("postgis", support::schemagate(), &[]);
    assert_eq!(
        support::apply_statuses(&report),
        ["applied"],
        "{:#}",
        report["findings"]
    );
    assert!(
        findings(&report, "extension-emulated").is_empty(),
        "PostGIS should be the server's own: {report:#}"
    );
    let report = check_files(
        &[(
            "20240101000000_typmod.sql",
        "create extension postgis with schema extensions;
create table public.places (location extensions.geography(Point, 4326));
do $$
begin
  assert (select extversion from pg_extension where extname = 'postgis') like '3.%';
  assert (select format_type(atttypid, atttypmod) from pg_attribute
          where attrelid = 'public.places'::regclass and attname = 'location') like '%geography(Point,4326)';
end
$$;
insert into public.places values ('SRID=4326;LINESTRING(0 0, 1 1)');",
        )],
        &[],
    );
    let failed = findings(&report, "apply-failed");
    assert_eq!(failed.len(), 1, "{report:#}");
    let message = failed[0]["message"].as_str().unwrap();
    assert!(
        message.contains("statement 4") && message.to_lowercase().contains("geometry type"),
        "only the real PostGIS checks the Point typmod: {message}"
    );
}

/// Options only the real extension understands stop the run as `extension-unavailable`,
/// naming what the emulation lacks.
#[test]
fn options_only_the_real_extension_understands_are_unavailable() {
    for (sql, expected) in [
        (
            "create extension timescaledb;
create table public.conditions (time timestamptz not null, device_id bigint);
select create_hypertable('public.conditions', 'time');
alter table public.conditions set (timescaledb.compress, timescaledb.compress_segmentby = 'device_id');",
            "`timescaledb.*` options",
        ),
        (
            "create extension vector with schema extensions;
create table public.docs (id bigint primary key, embedding extensions.vector(3));
create index on public.docs using hnsw (embedding vector_cosine_ops) with (m = 16, ef_construction = 64);",
            "index options of the `hnsw` method need the real `vector`",
        ),
    ] {
        let report = check_files(&[("20240101000000_options.sql", sql)], &[]);
        let unavailable = findings(&report, "extension-unavailable");
        assert_eq!(unavailable.len(), 1, "{report:#}");
        let message = unavailable[0]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
    }
}

/// The emulation refuses what TimescaleDB refuses: a primary key without the time column.
#[test]
fn create_hypertable_refuses_a_primary_key_without_the_time_column() {
    let report = check_files(
        &[(
            "20240101000000_hypertable.sql",
            "create extension timescaledb;
create table public.readings (id bigserial primary key, time timestamptz not null);
select create_hypertable('public.readings', 'time');",
        )],
        &[],
    );
    let failed = findings(&report, "apply-failed");
    assert_eq!(failed.len(), 1, "{report:#}");
    let message = failed[0]["message"].as_str().unwrap();
    assert!(
        message.contains("cannot create a unique index without the column \"time\""),
        "{message}"
    );
}
