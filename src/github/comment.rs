//! The sticky PR comment: one per pull request and migrations folder, found again by a hidden
//! marker, edited in place so the PR's conversation does not fill with bot comments.

use super::api::{ApiError, Client};
use super::context::Repository;
use super::Delivery;
use serde_json::json;

/// The hidden first line that identifies our comment for `folder`. `>` is escaped so no
/// folder name can end the HTML comment early.
pub fn marker(folder: &str) -> String {
    let folder: String = folder
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("<!-- schemagate:{} -->", folder.replace('>', "&gt;"))
}

/// Creates or updates the comment that starts with `marker`, searching every page of the
/// PR's comments. `clean` (no findings) with no earlier comment posts nothing; an earlier
/// comment is always updated, so a fixed PR says so.
pub fn upsert(
    client: &Client,
    repo: &Repository,
    pr_number: u64,
    marker: &str,
    body: &str,
    clean: bool,
) -> Result<Delivery, ApiError> {
    let comments = client.get_all(&format!(
        "/repos/{repo}/issues/{pr_number}/comments?per_page=100"
    ))?;
    let existing = comments.iter().find_map(|comment| {
        let ours = comment["body"]
            .as_str()
            .is_some_and(|b| b.trim_start().starts_with(marker));
        ours.then(|| comment["id"].as_u64()).flatten()
    });
    let body = json!({ "body": format!("{marker}\n{body}") });
    match existing {
        Some(id) => {
            client.patch(&format!("/repos/{repo}/issues/comments/{id}"), &body)?;
            Ok(Delivery::Updated(id))
        }
        None if clean => Ok(Delivery::Skipped("no findings and no earlier comment")),
        None => {
            let created =
                client.post(&format!("/repos/{repo}/issues/{pr_number}/comments"), &body)?;
            Ok(Delivery::Created(
                created["id"].as_u64().unwrap_or_default(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_cannot_break_out() {
        assert_eq!(
            marker("supabase/migrations"),
            "<!-- schemagate:supabase/migrations -->"
        );
        assert_eq!(marker("a-->b\nc"), "<!-- schemagate:a--&gt;b c -->");
    }
}
