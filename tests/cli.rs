//! The binary end to end: exit codes, formats, and bad input.

mod support;

use std::fs;
use std::path::Path;
use std::process::Output;

fn schemagate(args: &[&str], cwd: &Path) -> Output {
    support::schemagate()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

#[test]
fn example_fails_the_gate_with_located_explained_findings() {
    let output = schemagate(&["lint", "testdata/example", "--color", "never"], repo());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("error[policy-user-metadata]"), "{text}");
    assert!(
        text.contains("testdata/example/supabase/migrations/20240310080000_invitations.sql:10:1"),
        "{text}"
    );
    assert!(text.contains("help: "), "{text}");
    assert!(
        text.contains("schemagate explain policy-user-metadata"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("gate failed"), "{text}");
}

#[test]
fn fail_on_never_passes_and_quiet_prints_only_the_summary() {
    let output = schemagate(
        &["lint", "testdata/example", "--fail-on", "never", "-q"],
        repo(),
    );
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("in 4 files"), "{text}");
}

#[test]
fn json_output_has_a_versioned_schema_and_located_findings() {
    let output = schemagate(&["lint", "testdata/example", "--format", "json"], repo());
    assert_eq!(output.status.code(), Some(1));
    let doc = json(&output);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["command"], "lint");
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["folders"][0]["layout"], "supabase");
    assert_eq!(doc["summary"]["files"], 4);
    let findings = doc["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        assert!(
            finding["location"]["line"].as_u64().unwrap() >= 1,
            "{finding}"
        );
        assert_eq!(finding["fingerprint"].as_str().unwrap().len(), 16);
    }
}

#[test]
fn rules_and_explain() {
    let output = schemagate(&["rules"], repo());
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("duplicate-version"));
    let output = schemagate(&["explain", "policy-user-metadata"], repo());
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("## Why is this bad?"), "{text}");
    assert!(text.contains("```sql"), "{text}");
    let output = schemagate(&["explain", "user-metadata"], repo());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean policy-user-metadata"));
}

#[test]
fn usage_errors_exit_2() {
    let output = schemagate(&["lint", "no/such/folder"], repo());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("does not exist"));
    let output = schemagate(&["lint", "--fail-on", "sometimes"], repo());
    assert_eq!(output.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("bad.toml"),
        "[rules]\nnot-a-rule = \"off\"\n",
    )
    .unwrap();
    fs::write(dir.path().join("a.sql"), "select 1;").unwrap();
    let config = dir.path().join("bad.toml");
    let output = schemagate(
        &["lint", ".", "--config", config.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not-a-rule"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_input_becomes_findings_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("supabase/migrations");
    fs::create_dir_all(&folder).unwrap();
    let files: Vec<(&str, Vec<u8>)> =
        vec![
        ("20240101000000_latin1.sql", b"select 'caf\xe9';\n".to_vec()),
        (
            "20240101000001_bom.sql",
            "\u{feff}create policy p on t using ((auth.jwt() -> 'user_metadata') is not null);\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "20240101000002_crlf.sql",
            b"select 1;\r\ncreate policy q on t using (auth.jwt() ->> 'user_metadata' = 'x');\r\n"
                .to_vec(),
        ),
        ("20240101000003_empty.sql", Vec::new()),
        (
            "20240101000004_open.sql",
            b"select 1;\n\ncreate function f() returns int as $body$ select 1;\n".to_vec(),
        ),
        ("20240101000005_junk.sql", vec![0, 159, 146, 150, 0, 1, 2]),
        ("20240101000006_with space & <odd>.sql", b"select 1;".to_vec()),
    ];
    for (name, bytes) in &files {
        fs::write(folder.join(name), bytes).unwrap();
    }
    let output = schemagate(&["lint", ".", "--format", "json"], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let doc = json(&output);
    assert_eq!(doc["summary"]["files"], 7);
    let findings = doc["findings"].as_array().unwrap();
    let find = |rule: &str, file: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == rule && f["location"]["file"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("no {rule} on {file}: {findings:#?}"))
    };
    let utf8 = find("invalid-utf8", "latin1.sql");
    assert_eq!(utf8["location"]["line"], 1);
    assert_eq!(utf8["location"]["column"], 12);
    // The BOM is not a column (the clause's `auth.jwt()` is at column 30); CRLF does not
    // shift lines.
    assert_eq!(
        find("policy-user-metadata", "bom.sql")["location"]["column"],
        30
    );
    assert_eq!(
        find("policy-user-metadata", "crlf.sql")["location"]["line"],
        2
    );
    find("empty-migration", "empty.sql");
    let open = find("unterminated-statement", "open.sql");
    assert_eq!(open["location"]["line"], 3);
    assert_eq!(open["location"]["column"], 36);
    find("unreadable-file", "junk.sql");
    let spaced = doc["folders"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .ends_with("with space & <odd>.sql")
        })
        .expect("odd names are linted");
    assert_eq!(spaced["statements"], 1);
}

#[test]
fn a_ten_megabyte_file_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(11 << 20);
    let row = "insert into public.items (id, name) values (1, 'a reasonably long name; with a semicolon');\n";
    while text.len() < 10 << 20 {
        text.push_str(row);
    }
    fs::write(dir.path().join("big.sql"), &text).unwrap();
    let output = schemagate(&["lint", "big.sql", "--format", "json"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = json(&output);
    assert_eq!(
        doc["summary"]["statements"].as_u64().unwrap() as usize,
        text.len() / row.len() + usize::from(!text.len().is_multiple_of(row.len()))
    );
}

#[test]
fn suppressions_are_honoured_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("schemagate.toml"),
        "profile = \"supabase\"\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("a.sql"),
        "-- schemagate-ignore policy-user-metadata: reviewed, claims come from our own issuer\n\
         create policy p on t using ((auth.jwt() -> 'user_metadata') is not null);\n\
         -- schemagate-ignore no-such-rule: typo\n\
         select 1;\n\
         -- schemagate-ignore policy-user-metadata: stale\n\
         select 2;\n",
    )
    .unwrap();
    let output = schemagate(&["lint", "a.sql", "--format", "json"], dir.path());
    let doc = json(&output);
    let findings = doc["findings"].as_array().unwrap();
    let by_rule = |rule: &str| {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect::<Vec<_>>()
    };
    let suppressed = by_rule("policy-user-metadata");
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["status"], "suppressed");
    assert_eq!(
        suppressed[0]["suppressed_by"],
        "reviewed, claims come from our own issuer"
    );
    assert_eq!(by_rule("invalid-suppression")[0]["location"]["line"], 3);
    assert_eq!(by_rule("unused-suppression")[0]["location"]["line"], 5);
    // Only a warning and an info remain: the gate (fail-on error) passes.
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn each_output_file_written_is_named_on_stderr_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.sql"),
        "create table t (id int primary key);\n",
    )
    .unwrap();
    let args = [
        "lint",
        "a.sql",
        "--output",
        "html=out/report.html",
        "--output",
        "sarif=out/results.sarif",
    ];
    let output = schemagate(&args, dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "wrote the html report to out/report.html\nwrote the sarif report to out/results.sarif\n"
    );
    assert!(dir.path().join("out/report.html").is_file());
    let mut quiet = args.to_vec();
    quiet.push("-q");
    assert_eq!(stderr(&schemagate(&quiet, dir.path())), "");
}
