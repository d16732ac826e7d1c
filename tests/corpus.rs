//! Lints every folder of the shared corpus of real migration folders (`../shared/corpus`,
//! described by its MANIFEST.tsv): no crash, exit code 0 or 1, every finding located.
//! `.ci/run` runs it with `--ignored`; it needs the corpus beside the repository.

mod support;

use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    let path = std::env::var_os("SCHEMAGATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        path.join("MANIFEST.tsv").is_file(),
        "the corpus is not at {} (set SCHEMAGATE_CORPUS)",
        path.display()
    );
    path
}

/// The manifest's convention column, as a `--layout` value.
fn layout_of(convention: &str, folder: &Path) -> &'static str {
    match convention {
        "supabase" => "supabase",
        "flyway" => "flyway",
        "golang-migrate" => "golang-migrate",
        "dbmate" => "dbmate",
        "prisma" => "prisma",
        "sqitch" => "sqitch",
        _ if std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .take(3)
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("+goose Up"))) =>
        {
            "goose"
        }
        _ => "plain",
    }
}

#[test]
#[ignore = "needs ../shared/corpus; .ci/run runs it with --ignored"]
fn every_corpus_folder_lints_without_crashing() {
    let corpus = corpus();
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).unwrap();
    let mut folders = 0;
    let mut findings_total = 0;
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (dir, convention) = (columns[0], columns[4]);
        let folder = corpus.join(dir);
        let layout = layout_of(convention, &folder);
        let output = support::schemagate()
            .args(["lint", "--format", "json", "--layout", layout])
            .arg(&folder)
            .output()
            .unwrap();
        let code = output.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{dir}: exit {code:?}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{dir}: output is not JSON: {e}"));
        assert_eq!(doc["folders"][0]["layout"], layout, "{dir}");
        assert!(
            doc["summary"]["files"].as_u64().unwrap() > 0,
            "{dir}: no files found"
        );
        for finding in doc["findings"].as_array().unwrap() {
            let location = &finding["location"];
            assert!(
                location["file"].as_str().is_some_and(|f| !f.is_empty())
                    && location["line"].as_u64().is_some_and(|l| l >= 1),
                "{dir}: finding without file and line: {finding}"
            );
            findings_total += 1;
        }
        folders += 1;
    }
    assert_eq!(folders, manifest.lines().count() - 1);
    eprintln!("linted {folders} corpus folders, {findings_total} findings");
}
