//! The README's rule table and docs/rules.md say what the registry says.

mod support;

use std::path::Path;

fn rules(format: &str) -> String {
    let output = support::schemagate()
        .args(["rules", "--format", format])
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = read("README.md");
    let start = readme.find("<!-- rules:start").expect("start marker");
    let start = start + readme[start..].find('\n').unwrap() + 1;
    let end = readme.find("<!-- rules:end -->").expect("end marker");
    assert_eq!(
        readme[start..end].trim(),
        rules("markdown").trim(),
        "README rule table is stale: run scripts/update-docs"
    );
}

#[test]
fn rule_docs_page_matches_the_registry() {
    assert_eq!(
        read("docs/rules.md"),
        rules("docs"),
        "docs/rules.md is stale: run scripts/update-docs"
    );
}
