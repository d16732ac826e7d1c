use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a string, quoted identifier, dollar-quoted body or block comment that is still
    /// open at the end of the file, at the place where it opened.
    ///
    /// ## Why is this bad?
    /// Everything after the opening is swallowed into one statement; PostgreSQL rejects the
    /// file, or worse, runs something other than what the author meant.
    ///
    /// ## Example
    /// ```sql
    /// create function f() returns int as $$ select 1; $ language sql;
    /// ```
    ///
    /// Use instead:
    /// ```sql
    /// create function f() returns int as $$ select 1; $$ language sql;
    /// ```
    pub struct UnterminatedStatement {
        id: "unterminated-statement",
        severity: Error,
        category: Input,
        summary: "A quote, dollar quote or comment is never closed",
    }
}
