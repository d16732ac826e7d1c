//! How migration tools fingerprint what they applied, recomputed from local files.

use crate::sql::split::tokens;
use sha2::{Digest, Sha256};

/// Flyway's checksum: CRC32 over every line's UTF-8 bytes without line terminators
/// (`\n`, `\r\n` or `\r`), a leading byte-order mark dropped, as a signed 32-bit integer.
/// Our text has its BOM stripped already.
pub fn flyway(text: &str) -> i32 {
    let mut hasher = crc32fast::Hasher::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        hasher.update(&rest.as_bytes()[..end]);
        let after = &rest[end..];
        rest = after
            .strip_prefix("\r\n")
            .or_else(|| after.strip_prefix('\r'))
            .or_else(|| after.strip_prefix('\n'))
            .unwrap_or(after);
    }
    hasher.finalize() as i32
}

/// Prisma's checksum: SHA-256 of the file's bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tokens of a sequence of statements, without layout, comments and semicolons. The
/// Supabase CLI stores statements split by its own parser, so the local file and the stored
/// statements compare as token streams.
pub fn statement_tokens<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    texts
        .into_iter()
        .flat_map(tokens)
        .filter(|token| *token != ";")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flyway_checksum_ignores_line_terminators() {
        let unix = flyway("create table t (id int);\nselect 1;\n");
        assert_eq!(unix, flyway("create table t (id int);\r\nselect 1;\r\n"));
        assert_eq!(unix, flyway("create table t (id int);\rselect 1;"));
        assert_eq!(unix, flyway("\u{feff}create table t (id int);\nselect 1;"));
        assert_ne!(unix, flyway("create table t (id bigint);\nselect 1;\n"));
        // CRC32 of the concatenated lines, as a signed integer.
        let expected = crc32fast::hash(b"create table t (id int);select 1;") as i32;
        assert_eq!(unix, expected);
    }

    #[test]
    fn statements_compare_without_layout_and_comments() {
        assert_eq!(
            statement_tokens(["-- note\ncreate  table t\n ( id int );", "select 1;"]),
            statement_tokens(["create table t (id int)", "select 1"])
        );
        assert_ne!(
            statement_tokens(["create table t (id int)"]),
            statement_tokens(["create table t (id bigint)"])
        );
    }
}
