//! Every report format on one fixture with findings of all severities, categories and
//! statuses (`testdata/report/` linted, plus findings of the stages that do not exist yet),
//! and the escaping of hostile SQL and file names.

mod support;

use schemagate::cli::Format;
use schemagate::config::{Config, Overrides};
use schemagate::diff::Change;
use schemagate::findings::{
    sort_findings, Category, FailOn, Finding, Location, Severity, Source, Status,
};
use schemagate::migrations::{self, MigrationSet};
use schemagate::postgres::apply::{ApplyReport, FileResult, FileStatus};
use schemagate::report::{self, markdown, LinkContext, RenderOptions, Report};
use std::path::Path;
use std::time::Duration;

const FOLDER: &str = "testdata/report/supabase/migrations";
const PROFILES: &str = "testdata/report/supabase/migrations/20240101000000_profiles.sql";
const HOSTILE: &str = "testdata/report/supabase/migrations/20240102000000_hostile.sql";

fn load(folder: &Path) -> (Vec<MigrationSet>, Vec<Finding>) {
    let config = Config::load(folder, &Overrides::default()).expect("the fixture's config loads");
    let set = migrations::load(folder, config.layout);
    let findings = schemagate::lint::lint(&set, &config);
    (vec![set], findings)
}

fn at(file: &str, line: u32, column: u32, end_line: u32, end_column: u32) -> Location {
    Location {
        file: file.to_string(),
        line,
        column,
        end_line,
        end_column,
    }
}

/// Findings of rules and stages the fixture cannot produce statically.
fn hand_made() -> Vec<Finding> {
    let mut existing = Finding::new(
        "fixture-unindexed-foreign-key",
        Severity::Warning,
        Category::Performance,
        "foreign key `public.profiles.team_id` has no index",
    )
    .with_help("create index on public.profiles (team_id)")
    .with_object("public.profiles.team_id")
    .with_location(at(PROFILES, 3, 3, 3, 15))
    .with_source(Source::Catalog)
    .finish("");
    existing.status = Status::Existing;
    vec![
        existing,
        Finding::new(
            "fixture-volatile-default",
            Severity::Info,
            Category::Safety,
            "`public.profiles` is created with 4 columns",
        )
        .with_location(at(PROFILES, 1, 1, 5, 3))
        .finish("create table"),
        Finding::new(
            "fixture-apply-failed",
            Severity::Error,
            Category::Apply,
            "PostgreSQL refused the statement: permission denied for schema `auth`",
        )
        .with_help("apply with a role that owns the auth schema")
        .with_location(at(HOSTILE, 2, 1, 3, 85))
        .with_source(Source::Apply)
        .finish("policy"),
        Finding::new(
            "fixture-history-diverged",
            Severity::Warning,
            Category::Conflict,
            "the database has 2 applied versions this folder lacks",
        )
        .with_source(Source::History)
        .finish("history"),
    ]
}

/// The linted findings the snapshots keep, so a new rule does not change every snapshot.
const FIXTURE_RULES: [&str; 3] = [
    "policy-user-metadata",
    "empty-migration",
    "invalid-migration-name",
];

fn fixture() -> (Vec<MigrationSet>, Vec<Finding>) {
    let (sets, mut findings) = load(Path::new(FOLDER));
    findings.retain(|f| FIXTURE_RULES.contains(&f.rule.as_str()));
    findings.extend(hand_made());
    sort_findings(&mut findings);
    (sets, findings)
}

fn report<'a>(sets: &'a [MigrationSet], findings: &[Finding]) -> Report<'a> {
    Report {
        command: "check",
        sets,
        findings: findings.to_vec(),
        fail_on: FailOn::Error,
        fail_on_existing: false,
        status: None,
        apply: vec![apply_results()],
        changes: Some(schema_changes()),
    }
}

/// One file applied, one failed, one not reached.
fn apply_results() -> ApplyReport {
    let file = |path: &str, status, millis, created: &[&str]| FileResult {
        path: path.to_string(),
        status,
        duration: Duration::from_millis(millis),
        created: created.iter().map(|c| c.to_string()).collect(),
        changed: Vec::new(),
        dropped: Vec::new(),
    };
    ApplyReport {
        folder: FOLDER.to_string(),
        server: "PostgreSQL 15.18 (ephemeral)".to_string(),
        baseline: None,
        trace: Vec::new(),
        files: vec![
            file(
                PROFILES,
                FileStatus::Applied,
                12,
                &["table public.profiles"],
            ),
            file(HOSTILE, FileStatus::Failed, 3, &[]),
            file(
                "testdata/report/supabase/migrations/20240103000000_later.sql",
                FileStatus::NotReached,
                0,
                &[],
            ),
        ],
    }
}

/// Schema changes, one with a name that is markup.
fn schema_changes() -> Vec<Change> {
    vec![
        Change::Added {
            kind: "table".to_string(),
            identity: "public.profiles".to_string(),
        },
        Change::Removed {
            kind: "policy".to_string(),
            identity: "public.t.<img src=x onerror=alert(1)>".to_string(),
        },
        Change::Changed {
            kind: "column".to_string(),
            identity: "public.profiles.name".to_string(),
            attributes: [(
                "type".to_string(),
                ("text".to_string(), "varchar(80)".to_string()),
            )]
            .into_iter()
            .collect(),
        },
    ]
}

fn github_options() -> RenderOptions {
    RenderOptions {
        links: Some(LinkContext {
            server_url: "https://github.com".into(),
            repository: "acme/app".into(),
            sha: "0123456789abcdef0123456789abcdef01234567".into(),
            prefix: String::new(),
        }),
        html_report_url: Some("https://github.com/acme/app/actions/runs/1/artifacts/2".into()),
        ..RenderOptions::default()
    }
}

fn render(format: Format, options: &RenderOptions) -> String {
    let (sets, findings) = fixture();
    report::render(&report(&sets, &findings), format, options)
}

#[test]
fn fixture_covers_every_severity_category_and_status() {
    let (_, findings) = fixture();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        assert!(
            findings.iter().any(|f| f.severity == severity),
            "{severity}"
        );
    }
    for category in [
        Category::Security,
        Category::Performance,
        Category::Safety,
        Category::Conflict,
        Category::Apply,
        Category::Input,
    ] {
        assert!(
            findings.iter().any(|f| f.category == category),
            "{category}"
        );
    }
    for status in [Status::New, Status::Existing, Status::Suppressed] {
        assert!(findings.iter().any(|f| f.status == status), "{status:?}");
    }
    assert!(findings.iter().any(|f| f.location.is_none()));
}

#[test]
fn snapshot_tty() {
    let options = RenderOptions {
        verbose: true,
        ..RenderOptions::default()
    };
    insta::assert_snapshot!(render(Format::Tty, &options));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(render(Format::Json, &RenderOptions::default()));
}

#[test]
fn snapshot_sarif() {
    let mut sarif: serde_json::Value =
        serde_json::from_str(&render(Format::Sarif, &RenderOptions::default())).unwrap();
    // The driver lists every rule and results point into it by index: checked by
    // `sarif_driver_lists_every_rule`, left out here so adding a rule changes no snapshot.
    let run = &mut sarif["runs"][0];
    run["tool"]["driver"]["rules"] = serde_json::json!("[every rule]");
    for result in run["results"].as_array_mut().unwrap() {
        if let Some(index) = result.get_mut("ruleIndex") {
            *index = serde_json::json!("[index]");
        }
    }
    insta::assert_json_snapshot!(sarif);
}

#[test]
fn snapshot_gitlab() {
    insta::assert_snapshot!(render(Format::Gitlab, &RenderOptions::default()));
}

#[test]
fn snapshot_github_workflow_commands() {
    insta::assert_snapshot!(render(Format::Github, &RenderOptions::default()));
}

#[test]
fn snapshot_markdown_summary() {
    insta::assert_snapshot!(render(Format::Summary, &github_options()));
}

#[test]
fn snapshot_markdown_comment() {
    let (sets, findings) = fixture();
    insta::assert_snapshot!(markdown::comment(
        &report(&sets, &findings),
        &github_options(),
        markdown::COMMENT_LIMIT
    ));
}

#[test]
fn snapshot_html() {
    insta::assert_snapshot!(render(Format::Html, &github_options()));
}

#[test]
fn snapshot_junit() {
    insta::assert_snapshot!(render(Format::Junit, &RenderOptions::default()));
}

// ---------------------------------------------------------------------------------------
// SARIF

/// The OASIS SARIF 2.1.0 schema, kept unchanged in `testdata/schemas/`.
fn sarif_schema() -> serde_json::Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "the SARIF 2.1.0 schema is expected at {} ({error})",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("the schema is JSON")
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema = sarif_schema();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let (sets, findings) = fixture();
    let mut hostile = findings.clone();
    hostile.extend(hostile_name_findings());
    for findings in [findings, hostile, Vec::new()] {
        let text = report::render(
            &report(&sets, &findings),
            Format::Sarif,
            &RenderOptions::default(),
        );
        let document: serde_json::Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // The validator does reject what the schema forbids.
    let broken = serde_json::json!({ "version": "2.1.0", "runs": [{ "tool": {} }] });
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_driver_lists_every_rule_and_results_point_into_it() {
    let text = render(Format::Sarif, &RenderOptions::default());
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rules = document["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let all = schemagate::rules::registry::all();
    assert_eq!(rules.len(), all.len());
    for (rule, meta) in rules.iter().zip(&all) {
        assert_eq!(rule["id"], meta.id);
        assert_eq!(rule["shortDescription"]["text"], meta.summary);
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert_eq!(rule["helpUri"], meta.docs_url());
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    for result in document["runs"][0]["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        match result.get("ruleIndex") {
            Some(index) => assert_eq!(rules[index.as_u64().unwrap() as usize]["id"], id),
            None => assert!(id.starts_with("fixture-"), "{id} is not in the driver"),
        }
        assert!(!result["partialFingerprints"]["schemagate/v1"]
            .as_str()
            .unwrap()
            .is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// Hostile file names and SQL

/// A file name with every character the formats treat specially.
const HOSTILE_NAME: &str =
    "1_<img src=x onerror=alert(1)>\"&'`*_[x](javascript:alert(1))|@everyone%0A,a:b";

fn hostile_location() -> Location {
    at(&format!("db/{HOSTILE_NAME}.sql"), 1, 1, 1, 5)
}

fn hostile_name_findings() -> Vec<Finding> {
    vec![Finding::new(
        "fixture-hostile",
        Severity::Error,
        Category::Safety,
        format!(
            "`{HOSTILE_NAME}` contains </script><script>alert(1)</script>\r\n::error::injected"
        ),
    )
    .with_help("**help** <b>x</b>\n# heading")
    .with_location(hostile_location())
    .finish("x")]
}

/// A folder whose one file has a hostile name and hostile content.
fn hostile_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(format!("{HOSTILE_NAME}.sql")),
        "create policy \"</script><script>alert(1)</script>\" on public.t for select\n  using ((auth.jwt() -> 'user_metadata' ->> 'x') = '1');\n",
    )
    .unwrap();
    // A Supabase project, where policies that trust user_metadata are checked.
    std::fs::write(
        dir.path().join("schemagate.toml"),
        "profile = \"supabase\"\n",
    )
    .unwrap();
    dir
}

fn hostile_render(format: Format) -> String {
    let dir = hostile_folder();
    let (sets, mut findings) = load(dir.path());
    assert!(
        findings.iter().any(|f| f.rule == "policy-user-metadata"),
        "the hostile file produces a finding: {findings:?}"
    );
    findings.extend(hostile_name_findings());
    report::render(&report(&sets, &findings), format, &github_options())
}

#[test]
fn html_shows_hostile_sql_and_names_as_text() {
    let html = hostile_render(Format::Html);
    assert_eq!(html.matches("<script").count(), 1, "only our own script");
    assert_eq!(html.matches("</script>").count(), 1);
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>x</b>"));
    assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"));
    check_html_structure(&html);
}

#[test]
fn markdown_shows_hostile_sql_and_names_as_text() {
    for text in [hostile_render(Format::Summary), {
        let dir = hostile_folder();
        let (sets, mut findings) = load(dir.path());
        findings.extend(hostile_name_findings());
        markdown::comment(
            &report(&sets, &findings),
            &github_options(),
            markdown::COMMENT_LIMIT,
        )
    }] {
        assert!(!text.contains("<img"), "{text}");
        assert!(!text.contains("<script"), "{text}");
        assert!(!text.contains("<b>x</b>"), "{text}");
        check_markdown(&text);
        // What GitHub shows is the original text, unescaped.
        let shown = rendered_text(&text);
        assert!(shown.contains(HOSTILE_NAME), "{shown}");
        assert!(
            shown.contains("contains </script><script>alert(1)</script>  ::error::injected"),
            "{shown}"
        );
        assert!(shown.contains("**help** <b>x</b> # heading"), "{shown}");
    }
}

/// The text a reader sees (tags dropped, escapes and entities resolved).
fn rendered_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Text(text) | Event::Code(text) => Some(text.into_string()),
            Event::SoftBreak | Event::HardBreak => Some("\n".to_string()),
            _ => None,
        })
        .collect()
}

/// Parses the Markdown as GitHub would (CommonMark + tables) and checks that only our own
/// tags, links and emphasis come out: nothing from the SQL or the file names.
fn check_markdown(text: &str) {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let allowed_html = regex::Regex::new(r"^(</?(details|summary|pre|b|code)>|<br>)$").unwrap();
    let tag = regex::Regex::new(r"</?[a-zA-Z][^>]*>|<!--.*?-->").unwrap();
    let mut strong = 0;
    let mut items = 0;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                for found in tag.find_iter(&html) {
                    assert!(
                        allowed_html.is_match(found.as_str()),
                        "unexpected HTML {:?} in {html:?}",
                        found.as_str()
                    );
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => assert!(
                dest_url.starts_with("https://github.com/"),
                "unexpected link {dest_url}"
            ),
            Event::Start(Tag::Emphasis) => panic!("emphasis from escaped text"),
            Event::Start(Tag::Strong) => strong += 1,
            Event::Start(Tag::Heading { .. }) | Event::Start(Tag::Table(_)) => {}
            // Our lists: the findings and the schema changes, one item each.
            Event::Start(Tag::Item) => items += 1,
            Event::Start(Tag::BlockQuote(_)) => panic!("a quote from escaped text"),
            Event::Start(Tag::CodeBlock(_)) => panic!("a code block from escaped text"),
            _ => {}
        }
    }
    let changes = if text.contains("### Schema changes") {
        schema_changes().len()
    } else {
        0
    };
    let findings = text
        .lines()
        .filter(|l| {
            ["- 🛑 **", "- ⚠️ **", "- ℹ️ **"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .count();
    assert_eq!(
        items,
        changes + findings,
        "list items other than the findings and the schema changes"
    );
    // Ours: one per finding (`**error**`), one per fix, the list's title and at most one
    // "N more" line.
    let ours = text.matches("**error**").count()
        + text.matches("**warning**").count()
        + text.matches("**info**").count()
        + text.matches("**Fix:**").count()
        + 2;
    assert!(strong <= ours, "{strong} strong spans, {ours} of them ours");
    assert_eq!(
        text.matches("<details>").count(),
        text.matches("</details>").count()
    );
    assert_eq!(
        text.matches("<pre>").count(),
        text.matches("</pre>").count()
    );
}

#[test]
fn workflow_commands_escape_messages_and_properties() {
    let text = hostile_render(Format::Github);
    let hostile = text
        .lines()
        .find(|l| l.contains("fixture-hostile"))
        .expect("the hostile finding is annotated");
    let (head, message) = hostile
        .strip_prefix("::error ")
        .and_then(|rest| rest.split_once("::"))
        .expect("one command, properties and message separated by ::");
    assert_eq!(head, "file=db/1_<img src=x onerror=alert(1)>\"&'`*_[x](javascript%3Aalert(1))|@everyone%250A%2Ca%3Ab.sql,line=1,endLine=1,col=1,endColumn=5,title=fixture-hostile");
    assert!(
        !head.contains(":") && head.matches(',').count() == 5,
        "{head}"
    );
    assert!(
        message.contains(
            "alert(1)</script>%0D%0A::error::injected%0A%0A**help** <b>x</b>%0A# heading"
        ),
        "{message}"
    );
    assert!(
        message.contains("%250A"),
        "the % of the name is escaped: {message}"
    );
    // Every command is one line; errors come before warnings and notices.
    let kinds: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert!(
        kinds
            .iter()
            .all(|k| ["error", "warning", "notice"].contains(k)),
        "{kinds:?}"
    );
    let rank = |k: &&str| ["error", "warning", "notice"].iter().position(|x| x == k);
    assert!(
        kinds.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "{kinds:?}"
    );
}

#[test]
fn junit_is_well_formed_xml_with_hostile_input() {
    let mut findings = hostile_name_findings();
    findings[0].message.push('\u{1}');
    let dir = hostile_folder();
    let (sets, mut linted) = load(dir.path());
    linted.extend(findings);
    let text = report::render(
        &report(&sets, &linted),
        Format::Junit,
        &RenderOptions::default(),
    );
    let document = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let cases: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<&str> = cases.iter().filter_map(|c| c.attribute("name")).collect();
    let file = format!(
        "{}",
        dir.path().join(format!("{HOSTILE_NAME}.sql")).display()
    );
    assert!(names.contains(&file.as_str()), "{names:?}");
    let failure = document
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("type") == Some("fixture-hostile"))
        .expect("the hostile finding is a failure");
    assert!(failure
        .attribute("message")
        .unwrap()
        .contains("</script><script>alert(1)</script>\r\n::error::injected\u{fffd}"));
}

#[test]
fn junit_counts_match_the_fixture() {
    let text = render(Format::Junit, &RenderOptions::default());
    let document = roxmltree::Document::parse(&text).unwrap();
    let root = document.root_element();
    let cases = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    let failing = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
        .count();
    assert_eq!(root.attribute("tests"), Some(cases.to_string().as_str()));
    assert_eq!(
        root.attribute("failures"),
        Some(failing.to_string().as_str())
    );
    // Five files and one case for the finding about no file.
    assert_eq!(cases, 6);
    assert_eq!(failing, 2);
}

// ---------------------------------------------------------------------------------------
// HTML structure

/// Elements are balanced (void elements aside), ids are unique and nothing is fetched.
fn check_html_structure(html: &str) {
    let void = ["meta", "input", "br", "hr", "img", "link"];
    let tag = regex::Regex::new(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>").unwrap();
    let mut stack: Vec<String> = Vec::new();
    let mut in_raw = false;
    for found in tag.captures_iter(html) {
        let closing = &found[1] == "/";
        let name = found[2].to_ascii_lowercase();
        if in_raw && !(closing && (name == "script" || name == "style")) {
            continue;
        }
        if void.contains(&name.as_str()) {
            continue;
        }
        if closing {
            let open = stack.pop().unwrap_or_default();
            assert_eq!(open, name, "</{name}> closes <{open}>");
            in_raw = false;
        } else {
            in_raw = name == "script" || name == "style";
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    let ids: Vec<&str> = regex::Regex::new(r#" id="([^"]*)""#)
        .unwrap()
        .captures_iter(html)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    for fetch in [" src=", "<link", "@import", "url("] {
        assert!(!html.contains(fetch), "{fetch} would fetch something");
    }
}

#[test]
fn html_has_verdict_counts_filters_and_every_finding() {
    let (sets, findings) = fixture();
    let html = report::render(&report(&sets, &findings), Format::Html, &github_options());
    check_html_structure(&html);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<h1>✗ Gate failed</h1>"));
    assert!(html.contains("@media (prefers-color-scheme: dark)"));
    assert!(html.contains("@media print"));
    assert!(html.contains(r#"<meta name="viewport""#));
    // Filters are hidden until the script shows them, so without scripting all findings
    // are visible.
    assert!(html.contains(r#"<form id="filters" hidden>"#));
    for name in ["severity", "category", "status"] {
        assert!(html.contains(&format!(r#"name="{name}""#)), "{name} filter");
    }
    assert!(html.contains(r#"<select name="rule">"#) && html.contains(r#"<select name="file">"#));
    assert_eq!(
        html.matches("<article class=\"finding").count(),
        findings.len()
    );
    assert_eq!(
        html.matches(" hidden>").count(),
        1,
        "nothing else is hidden"
    );
    for finding in &findings {
        assert!(html.contains(&format!(r#"data-rule="{}""#, finding.rule)));
    }
    // The excerpt highlights the span, with line numbers.
    assert!(html.contains(r#"<span class="ln">3</span>  <mark>team_id uuid</mark>,"#));
    // Apply results: one row per file, the failed one marked; then the schema changes.
    let apply = html.split(r#"<section class="apply""#).nth(1).unwrap();
    let apply = apply.split("</section>").next().unwrap();
    assert_eq!(apply.matches("<tr").count(), 4, "a header and three files");
    assert!(apply.contains("Stopped at <code>testdata/report/supabase/migrations/20240102000000_hostile.sql</code>: 1 of 3 files applied"));
    assert!(apply.contains(r#"<tr class="failed"><td><code>20240102000000_hostile.sql</code></td><td>failed</td><td>3 ms</td>"#));
    assert!(apply.contains("<td>not reached</td>"));
    let changes = html.split(r#"<section id="changes""#).nth(1).unwrap();
    let changes = changes.split("</section>").next().unwrap();
    assert_eq!(changes.matches("<li>").count(), schema_changes().len());
    // The CSP pins the one inline script by its hash.
    let script = html
        .split("<script>")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    assert!(html.contains(&format!("script-src 'sha256-{hash}'")));
}

#[test]
fn html_puts_errors_first_and_collapses_what_needs_no_look() {
    let (sets, findings) = fixture();
    let html = report::render(&report(&sets, &findings), Format::Html, &github_options());
    check_html_structure(&html);
    // The verdict links to the errors, which come first, then the rest by severity.
    assert!(html.contains(r##"<a class="jump" href="#errors">Jump to the errors</a>"##));
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("no {needle}"));
    assert!(at(r#"<section class="severity" id="errors">"#) < at(r#"id="warnings">"#));
    assert!(at(r#"id="warnings">"#) < at(r#"id="infos">"#));
    let errors = html.split(r#"id="errors">"#).nth(1).unwrap();
    let errors = errors.split("</section>").next().unwrap();
    assert_eq!(
        errors.matches("<article").count(),
        errors.matches(r#"data-severity="error""#).count()
    );
    // A failed apply: the table open, the failed file first.
    let apply = html.split(r#"<section class="apply""#).nth(1).unwrap();
    assert!(apply.contains("<details open><summary>"), "{apply}");
    // How the parser did and how the server was reached help no reviewer: they are in the
    // run's details at the bottom, not in the header or the apply line.
    let header = html.split("</header>").next().unwrap();
    assert!(!header.contains("parsed"), "{header}");
    let apply_line = apply.split("</p>").next().unwrap();
    assert!(
        apply_line.ends_with("applied to PostgreSQL 15.18."),
        "{apply_line}"
    );
    let run = html.split(r#"<details id="run-details">"#).nth(1).unwrap();
    assert!(run.contains("100.0 % parsed by the SQL parser"), "{run}");
    assert!(
        run.contains("applied to PostgreSQL 15.18 (ephemeral)"),
        "{run}"
    );
    let first_row = apply.split("<tbody>").nth(1).unwrap().trim_start();
    assert!(
        first_row.starts_with(r#"<tr class="failed">"#),
        "{first_row}"
    );
    // Every file applied: the table closed.
    let mut applied = apply_results();
    applied.files.truncate(1);
    let mut clean = report(&sets, &findings);
    clean.apply = vec![applied];
    let html_clean = report::render(&clean, Format::Html, &github_options());
    let apply = html_clean
        .split(r#"<section class="apply""#)
        .nth(1)
        .unwrap();
    assert!(apply.contains("1 of 1 file applied"), "{apply}");
    assert!(
        apply.contains("<details><summary>The 1 file</summary>"),
        "{apply}"
    );
    // With scripting, only new findings at first; existing and suppressed a click away.
    assert!(html.contains(r#"<input type="checkbox" name="status" value="new" checked>"#));
    for status in ["existing", "suppressed"] {
        assert!(html.contains(&format!(
            r#"<input type="checkbox" name="status" value="{status}">"#
        )));
    }
    // Counts the script keeps in step with the filters; the state in the hash.
    assert!(html.contains(r#"<td data-count-severity="error" data-count-status="new">3</td>"#));
    assert!(html.contains("#filter="));
    // Line breaks in messages are kept.
    assert!(html.contains(".message, .help { white-space: pre-line; }"));
}

#[test]
fn html_without_findings_says_so() {
    let html = report::render(&report(&[], &[]), Format::Html, &RenderOptions::default());
    check_html_structure(&html);
    assert!(html.contains("<h1>✓ Gate passed</h1>"));
    assert!(html.contains("<p>No findings.</p>"));
}

// ---------------------------------------------------------------------------------------
// Markdown size limits

/// `count` findings spread over the fixture's files, each with an excerpt and help.
fn many_findings(count: usize) -> Vec<Finding> {
    let files = [PROFILES, HOSTILE];
    (0..count)
        .map(|i| {
            let severity = [Severity::Error, Severity::Warning, Severity::Info][i % 3];
            Finding::new(
                "fixture-many",
                severity,
                Category::Safety,
                format!(
                    "finding number {i} on `public.table_{i}` with a longish message to take room"
                ),
            )
            .with_help("a help text that explains what to do instead, at some length too")
            .with_location(at(files[i % 2], 1, 1, 3, 10))
            .with_object(format!("public.table_{i}"))
            .finish("")
        })
        .collect()
}

#[test]
fn comment_with_2000_findings_fits_and_points_to_the_html_report() {
    let (sets, _) = fixture();
    let findings = many_findings(2000);
    // The room the GitHub publisher leaves after its marker line.
    let limit = markdown::COMMENT_LIMIT - 80;
    let text = markdown::comment(&report(&sets, &findings), &github_options(), limit);
    assert!(
        text.len() <= markdown::COMMENT_LIMIT,
        "{} bytes",
        text.len()
    );
    assert!(
        text.len() > markdown::COMMENT_LIMIT - 2000,
        "uses the room: {}",
        text.len()
    );
    let more = regex::Regex::new(
        r"\*\*(\d+) more findings\*\* \([^)]*\) not shown here: \[the HTML report\]\(https://",
    )
    .unwrap();
    let shown = text.matches("finding number ").count();
    let left: usize = more.captures(&text).expect("a pointer to the report")[1]
        .parse()
        .unwrap();
    assert_eq!(shown + left, 2000);
    assert!(shown > 100, "{shown} shown");
    // Most severe first: a warning is shown only when every error is, an info only when
    // every warning is (2000 findings: 667 errors, 667 warnings, 666 infos).
    let count = |severity: &str| text.matches(&format!(" **{severity}** ")).count();
    let (errors, warnings, infos) = (count("error"), count("warning"), count("info"));
    assert_eq!(errors + warnings + infos, shown);
    assert!(errors > 0, "errors are shown first");
    assert!(
        warnings == 0 || errors == 667,
        "{errors} errors, {warnings} warnings"
    );
    assert!(
        infos == 0 || warnings == 667,
        "{warnings} warnings, {infos} infos"
    );
    assert!(
        !text.contains("<details><summary>SQL"),
        "excerpts are dropped first"
    );
    assert!(
        text.ends_with(")\n"),
        "ends with the pointer line, not cut: {}",
        &text[text.len() - 200..]
    );
    check_markdown(&text);
}

#[test]
fn comment_lists_errors_first_and_summarises_the_rest_within_its_budget() {
    let (sets, _) = fixture();
    // 45 findings: 15 errors, 15 warnings, 15 infos; 20 listed.
    assert_eq!(markdown::COMMENT_FINDINGS, 20);
    let text = markdown::comment(
        &report(&sets, &many_findings(45)),
        &github_options(),
        markdown::COMMENT_LIMIT,
    );
    let count = |severity: &str| text.matches(&format!(" **{severity}** ")).count();
    assert_eq!(count("error"), 15, "every error is listed");
    assert_eq!(count("warning"), 5);
    assert_eq!(count("info"), 0);
    assert!(
        text.contains(
            "**25 more findings** (10 warnings, 15 infos) not shown here: [the HTML report](https://"
        ),
        "{text}"
    );
    // The shown findings' SQL, once per statement (they all point at two statements).
    assert!(text.contains("<details><summary>SQL of 2 statements</summary>"));
    check_markdown(&text);
}

#[test]
fn summary_has_room_for_2000_findings() {
    let (sets, _) = fixture();
    let text = report::render(
        &report(&sets, &many_findings(2000)),
        Format::Summary,
        &github_options(),
    );
    assert!(text.len() <= markdown::SUMMARY_LIMIT);
    assert_eq!(text.matches("finding number ").count(), 2000);
    assert!(text.starts_with("## ❌ schemagate check: gate failed · <code>"));
}

#[test]
fn markdown_starts_with_the_verdict() {
    let (sets, findings) = fixture();
    let text = markdown::comment(
        &report(&sets, &findings),
        &RenderOptions::default(),
        markdown::COMMENT_LIMIT,
    );
    assert!(text.starts_with("### ❌ schemagate: gate failed"), "{text}");
    assert!(text.contains("\n| 🛑 error | 3 | 0 | 1 |\n"));
    // Without a GitHub context: no links to lines, no report link.
    assert!(!text.contains("/blob/0123"));
    assert!(!text.contains("Full HTML report"));
    // The folder once in the heading, files inside it by name.
    assert!(text.contains("<code>20240101000000\\_profiles.sql:10</code>"));
    assert!(
        !text.contains("<code>testdata/report/supabase/migrations/20240101000000\\_profiles.sql:")
    );
    // Existing findings only as a collapsed count.
    assert!(text.contains("<details><summary>1 existing finding</summary>"));
    assert!(!text.contains("fixture-unindexed-foreign-key"));
    // The publisher adds the marker line; the body has no comment of its own.
    assert!(!text.contains("<!--"));
}

// ---------------------------------------------------------------------------------------
// The command line: --format and --output

fn schemagate(args: &[&str]) -> std::process::Output {
    support::schemagate()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

#[test]
fn every_format_prints_on_stdout() {
    for format in [
        "tty", "json", "sarif", "gitlab", "github", "markdown", "summary", "comment", "html",
        "junit",
    ] {
        let output = schemagate(&["lint", "testdata/report", "--format", format]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: the fixture fails the gate"
        );
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("policy-user-metadata"), "{format}: {text}");
    }
}

#[test]
fn outputs_write_several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("reports/nested/report.html");
    let sarif = dir.path().join("results.sarif");
    let junit = dir.path().join("junit.xml");
    let output = schemagate(&[
        "lint",
        "testdata/report",
        "--format",
        "json",
        "--output",
        &format!("html={}", html.display()),
        "--output",
        &format!("SARIF={}", sarif.display()),
        "--output",
        &format!("junit={}", junit.display()),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stdout["passed"], false);
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .starts_with("<!doctype html>"));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    roxmltree::Document::parse(&std::fs::read_to_string(&junit).unwrap()).unwrap();
}

#[test]
fn an_unwritable_output_is_an_environment_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let target = blocker.join("report.html");
    let output = schemagate(&[
        "lint",
        "testdata/report",
        "--output",
        &format!("html={}", target.display()),
    ]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&target.display().to_string()), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing half-reported on stdout");
}

#[test]
fn a_malformed_output_is_a_usage_error() {
    for (spec, expected) in [
        ("report.html", "expected FORMAT=PATH"),
        ("pdf=report.pdf", "unknown format `pdf`"),
        ("html=", "no path"),
    ] {
        let output = schemagate(&["lint", "testdata/report", "--output", spec]);
        assert_eq!(output.status.code(), Some(2), "{spec}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{spec}: {stderr}");
        if !spec.ends_with('=') {
            assert!(
                stderr.contains("html, junit"),
                "{spec} lists the formats: {stderr}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The example's pull-request comment, as `--format comment` previews it

#[test]
fn the_examples_comment_fits_40_lines_and_shows_every_fix() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let output = support::schemagate()
        .args([
            "check",
            "testdata/example",
            "--format",
            "comment",
            "--output",
        ])
        .arg(format!("json={}", json.display()))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_SHA", sha)
        .output()
        .unwrap();
    support::assert_exit(&output, 1);
    let comment = support::text(&output.stdout);
    let folder = "testdata/example/supabase/migrations";
    assert!(
        comment.starts_with(&format!(
            "<!-- schemagate:{folder} -->\n### ❌ schemagate: gate failed"
        )),
        "{comment}"
    );
    let visible = support::visible_lines(&comment);
    assert!(visible.len() <= 40, "{} lines:\n{comment}", visible.len());
    let visible = visible.join("\n");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let new: Vec<&serde_json::Value> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "new")
        .collect();
    assert!(new.len() >= 5, "{document}");
    let shown = rendered_text(&visible);
    for finding in &new {
        let file = finding["location"]["file"].as_str().unwrap();
        let line = finding["location"]["line"].as_u64().unwrap();
        let name = file
            .strip_prefix(&format!("{folder}/"))
            .unwrap()
            .replace('_', "\\_");
        // One line per finding: its rule, its place linked to the commit's blob, its fix.
        let link = format!("https://github.com/acme/app/blob/{sha}/{file}#L{line}");
        let entry = visible
            .lines()
            .find(|l| {
                l.contains(&format!("{name}:{line}</code>]("))
                    && l.contains(finding["rule"].as_str().unwrap())
            })
            .unwrap_or_else(|| panic!("no line for {finding}:\n{comment}"));
        assert!(entry.contains(&link), "{entry}");
        let help = finding["help"].as_str().unwrap().replace('`', "");
        assert!(
            shown.contains(&help),
            "the fix of {finding} is hidden:\n{comment}"
        );
    }
    // The folder once; nothing about the parser or the server's binaries.
    // (escaped as Markdown shows it, outside the links).
    let shown_folder = format!("<code>{}", folder.replace('_', "\\_"));
    assert_eq!(comment.matches(&shown_folder).count(), 1, "{comment}");
    assert!(!comment.contains("parsed"), "{comment}");
    assert!(!comment.contains("/usr/lib/postgresql"), "{comment}");
    assert!(
        comment.contains("Applied 4 of 4 files to PostgreSQL "),
        "{comment}"
    );
    check_markdown(comment.split_once('\n').unwrap().1);
}

/// Run from a folder inside the clone, the comment names the folder and links the files
/// from the repository's top, as the publisher's marker does.
#[test]
fn comment_paths_and_links_start_at_the_repositorys_top() {
    let repo = support::git::Repo::new();
    repo.write(
        "db/supabase/migrations/20240101000000_t.sql",
        "create table public.t (id bigint primary key);\n",
    );
    let output = support::schemagate()
        .args(["lint", "supabase/migrations", "--format", "comment"])
        .current_dir(repo.path().join("db"))
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_SHA", "abc123")
        .output()
        .unwrap();
    support::assert_exit(&output, 1);
    let comment = support::text(&output.stdout);
    assert!(
        comment.starts_with(
            "<!-- schemagate:db/supabase/migrations -->\n### ❌ schemagate: gate failed · <code>db/supabase/migrations</code>"
        ),
        "{comment}"
    );
    assert!(
        comment.contains(
            "](https://github.com/acme/app/blob/abc123/db/supabase/migrations/20240101000000_t.sql#L1)"
        ),
        "{comment}"
    );
}

/// Several folders: the summary heads each folder's findings with it and names excerpts by
/// their whole path; `--format comment` prints one comment per folder.
#[test]
fn several_folders_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    for (folder, sql) in [
        ("a", "create table public.x (id bigint primary key);\n"),
        ("b", "create table public.y (id bigint primary key);\n"),
    ] {
        let path = dir.path().join(folder).join("supabase/migrations");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("20240101000000_t.sql"), sql).unwrap();
    }
    let run = |format: &str| {
        let output = support::schemagate()
            .args(["lint", ".", "--format", format])
            .current_dir(dir.path())
            .output()
            .unwrap();
        support::assert_exit(&output, 1);
        support::text(&output.stdout)
    };
    let summary = run("summary");
    for folder in ["a", "b"] {
        assert!(
            summary.contains(&format!(
                "\n<code>{folder}/supabase/migrations</code>\n\n- 🛑"
            )),
            "{summary}"
        );
        assert!(
            summary.contains(&format!(
                "<code>{folder}/supabase/migrations/20240101000000\\_t.sql:1</code> · "
            )),
            "{summary}"
        );
    }
    let comments = run("comment");
    assert_eq!(
        comments.matches("<!-- schemagate:").count(),
        2,
        "{comments}"
    );
    assert!(comments.contains("\n---\n\n<!-- schemagate:b/supabase/migrations -->\n"));
}

/// Each folder is linted while the next is read, and its text is dropped when no report
/// shows SQL: folders linted together report what each reports alone, and a terminal report written beside the JSON still shows the statements.
#[test]
fn folders_linted_together_report_what_each_reports_alone() {
    let dir = tempfile::tempdir().unwrap();
    let folders = [
        ("a", "create table public.x (id bigint primary key);\n"),
        (
            "b",
            "create table public.p (id bigint primary key);\nalter table public.p enable row level security;\ncreate table public.c (id bigint primary key, p bigint references public.p (id));\nalter table public.c enable row level security;\n",
        ),
        (
            "c",
            "create table public.z (id bigint primary key, note text);\nalter table public.z enable row level security;\n",
        ),
    ];
    for (folder, sql) in folders {
        let path = dir.path().join(folder).join("supabase/migrations");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("20240101000000_t.sql"), sql).unwrap();
    }
    std::fs::write(
        dir.path()
            .join("c/supabase/migrations/20240102000000_drop.sql"),
        "alter table public.z drop column note;\n",
    )
    .unwrap();
    let findings = |args: &[&str]| -> Vec<(String, String, u64)> {
        let output = support::schemagate()
            .args(["lint", "--format", "json"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let location = &f["location"];
                (
                    f["rule"].as_str().unwrap().to_string(),
                    location["file"].as_str().unwrap().to_string(),
                    location["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let mut together = findings(&["a", "b", "c", "--output", "tty=report.txt"]);
    let mut alone: Vec<_> = ["a", "b", "c"]
        .iter()
        .flat_map(|folder| findings(&[folder]))
        .collect();
    together.sort();
    alone.sort();
    assert_eq!(together, alone);
    for rule in ["rls-disabled", "unindexed-foreign-key", "ban-drop-column"] {
        assert!(together.iter().any(|(r, _, _)| r == rule), "{together:?}");
    }
    let tty = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(
        tty.contains("alter table public.z drop column note;"),
        "{tty}"
    );
}

// ---------------------------------------------------------------------------------------
// The terminal

#[test]
fn tty_shows_each_statement_once_folded_when_long_and_filters_by_severity() {
    let output = schemagate(&["lint", "testdata/example"]);
    assert_eq!(output.status.code(), Some(1));
    let text = support::text(&output.stdout);
    // Three findings on one policy: its SQL once, every rule marked in it.
    let policy = "using ((auth.jwt() -> 'user_metadata' ->> 'is_admin')::boolean);";
    assert_eq!(text.matches(policy).count(), 1, "{text}");
    assert!(text.contains("error[policy-user-metadata]"), "{text}");
    assert!(text.contains("warning[auth-rls-initplan]"), "{text}");
    // An 11-line function: its first lines, the fold, its last line.
    let function = text
        .split("error[security-definer-search-path]")
        .nth(1)
        .expect("the function's finding");
    assert!(
        function.contains("14 │ ┏ create function public.accept_invitation"),
        "{function}"
    );
    assert!(function.contains("┇"), "{function}");
    assert!(function.contains("24 │ ┃ $$;"), "{function}");
    // An element of a short statement: the statement and a line after the element.
    assert!(
        text.contains("\n2 │ create table public.invitations (\n"),
        "{text}"
    );

    let errors = schemagate(&["lint", "testdata/example", "--severity", "error"]);
    let errors = support::text(&errors.stdout);
    assert!(errors.contains("error[policy-user-metadata]"), "{errors}");
    assert!(!errors.contains("warning["), "{errors}");
    assert!(
        errors.contains("\n5 findings below error not shown (--severity)\n"),
        "{errors}"
    );
    let last = |text: &str| text.trim_end().lines().last().unwrap().to_string();
    assert_eq!(
        last(&errors),
        last(&text),
        "the summary still counts everything"
    );
}

#[test]
fn a_long_tty_report_ends_with_the_errors() {
    let (sets, _) = fixture();
    let findings = many_findings(30);
    let text = report::render(
        &report(&sets, &findings),
        Format::Tty,
        &RenderOptions::default(),
    );
    let recap = text
        .split("\n10 errors:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no recap:\n{text}"));
    let lines: Vec<&str> = recap.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 10, "{recap}");
    assert!(lines
        .iter()
        .all(|l| l.ends_with("  fixture-many") && l.contains(".sql:1")));
}
