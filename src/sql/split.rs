//! Splits SQL text into statements with byte spans, the way PostgreSQL's lexer sees
//! quotes, comments and dollar-quoted bodies, without parsing anything.

use std::ops::Range;

/// One statement's place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStatement {
    /// From the first token to the terminating `;` (inclusive) or the end of the text.
    pub span: Range<usize>,
    /// Comments and whitespace between the previous statement and this one: where
    /// suppression comments for this statement live.
    pub leading: Range<usize>,
}

/// Something the lexer could not close before the end of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unterminated {
    /// What was left open, e.g. `dollar-quoted string $body$`.
    pub what: String,
    /// Byte offset where it opened.
    pub opened_at: usize,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Split {
    pub statements: Vec<RawStatement>,
    pub unterminated: Option<Unterminated>,
}

/// Splits `text` into statements. Never fails: an unterminated quote or comment ends the
/// last statement at the end of the text and is reported in [`Split::unterminated`].
pub fn split(text: &str) -> Split {
    let bytes = text.as_bytes();
    let mut result = Split::default();
    let mut i = 0;
    let mut statement_start: Option<usize> = None;
    let mut leading_start = 0;
    // `BEGIN ATOMIC … END` function bodies contain semicolons; track their nesting.
    let mut atomic_depth = 0usize;
    // The previous token was the word `BEGIN` (no allocation per word: this runs over
    // every byte of every file).
    let mut after_begin = false;

    let start_token = |at: usize, start: &mut Option<usize>| {
        if start.is_none() {
            *start = Some(at);
        }
    };

    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = memchr_newline(bytes, i);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match skip_block_comment(bytes, i) {
                Some(end) => i = end,
                None => {
                    result.unterminated = Some(Unterminated {
                        what: "block comment /*".into(),
                        opened_at: i,
                    });
                    i = bytes.len();
                }
            },
            b'\'' | b'"' => {
                start_token(i, &mut statement_start);
                let escapes = b == b'\'' && is_escape_string_prefix(bytes, i);
                match skip_quoted(bytes, i, b, escapes) {
                    Some(end) => i = end,
                    None => {
                        let what = if b == b'"' {
                            "quoted identifier \""
                        } else {
                            "string literal '"
                        };
                        result.unterminated = Some(Unterminated {
                            what: what.into(),
                            opened_at: i,
                        });
                        i = bytes.len();
                    }
                }
                after_begin = false;
            }
            b'$' => {
                start_token(i, &mut statement_start);
                match dollar_tag(bytes, i) {
                    Some(tag_end) => {
                        let tag = &text[i..tag_end];
                        match find(bytes, tag_end, tag.as_bytes()) {
                            Some(close) => i = close + tag.len(),
                            None => {
                                result.unterminated = Some(Unterminated {
                                    what: format!("dollar-quoted string {tag}"),
                                    opened_at: i,
                                });
                                i = bytes.len();
                            }
                        }
                    }
                    None => i += 1,
                }
                after_begin = false;
            }
            b';' if atomic_depth == 0 => {
                let start = statement_start.take().unwrap_or(i);
                result.statements.push(RawStatement {
                    span: start..i + 1,
                    leading: leading_start..start,
                });
                i += 1;
                leading_start = i;
                after_begin = false;
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ if is_word_byte(b) => {
                start_token(i, &mut statement_start);
                let end = word_end(bytes, i);
                let word = &text[i..end];
                let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
                let opens_block = (after_begin && is("ATOMIC")) || (atomic_depth > 0 && is("CASE"));
                if opens_block {
                    atomic_depth += 1;
                } else if atomic_depth > 0 && is("END") {
                    atomic_depth -= 1;
                }
                after_begin = is("BEGIN");
                i = end;
            }
            _ => {
                start_token(i, &mut statement_start);
                after_begin = false;
                i += utf8_len(b);
            }
        }
    }
    if let Some(start) = statement_start {
        let end = trim_end(text, start);
        result.statements.push(RawStatement {
            span: start..end,
            leading: leading_start..start,
        });
    }
    result
}

/// The text's tokens without whitespace and comments, lexed as [`split`] lexes: words,
/// quoted strings and identifiers, dollar-quoted bodies (whole, comments inside included:
/// they are part of the stored body) and single punctuation characters. Two texts with the
/// same tokens differ only in layout and comments. An unterminated quote or comment ends the
/// stream with the rest of the text as one token.
pub fn tokens(text: &str) -> Vec<&str> {
    Tokens { text, at: 0 }.collect()
}

/// [`tokens`] one at a time.
pub fn token_iter(text: &str) -> impl Iterator<Item = &str> {
    Tokens { text, at: 0 }
}

struct Tokens<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        loop {
            let i = self.at;
            let b = *bytes.get(i)?;
            let end = if b == b'-' && bytes.get(i + 1) == Some(&b'-') {
                self.at = memchr_newline(bytes, i);
                continue;
            } else if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
                match skip_block_comment(bytes, i) {
                    Some(end) => {
                        self.at = end;
                        continue;
                    }
                    None => {
                        self.at = bytes.len();
                        return None;
                    }
                }
            } else if b.is_ascii_whitespace() {
                self.at += 1;
                continue;
            } else if b == b'\'' || b == b'"' {
                skip_quoted(bytes, i, b, b == b'\'' && is_escape_string_prefix(bytes, i))
            } else if b == b'$' {
                match dollar_tag(bytes, i) {
                    Some(tag_end) => {
                        find(bytes, tag_end, &bytes[i..tag_end]).map(|c| c + (tag_end - i))
                    }
                    None => Some(i + 1),
                }
            } else if is_word_byte(b) {
                Some(word_end(bytes, i))
            } else {
                Some(i + utf8_len(b))
            };
            let end = end.unwrap_or(bytes.len()).min(bytes.len()).max(i + 1);
            self.at = end;
            if let Some(token) = self.text.get(i..end) {
                return Some(token);
            }
        }
    }
}

/// The end of the statement text that runs to the end of the file, without trailing
/// whitespace and comments.
fn trim_end(text: &str, start: usize) -> usize {
    let tail = &text[start..];
    // Re-split the tail's trailing trivia: walk tokens and remember the end of the last one.
    let bytes = tail.as_bytes();
    let mut i = 0;
    let mut last_token_end = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'-' && bytes.get(i + 1) == Some(&b'-') {
            i = memchr_newline(bytes, i);
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            match skip_block_comment(bytes, i) {
                Some(end) => i = end,
                None => return text.len(),
            }
        } else if b.is_ascii_whitespace() {
            i += 1;
        } else if b == b'\'' || b == b'"' {
            match skip_quoted(bytes, i, b, b == b'\'' && is_escape_string_prefix(bytes, i)) {
                Some(end) => {
                    i = end;
                    last_token_end = i;
                }
                None => return text.len(),
            }
        } else if b == b'$' {
            match dollar_tag(bytes, i) {
                Some(tag_end) => match find(bytes, tag_end, &bytes[i..tag_end]) {
                    Some(close) => {
                        i = close + (tag_end - i);
                        last_token_end = i;
                    }
                    None => return text.len(),
                },
                None => {
                    i += 1;
                    last_token_end = i;
                }
            }
        } else {
            i += utf8_len(b);
            last_token_end = i;
        }
    }
    start + last_token_end
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
    .max(1)
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p + 1)
}

/// PostgreSQL block comments nest.
fn skip_block_comment(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i + 1 < bytes.len() {
        if bytes[i] == b'/' && bytes[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// `E'…'` (or `e'…'`) strings take backslash escapes; the `E` must not end a longer word.
fn is_escape_string_prefix(bytes: &[u8], quote: usize) -> bool {
    quote >= 1
        && matches!(bytes[quote - 1], b'E' | b'e')
        && (quote < 2 || !is_word_byte(bytes[quote - 2]))
}

/// Skips a quoted string or identifier; a doubled quote is an escaped quote.
fn skip_quoted(bytes: &[u8], from: usize, quote: u8, backslash_escapes: bool) -> Option<usize> {
    let mut i = from + 1;
    while i < bytes.len() {
        let b = bytes[i];
        if backslash_escapes && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// If a dollar-quote tag (`$$` or `$name$`) starts at `from`, returns the end of the tag.
/// `$1` (a parameter) and `a$b` (part of an identifier) are not tags.
fn dollar_tag(bytes: &[u8], from: usize) -> Option<usize> {
    if from > 0 && is_word_byte(bytes[from - 1]) {
        return None;
    }
    let mut i = from + 1;
    if let Some(&first) = bytes.get(i) {
        if first.is_ascii_digit() {
            return None;
        }
    }
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'$' {
            return Some(i + 1);
        }
        if !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80) {
            return None;
        }
        i += 1;
    }
    None
}

/// Where `needle` next occurs from `from`: the end of a dollar-quoted body, which can be
/// most of a file.
fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&haystack[from..], needle).map(|p| from + p)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn word_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() && (is_word_byte(bytes[i]) || bytes[i] == b'$') {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql)
            .statements
            .iter()
            .map(|s| &sql[s.span.clone()])
            .collect()
    }

    #[test]
    fn splits_on_semicolons() {
        assert_eq!(
            texts("select 1; select 2;\nselect 3"),
            ["select 1;", "select 2;", "select 3"]
        );
    }

    #[test]
    fn semicolons_inside_quotes_and_comments_do_not_split() {
        let sql =
            "select 'a;b''c;'; select \"we;ird\"\"x\"; -- c;\n/* x; /* nested; */ y; */ select 1;";
        assert_eq!(
            texts(sql),
            ["select 'a;b''c;';", "select \"we;ird\"\"x\";", "select 1;"]
        );
    }

    #[test]
    fn escape_strings_take_backslashes() {
        assert_eq!(
            texts(r"select E'it\'s;'; select 'plain\'; select 2;"),
            [r"select E'it\'s;';", r"select 'plain\';", "select 2;"]
        );
    }

    #[test]
    fn word_ending_in_e_is_not_an_escape_prefix() {
        // `name'…'` is not valid SQL, but the E of a longer word must not change lexing.
        assert_eq!(texts(r"select type'a\'; select 1;").len(), 2);
    }

    #[test]
    fn dollar_quotes_with_and_without_tags() {
        let sql = "create function f() returns int as $$ select 1; $$ language sql;\n\
                   do $body$ begin perform 1; $x$ inner; $x$; end $body$;\n\
                   select $1, a$b;";
        let statements = texts(sql);
        assert_eq!(statements.len(), 3);
        assert!(statements[1].starts_with("do $body$"));
        assert!(statements[1].ends_with("end $body$;"));
        assert_eq!(statements[2], "select $1, a$b;");
    }

    #[test]
    fn begin_atomic_bodies_stay_whole() {
        let sql = "create function f() returns int language sql begin atomic select 1; select case when true then 2 end; end; select 3;";
        assert_eq!(texts(sql).len(), 2);
    }

    #[test]
    fn leading_trivia_belongs_to_the_next_statement() {
        let sql = "select 1;\n-- note\n/* c */ select 2;";
        let split = split(sql);
        assert_eq!(
            &sql[split.statements[1].leading.clone()],
            "\n-- note\n/* c */ "
        );
    }

    #[test]
    fn trailing_comment_without_semicolon() {
        assert_eq!(texts("select 1 -- done\n\n"), ["select 1"]);
        assert!(texts("-- only a comment\n").is_empty());
        assert!(texts("").is_empty());
    }

    #[test]
    fn unterminated_dollar_quote_is_reported_where_it_opened() {
        let sql = "select 1;\ncreate function f() as $$ select 1;";
        let split = split(sql);
        let problem = split.unterminated.expect("reported");
        assert_eq!(problem.opened_at, sql.find("$$").unwrap());
        assert!(problem.what.contains("$$"));
        assert_eq!(split.statements.len(), 2);
    }

    #[test]
    fn unterminated_string_and_comment() {
        assert!(split("select 'abc").unterminated.is_some());
        assert!(split("select 1; /* open").unterminated.is_some());
        assert!(split("select \"abc").unterminated.is_some());
    }

    #[test]
    fn tokens_ignore_layout_and_comments() {
        let a = "create table t (id int); -- first\n/* note */ select 'a  b', $$ x  y $$;";
        let b = "CREATE table t(\n  id int\n);\nselect 'a  b',$$ x  y $$; -- other";
        assert_eq!(tokens(a)[1..], tokens(b)[1..]);
        assert_ne!(tokens(a), tokens(b), "keyword case is a change");
        assert_ne!(tokens("select 'a b';"), tokens("select 'a  b';"));
        assert_ne!(tokens("select $$a -- x$$;"), tokens("select $$a -- y$$;"));
        assert_eq!(tokens("select 1; /* open"), ["select", "1", ";"]);
        assert_eq!(tokens("select 'é', ü;"), ["select", "'é'", ",", "ü", ";"]);
    }

    #[test]
    fn crlf_and_multibyte_text() {
        assert_eq!(
            texts("select 'é';\r\nselect 2;\r\n"),
            ["select 'é';", "select 2;"]
        );
        assert_eq!(texts("select ü;"), ["select ü;"]);
    }
}
