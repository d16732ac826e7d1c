//! The Docker action's contract, checked without Docker: every input declared in
//! `action.yml` reaches `schemagate check` (the token only through the environment), and the
//! step writes exactly the outputs `action.yml` declares.

mod support;

use schemagate::github::action::check_args;
use schemagate::github::{
    publish_with, Conclusion, Context, Counts, PublishInput, ReportPaths, Settings,
};
use std::collections::{BTreeSet, HashMap};

fn action_yml() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap()
}

/// The keys of a top-level mapping (`inputs:` or `outputs:`) in action.yml.
fn section_keys(section: &str) -> BTreeSet<String> {
    let text = action_yml();
    let mut keys = BTreeSet::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            inside = line == format!("{section}:");
        } else if inside {
            if let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
                if !key.starts_with(' ') {
                    keys.insert(key.to_string());
                }
            }
        }
    }
    keys
}

/// Inputs `action.yml` itself consumes (the image's PostgreSQL major), not passed to `check`.
const ACTION_ONLY_INPUTS: [&str; 1] = ["postgres-version"];

/// The inputs passed on to the container.
fn container_inputs() -> BTreeSet<String> {
    let mut inputs = section_keys("inputs");
    inputs.retain(|input| !ACTION_ONLY_INPUTS.contains(&input.as_str()));
    inputs
}

/// The variable each input is passed in, from `runs.env`: `INPUT_X: ${{ inputs.x }}`.
fn env_mapping() -> BTreeSet<(String, String)> {
    action_yml()
        .lines()
        .filter_map(|line| {
            let (variable, value) = line.trim().split_once(": ")?;
            let input = value.strip_prefix("${{ inputs.")?.strip_suffix(" }}")?;
            Some((variable.to_string(), input.to_string()))
        })
        .collect()
}

#[test]
fn every_input_is_passed_through_env() {
    let expected: BTreeSet<(String, String)> = container_inputs()
        .into_iter()
        .map(|input| {
            (
                format!("INPUT_{}", input.to_ascii_uppercase().replace('-', "_")),
                input,
            )
        })
        .collect();
    assert_eq!(env_mapping(), expected);
}

/// One image step per PostgreSQL major, each passing every input: a variable missing from one
/// step would only show with that major.
#[test]
fn every_image_step_passes_every_input() {
    let text = action_yml();
    let steps = text
        .lines()
        .filter(|line| line.trim().starts_with("uses: docker://"))
        .count();
    assert_eq!(steps, 2, "one image per PostgreSQL major");
    for (variable, _) in env_mapping() {
        let passed = text
            .lines()
            .filter(|line| line.trim().starts_with(&format!("{variable}: ")))
            .count();
        assert_eq!(
            passed, steps,
            "{variable} is not passed by every image step"
        );
    }
}

#[test]
fn every_input_reaches_check() {
    let inputs = container_inputs();
    assert_eq!(inputs.len(), 9, "{inputs:?}");
    // As `runs.env` passes them, and as the runner itself names them.
    let underscores = |name: &str| format!("INPUT_{}", name.to_ascii_uppercase().replace('-', "_"));
    let hyphens = |name: &str| format!("INPUT_{}", name.to_ascii_uppercase());
    for (input, variable) in inputs
        .iter()
        .flat_map(|i| [(i, underscores(i)), (i, hyphens(i))])
    {
        let value = match input.as_str() {
            "comment" | "check-run" => "false".to_string(),
            _ => format!("value-of-{input}"),
        };
        let env: HashMap<String, String> = [(variable, value.clone())].into();
        let args = check_args(&env).unwrap();
        let joined = args.join(" ");
        match input.as_str() {
            "github-token" => {
                assert!(
                    !joined.contains(&value),
                    "the token must not be an argument"
                );
                let ctx = Context::from_env(&env, None).unwrap();
                assert_eq!(ctx.token.unwrap().expose(), value);
            }
            "comment" => assert!(args.contains(&"--no-comment".to_string())),
            "check-run" => assert!(args.contains(&"--no-check-run".to_string())),
            _ => assert!(
                joined.contains(&value),
                "input {input} is not passed on: {joined}"
            ),
        }
    }
}

#[test]
fn outputs_match_action_yml() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("output");
    let env: HashMap<String, String> = [(
        "GITHUB_OUTPUT".to_string(),
        output.to_str().unwrap().to_string(),
    )]
    .into();
    let ctx = Context::from_env(&env, None).unwrap();
    let input = PublishInput {
        comments: Vec::new(),
        summary_markdown: String::new(),
        annotations: Vec::new(),
        conclusion: Conclusion::Neutral,
        counts: Counts::default(),
        reports: ReportPaths::default(),
    };
    let settings = Settings {
        comment: false,
        check_run: false,
        check_name: "schemagate".to_string(),
    };
    publish_with(&ctx, &settings, &input, None, &mut Vec::new()).unwrap();
    let written: BTreeSet<String> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once("<<").map(|(name, _)| name.to_string()))
        .collect();
    assert_eq!(written, section_keys("outputs"));
}

#[test]
fn entrypoint_rejects_bad_inputs_without_showing_the_token() {
    let token = "ghs_entrypointSecret0000000000000000000";
    let output = support::schemagate()
        .arg("action")
        .env("INPUT_GITHUB_TOKEN", token)
        .env("GITHUB_TOKEN", token)
        .env("INPUT_COMMENT", "maybe")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`comment`"), "{stderr}");
    assert!(!stdout.contains(token) && !stderr.contains(token));
}
