//! The rule docs (`explain`) for a terminal: Markdown headings, code blocks and inline code
//! shown as such instead of as `#` and backticks. Only the Markdown our own docs use.

const BOLD: &str = "\x1b[1m";
const CODE: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// `markdown` for a terminal; `color` adds ANSI styles (without it, the layout only).
pub fn render(markdown: &str, color: bool) -> String {
    let style = |text: &str, code: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str(&format!("    │ {}\n", style(line, CODE)));
        } else if let Some(title) = line.strip_prefix("# ") {
            out.push_str(&format!(
                "{}\n{}\n",
                style(title, BOLD),
                "═".repeat(title.chars().count())
            ));
        } else if let Some(heading) = line.strip_prefix("## ") {
            out.push_str(&format!("{}\n", style(heading, BOLD)));
        } else {
            out.push_str(&inline(line, color));
            out.push('\n');
        }
    }
    out
}

/// Inline code (`x`) styled, or shown without backticks in colour; `**bold**` likewise.
fn inline(line: &str, color: bool) -> String {
    if !color {
        return line.to_string();
    }
    let mut out = String::new();
    let mut code = false;
    for (index, part) in line.split('`').enumerate() {
        if index > 0 {
            code = !code;
        }
        if code {
            out.push_str(&format!("{CODE}{part}{RESET}"));
        } else {
            let mut bold = false;
            for (index, piece) in part.split("**").enumerate() {
                if index > 0 {
                    bold = !bold;
                }
                if bold {
                    out.push_str(&format!("{BOLD}{piece}{RESET}"));
                } else {
                    out.push_str(piece);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_code_blocks_lose_their_markup() {
        let text = "# rule-id\n\nintro with `code`\n\n## Example\n```sql\nselect 1;\n```\n";
        assert_eq!(
            render(text, false),
            "rule-id\n═══════\n\nintro with `code`\n\nExample\n    │ select 1;\n"
        );
        let styled = render(text, true);
        assert!(styled.contains("\x1b[1mrule-id\x1b[0m\n"), "{styled:?}");
        assert!(
            styled.contains("intro with \x1b[36mcode\x1b[0m\n"),
            "{styled:?}"
        );
        assert!(
            styled.contains("    │ \x1b[36mselect 1;\x1b[0m\n"),
            "{styled:?}"
        );
    }
}
