//! The Docker action's entrypoint logic: action inputs arrive as environment variables and
//! become the arguments of `schemagate check`. Inputs never pass through a shell, and the
//! token is not among the arguments (it is read from the environment by [`super::Context`]).

use super::context::Context;
use crate::Failure;
use std::collections::HashMap;

/// Where reports go when the `report-dir` input is empty.
pub const DEFAULT_REPORT_DIR: &str = "schemagate-report";

/// The value of action input `name` (e.g. `database-url`), `None` when unset or empty.
///
/// `action.yml` maps every input to `INPUT_<NAME>` with underscores (`INPUT_DATABASE_URL`)
/// through `env:`, because the runner's own variables keep the hyphen (`INPUT_DATABASE-URL`),
/// which shells cannot name and some runner versions did not pass to containers; the
/// hyphenated spelling is the fallback.
pub fn input<'e>(env: &'e HashMap<String, String>, name: &str) -> Option<&'e str> {
    let upper = name.to_ascii_uppercase();
    [upper.replace('-', "_"), upper]
        .iter()
        .filter_map(|key| env.get(&format!("INPUT_{key}")))
        .map(|value| value.trim())
        .find(|value| !value.is_empty())
}

/// `check` arguments for the inputs in `env` (without the program name).
pub fn check_args(env: &HashMap<String, String>) -> Result<Vec<String>, Failure> {
    let input = |name: &str| input(env, name);
    let mut args = vec!["check".to_string(), "--github".to_string()];
    for (name, flag) in [
        ("database-url", "--database-url"),
        ("config", "--config"),
        ("fail-on", "--fail-on"),
    ] {
        if let Some(value) = input(name) {
            args.push(format!("{flag}={value}"));
        }
    }
    let base = match input("base") {
        Some(base) => Some(base.to_string()),
        None => Context::from_env(env, None)?.base_sha,
    };
    if let Some(base) = base {
        args.push(format!("--base={base}"));
    }
    for (name, flag) in [("comment", "--no-comment"), ("check-run", "--no-check-run")] {
        if !boolean(name, input(name))? {
            args.push(flag.to_string());
        }
    }
    let dir = input("report-dir")
        .unwrap_or(DEFAULT_REPORT_DIR)
        .trim_end_matches('/');
    for (format, file) in [
        ("html", "schemagate.html"),
        ("sarif", "schemagate.sarif"),
        ("json", "schemagate.json"),
    ] {
        args.push(format!("--output={format}={dir}/{file}"));
    }
    // Last, after `--`, so a path starting with `-` is still a path.
    args.push("--".to_string());
    args.push(input("path").unwrap_or(".").to_string());
    Ok(args)
}

/// An action boolean input: YAML 1.2 core schema spellings, default true.
fn boolean(name: &str, value: Option<&str>) -> Result<bool, Failure> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(Failure::Usage(format!(
            "the action input `{name}` is {other:?}; use true or false"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_use_the_pr_base_and_report_dir() {
        let event = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            event.path(),
            r#"{"pull_request": {"number": 3, "head": {"sha": "h"}, "base": {"sha": "b0b"}}}"#,
        )
        .unwrap();
        let args = check_args(&env(&[
            ("GITHUB_EVENT_PATH", event.path().to_str().unwrap()),
            ("INPUT_PATH", ""),
            ("INPUT_COMMENT", "true"),
        ]))
        .unwrap();
        assert_eq!(
            args,
            [
                "check",
                "--github",
                "--base=b0b",
                "--output=html=schemagate-report/schemagate.html",
                "--output=sarif=schemagate-report/schemagate.sarif",
                "--output=json=schemagate-report/schemagate.json",
                "--",
                "."
            ]
        );
    }

    #[test]
    fn inputs_map_to_flags_without_a_shell() {
        let args = check_args(&env(&[
            ("INPUT_PATH", "-odd; rm -rf / $(x)"),
            ("INPUT_DATABASE_URL", "postgres://u@db/x"),
            ("INPUT_DATABASE-URL", "postgres://ignored@db/x"),
            ("INPUT_CONFIG", "ci/schemagate.toml"),
            ("INPUT_FAIL-ON", "warning"),
            ("INPUT_BASE", "origin/main"),
            ("INPUT_COMMENT", "False"),
            ("INPUT_CHECK-RUN", "false"),
            ("INPUT_REPORT-DIR", "out/"),
            ("INPUT_GITHUB-TOKEN", "ghs_secret"),
        ]))
        .unwrap();
        assert_eq!(
            args,
            [
                "check",
                "--github",
                "--database-url=postgres://u@db/x",
                "--config=ci/schemagate.toml",
                "--fail-on=warning",
                "--base=origin/main",
                "--no-comment",
                "--no-check-run",
                "--output=html=out/schemagate.html",
                "--output=sarif=out/schemagate.sarif",
                "--output=json=out/schemagate.json",
                "--",
                "-odd; rm -rf / $(x)"
            ]
        );
        assert!(!args.iter().any(|a| a.contains("ghs_")));
    }

    #[test]
    fn merge_queue_uses_the_merge_group_base() {
        let event = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            event.path(),
            r#"{"merge_group": {"head_sha": "h", "base_sha": "cafe"}}"#,
        )
        .unwrap();
        let args = check_args(&env(&[(
            "GITHUB_EVENT_PATH",
            event.path().to_str().unwrap(),
        )]))
        .unwrap();
        assert!(args.contains(&"--base=cafe".to_string()), "{args:?}");
    }

    #[test]
    fn bad_boolean_is_a_usage_error() {
        let error = check_args(&env(&[("INPUT_COMMENT", "yes please")])).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(error.to_string().contains("`comment`"), "{error}");
    }
}
