//! Replays statements into the [`Model`], one statement kind per function. Statements
//! about objects the model does not know (created outside the migrations, or by SQL it
//! could not read) are ignored: the model never invents objects it did not see created.

use super::names::{
    base_of, ident_name, in_schema_of, index_column_name, index_name, plain_column, qualified,
    qualify_text, schema_of,
};
use super::nested::DoBlock;
use super::{
    Column, ForeignKey, Function, Grant, History, Index, IndexKind, Model, Origin, Policy,
    PolicyCommand, PrivilegeChange, Table, View,
};
use crate::migrations::Migration;
use crate::sql::{Compact, Fallback, Parsed, TreeRef};
use rayon::prelude::*;
use regex::Regex;
use sqlparser::ast::{
    self, AlterColumnOperation, AlterFunctionAction, AlterFunctionOperation, AlterIndexOperation,
    AlterPolicyOperation, AlterTableOperation, AlterViewOperation, ArgMode, ColumnDef,
    ColumnOption, CreateFunctionBody, CreatePolicyCommand, CreatePolicyType, CreateTableOptions,
    Expr, FunctionDesc, FunctionReturnType, FunctionSecurity, FunctionSetValue, GrantObjects,
    GranteeName, IndexColumn, ObjectName, ObjectType, Owner, Privileges, RenameTableNameKind,
    ResetConfig, SqlOption, Statement, TableConstraint,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Replays every applied statement of the migrations, in order; each is `(index, migration)`,
/// its statements' origins naming it as `index` (`Origin::BASELINE` for the baseline).
pub(super) fn replay<'a>(model: &mut Model<'a>, migrations: &[(usize, &'a Migration)]) {
    let do_blocks = read_do_blocks(migrations);
    for &(migration_index, migration) in migrations {
        let Some(source) = &migration.source else {
            continue;
        };
        for (statement_index, statement) in migration.statements.iter().enumerate() {
            if !statement.applies {
                continue;
            }
            let at = Origin {
                migration: migration_index,
                statement: statement_index,
            };
            match (&statement.parsed, do_blocks.get(&at)) {
                (Parsed::Ast(tree), _) => model.apply(tree.as_ref(), at, Cow::Borrowed),
                (Parsed::Fallback(_), Some(block)) => model.apply_do_block(block, at),
                (Parsed::Fallback(fallback), None) => {
                    model.apply_fallback(fallback, statement.text(source), at)
                }
                (Parsed::Compact(compact), _) => model.apply_compact(compact, at),
                // Released at parse time: a kind the model does not read (`sql::is_read`);
                // after linting, no model is built.
                (Parsed::Released, _) => {}
            }
        }
    }
}

/// The applied `DO` blocks of the migrations, read on every core before the replay, which
/// runs in order on one: reading a block parses the DDL in its body, and a large project's
/// blocks were most of its model build.
fn read_do_blocks(migrations: &[(usize, &Migration)]) -> HashMap<Origin, DoBlock> {
    let blocks: Vec<(Origin, &str)> = migrations
        .iter()
        .filter_map(|&(index, migration)| Some((index, migration, migration.source.as_ref()?)))
        .flat_map(|(index, migration, source)| {
            let statements = migration.statements.iter().enumerate();
            statements.filter_map(
                move |(statement_index, statement)| match &statement.parsed {
                    Parsed::Fallback(fallback) if statement.applies && fallback.command == "DO" => {
                        let at = Origin {
                            migration: index,
                            statement: statement_index,
                        };
                        Some((at, statement.text(source)))
                    }
                    _ => None,
                },
            )
        })
        .collect();
    blocks
        .into_par_iter()
        .map(|(at, text)| (at, DoBlock::read(text)))
        .collect()
}

impl Table {
    /// An empty table created at `at`.
    fn new(name: &str, at: Origin) -> Table {
        Table {
            name: name.to_string(),
            schema: schema_of(name).to_string(),
            columns: Vec::new(),
            primary_key: None,
            foreign_keys: Vec::new(),
            rls_enabled: false,
            rls_forced: false,
            rls_changed: None,
            partition_of: None,
            parsed: true,
            history: History::new(at),
        }
    }
}

/// How the replay keeps a policy's expressions: borrowed from a migration's tree, which
/// outlives the model, or copied from a `DO` block's, which the replay drops.
type Keep<'t, 'a> = fn(&'t Expr) -> Cow<'a, Expr>;

impl<'a> Model<'a> {
    /// Applies one parsed statement.
    pub(super) fn apply<'t>(&mut self, statement: TreeRef<'t>, at: Origin, keep: Keep<'t, 'a>) {
        match statement {
            TreeRef::CreateTable(create) => self.create_table(create, at),
            TreeRef::AlterTable(alter) => {
                let table = qualified(&alter.name);
                for operation in &alter.operations {
                    self.alter_table(&table, operation, at);
                }
            }
            TreeRef::CreateIndex(create) => self.create_index(create, at),
            TreeRef::Other(Statement::AlterIndex {
                name,
                operation: AlterIndexOperation::RenameIndex { index_name },
            }) => self.rename_index(&qualified(name), index_name, at),
            TreeRef::CreatePolicy(policy) => self.create_policy(policy, at, keep),
            TreeRef::Other(Statement::AlterPolicy(alter)) => self.alter_policy(alter, at, keep),
            TreeRef::CreateFunction(create) => self.create_function(create, at),
            TreeRef::Other(Statement::CreateView(create)) => {
                let invoker = match &create.options {
                    CreateTableOptions::With(options) | CreateTableOptions::Options(options) => {
                        security_invoker(options).unwrap_or(false)
                    }
                    _ => false,
                };
                self.create_view(&qualified(&create.name), create.materialized, invoker, at);
            }
            TreeRef::Other(Statement::AlterView(alter)) => self.alter_view(alter, at),
            TreeRef::Other(Statement::Drop {
                object_type, names, ..
            }) => {
                for name in names {
                    self.drop_object(*object_type, &qualified(name), at);
                }
            }
            TreeRef::Other(Statement::Grant(grant)) => {
                self.change_privileges(&PrivilegeChange::of_grant(grant), at)
            }
            TreeRef::Other(Statement::Revoke(revoke)) => {
                self.change_privileges(&PrivilegeChange::of_revoke(revoke), at)
            }
            TreeRef::AlterFunction(alter) => self.alter_function(alter, at),
            TreeRef::Other(Statement::DropFunction(drop)) => self.drop_functions(drop),
            TreeRef::DropPolicy(drop) => self.drop_policy_statement(drop, at),
            _ => {}
        }
    }

    /// Applies the DDL a `DO` block runs: what it runs dynamically only where it alters
    /// objects the model knows.
    fn apply_do_block(&mut self, block: &DoBlock, at: Origin) {
        let copy: Keep<'_, 'a> = |expr| Cow::Owned(expr.clone());
        for nested in &block.nested {
            self.apply(TreeRef::of(nested), at, copy);
        }
        for dynamic in &block.dynamic {
            if self.is_dynamic_alteration(dynamic) {
                self.apply(TreeRef::of(dynamic), at, copy);
            }
        }
    }

    /// Applies what the fallback classification could read of an unparsed statement.
    pub(super) fn apply_fallback(&mut self, fallback: &Fallback, text: &str, at: Origin) {
        let object = |i: usize| fallback.objects.get(i).map(|o| qualify_text(o));
        match fallback.command.as_str() {
            "CREATE TABLE" => {
                // An existing table stays as it is: `if not exists` skips it, and without
                // it PostgreSQL refuses the statement.
                if let Some(name) = object(0).filter(|n| !self.tables.contains_key(n)) {
                    if !TEMPORARY_TABLE.is_match(text) {
                        let mut table = Table::new(&name, at);
                        table.parsed = false;
                        self.tables.insert(name, table);
                    }
                }
            }
            "CREATE POLICY" => {
                if let (Some(name), Some(table)) = (fallback.objects.first(), object(1)) {
                    self.add_policy(Policy {
                        name: name.clone(),
                        table,
                        command: PolicyCommand::All,
                        roles: vec!["public".to_string()],
                        permissive: true,
                        using: None,
                        with_check: None,
                        parsed: false,
                        history: History::new(at),
                    });
                }
            }
            "DROP POLICY" => {
                if let (Some(name), Some(table)) = (fallback.objects.first(), object(1)) {
                    self.drop_policy(&table, name, at);
                }
            }
            "DROP TABLE" | "DROP INDEX" | "DROP VIEW" | "DROP MATERIALIZED VIEW" => {
                let object_type = match fallback.command.as_str() {
                    "DROP TABLE" => ObjectType::Table,
                    "DROP INDEX" => ObjectType::Index,
                    _ => ObjectType::View,
                };
                if let Some(name) = object(0) {
                    self.drop_object(object_type, &name, at);
                }
            }
            "CREATE VIEW" | "CREATE MATERIALIZED VIEW" => {
                if let Some(name) = object(0) {
                    let materialized = fallback.command.contains("MATERIALIZED");
                    self.create_view(&name, materialized, SECURITY_INVOKER.is_match(text), at);
                }
            }
            "ALTER TABLE" => {
                if let Some(table) = object(0) {
                    match crate::sql::fallback::set_schema_target(text) {
                        Some(schema) => self.move_table(&table, &schema, at),
                        None => self.alter_table_text(&table, text, at),
                    }
                }
            }
            _ => {}
        }
    }

    /// Applies a statement kept in compact form: the same as [`Model::apply`] on the whole
    /// statement.
    fn apply_compact(&mut self, compact: &Compact, at: Origin) {
        match compact {
            Compact::Privileges(change) => self.change_privileges(change, at),
            Compact::AlterFunction(alter) => self.alter_function(alter, at),
            Compact::DropPolicy(drop) => self.drop_policy_statement(drop, at),
        }
    }

    fn drop_functions(&mut self, drop: &ast::DropFunction) {
        for desc in &drop.func_desc {
            self.drop_function(desc);
        }
    }

    fn drop_policy_statement(&mut self, drop: &ast::DropPolicy, at: Origin) {
        self.drop_policy(&qualified(&drop.table_name), &ident_name(&drop.name), at);
    }

    /// Dynamic SQL is only trusted to alter, grant or revoke on tables and views the
    /// model knows: the expansion over every literal of a block also yields nonsense.
    fn is_dynamic_alteration(&self, statement: &Statement) -> bool {
        let known = |name: &ObjectName| {
            let name = qualified(name);
            self.tables.contains_key(&name) || self.views.contains_key(&name)
        };
        let objects = |objects: Option<&GrantObjects>| match objects {
            Some(GrantObjects::Tables(names)) | Some(GrantObjects::Views(names)) => {
                !names.is_empty() && names.iter().all(known)
            }
            _ => false,
        };
        match statement {
            Statement::AlterTable(alter) => known(&alter.name),
            Statement::AlterView(alter) => known(&alter.name),
            Statement::Grant(grant) => objects(grant.objects.as_ref()),
            Statement::Revoke(revoke) => objects(revoke.objects.as_ref()),
            _ => false,
        }
    }

    fn create_table(&mut self, create: &ast::CreateTable, at: Origin) {
        if create.temporary {
            return;
        }
        let name = qualified(&create.name);
        if self.tables.contains_key(&name) {
            if create.if_not_exists {
                return;
            }
            self.drop_table(&name);
        }
        let mut table = Table::new(&name, at);
        table.partition_of = create.partition_of.as_ref().map(qualified);
        self.tables.insert(name.clone(), table);
        for column in &create.columns {
            self.add_column(&name, column, at);
        }
        for constraint in &create.constraints {
            self.add_constraint(&name, constraint, at);
        }
    }

    fn add_column(&mut self, table: &str, column: &ColumnDef, at: Origin) {
        let name = ident_name(&column.name);
        let not_null = column.options.iter().any(|o| {
            matches!(
                o.option,
                ColumnOption::NotNull | ColumnOption::PrimaryKey(_)
            )
        });
        let Some(entry) = self.tables.get_mut(table) else {
            return;
        };
        if entry.column(&name).is_some() {
            return;
        }
        entry.columns.push(Column {
            name: name.clone(),
            data_type: column.data_type.to_string().to_lowercase(),
            not_null,
        });
        entry.history.changed = at;
        for option in &column.options {
            let constraint_name = option.name.as_ref().map(ident_name);
            match &option.option {
                ColumnOption::PrimaryKey(_) => self.add_key(
                    table,
                    constraint_name,
                    vec![name.clone()],
                    IndexKind::PrimaryKey,
                    at,
                ),
                ColumnOption::Unique(_) => self.add_key(
                    table,
                    constraint_name,
                    vec![name.clone()],
                    IndexKind::Unique,
                    at,
                ),
                ColumnOption::ForeignKey(fk) => self.add_foreign_key(
                    table,
                    constraint_name,
                    vec![name.clone()],
                    qualified(&fk.foreign_table),
                    fk.referred_columns.iter().map(ident_name).collect(),
                    at,
                ),
                _ => {}
            }
        }
    }

    fn add_constraint(&mut self, table: &str, constraint: &TableConstraint, at: Origin) {
        match constraint {
            TableConstraint::PrimaryKey(pk) => self.add_key(
                table,
                pk.name.as_ref().map(ident_name),
                pk.columns.iter().map(index_column_name).collect(),
                IndexKind::PrimaryKey,
                at,
            ),
            TableConstraint::Unique(unique) => self.add_key(
                table,
                unique.name.as_ref().map(ident_name),
                unique.columns.iter().map(index_column_name).collect(),
                IndexKind::Unique,
                at,
            ),
            TableConstraint::Exclude(exclude) => self.add_key(
                table,
                exclude.name.as_ref().map(ident_name),
                exclude
                    .elements
                    .iter()
                    .map(|e| index_column_name(&e.column))
                    .collect(),
                IndexKind::Exclude,
                at,
            ),
            TableConstraint::ForeignKey(fk) => self.add_foreign_key(
                table,
                fk.name.as_ref().map(ident_name),
                fk.columns.iter().map(ident_name).collect(),
                qualified(&fk.foreign_table),
                fk.referred_columns.iter().map(ident_name).collect(),
                at,
            ),
            TableConstraint::PrimaryKeyUsingIndex(using) => {
                let index = in_schema_of(table, &ident_name(&using.index_name));
                if let Some(found) = self.indexes.get_mut(&index) {
                    found.kind = IndexKind::PrimaryKey;
                    found.unique = true;
                    found.history.changed = at;
                    let columns = found.columns.clone();
                    if let Some(entry) = self.tables.get_mut(table) {
                        entry.primary_key = Some(columns);
                        entry.history.changed = at;
                    }
                }
            }
            TableConstraint::UniqueUsingIndex(using) => {
                let index = in_schema_of(table, &ident_name(&using.index_name));
                if let Some(found) = self.indexes.get_mut(&index) {
                    found.kind = IndexKind::Unique;
                    found.history.changed = at;
                }
            }
            _ => {}
        }
    }

    /// A primary key, unique or exclusion constraint and the index that enforces it.
    fn add_key(
        &mut self,
        table: &str,
        name: Option<String>,
        columns: Vec<String>,
        kind: IndexKind,
        at: Origin,
    ) {
        let Some(entry) = self.tables.get_mut(table) else {
            return;
        };
        let base = base_of(table);
        let name = name.unwrap_or_else(|| match kind {
            IndexKind::PrimaryKey => format!("{base}_pkey"),
            IndexKind::Exclude => format!("{base}_{}_excl", columns.join("_")),
            _ => format!("{base}_{}_key", columns.join("_")),
        });
        if kind == IndexKind::PrimaryKey {
            entry.primary_key = Some(columns.clone());
            for column in &mut entry.columns {
                if columns.contains(&column.name) {
                    column.not_null = true;
                }
            }
        }
        entry.history.changed = at;
        let qualified_name = in_schema_of(table, &name);
        self.indexes.insert(
            qualified_name.clone(),
            Index {
                name: qualified_name,
                table: table.to_string(),
                columns,
                expression: false,
                element_options: String::new(),
                predicate: None,
                unique: kind != IndexKind::Exclude,
                method: if kind == IndexKind::Exclude {
                    "gist"
                } else {
                    "btree"
                }
                .to_string(),
                kind,
                history: History::new(at),
            },
        );
    }

    fn add_foreign_key(
        &mut self,
        table: &str,
        name: Option<String>,
        columns: Vec<String>,
        references: String,
        referred_columns: Vec<String>,
        at: Origin,
    ) {
        let Some(entry) = self.tables.get_mut(table) else {
            return;
        };
        let name = name.unwrap_or_else(|| format!("{}_{}_fkey", base_of(table), columns.join("_")));
        entry.foreign_keys.retain(|fk| fk.name != name);
        entry.foreign_keys.push(ForeignKey {
            name,
            columns,
            references,
            referred_columns,
            history: History::new(at),
        });
        entry.history.changed = at;
    }

    fn alter_table(&mut self, table: &str, operation: &AlterTableOperation, at: Origin) {
        if !self.tables.contains_key(table) {
            return;
        }
        match operation {
            AlterTableOperation::AddConstraint { constraint, .. } => {
                self.add_constraint(table, constraint, at)
            }
            AlterTableOperation::AddColumn { column_def, .. } => {
                self.add_column(table, column_def, at)
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                for column in column_names {
                    self.drop_column(table, &ident_name(column), at);
                }
            }
            AlterTableOperation::DropConstraint { name, .. } => {
                self.drop_constraint(table, &ident_name(name), at)
            }
            AlterTableOperation::DropPrimaryKey { .. } => {
                let name = self
                    .indexes_on(table)
                    .find(|i| i.kind == IndexKind::PrimaryKey)
                    .map(|i| base_of(&i.name).to_string());
                if let Some(name) = name {
                    self.drop_constraint(table, &name, at);
                }
            }
            AlterTableOperation::EnableRowLevelSecurity => {
                self.set_rls(table, Some(true), None, at)
            }
            AlterTableOperation::DisableRowLevelSecurity => {
                self.set_rls(table, Some(false), None, at)
            }
            AlterTableOperation::ForceRowLevelSecurity => self.set_rls(table, None, Some(true), at),
            AlterTableOperation::NoForceRowLevelSecurity => {
                self.set_rls(table, None, Some(false), at)
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => self.rename_column(
                table,
                &ident_name(old_column_name),
                &ident_name(new_column_name),
                at,
            ),
            AlterTableOperation::RenameTable { table_name } => {
                let new_name = match table_name {
                    RenameTableNameKind::As(name) | RenameTableNameKind::To(name) => name,
                };
                let base = new_name.0.last().and_then(|p| p.as_ident()).map(ident_name);
                if let Some(base) = base {
                    self.rename_table(table, &in_schema_of(table, &base), at);
                }
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                self.rename_constraint(table, &ident_name(old_name), &ident_name(new_name), at)
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let name = ident_name(column_name);
                if let Some(column) = self
                    .tables
                    .get_mut(table)
                    .and_then(|t| t.columns.iter_mut().find(|c| c.name == name))
                {
                    match op {
                        AlterColumnOperation::SetNotNull => column.not_null = true,
                        AlterColumnOperation::DropNotNull => column.not_null = false,
                        AlterColumnOperation::SetDataType { data_type, .. } => {
                            column.data_type = data_type.to_string().to_lowercase()
                        }
                        _ => {}
                    }
                }
                self.touch_table(table, at);
            }
            _ => {}
        }
    }

    /// What can be read from an `ALTER TABLE` sqlparser could not parse: row level
    /// security switches and foreign keys.
    fn alter_table_text(&mut self, table: &str, text: &str, at: Origin) {
        if !self.tables.contains_key(table) {
            return;
        }
        if ENABLE_RLS.is_match(text) {
            self.set_rls(table, Some(true), None, at);
        }
        if DISABLE_RLS.is_match(text) {
            self.set_rls(table, Some(false), None, at);
        }
        for captures in FOREIGN_KEY.captures_iter(text) {
            let name = captures.get(1).map(|m| fallback_ident(m.as_str()));
            let columns = fallback_list(&captures[2]);
            let references = qualify_text(&crate::sql::fallback::normalize_name(&captures[3]));
            let referred = captures
                .get(4)
                .map_or_else(Vec::new, |m| fallback_list(m.as_str()));
            self.add_foreign_key(table, name, columns, references, referred, at);
        }
    }

    fn touch_table(&mut self, table: &str, at: Origin) {
        if let Some(entry) = self.tables.get_mut(table) {
            entry.history.changed = at;
        }
    }

    fn set_rls(&mut self, table: &str, enabled: Option<bool>, forced: Option<bool>, at: Origin) {
        if let Some(entry) = self.tables.get_mut(table) {
            if let Some(enabled) = enabled {
                entry.rls_enabled = enabled;
            }
            if let Some(forced) = forced {
                entry.rls_forced = forced;
            }
            entry.rls_changed = Some(at);
            entry.history.changed = at;
        }
    }

    fn drop_column(&mut self, table: &str, column: &str, at: Origin) {
        let Some(entry) = self.tables.get_mut(table) else {
            return;
        };
        entry.columns.retain(|c| c.name != column);
        entry
            .foreign_keys
            .retain(|fk| !fk.columns.iter().any(|c| c == column));
        if entry
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.iter().any(|c| c == column))
        {
            entry.primary_key = None;
        }
        entry.history.changed = at;
        self.indexes
            .retain(|_, i| !(i.table == table && i.columns.iter().any(|c| c == column)));
    }

    fn drop_constraint(&mut self, table: &str, name: &str, at: Origin) {
        let index = in_schema_of(table, name);
        if let Some(removed) = self.indexes.get(&index) {
            if removed.table == table && removed.kind != IndexKind::Index {
                let was_pk = removed.kind == IndexKind::PrimaryKey;
                self.indexes.remove(&index);
                if was_pk {
                    if let Some(entry) = self.tables.get_mut(table) {
                        entry.primary_key = None;
                    }
                }
            }
        }
        if let Some(entry) = self.tables.get_mut(table) {
            entry.foreign_keys.retain(|fk| fk.name != name);
            entry.history.changed = at;
        }
    }

    fn rename_column(&mut self, table: &str, old: &str, new: &str, at: Origin) {
        let rename = |columns: &mut Vec<String>| {
            for column in columns.iter_mut() {
                if column == old {
                    *column = new.to_string();
                }
            }
        };
        let Some(entry) = self.tables.get_mut(table) else {
            return;
        };
        for column in &mut entry.columns {
            if column.name == old {
                column.name = new.to_string();
            }
        }
        if let Some(pk) = &mut entry.primary_key {
            rename(pk);
        }
        for fk in &mut entry.foreign_keys {
            rename(&mut fk.columns);
        }
        entry.history.changed = at;
        for index in self.indexes.values_mut().filter(|i| i.table == table) {
            rename(&mut index.columns);
        }
        for other in self.tables.values_mut() {
            for fk in other
                .foreign_keys
                .iter_mut()
                .filter(|fk| fk.references == table)
            {
                rename(&mut fk.referred_columns);
            }
        }
    }

    fn rename_table(&mut self, old: &str, new: &str, at: Origin) {
        let Some(mut entry) = self.tables.remove(old) else {
            return;
        };
        entry.name = new.to_string();
        entry.history.changed = at;
        self.tables.insert(new.to_string(), entry);
        for index in self.indexes.values_mut().filter(|i| i.table == old) {
            index.table = new.to_string();
        }
        let moved: Vec<(String, String)> = self.policies_on(old).map(Policy::key).collect();
        for key in moved {
            if let Some(mut policy) = self.policies.remove(&key) {
                policy.table = new.to_string();
                self.add_policy(policy);
            }
        }
        for table in self.tables.values_mut() {
            for fk in table
                .foreign_keys
                .iter_mut()
                .filter(|fk| fk.references == old)
            {
                fk.references = new.to_string();
            }
        }
    }

    /// `ALTER TABLE … SET SCHEMA`: a rename into another schema, where its indexes move
    /// too.
    fn move_table(&mut self, old: &str, schema: &str, at: Origin) {
        let new = format!("{schema}.{}", base_of(old));
        if !self.tables.contains_key(old) || new == old {
            return;
        }
        self.rename_table(old, &new, at);
        if let Some(table) = self.tables.get_mut(&new) {
            table.schema = schema.to_string();
        }
        let indexes: Vec<String> = self
            .indexes
            .iter()
            .filter(|(_, index)| index.table == new)
            .map(|(key, _)| key.clone())
            .collect();
        for key in indexes {
            if let Some(mut index) = self.indexes.remove(&key) {
                index.name = format!("{schema}.{}", base_of(&key));
                self.indexes.insert(index.name.clone(), index);
            }
        }
    }

    fn rename_constraint(&mut self, table: &str, old: &str, new: &str, at: Origin) {
        let index = in_schema_of(table, old);
        if self.indexes.get(&index).is_some_and(|i| i.table == table) {
            self.rename_index(&index, &ObjectName::from(vec![ast::Ident::new(new)]), at);
        }
        if let Some(entry) = self.tables.get_mut(table) {
            for fk in entry.foreign_keys.iter_mut().filter(|fk| fk.name == old) {
                fk.name = new.to_string();
                fk.history.changed = at;
            }
        }
    }

    fn rename_index(&mut self, old: &str, new: &ObjectName, at: Origin) {
        let Some(base) = new.0.last().and_then(|p| p.as_ident()).map(ident_name) else {
            return;
        };
        if let Some(mut index) = self.indexes.remove(old) {
            let name = in_schema_of(old, &base);
            index.name = name.clone();
            index.history.changed = at;
            self.indexes.insert(name, index);
        }
    }

    fn create_index(&mut self, create: &ast::CreateIndex, at: Origin) {
        let table = qualified(&create.table_name);
        if !self.tables.contains_key(&table) {
            return;
        }
        let columns: Vec<String> = create.columns.iter().map(index_column_name).collect();
        let expression = create
            .columns
            .iter()
            .any(|c| plain_column(&c.column.expr).is_none());
        let name = index_name(create);
        if create.if_not_exists && self.indexes.contains_key(&name) {
            return;
        }
        let method = create
            .using
            .as_ref()
            .map_or_else(|| "btree".to_string(), |m| m.to_string().to_lowercase());
        self.indexes.insert(
            name.clone(),
            Index {
                name,
                table,
                columns,
                expression,
                element_options: element_options(&create.columns),
                predicate: create.predicate.as_ref().map(|p| p.to_string()),
                unique: create.unique,
                method,
                kind: IndexKind::Index,
                history: History::new(at),
            },
        );
    }

    fn create_policy<'t>(&mut self, create: &'t ast::CreatePolicy, at: Origin, keep: Keep<'t, 'a>) {
        let command = match create.command {
            None | Some(CreatePolicyCommand::All) => PolicyCommand::All,
            Some(CreatePolicyCommand::Select) => PolicyCommand::Select,
            Some(CreatePolicyCommand::Insert) => PolicyCommand::Insert,
            Some(CreatePolicyCommand::Update) => PolicyCommand::Update,
            Some(CreatePolicyCommand::Delete) => PolicyCommand::Delete,
        };
        self.add_policy(Policy {
            name: ident_name(&create.name),
            table: qualified(&create.table_name),
            command,
            roles: roles(create.to.as_deref()),
            permissive: create.policy_type != Some(CreatePolicyType::Restrictive),
            using: create.using.as_ref().map(keep),
            with_check: create.with_check.as_ref().map(keep),
            parsed: true,
            history: History::new(at),
        });
    }

    fn add_policy(&mut self, policy: Policy<'a>) {
        self.policies.insert(policy.key(), policy);
    }

    fn alter_policy<'t>(&mut self, alter: &'t ast::AlterPolicy, at: Origin, keep: Keep<'t, 'a>) {
        let table = qualified(&alter.table_name);
        let name = ident_name(&alter.name);
        let Some(mut policy) = self.policies.remove(&(table, name)) else {
            return;
        };
        policy.history.changed = at;
        match &alter.operation {
            AlterPolicyOperation::Rename { new_name } => policy.name = ident_name(new_name),
            AlterPolicyOperation::Apply {
                to,
                using,
                with_check,
            } => {
                if let Some(to) = to {
                    policy.roles = roles(Some(to));
                }
                if let Some(using) = using {
                    policy.using = Some(keep(using));
                }
                if let Some(with_check) = with_check {
                    policy.with_check = Some(keep(with_check));
                }
            }
        }
        self.add_policy(policy);
    }

    /// Dropping a policy changes what its table lets through.
    fn drop_policy(&mut self, table: &str, name: &str, at: Origin) {
        self.policies.remove(&(table.to_string(), name.to_string()));
        self.touch_table(table, at);
    }

    fn create_function(&mut self, create: &ast::CreateFunction, at: Origin) {
        let name = qualified(&create.name);
        let signature = signature(create.args.as_deref().unwrap_or(&[]));
        let search_path = create
            .set_params
            .iter()
            .find(|p| is_search_path(&p.name))
            .and_then(|p| set_value(&p.value));
        let standard_body = matches!(
            create.function_body,
            Some(CreateFunctionBody::BeginAtomic(_) | CreateFunctionBody::Return(_))
        );
        let returns_trigger = matches!(
            &create.return_type,
            Some(FunctionReturnType::DataType(ast::DataType::Trigger))
        ) || matches!(
            &create.return_type,
            Some(FunctionReturnType::DataType(t)) if t.to_string().eq_ignore_ascii_case("trigger")
        );
        let key = (name.clone(), signature.clone());
        let history = match self.functions.get(&key) {
            Some(existing) => History {
                created: existing.history.created,
                changed: at,
            },
            None => History::new(at),
        };
        let function = Function {
            schema: schema_of(&name).to_string(),
            name,
            signature,
            security_definer: create.security == Some(FunctionSecurity::Definer),
            search_path,
            language: create.language.as_ref().map(ident_name),
            returns_trigger,
            standard_body,
            history,
        };
        self.functions.insert(key, function);
    }

    fn alter_function(&mut self, alter: &ast::AlterFunction, at: Origin) {
        // Ownership and extension dependencies say nothing about what the function does:
        // findings keep pointing at the statement that defined it.
        if matches!(
            alter.operation,
            AlterFunctionOperation::OwnerTo(_) | AlterFunctionOperation::DependsOnExtension { .. }
        ) {
            return;
        }
        for key in self.matching_functions(&alter.function) {
            let Some(mut function) = self.functions.remove(&key) else {
                continue;
            };
            function.history.changed = at;
            match &alter.operation {
                AlterFunctionOperation::Actions { actions, .. } => {
                    for action in actions {
                        match action {
                            AlterFunctionAction::Security { security, .. } => {
                                function.security_definer = *security == FunctionSecurity::Definer
                            }
                            AlterFunctionAction::Set(param) if is_search_path(&param.name) => {
                                function.search_path = set_value(&param.value)
                            }
                            AlterFunctionAction::Reset(ResetConfig::ALL) => {
                                function.search_path = None
                            }
                            AlterFunctionAction::Reset(ResetConfig::ConfigName(name))
                                if is_search_path(name) =>
                            {
                                function.search_path = None
                            }
                            _ => {}
                        }
                    }
                }
                AlterFunctionOperation::RenameTo { new_name } => {
                    function.name = in_schema_of(&function.name, &ident_name(new_name))
                }
                AlterFunctionOperation::SetSchema { schema_name } => {
                    let schema = qualified(schema_name);
                    let schema = base_of(&schema).to_string();
                    function.name = format!("{schema}.{}", base_of(&function.name));
                    function.schema = schema;
                }
                _ => {}
            }
            self.functions.insert(function.key(), function);
        }
    }

    /// Functions a `name(args)` reference designates: the one overload with those argument
    /// types, or every overload of the name when no argument list is given.
    fn matching_functions(&self, desc: &FunctionDesc) -> Vec<(String, String)> {
        let name = qualified(&desc.name);
        let wanted = desc.args.as_deref().map(signature);
        self.functions_named(&name)
            .filter(|f| wanted.as_ref().is_none_or(|s| *s == f.signature))
            .map(Function::key)
            .collect()
    }

    fn drop_function(&mut self, desc: &FunctionDesc) {
        for key in self.matching_functions(desc) {
            self.functions.remove(&key);
        }
    }

    fn create_view(&mut self, name: &str, materialized: bool, security_invoker: bool, at: Origin) {
        let history = match self.views.get(name) {
            Some(existing) => History {
                created: existing.history.created,
                changed: at,
            },
            None => History::new(at),
        };
        self.views.insert(
            name.to_string(),
            View {
                name: name.to_string(),
                schema: schema_of(name).to_string(),
                materialized,
                security_invoker,
                history,
            },
        );
    }

    fn alter_view(&mut self, alter: &ast::AlterView, at: Origin) {
        let name = qualified(&alter.name);
        match &alter.operation {
            AlterViewOperation::RenameTo { new_name } => {
                if let Some(mut view) = self.views.remove(&name) {
                    let base = qualified(new_name);
                    view.name = in_schema_of(&name, base_of(&base));
                    view.history.changed = at;
                    self.views.insert(view.name.clone(), view);
                }
            }
            AlterViewOperation::SetSchema { schema_name } => {
                if let Some(mut view) = self.views.remove(&name) {
                    let schema = base_of(&qualified(schema_name)).to_string();
                    view.name = format!("{schema}.{}", base_of(&name));
                    view.schema = schema;
                    view.history.changed = at;
                    self.views.insert(view.name.clone(), view);
                }
            }
            AlterViewOperation::SetOptions { options } => {
                if let (Some(view), Some(invoker)) =
                    (self.views.get_mut(&name), security_invoker(options))
                {
                    view.security_invoker = invoker;
                    view.history.changed = at;
                }
            }
            AlterViewOperation::ResetOptions { options } => {
                if let Some(view) = self.views.get_mut(&name) {
                    if options
                        .iter()
                        .any(|o| o.value.eq_ignore_ascii_case("security_invoker"))
                    {
                        view.security_invoker = false;
                        view.history.changed = at;
                    }
                }
            }
            AlterViewOperation::As { with_options, .. } => {
                if let Some(view) = self.views.get_mut(&name) {
                    view.security_invoker = security_invoker(with_options).unwrap_or(false);
                    view.history.changed = at;
                }
            }
            _ => {}
        }
    }

    fn drop_object(&mut self, object_type: ObjectType, name: &str, at: Origin) {
        match object_type {
            ObjectType::Table => self.drop_table(name),
            ObjectType::View | ObjectType::MaterializedView => {
                self.views.remove(name);
            }
            ObjectType::Index => {
                // Dropping an index changes its table (a foreign key may lose its index).
                if let Some(index) = self.indexes.remove(name) {
                    self.touch_table(&index.table, at);
                }
            }
            ObjectType::Schema => {
                let schema = base_of(name).to_string();
                let tables: Vec<String> = self
                    .tables
                    .keys()
                    .filter(|t| schema_of(t) == schema)
                    .cloned()
                    .collect();
                for table in tables {
                    self.drop_table(&table);
                }
                self.views.retain(|_, v| v.schema != schema);
                self.functions.retain(|_, f| f.schema != schema);
            }
            _ => {}
        }
    }

    fn drop_table(&mut self, name: &str) {
        self.tables.remove(name);
        self.indexes.retain(|_, i| i.table != name);
        self.policies.retain(|(table, _), _| table != name);
        for table in self.tables.values_mut() {
            table.foreign_keys.retain(|fk| fk.references != name);
        }
    }

    fn change_privileges(&mut self, change: &PrivilegeChange, at: Origin) {
        for role in &change.roles {
            for object in &change.objects {
                self.grants.push(Grant {
                    object: object.clone(),
                    role: role.clone(),
                    privileges: change.privileges.clone(),
                    revoke: change.revoke,
                    at,
                });
            }
        }
    }
}

impl PrivilegeChange {
    pub fn of_grant(grant: &ast::Grant) -> PrivilegeChange {
        PrivilegeChange::new(
            &grant.privileges,
            grant.objects.as_ref(),
            &grant.grantees,
            false,
        )
    }

    pub fn of_revoke(revoke: &ast::Revoke) -> PrivilegeChange {
        PrivilegeChange::new(
            &revoke.privileges,
            revoke.objects.as_ref(),
            &revoke.grantees,
            true,
        )
    }

    fn new(
        privileges: &Privileges,
        objects: Option<&GrantObjects>,
        grantees: &[ast::Grantee],
        revoke: bool,
    ) -> PrivilegeChange {
        use GrantObjects as O;
        let on_relations = !matches!(
            objects,
            None | Some(
                O::Functions(_)
                    | O::Procedures(_)
                    | O::Routines(_)
                    | O::AllFunctionsInSchema { .. }
                    | O::AllProceduresInSchema { .. }
                    | O::AllRoutinesInSchema { .. }
                    | O::Schemas(_)
                    | O::Sequences(_)
                    | O::AllSequencesInSchema { .. }
            )
        );
        PrivilegeChange {
            privileges: privileges.to_string().to_lowercase(),
            objects: grant_objects(objects),
            roles: api_roles(grantees),
            revoke,
            on_relations,
        }
    }
}

/// The roles of a policy's `TO` list; `public` when there is none.
fn roles(to: Option<&[Owner]>) -> Vec<String> {
    match to {
        Some(owners) if !owners.is_empty() => owners
            .iter()
            .map(|owner| match owner {
                Owner::Ident(ident) => ident_name(ident),
                other => other.to_string().to_lowercase(),
            })
            .collect(),
        _ => vec!["public".to_string()],
    }
}

/// The roles of a grant that the Supabase API uses.
fn api_roles(grantees: &[ast::Grantee]) -> Vec<String> {
    grantees
        .iter()
        .filter_map(|g| match &g.name {
            Some(GranteeName::ObjectName(name)) => name.0.last()?.as_ident().map(ident_name),
            _ => None,
        })
        .filter(|role| matches!(role.as_str(), "anon" | "authenticated" | "public"))
        .collect()
}

fn grant_objects(objects: Option<&GrantObjects>) -> Vec<String> {
    match objects {
        Some(GrantObjects::Tables(names)) | Some(GrantObjects::Views(names)) => {
            names.iter().map(qualified).collect()
        }
        Some(GrantObjects::Sequences(names)) => names.iter().map(qualified).collect(),
        Some(GrantObjects::Functions(descs))
        | Some(GrantObjects::Procedures(descs))
        | Some(GrantObjects::Routines(descs)) => descs.iter().map(|d| qualified(&d.name)).collect(),
        Some(GrantObjects::Schemas(names)) => names
            .iter()
            .map(|n| format!("schema {}", base_of(&qualified(n))))
            .collect(),
        Some(GrantObjects::AllTablesInSchema { schemas }) => schemas
            .iter()
            .map(|n| format!("all tables in schema {}", base_of(&qualified(n))))
            .collect(),
        Some(GrantObjects::AllFunctionsInSchema { schemas }) => schemas
            .iter()
            .map(|n| format!("all functions in schema {}", base_of(&qualified(n))))
            .collect(),
        _ => Vec::new(),
    }
}

/// The `security_invoker` view option, when `options` set it.
fn security_invoker(options: &[SqlOption]) -> Option<bool> {
    options.iter().find_map(|option| match option {
        SqlOption::KeyValue { key, value } if is_named(key, "security_invoker") => {
            Some(truthy(value))
        }
        SqlOption::Ident(key) if is_named(key, "security_invoker") => Some(true),
        _ => None,
    })
}

fn is_named(name: &ObjectName, wanted: &str) -> bool {
    match name.0.as_slice() {
        [part] => part
            .as_ident()
            .is_some_and(|ident| ident.value.eq_ignore_ascii_case(wanted)),
        _ => false,
    }
}

fn is_search_path(name: &ObjectName) -> bool {
    is_named(name, "search_path")
}

/// PostgreSQL's boolean option spellings.
fn truthy(value: &Expr) -> bool {
    let text = value.to_string();
    let text = text.trim_matches('\'').to_ascii_lowercase();
    matches!(text.as_str(), "true" | "on" | "1" | "yes" | "t" | "y")
}

/// A `SET` clause's value; `None` for `DEFAULT`, which removes the setting.
fn set_value(value: &FunctionSetValue) -> Option<String> {
    match value {
        FunctionSetValue::Default => None,
        FunctionSetValue::FromCurrent => Some("FROM CURRENT".to_string()),
        FunctionSetValue::Values(values) => Some(
            values
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// The argument types that identify an overload (`OUT` arguments do not), in one
/// spelling: dumps quote type names and write `character varying` where people write
/// `varchar`.
pub fn signature(args: &[ast::OperateFunctionArg]) -> String {
    args.iter()
        .filter(|a| a.mode != Some(ArgMode::Out))
        .map(|a| canonical_type(&a.data_type.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn canonical_type(written: &str) -> String {
    let lower = written.replace('"', "").to_lowercase();
    let (base, array) = match lower.find('[') {
        Some(i) => (lower[..i].trim().to_string(), &lower[i..]),
        None => (lower.trim().to_string(), ""),
    };
    let base = base.strip_prefix("public.").unwrap_or(&base);
    let base = base.strip_prefix("pg_catalog.").unwrap_or(base);
    let canonical = match base {
        "int" | "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "bool" => "boolean",
        "float8" | "double precision" => "double precision",
        "float4" => "real",
        "character varying" => "varchar",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "timestamp without time zone" => "timestamp",
        "decimal" => "numeric",
        other => other,
    };
    format!("{canonical}{array}")
}

/// What an index's elements say beyond their columns: operator classes and sort orders,
/// one entry per element, lower-cased; empty when no element has any.
fn element_options(columns: &[IndexColumn]) -> String {
    let options: Vec<String> = columns
        .iter()
        .map(|c| {
            let class = c.operator_class.as_ref().map(|o| o.to_string());
            let order = c.column.options.to_string().to_lowercase();
            // Ascending with nulls last is the default order, however it is spelled.
            let order = match order.trim() {
                "asc" | "nulls last" | "asc nulls last" => String::new(),
                other => other.to_string(),
            };
            [class.unwrap_or_default(), order]
                .join(" ")
                .trim()
                .to_lowercase()
        })
        .collect();
    if options.iter().all(String::is_empty) {
        String::new()
    } else {
        options.join(",")
    }
}

fn fallback_ident(text: &str) -> String {
    crate::sql::fallback::normalize_name(text.trim())
}

fn fallback_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(fallback_ident)
        .filter(|c| !c.is_empty())
        .collect()
}

static TEMPORARY_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*create\s+(?:(?:global|local)\s+)?temp(?:orary)?\s").expect("valid regex")
});

static ENABLE_RLS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\benable\s+row\s+level\s+security\b").expect("valid regex"));

static DISABLE_RLS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bdisable\s+row\s+level\s+security\b").expect("valid regex"));

static SECURITY_INVOKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bsecurity_invoker\b\s*(?:=\s*'?(?:true|on|1|yes)'?\s*)?[,)]"#)
        .expect("valid regex")
});

const IDENT: &str = r#"(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)"#;

static FOREIGN_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?is)(?:\bCONSTRAINT\s+({IDENT})\s+)?\bFOREIGN\s+KEY\s*\(([^)]*)\)\s*REFERENCES\s+({IDENT}(?:\s*\.\s*{IDENT})?)\s*(?:\(([^)]*)\))?"
    ))
    .expect("valid regex")
});
