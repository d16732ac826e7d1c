//! The lock and rewrite trace (docs/trace.md): `check --base` applies the branch's new
//! migrations onto the base's schema and observes PostgreSQL after every statement; its
//! findings replace the static safety rules' guesses. Real PostgreSQL (every major the
//! tests have: `SCHEMAGATE_TEST_PG_BINS`) and real git repositories.

mod support;

use serde_json::Value;
use support::git::{Repo, MIGRATIONS};
use support::pg::pg_majors;

/// The base every test applies its branch onto: an existing table with rows, indexes and
/// a short `varchar`.
const BASE: &str = include_str!("../testdata/trace/base.sql");

/// The fixtures: `testdata/trace/<rule-id>/{bad,good}.sql`.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/trace");

/// `check --base main --format json` of a branch adding `file` onto [`BASE`], on each
/// major: the rules of the new findings, sorted, and the document.
fn check(file: &str) -> Vec<(String, Vec<String>, Value)> {
    let repo = Repo::with_base(&[("20240101000000_orders.sql", BASE)]);
    repo.migration("20240201000000_branch.sql", file);
    repo.commit("feature");
    pg_majors()
        .iter()
        .map(|bin| {
            let output = support::schemagate_on(bin)
                .args(["check", MIGRATIONS, "--base", "main", "--format", "json"])
                .current_dir(repo.path())
                .output()
                .expect("the binary runs");
            let document: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
                panic!(
                    "not JSON ({e}): {}\n{}",
                    support::text(&output.stdout),
                    support::text(&output.stderr)
                )
            });
            let mut rules: Vec<String> = document["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["status"] == "new")
                .map(|f| f["rule"].as_str().unwrap().to_string())
                .collect();
            rules.sort();
            (bin.dir.display().to_string(), rules, document)
        })
        .collect()
}

/// The new findings of `rule`, on every major.
fn of<'a>(document: &'a Value, rule: &str) -> Vec<&'a Value> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["status"] == "new")
        .collect()
}

#[test]
fn a_type_change_that_rewrites_is_a_table_rewrite() {
    for (server, rules, document) in
        check("alter table public.orders alter column total type bigint;\n")
    {
        assert!(
            rules.contains(&"table-rewrite".to_string()),
            "{server}: {rules:?}"
        );
        // The static guess is merged into the traced finding: one finding per problem.
        assert!(
            !rules.contains(&"changing-column-type".to_string()),
            "{server}: {rules:?}"
        );
        let rewrite = &of(&document, "table-rewrite")[0];
        assert_eq!(rewrite["severity"], "error", "{server}");
        let message = rewrite["message"].as_str().unwrap();
        assert!(message.contains("`public.orders`"), "{server}: {message}");
        assert!(message.contains("ACCESS EXCLUSIVE"), "{server}: {message}");
        // The primary key is rebuilt with the table (an index on the changed column is
        // dropped and created again, under a new oid).
        assert!(
            message.contains("public.orders_pkey"),
            "{server}: {message}"
        );
        assert!(
            message.contains(
                "blocks reads and writes of `public.orders` until the transaction commits"
            ),
            "{server}: {message}"
        );
    }
}

#[test]
fn widening_a_varchar_rewrites_nothing_and_is_not_reported() {
    for (server, rules, document) in check(
        "set lock_timeout = '5s';\nalter table public.orders alter column note type varchar(50);\n",
    ) {
        assert_eq!(rules, Vec::<String>::new(), "{server}");
        // The trace ran and saw the column change, without a rewrite.
        let trace = document["trace"].as_array().expect("a trace");
        let statements = trace[0]["statements"].as_array().unwrap();
        let changed = &statements[1]["columns_changed"][0];
        assert!(
            changed.as_str().unwrap().contains("character varying(50)"),
            "{server}: {changed}"
        );
        assert_eq!(statements[1]["rewrites"], serde_json::json!([]), "{server}");
    }
}

#[test]
fn a_backfill_after_a_lock_on_an_existing_table_is_reported() {
    for (server, rules, document) in check(
        "alter table public.orders add column status text;\nupdate public.orders set status = 'open';\n",
    ) {
        assert!(rules.contains(&"lock-held-across-statements".to_string()), "{server}: {rules:?}");
        assert!(rules.contains(&"lock-timeout-missing".to_string()), "{server}: {rules:?}");
        let held = of(&document, "lock-held-across-statements")[0]["message"]
            .as_str()
            .unwrap();
        assert!(held.contains("ACCESS EXCLUSIVE"), "{server}: {held}");
        assert!(held.contains("line 2: `update public.orders set status = 'open'`"), "{server}: {held}");
        let missing = of(&document, "lock-timeout-missing")[0]["message"].as_str().unwrap();
        assert!(
            missing.contains("blocks reads and writes of `public.orders` until the transaction commits"),
            "{server}: {missing}"
        );
    }
}

#[test]
fn a_table_new_in_the_branch_is_not_existing() {
    for (server, rules, _) in check(
        "create table public.items (id int);\nalter table public.items add column status text;\nupdate public.items set status = 'open';\n",
    ) {
        for rule in ["lock-held-across-statements", "lock-timeout-missing", "table-rewrite"] {
            assert!(!rules.contains(&rule.to_string()), "{server}: {rules:?}");
        }
    }
}

/// One `set lock_timeout` at the top of a file is the fix for all its statements: one
/// finding per file, naming the later locks; a lock the transaction already holds in a
/// stronger mode waits for nobody and is not one of them.
#[test]
fn lock_timeout_missing_is_reported_once_per_file() {
    for (server, _, document) in check(
        "create index orders_note on public.orders (note);\n\
         alter table public.orders add column paid boolean;\n\
         create index orders_paid on public.orders (paid);\n",
    ) {
        let missing = of(&document, "lock-timeout-missing");
        assert_eq!(missing.len(), 1, "{server}: {missing:#?}");
        assert_eq!(missing[0]["location"]["line"], 1, "{server}");
        let message = missing[0]["message"].as_str().unwrap();
        assert!(
            message.ends_with(
                "; 1 lock later in this file, without one either: line 2 on `public.orders`"
            ),
            "{server}: {message}"
        );
    }
}

#[test]
fn a_lock_timeout_set_by_the_file_quiets_lock_timeout_missing() {
    for (server, rules, _) in check(
        "set lock_timeout = '5s';\nalter table public.orders add column status text;\nupdate public.orders set status = 'open';\n",
    ) {
        assert!(!rules.contains(&"lock-timeout-missing".to_string()), "{server}: {rules:?}");
        assert!(rules.contains(&"lock-held-across-statements".to_string()), "{server}: {rules:?}");
    }
}

#[test]
fn validating_in_the_same_transaction_is_reported() {
    for (server, rules, document) in check(
        "set lock_timeout = '5s';\nalter table public.orders add constraint orders_total_positive check (total > 0) not valid;\nalter table public.orders validate constraint orders_total_positive;\n",
    ) {
        assert!(rules.contains(&"validate-in-same-transaction".to_string()), "{server}: {rules:?}");
        let finding = &of(&document, "validate-in-same-transaction")[0];
        assert_eq!(finding["location"]["line"], 3, "{server}");
        assert!(
            finding["message"].as_str().unwrap().contains("public.orders.orders_total_positive"),
            "{server}"
        );
    }
}

#[test]
fn a_concurrent_index_is_traced_outside_a_transaction() {
    for (server, rules, document) in
        check("create index concurrently orders_note on public.orders (note);\n")
    {
        for rule in [
            "lock-timeout-missing",
            "require-concurrent-index-creation",
            "table-rewrite",
        ] {
            assert!(!rules.contains(&rule.to_string()), "{server}: {rules:?}");
        }
        let statements = document["trace"][0]["statements"]
            .as_array()
            .expect("traced");
        assert_eq!(statements.len(), 1, "{server}");
        assert_eq!(statements[0]["in_transaction"], false, "{server}");
    }
}

/// Statements that lock no table are not observed (grants on routines, procedural
/// functions), yet each has its entry, and a lock is still given to the statement that
/// took it: a SQL function's body locks what it reads, and on PostgreSQL 18 so does a
/// grant on a table.
#[test]
fn statements_that_lock_nothing_keep_their_entries_and_locks_their_owner() {
    let file = "create function public.touch() returns void language plpgsql as $$ begin perform 1; end $$;\n\
                grant execute on function public.touch() to public;\n\
                create function public.total() returns bigint language sql as $$ select sum(total) from public.orders $$;\n\
                revoke execute on function public.touch() from public;\n\
                alter table public.orders add column paid boolean;\n";
    for (server, _, document) in check(file) {
        let statements = document["trace"][0]["statements"]
            .as_array()
            .expect("traced");
        let locks: Vec<Vec<String>> = statements
            .iter()
            .map(|s| {
                s["locks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| {
                        format!(
                            "{} {}",
                            l["mode"].as_str().unwrap(),
                            l["relation"].as_str().unwrap()
                        )
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            locks,
            [
                vec![],
                vec![],
                vec!["ACCESS SHARE public.orders".to_string()],
                vec![],
                vec!["ACCESS EXCLUSIVE public.orders".to_string()],
            ],
            "{server}"
        );
    }
}

/// After a policy, a trigger or a comment only the locks are read (they change no table's
/// definition); a rewrite by the next statement is still seen, and the policy's lock is
/// its own.
#[test]
fn after_a_policy_only_locks_are_read_and_later_rewrites_still_seen() {
    let file = "comment on table public.orders is 'orders';\n\
                create policy own on public.orders using (true);\n\
                alter table public.orders alter column total type bigint;\n";
    for (server, rules, document) in check(file) {
        let statements = document["trace"][0]["statements"]
            .as_array()
            .expect("traced");
        let modes: Vec<Vec<&str>> = statements
            .iter()
            .map(|s| {
                s["locks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["mode"].as_str().unwrap())
                    .collect()
            })
            .collect();
        // The type change then locks the table's indexes to rebuild them.
        assert_eq!(
            modes[..2],
            [vec!["SHARE UPDATE EXCLUSIVE"], vec!["ACCESS EXCLUSIVE"]],
            "{server}"
        );
        assert_eq!(modes.len(), 3, "{server}");
        assert!(
            rules.contains(&"table-rewrite".to_string()),
            "{server}: {rules:?}"
        );
        assert_eq!(
            of(&document, "table-rewrite")[0]["location"]["line"],
            3,
            "{server}"
        );
    }
}

#[test]
fn a_non_concurrent_index_on_an_existing_table_is_confirmed() {
    for (server, rules, document) in
        check("set lock_timeout = '5s';\ncreate index orders_note on public.orders (note);\n")
    {
        assert!(
            rules.contains(&"require-concurrent-index-creation".to_string()),
            "{server}: {rules:?}"
        );
        let locks = &document["trace"][0]["statements"][1]["locks"];
        assert!(
            locks
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["relation"] == "public.orders" && l["mode"] == "SHARE"),
            "{server}: {locks}"
        );
    }
}

#[test]
fn every_trace_rule_has_fixtures_that_hold_on_every_major() {
    for meta in schemagate::rules::registry::all() {
        if !schemagate::rules::trace::is_trace_rule(meta.id) {
            continue;
        }
        let dir = std::path::Path::new(FIXTURES).join(meta.id);
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .unwrap_or_else(|e| panic!("{}/{name}: {e}", dir.display()))
        };
        for (server, rules, _) in check(&read("bad.sql")) {
            assert!(
                rules.iter().any(|r| r == meta.id),
                "{server}: bad.sql of {}: {rules:?}",
                meta.id
            );
        }
        for (server, rules, _) in check(&read("good.sql")) {
            assert!(
                !rules.iter().any(|r| r == meta.id),
                "{server}: good.sql of {}: {rules:?}",
                meta.id
            );
        }
    }
}

#[test]
fn the_reports_show_the_locks_on_existing_tables() {
    let repo = Repo::with_base(&[("20240101000000_orders.sql", BASE)]);
    repo.migration(
        "20240201000000_branch.sql",
        "alter table public.orders add column status text;\nupdate public.orders set status = 'open';\n",
    );
    repo.commit("feature");
    let render = |format: &str| {
        let output = support::run_in(
            repo.path(),
            &["check", MIGRATIONS, "--base", "main", "--format", format],
        );
        support::text(&output.stdout)
    };
    let html = render("html");
    let section = &html[html
        .find("<h3>Locks on existing tables</h3>")
        .expect("the section")..];
    assert!(
        section.contains("line 1: <code>alter table public.orders add column status text;</code>"),
        "{section}"
    );
    assert!(section.contains("<td>ACCESS EXCLUSIVE on public.orders</td><td>reads and writes of public.orders</td><td>until the transaction commits</td>"), "{section}");
    let markdown = render("markdown");
    assert!(
        markdown.contains("- <code>20240201000000\\_branch.sql</code>: blocks reads and writes of public.orders until the transaction commits (2 statements)"),
        "{markdown}"
    );
}
