//! A kept syntax tree, sized to its kind.
//!
//! A boxed `ast::Statement` takes 3.4 KB (the room of its largest kind, `CREATE TABLE`)
//! whatever it holds, and every kept tree lives until the rules are done: a large project's
//! thousands of `ALTER TABLE`, `CREATE POLICY` and `CREATE INDEX` trees took a quarter of
//! its lint's memory in that room alone. The kinds a project has thousands of are boxed on
//! their own; [`TreeRef`] is how every reader sees a tree, kept or just parsed.

use sqlparser::ast;

/// A statement's tree as kept in [`super::Parsed::Ast`].
#[derive(Debug, Clone)]
pub enum Tree {
    CreateTable(Box<ast::CreateTable>),
    AlterTable(Box<ast::AlterTable>),
    CreateIndex(Box<ast::CreateIndex>),
    CreatePolicy(Box<ast::CreatePolicy>),
    CreateFunction(Box<ast::CreateFunction>),
    /// Any kind [`TreeRef`] has no variant of its own for.
    Other(Box<ast::Statement>),
}

/// A borrowed statement tree, one variant per kind that is kept on its own; every other
/// kind is `Other`, so one match reads kept trees and fresh ones alike.
#[derive(Debug, Clone, Copy)]
pub enum TreeRef<'a> {
    CreateTable(&'a ast::CreateTable),
    AlterTable(&'a ast::AlterTable),
    CreateIndex(&'a ast::CreateIndex),
    CreatePolicy(&'a ast::CreatePolicy),
    CreateFunction(&'a ast::CreateFunction),
    AlterFunction(&'a ast::AlterFunction),
    DropPolicy(&'a ast::DropPolicy),
    /// Never a kind with a variant above.
    Other(&'a ast::Statement),
}

impl Tree {
    pub fn of(statement: ast::Statement) -> Tree {
        use ast::Statement as S;
        match statement {
            S::CreateTable(create) => Tree::CreateTable(Box::new(create)),
            S::AlterTable(alter) => Tree::AlterTable(Box::new(alter)),
            S::CreateIndex(create) => Tree::CreateIndex(Box::new(create)),
            S::CreatePolicy(create) => Tree::CreatePolicy(Box::new(create)),
            S::CreateFunction(create) => Tree::CreateFunction(Box::new(create)),
            other => Tree::Other(Box::new(other)),
        }
    }

    pub fn as_ref(&self) -> TreeRef<'_> {
        match self {
            Tree::CreateTable(create) => TreeRef::CreateTable(create),
            Tree::AlterTable(alter) => TreeRef::AlterTable(alter),
            Tree::CreateIndex(create) => TreeRef::CreateIndex(create),
            Tree::CreatePolicy(create) => TreeRef::CreatePolicy(create),
            Tree::CreateFunction(create) => TreeRef::CreateFunction(create),
            Tree::Other(statement) => TreeRef::of(statement),
        }
    }
}

impl<'a> TreeRef<'a> {
    pub fn of(statement: &'a ast::Statement) -> TreeRef<'a> {
        use ast::Statement as S;
        match statement {
            S::CreateTable(create) => TreeRef::CreateTable(create),
            S::AlterTable(alter) => TreeRef::AlterTable(alter),
            S::CreateIndex(create) => TreeRef::CreateIndex(create),
            S::CreatePolicy(create) => TreeRef::CreatePolicy(create),
            S::CreateFunction(create) => TreeRef::CreateFunction(create),
            S::AlterFunction(alter) => TreeRef::AlterFunction(alter),
            S::DropPolicy(drop) => TreeRef::DropPolicy(drop),
            other => TreeRef::Other(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_tree_reads_as_the_statement_it_came_from() {
        for (text, kind) in [
            ("create table t (id int)", "CreateTable"),
            ("alter table t add column a int", "AlterTable"),
            ("create index i on t (a)", "CreateIndex"),
            ("create policy p on t using (true)", "CreatePolicy"),
            (
                "create function f() returns int language sql as 'select 1'",
                "CreateFunction",
            ),
            ("alter function f() security definer", "AlterFunction"),
            ("drop policy p on t", "DropPolicy"),
            ("create view v as select 1", "Other"),
        ] {
            let statement = super::super::parse_tree(text).expect(text);
            let fresh = format!("{:?}", TreeRef::of(&statement));
            assert!(fresh.starts_with(&format!("{kind}(")), "{text}: {fresh}");
            assert_eq!(
                format!("{:?}", Tree::of(statement).as_ref()),
                fresh,
                "{text}"
            );
        }
    }

    #[test]
    fn kept_kinds_take_less_room_than_a_whole_statement() {
        assert!(std::mem::size_of::<Tree>() <= 16);
        assert!(std::mem::size_of::<ast::AlterTable>() * 4 < std::mem::size_of::<ast::Statement>());
    }
}
