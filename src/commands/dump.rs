//! `schemagate dump-schema` and `schemagate squash`: the folder applied to a fresh
//! PostgreSQL, its schema dumped as one SQL file and verified (see `crate::dump`).

use crate::cli::{DumpArgs, DumpSource, SquashArgs};
use crate::config::Overrides;
use crate::dump::{self, Dump};
use crate::migrations::{self, Layout, MigrationSet};
use crate::postgres::apply::{self, ApplyOptions};
use crate::postgres::{self, binaries};
use crate::Failure;
use std::path::{Path, PathBuf};

pub fn dump_schema(args: DumpArgs) -> Result<bool, Failure> {
    let live = args
        .source
        .server
        .database_url
        .as_deref()
        .filter(|url| !url.trim().is_empty() && args.source.path.is_none());
    if let Some(url) = live {
        return dump_live(&args, url);
    }
    let (folder, set) = load(&args.source)?;
    let Some(dump) = verified_dump(&args.source, &folder, &set)? else {
        return Ok(false);
    };
    let what = format!("{} migrations", set.applied().count());
    write_out(&args, &dump.sql, &what)?;
    Ok(true)
}

/// `dump-schema --database-url URL` without a folder: a baseline from that database.
fn dump_live(args: &DumpArgs, url: &str) -> Result<bool, Failure> {
    let runtime = super::runtime()?;
    let pg_bin = args
        .source
        .server
        .pg_bin
        .as_deref()
        .filter(|p| !p.as_os_str().is_empty());
    let (sql, left_out) = runtime.block_on(dump::dump_live(url, pg_bin))?;
    let what = if left_out.is_empty() {
        format!("the schema of {}", super::redact::redact_url(url))
    } else {
        format!(
            "the schema of {}, without the {} schemas Supabase manages",
            super::redact::redact_url(url),
            left_out.len()
        )
    };
    write_out(args, &sql, &what)?;
    Ok(true)
}

/// The SQL to `--out` (saying so on stderr, unless quiet) or to stdout.
fn write_out(args: &DumpArgs, sql: &str, what: &str) -> Result<(), Failure> {
    match &args.out {
        Some(path) => {
            std::fs::write(path, sql).map_err(|e| {
                Failure::Environment(format!(
                    "cannot write {}: {e}; pass a writable path to --out",
                    path.display()
                ))
            })?;
            if !args.source.quiet {
                eprintln!("wrote {} ({what})", path.display());
            }
        }
        None => print!("{sql}"),
    }
    Ok(())
}

pub fn squash(args: SquashArgs) -> Result<bool, Failure> {
    let (folder, set) = load(&args.source)?;
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
            "the newest migration of {} has no version to give the squashed file",
            migrations::display_path(&set.root)
        )));
    };
    let data = data_statements(&set);
    if !data.is_empty() {
        eprintln!(
            "{}: {} statements change data or call functions, and the squashed file keeps only the schema:",
            if args.write && !args.without_data { "error" } else { "warning" },
            data.len()
        );
        for place in data.iter().take(10) {
            eprintln!("  {place}");
        }
        if args.write && !args.without_data {
            eprintln!("move them to supabase/seed.sql or a later migration, or pass --without-data to drop them");
            return Ok(false);
        }
    }
    let Some(dump) = verified_dump(&args.source, &folder, &set)? else {
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
    // The new file is complete on disk before any old one goes.
    let partial = set.root.join(format!(".{version}_squashed.sql.partial"));
    std::fs::write(&partial, &dump.sql)
        .and_then(|()| std::fs::rename(&partial, &target))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            Failure::Environment(format!("cannot write {shown}: {e}; nothing was removed"))
        })?;
    for migration in applied.iter().filter(|m| m.abs_path != target) {
        std::fs::remove_file(&migration.abs_path).map_err(|e| {
            Failure::Environment(format!(
                "wrote {shown}, but cannot remove {}: {e}; remove the old migrations by hand",
                migration.path
            ))
        })?;
    }
    println!("replaced {} migrations with {shown}", applied.len());
    let config = super::load_config_with(&folder, &overrides(&args.source), false)?;
    if args.source.server.baseline.is_some() || config.baseline.is_some() {
        println!(
            "{shown} holds the baseline's objects too: remove `baseline` (and `baseline-version`) from schemagate.toml, or the next check applies them twice"
        );
    }
    println!(
        "databases that applied the old files record their versions: mark them reverted there (`supabase migration repair --status reverted <version>…`) and {version} applied"
    );
    Ok(true)
}

/// `file:line` of the statements that change data or call functions (`insert`, `update`,
/// `delete`, `copy`, `select cron.schedule(…)`): a schema dump does not carry them.
fn data_statements(set: &MigrationSet) -> Vec<String> {
    let mut places = Vec::new();
    for migration in set.applied() {
        // Statements that keep a tree are schema changes (`sql::is_read`): data changes and
        // queries keep none, nor does what sqlparser cannot parse. Classify their text.
        for statement in migration
            .statements
            .iter()
            .filter(|s| s.applies && s.ast().is_none())
        {
            let text = migration
                .source
                .as_ref()
                .map_or("", |source| statement.text(source));
            let command = crate::sql::Fallback::classify(text, None).command;
            let data = [
                "INSERT", "UPDATE", "DELETE", "COPY", "MERGE", "SELECT", "WITH", "VALUES", "TABLE",
            ]
            .iter()
            .any(|word| command.starts_with(word));
            if data {
                let location = migration.statement_location(statement);
                places.push(format!("{}:{}", location.file, location.line));
            }
        }
    }
    places
}

/// The one folder `source.path` names, loaded as its configuration says.
fn load(source: &DumpSource) -> Result<(PathBuf, MigrationSet), Failure> {
    let path = source.folder();
    if !path.exists() {
        return Err(Failure::Usage(format!(
            "{} does not exist; pass a migrations folder",
            path.display()
        )));
    }
    let mut folders = migrations::find_folders(&path, source.layout)?;
    if path.is_file() {
        return Err(Failure::Usage(format!(
            "{} is a file; pass the migrations folder",
            path.display()
        )));
    }
    if folders.len() != 1 {
        return Err(Failure::Usage(format!(
            "{} holds {} migrations folders; pass one of them",
            path.display(),
            folders.len()
        )));
    }
    let folder = folders.remove(0);
    let config = super::load_config_with(&folder, &overrides(source), false)?;
    let set = migrations::load(&folder, config.layout);
    // A file that cannot be read as SQL would be missing from the dump.
    let unreadable: Vec<String> = set
        .findings
        .iter()
        .filter(|f| f.severity == crate::findings::Severity::Error)
        .map(|f| {
            let file = f.location.as_ref().map_or("", |l| l.file.as_str());
            format!("{file}: {}", f.message)
        })
        .collect();
    if !unreadable.is_empty() {
        return Err(Failure::Usage(format!(
            "{}\nfix these files first (`schemagate lint` shows them); nothing was written",
            unreadable.join("\n")
        )));
    }
    if set.applied().next().is_none() {
        return Err(Failure::Usage(format!(
            "{} has no migrations to apply",
            migrations::display_path(&set.root)
        )));
    }
    Ok((folder, set))
}

fn overrides(source: &DumpSource) -> Overrides {
    Overrides {
        config_file: source.config.clone(),
        layout: source.layout,
        ..Overrides::default()
    }
}

/// Applies the folder and dumps its schema, verified. `None` (after saying why on stderr)
/// when the folder does not apply or the dump does not reproduce the schema: exit 1.
fn verified_dump(
    source: &DumpSource,
    folder: &Path,
    set: &MigrationSet,
) -> Result<Option<Dump>, Failure> {
    let config = super::load_config_with(folder, &overrides(source), false)?;
    let server = source
        .server
        .options(&config, std::time::Duration::from_secs(10));
    let baseline = source.server.baseline(&config)?;
    let runtime = super::runtime()?;
    let outcome = runtime.block_on(async {
        let database = postgres::open(&server).await?;
        // Before the apply: a missing pg_dump should not cost the whole folder's apply.
        let major = dump::server_major(&database).await?;
        let tools = binaries::pg_dump_for(major, server.pg_bin.as_deref())?;
        let options = ApplyOptions::new(set, source.server.statement_timeout, source.quiet, baseline.clone());
        let (report, findings) = apply::apply(&database, set, &options).await;
        if let Some(failed) = report.stopped_at() {
            let why = findings
                .iter()
                .find(|f| f.location.as_ref().is_some_and(|l| l.file == failed))
                .map_or_else(String::new, |f| format!(": {}", f.message));
            eprintln!(
                "error: the migrations do not apply; stopped at {failed}{why}\n`schemagate check` shows the details"
            );
            return Ok(None);
        }
        if let Some(baseline) = report.baseline.as_ref().filter(|_| !source.quiet) {
            super::note_baseline(baseline, false);
        }
        dump::dump(&database, &server, &tools.dir).await.map(Some)
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
    Ok(Some(dump))
}
