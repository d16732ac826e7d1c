//! SQL text → statements with positions: a sqlparser AST where it parses, a classified
//! fallback where it does not, and the suppression comments that go with them.

pub mod fallback;
pub mod split;
pub mod suppress;
pub mod tree;

use crate::findings::Location;
use crate::model::PrivilegeChange;
use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{TokenWithSpan, Tokenizer};
use std::ops::Range;

pub use fallback::Fallback;
pub use suppress::Suppressions;
pub use tree::{Tree, TreeRef};

/// A file's text with a line index for byte offset → line/column conversion.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub text: String,
    /// Byte offsets where lines start, as `u32`: a large folder has hundreds of thousands
    /// of lines, and no file schemagate reads comes near 4 GB (`MAX_FILE_BYTES`).
    line_starts: Vec<u32>,
}

impl SourceText {
    /// Takes decoded text; a leading UTF-8 byte-order mark is dropped (editors do not count it).
    pub fn new(text: String) -> SourceText {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        let mut line_starts = vec![0];
        line_starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        line_starts.shrink_to_fit();
        SourceText { text, line_starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start as usize <= offset)
            - 1;
        let start = self.line_starts[line] as usize;
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        (line as u32 + 1, column as u32 + 1)
    }

    /// Byte offset of a 1-based line and column (in characters); clamps to the text.
    pub fn offset_of(&self, line: u32, column: u32) -> usize {
        let Some(start) = self.line_start(line) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_len = rest.find('\n').unwrap_or(rest.len());
        rest[..line_len]
            .char_indices()
            .nth(column.max(1) as usize - 1)
            .map_or(start + line_len, |(i, _)| start + i)
    }

    pub fn location(&self, file: &str, span: &Range<usize>) -> Location {
        let (line, column) = self.line_col(span.start);
        let (end_line, end_column) = self.line_col(span.end);
        Location {
            file: file.to_string(),
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The 1-based line's text without its line ending.
    pub fn line_text(&self, line: u32) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        rest[..end].trim_end_matches('\r')
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Empties the text (see `MigrationSet::release_texts`).
    pub fn release(&mut self) {
        self.text = String::new();
        self.line_starts = vec![0];
    }

    /// Byte offset where the 1-based line starts.
    fn line_start(&self, line: u32) -> Option<usize> {
        let start = *self.line_starts.get((line.max(1) - 1) as usize)?;
        Some(start as usize)
    }
}

/// An identifier as a quoted SQL name: `"name"`, embedded quotes doubled. The one quoter,
/// for everything schemagate writes as SQL.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// What a statement is: an AST, or what could be read of it without one.
#[derive(Debug, Clone)]
pub enum Parsed {
    Ast(Tree),
    Fallback(Fallback),
    /// A kind only the model reads, kept small.
    Compact(Box<Compact>),
    /// No tree, to bound memory and time: dropped after linting (see
    /// `MigrationSet::release_syntax_trees`), at once for a kind nothing reads ([`is_read`];
    /// a seed file's trees took a hundred times its size), or never built for a kind its
    /// first word shows nothing reads ([`is_unread_command`]). Counted as parsed: read as
    /// far as schemagate needs.
    Released,
}

#[derive(Debug, Clone)]
pub struct Statement {
    /// Position in its file, from 0.
    pub index: usize,
    pub span: Range<usize>,
    /// Comments and whitespace before the statement.
    pub leading: Range<usize>,
    pub parsed: Parsed,
    /// False for statements of a down migration or a down section: linted, never applied.
    pub applies: bool,
}

impl Statement {
    pub fn text<'a>(&self, source: &'a SourceText) -> &'a str {
        &source.text[self.span.clone()]
    }

    /// The tree of the kinds rules read, until linting ends.
    pub fn ast(&self) -> Option<TreeRef<'_>> {
        match &self.parsed {
            Parsed::Ast(tree) => Some(tree.as_ref()),
            Parsed::Fallback(_) | Parsed::Compact(_) | Parsed::Released => None,
        }
    }

    /// The tree of any kind still kept (a [`Compact`] one too), until linting ends.
    pub fn tree(&self) -> Option<TreeRef<'_>> {
        match &self.parsed {
            Parsed::Ast(tree) => Some(tree.as_ref()),
            Parsed::Compact(compact) => compact.tree(),
            Parsed::Fallback(_) | Parsed::Released => None,
        }
    }

    /// Did sqlparser parse it (whether or not the tree is still kept)?
    pub fn is_parsed(&self) -> bool {
        !matches!(self.parsed, Parsed::Fallback(_))
    }
}

/// Statements whose expressions may nest deeper than this are not given to sqlparser.
/// Its recursion limit counts parentheses only, but a flat chain `a or b or …` becomes a
/// left-deep tree that every later walk over it (and its drop) recurses through: 140,000
/// terms overflowed the stack.
pub const MAX_EXPRESSION_DEPTH: usize = 1_000;

/// An upper bound on how deep sqlparser's tree for `text` can nest: open brackets plus,
/// at each open level, the operators since the last comma (a comma starts a new sibling,
/// e.g. the next row of `VALUES`). Linear, no allocation.
pub fn expression_depth_bound(text: &str) -> usize {
    // Operators counted at each open level; `depth` is their sum plus the open levels.
    let mut levels = vec![0usize];
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for token in split::token_iter(text) {
        match token {
            "(" | "[" => {
                levels.push(0);
                depth += 1;
            }
            ")" | "]" if levels.len() > 1 => {
                depth -= levels.pop().unwrap_or(0) + 1;
            }
            "," => {
                if let Some(operators) = levels.last_mut() {
                    depth -= *operators;
                    *operators = 0;
                }
            }
            _ if nests(token) => {
                if let Some(operators) = levels.last_mut() {
                    *operators += 1;
                }
                depth += 1;
                deepest = deepest.max(depth);
            }
            _ => {}
        }
        deepest = deepest.max(depth);
    }
    deepest
}

/// Could this token make the tree one level deeper: an operator character, or a keyword
/// that joins or wraps expressions or queries?
fn nests(token: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "and",
        "or",
        "not",
        "is",
        "in",
        "like",
        "ilike",
        "similar",
        "between",
        "collate",
        "at",
        "case",
        "union",
        "intersect",
        "except",
        "any",
        "all",
        "some",
        "operator",
    ];
    match token.as_bytes() {
        [b] if b.is_ascii_punctuation() => !matches!(b, b'.' | b';' | b'\'' | b'"' | b'$'),
        [first, ..] if first.is_ascii_alphabetic() => {
            KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(token))
        }
        _ => false,
    }
}

/// The byte offset in `text` of a 1-based line and column (in characters), as sqlparser's
/// spans count them; `None` for line 0 (an empty span) or a place beyond the text.
pub fn offset_in(text: &str, line: u64, column: u64) -> Option<usize> {
    if line == 0 || column == 0 {
        return None;
    }
    let start = if line == 1 {
        0
    } else {
        text.match_indices('\n').nth(line as usize - 2)?.0 + 1
    };
    let rest = &text[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let wanted = column as usize - 1;
    // The column just after the line's last character is valid: spans end there.
    rest[..line_len]
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(line_len))
        .nth(wanted)
        .map(|i| start + i)
}

/// A span of `text` widened to balance its parentheses: sqlparser's spans start and stop at
/// identifiers, so `(a, b)` comes as `a, b)` or `(a, b`.
pub fn balance_parentheses(text: &str, start: usize, end: usize) -> (usize, usize) {
    let Some(inside) = text.get(start..end) else {
        return (start, end);
    };
    let (mut unopened, mut unclosed) = (0usize, 0usize);
    for ch in inside.chars() {
        match ch {
            '(' => unclosed += 1,
            ')' if unclosed > 0 => unclosed -= 1,
            ')' => unopened += 1,
            _ => {}
        }
    }
    let mut widened = (start, end);
    for (i, ch) in text[..start].char_indices().rev() {
        match ch {
            _ if unopened == 0 => break,
            '(' => {
                unopened -= 1;
                widened.0 = i;
            }
            c if c.is_whitespace() => {}
            _ => break,
        }
    }
    for (i, ch) in text[end..].char_indices() {
        match ch {
            _ if unclosed == 0 => break,
            ')' => {
                unclosed -= 1;
                widened.1 = end + i + 1;
            }
            c if c.is_whitespace() => {}
            _ => break,
        }
    }
    widened
}

/// Parses one statement's text. Never fails: what sqlparser rejects, and what may nest
/// deeper than [`MAX_EXPRESSION_DEPTH`], becomes a fallback. Trees nothing reads are
/// dropped at once, those only the model reads are kept [`Compact`] ([`is_read`]).
pub fn parse_statement(text: &str) -> Parsed {
    if is_unread_command(text) {
        return Parsed::Released;
    }
    match tree_of(text) {
        Ok(statement) => kept(statement),
        Err(reason) => Parsed::Fallback(Fallback::classify(text, reason)),
    }
}

/// Is the statement, by its first word, of a kind nothing reads (data changes, queries,
/// comments, settings, maintenance)? Such statements are not given to sqlparser: a seed
/// file's thousands of `INSERT`s cost most of a lint otherwise, for trees [`kept`] would
/// drop at once.
fn is_unread_command(text: &str) -> bool {
    const UNREAD: &[&str] = &[
        "analyze",
        "checkpoint",
        "cluster",
        "comment",
        "copy",
        "delete",
        "discard",
        "explain",
        "insert",
        "listen",
        "lock",
        "merge",
        "notify",
        "refresh",
        "reindex",
        "reset",
        "select",
        "set",
        "show",
        "truncate",
        "unlisten",
        "update",
        "vacuum",
        "values",
        "with",
    ];
    let word_end = text
        .bytes()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let word = &text[..word_end];
    UNREAD.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// How a statement's tree is kept: small for the kinds only the model reads, whole for
/// those rules read, not at all for the others.
fn kept(statement: ast::Statement) -> Parsed {
    use ast::Statement as S;
    let compact = match statement {
        S::Grant(grant) => Compact::Privileges(PrivilegeChange::of_grant(&grant)),
        S::Revoke(revoke) => Compact::Privileges(PrivilegeChange::of_revoke(&revoke)),
        S::AlterFunction(alter) => Compact::AlterFunction(alter),
        S::DropPolicy(drop) => Compact::DropPolicy(drop),
        other if is_read(&other) => return Parsed::Ast(Tree::of(other)),
        _ => return Parsed::Released,
    };
    Parsed::Compact(Box::new(compact))
}

/// The tree of one statement's text, whatever its kind (the DDL inside `DO` blocks).
/// `None` where [`parse_statement`] makes a fallback.
pub fn parse_tree(text: &str) -> Option<ast::Statement> {
    tree_of(text).ok()
}

thread_local! {
    static TOKENS: std::cell::Cell<Vec<TokenWithSpan>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A larger token buffer (a huge statement's) is freed rather than kept for the next one.
const MAX_KEPT_TOKENS: usize = 1 << 16;

/// sqlparser's tree of one statement, compacted; or why there is none (`None`: the text
/// holds several statements).
fn tree_of(text: &str) -> Result<ast::Statement, Option<String>> {
    // Each level takes a token of at least one byte: shorter texts need no count.
    if text.len() > MAX_EXPRESSION_DEPTH && expression_depth_bound(text) > MAX_EXPRESSION_DEPTH {
        return Err(Some(format!(
            "the statement nests too deeply to parse (more than {MAX_EXPRESSION_DEPTH} levels of operators or brackets)"
        )));
    }
    let blanked = without_routine_bodies(text);
    let dialect = PostgreSqlDialect {};
    // The token buffer is the thread's, kept between statements: grown once, not per
    // statement (tokens are most of the parse's allocations).
    let mut tokens = TOKENS.take();
    tokens.clear();
    let parsed = Tokenizer::new(&dialect, blanked.as_deref().unwrap_or(text))
        .tokenize_with_location_into_buf(&mut tokens)
        .map_err(ParserError::from)
        .and_then(|()| {
            let mut parser = Parser::new(&dialect)
                .with_recursion_limit(64)
                .with_tokens_with_locations(std::mem::take(&mut tokens));
            let parsed = parser.parse_statements();
            tokens = parser.into_tokens();
            parsed
        });
    tokens.clear();
    if tokens.capacity() <= MAX_KEPT_TOKENS {
        TOKENS.set(tokens);
    }
    match parsed {
        Ok(mut statements) if statements.len() == 1 => {
            let mut statement = statements.remove(0);
            compact(&mut statement);
            Ok(statement)
        }
        Ok(_) => Err(None),
        Err(error) => Err(Some(error.to_string())),
    }
}

/// A function or procedure definition with the text of its dollar-quoted bodies replaced
/// by their line breaks and the width of their last line; `None` for other statements.
/// Nothing reads a body from the tree (the model and rules read the definition's options;
/// the apply and the trace run the file's own text), and sqlparser tokenizes and copies a
/// body character by character: a project's function bodies were a third of its parse time.
/// Every token outside the bodies keeps its line and column, so the tree's spans still
/// point into the statement's own text.
fn without_routine_bodies(text: &str) -> Option<String> {
    /// Bodies shorter than this cost less to parse than to blank.
    const MIN_BODY: usize = 64;
    let mut words = split::token_iter(text);
    let defines_routine = words
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("create"))
        && words.take(3).any(|word| {
            word.eq_ignore_ascii_case("function") || word.eq_ignore_ascii_case("procedure")
        });
    if !defines_routine {
        return None;
    }
    let mut blanked: Option<String> = None;
    let mut copied_to = 0;
    for token in split::token_iter(text) {
        let Some(tag_len) = token
            .strip_prefix('$')
            .and_then(|t| t.find('$'))
            .map(|i| i + 2)
        else {
            continue;
        };
        let tag = &token[..tag_len];
        if token.len() < 2 * tag_len + MIN_BODY || !token.ends_with(tag) {
            continue;
        }
        let start = token.as_ptr() as usize - text.as_ptr() as usize + tag_len;
        let body = &text[start..start + token.len() - 2 * tag_len];
        let out = blanked.get_or_insert_with(|| String::with_capacity(text.len() / 4));
        out.push_str(&text[copied_to..start]);
        let last_line = body.rfind('\n').map_or(body, |at| &body[at + 1..]);
        let lines = memchr::memchr_iter(b'\n', body.as_bytes()).count();
        out.extend(std::iter::repeat_n('\n', lines));
        out.extend(std::iter::repeat_n(' ', last_line.chars().count()));
        copied_to = start + body.len();
    }
    let mut blanked = blanked?;
    blanked.push_str(&text[copied_to..]);
    Some(blanked)
}

/// Gives back the spare capacity of a `CREATE TABLE`'s lists: the parser grows them in
/// steps of large elements (a column option takes hundreds of bytes), and every tree is
/// kept until the rules are done, so the slack was most of a schema file's memory.
fn compact(statement: &mut ast::Statement) {
    if let ast::Statement::CreateTable(create) = statement {
        for column in &mut create.columns {
            column.options.shrink_to_fit();
        }
        create.columns.shrink_to_fit();
        create.constraints.shrink_to_fit();
    }
}

/// Is the statement of a kind the static model replays or a rule reads from its tree?
/// Others (data changes, queries, `SET`, `COMMENT`, triggers…) drop their tree at parse
/// time: a tree takes tens of times its text, and every kept tree lives until the rules
/// are done. A rule that reads another kind adds it here.
pub fn is_read(statement: &ast::Statement) -> bool {
    use ast::Statement as S;
    matches!(
        statement,
        S::CreateTable(_)
            | S::AlterTable(_)
            | S::CreateIndex(_)
            | S::AlterIndex { .. }
            | S::CreatePolicy(_)
            | S::AlterPolicy(_)
            | S::DropPolicy(_)
            | S::CreateFunction(_)
            | S::AlterFunction(_)
            | S::DropFunction(_)
            | S::CreateProcedure { .. }
            | S::CreateView(_)
            | S::AlterView { .. }
            | S::CreateType { .. }
            | S::AlterType(_)
            | S::CreateDomain(_)
            | S::CreateSequence { .. }
            | S::CreateExtension(_)
            | S::Drop { .. }
            | S::Grant(_)
            | S::Revoke(_)
    )
}

/// What only the model's replay reads of a statement, without the room of the largest
/// kind: a boxed `ast::Statement` takes 3.4 KB whatever it holds, these a tenth of it, and
/// a project's grants and function alterations are thousands. Rules do not see them
/// ([`Statement::ast`]): a rule that reads one of these kinds takes it out of here.
#[derive(Debug, Clone)]
pub enum Compact {
    /// A `GRANT` or `REVOKE`, as plain data: no tree.
    Privileges(PrivilegeChange),
    AlterFunction(ast::AlterFunction),
    DropPolicy(ast::DropPolicy),
}

impl Compact {
    /// The tree, for the kinds that keep one.
    pub fn tree(&self) -> Option<TreeRef<'_>> {
        match self {
            Compact::Privileges(_) => None,
            Compact::AlterFunction(alter) => Some(TreeRef::AlterFunction(alter)),
            Compact::DropPolicy(drop) => Some(TreeRef::DropPolicy(drop)),
        }
    }
}

/// Splits and parses a whole text. `applies` says, for a byte offset, whether the statement
/// starting there is applied (false inside down sections).
pub fn parse_text(
    source: &SourceText,
    applies: impl Fn(usize) -> bool + Sync,
) -> (Vec<Statement>, Option<split::Unterminated>) {
    use rayon::prelude::*;
    let split = split::split(&source.text);
    // Statement by statement on every core: a folder's largest file (a baseline dump) is
    // otherwise parsed by one core while the others wait.
    let statements = split
        .statements
        .into_par_iter()
        .enumerate()
        .map(|(index, raw)| Statement {
            index,
            parsed: parse_statement(&source.text[raw.span.clone()]),
            applies: applies(raw.span.start),
            span: raw.span,
            leading: raw.leading,
        })
        .collect();
    (statements, split.unterminated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_with_quotes_doubled() {
        assert_eq!(quote_ident("Users"), "\"Users\"");
        assert_eq!(
            quote_ident("a\"; drop table x; --"),
            "\"a\"\"; drop table x; --\""
        );
    }

    #[test]
    fn line_col_counts_characters_and_skips_bom() {
        let source = SourceText::new("\u{feff}select 1;\nselect 'é', x;".to_string());
        assert_eq!(source.line_col(0), (1, 1));
        let x = source.text.find('x').unwrap();
        assert_eq!(source.line_col(x), (2, 13));
        assert_eq!(source.offset_of(2, 13), x);
        assert_eq!(source.line_text(2), "select 'é', x;");
    }

    /// A routine's long body is blanked before sqlparser reads it, with its lines and the
    /// width of its last line kept: what follows the body keeps its place in the tree.
    #[test]
    fn routine_bodies_are_blanked_keeping_positions() {
        let text = "create or replace function public.f()\nreturns void language plpgsql as $body$\nbegin\n  -- é ü: \"quoted\" 'text' $$ ; not the end\n  perform 1; perform 2; perform 3; perform 4;\nend $body$ security definer set search_path = '';";
        let blanked = without_routine_bodies(text).expect("a long body");
        assert_eq!(blanked.lines().count(), text.lines().count());
        let tail = |t: &str| t.lines().last().unwrap().chars().count();
        assert_eq!(tail(&blanked), tail(text));
        assert!(!blanked.contains("perform"));
        let Ok(ast::Statement::CreateFunction(create)) = tree_of(text) else {
            panic!("a function");
        };
        let search_path = create.set_params.first().expect("set search_path");
        let span = sqlparser::ast::Spanned::span(&search_path.name);
        assert_eq!((span.start.line, span.start.column), (6, 33));
        assert!(without_routine_bodies("create table t (body text default $$x$$)").is_none());
        assert!(
            without_routine_bodies("create function f() returns int as $$ select 1 $$").is_none()
        );
    }

    #[test]
    fn crlf_lines() {
        let source = SourceText::new("a;\r\nbb;\r\n".to_string());
        assert_eq!(source.line_col(4), (2, 1));
        assert_eq!(source.line_text(1), "a;");
    }

    #[test]
    fn depth_bound_counts_operator_chains_and_brackets_not_siblings_or_strings() {
        assert_eq!(expression_depth_bound("select ((a))"), 2);
        assert_eq!(expression_depth_bound("select 1 where a or b or c"), 2);
        // Rows of VALUES are siblings; operators inside quotes are text.
        assert_eq!(
            expression_depth_bound("insert into t values (1, -2), (3, -4)"),
            2
        );
        assert_eq!(
            expression_depth_bound("select 'a or b or (c' = $$ ) or $$"),
            1
        );
        // A comma inside a string does not end the chain.
        assert_eq!(
            expression_depth_bound("select 1 where a = ',' or b = ','"),
            3
        );
    }

    #[test]
    fn only_statements_the_model_or_rules_read_keep_their_tree() {
        for text in [
            "insert into t values (1), (2);",
            "update t set a = 1;",
            "delete from t;",
            "copy t from stdin;",
            "select cron.schedule('x', '* * * * *', 'select 1');",
            "set search_path = '';",
            "comment on table t is 'x';",
        ] {
            assert!(matches!(parse_statement(text), Parsed::Released), "{text}");
        }
        for text in ["create table t (id int);", "drop table t;"] {
            assert!(matches!(parse_statement(text), Parsed::Ast(_)), "{text}");
        }
        // Only the model reads grants: kept as plain data.
        let source = SourceText::new("grant select on t to anon;".to_string());
        let (statements, _) = parse_text(&source, |_| true);
        assert!(matches!(statements[0].parsed, Parsed::Compact(_)));
        assert!(statements[0].ast().is_none());
        assert!(statements[0].tree().is_none());
    }

    #[test]
    fn statements_nothing_reads_are_known_by_their_first_word() {
        for text in [
            "INSERT into t values (1);",
            "with x as (select 1) insert into t select * from x;",
            "values (1);",
            "select 'unterminated",
            "vacuum analyze t;",
        ] {
            assert!(is_unread_command(text), "{text}");
        }
        for text in [
            "settle t;",
            "create table t (id int);",
            "(select 1);",
            "alter table t add column a int;",
            "do $$ begin end $$;",
        ] {
            assert!(!is_unread_command(text), "{text}");
        }
    }

    #[test]
    fn spans_of_the_tree_map_to_the_statement_text() {
        use sqlparser::ast::Spanned;
        let text = "create table t (\n  id int,\n  org uuid references orgs (id)\n);";
        let Parsed::Ast(Tree::CreateTable(create)) = parse_statement(text) else {
            panic!("parses as a create table")
        };
        let span = create.columns[1].span();
        let start = offset_in(text, span.start.line, span.start.column).unwrap();
        let end = offset_in(text, span.end.line, span.end.column).unwrap();
        // sqlparser's span ends with the last identifier; the closing parenthesis is added.
        assert_eq!(&text[start..end], "org uuid references orgs (id");
        let (start, end) = balance_parentheses(text, start, end);
        assert_eq!(&text[start..end], "org uuid references orgs (id)");
        let text = "alter table t add foreign key (a, b) references u (x, y);";
        let (start, end) = (text.find("a, b").unwrap(), text.find("x, y").unwrap() + 4);
        let (start, end) = balance_parentheses(text, start, end);
        assert_eq!(&text[start..end], "(a, b) references u (x, y)");
        assert_eq!(offset_in(text, 0, 0), None);
        assert_eq!(offset_in(text, 9, 1), None);
    }

    #[test]
    fn parses_or_falls_back() {
        assert!(matches!(
            parse_statement("create table t (id int primary key);"),
            Parsed::Ast(_)
        ));
        match parse_statement("alter publication supabase_realtime add table public.t;") {
            Parsed::Fallback(f) => assert_eq!(f.command, "ALTER PUBLICATION"),
            other => panic!("expected a fallback, got {other:?}"),
        }
    }
}
