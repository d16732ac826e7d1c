//! Snapshots of what reviewers read — the pull-request comment, the job summary, the
//! terminal and the HTML report — for the bundled example (checked on PostgreSQL) and for a
//! generated 60-file folder (linted), so every change to them is reviewed as a diff.
//! Run times and the server's version and path are redacted.

mod support;

use std::path::Path;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// The four views of one run, written by `--output` (the tty one without colour).
struct Views {
    comment: String,
    summary: String,
    tty: String,
    html: String,
}

fn views(dir: &Path, args: &[&str], code: i32) -> Views {
    let out = tempfile::tempdir().unwrap();
    let file = |name: &str| out.path().join(name);
    let mut command = support::schemagate();
    command.args(args).current_dir(dir);
    for (format, name) in [
        ("comment", "comment.md"),
        ("summary", "summary.md"),
        ("tty", "tty.txt"),
        ("html", "report.html"),
    ] {
        command
            .arg("--output")
            .arg(format!("{format}={}", file(name).display()));
    }
    let output = command
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_SHA", SHA)
        .output()
        .unwrap();
    support::assert_exit(&output, code);
    let read = |name: &str| redact(&std::fs::read_to_string(file(name)).unwrap());
    Views {
        comment: read("comment.md"),
        summary: read("summary.md"),
        tty: read("tty.txt"),
        html: read("report.html"),
    }
}

/// Times, and the server's version and binaries, vary between runs and machines.
fn redact(text: &str) -> String {
    let rules = [
        (r"\b\d+ ms\b", "[time] ms"),
        (r"PostgreSQL \d+(\.\d+)?", "PostgreSQL [version]"),
        (r"\(ephemeral, [^,)]*", "(ephemeral, [bin]"),
    ];
    rules
        .iter()
        .fold(text.to_string(), |text, (pattern, with)| {
            regex::Regex::new(pattern)
                .unwrap()
                .replace_all(&text, *with)
                .into_owned()
        })
}

#[test]
fn the_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let views = views(root, &["check", "testdata/example"], 1);
    insta::assert_snapshot!("example_comment", views.comment);
    insta::assert_snapshot!("example_summary", views.summary);
    insta::assert_snapshot!("example_tty", views.tty);
    insta::assert_snapshot!("example_html", views.html);
}

/// 60 migrations, each a table with an unindexed foreign key; some with a SECURITY DEFINER
/// function, a table without row level security or a policy that trusts user metadata.
fn large_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&folder).unwrap();
    for i in 1..=60u32 {
        let parent = if i > 1 { i - 1 } else { i };
        let mut sql = format!(
            "create table public.t{i} (\n  id bigint primary key,\n  parent_id bigint references public.t{parent} (id),\n  note text\n);\nalter table public.t{i} enable row level security;\n"
        );
        if i % 7 == 0 {
            sql.push_str(&format!(
                "\ncreate function public.f{i}()\nreturns void\nlanguage sql\nsecurity definer\nas $$\n  select 1;\n$$;\n"
            ));
        }
        if i % 10 == 0 {
            sql.push_str(&format!(
                "\ncreate table public.open{i} (id bigint primary key);\n"
            ));
        }
        if i % 12 == 0 {
            sql.push_str(&format!(
                "\ncreate policy \"read {i}\" on public.t{i} for select\n  using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');\n"
            ));
        }
        let version = format!("2024{:02}{:02}120000", i / 28 + 1, i % 28 + 1);
        std::fs::write(folder.join(format!("{version}_step_{i:02}.sql")), sql).unwrap();
    }
    dir
}

#[test]
fn a_large_folder() {
    let dir = large_folder();
    let views = views(dir.path(), &["lint", "supabase/migrations"], 1);
    // Every error listed in the comment, the rest summed up.
    assert_eq!(views.comment.matches("- 🛑 **error**").count(), 19);
    assert!(
        views
            .comment
            .contains("**119 more findings** (64 warnings, 55 infos) not shown here"),
        "{}",
        views.comment
    );
    let visible = support::visible_lines(&views.comment).len();
    assert!(visible <= 40, "{visible} lines:\n{}", views.comment);
    insta::assert_snapshot!("large_comment", views.comment);
    insta::assert_snapshot!("large_summary", views.summary);
    insta::assert_snapshot!("large_tty", views.tty);
    insta::assert_snapshot!("large_html", views.html);
}
