//! What can be read reliably from a statement sqlparser cannot parse: its command
//! (`CREATE TRIGGER`, `DO`, `COMMENT ON FUNCTION`, …) and the objects it names.

use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    /// The leading keywords in upper case, modifiers dropped: `CREATE OR REPLACE FUNCTION`
    /// becomes `CREATE FUNCTION`.
    pub command: String,
    /// Objects named by the statement (as written, unquoted, lower-cased unless quoted):
    /// the created/altered/dropped object first, then the table a trigger or policy is on.
    pub objects: Vec<String>,
    /// sqlparser's error, when it gave one.
    pub error: Option<String>,
}

/// Words that may stand between a command and its object type and carry no meaning for
/// classification.
const MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "UNIQUE",
    "CONSTRAINT",
    "RECURSIVE",
    "TRUSTED",
    "PROCEDURAL",
    "GLOBAL",
    "LOCAL",
];

/// Object types of two words.
const TWO_WORD_TYPES: &[&str] = &[
    "MATERIALIZED VIEW",
    "EVENT TRIGGER",
    "FOREIGN TABLE",
    "FOREIGN DATA",
    "DEFAULT PRIVILEGES",
    "TEXT SEARCH",
    "ACCESS METHOD",
    "USER MAPPING",
    "OPERATOR CLASS",
    "OPERATOR FAMILY",
];

static NAME: &str = r#"((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))*)"#;

static OBJECT_AFTER_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?is)^\s*(?:CREATE|ALTER|DROP|COMMENT\s+ON)(?:\s+(?:OR\s+REPLACE|TEMP|TEMPORARY|UNLOGGED|UNIQUE|CONSTRAINT|MATERIALIZED|EVENT|FOREIGN|RECURSIVE))*\s+[A-Za-z]+(?:\s+CONCURRENTLY)?(?:\s+IF\s+(?:NOT\s+)?EXISTS)?\s+(?:ONLY\s+)?{NAME}"
    ))
    .expect("valid regex")
});

static ON_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?is)\bON\s+(?:TABLE\s+)?(?:ONLY\s+)?{NAME}")).expect("valid regex")
});

/// `… SET SCHEMA <name>` ending a statement.
static SET_SCHEMA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)\bset\s+schema\s+("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)\s*;?\s*$"#)
        .expect("valid regex")
});

/// The schema an `ALTER … SET SCHEMA <name>` statement moves its object to, read from its
/// text (sqlparser parses no `ALTER TABLE`, `TYPE`, `SEQUENCE`, `DOMAIN`, `PROCEDURE` or
/// `EXTENSION … SET SCHEMA`).
pub fn set_schema_target(text: &str) -> Option<String> {
    SET_SCHEMA
        .captures(text)
        .map(|captures| normalize_name(&captures[1]))
}

impl Fallback {
    pub fn classify(text: &str, error: Option<String>) -> Fallback {
        let words = leading_words(text, 8);
        let command = command_of(&words);
        let mut objects = Vec::new();
        if let Some(captures) = OBJECT_AFTER_TYPE.captures(text) {
            objects.push(normalize_name(&captures[1]));
        }
        if matches!(
            command.as_str(),
            "CREATE TRIGGER" | "CREATE POLICY" | "ALTER POLICY" | "DROP TRIGGER" | "DROP POLICY"
        ) {
            if let Some(captures) = ON_TABLE.captures(text) {
                objects.push(normalize_name(&captures[1]));
            }
        }
        Fallback {
            command,
            objects,
            error,
        }
    }
}

/// The statement's first words, upper-cased, skipping leading comments.
pub fn leading_words(text: &str, limit: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = text;
    while words.len() < limit {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.find('\n').map_or("", |n| &after[n..]);
            continue;
        }
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |n| &after[n + 2..]);
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        words.push(rest[..end].to_ascii_uppercase());
        rest = &rest[end..];
    }
    words
}

fn command_of(words: &[String]) -> String {
    let Some(first) = words.first() else {
        // psql meta-commands (`\set`), stray punctuation, or nothing at all.
        return "UNKNOWN".to_string();
    };
    let takes_object = matches!(
        first.as_str(),
        "CREATE" | "ALTER" | "DROP" | "GRANT" | "REVOKE" | "COMMENT" | "SECURITY"
    );
    if !takes_object {
        return first.clone();
    }
    let mut rest = words[1..]
        .iter()
        .filter(|w| !MODIFIERS.contains(&w.as_str()));
    let mut parts = vec![first.clone()];
    if first == "COMMENT" || first == "SECURITY" {
        // COMMENT ON <type>, SECURITY LABEL ON <type>
        parts.extend(rest.by_ref().take(2).cloned());
    } else if first != "GRANT" && first != "REVOKE" {
        if let Some(object_type) = rest.next() {
            parts.push(object_type.clone());
            if let Some(second) = rest.next() {
                let pair = format!("{object_type} {second}");
                if TWO_WORD_TYPES.contains(&pair.as_str()) {
                    parts.push(second.clone());
                }
            }
        }
    }
    parts.join(" ")
}

/// `Public."My Table"` → `public.My Table`: unquoted parts fold to lower case.
pub fn normalize_name(name: &str) -> String {
    name.split('.')
        .map(|part| {
            let part = part.trim();
            match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => part.to_lowercase(),
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(text: &str) -> Fallback {
        Fallback::classify(text, None)
    }

    #[test]
    fn commands() {
        assert_eq!(classify("do $$ begin end $$;").command, "DO");
        assert_eq!(
            classify("comment on function public.f(int) is 'x';").command,
            "COMMENT ON FUNCTION"
        );
        assert_eq!(
            classify("-- lead\ncreate or replace function f() returns int").command,
            "CREATE FUNCTION"
        );
        assert_eq!(
            classify("create materialized view mv as select 1").command,
            "CREATE MATERIALIZED VIEW"
        );
        assert_eq!(classify("\\set x 1").command, "UNKNOWN");
        assert_eq!(classify("grant select on t to anon").command, "GRANT");
    }

    #[test]
    fn set_schema_targets() {
        assert_eq!(
            set_schema_target("alter table public.t set schema Private;").as_deref(),
            Some("private")
        );
        assert_eq!(
            set_schema_target("ALTER TYPE t SET SCHEMA \"Billing\"").as_deref(),
            Some("Billing")
        );
        assert_eq!(
            set_schema_target("alter table t set (fillfactor = 70)"),
            None
        );
    }

    #[test]
    fn objects() {
        let trigger = classify(
            "create trigger on_signup after insert on auth.users for each row when (new.x) execute function f();",
        );
        assert_eq!(trigger.command, "CREATE TRIGGER");
        assert_eq!(trigger.objects, ["on_signup", "auth.users"]);
        assert_eq!(
            classify("alter publication supabase_realtime add table t").objects,
            ["supabase_realtime"]
        );
        assert_eq!(
            classify(r#"create table if not exists Public."My ""T""" (id int)"#).objects,
            [r#"public.My "T""#]
        );
    }
}
