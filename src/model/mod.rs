//! The static schema model: every migration's statements replayed in order into what
//! exists (tables, columns, keys, indexes, RLS, policies, functions, views, grants), each
//! object remembering where it was defined and last changed.
//!
//! The model is an approximation of the catalog built without a database: it follows the
//! DDL it can read (sqlparser's AST, the fallback classification, and DDL nested in `DO`
//! blocks) and ignores what it cannot. Rules read it; they never change it.

mod names;
mod nested;
mod replay;
#[cfg(test)]
mod tests;

use crate::migrations::{Migration, MigrationSet};
use crate::sql::Statement;
use sqlparser::ast::Expr;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

pub use names::{
    base_of, ident_name, in_schema_of, index_column_name, index_name, qualified,
    qualify_text as qualify_name, schema_of, sql_name,
};
pub use replay::signature;

/// Roles that bypass row level security (or own the tables): policies for them alone
/// do not matter to API users.
pub const BYPASS_ROLES: &[&str] = &["service_role", "postgres", "supabase_admin"];

/// Where a statement is: the migration's position in [`MigrationSet::migrations`] and the
/// statement's position in [`Migration::statements`]. Origins order as statements run: the
/// baseline's first, then the migrations'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Origin {
    pub migration: usize,
    pub statement: usize,
}

impl Ord for Origin {
    fn cmp(&self, other: &Origin) -> std::cmp::Ordering {
        let key = |o: &Origin| (!o.in_baseline(), o.migration, o.statement);
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Origin {
    fn partial_cmp(&self, other: &Origin) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Origin {
    /// The `migration` of the baseline's statements: a schema dump applied before the
    /// migrations, whose DDL seeds the model so that later statements resolve, but which is
    /// no migration of the set (nothing resolves there, and no finding points into it).
    pub const BASELINE: usize = usize::MAX;

    pub fn in_baseline(&self) -> bool {
        self.migration == Origin::BASELINE
    }

    /// The migration and statement this origin points at.
    pub fn resolve<'a>(&self, set: &'a MigrationSet) -> Option<(&'a Migration, &'a Statement)> {
        let migration = set.migrations.get(self.migration)?;
        let statement = migration.statements.get(self.statement)?;
        Some((migration, statement))
    }
}

/// When an object was created and last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    pub created: Origin,
    pub changed: Origin,
}

impl History {
    fn new(at: Origin) -> History {
        History {
            created: at,
            changed: at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// The type as written (`uuid`, `text[]`); empty for `CREATE TABLE … AS`.
    pub data_type: String,
    pub not_null: bool,
}

#[derive(Debug, Clone)]
pub struct ForeignKey {
    /// The constraint name (PostgreSQL's default `<table>_<columns>_fkey` when unnamed).
    pub name: String,
    pub columns: Vec<String>,
    /// Qualified name of the referenced table.
    pub references: String,
    pub referred_columns: Vec<String>,
    pub history: History,
}

#[derive(Debug, Clone)]
pub struct Table {
    /// `schema.name`.
    pub name: String,
    pub schema: String,
    pub columns: Vec<Column>,
    pub primary_key: Option<Vec<String>>,
    pub foreign_keys: Vec<ForeignKey>,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    /// The statement that last enabled or disabled row level security.
    pub rls_changed: Option<Origin>,
    /// `PARTITION OF parent`: the parent's qualified name.
    pub partition_of: Option<String>,
    /// False when only the fallback recognised the `CREATE TABLE`: columns and keys are
    /// then unknown, but the table exists (row level security, grants, policies apply).
    pub parsed: bool,
    pub history: History,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Where an index comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// `CREATE INDEX`.
    Index,
    PrimaryKey,
    /// A `UNIQUE` constraint.
    Unique,
    /// An `EXCLUDE` constraint.
    Exclude,
}

#[derive(Debug, Clone)]
pub struct Index {
    /// `schema.name`, in the table's schema.
    pub name: String,
    pub table: String,
    /// Column names in order; expression elements are their SQL text.
    pub columns: Vec<String>,
    /// Some element is an expression rather than a plain column.
    pub expression: bool,
    /// The elements' operator classes and sort orders, as written (empty when none has one).
    pub element_options: String,
    /// The `WHERE` predicate of a partial index.
    pub predicate: Option<String>,
    pub unique: bool,
    /// The access method (`btree` when not given).
    pub method: String,
    pub kind: IndexKind,
    pub history: History,
}

impl Index {
    pub fn is_partial(&self) -> bool {
        self.predicate.is_some()
    }
}

/// The command a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }

    /// Does a policy for `self` apply to `command` (`ALL` applies to every command)?
    pub fn covers(self, command: PolicyCommand) -> bool {
        self == PolicyCommand::All || self == command
    }
}

/// Its expressions are the migrations' own trees (or copies of those of a `DO` block, which
/// the replay drops): a large project's policies took a third of its model build to copy.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    pub name: String,
    /// Qualified table name.
    pub table: String,
    pub command: PolicyCommand,
    /// Roles in `TO`, lower-cased; `["public"]` when there is no `TO`.
    pub roles: Vec<String>,
    pub permissive: bool,
    pub using: Option<Cow<'a, Expr>>,
    pub with_check: Option<Cow<'a, Expr>>,
    /// False when the policy was only recognised by the fallback: command, roles and
    /// expressions are then unknown (`ALL`, public, none).
    pub parsed: bool,
    pub history: History,
}

impl Policy<'_> {
    /// Where [`Model::policies`] keeps it: table and policy name.
    pub fn key(&self) -> (String, String) {
        (self.table.clone(), self.name.clone())
    }

    /// `schema.table.policy`, the object findings about this policy name.
    pub fn object(&self) -> String {
        format!("{}.{}", self.table, self.name)
    }

    /// The policy's expressions (`USING`, `WITH CHECK`) that are present.
    pub fn expressions(&self) -> impl Iterator<Item = &Expr> {
        self.using
            .as_deref()
            .into_iter()
            .chain(self.with_check.as_deref())
    }
}

#[derive(Debug, Clone)]
pub struct Function {
    /// `schema.name`.
    pub name: String,
    pub schema: String,
    /// Argument types, lower-cased and comma-separated: the overload's identity.
    pub signature: String,
    pub security_definer: bool,
    /// The `SET search_path` value, when the function has one.
    pub search_path: Option<String>,
    pub language: Option<String>,
    pub returns_trigger: bool,
    /// A SQL-standard body (`BEGIN ATOMIC … END` or `RETURN …`), resolved at creation.
    pub standard_body: bool,
    pub history: History,
}

impl Function {
    /// Where [`Model::functions`] keeps it: name and signature.
    pub fn key(&self) -> (String, String) {
        (self.name.clone(), self.signature.clone())
    }

    /// `schema.name(args)`.
    pub fn display(&self) -> String {
        format!("{}({})", self.name, self.signature)
    }
}

#[derive(Debug, Clone)]
pub struct View {
    pub name: String,
    pub schema: String,
    pub materialized: bool,
    pub security_invoker: bool,
    pub history: History,
}

/// A grant or revoke to an API role (`anon`, `authenticated`, `public`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The object as written, qualified (`public.t`, `public.f`, `schema public`,
    /// `all tables in schema public`).
    pub object: String,
    pub role: String,
    /// As written, lower-cased: `select`, `select, insert`, `all privileges`.
    pub privileges: String,
    pub revoke: bool,
    pub at: Origin,
}

impl Grant {
    fn covers_select(&self) -> bool {
        self.privileges.starts_with("all") || self.privileges.contains("select")
    }

    fn applies_to(&self, object: &str) -> bool {
        self.object == object
            || self.object == format!("all tables in schema {}", names::schema_of(object))
    }
}

/// What the model reads of a `GRANT` or `REVOKE`, kept instead of its tree
/// ([`crate::sql::Compact`]): a large project has thousands, and their trees (function
/// signatures, grantee lists) took more memory than its policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegeChange {
    /// As written, lower-cased: `select`, `select, insert`, `all privileges`.
    pub privileges: String,
    /// The objects, as [`Grant::object`] names them.
    pub objects: Vec<String>,
    /// The API roles among the grantees ([`Grant::role`]).
    pub roles: Vec<String>,
    pub revoke: bool,
    /// On tables, views or materialized views (or objects of a kind not told apart), which
    /// PostgreSQL 18 locks; not on routines, schemas, sequences or role memberships.
    pub on_relations: bool,
}

/// Where an object was created or changed: [`Model::touches`].
#[derive(Debug, Default)]
pub struct Touches {
    /// Statements about the object itself.
    pub own: Vec<Origin>,
    /// Statements about the table it is, or belongs to.
    pub table: Vec<Origin>,
}

/// The schema as the migrations leave it; it borrows from the migrations it was built from.
#[derive(Debug, Default)]
pub struct Model<'a> {
    pub tables: BTreeMap<String, Table>,
    pub indexes: BTreeMap<String, Index>,
    /// By (table, policy name): lookups during replay and per table stay logarithmic.
    pub policies: BTreeMap<(String, String), Policy<'a>>,
    /// By (name, signature), overloads of a name next to each other.
    pub functions: BTreeMap<(String, String), Function>,
    pub views: BTreeMap<String, View>,
    pub grants: Vec<Grant>,
    /// Built once replay is done; until then the per-table lookups scan.
    by_table: Option<ByTable>,
}

/// Each table's indexes (names, in name order): rules ask per table, and scanning
/// everything for each table made lint time quadratic in the number of tables.
#[derive(Debug, Default)]
struct ByTable {
    indexes: HashMap<String, Vec<String>>,
}

impl ByTable {
    fn new(model: &Model<'_>) -> ByTable {
        let mut by_table = ByTable::default();
        for index in model.indexes.values() {
            by_table
                .indexes
                .entry(index.table.clone())
                .or_default()
                .push(index.name.clone());
        }
        by_table
    }
}

impl<'a> Model<'a> {
    /// Replays every applied statement of `set`, in order.
    pub fn build(set: &'a MigrationSet) -> Model<'a> {
        Model::build_on(None, set)
    }

    /// [`Model::build`] on top of a baseline (a schema dump applied before the migrations):
    /// its statements are replayed first, at [`Origin::BASELINE`].
    pub fn build_on(baseline: Option<&'a Migration>, set: &'a MigrationSet) -> Model<'a> {
        let mut model = Model::default();
        let baseline = baseline.map(|baseline| (Origin::BASELINE, baseline));
        let applied = set
            .migrations
            .iter()
            .enumerate()
            .filter(|(_, m)| m.applies());
        let migrations: Vec<(usize, &'a Migration)> = baseline.into_iter().chain(applied).collect();
        replay::replay(&mut model, &migrations);
        model.by_table = Some(ByTable::new(&model));
        model
    }

    /// Does `object` (named as [`Model::locate`] takes it) come from the baseline alone:
    /// the model knows it, and no migration created or changed it or its table?
    pub fn only_in_baseline(&self, object: &str) -> bool {
        let touches = self.touches(object);
        let mut all = touches.own.iter().chain(&touches.table).peekable();
        all.peek().is_some() && all.all(Origin::in_baseline)
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Indexes of a table, in name order.
    pub fn indexes_on<'m>(&'m self, table: &'m str) -> impl Iterator<Item = &'m Index> {
        let (looked_up, scanned) = match &self.by_table {
            Some(by_table) => {
                let names = by_table.indexes.get(table).into_iter().flatten();
                (Some(names.filter_map(|name| self.indexes.get(name))), None)
            }
            None => (
                None,
                Some(self.indexes.values().filter(move |i| i.table == table)),
            ),
        };
        looked_up
            .into_iter()
            .flatten()
            .chain(scanned.into_iter().flatten())
    }

    /// Can `anon` or `authenticated` select from the table or view `object` (created at
    /// `since`)? Supabase's default privileges grant them everything in new objects, so
    /// only revokes after `since` take it away.
    pub fn api_readable(&self, object: &str, since: Origin) -> bool {
        ["anon", "authenticated"].iter().any(|role| {
            self.grants
                .iter()
                .filter(|g| g.at >= since && g.covers_select() && g.applies_to(object))
                .fold(true, |readable, g| {
                    if g.role == *role {
                        !g.revoke
                    } else if g.role == "public" && !g.revoke {
                        true
                    } else {
                        readable
                    }
                })
        })
    }

    /// The statement that defines `object`, named as findings name it: `schema.table`,
    /// `schema.view`, `schema.function`, or below a table `table.policy`, `table.index`,
    /// `table.col1,col2` (a foreign key's columns) or `table.column`. For catalog findings
    /// that have no static counterpart. An object the baseline made is located at the
    /// latest migration statement that changed it or its table, if any.
    pub fn locate(&self, object: &str) -> Option<Origin> {
        let origin = self.defined_at(object)?;
        if !origin.in_baseline() {
            return Some(origin);
        }
        let touches = self.touches(object);
        touches
            .own
            .iter()
            .chain(&touches.table)
            .filter(|o| !o.in_baseline())
            .max()
            .copied()
    }

    /// Did the baseline create `object` (or, for a view or function, last define it)?
    pub fn defined_in_baseline(&self, object: &str) -> bool {
        self.defined_at(object).is_some_and(|o| o.in_baseline())
    }

    fn defined_at(&self, object: &str) -> Option<Origin> {
        if let Some(table) = self.tables.get(object) {
            return Some(table.history.created);
        }
        if let Some(view) = self.views.get(object) {
            return Some(view.history.changed);
        }
        if let Some(function) = self.functions_named(object).next() {
            return Some(function.history.changed);
        }
        let (table, rest) = self.table_and_rest(object)?;
        if let Some(policy) = self.policies_on(&table.name).find(|p| p.name == rest) {
            return Some(policy.history.changed);
        }
        if let Some(index) = self
            .indexes_on(&table.name)
            .find(|i| names::base_of(&i.name) == rest)
        {
            return Some(index.history.created);
        }
        if let Some(fk) = table
            .foreign_keys
            .iter()
            .find(|fk| fk.columns.join(",") == rest)
        {
            return Some(fk.history.created);
        }
        table.column(rest).map(|_| table.history.created)
    }

    /// The statements known to have created or changed `object` (named as [`Model::locate`]
    /// takes it; a function may carry its argument list): first those of the object
    /// itself, then those of the table it belongs to (its columns, RLS, policies, indexes,
    /// keys and grants). The base comparison points a new finding at the latest of these
    /// that the branch wrote.
    pub fn touches(&self, object: &str) -> Touches {
        let object = object.split_once('(').map_or(object, |(name, _)| name);
        let history = |h: &History| [h.created, h.changed];
        let grants = |name: &str| -> Vec<Origin> {
            self.grants
                .iter()
                .filter(|g| g.applies_to(name))
                .map(|g| g.at)
                .collect()
        };
        let mut touches = Touches::default();
        if let Some(view) = self.views.get(object) {
            touches.own.extend(history(&view.history));
            touches.own.extend(grants(object));
        }
        for function in self.functions_named(object) {
            touches.own.extend(history(&function.history));
            touches.own.extend(grants(object));
        }
        let (table, rest) = match self.tables.get(object) {
            Some(table) => (table, None),
            None => match self.table_and_rest(object) {
                Some((table, rest)) => (table, Some(rest)),
                None => return touches,
            },
        };
        if let Some(rest) = rest {
            for policy in self.policies_on(&table.name).filter(|p| p.name == rest) {
                touches.own.extend(history(&policy.history));
            }
            for index in self
                .indexes_on(&table.name)
                .filter(|i| names::base_of(&i.name) == rest)
            {
                touches.own.extend(history(&index.history));
            }
            for fk in table
                .foreign_keys
                .iter()
                .filter(|fk| fk.columns.join(",") == rest)
            {
                touches.own.extend(history(&fk.history));
            }
        }
        touches.table.extend(history(&table.history));
        touches.table.extend(table.rls_changed);
        touches.table.extend(grants(&table.name));
        for policy in self.policies_on(&table.name) {
            touches.table.extend(history(&policy.history));
        }
        for index in self.indexes_on(&table.name) {
            touches.table.extend(history(&index.history));
        }
        for fk in &table.foreign_keys {
            touches.table.extend(history(&fk.history));
        }
        touches
    }

    /// The table `object` names something below (`schema.table.rest`), and the rest. Tried
    /// at each dot, since quoted names may hold dots: a lookup per dot, not a scan.
    fn table_and_rest<'o>(&self, object: &'o str) -> Option<(&Table, &'o str)> {
        object
            .match_indices('.')
            .find_map(|(dot, _)| Some((self.tables.get(&object[..dot])?, &object[dot + 1..])))
    }

    /// Policies of a table, in name order.
    pub fn policies_on<'m>(&'m self, table: &'m str) -> impl Iterator<Item = &'m Policy<'a>> {
        self.policies
            .range((table.to_string(), String::new())..)
            .take_while(move |((t, _), _)| t == table)
            .map(|(_, policy)| policy)
    }

    /// The overloads of a function, in signature order.
    pub fn functions_named<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m Function> {
        self.functions
            .range((name.to_string(), String::new())..)
            .take_while(move |((n, _), _)| n == name)
            .map(|(_, function)| function)
    }
}
