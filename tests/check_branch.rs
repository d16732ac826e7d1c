//! `schemagate check` on a pull request's branch: the quick pass when no migration
//! changed, the order check and schema changes, and publishing on GitHub end to end — the
//! action's entrypoint run as a process against a local fake GitHub API (wiremock) and a
//! real PostgreSQL (the tool's own ephemeral cluster).

mod support;

use support::{run_in, text};

use serde_json::{json, Value};
use std::path::Path;
use std::process::Output;
use support::git::{Repo, MIGRATIONS};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "ghs_5ecret0fTheW0rkflowT0ken1234567890";
const COMMENTS: &str = "/repos/octo/app/issues/42/comments";

/// The rules of the new findings, sorted.
fn new_rules(document: &Value) -> Vec<&str> {
    let mut rules: Vec<&str> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "new")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    rules.sort_unstable();
    rules
}

/// A base with one migration, and a feature branch that adds `added` (when given).
fn branch(added: Option<&str>) -> Repo {
    let repo = Repo::with_base(&[("20240101000000_t.sql", "create table t (a int);\n")]);
    if let Some(sql) = added {
        repo.migration("20240102000000_u.sql", sql);
    }
    repo.write("README.md", "not a migration\n");
    repo.commit("feature");
    repo
}

#[test]
fn no_migration_changed_passes_with_one_line_and_no_database() {
    let repo = branch(None);
    let base = repo.git(&["rev-parse", "main"]);
    // A server that cannot start proves none is needed.
    let args = [
        "check",
        ".",
        "--base",
        "main",
        "--pg-bin",
        "/nonexistent/bin",
    ];
    let output = run_in(repo.path(), &args);
    let stdout = text(&output.stdout);
    support::assert_exit(&output, 0);
    assert_eq!(
        stdout,
        format!(
            "schemagate: no migration changed since main ({}) in {MIGRATIONS}: nothing to check; gate passed\n",
            &base[..12]
        )
    );
    assert_eq!(text(&output.stderr), "");

    // The folder named by one relative part, from the folder above it.
    let output = run_in(
        &repo.path().join("supabase"),
        &[
            "check",
            "migrations",
            "--base",
            "main",
            "--pg-bin",
            "/nonexistent/bin",
        ],
    );
    support::assert_exit(&output, 0);
    assert!(text(&output.stdout).contains("nothing to check; gate passed"));

    // Other formats still get a whole document, and --output files are written.
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json", "--output", "html=out/report.html"]);
    let output = run_in(repo.path(), &json_args);
    support::assert_exit(&output, 0);
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["passed"], true);
    assert_eq!(document["findings"], json!([]));
    assert!(repo.path().join("out/report.html").is_file());

    // A changed migration is checked in full: the database is needed again.
    repo.migration("20240101000000_t.sql", "create table t (a bigint);\n");
    let output = run_in(repo.path(), &args);
    support::assert_exit(&output, 3);
    assert!(text(&output.stderr).contains("--pg-bin"));
}

/// `check` of the migrations against `main`, the static rules on API schemas kept out of the
/// way (no table here is in an exposed schema).
fn check_against_main(repo: &Repo, extra: &[&str]) -> Output {
    let mut args = vec![
        "check",
        MIGRATIONS,
        "--base",
        "main",
        "--exposed-schemas",
        "api",
    ];
    args.extend(extra);
    run_in(repo.path(), &args)
}

#[test]
fn check_runs_the_order_check_and_lists_the_schema_changes() {
    let repo = support::git::branch_behind_a_rename();

    let output = check_against_main(&repo, &["--format", "json"]);
    support::assert_exit(&output, 1);
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        new_rules(&document),
        ["order-dependent-schema", "out-of-order-migration"],
        "{document:#}"
    );
    let order = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "order-dependent-schema")
        .unwrap();
    assert_eq!(
        order["location"]["file"],
        "supabase/migrations/20240102000000_b.sql"
    );

    // A branch that only appends: its changes are computed, and nothing is order dependent.
    let repo = branch(Some("create table u (id int primary key);\n"));
    let output = check_against_main(&repo, &[]);
    let stdout = text(&output.stdout);
    support::assert_exit(&output, 0);
    assert!(
        stdout.contains(
            "Schema changes in this pull request (4):\n  + grant public.u to anon\n  \
             + grant public.u to authenticated\n  + index public.u_pkey\n  + table public.u\n"
        ),
        "{stdout}"
    );
}

/// The fake GitHub API, with its own runtime (the server runs on wiremock's thread).
struct Fake {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Fake {
    /// A pull request with the comments `existing`; a check run gets id 4, a new comment 7.
    fn start(existing: Value) -> Fake {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        let fake = Fake { runtime, server };
        let check_run = json!({"id": 4, "name": "schemagate", "status": "in_progress"});
        fake.mount(
            Mock::given(method("GET")).and(path(COMMENTS)),
            ResponseTemplate::new(200).set_body_json(existing),
        );
        fake.mount(
            Mock::given(method("POST")).and(path(COMMENTS)),
            ResponseTemplate::new(201).set_body_json(json!({"id": 7, "body": ""})),
        );
        fake.mount(
            Mock::given(method("PATCH")).and(path("/repos/octo/app/issues/comments/9")),
            ResponseTemplate::new(200).set_body_json(json!({"id": 9, "body": ""})),
        );
        fake.mount(
            Mock::given(method("POST")).and(path("/repos/octo/app/check-runs")),
            ResponseTemplate::new(201).set_body_json(check_run.clone()),
        );
        fake.mount(
            Mock::given(method("PATCH")).and(path("/repos/octo/app/check-runs/4")),
            ResponseTemplate::new(200).set_body_json(check_run),
        );
        fake
    }

    fn mount(&self, mock: wiremock::MockBuilder, response: ResponseTemplate) {
        self.runtime
            .block_on(mock.respond_with(response).mount(&self.server));
    }

    fn requests(&self) -> Vec<Request> {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap()
    }
}

/// "METHOD /path?query" of each request, in order.
fn lines(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            let query = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{} {}{query}", r.method, r.url.path())
        })
        .collect()
}

/// The check run was created and completed, then the comments listed and `comment_request`
/// sent; nothing else.
fn assert_published(requests: &[Request], comment_request: &str) {
    assert_eq!(
        lines(requests),
        [
            "POST /repos/octo/app/check-runs",
            "PATCH /repos/octo/app/check-runs/4",
            "GET /repos/octo/app/issues/42/comments?per_page=100",
            comment_request,
        ]
    );
}

/// The step outputs in the file's `name<<DELIMITER` form, as `name=value` lines.
fn step_outputs(file: &str) -> Vec<String> {
    let mut lines = file.lines();
    let mut outputs = Vec::new();
    while let Some(line) = lines.next() {
        let (name, delimiter) = line.split_once("<<").unwrap();
        let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
        outputs.push(format!("{name}={}", value.join("\n")));
    }
    outputs
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// Runs the action's entrypoint in `repo` for pull request 42 (head: the checked-out
/// commit, base: `main`), as the runner would; returns the output, the job summary and the
/// step outputs.
fn action(repo: &Repo, fake: &Fake, extra_env: &[(&str, &str)]) -> (Output, String, String) {
    let runner = tempfile::tempdir().unwrap();
    let event = runner.path().join("event.json");
    let head = repo.git(&["rev-parse", "HEAD"]);
    let base = repo.git(&["rev-parse", "main"]);
    std::fs::write(
        &event,
        json!({
            "number": 42,
            "pull_request": {
                "number": 42,
                "head": {"sha": head, "repo": {"full_name": "octo/app"}},
                "base": {"sha": base, "repo": {"full_name": "octo/app"}}
            }
        })
        .to_string(),
    )
    .unwrap();
    let summary = runner.path().join("summary.md");
    let outputs = runner.path().join("output");
    let output = support::schemagate()
        .arg("action")
        .current_dir(repo.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "octo/app")
        .env("GITHUB_SHA", "ffac537e6cbbf934b08745a378932722df287a53")
        .env("GITHUB_API_URL", fake.server.uri())
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "1658821493")
        .env("GITHUB_WORKSPACE", repo.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("INPUT_GITHUB_TOKEN", TOKEN)
        .envs(extra_env.iter().copied())
        .output()
        .unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (output, read(&summary), read(&outputs))
}

#[test]
fn the_action_publishes_a_failing_check_on_github() {
    let repo = branch(Some("create table public.u (id int primary key);\n"));
    let head = repo.git(&["rev-parse", "HEAD"]);
    let fake = Fake::start(json!([]));
    let (output, summary, outputs) = action(&repo, &fake, &[]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    support::assert_exit(&output, 1);

    let requests = fake.requests();
    assert_published(&requests, "POST /repos/octo/app/issues/42/comments");
    for request in &requests {
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            &format!("Bearer {TOKEN}")
        );
    }
    assert_eq!(
        body(&requests[0]),
        json!({
            "name": "schemagate",
            "head_sha": head,
            "status": "in_progress",
            "details_url": "https://github.com/octo/app/actions/runs/1658821493"
        })
    );
    let completed = body(&requests[1]);
    assert_eq!(completed["conclusion"], "failure");
    assert_eq!(completed["output"]["title"], "1 error, 0 warnings");
    let annotations = completed["output"]["annotations"].as_array().unwrap();
    assert_eq!(annotations.len(), 1, "{completed:#}");
    assert_eq!(
        annotations[0]["path"],
        "supabase/migrations/20240102000000_u.sql"
    );
    assert_eq!(annotations[0]["annotation_level"], "failure");
    assert_eq!(annotations[0]["title"], "rls-disabled");
    assert_eq!(annotations[0]["start_line"], 1);

    let comment = body(&requests[3])["body"].as_str().unwrap().to_string();
    assert!(
        comment
            .starts_with("<!-- schemagate:supabase/migrations -->\n### ❌ schemagate: gate failed"),
        "{comment}"
    );
    let link = format!(
        "(https://github.com/octo/app/blob/{head}/supabase/migrations/20240102000000_u.sql#L1)"
    );
    assert!(comment.contains(&link), "{comment}");
    assert!(
        comment.contains("+ table public.u") || comment.contains("added: table public.u"),
        "{comment}"
    );

    assert!(
        summary.contains("❌ schemagate check: gate failed"),
        "{summary}"
    );
    for line in [
        "conclusion=failure",
        "errors=1",
        "report-html=schemagate-report/schemagate.html",
        "report-sarif=schemagate-report/schemagate.sarif",
        "report-json=schemagate-report/schemagate.json",
    ] {
        assert!(
            step_outputs(&outputs).contains(&line.to_string()),
            "{line} in {outputs}"
        );
    }
    let html = repo.path().join("schemagate-report/schemagate.html");
    assert!(std::fs::read_to_string(html)
        .unwrap()
        .contains("rls-disabled"));
    // The check run carries the annotations: no workflow commands duplicate them.
    assert!(!stdout.contains("::error"), "{stdout}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    assert!(!summary.contains(TOKEN) && !outputs.contains(TOKEN));
}

#[test]
fn the_action_marks_an_unchanged_pull_request_neutral_and_updates_its_old_comment() {
    let repo = branch(None);
    let fake = Fake::start(json!([
        {"id": 3, "body": "LGTM"},
        {"id": 9, "body": "<!-- schemagate:supabase/migrations -->\n### ❌ schemagate: gate failed"}
    ]));
    // A server that cannot start proves none is needed.
    let (output, summary, outputs) = action(&repo, &fake, &[("PG_BIN", "/nonexistent/bin")]);
    let stdout = support::without_stop_commands(&text(&output.stdout));
    support::assert_exit(&output, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("schemagate: no migration changed since "),
        "{stdout}"
    );

    let requests = fake.requests();
    assert_published(&requests, "PATCH /repos/octo/app/issues/comments/9");
    let completed = body(&requests[1]);
    assert_eq!(completed["conclusion"], "neutral");
    assert_eq!(completed["output"]["title"], "No new findings");
    let comment = body(&requests[3])["body"].as_str().unwrap().to_string();
    assert!(
        comment.starts_with(
            "<!-- schemagate:supabase/migrations -->\n### ✅ schemagate: nothing to check"
        ),
        "{comment}"
    );
    assert!(summary.contains("nothing to check"), "{summary}");
    assert_eq!(step_outputs(&outputs)[0], "conclusion=neutral");
}
