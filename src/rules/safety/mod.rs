//! Safety: DDL that takes a long lock on, rewrites, or fails on a table production already
//! has, and changes that break the clients reading it. A table created earlier in the same
//! migration, or in a migration this branch adds, is new and empty where it is deployed:
//! DDL on it is safe, and these rules say nothing about it ([`Fresh`]).

mod adding_field_with_default;
mod adding_required_field;
mod ban_drop_column;
mod ban_drop_function;
mod ban_drop_table;
mod ban_drop_view;
mod ban_set_schema;
mod changing_column_type;
mod constraint_missing_not_valid;
mod disallowed_unique_constraint;
mod identifier_too_long;
mod prefer_timestamptz;
mod renaming_column;
mod renaming_enum_value;
mod renaming_table;
mod require_concurrent_index_creation;
mod require_concurrent_index_deletion;
mod setting_not_nullable_field;
mod transaction_nesting;

pub use adding_field_with_default::AddingFieldWithDefault;
pub use adding_required_field::AddingRequiredField;
pub use ban_drop_column::BanDropColumn;
pub use ban_drop_function::BanDropFunction;
pub use ban_drop_table::BanDropTable;
pub use ban_drop_view::BanDropView;
pub use ban_set_schema::BanSetSchema;
pub use changing_column_type::ChangingColumnType;
pub use constraint_missing_not_valid::ConstraintMissingNotValid;
pub use disallowed_unique_constraint::DisallowedUniqueConstraint;
pub use identifier_too_long::IdentifierTooLong;
pub use prefer_timestamptz::PreferTimestamptz;
pub use renaming_column::RenamingColumn;
pub use renaming_enum_value::RenamingEnumValue;
pub use renaming_table::RenamingTable;
pub use require_concurrent_index_creation::RequireConcurrentIndexCreation;
pub use require_concurrent_index_deletion::RequireConcurrentIndexDeletion;
pub use setting_not_nullable_field::SettingNotNullableField;
pub use transaction_nesting::TransactionNesting;

use super::LintContext;
use crate::migrations::{Migration, MigrationSet};
use crate::model::{ident_name, in_schema_of, qualified};
use crate::sql::fallback::leading_words;
use crate::sql::{Parsed, Statement, TreeRef};
use sqlparser::ast::{self, AlterTableOperation, RenameTableNameKind};
use std::collections::{BTreeSet, HashMap};

/// Tables, indexes, views, types, domains, sequences, functions, procedures and extensions
/// this change creates: made earlier in the same migration, or in a migration the branch
/// adds (by their names at the time, following renames and moves to another schema).
#[derive(Debug, Default)]
pub struct Fresh {
    /// Qualified name → where it was created, as (migration, statement) indexes.
    created: HashMap<String, Vec<(usize, usize)>>,
    /// Migrations the branch adds (indexes into the set).
    added: BTreeSet<usize>,
    /// Qualified index name → its table, from the `CREATE INDEX` statements.
    index_tables: HashMap<String, String>,
}

impl Fresh {
    pub fn build(set: &MigrationSet, added: BTreeSet<usize>) -> Fresh {
        let mut fresh = Fresh {
            created: HashMap::new(),
            added,
            index_tables: HashMap::new(),
        };
        for (m, migration, s, statement) in applied(set) {
            let name = match statement.ast() {
                // `if not exists` of a table an earlier migration made creates nothing.
                Some(TreeRef::CreateTable(create))
                    if !(create.if_not_exists
                        && fresh.created_before(&qualified(&create.name), m, s)) =>
                {
                    qualified(&create.name)
                }
                Some(TreeRef::CreateIndex(create)) => {
                    let Some(name) = &create.name else {
                        continue;
                    };
                    let table = qualified(&create.table_name);
                    let name = in_schema_of(&table, base(name).as_str());
                    // Nor does `if not exists` of an index an earlier statement made.
                    if create.if_not_exists && fresh.created_before(&name, m, s) {
                        continue;
                    }
                    fresh.index_tables.insert(name.clone(), table);
                    name
                }
                // `or replace` of a view production has keeps it deployed.
                Some(TreeRef::Other(ast::Statement::CreateView(create)))
                    if !(create.or_replace
                        && fresh.created_before(&qualified(&create.name), m, s)) =>
                {
                    qualified(&create.name)
                }
                Some(TreeRef::Other(ast::Statement::CreateType { name, .. })) => qualified(name),
                Some(TreeRef::Other(ast::Statement::CreateDomain(create))) => {
                    qualified(&create.name)
                }
                Some(TreeRef::Other(ast::Statement::CreateSequence {
                    name,
                    if_not_exists,
                    ..
                })) if !(*if_not_exists && fresh.created_before(&qualified(name), m, s)) => {
                    qualified(name)
                }
                Some(TreeRef::Other(ast::Statement::CreateExtension(create)))
                    if !(create.if_not_exists
                        && fresh.created_before(
                            &extension_key(&ident_name(&create.name)),
                            m,
                            s,
                        )) =>
                {
                    extension_key(&ident_name(&create.name))
                }
                // A function by name: any overload the change creates makes the name new.
                Some(TreeRef::CreateFunction(create))
                    if !(create.or_replace
                        && fresh.created_before(&qualified(&create.name), m, s)) =>
                {
                    qualified(&create.name)
                }
                Some(TreeRef::AlterTable(alter)) => {
                    let Some(to) = alter.operations.iter().find_map(|op| match op {
                        AlterTableOperation::RenameTable {
                            table_name: RenameTableNameKind::To(to) | RenameTableNameKind::As(to),
                        } => Some(to),
                        _ => None,
                    }) else {
                        continue;
                    };
                    let from = qualified(&alter.name);
                    // A renamed table is as new as it was under its old name; a deployed
                    // table stays deployed under its new one.
                    if !fresh.is_fresh(&from, m, s) {
                        continue;
                    }
                    in_schema_of(&from, base(to).as_str())
                }
                _ => {
                    let Some(text) = migration.source.as_ref().map(|src| statement.text(src))
                    else {
                        continue;
                    };
                    match fresh.created_by_text(statement, text, m, s) {
                        Some(name) => name,
                        None => continue,
                    }
                }
            };
            fresh.created.entry(name).or_default().push((m, s));
        }
        fresh
    }

    /// Is `object` (a qualified name, or `extension <name>`) new where the migration at
    /// (`migration`, `statement`) is deployed: created before it in the same migration, or
    /// in a migration this branch adds?
    pub fn is_fresh(&self, object: &str, migration: usize, statement: usize) -> bool {
        self.created.get(object).is_some_and(|places| {
            places.iter().any(|&(m, s)| {
                (m == migration && s < statement)
                    || (self.added.contains(&m) && (m, s) < (migration, statement))
            })
        })
    }
}

impl Fresh {
    /// What a statement without a tree the rules read makes new: a procedure (sqlparser
    /// parses no PostgreSQL `CREATE PROCEDURE`), or a fresh object's name after `SET
    /// SCHEMA` moves it.
    fn created_by_text(
        &self,
        statement: &Statement,
        text: &str,
        migration: usize,
        index: usize,
    ) -> Option<String> {
        if let Parsed::Fallback(fallback) = &statement.parsed {
            if fallback.command == "CREATE PROCEDURE" {
                let name = crate::model::qualify_name(fallback.objects.first()?);
                let or_replace = leading_words(text, 3).iter().any(|w| w == "REPLACE");
                return (!(or_replace && self.created_before(&name, migration, index)))
                    .then_some(name);
            }
        }
        let moved = ban_set_schema::schema_move(statement, text)?;
        (moved.kind != "extension" && self.is_fresh(&moved.object, migration, index))
            .then(|| format!("{}.{}", moved.to, crate::model::base_of(&moved.object)))
    }

    /// Was `object` created by any migration before (`migration`, `statement`)? A `DROP …
    /// IF EXISTS` of something no migration made is housekeeping, not a loss.
    pub fn created_before(&self, object: &str, migration: usize, statement: usize) -> bool {
        self.created
            .get(object)
            .is_some_and(|places| places.iter().any(|&at| at < (migration, statement)))
    }

    /// Does the same migration create `object` again after (`migration`, `statement`)? A
    /// view dropped to change its columns, for one: its clients see it all along.
    pub fn created_again_in(&self, object: &str, migration: usize, statement: usize) -> bool {
        self.created
            .get(object)
            .is_some_and(|places| places.iter().any(|&(m, s)| m == migration && s > statement))
    }

    /// The table of the index `index`, when a `CREATE INDEX` named it.
    pub fn table_of_index(&self, index: &str) -> Option<&str> {
        self.index_tables.get(index).map(String::as_str)
    }

    /// Does a `DROP` of `object` at (`migration`, `statement`) remove something deployed?
    /// Not when the change made it, nor when an `IF EXISTS` drop names what no migration
    /// created.
    pub fn drops_existing(
        &self,
        object: &str,
        if_exists: bool,
        migration: usize,
        statement: usize,
    ) -> bool {
        !self.is_fresh(object, migration, statement)
            && (!if_exists || self.created_before(object, migration, statement))
    }
}

/// How [`Fresh`] and `ban-set-schema` name an extension, which lives in no schema.
fn extension_key(name: &str) -> String {
    format!("extension {name}")
}

fn base(name: &ast::ObjectName) -> String {
    crate::model::base_of(&qualified(name)).to_string()
}

/// One `ALTER TABLE` operation on a table that production already has.
pub struct ExistingAlter<'a> {
    pub migration: &'a Migration,
    pub statement: &'a Statement,
    /// The table, qualified.
    pub table: String,
    pub operation: &'a AlterTableOperation,
}

impl ExistingAlter<'_> {
    /// A finding of `meta` located on this operation (the column or constraint it adds,
    /// alters or drops) within the statement.
    pub fn finding(
        &self,
        cx: &LintContext<'_>,
        meta: &super::RuleMeta,
        message: String,
    ) -> crate::findings::Finding {
        use sqlparser::ast::Spanned;
        cx.finding_on_element(
            meta,
            self.migration,
            self.statement,
            self.operation.span(),
            message,
        )
    }
}

/// One `DROP` of a table or index production already has.
pub struct ExistingDrop<'a> {
    pub migration: &'a Migration,
    pub statement: &'a Statement,
    /// The dropped object, qualified.
    pub name: String,
    /// Where: (migration, statement) indexes.
    pub at: (usize, usize),
}

/// Every `DROP` of `object_type` in the applied migrations that removes something deployed
/// ([`Fresh::drops_existing`]).
pub fn existing_drops<'a>(
    cx: &'a LintContext<'_>,
    object_type: ast::ObjectType,
) -> Vec<ExistingDrop<'a>> {
    let mut found = Vec::new();
    for (m, migration, s, statement) in applied(cx.set) {
        let Some(TreeRef::Other(ast::Statement::Drop {
            object_type: dropped,
            names,
            if_exists,
            ..
        })) = statement.ast()
        else {
            continue;
        };
        if *dropped != object_type {
            continue;
        }
        for name in names.iter().map(qualified) {
            if cx.fresh.drops_existing(&name, *if_exists, m, s) {
                found.push(ExistingDrop {
                    migration,
                    statement,
                    name,
                    at: (m, s),
                });
            }
        }
    }
    found
}

/// Every `ALTER TABLE` operation of the applied migrations on a table that is not
/// [`Fresh`].
pub fn existing_alters<'a>(cx: &'a LintContext<'_>) -> Vec<ExistingAlter<'a>> {
    let mut found = Vec::new();
    for (m, migration, s, statement) in applied(cx.set) {
        let Some(TreeRef::AlterTable(alter)) = statement.ast() else {
            continue;
        };
        let table = qualified(&alter.name);
        if cx.fresh.is_fresh(&table, m, s) {
            continue;
        }
        for operation in &alter.operations {
            found.push(ExistingAlter {
                migration,
                statement,
                table: table.clone(),
                operation,
            });
        }
    }
    found
}

/// Every applied statement with its migration's index and its own, for rules that look at
/// other statements than `ALTER TABLE`.
pub fn applied(set: &MigrationSet) -> impl Iterator<Item = (usize, &Migration, usize, &Statement)> {
    set.migrations
        .iter()
        .enumerate()
        .flat_map(|(m, migration)| {
            migration
                .statements
                .iter()
                .enumerate()
                .filter(move |(_, s)| migration.applies() && s.applies)
                .map(move |(s, statement)| (m, migration, s, statement))
        })
}

/// The advice shared by the rules about long locks: what a lock timeout buys.
const LOCK_TIMEOUT_HINT: &str =
    "set a `lock_timeout` in the migration so it gives up instead of queueing every query behind it";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_follows_what_the_branch_creates_and_moves() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("write migration")
        };
        write(
            "20240101000000_base.sql",
            "create table public.a (id int);\ncreate extension pg_trgm;\ncreate sequence public.s;\n",
        );
        write(
            "20240102000000_branch.sql",
            "create table public.b (id int);\n\
             alter table public.b set schema private;\n\
             alter table public.a set schema private;\n\
             create extension if not exists pg_trgm;\n\
             create extension pgcrypto;\n\
             create procedure public.p() language sql as $$ select 1 $$;\n\
             create domain public.d as text;\n",
        );
        let set = crate::migrations::load(dir.path(), Some(crate::migrations::Layout::Supabase));
        let fresh = Fresh::build(&set, BTreeSet::from([1]));
        let later = (1, 99);
        assert!(fresh.is_fresh("private.b", later.0, later.1));
        // Moving what production has makes nothing new.
        assert!(!fresh.is_fresh("private.a", later.0, later.1));
        // `if not exists` of an extension an earlier migration created creates nothing.
        assert!(!fresh.is_fresh("extension pg_trgm", later.0, later.1));
        assert!(fresh.is_fresh("extension pgcrypto", later.0, later.1));
        assert!(fresh.is_fresh("public.p", later.0, later.1));
        assert!(fresh.is_fresh("public.d", later.0, later.1));
        assert!(fresh.created_before("public.s", 1, 0));
        assert!(!fresh.is_fresh("public.s", later.0, later.1));
    }
}
