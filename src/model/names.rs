//! Name normalisation: how PostgreSQL folds identifiers, with `public` as the default schema.

use sqlparser::ast::{Ident, ObjectName};

/// `schema.name` with `public` as the default schema; unquoted parts fold to lower case.
pub fn qualified(name: &ObjectName) -> String {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|part| match part.as_ident() {
            Some(ident) => ident_name(ident),
            None => part.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [name] => format!("public.{name}"),
        [.., schema, name] => format!("{schema}.{name}"),
        [] => String::new(),
    }
}

/// An identifier as PostgreSQL stores it: unquoted names fold to lower case.
pub fn ident_name(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// The schema part of a qualified name.
pub fn schema_of(qualified: &str) -> &str {
    qualified
        .split_once('.')
        .map_or("public", |(schema, _)| schema)
}

/// The unqualified part of a qualified name.
pub fn base_of(qualified: &str) -> &str {
    qualified
        .split_once('.')
        .map_or(qualified, |(_, name)| name)
}

/// A fallback object name (already normalised, maybe unqualified) as `schema.name`.
pub fn qualify_text(name: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [name] => format!("public.{name}"),
        [.., schema, name] => format!("{schema}.{name}"),
        [] => String::new(),
    }
}

/// A name in the schema of `sibling` (`ALTER TABLE s.t RENAME TO u` → `s.u`; index names
/// live in their table's schema).
pub fn in_schema_of(sibling: &str, name: &str) -> String {
    format!("{}.{}", schema_of(sibling), name)
}

/// A qualified name as SQL: parts that are not plain lower-case identifiers are quoted.
pub fn sql_name(qualified: &str) -> String {
    qualified
        .split('.')
        .map(|part| {
            let plain = part.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
            if plain {
                part.to_string()
            } else {
                crate::sql::quote_ident(part)
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}
