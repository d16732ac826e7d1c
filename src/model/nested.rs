//! DDL nested in `DO` blocks. Migrations often guard statements PostgreSQL has no
//! `IF NOT EXISTS` for (`CREATE POLICY`, `ADD CONSTRAINT`) with
//! `DO $$ BEGIN IF NOT EXISTS (…) THEN <ddl>; END IF; END $$`. The model replays such
//! statements as if they ran: the guard normally only skips what already exists.
//! Dynamic SQL (`EXECUTE format(…)`) cannot be read and is ignored.

use crate::sql::{parse_statement, split, Parsed};
use regex::Regex;
use sqlparser::ast::Statement;
use std::sync::LazyLock;

/// A DDL keyword at the start of a PL/pgSQL statement: at the start of a piece, or after a
/// keyword that opens a block or branch.
static DDL_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)(?:^\s*|\b(?:BEGIN|THEN|ELSE|LOOP)\s+)(CREATE|ALTER|DROP|GRANT|REVOKE)\s")
        .expect("valid regex")
});

/// The dollar-quote opening the body: `$$` or `$tag$`.
static DOLLAR_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$[A-Za-z_0-9]*\$").expect("valid regex"));

/// The parsed DDL statements inside a `DO` statement's body, in order.
pub(super) fn statements(text: &str) -> Vec<Statement> {
    let Some(body) = body(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for raw in split::split(body).statements {
        let piece = &body[raw.span];
        let Some(start) = DDL_START.captures(piece).and_then(|c| c.get(1)) else {
            continue;
        };
        if let Parsed::Ast(statement) = parse_statement(&piece[start.start()..]) {
            found.push(*statement);
        }
    }
    found
}

/// Tables a `DO` block may enable row level security on through dynamic SQL:
/// `execute format('alter table public.%I enable row level security', t)` in a loop over
/// a list of names. Every string literal that looks like a table name is a candidate (in
/// the schema written before `%I`, else `public`); the caller keeps the tables it knows.
pub(super) fn dynamic_rls_candidates(text: &str) -> Vec<String> {
    let Some(body) = body(text) else {
        return Vec::new();
    };
    let Some(found) = DYNAMIC_RLS.captures(body) else {
        return Vec::new();
    };
    let schema = found
        .get(1)
        .map_or("public".to_string(), |m| m.as_str().to_lowercase());
    NAME_LITERAL
        .captures_iter(body)
        .map(|c| format!("{schema}.{}", c[1].to_lowercase()))
        .collect()
}

static DYNAMIC_RLS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)\bexecute\b[^;]*?\balter\s+table\s+(?:([A-Za-z_][A-Za-z0-9_]*)\.)?%I\s+enable\s+row\s+level\s+security")
        .expect("valid regex")
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
    fn dynamic_rls_lists_literals() {
        let text = "do $$ declare tables text[] := array['notes', 'Tasks']; t text; begin
            foreach t in array tables loop
              execute format('alter table public.%I enable row level security', t);
            end loop; end $$;";
        assert_eq!(
            dynamic_rls_candidates(text),
            ["public.notes", "public.tasks"]
        );
        assert!(dynamic_rls_candidates("do $$ begin execute 'select 1'; end $$").is_empty());
    }

    #[test]
    fn no_body_no_statements() {
        assert!(statements("DO 'begin null; end'").is_empty());
        assert!(statements("DO $$ unterminated").is_empty());
    }
}
