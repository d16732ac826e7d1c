//! Escaping for every output language. Everything that came from a migration (SQL text,
//! identifiers, file names) passes through one of these before it reaches an output.

/// Text for HTML element content and attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Inline text for GitHub-flavoured Markdown: HTML special characters become entities,
/// inline Markdown punctuation is backslash-escaped and line breaks become spaces, so the
/// text can neither open a tag nor format or link anything. Block syntax (`#`, `-`, `1.`)
/// only counts at the start of a line, where the templates never put escaped text.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text for XML element content. Characters XML 1.0 does not allow even as references
/// (most C0 controls) become U+FFFD; a carriage return is a reference, so parsers do not
/// turn it into a line feed.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

/// An XML attribute value: as [`xml`], with tabs and line feeds as references too, since
/// parsers turn literal ones into spaces.
pub fn xml_attribute(text: &str) -> String {
    xml(text).replace('\t', "&#9;").replace('\n', "&#10;")
}

/// One line of terminal text: control characters (line breaks, escape sequences) shown
/// escaped (`\n`), so a name or a server message cannot start a line of its own or steer
/// the terminal.
pub fn terminal_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Percent-encodes a path for a URL, keeping `/` and the unreserved characters.
pub fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A piece of a finding's message: our messages quote identifiers in backticks, which
/// renderers show as code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    pub text: String,
    pub code: bool,
}

/// Splits a message at backticks into text and code pieces (unescaped; the renderer
/// escapes each piece). An unpaired backtick stays text.
pub fn segments(message: &str) -> Vec<Segment> {
    let parts: Vec<&str> = message.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let mut out: Vec<Segment> = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let code = paired && index % 2 == 1;
        if part.is_empty() && !code {
            continue;
        }
        let text = if !paired && index > 0 {
            format!("`{part}")
        } else {
            part.to_string()
        };
        match out.last_mut() {
            Some(last) if !code && !last.code => last.text.push_str(&text),
            _ => out.push(Segment { text, code }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_lines_stay_one_line() {
        assert_eq!(
            terminal_line("a\n::error::x\u{1b}[2J"),
            "a\\n::error::x\\u{1b}[2J"
        );
    }

    #[test]
    fn html_escapes_markup() {
        assert_eq!(
            html(r#"</script><a href='x'>&"#),
            "&lt;/script&gt;&lt;a href=&#39;x&#39;&gt;&amp;"
        );
    }

    #[test]
    fn markdown_neutralizes_formatting_and_tags() {
        assert_eq!(
            markdown("*a* [l](u) <b>\n# h | `c` $x$ 1. ~"),
            r"\*a\* \[l\](u) &lt;b&gt; # h \| \`c\` \$x\$ 1. \~"
        );
    }

    #[test]
    fn xml_replaces_forbidden_controls() {
        assert_eq!(
            xml("a\u{1}<\"'\t\r\n"),
            "a\u{fffd}&lt;&quot;&apos;\t&#13;\n"
        );
        assert_eq!(xml_attribute("a\t\r\n"), "a&#9;&#13;&#10;");
    }

    #[test]
    fn url_path_encodes_everything_but_unreserved() {
        assert_eq!(url_path("a b/(x)#1é.sql"), "a%20b/%28x%29%231%C3%A9.sql");
    }

    #[test]
    fn segments_split_at_paired_backticks() {
        let seg = |text: &str, code| Segment {
            text: text.into(),
            code,
        };
        assert_eq!(
            segments("policy `p` on `t` reads"),
            vec![
                seg("policy ", false),
                seg("p", true),
                seg(" on ", false),
                seg("t", true),
                seg(" reads", false)
            ]
        );
        assert_eq!(segments("a ` b"), vec![seg("a ` b", false)]);
        assert_eq!(segments("`x`"), vec![seg("x", true)]);
    }
}
