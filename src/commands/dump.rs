//! `schemagate dump-schema` and `schemagate squash`: the folder applied to a fresh
//! PostgreSQL, its schema dumped as one SQL file and verified (see `crate::dump`).

use crate::cli::{DumpArgs, DumpSource, SquashArgs};
use crate::config::Overrides;
use crate::dump::{self, Dump};
use crate::migrations::{self, Layout, MigrationSet};
use crate::postgres::apply::{self, ApplyOptions, FileStatus};
use crate::postgres::{self, binaries, ServerOptions};
use crate::Failure;
use std::path::PathBuf;

pub fn dump_schema(args: DumpArgs) -> Result<bool, Failure> {
    let Some((set, dump)) = verified_dump(&args.source)? else {
        return Ok(false);
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, &dump.sql).map_err(|e| {
                Failure::Environment(format!(
                    "cannot write {}: {e}; pass a writable path to --out",
                    path.display()
                ))
            })?;
            if !args.source.quiet {
                eprintln!(
                    "wrote {} ({} migrations)",
                    path.display(),
                    set.applied().count()
                );
            }
        }
        None => print!("{}", dump.sql),
    }
    Ok(true)
}

pub fn squash(args: SquashArgs) -> Result<bool, Failure> {
    let folder = one_folder(&args.source)?;
    let set = migrations::load(&folder, args.source.layout);
    if set.layout != Layout::Supabase {
        return Err(Failure::Usage(format!(
            "squash rewrites Supabase folders only ({} is {}); `schemagate dump-schema` writes the verified schema of any folder",
            migrations::display_path(&set.root),
            set.layout.as_str()
        )));
    }
    let applied: Vec<&migrations::Migration> = set.applied().collect();
    let Some(version) = applied.last().and_then(|m| m.version.clone()) else {
        return Err(Failure::Usage(format!(
            "{} has no migrations to squash",
            migrations::display_path(&set.root)
        )));
    };
    let Some((_, dump)) = verified_dump(&args.source)? else {
        return Ok(false);
    };
    let target = set.root.join(format!("{version}_squashed.sql"));
    let shown = migrations::display_path(&target);
    if !args.write {
        println!(
            "would replace {} migrations ({} … {version}) with {shown}; run again with --write",
            applied.len(),
            applied[0].version.as_deref().unwrap_or("?"),
        );
        return Ok(true);
    }
    for migration in &applied {
        std::fs::remove_file(&migration.abs_path)
            .map_err(|e| Failure::Environment(format!("cannot remove {}: {e}", migration.path)))?;
    }
    std::fs::write(&target, &dump.sql)
        .map_err(|e| Failure::Environment(format!("cannot write {shown}: {e}")))?;
    println!("replaced {} migrations with {shown}", applied.len());
    println!(
        "databases that applied the old files record their versions: mark them reverted there (`supabase migration repair --status reverted <version>…`) and {version} applied"
    );
    Ok(true)
}

/// The one folder `source.path` names.
fn one_folder(source: &DumpSource) -> Result<PathBuf, Failure> {
    if !source.path.exists() {
        return Err(Failure::Usage(format!(
            "{} does not exist; pass a migrations folder",
            source.path.display()
        )));
    }
    let mut folders = migrations::find_folders(&source.path);
    if folders.len() != 1 || folders[0].is_file() {
        return Err(Failure::Usage(format!(
            "{} holds {} migrations folders; pass one folder",
            source.path.display(),
            folders.len()
        )));
    }
    Ok(folders.remove(0))
}

/// Applies the folder and dumps its schema, verified. `None` (after saying why on stderr)
/// when the folder does not apply or the dump does not reproduce the schema: exit 1.
fn verified_dump(source: &DumpSource) -> Result<Option<(MigrationSet, Dump)>, Failure> {
    let folder = one_folder(source)?;
    let overrides = Overrides {
        config_file: source.config.clone(),
        exposed_schemas: None,
        layout: source.layout,
    };
    let config = super::load_config_with(&folder, &overrides, false)?;
    let set = migrations::load(&folder, config.layout);
    let server = ServerOptions {
        database_url: source.database_url.clone().filter(|u| !u.is_empty()),
        pg_bin: source.pg_bin.clone().filter(|p| !p.as_os_str().is_empty()),
        pg_major: source.pg_version.or(config.pg_major),
        supabase: super::wants_supabase_prelude(&config, set.layout),
        strict_privileges: false,
        lock_timeout: std::time::Duration::from_secs(10),
        statement_timeout: source.statement_timeout,
    };
    let bin = binaries::find(server.pg_bin.as_deref(), server.pg_major)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Environment(format!("cannot start the async runtime: {e}")))?;
    let outcome = runtime.block_on(async {
        let database = postgres::open(&server).await?;
        let options = ApplyOptions::new(&set, source.statement_timeout, source.quiet);
        let (report, findings) = apply::apply(&database, &set, &options).await;
        if let Some(failed) = report.files.iter().find(|f| f.status != FileStatus::Applied) {
            let why = findings
                .iter()
                .find(|f| f.location.as_ref().is_some_and(|l| l.file == failed.path))
                .map_or_else(String::new, |f| format!(": {}", f.message));
            eprintln!(
                "error: the migrations do not apply; stopped at {}{why}\n`schemagate check` shows the details",
                failed.path
            );
            return Ok(None);
        }
        dump::dump(&database, &server, &bin.dir).await.map(Some)
    })?;
    let Some(dump) = outcome else {
        return Ok(None);
    };
    if !dump.differences.is_empty() {
        eprintln!(
            "error: the dump does not reproduce the schema; a fresh database with it differs in {} objects:",
            dump.differences.len()
        );
        for change in dump.differences.iter().take(20) {
            eprintln!("  {}", crate::diff::describe::line(change));
        }
        eprintln!("nothing was written");
        return Ok(None);
    }
    if !source.quiet {
        eprintln!(
            "verified: a fresh database with the dump has the same catalog as one with the {} migrations ({} objects)",
            set.applied().count(),
            dump.objects
        );
    }
    Ok(Some((set, dump)))
}
