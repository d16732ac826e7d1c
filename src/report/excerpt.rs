//! The SQL lines a finding points at, split into plain and highlighted pieces, for the
//! renderers that show source (HTML, Markdown). Unescaped: each renderer escapes.

use crate::findings::Location;
use crate::migrations::{Migration, MigrationSet};
use crate::sql::SourceText;
use serde::Serialize;
use std::ops::{Range, RangeInclusive};

/// At most this many lines of a span are shown.
pub const MAX_LINES: u32 = 8;
/// Lines shown before and after the span, so an element inside a statement is seen in
/// its place.
pub const CONTEXT_LINES: u32 = 1;
/// Longer lines are cut (a minified file must not turn into a megabyte of report).
pub const MAX_LINE_CHARS: usize = 400;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    pub lines: Vec<Line>,
    /// The span goes on beyond the lines shown.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub number: u32,
    pub pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub text: String,
    pub highlight: bool,
}

/// The migration of `file` among the sets.
fn migration_of<'a>(sets: &'a [MigrationSet], file: &str) -> Option<&'a Migration> {
    sets.iter()
        .flat_map(|set| &set.migrations)
        .find(|m| m.path == file)
}

/// The source of `file` among the sets, when it was read.
pub fn source_of<'a>(sets: &'a [MigrationSet], file: &str) -> Option<&'a SourceText> {
    migration_of(sets, file).and_then(|m| m.source.as_ref())
}

/// The byte span of the statement `location` points into, when it points into one: the
/// renderers show the findings on one statement under one excerpt.
pub fn statement_of(sets: &[MigrationSet], location: &Location) -> Option<Range<usize>> {
    let migration = migration_of(sets, &location.file)?;
    let offset = migration
        .source
        .as_ref()?
        .offset_of(location.line, location.column);
    migration
        .statements
        .iter()
        .find(|s| s.span.contains(&offset))
        .map(|s| s.span.clone())
}

/// The excerpt for a location; `None` for an empty span (findings about a whole file).
pub fn excerpt(source: &SourceText, location: &Location) -> Option<Excerpt> {
    excerpt_of(source, &[location])
}

/// A highlighted stretch: from `(line, column)` to `(line, column)`.
type Mark = ((u32, u32), (u32, u32));

/// One span of an excerpt: where it starts and ends, and the lines shown of it.
struct Span {
    start: (u32, u32),
    end: (u32, u32),
    lines: RangeInclusive<u32>,
    /// It goes on beyond the lines shown.
    truncated: bool,
}

impl Span {
    /// `None` for an empty span.
    fn new(location: &Location) -> Option<Span> {
        let start = (location.line, location.column);
        let end = (location.end_line, location.end_column);
        if end <= start {
            return None;
        }
        // A span ending at column 1 ends with the previous line's break.
        let last_line = if location.end_column <= 1 {
            location.end_line - 1
        } else {
            location.end_line
        };
        let shown_last = last_line.min(location.line + MAX_LINES - 1);
        Some(Span {
            start,
            end,
            lines: location.line..=shown_last,
            truncated: shown_last < last_line,
        })
    }
}

/// One excerpt for several locations in one source (the findings on one statement), each
/// span marked; `None` when every span is empty.
pub fn excerpt_of(source: &SourceText, locations: &[&Location]) -> Option<Excerpt> {
    let spans: Vec<Span> = locations.iter().filter_map(|l| Span::new(l)).collect();
    let last_span = spans.iter().max_by_key(|s| *s.lines.end())?;
    let mut numbers: Vec<u32> = spans
        .iter()
        .flat_map(|span| {
            let first = span.lines.start().saturating_sub(CONTEXT_LINES).max(1);
            // After a cut span the next lines are more of it, not context.
            let after = if span.truncated { 0 } else { CONTEXT_LINES };
            let last = (span.lines.end() + after).min(source.line_count() as u32);
            first..=last
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let marks = |number: u32| -> Vec<Mark> {
        spans
            .iter()
            .filter(|s| s.lines.contains(&number))
            .map(|s| (s.start, s.end))
            .collect()
    };
    let lines = numbers
        .into_iter()
        .map(|number| (number, marks(number)))
        // Blank context lines say nothing.
        .filter(|(number, marks)| !marks.is_empty() || !source.line_text(*number).trim().is_empty())
        .map(|(number, marks)| Line {
            number,
            pieces: pieces(source.line_text(number), number, &marks),
        })
        .collect();
    Some(Excerpt {
        lines,
        truncated: last_span.truncated,
    })
}

/// Splits one line into plain and highlighted pieces: the columns between each mark's start
/// and end are highlighted.
fn pieces(text: &str, number: u32, marks: &[Mark]) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().take(MAX_LINE_CHARS).collect();
    let cut = text.chars().nth(MAX_LINE_CHARS).is_some();
    let column = |(line, column): (u32, u32), default: usize| -> usize {
        if line == number {
            (column as usize).saturating_sub(1).min(chars.len())
        } else {
            default
        }
    };
    let mut marked = vec![false; chars.len()];
    for (start, end) in marks {
        let from = column(*start, 0);
        let to = column(*end, chars.len()).max(from);
        marked[from..to].iter_mut().for_each(|m| *m = true);
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for (c, highlight) in chars.into_iter().zip(marked) {
        match pieces.last_mut() {
            Some(piece) if piece.highlight == highlight => piece.text.push(c),
            _ => pieces.push(Piece {
                text: c.to_string(),
                highlight,
            }),
        }
    }
    if cut {
        pieces.push(Piece {
            text: " …".to_string(),
            highlight: false,
        });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32, end_line: u32, end_column: u32) -> Location {
        Location {
            file: "m.sql".into(),
            line,
            column,
            end_line,
            end_column,
        }
    }

    fn shown(excerpt: &Excerpt) -> Vec<String> {
        excerpt
            .lines
            .iter()
            .map(|line| {
                let text: String = line
                    .pieces
                    .iter()
                    .map(|p| {
                        if p.highlight {
                            format!("[{}]", p.text)
                        } else {
                            p.text.clone()
                        }
                    })
                    .collect();
                format!("{}:{text}", line.number)
            })
            .collect()
    }

    #[test]
    fn highlights_the_span_across_lines() {
        let source = SourceText::new("select 1;\ncreate table t (\n  id int\n);\n".into());
        let excerpt = excerpt(&source, &at(2, 8, 4, 3)).unwrap();
        assert_eq!(
            shown(&excerpt),
            [
                "1:select 1;",
                "2:create [table t (]",
                "3:[  id int]",
                "4:[);]"
            ]
        );
        assert!(!excerpt.truncated);
    }

    #[test]
    fn an_element_is_shown_with_the_lines_around_it() {
        let source = SourceText::new(
            "create table t (\n  id int,\n  org uuid references orgs (id)\n);\n\nselect 1;\n"
                .into(),
        );
        let element = excerpt(&source, &at(3, 3, 3, 32)).unwrap();
        assert_eq!(
            shown(&element),
            ["2:  id int,", "3:  [org uuid references orgs (id)]", "4:);"]
        );
        let last = excerpt(&source, &at(6, 1, 6, 10)).unwrap();
        assert_eq!(
            shown(&last),
            ["6:[select 1;]"],
            "blank context lines are left out"
        );
    }

    #[test]
    fn empty_spans_have_no_excerpt_and_long_spans_are_cut() {
        let source = SourceText::new("a\n".repeat(20));
        assert_eq!(excerpt(&source, &at(1, 1, 1, 1)), None);
        let long = excerpt(&source, &at(1, 1, 20, 2)).unwrap();
        assert_eq!(
            long.lines.len(),
            MAX_LINES as usize,
            "no context after a cut"
        );
        assert!(long.truncated);
    }

    #[test]
    fn a_span_ending_at_a_line_start_stops_at_the_line_before() {
        let source = SourceText::new("drop table t;\nselect 1;\n".into());
        let excerpt = excerpt(&source, &at(1, 1, 2, 1)).unwrap();
        assert_eq!(shown(&excerpt), ["1:[drop table t;]", "2:select 1;"]);
    }

    #[test]
    fn several_spans_share_one_excerpt() {
        let source = SourceText::new(
            "create policy p on t\n  using (a = 1)\n  with check (b = 2);\n\nselect 1;\n".into(),
        );
        let (first, second) = (at(2, 10, 2, 15), at(3, 15, 3, 20));
        let excerpt = excerpt_of(&source, &[&first, &second]).unwrap();
        assert_eq!(
            shown(&excerpt),
            [
                "1:create policy p on t",
                "2:  using ([a = 1])",
                "3:  with check ([b = 2]);"
            ]
        );
        let same_line = excerpt_of(&source, &[&at(2, 3, 2, 8), &first]).unwrap();
        assert_eq!(shown(&same_line)[1], "2:  [using] ([a = 1])");
        assert_eq!(excerpt_of(&source, &[&at(1, 1, 1, 1)]), None);
    }

    #[test]
    fn long_lines_are_cut_in_characters() {
        let source = SourceText::new("é".repeat(MAX_LINE_CHARS + 10));
        let excerpt = excerpt(&source, &at(1, 2, 1, 4)).unwrap();
        let pieces = &excerpt.lines[0].pieces;
        assert_eq!(pieces[1].text, "éé");
        assert_eq!(pieces.last().unwrap().text, " …");
    }
}
