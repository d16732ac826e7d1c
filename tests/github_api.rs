//! Publishing against a local fake GitHub API (wiremock): the exact requests for the sticky
//! comment, the check run, the 403 fallback, retries, the token and GitHub Enterprise URLs.
//! Response bodies follow the examples in GitHub's REST documentation.

use schemagate::github::api::{ApiError, Client, RetryPolicy};
use schemagate::github::{
    publish, publish_with, Annotation, AnnotationLevel, Conclusion, Context, Counts, Delivery,
    FolderComment, PublishInput, ReportPaths, Settings, Token,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
const HEAD_SHA: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const MERGE_SHA: &str = "ffac537e6cbbf934b08745a378932722df287a53";
const MARKER: &str = "<!-- schemagate:supabase/migrations -->";

/// The fake API (its server runs on wiremock's own thread) and a runtime to talk to it.
struct Fake {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Fake {
    fn start() -> Fake {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        Fake { runtime, server }
    }

    fn mount(&self, mock: Mock) {
        self.runtime.block_on(mock.mount(&self.server));
    }

    fn requests(&self) -> Vec<Request> {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap()
    }

    /// "METHOD /path?query" for each request, in order.
    fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| {
                let query = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
                format!("{} {}{query}", r.method, r.url.path())
            })
            .collect()
    }

    fn verify(&self) {
        self.runtime.block_on(self.server.verify());
    }
}

/// A run of `schemagate check` on a pull request: its environment files and context.
struct Run {
    dir: TempDir,
    ctx: Context,
    sleeps: Arc<Mutex<Vec<Duration>>>,
}

impl Run {
    fn new(api_url: &str, fork: bool) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let head_repo = if fork { "contributor/app" } else { "octo/app" };
        let event = dir.path().join("event.json");
        std::fs::write(
            &event,
            json!({
                "action": "synchronize",
                "number": 42,
                "pull_request": {
                    "number": 42,
                    "head": {"ref": "feature", "sha": HEAD_SHA, "repo": {"full_name": head_repo}},
                    "base": {"ref": "main", "sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b",
                             "repo": {"full_name": "octo/app"}}
                }
            })
            .to_string(),
        )
        .unwrap();
        let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
        let env: HashMap<String, String> = [
            ("GITHUB_ACTIONS", "true".to_string()),
            ("GITHUB_EVENT_NAME", "pull_request".to_string()),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap().to_string()),
            ("GITHUB_REPOSITORY", "octo/app".to_string()),
            ("GITHUB_SHA", MERGE_SHA.to_string()),
            ("GITHUB_API_URL", api_url.to_string()),
            ("GITHUB_SERVER_URL", "https://github.com".to_string()),
            ("GITHUB_RUN_ID", "1658821493".to_string()),
            ("GITHUB_WORKSPACE", "/github/workspace".to_string()),
            ("GITHUB_STEP_SUMMARY", file("summary.md")),
            ("GITHUB_OUTPUT", file("output")),
            ("GITHUB_TOKEN", TOKEN.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let ctx = Context::from_env(&env, None).unwrap();
        Run {
            dir,
            ctx,
            sleeps: Arc::default(),
        }
    }

    /// A client that records the waits instead of sleeping.
    fn client(&self) -> Client {
        let sleeps = self.sleeps.clone();
        Client::new(&self.ctx.api_url, Token::new(TOKEN))
            .with_sleeper(move |d| sleeps.lock().unwrap().push(d))
    }

    fn publish(
        &self,
        settings: &Settings,
        input: &PublishInput,
    ) -> (Vec<(String, Delivery)>, Delivery, String) {
        let mut console = Vec::new();
        let outcome = publish_with(
            &self.ctx,
            settings,
            input,
            Some(&self.client()),
            &mut console,
        )
        .unwrap();
        (
            outcome.comments,
            outcome.check_run,
            String::from_utf8(console).unwrap(),
        )
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

fn settings(comment: bool, check_run: bool) -> Settings {
    Settings {
        comment,
        check_run,
        check_name: "schemagate".to_string(),
    }
}

fn annotation(line: u32) -> Annotation {
    Annotation {
        path: "supabase/migrations/20240101000000_init.sql".to_string(),
        start_line: line,
        end_line: line,
        start_column: Some(1),
        end_column: Some(20),
        annotation_level: AnnotationLevel::Failure,
        title: "rls-disabled".to_string(),
        message: format!("table public.t{line} has row level security disabled"),
    }
}

fn input(findings: usize, annotations: usize) -> PublishInput {
    PublishInput {
        comments: vec![FolderComment {
            folder: "supabase/migrations".to_string(),
            markdown: format!("### schemagate: {findings} findings"),
            findings,
        }],
        summary_markdown: "## schemagate\n\n1 error".to_string(),
        annotations: (1..=annotations as u32).map(annotation).collect(),
        conclusion: if findings > 0 {
            Conclusion::Failure
        } else {
            Conclusion::Success
        },
        counts: Counts {
            errors: findings,
            warnings: 0,
            findings,
        },
        reports: ReportPaths {
            html: Some(PathBuf::from(
                "/github/workspace/schemagate-report/schemagate.html",
            )),
            sarif: None,
            json: Some(PathBuf::from("schemagate-report/schemagate.json")),
        },
    }
}

/// An issue comment as `GET /repos/{owner}/{repo}/issues/{n}/comments` lists it.
fn comment(id: u64, body: &str) -> Value {
    json!({
        "id": id,
        "node_id": "MDEyOklzc3VlQ29tbWVudDE=",
        "url": format!("https://api.github.com/repos/octo/app/issues/comments/{id}"),
        "html_url": format!("https://github.com/octo/app/pull/42#issuecomment-{id}"),
        "body": body,
        "user": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
        "created_at": "2011-04-14T16:00:49Z",
        "updated_at": "2011-04-14T16:00:49Z",
        "issue_url": "https://api.github.com/repos/octo/app/issues/42",
        "author_association": "NONE"
    })
}

fn check_run_body(id: u64) -> Value {
    json!({
        "id": id,
        "head_sha": HEAD_SHA,
        "node_id": "MDg6Q2hlY2tSdW40",
        "external_id": "",
        "url": format!("https://api.github.com/repos/octo/app/check-runs/{id}"),
        "html_url": "https://github.com/octo/app/runs/4",
        "details_url": "https://github.com/octo/app/actions/runs/1658821493",
        "status": "in_progress",
        "conclusion": null,
        "started_at": "2018-05-04T01:14:52Z",
        "completed_at": null,
        "output": {"title": null, "summary": null, "text": null, "annotations_count": 0,
                   "annotations_url": "https://api.github.com/repos/octo/app/check-runs/4/annotations"},
        "name": "schemagate",
        "check_suite": {"id": 5},
        "pull_requests": []
    })
}

fn forbidden() -> ResponseTemplate {
    ResponseTemplate::new(403).set_body_json(json!({
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest/checks/runs#create-a-check-run",
        "status": "403"
    }))
}

const COMMENTS: &str = "/repos/octo/app/issues/42/comments";

#[test]
fn finds_the_marker_on_page_three_and_patches_it() {
    let fake = Fake::start();
    let page = |n: u32| format!("{}{COMMENTS}?per_page=100&page={n}", fake.server.uri());
    let link = |next: u32| format!(r#"<{}>; rel="next", <{}>; rel="last""#, page(next), page(3));
    let filler = |from: u64| {
        (from..from + 100)
            .map(|id| comment(id, "LGTM"))
            .collect::<Vec<_>>()
    };
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .and(query_param("per_page", "100"))
            .and(query_param_is_missing("page"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(filler(1))
                    .insert_header("link", link(2).as_str()),
            )
            .expect(1),
    );
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .and(query_param("page", "2"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(filler(101))
                    .insert_header("link", link(3).as_str()),
            )
            .expect(1),
    );
    let last_page = vec![
        comment(
            3001,
            "> <!-- schemagate:supabase/migrations --> quoted by a person",
        ),
        comment(3002, "<!-- schemagate:other/migrations -->\nother folder"),
        comment(3003, &format!("{MARKER}\n### schemagate: 3 findings")),
    ];
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .and(query_param("page", "3"))
            .respond_with(ResponseTemplate::new(200).set_body_json(last_page))
            .expect(1),
    );
    fake.mount(
        Mock::given(method("PATCH"))
            .and(path("/repos/octo/app/issues/comments/3003"))
            .respond_with(ResponseTemplate::new(200).set_body_json(comment(3003, "updated")))
            .expect(1),
    );
    let run = Run::new(&fake.server.uri(), false);
    let (comments, check_run, console) = run.publish(&settings(true, false), &input(1, 0));
    assert_eq!(
        comments,
        [("supabase/migrations".to_string(), Delivery::Updated(3003))]
    );
    assert_eq!(check_run, Delivery::Skipped("check runs are turned off"));
    assert_eq!(console, "");
    assert_eq!(
        fake.request_lines(),
        [
            format!("GET {COMMENTS}?per_page=100"),
            format!("GET {COMMENTS}?per_page=100&page=2"),
            format!("GET {COMMENTS}?per_page=100&page=3"),
            "PATCH /repos/octo/app/issues/comments/3003".to_string(),
        ]
    );
    let patch = &fake.requests()[3];
    assert_eq!(
        patch.body_json::<Value>().unwrap(),
        json!({"body": format!("{MARKER}\n### schemagate: 1 findings")})
    );
    fake.verify();
}

#[test]
fn creates_the_comment_when_absent() {
    let fake = Fake::start();
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .respond_with(ResponseTemplate::new(200).set_body_json(vec![comment(1, "Me too")])),
    );
    fake.mount(
        Mock::given(method("POST"))
            .and(path(COMMENTS))
            .respond_with(ResponseTemplate::new(201).set_body_json(comment(77, "created")))
            .expect(1),
    );
    let run = Run::new(&fake.server.uri(), false);
    let (comments, _, _) = run.publish(&settings(true, false), &input(2, 0));
    assert_eq!(comments[0].1, Delivery::Created(77));
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].body_json::<Value>().unwrap(),
        json!({"body": format!("{MARKER}\n### schemagate: 2 findings")})
    );
    fake.verify();
}

#[test]
fn clean_pr_without_a_comment_posts_nothing_but_a_fixed_one_is_updated() {
    let fake = Fake::start();
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .respond_with(ResponseTemplate::new(200).set_body_json(vec![comment(1, "Me too")]))
            .up_to_n_times(1),
    );
    let run = Run::new(&fake.server.uri(), false);
    let (comments, _, _) = run.publish(&settings(true, false), &input(0, 0));
    assert_eq!(
        comments[0].1,
        Delivery::Skipped("no findings and no earlier comment")
    );
    assert_eq!(
        fake.request_lines(),
        [format!("GET {COMMENTS}?per_page=100")]
    );

    fake.mount(Mock::given(method("GET")).and(path(COMMENTS)).respond_with(
        ResponseTemplate::new(200).set_body_json(vec![comment(9, &format!("{MARKER}\nold"))]),
    ));
    fake.mount(
        Mock::given(method("PATCH"))
            .and(path("/repos/octo/app/issues/comments/9"))
            .respond_with(ResponseTemplate::new(200).set_body_json(comment(9, "fixed")))
            .expect(1),
    );
    let (comments, _, _) = run.publish(&settings(true, false), &input(0, 0));
    assert_eq!(comments[0].1, Delivery::Updated(9));
    fake.verify();
}

#[test]
fn check_run_on_the_head_sha_with_annotations_in_batches_of_50() {
    let fake = Fake::start();
    fake.mount(
        Mock::given(method("POST"))
            .and(path("/repos/octo/app/check-runs"))
            .respond_with(ResponseTemplate::new(201).set_body_json(check_run_body(4)))
            .expect(1),
    );
    fake.mount(
        Mock::given(method("PATCH"))
            .and(path("/repos/octo/app/check-runs/4"))
            .respond_with(ResponseTemplate::new(200).set_body_json(check_run_body(4)))
            .expect(3),
    );
    let run = Run::new(&fake.server.uri(), false);
    let (_, check_run, console) = run.publish(&settings(false, true), &input(120, 120));
    assert_eq!(check_run, Delivery::Created(4));
    assert_eq!(
        console, "",
        "no workflow commands when the check run exists"
    );

    let requests = fake.requests();
    let create: Value = requests[0].body_json().unwrap();
    assert_eq!(create["head_sha"], HEAD_SHA);
    assert_ne!(create["head_sha"], MERGE_SHA);
    assert_eq!(create["name"], "schemagate");
    assert_eq!(
        create["details_url"],
        "https://github.com/octo/app/actions/runs/1658821493"
    );

    let patches: Vec<Value> = requests[1..]
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect();
    let sizes: Vec<usize> = patches
        .iter()
        .map(|p| p["output"]["annotations"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [50, 50, 20]);
    let lines: Vec<u64> = patches
        .iter()
        .flat_map(|p| p["output"]["annotations"].as_array().unwrap().clone())
        .map(|a| a["start_line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        (1..=120).collect::<Vec<u64>>(),
        "every annotation once, in order"
    );
    assert_eq!(patches[0].get("conclusion"), None);
    assert_eq!(patches[1].get("conclusion"), None);
    assert_eq!(patches[2]["conclusion"], "failure");
    assert_eq!(patches[2]["output"]["title"], "120 errors, 0 warnings");
    assert_eq!(patches[2]["output"]["summary"], "## schemagate\n\n1 error");
    assert_eq!(
        patches[0]["output"]["annotations"][0],
        json!({
            "path": "supabase/migrations/20240101000000_init.sql",
            "start_line": 1, "end_line": 1, "start_column": 1, "end_column": 20,
            "annotation_level": "failure",
            "title": "rls-disabled",
            "message": "table public.t1 has row level security disabled"
        })
    );
    fake.verify();
}

/// A create reply without `id` is an error and a notice: no PATCH of `/check-runs/0`.
#[test]
fn check_run_reply_without_id_is_a_notice_not_a_patch() {
    let fake = Fake::start();
    fake.mount(
        Mock::given(method("POST"))
            .and(path("/repos/octo/app/check-runs"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"name": "schemagate"})))
            .expect(1),
    );
    let run = Run::new(&fake.server.uri(), false);
    let (_, check_run, console) = run.publish(&settings(false, true), &input(2, 2));
    let Delivery::Failed(message) = &check_run else {
        panic!("expected a failed delivery, got {check_run:?}");
    };
    assert!(message.contains("no check run `id`"), "{message}");
    assert_eq!(
        fake.request_lines(),
        ["POST /repos/octo/app/check-runs"],
        "nothing is patched without an id"
    );
    assert!(
        console.contains("::notice title=schemagate::schemagate could not create the check run"),
        "{console}"
    );
    assert!(
        console.contains("::error file="),
        "the annotations fall back to workflow commands: {console}"
    );
    fake.verify();
}

#[test]
fn forbidden_falls_back_to_workflow_commands_and_notices() {
    let fake = Fake::start();
    fake.mount(
        Mock::given(method("POST"))
            .and(path("/repos/octo/app/check-runs"))
            .respond_with(forbidden()),
    );
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .respond_with(ResponseTemplate::new(200).set_body_json(Vec::<Value>::new())),
    );
    fake.mount(
        Mock::given(method("POST"))
            .and(path(COMMENTS))
            .respond_with(forbidden()),
    );
    let run = Run::new(&fake.server.uri(), true);
    let (comments, check_run, console) = run.publish(&settings(true, true), &input(2, 2));
    assert_eq!(check_run, Delivery::Forbidden);
    assert_eq!(comments[0].1, Delivery::Forbidden);
    assert!(run.sleeps().is_empty(), "a permission 403 is not retried");

    let lines: Vec<&str> = console.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "::error file=supabase/migrations/20240101000000_init.sql,line=1,endLine=1,col=1,endColumn=20,title=rls-disabled::table public.t1 has row level security disabled",
            "::error file=supabase/migrations/20240101000000_init.sql,line=2,endLine=2,col=1,endColumn=20,title=rls-disabled::table public.t2 has row level security disabled",
        ]
    );
    assert_eq!(lines.len(), 4, "{console}");
    assert!(
        lines[2].starts_with("::notice title=schemagate::") && lines[2].contains("`checks: write`")
    );
    assert!(lines[3].contains("`pull-requests: write`") && lines[3].contains("forks"));

    let summary = run.read("summary.md");
    assert!(summary.starts_with("## schemagate\n\n1 error"), "{summary}");
    assert!(summary.contains("> [!NOTE]\n> schemagate could not create the check run"));
    let output = run.read("output");
    assert!(output.contains("conclusion<<ghadelimiter_"));
    assert!(output.contains("\nfailure\n"));
    assert!(
        output.contains("\nschemagate-report/schemagate.html\n"),
        "{output}"
    );
}

#[test]
fn token_is_sent_as_bearer_and_never_shown() {
    let fake = Fake::start();
    fake.mount(
        Mock::given(method("POST"))
            .and(path("/repos/octo/app/check-runs"))
            .respond_with(ResponseTemplate::new(201).set_body_json(check_run_body(4))),
    );
    fake.mount(
        Mock::given(method("PATCH"))
            .and(path("/repos/octo/app/check-runs/4"))
            .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>")),
    );
    fake.mount(Mock::given(method("GET")).and(path(COMMENTS)).respond_with(
        ResponseTemplate::new(500).set_body_json(json!({"message": "Server Error"})),
    ));
    let run = Run::new(&fake.server.uri(), false);
    let client = run.client();
    let mut console = Vec::new();
    let outcome = publish_with(
        &run.ctx,
        &settings(true, true),
        &input(1, 1),
        Some(&client),
        &mut console,
    )
    .unwrap();
    assert!(matches!(outcome.check_run, Delivery::Failed(_)));
    assert!(matches!(outcome.comments[0].1, Delivery::Failed(_)));

    let requests = fake.requests();
    assert_eq!(
        requests.len(),
        1 + 4 + 4,
        "POST, then 4 tries of the PATCH and of the GET"
    );
    for request in &requests {
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(header("authorization"), format!("Bearer {TOKEN}"));
        assert_eq!(header("accept"), "application/vnd.github+json");
        assert_eq!(header("x-github-api-version"), "2022-11-28");
        assert!(header("user-agent").starts_with("schemagate/"));
    }
    let secs: Vec<u64> = run.sleeps().iter().map(Duration::as_secs).collect();
    assert_eq!(secs, [1, 2, 4, 1, 2, 4], "bounded exponential backoff");

    let console = String::from_utf8(console).unwrap();
    assert!(console.contains("HTTP 502"), "{console}");
    let shown = [
        console,
        run.read("summary.md"),
        run.read("output"),
        format!("{:?} {:?} {:?}", run.ctx, client, outcome),
    ];
    for text in shown {
        assert!(
            !text.contains(TOKEN) && !text.contains("ghs_"),
            "token leaked: {text}"
        );
    }
}

#[test]
fn rate_limits_are_honoured_and_bounded() {
    let fake = Fake::start();
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .respond_with(
                ResponseTemplate::new(403)
                    .insert_header("retry-after", "3")
                    .set_body_json(json!({"message": "You have exceeded a secondary rate limit."})),
            )
            .up_to_n_times(1),
    );
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
            .up_to_n_times(1),
    );
    fake.mount(
        Mock::given(method("GET"))
            .and(path(COMMENTS))
            .respond_with(ResponseTemplate::new(200).set_body_json(Vec::<Value>::new())),
    );
    let run = Run::new(&fake.server.uri(), false);
    let client = run.client().with_retry(RetryPolicy::default());
    let first = client.get_all(&format!("{COMMENTS}?per_page=100"));
    match first {
        Err(ApiError::RateLimited { wait, .. }) => assert_eq!(wait, Duration::from_secs(3600)),
        other => panic!("expected a rate-limit error, got {other:?}"),
    }
    assert_eq!(
        run.sleeps(),
        [Duration::from_secs(3)],
        "waited Retry-After once, refused an hour"
    );
    let second = client.get_all(&format!("{COMMENTS}?per_page=100")).unwrap();
    assert!(second.is_empty());
}

#[test]
fn next_page_on_another_host_is_not_followed() {
    let fake = Fake::start();
    fake.mount(
        Mock::given(method("GET")).and(path(COMMENTS)).respond_with(
            ResponseTemplate::new(200)
                .set_body_json(vec![comment(1, "x")])
                .insert_header(
                    "link",
                    r#"<https://attacker.invalid/steal?page=2>; rel="next""#,
                ),
        ),
    );
    let run = Run::new(&fake.server.uri(), false);
    let error = run.client().get_all(COMMENTS).unwrap_err();
    assert!(error.to_string().contains("not on"), "{error}");
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn github_enterprise_base_url() {
    let fake = Fake::start();
    let api = format!("{}/api/v3", fake.server.uri());
    let ghes_comments = format!("/api/v3{COMMENTS}");
    fake.mount(
        Mock::given(method("GET"))
            .and(path(ghes_comments.as_str()))
            .and(query_param_is_missing("page"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(vec![comment(1, "x")])
                    .insert_header(
                        "link",
                        format!(r#"<{api}{COMMENTS}?per_page=100&page=2>; rel="next""#).as_str(),
                    ),
            ),
    );
    fake.mount(
        Mock::given(method("GET"))
            .and(path(ghes_comments.as_str()))
            .and(query_param("page", "2"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(vec![comment(2, &format!("{MARKER}\nold"))]),
            ),
    );
    fake.mount(
        Mock::given(method("PATCH"))
            .and(path("/api/v3/repos/octo/app/issues/comments/2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(comment(2, "new")))
            .expect(1),
    );
    fake.mount(
        Mock::given(method("POST"))
            .and(path("/api/v3/repos/octo/app/check-runs"))
            .respond_with(ResponseTemplate::new(201).set_body_json(check_run_body(8)))
            .expect(1),
    );
    fake.mount(
        Mock::given(method("PATCH"))
            .and(path("/api/v3/repos/octo/app/check-runs/8"))
            .respond_with(ResponseTemplate::new(200).set_body_json(check_run_body(8)))
            .expect(1),
    );
    let run = Run::new(&format!("{api}/"), false);
    assert_eq!(run.ctx.api_url, api);
    // The real entry point: the client comes from the context's URL and token.
    let outcome = publish(&run.ctx, &settings(true, true), &input(1, 1)).unwrap();
    assert_eq!(outcome.check_run, Delivery::Created(8));
    assert_eq!(outcome.comments[0].1, Delivery::Updated(2));
    assert!(fake
        .requests()
        .iter()
        .all(|r| r.url.path().starts_with("/api/v3/")));
    fake.verify();
}

#[test]
fn without_a_token_only_files_and_workflow_commands() {
    let run = Run::new("http://127.0.0.1:9", false);
    let mut console = Vec::new();
    let outcome = publish_with(
        &run.ctx,
        &settings(true, true),
        &input(1, 1),
        None,
        &mut console,
    )
    .unwrap();
    assert_eq!(outcome.check_run, Delivery::Skipped("no API access"));
    assert!(outcome.comments.is_empty());
    let console = String::from_utf8(console).unwrap();
    assert!(
        console.starts_with("::error file=supabase/migrations/"),
        "{console}"
    );
    assert!(console.contains("::notice title=schemagate::no GitHub API access"));
    assert!(Path::new(&run.dir.path().join("summary.md")).exists());
}

#[test]
fn cli_flags_turn_publishing_on_and_off_and_hide_the_token() {
    use clap::Parser;
    use schemagate::cli::GithubArgs;

    #[derive(Debug, Parser)]
    struct Args {
        #[command(flatten)]
        github: GithubArgs,
    }
    let outside = Context::from_env(&HashMap::new(), None).unwrap();
    let inside = Run::new("http://127.0.0.1:9", false).ctx;

    let args = Args::parse_from(["x", "--github-token", TOKEN, "--no-github", "--github"]).github;
    assert!(
        args.enabled(&outside),
        "the last of --github/--no-github wins"
    );
    assert_eq!(args.github_token.as_ref().unwrap().expose(), TOKEN);
    assert!(!format!("{args:?}").contains(TOKEN));
    let ctx = Context::from_env(&HashMap::new(), args.github_token.clone()).unwrap();
    assert_eq!(ctx.token.unwrap().expose(), TOKEN);

    let default = Args::parse_from(["x"]).github;
    assert!(default.enabled(&inside) && !default.enabled(&outside));
    assert_eq!(default.settings(), settings(true, true));
    let off = Args::parse_from(["x", "--no-github", "--no-comment", "--check-name", "db"]).github;
    assert!(!off.enabled(&inside));
    assert_eq!(
        off.settings(),
        Settings {
            comment: false,
            check_run: true,
            check_name: "db".to_string()
        }
    );
}
