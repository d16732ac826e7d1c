use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a migration file whose bytes are not valid UTF-8, with the line and column of
    /// the first bad byte.
    ///
    /// ## Why is this bad?
    /// PostgreSQL reads migrations as UTF-8 text; a file saved in Latin-1 or Windows-1252
    /// fails to apply, or stores mangled text. No other rule can read the file.
    ///
    /// ## How to fix
    /// Re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.sql > out.sql`.
    pub struct InvalidUtf8 {
        id: "invalid-utf8",
        severity: Error,
        category: Input,
        summary: "A migration file is not valid UTF-8",
    }
}
