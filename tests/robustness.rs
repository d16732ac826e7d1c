//! Hostile and degenerate input, and faults: nothing hangs, nothing aborts.

mod support;

use std::fs;
use support::{assert_exit, run_in, text};

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&output.stdout)))
}

fn or_chain(terms: usize) -> String {
    format!("select 1 where {};\n", vec!["a = 1"; terms].join(" or "))
}

#[test]
fn a_flat_chain_of_140000_or_terms_is_an_unparsed_statement_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("supabase/migrations");
    fs::create_dir_all(&folder).unwrap();
    fs::write(folder.join("20240101000000_deep.sql"), or_chain(140_000)).unwrap();
    // Just under the limit: parsed, and every walk over its tree fits the stack.
    fs::write(folder.join("20240102000000_near.sql"), or_chain(490)).unwrap();

    let output = run_in(dir.path(), &["lint", ".", "--format", "json"]);
    assert_exit(&output, 0);
    let report = json(&output);
    let files = report["folders"][0]["files"].as_array().unwrap();
    let parsed: Vec<u64> = files
        .iter()
        .map(|f| f["parsed_statements"].as_u64().unwrap())
        .collect();
    assert_eq!(parsed, [0, 1], "{report}");
}
