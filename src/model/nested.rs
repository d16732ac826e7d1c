//! DDL nested in `DO` blocks. Migrations often guard statements PostgreSQL has no
//! `IF NOT EXISTS` for (`CREATE POLICY`, `ADD CONSTRAINT`) with
//! `DO $$ BEGIN IF NOT EXISTS (…) THEN <ddl>; END IF; END $$`. The model replays such
//! statements as if they ran: the guard normally only skips what already exists.
//! Dynamic SQL (`EXECUTE format(…)`) cannot be read and is ignored.

use crate::sql::{parse_tree, split};
use regex::Regex;
use sqlparser::ast::Statement;
use std::sync::LazyLock;

/// A DDL keyword at the start of a PL/pgSQL statement: at the start of a piece, or after a
/// keyword that opens a block or branch; comments may stand between them. The word
/// boundary is ASCII's: a Unicode one keeps the regex off its fast engine, which made this
/// search a tenth of a lint.
static DDL_START: LazyLock<Regex> = LazyLock::new(|| {
    let gap = r"(?:\s|--[^\n]*(?:\n|$)|/\*.*?\*/)";
    Regex::new(&format!(
        r"(?is)(?:^{gap}*|(?-u:\b)(?:BEGIN|THEN|ELSE|LOOP){gap}+)(?:CREATE|ALTER|DROP|GRANT|REVOKE)\s"
    ))
    .expect("valid regex")
});

/// The dollar-quote opening the body: `$$` or `$tag$`.
static DOLLAR_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$[A-Za-z_0-9]*\$").expect("valid regex"));

/// What the model reads of a `DO` statement: the DDL it runs, plain and dynamic.
pub(super) struct DoBlock {
    pub nested: Vec<Statement>,
    pub dynamic: Vec<Statement>,
}

impl DoBlock {
    pub fn read(text: &str) -> DoBlock {
        DoBlock {
            nested: statements(text),
            dynamic: dynamic_statements(text),
        }
    }
}

/// The parsed DDL statements inside a `DO` statement's body, in order.
fn statements(text: &str) -> Vec<Statement> {
    let Some(body) = body(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for raw in split::split(body).statements {
        let piece = &body[raw.span];
        // The match ends with the keyword and one space (`find` needs no capture groups).
        let Some(matched) = DDL_START.find(piece) else {
            continue;
        };
        let head = piece[..matched.end()].trim_end();
        let start = head
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .len();
        found.extend(parse_tree(&piece[start..]));
    }
    found
}

/// Statements a `DO` block runs through dynamic SQL over a list of names:
/// `foreach t in array array['a', 'b'] loop execute format('alter table public.%I enable
/// row level security', t); end loop`. Each `execute format('…%I…', …)` template with a
/// single `%I` is expanded with every string literal of the block that looks like a name;
/// the caller keeps only statements about objects it knows.
fn dynamic_statements(text: &str) -> Vec<Statement> {
    let Some(body) = body(text) else {
        return Vec::new();
    };
    let templates: Vec<String> = FORMAT_TEMPLATE
        .captures_iter(body)
        .map(|c| c[1].replace("''", "'"))
        .filter(|t| t.matches('%').count() == 1 && t.contains("%I"))
        .take(MAX_TEMPLATES)
        .collect();
    if templates.is_empty() {
        return Vec::new();
    }
    let mut names: Vec<&str> = NAME_LITERAL
        .captures_iter(body)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.truncate(MAX_NAMES);
    let mut found = Vec::new();
    for template in &templates {
        for name in &names {
            // `%I` quotes the name when needed, keeping its case.
            let quoted = crate::sql::quote_ident(name);
            found.extend(parse_tree(&template.replace("%I", &quoted)));
        }
    }
    found
}

/// Bounds on the expansion, so a block with thousands of literals stays cheap.
const MAX_TEMPLATES: usize = 16;
const MAX_NAMES: usize = 256;

static FORMAT_TEMPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)\bexecute\s+format\s*\(\s*'((?:[^']|'')*)'").expect("valid regex")
});

static NAME_LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"'([A-Za-z_][A-Za-z0-9_]*)'").expect("valid regex"));

/// The text between the first dollar quote and its closing tag.
fn body(text: &str) -> Option<&str> {
    let open = DOLLAR_TAG.find(text)?;
    let rest = &text[open.end()..];
    let close = rest.find(open.as_str())?;
    Some(&rest[..close])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_guarded_ddl() {
        let text = r#"DO $body$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'p') THEN
    CREATE POLICY "p" ON public.t FOR SELECT USING (true);
  END IF;
  ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
  EXECUTE format('drop table %I', 'x');
EXCEPTION WHEN duplicate_object THEN NULL;
END $body$;"#;
        let found: Vec<String> = statements(text).iter().map(|s| s.to_string()).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("CREATE POLICY"));
        assert!(found[1].starts_with("ALTER TABLE"));
    }

    #[test]
    fn comments_before_a_nested_statement_do_not_hide_it() {
        let text = "do $$
begin
  -- enable rls first
  alter table public.t enable row level security;
  /* then the policy */ create policy p on public.t using (true);
  if true then -- guarded
    drop table public.x;
  end if;
end $$;";
        let found: Vec<String> = statements(text).iter().map(|s| s.to_string()).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("ALTER TABLE"), "{found:?}");
        assert!(found[1].starts_with("CREATE POLICY"), "{found:?}");
        assert!(found[2].starts_with("DROP TABLE"), "{found:?}");
    }

    #[test]
    fn dynamic_sql_expands_over_literals() {
        let text = "do $$ declare tables text[] := array['notes', 'Tasks']; t text; begin
            foreach t in array tables loop
              execute format('alter table public.%I enable row level security', t);
              execute format('revoke all on table public.%I from anon', t);
              execute format('select %I, %L', t, 'x');
            end loop; end $$;";
        let found: Vec<String> = dynamic_statements(text)
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(found.len(), 6, "{found:?}");
        assert!(
            found.contains(&"ALTER TABLE public.\"notes\" ENABLE ROW LEVEL SECURITY".to_string()),
            "{found:?}"
        );
        assert!(dynamic_statements("do $$ begin execute 'select 1'; end $$").is_empty());
    }

    #[test]
    fn no_body_no_statements() {
        assert!(statements("DO 'begin null; end'").is_empty());
        assert!(statements("DO $$ unterminated").is_empty());
    }
}
