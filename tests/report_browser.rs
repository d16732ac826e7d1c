//! The HTML report's script run by a real browser: headless Chromium (Debian's `chromium`)
//! opens a report that `check` wrote (on a throwaway PostgreSQL), in a state given by the
//! URL's hash, and a test-only probe script clicks, ticks and chooses as a reviewer would,
//! recording after each step which findings are shown, the counts, the form and the hash.
//! The records are read from the page Chromium dumps (`--dump-dom`). No timing: every step
//! waits for its event.
//!
//! Ignored by default (it needs Chromium); `.ci/run` installs Chromium and runs it:
//! `cargo test --test report_browser -- --ignored`.

mod support;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Three files: a policy on a table without row level security, trusting user metadata (two
/// errors and a warning on one statement), a file whose name needs escaping with a
/// suppressed finding and two warnings, and a file that fails to apply (an error whose
/// message has two lines, and a warning).
const FILES: [(&str, &str); 3] = [
    (
        "20240101000000_profiles.sql",
        "create table public.profiles (\n  id uuid primary key,\n  role text\n);\n\n\
         create policy \"admins read all\" on public.profiles for select\n  \
         using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');\n",
    ),
    (
        "20240102000000_teams,a&b=c.sql",
        "create table public.teams (id uuid primary key, owner uuid references public.profiles (id));\n\
         alter table public.teams enable row level security;\n\
         -- schemagate-ignore policy-user-metadata: copied from app_metadata by a trigger\n\
         create policy \"members read team\" on public.teams for select\n  \
         using ((auth.jwt() -> 'user_metadata' ->> 'team') = id::text);\n",
    ),
    (
        "20240103000000_broken.sql",
        "alter table public.profiles add column team uuid references public.missing (id);\n",
    ),
];

const PROFILES: &str = "20240101000000_profiles.sql";
const TEAMS: &str = "20240102000000_teams,a&b=c.sql";
const BROKEN: &str = "20240103000000_broken.sql";

/// The reports, written once: the fixture checked (one file fails to apply), and the same
/// without the broken file (everything applies).
struct Reports {
    _dir: tempfile::TempDir,
    failed: PathBuf,
    applied: PathBuf,
}

fn reports() -> &'static Reports {
    static REPORTS: OnceLock<Reports> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let write = |files: &[(&str, &str)], name: &str, code: i32| {
            let project = support::supabase_project(files);
            let page = dir.path().join(name);
            let output = support::schemagate()
                .args(["check", ".", "-q", "--output"])
                .arg(format!("html={}", page.display()))
                .current_dir(project.path())
                .output()
                .unwrap();
            support::assert_exit(&output, code);
            page
        };
        Reports {
            failed: write(&FILES, "failed.html", 1),
            applied: write(&FILES[..2], "applied.html", 1),
            _dir: dir,
        }
    })
}

/// The test-only probe, run after the report's script: performs `ACTIONS` one by one
/// (waiting for `hashchange` after a hash change) and records the page after loading and
/// after each, into `<pre id="probe">`.
const PROBE: &str = r#"
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var records = [];
  function name(file) { return file.split("/").pop(); }
  function record() {
    var counts = {};
    document.querySelectorAll("[data-count-status]").forEach(function (cell) {
      var key = (cell.dataset.countSeverity || cell.dataset.countCategory) + "/" + cell.dataset.countStatus;
      counts[key] = Number(cell.textContent);
    });
    var sections = {};
    document.querySelectorAll("section.severity").forEach(function (section) {
      sections[section.id] = section.hidden ? "hidden" :
        Number(section.querySelector("[data-section-count]").textContent);
    });
    var checked = {};
    form.querySelectorAll("input[type=checkbox]").forEach(function (input) {
      checked[input.name] = checked[input.name] || [];
      if (input.checked) { checked[input.name].push(input.value); }
    });
    var errors = document.getElementById("errors");
    records.push({
      form_hidden: form.hidden,
      shown_text: document.getElementById("shown").textContent,
      visible: Array.prototype.filter.call(document.querySelectorAll(".finding"), function (f) {
        return !f.hidden && f.offsetParent !== null;
      }).map(function (f) {
        return f.dataset.rule + " " + name(f.dataset.file) + " " + f.dataset.status;
      }),
      // As laid out: `innerText` keeps a line break only where the style shows one.
      messages: Array.prototype.map.call(document.querySelectorAll(".finding .message"), function (m) {
        return m.innerText;
      }),
      excerpts: Array.prototype.filter.call(document.querySelectorAll(".excerpt"), function (e) {
        return e.offsetParent !== null;
      }).length,
      counts: counts,
      sections: sections,
      checked: checked,
      rule: form.elements.rule.value,
      file: form.elements.file.value,
      hash: decodeURIComponent(location.hash),
      errors_in_view: errors !== null && errors.getBoundingClientRect().top < window.innerHeight &&
        errors.getBoundingClientRect().bottom > 0
    });
  }
  var steps = {
    tick: function (a) {
      form.querySelector('input[name="' + a[0] + '"][value="' + a[1] + '"]').checked = a[2];
      form.dispatchEvent(new Event("change", { bubbles: true }));
    },
    select: function (a) {
      form.elements[a[0]].value = a[1];
      form.elements[a[0]].dispatchEvent(new Event("change", { bubbles: true }));
    },
    click: function (selector) { document.querySelector(selector).click(); }
  };
  function run(actions) {
    if (actions.length === 0) {
      var out = document.createElement("pre");
      out.id = "probe";
      out.textContent = JSON.stringify(records);
      document.body.appendChild(out);
      return;
    }
    var action = actions[0];
    var next = function () { record(); run(actions.slice(1)); };
    if (action.hash !== undefined) {
      window.addEventListener("hashchange", next, { once: true });
      location.hash = action.hash;
      return;
    }
    Object.keys(action).forEach(function (key) { steps[key](action[key]); });
    next();
  }
  // From the page's end, so scrolling to the errors is seen.
  window.scrollTo(0, document.body.scrollHeight);
  record();
  run(ACTIONS);
})();
"#;

fn chromium() -> String {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .unwrap_or_else(|| panic!("Chromium is not installed: apt-get install chromium"))
        .to_string()
}

/// The DOM Chromium serializes after loading `page` (scripts run until idle).
fn dump_dom(page: &Path, hash: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium())
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1200,800",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}{hash}", page.display()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        support::text(&output.stderr)
    );
    support::text(&output.stdout)
}

/// Opens `page` at `hash`, performs `actions` and returns the probe's records: one after
/// loading, one after each action.
fn browse(page: &Path, hash: &str, actions: Value) -> Vec<Value> {
    browse_with(page, hash, actions, true)
}

/// [`browse`], with the report's own script allowed by the page's policy or not.
fn browse_with(page: &Path, hash: &str, actions: Value, report_script: bool) -> Vec<Value> {
    use base64::Engine;
    use sha2::Digest;
    let html = std::fs::read_to_string(page).unwrap();
    let probe = PROBE.replace("ACTIONS", &actions.to_string());
    let hash_of = |script: &str| {
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script))
    };
    // The page's policy allows the report's script by its hash; the probe is allowed too.
    // Without the report's script, its hash is spoilt (`'none-sha256-…'` allows nothing).
    let policy = "script-src '";
    assert!(html.contains(policy), "the report has no script policy");
    let allowed = if report_script { " '" } else { " 'none-" };
    let probed = html
        .replacen(
            policy,
            &format!("script-src 'sha256-{}'{allowed}", hash_of(&probe)),
            1,
        )
        .replacen("</body>", &format!("<script>{probe}</script></body>"), 1);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("report.html");
    std::fs::write(&copy, probed).unwrap();
    let dom = dump_dom(&copy, hash);
    let Some(text) = dom
        .split(r#"<pre id="probe">"#)
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
    else {
        panic!(
            "the probe did not finish: the report's script failed or an event never came\n{dom}"
        );
    };
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    let records: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(records.len(), actions.as_array().unwrap().len() + 1);
    records
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn visible(record: &Value) -> Vec<String> {
    strings(&record["visible"])
}

/// The findings of the fixture by rule, file and status, in the page's order.
const ERROR_RLS: &str = "policy-without-rls 20240101000000_profiles.sql new";
const ERROR_PROFILES: &str = "policy-user-metadata 20240101000000_profiles.sql new";
const ERROR_APPLY: &str = "apply-failed 20240103000000_broken.sql new";
const SUPPRESSED: &str = "policy-user-metadata 20240102000000_teams,a&b=c.sql suppressed";
const WARNING_PROFILES: &str = "auth-rls-initplan 20240101000000_profiles.sql new";
const WARNING_BROKEN: &str = "unindexed-foreign-key 20240103000000_broken.sql new";
const WARNING_TEAMS_FK: &str = "unindexed-foreign-key 20240102000000_teams,a&b=c.sql new";
const WARNING_TEAMS_INITPLAN: &str = "auth-rls-initplan 20240102000000_teams,a&b=c.sql new";

#[test]
#[ignore = "needs Chromium (apt-get install chromium); .ci/run installs it"]
fn at_first_only_new_findings_are_shown_and_counted() {
    let records = browse(&reports().failed, "", json!([]));
    let first = &records[0];
    assert_eq!(first["form_hidden"], false, "the script shows the filters");
    assert_eq!(
        visible(first),
        [
            ERROR_RLS,
            ERROR_PROFILES,
            ERROR_APPLY,
            WARNING_PROFILES,
            WARNING_TEAMS_FK,
            WARNING_TEAMS_INITPLAN,
            WARNING_BROKEN
        ],
        "errors first, the suppressed finding hidden"
    );
    assert_eq!(first["shown_text"], "7 of 8 findings shown");
    assert_eq!(first["sections"], json!({"errors": 3, "warnings": 4}));
    assert_eq!(first["counts"]["error/new"], 3);
    assert_eq!(first["counts"]["error/suppressed"], 0);
    assert_eq!(first["counts"]["security/new"], 2);
    // The two errors on the policy share its SQL: six excerpts for seven findings.
    assert_eq!(first["excerpts"], 6);
    assert_eq!(first["checked"]["status"], json!(["new"]));
    assert_eq!(first["hash"], "", "loading does not write the hash");
    // The server's error and its cause on two lines.
    let failed = strings(&first["messages"])
        .into_iter()
        .find(|m| m.contains("42P01"))
        .unwrap();
    assert!(failed.contains("does not exist\n"), "{failed:?}");
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); .ci/run installs it"]
fn the_hash_restores_filters_and_the_counts_follow() {
    // Errors only, suppressed ones too.
    let records = browse(
        &reports().failed,
        "#filter=severity=error&status=new,suppressed",
        json!([
            {"hash": format!("#filter=severity=warning&status=new&file={}", urlencode(&format!("supabase/migrations/{TEAMS}")))},
            {"hash": "#filter=status=new,suppressed&rule=policy-user-metadata"},
        ]),
    );
    let errors = &records[0];
    assert_eq!(
        visible(errors),
        [ERROR_RLS, ERROR_PROFILES, SUPPRESSED, ERROR_APPLY],
        "{errors}"
    );
    assert_eq!(errors["checked"]["severity"], json!(["error"]));
    assert_eq!(errors["checked"]["status"], json!(["new", "suppressed"]));
    assert_eq!(
        errors["sections"],
        json!({"errors": 4, "warnings": "hidden"})
    );
    assert_eq!(errors["shown_text"], "4 of 8 findings shown");
    assert_eq!(errors["counts"]["error/new"], 3);
    assert_eq!(errors["counts"]["error/suppressed"], 1);
    assert_eq!(errors["counts"]["warning/new"], 0);
    assert_eq!(errors["counts"]["performance/new"], 0);
    // A file whose name has `,`, `&` and `=` in it, through the hash.
    let teams = &records[1];
    assert_eq!(
        visible(teams),
        [WARNING_TEAMS_FK, WARNING_TEAMS_INITPLAN],
        "{teams}"
    );
    assert_eq!(teams["file"], format!("supabase/migrations/{TEAMS}"));
    assert_eq!(
        teams["sections"],
        json!({"errors": "hidden", "warnings": 2})
    );
    assert_eq!(teams["counts"]["warning/new"], 2);
    assert_eq!(teams["counts"]["error/new"], 0);
    // What the hash leaves out is as on a fresh load (every severity, every file), not
    // what the previous hash chose.
    let rule = &records[2];
    assert_eq!(visible(rule), [ERROR_PROFILES, SUPPRESSED], "{rule}");
    assert_eq!(rule["checked"]["severity"], json!(["error", "warning"]));
    assert_eq!(rule["file"], "");
    assert_eq!(rule["rule"], "policy-user-metadata");
    // The policy's first finding is hidden: its SQL shows under the second.
    assert_eq!(rule["excerpts"], 2);
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); .ci/run installs it"]
fn the_form_writes_the_hash_and_the_toggles_show_and_hide() {
    let records = browse(
        &reports().failed,
        "",
        json!([
            {"tick": ["severity", "warning", false]},
            {"tick": ["status", "suppressed", true]},
            {"select": ["file", format!("supabase/migrations/{PROFILES}")]},
            {"click": "#show-all"},
            {"click": "#only-new"},
        ]),
    );
    let no_warnings = &records[1];
    assert_eq!(
        visible(no_warnings),
        [ERROR_RLS, ERROR_PROFILES, ERROR_APPLY]
    );
    assert_eq!(
        no_warnings["hash"],
        "#filter=severity=error&category=security,performance,apply&status=new"
    );
    let suppressed = &records[2];
    assert_eq!(
        visible(suppressed),
        [ERROR_RLS, ERROR_PROFILES, SUPPRESSED, ERROR_APPLY]
    );
    assert_eq!(suppressed["counts"]["security/suppressed"], 1);
    let profiles = &records[3];
    assert_eq!(visible(profiles), [ERROR_RLS, ERROR_PROFILES]);
    assert_eq!(
        profiles["hash"],
        format!("#filter=severity=error&category=security,performance,apply&status=new,suppressed&file=supabase/migrations/{PROFILES}")
    );
    let all = &records[4];
    assert_eq!(visible(all).len(), 8, "{all}");
    assert_eq!(all["shown_text"], "8 of 8 findings shown");
    assert_eq!(all["file"], "");
    assert_eq!(all["counts"]["error/suppressed"], 1);
    let reset = &records[5];
    assert_eq!(visible(reset), visible(&records[0]), "back to new findings");
    assert_eq!(reset["checked"]["status"], json!(["new"]));
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); .ci/run installs it"]
fn jump_to_the_errors_shows_them_and_scrolls_to_them() {
    let records = browse(
        &reports().failed,
        &format!(
            "#filter=severity=warning&status=new&file={}",
            urlencode(&format!("supabase/migrations/{TEAMS}"))
        ),
        json!([{"click": "a.jump"}]),
    );
    let before = &records[0];
    assert_eq!(
        visible(before),
        [WARNING_TEAMS_FK, WARNING_TEAMS_INITPLAN],
        "{before}"
    );
    assert_eq!(before["errors_in_view"], false);
    // The file's only error is suppressed: the file filter is let go so the new errors show.
    let after = &records[1];
    assert_eq!(
        visible(after),
        [
            ERROR_RLS,
            ERROR_PROFILES,
            ERROR_APPLY,
            WARNING_PROFILES,
            WARNING_TEAMS_FK,
            WARNING_TEAMS_INITPLAN,
            WARNING_BROKEN
        ],
        "{after}"
    );
    assert_eq!(after["errors_in_view"], true, "scrolled to the errors");
    assert_eq!(after["checked"]["severity"], json!(["error", "warning"]));
    assert_eq!(after["file"], "");
    assert_eq!(
        after["hash"],
        "#filter=severity=error,warning&category=security,performance,apply&status=new",
        "the filter state stays in the hash"
    );
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); .ci/run installs it"]
fn without_the_script_everything_is_shown() {
    // The report's script blocked by the page's policy, as with scripting off (Chromium
    // dumps no page with scripting off, so the probe still runs).
    let records = browse_with(
        &reports().failed,
        "#filter=severity=error",
        json!([]),
        false,
    );
    let page = &records[0];
    assert_eq!(page["form_hidden"], true);
    assert_eq!(visible(page).len(), 8, "{page}");
    assert_eq!(page["sections"], json!({"errors": 4, "warnings": 4}));
    assert_eq!(page["counts"]["error/suppressed"], 1);
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); .ci/run installs it"]
fn the_apply_table_opens_on_a_failure_with_the_failed_file_first() {
    let dom = dump_dom(&reports().failed, "");
    let apply = dom.split(r#"<section class="apply""#).nth(1).unwrap();
    assert!(apply.contains("<details open=\"\">"), "{apply}");
    let first_row = apply.split("<tbody>").nth(1).unwrap().trim_start();
    assert!(
        first_row.starts_with(&format!(
            r#"<tr class="failed"><td><code>{BROKEN}</code></td><td>failed</td>"#
        )),
        "{first_row}"
    );
    let dom = dump_dom(&reports().applied, "");
    let apply = dom.split(r#"<section class="apply""#).nth(1).unwrap();
    assert!(
        apply.contains("<details><summary>The 2 files</summary>"),
        "{apply}"
    );
}

/// `encodeURIComponent`, for the hashes the tests write.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
