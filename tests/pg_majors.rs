//! Which server a run uses: the wanted major or a clear message, and the extension overlay
//! on an installation without `pg_config`.

mod support;

use schemagate::postgres::binaries;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support::{assert_exit, run_in, schemagate, supabase_project, text};

const PG_NET: &str =
    "create extension if not exists pg_net;\ncreate table t (id bigint primary key);\n";

/// A copy of the installed server laid out like Debian's (`usr/lib/postgresql/N/{bin,lib}`,
/// `usr/share/postgresql/N`) but without `pg_config`, as packages that ship only the server.
fn installation_without_pg_config(root: &Path) -> std::path::PathBuf {
    let real = binaries::find(None, None).expect("the tests need a PostgreSQL server");
    let share = std::path::PathBuf::from(format!("/usr/share/postgresql/{}", real.major));
    assert!(
        share.is_dir()
            && real
                .dir
                .ends_with(format!("lib/postgresql/{}/bin", real.major)),
        "this test copies a Debian installation; found {}",
        real.dir.display()
    );
    let prefix = root.join(format!("usr/lib/postgresql/{}", real.major));
    let bin = prefix.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["postgres", "initdb"] {
        std::fs::copy(real.dir.join(tool), bin.join(tool)).unwrap();
    }
    std::os::unix::fs::symlink(real.dir.parent().unwrap().join("lib"), prefix.join("lib")).unwrap();
    let shares = root.join("usr/share/postgresql");
    std::fs::create_dir_all(&shares).unwrap();
    std::os::unix::fs::symlink(&share, shares.join(real.major.to_string())).unwrap();
    // The server runs as the `postgres` system user when the tests run as root.
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn emulated_extensions_work_on_an_installation_without_pg_config() {
    let install = tempfile::tempdir().unwrap();
    let bin = installation_without_pg_config(install.path());
    let project = supabase_project(&[("20240101000000_a.sql", PG_NET)]);
    let output = schemagate()
        .args(["check", "--format", "json", "--pg-bin"])
        .arg(&bin)
        .arg(".")
        .current_dir(project.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", text(&output.stderr)));
    assert_eq!(
        support::apply_statuses(&report),
        ["applied"],
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_missing_major_asked_for_on_the_command_line_is_exit_3() {
    let project = supabase_project(&[("20240101000000_a.sql", PG_NET)]);
    let output = run_in(project.path(), &["check", "--pg-version", "99", "."]);
    assert_exit(&output, 3);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("PostgreSQL 99 was asked for with --pg-version"),
        "{stderr}"
    );
    assert!(stderr.contains("postgresql-99"), "{stderr}");
}

#[test]
fn a_project_major_that_is_not_installed_is_a_note_naming_both_sources() {
    let project = supabase_project(&[("20240101000000_a.sql", "create schema app;\n")]);
    std::fs::write(
        project.path().join("supabase/config.toml"),
        "[db]\nmajor_version = 99\n",
    )
    .unwrap();
    let output = run_in(project.path(), &["check", "."]);
    assert_exit(&output, 0);
    let stderr = text(&output.stderr);
    let note = stderr
        .lines()
        .find(|line| line.starts_with("note: PostgreSQL 99 is wanted"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(note.contains("[db] major_version in "), "{note}");
    assert!(note.contains("config.toml"), "{note}");
    assert!(note.contains("(found by "), "{note}");
}
