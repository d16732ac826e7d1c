//! Publishing a run on GitHub: the sticky PR comment, the check run with annotations, the job
//! summary and the step outputs, with workflow commands as the fallback when the token may
//! not write (fork PRs). See docs/github.md.

pub mod action;
pub mod annotation;
pub mod api;
mod check_run;
mod comment;
pub mod context;
mod publish;
pub mod step;
pub mod stop_commands;

pub use annotation::{Annotation, AnnotationLevel};
pub use context::{Context, PullRequest, Repository, Token};
pub use publish::{
    annotations, publish, publish_with, Conclusion, Counts, Delivery, FolderComment, PublishInput,
    PublishOutcome, ReportPaths, Settings,
};

/// GitHub's limit for check-run output fields (bytes) and comment bodies (characters):
/// a text of this many bytes or fewer fits both.
pub(crate) const MAX_TEXT: usize = 65_534;

/// The hidden first line of `folder`'s sticky comment.
pub fn comment_marker(folder: &str) -> String {
    comment::marker(folder)
}

/// The room for one folder's comment body: the limit less the comment's marker line.
pub fn comment_room(folder: &str) -> usize {
    MAX_TEXT.saturating_sub(comment::marker(folder).len() + 1)
}

/// `text` cut to at most `max` bytes including `note`, at a line end when one is near, so
/// Markdown is not cut mid-line; unchanged when it fits.
pub(crate) fn truncate(text: &str, max: usize, note: &str) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max.saturating_sub(note.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if let Some(newline) = text[..cut].rfind('\n') {
        if newline >= cut / 2 {
            cut = newline + 1;
        }
    }
    format!("{}{note}", &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_at_a_line_and_char_boundary() {
        assert_eq!(truncate("short", 10, "!"), "short");
        let text = "line one\nline two é\n".repeat(10);
        let cut = truncate(&text, 50, "[cut]");
        assert!(cut.len() <= 50, "{}", cut.len());
        assert!(cut.ends_with("\n[cut]"), "{cut}");
        let accents = "é".repeat(10);
        let cut = truncate(&accents, 5, "");
        assert_eq!(cut, "éé");
    }
}
