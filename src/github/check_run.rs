//! The check run on the PR's head commit: created in progress, then completed with the
//! gate's conclusion, the Markdown summary and the annotations, at most 50 per request (the
//! API's limit; each update appends its annotations).

use super::annotation::Annotation;
use super::api::{ApiError, Client};
use super::context::Repository;
use serde_json::{json, Value};

/// The API accepts at most this many annotations per request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;

/// One check run: where it goes and what it shows. `title`, `summary` and `text` are
/// already under the API's size limits.
pub struct CheckRun<'a> {
    pub name: &'a str,
    pub head_sha: &'a str,
    pub details_url: Option<&'a str>,
    pub title: &'a str,
    pub summary: &'a str,
    pub text: &'a str,
    pub annotations: &'a [Annotation],
    /// `success`, `failure` or `neutral`.
    pub conclusion: &'a str,
}

/// Creates the check run on its head commit and completes it; returns its id.
pub fn publish(client: &Client, repo: &Repository, run: &CheckRun<'_>) -> Result<u64, ApiError> {
    let mut create = json!({ "name": run.name, "head_sha": run.head_sha, "status": "in_progress" });
    if let Some(url) = run.details_url {
        create["details_url"] = json!(url);
    }
    let create_path = format!("/repos/{repo}/check-runs");
    let created = client.post(&create_path, &create)?;
    // Without the id there is no run to complete; guessing one would update another run.
    let id = created["id"].as_u64().ok_or_else(|| ApiError::Reply {
        method: "POST",
        path: create_path,
        message: "has no check run `id`, so the run cannot be completed".to_string(),
    })?;
    let path = format!("/repos/{repo}/check-runs/{id}");
    let batches: Vec<&[Annotation]> = if run.annotations.is_empty() {
        vec![&[]]
    } else {
        run.annotations.chunks(ANNOTATIONS_PER_REQUEST).collect()
    };
    let last = batches.len() - 1;
    for (index, batch) in batches.into_iter().enumerate() {
        let mut body = json!({ "output": output_json(run, batch) });
        if index == last {
            body["conclusion"] = json!(run.conclusion);
        }
        client.patch(&path, &body)?;
    }
    Ok(id)
}

fn output_json(run: &CheckRun<'_>, annotations: &[Annotation]) -> Value {
    let mut value = json!({ "title": run.title, "summary": run.summary });
    if !run.text.is_empty() {
        value["text"] = json!(run.text);
    }
    if !annotations.is_empty() {
        value["annotations"] = json!(annotations);
    }
    value
}
