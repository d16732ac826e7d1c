//! The static schema model: every migration's statements replayed in order into what
//! exists (tables, columns, keys, indexes, RLS, policies, functions, views, grants), each
//! object remembering where it was defined and last changed.

use crate::migrations::MigrationSet;
use sqlparser::ast::ObjectName;

/// The schema as the migrations leave it.
#[derive(Debug, Default)]
pub struct Model {}

impl Model {
    pub fn build(_set: &MigrationSet) -> Model {
        Model::default()
    }
}

/// `schema.name` with `public` as the default schema; unquoted parts fold to lower case.
pub fn qualified(name: &ObjectName) -> String {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|part| match part.as_ident() {
            Some(ident) if ident.quote_style.is_some() => ident.value.clone(),
            Some(ident) => ident.value.to_lowercase(),
            None => part.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [name] => format!("public.{name}"),
        [.., schema, name] => format!("{schema}.{name}"),
        [] => String::new(),
    }
}
