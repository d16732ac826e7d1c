//! Seeded fuzzing of everything that reads a migration without a database: the splitter,
//! the parser, the model and rules (lint), and every report format. Hostile SQL (quotes,
//! `E''` escapes, dollar tags, nested comments, `BEGIN ATOMIC`, deep nesting, CRLF, a BOM,
//! random bytes) must never panic, and every span and location must lie within its file.
//!
//! `cargo test --test fuzz` runs a few thousand cases; the longer run is
//! `SCHEMAGATE_FUZZ_CASES=200000 cargo test --release --test fuzz -- --ignored`
//! (`SCHEMAGATE_FUZZ_SEED` picks another sequence).

use schemagate::cli::Format;
use schemagate::config::{Config, Overrides};
use schemagate::findings::FailOn;
use schemagate::migrations::{self, MigrationSet};
use schemagate::report::{self, RenderOptions, Report};
use std::path::Path;

/// A small seeded xorshift64* generator: deterministic cases without a dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Pieces a hostile migration is made of; some are deliberately left open.
const PIECES: &[&str] = &[
    "create table public.t (id bigint primary key, owner uuid references auth.users (id), body text not null default 'x');",
    "alter table public.t enable row level security;",
    "create index concurrently t_owner on public.t (owner);",
    "create policy p on public.t for select to authenticated using ((select auth.uid()) = owner);",
    "create or replace function public.f() returns int language sql security definer begin atomic select 1; select 2; end;",
    "create function public.g() returns trigger language plpgsql as $body$ begin return new; end $body$;",
    "do $$ begin execute 'create table public.x (a int)'; end $$;",
    "do $x$ begin raise exception E'x\\n::error file=README.md::owned'; end $x$;",
    "insert into public.t values (1, null, 'it''s'), (2, null, E'\\\\ \\' \\n');",
    "grant select on public.t to anon;",
    "revoke all on public.t from anon;",
    "drop table if exists public.t cascade;",
    "alter table public.t rename column body to text_body;",
    "alter table public.t add column c int not null;",
    "comment on table public.t is $$ a ; b $$;",
    "select 1 /* outer /* inner ; */ still comment */;",
    "-- schemagate-ignore rls-disabled: fuzz\n",
    "-- schemagate-ignore-file no-such-rule\n",
    "create view public.v with (security_invoker = true) as select * from public.t;",
    "begin;", "commit;", "rollback;",
    "'unterminated", "E'unterminated \\'", "$tag$ never closed", "/* open comment",
    "\"quoted ; identifier\"", "U&'\\0041'", "$1", "$$", "$a$$a$", ";", ";;", "(", ")", "[", "]",
    "\u{feff}", "\r\n", "\n", "\t", " ", "é", "𝄞", "\u{0}", "::stop-commands::x", "##[add-mask]y",
];

/// One file: a mix of pieces, deep nesting and raw bytes.
fn hostile_file(rng: &mut Rng) -> Vec<u8> {
    let mut bytes = Vec::new();
    if rng.below(8) == 0 {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    for _ in 0..rng.below(12) {
        match rng.below(10) {
            0 => {
                // Deep nesting: brackets or a flat operator chain, near and past the limits.
                let depth = [10, 70, 900, 1_200, 5_000][rng.below(5)];
                if rng.below(2) == 0 {
                    bytes.extend(
                        format!("select {}1{};", "(".repeat(depth), ")".repeat(depth)).bytes(),
                    );
                } else {
                    bytes.extend(
                        format!("select 1 where {};", vec!["a = 1"; depth].join(" or ")).bytes(),
                    );
                }
            }
            1 => bytes.extend((0..rng.below(40)).map(|_| rng.next() as u8)),
            _ => bytes.extend_from_slice(rng.pick(PIECES).as_bytes()),
        }
        bytes.extend_from_slice(rng.pick(&[" ", "\n", "\r\n", "", "\t"]).as_bytes());
    }
    bytes
}

/// Loads, lints and renders one folder; checks spans and locations. The slow formats
/// (templates, SARIF's schema-sized document) render for every tenth or fiftieth case.
fn check_folder(folder: &Path, case: usize) {
    let config = Config::load(folder, &Overrides::default()).expect("default config");
    let set = migrations::load(folder, config.layout);
    check_spans(&set);
    let findings = schemagate::lint::lint(&set, &config);
    let mut set = set;
    set.release_syntax_trees();
    for finding in &findings {
        let Some(location) = &finding.location else {
            continue;
        };
        let migration = set.migrations.iter().find(|m| m.path == location.file);
        if let Some(source) = migration.and_then(|m| m.source.as_ref()) {
            let lines = source.text.matches('\n').count() as u32 + 1;
            assert!(
                location.line >= 1 && location.line <= lines && location.end_line <= lines,
                "{finding:?} outside {} lines",
                lines
            );
            assert!(location.line <= location.end_line, "{finding:?}");
        }
    }
    let sets = [set];
    let report = Report {
        command: "lint",
        sets: &sets,
        findings,
        fail_on: FailOn::Error,
        fail_on_existing: false,
        status: None,
        apply: Vec::new(),
        changes: None,
    };
    for format in [
        Format::Tty,
        Format::Json,
        Format::Sarif,
        Format::Gitlab,
        Format::Github,
        Format::Summary,
        Format::Html,
        Format::Junit,
    ] {
        let every = match format {
            Format::Html => 50,
            Format::Sarif | Format::Summary => 10,
            _ => 1,
        };
        if !case.is_multiple_of(every) {
            continue;
        }
        let options = RenderOptions {
            verbose: case.is_multiple_of(2),
            ..RenderOptions::default()
        };
        let text = report::render(&report, format, &options);
        if format == Format::Github {
            // Our workflow commands escape line breaks: one command per line, then the
            // summary line.
            let lines: Vec<&str> = text.lines().collect();
            let commands = &lines[..lines.len().saturating_sub(1)];
            assert!(
                commands
                    .iter()
                    .all(|l| ["::error ", "::warning ", "::notice "]
                        .iter()
                        .any(|p| l.starts_with(p))),
                "{text}"
            );
        }
    }
}

fn check_spans(set: &MigrationSet) {
    for migration in &set.migrations {
        let Some(source) = &migration.source else {
            continue;
        };
        let len = source.text.len();
        let mut previous_end = 0;
        for statement in &migration.statements {
            for span in [&statement.span, &statement.leading] {
                assert!(
                    span.start <= span.end && span.end <= len,
                    "{span:?} outside {len} bytes of {}",
                    migration.path
                );
                assert!(
                    source.text.is_char_boundary(span.start)
                        && source.text.is_char_boundary(span.end)
                );
            }
            assert!(statement.span.start >= previous_end, "statements overlap");
            previous_end = statement.span.end;
        }
    }
}

fn run_cases(seed: u64, cases: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(seed);
    for case in 0..cases {
        let folder = dir.path().join(format!("case{case}/supabase/migrations"));
        std::fs::create_dir_all(&folder).unwrap();
        for file in 0..1 + rng.below(3) {
            let name = format!("2024010100000{file}_f{}.sql", rng.below(3));
            std::fs::write(folder.join(name), hostile_file(&mut rng)).unwrap();
        }
        let result = std::panic::catch_unwind(|| check_folder(&folder, case));
        if let Err(panic) = result {
            std::panic::resume_unwind(Box::new(format!(
                "case {case} of seed {seed} ({}): {:?}",
                folder.display(),
                panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or(panic.downcast_ref::<&str>().copied())
            )));
        }
        std::fs::remove_dir_all(dir.path().join(format!("case{case}"))).unwrap();
    }
}

/// Runs `body` on a stack as large as the binary's (deep trees recurse as deep as they nest).
fn on_large_stack(body: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(body)
        .unwrap()
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn hostile_sql_never_panics_and_spans_stay_in_the_file() {
    let seed = env_number("SCHEMAGATE_FUZZ_SEED", 0x5eed_cafe);
    on_large_stack(move || run_cases(seed, 2_000));
}

#[test]
#[ignore = "the long run: SCHEMAGATE_FUZZ_CASES=200000 cargo test --release --test fuzz -- --ignored"]
fn hostile_sql_long_run() {
    let seed = env_number("SCHEMAGATE_FUZZ_SEED", 0xdead_beef);
    let cases = env_number("SCHEMAGATE_FUZZ_CASES", 100_000) as usize;
    on_large_stack(move || run_cases(seed, cases));
}
