//! "Schema changes in this pull request": the base → branch catalog changes as a list, for
//! the terminal and for Markdown (PR comment, job summary).

use crate::diff::{describe, Change};

pub const TITLE: &str = "Schema changes in this pull request";

/// `Schema changes in this pull request (2):` and one indented line per change.
pub fn tty(changes: &[Change]) -> String {
    if changes.is_empty() {
        return format!("{TITLE}: none\n");
    }
    let mut out = format!("{TITLE} ({}):\n", changes.len());
    for change in changes {
        out.push_str("  ");
        out.push_str(&describe::line(change));
        out.push('\n');
    }
    out
}

/// A heading and a bullet list, every name escaped (object names can hold Markdown and
/// HTML syntax).
pub fn markdown(changes: &[Change]) -> String {
    let mut out = format!("### {TITLE}\n\n");
    if changes.is_empty() {
        out.push_str("No schema changes.\n");
        return out;
    }
    for change in changes {
        out.push_str("- ");
        out.push_str(&escape(&describe::line(change)));
        out.push('\n');
    }
    out
}

/// Inline Markdown text that shows as written: HTML's specials as entities, Markdown's
/// punctuation behind a backslash.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_object_names() {
        let changes = [Change::Added {
            kind: "table".to_string(),
            identity: "public.\"<img src=x>*x*\"".to_string(),
        }];
        let text = markdown(&changes);
        assert_eq!(
            text,
            "### Schema changes in this pull request\n\n- \\+ table public\\.\\\"&lt;img src=x&gt;\\*x\\*\\\"\n"
        );
        assert!(!text.contains('<'));
        assert_eq!(
            markdown(&[]),
            "### Schema changes in this pull request\n\nNo schema changes.\n"
        );
    }

    #[test]
    fn tty_lists_each_change() {
        let changes = [
            Change::Added {
                kind: "table".to_string(),
                identity: "public.x".to_string(),
            },
            Change::Removed {
                kind: "policy".to_string(),
                identity: "public.x.p".to_string(),
            },
        ];
        assert_eq!(
            tty(&changes),
            "Schema changes in this pull request (2):\n  + table public.x\n  - policy public.x.p\n"
        );
        assert_eq!(tty(&[]), "Schema changes in this pull request: none\n");
    }
}
