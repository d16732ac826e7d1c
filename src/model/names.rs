//! Name normalisation: how PostgreSQL folds identifiers, with `public` as the default schema.

use sqlparser::ast::{CreateIndex, Expr, Ident, IndexColumn, ObjectName, ObjectNamePart};
use std::borrow::Cow;

/// `schema.name` with `public` as the default schema; unquoted parts fold to lower case.
pub fn qualified(name: &ObjectName) -> String {
    let part = |part: &ObjectNamePart| match part.as_ident() {
        Some(ident) => ident_name(ident),
        None => part.to_string(),
    };
    // Concatenated, not `format!`ed: the model and the rules qualify names by the
    // hundred thousand.
    let (schema, name) = match name.0.as_slice() {
        [name] => (Cow::Borrowed("public"), part(name)),
        [.., schema, name] => (Cow::Owned(part(schema)), part(name)),
        [] => return String::new(),
    };
    let mut qualified = String::with_capacity(schema.len() + 1 + name.len());
    qualified.push_str(&schema);
    qualified.push('.');
    qualified.push_str(&name);
    qualified
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

/// A plain column reference, by name.
pub fn plain_column(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(ident_name(ident)),
        Expr::CompoundIdentifier(parts) => parts.last().map(ident_name),
        _ => None,
    }
}

/// An index element's column name, or its expression text.
pub fn index_column_name(column: &IndexColumn) -> String {
    plain_column(&column.column.expr).unwrap_or_else(|| column.column.expr.to_string())
}

/// The qualified name of the index a `CREATE INDEX` makes, in its table's schema: the name
/// given, or `<table>_<columns>_idx` (PostgreSQL's default, expressions reduced to their
/// letters and digits) when it has none.
pub fn index_name(create: &CreateIndex) -> String {
    let table = qualified(&create.table_name);
    let base = match create
        .name
        .as_ref()
        .and_then(|n| n.0.last())
        .and_then(|p| p.as_ident())
    {
        Some(ident) => ident_name(ident),
        None => format!(
            "{}_{}_idx",
            base_of(&table),
            create
                .columns
                .iter()
                .map(|c| index_column_name(c).replace(|ch: char| !ch.is_alphanumeric(), ""))
                .collect::<Vec<_>>()
                .join("_")
        ),
    };
    in_schema_of(&table, &base)
}
