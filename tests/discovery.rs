//! Discovery per layout: which files, in which order, which findings.

use schemagate::migrations::{self, Layout, MigrationSet, Role};
use std::fs;
use std::path::Path;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

fn names(set: &MigrationSet) -> Vec<String> {
    set.migrations
        .iter()
        .map(|m| {
            m.abs_path
                .strip_prefix(&set.root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn rules(set: &MigrationSet) -> Vec<&str> {
    set.findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn supabase_orders_by_name_and_reports_skipped_and_duplicate_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("supabase/migrations/20240102000000_b.sql", "select 2;"),
            ("supabase/migrations/20240101000000_a.sql", "select 1;"),
            ("supabase/migrations/20240101000000_c.sql", "select 3;"),
            ("supabase/migrations/005b_sneakers.sql", "select 4;"),
            ("supabase/migrations/seed.sql", "select 5;"),
            (
                "supabase/migrations/legacy/20200101000000_old.sql",
                "select 6;",
            ),
            ("supabase/migrations/README.md", "notes"),
        ],
    );
    let folders = migrations::find_folders(dir.path(), None).unwrap();
    assert_eq!(folders, [dir.path().join("supabase/migrations")]);
    let set = migrations::load(&folders[0], None);
    assert_eq!(set.layout, Layout::Supabase);
    assert_eq!(
        names(&set),
        [
            "20240101000000_a.sql",
            "20240101000000_c.sql",
            "20240102000000_b.sql",
            "005b_sneakers.sql",
            "seed.sql"
        ]
    );
    assert_eq!(set.applied().count(), 3);
    assert_eq!(set.migrations[4].role, Role::Skipped);
    assert_eq!(
        set.migrations[4].statements.len(),
        1,
        "skipped files are linted"
    );
    let found = rules(&set);
    assert_eq!(
        found
            .iter()
            .filter(|r| **r == "invalid-migration-name")
            .count(),
        2,
        "{found:?}"
    );
    assert_eq!(
        found.iter().filter(|r| **r == "duplicate-version").count(),
        1
    );
    let duplicate = set
        .findings
        .iter()
        .find(|f| f.rule == "duplicate-version")
        .unwrap();
    assert!(duplicate
        .location
        .as_ref()
        .unwrap()
        .file
        .ends_with("20240101000000_c.sql"));
    assert!(set.ignored.iter().any(|(p, _)| p.ends_with("legacy")));
}

#[test]
fn mixed_widths_are_reported_for_name_ordered_layouts() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("supabase/migrations/20250101_a.sql", "select 1;"),
            ("supabase/migrations/20241231235959_b.sql", "select 1;"),
        ],
    );
    let set = migrations::load(&dir.path().join("supabase/migrations"), None);
    assert_eq!(rules(&set), ["mixed-version-widths"]);
}

#[test]
fn flyway_orders_numerically_with_repeatables_last() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        "V1__a.sql",
        "V2__b.sql",
        "V10__e.sql",
        "V13__d.sql",
        "V13.1__c.sql",
        "R__view.sql",
        "U2__undo_b.sql",
    ];
    let entries: Vec<(&str, &str)> = files.iter().map(|f| (*f, "select 1;")).collect();
    write(dir.path(), &entries);
    let set = migrations::load(dir.path(), None);
    assert_eq!(set.layout, Layout::Flyway);
    assert_eq!(
        names(&set),
        [
            "V1__a.sql",
            "V2__b.sql",
            "V10__e.sql",
            "V13__d.sql",
            "V13.1__c.sql",
            "R__view.sql",
            "U2__undo_b.sql"
        ]
    );
    assert_eq!(set.migrations[5].role, Role::Repeatable);
    assert_eq!(set.migrations[6].role, Role::Down);
    assert!(rules(&set).is_empty(), "{:?}", rules(&set));
}

#[test]
fn golang_migrate_orders_numerically_and_never_applies_down_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("1_a.up.sql", "create table a (id int);"),
            ("1_a.down.sql", "drop table a;"),
            ("2_b.up.sql", "select 2;"),
            ("10_c.up.sql", "select 10;"),
        ],
    );
    let set = migrations::load(dir.path(), None);
    assert_eq!(set.layout, Layout::GolangMigrate);
    assert_eq!(
        names(&set),
        ["1_a.up.sql", "2_b.up.sql", "10_c.up.sql", "1_a.down.sql"]
    );
    let applied: Vec<&str> = set.applied().map(|m| m.name.as_str()).collect();
    assert_eq!(applied, ["a", "b", "c"]);
    let down = &set.migrations[3];
    assert_eq!(down.role, Role::Down);
    assert_eq!(down.statements.len(), 1, "down files are parsed");
    assert!(!down.statements[0].applies);
}

#[test]
fn dbmate_applies_only_the_up_section() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "20240101000000_t.sql",
            "-- migrate:up\ncreate table t (id int);\ncreate index i on t (id);\n\n-- migrate:down\ndrop table t;\n",
        )],
    );
    let set = migrations::load(dir.path(), None);
    assert_eq!(set.layout, Layout::Dbmate);
    let flags: Vec<bool> = set.migrations[0]
        .statements
        .iter()
        .map(|s| s.applies)
        .collect();
    assert_eq!(flags, [true, true, false]);
}

#[test]
fn goose_sections_and_statement_blocks() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "00002_f.sql",
                "-- +goose Up\n-- +goose StatementBegin\ncreate function f() returns int as $$ select 1; $$ language sql;\n-- +goose StatementEnd\n-- +goose Down\ndrop function f();\n",
            ),
            ("00010_g.sql", "-- +goose NO TRANSACTION\n-- +goose Up\ncreate index concurrently i on t (id);\n"),
            ("00001_e.sql", "-- +goose Up\nselect 1;\n"),
        ],
    );
    let set = migrations::load(dir.path(), None);
    assert_eq!(set.layout, Layout::Goose);
    assert_eq!(names(&set), ["00001_e.sql", "00002_f.sql", "00010_g.sql"]);
    let flags: Vec<bool> = set.migrations[1]
        .statements
        .iter()
        .map(|s| s.applies)
        .collect();
    assert_eq!(flags, [true, false]);
    assert!(set.migrations[2].no_transaction);
}

#[test]
fn prisma_folders_with_spaces() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("20210102000000_add things/migration.sql", "select 2;"),
            ("20210101000000_init/migration.sql", "select 1;"),
            ("migration_lock.toml", "provider = \"postgresql\""),
        ],
    );
    let set = migrations::load(dir.path(), None);
    assert_eq!(set.layout, Layout::Prisma);
    assert_eq!(
        names(&set),
        [
            "20210101000000_init/migration.sql",
            "20210102000000_add things/migration.sql"
        ]
    );
    assert_eq!(set.migrations[1].name, "add things");
}

#[test]
fn sqitch_follows_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "sqitch.plan",
                "%syntax-version=1.0.0\n%project=p\n\nzeta 2020-01-01T00:00:00Z A <a@b> # first\nalpha [zeta] 2020-01-02T00:00:00Z A <a@b>\n@v1 2020-01-03T00:00:00Z A <a@b>\n",
            ),
            ("deploy/zeta.sql", "select 1;"),
            ("deploy/alpha.sql", "select 2;"),
            ("revert/zeta.sql", "select 3;"),
        ],
    );
    let set = migrations::load(dir.path(), None);
    assert_eq!(set.layout, Layout::Sqitch);
    let applied: Vec<&str> = set.applied().map(|m| m.name.as_str()).collect();
    assert_eq!(applied, ["zeta", "alpha"]);
    assert!(set.migrations.iter().any(|m| m.role == Role::Down));
    assert!(set.findings.is_empty(), "{:?}", set.findings);

    // A planned change without its deploy script: sqitch would fail there.
    fs::remove_file(dir.path().join("deploy/alpha.sql")).unwrap();
    let set = migrations::load(dir.path(), None);
    let applied: Vec<&str> = set.applied().map(|m| m.name.as_str()).collect();
    assert_eq!(applied, ["zeta"]);
    assert_eq!(rules(&set), ["unreadable-file"]);
    let finding = &set.findings[0];
    assert!(
        finding.message.contains("change alpha"),
        "{}",
        finding.message
    );
    let location = finding.location.as_ref().unwrap();
    assert!(
        location.file.ends_with("deploy/alpha.sql"),
        "{}",
        location.file
    );

    // An unreadable plan is a finding, not an empty folder.
    fs::write(dir.path().join("sqitch.plan"), b"zeta \xff\xfe\n").unwrap();
    let set = migrations::load(dir.path(), None);
    assert_eq!(set.layout, Layout::Sqitch);
    assert_eq!(set.applied().count(), 0);
    assert_eq!(rules(&set), ["unreadable-file"]);
    assert!(set.findings[0].message.contains("cannot read sqitch.plan"));
}

#[test]
fn plain_folders_order_by_name_and_lint_a_single_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("b.sql", "select 2;"),
            ("a.sql", "select 1;"),
            ("notes.txt", "x"),
        ],
    );
    let set = migrations::load(dir.path(), None);
    assert_eq!(set.layout, Layout::Plain);
    assert_eq!(names(&set), ["a.sql", "b.sql"]);
    let single = migrations::load(&dir.path().join("b.sql"), None);
    assert_eq!(single.migrations.len(), 1);
    assert_eq!(single.migrations[0].statements.len(), 1);
}

#[test]
fn layout_flag_overrides_detection() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("20240101000000_a.sql", "select 1;"),
            ("x.sql", "select 1;"),
        ],
    );
    let set = migrations::load(dir.path(), Some(Layout::Supabase));
    assert_eq!(set.layout, Layout::Supabase);
    assert_eq!(rules(&set), ["invalid-migration-name"]);
}

/// A repository root with every layout somewhere below it, vendored and ignored copies
/// that must not count, and unrelated `.sql` files.
#[test]
fn a_repository_root_finds_every_layouts_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("supabase/migrations/20240101000000_a.sql", "select 1;"),
            ("supabase/seed.sql", "insert into t values (1);"),
            (
                "api/src/main/resources/shop/db/migration/V1__init.sql",
                "create table a (id int);",
            ),
            ("services/auth/migrations/1_init.up.sql", "select 1;"),
            ("services/auth/migrations/1_init.down.sql", "select 1;"),
            (
                "billing/db/migrations/20240101000000_init.sql",
                "-- migrate:up\nselect 1;\n-- migrate:down\n",
            ),
            ("workers/sql/00001_init.sql", "-- +goose Up\nselect 1;\n"),
            (
                "web/prisma/migrations/20240101000000_init/migration.sql",
                "select 1;",
            ),
            (
                "web/prisma/migrations/migration_lock.toml",
                "provider = \"postgresql\"",
            ),
            (
                "reports/sqitch.plan",
                "%project=r\n\ninit 2024-01-01T00:00:00Z a <a@b> # init\n",
            ),
            ("reports/deploy/init.sql", "select 1;"),
            ("legacy/migrations/001_init.sql", "select 1;"),
            ("queries/top_customers.sql", "select 1;"),
            ("node_modules/pkg/migrations/V1__x.sql", "select 1;"),
            ("target/classes/db/migration/V1__init.sql", "select 1;"),
            (".cache/migrations/V1__x.sql", "select 1;"),
            ("generated/migrations/V9__gen.sql", "select 1;"),
            (".gitignore", "generated/\n"),
        ],
    );
    let folders = migrations::find_folders(dir.path(), None).unwrap();
    let relative: Vec<String> = folders
        .iter()
        .map(|f| {
            f.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        relative,
        [
            "api/src/main/resources/shop/db/migration",
            "billing/db/migrations",
            "legacy/migrations",
            "reports",
            "services/auth/migrations",
            "supabase/migrations",
            "web/prisma/migrations",
            "workers/sql",
        ]
    );
    let layouts: Vec<Layout> = folders
        .iter()
        .map(|f| migrations::load(f, None).layout)
        .collect();
    assert_eq!(
        layouts,
        [
            Layout::Flyway,
            Layout::Dbmate,
            Layout::Plain,
            Layout::Sqitch,
            Layout::GolangMigrate,
            Layout::Supabase,
            Layout::Prisma,
            Layout::Goose,
        ]
    );
    // A migrations folder given directly is itself, even a deep one.
    let flyway = dir.path().join("api/src/main/resources/shop/db/migration");
    assert_eq!(migrations::find_folders(&flyway, None).unwrap(), [flyway]);
}

#[test]
fn a_folder_without_migrations_is_a_usage_error_that_says_what_was_searched() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("README.md", "nothing"), ("docs/a.md", "x")]);
    let error = migrations::find_folders(dir.path(), None).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    let message = error.to_string();
    assert!(message.contains("no migrations found"), "{message}");
    assert!(message.contains("Flyway"), "{message}");

    // A folder of .sql files without any layout's names is a plain folder.
    write(dir.path(), &[("schema/a.sql", "select 1;")]);
    let schema = dir.path().join("schema");
    assert_eq!(migrations::find_folders(&schema, None).unwrap(), [schema]);
}

#[test]
fn a_layout_given_for_a_root_without_sql_files_searches_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "supabase/migrations/20240101000000_a.sql",
                "create table a (id int);\n",
            ),
            ("README.md", "a project\n"),
        ],
    );
    let found = migrations::find_folders(dir.path(), Some(Layout::Supabase)).unwrap();
    assert_eq!(found, [dir.path().join("supabase/migrations")]);
    // A folder of SQL files is still the folder it names, whatever it is called.
    let flat = dir.path().join("sql");
    write(&flat, &[("001_a.sql", "create table b (id int);\n")]);
    assert_eq!(
        migrations::find_folders(&flat, Some(Layout::Supabase)).unwrap(),
        [flat]
    );
}
