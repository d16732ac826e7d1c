//! Which declarative schema files the Supabase CLI applies, in its order:
//!
//! * `[db.migrations] schema_paths` in `supabase/config.toml`: glob patterns relative to the
//!   `supabase/` folder, in the order listed; the files one pattern matches sorted by path,
//!   each file once. Patterns are Go's `fs.Glob`: `*`, `?` and `[…]` match within one path
//!   segment, and `**` is no more than `*`. A pattern that matches nothing is an error for
//!   the CLI;
//! * else every `.sql` file below `supabase/schemas/`, in name order, folder by folder.

use regex::Regex;
use std::path::{Path, PathBuf};

/// The files and the problems a pattern had (the CLI refuses to run with them).
#[derive(Debug, Default)]
pub struct SchemaFiles {
    pub files: Vec<PathBuf>,
    /// `(pattern, what is wrong)`.
    pub problems: Vec<(String, String)>,
}

/// The declarative schema files of the Supabase project in `supabase_dir`; `None` when it
/// has none to compare (no `schema_paths` and no `schemas/` folder).
pub fn schema_files(supabase_dir: &Path, schema_paths: &[String]) -> Option<SchemaFiles> {
    if schema_paths.is_empty() {
        let folder = supabase_dir.join("schemas");
        return folder.is_dir().then(|| SchemaFiles {
            files: walk_sql(&folder),
            problems: Vec::new(),
        });
    }
    let mut found = SchemaFiles::default();
    for pattern in schema_paths {
        match glob(supabase_dir, pattern) {
            Ok(matches) if matches.is_empty() => found
                .problems
                .push((pattern.clone(), "no file matches it".to_string())),
            Ok(matches) => {
                for file in matches {
                    if !found.files.contains(&file) {
                        found.files.push(file);
                    }
                }
            }
            Err(error) => found.problems.push((pattern.clone(), error)),
        }
    }
    Some(found)
}

/// Every regular `.sql` file below `folder`, entries of each folder in name order.
fn walk_sql(folder: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| {
            entry.file_type().is_file() && entry.path().extension().is_some_and(|ext| ext == "sql")
        })
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// The files `pattern` (relative to `dir`, `/`-separated, cleaned like Go's `path.Join`)
/// matches, sorted by path.
fn glob(dir: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let mut base = dir.to_path_buf();
    let mut segments: Vec<&str> = Vec::new();
    for segment in pattern.split('/') {
        match segment {
            "" | "." => {}
            ".." if segments.is_empty() => base.push(".."),
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut candidates = vec![base];
    for segment in segments {
        let mut next = Vec::new();
        if !has_meta(segment) {
            next.extend(
                candidates
                    .iter()
                    .map(|c| c.join(segment))
                    .filter(|p| p.exists()),
            );
        } else {
            let matcher = segment_regex(segment)?;
            for candidate in &candidates {
                let Ok(entries) = std::fs::read_dir(candidate) else {
                    continue;
                };
                let mut names: Vec<String> = entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|name| matcher.is_match(name))
                    .collect();
                names.sort();
                next.extend(names.into_iter().map(|name| candidate.join(name)));
            }
        }
        candidates = next;
    }
    let mut files: Vec<PathBuf> = candidates.into_iter().filter(|p| p.is_file()).collect();
    // Go sorts the matches as strings (`a.sql` before `a/z.sql`).
    files.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(files)
}

fn has_meta(segment: &str) -> bool {
    segment.contains(['*', '?', '[', '\\'])
}

/// One path segment of a Go glob as an anchored regex: `*` any run of characters, `?` one,
/// `[…]` / `[^…]` a class with ranges, `\` escapes the next character.
fn segment_regex(segment: &str) -> Result<Regex, String> {
    let mut out = String::from("^");
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '\\' => match chars.next() {
                Some(escaped) => out.push_str(&regex::escape(&escaped.to_string())),
                None => return Err("it ends with a lone `\\`".to_string()),
            },
            '[' => {
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                let mut closed = false;
                let mut empty = true;
                while let Some(c) = chars.next() {
                    match c {
                        ']' if !empty => {
                            closed = true;
                            break;
                        }
                        '-' if !empty && chars.peek().is_some_and(|n| *n != ']') => out.push('-'),
                        '\\' => match chars.next() {
                            Some(escaped) => out.push_str(&regex::escape(&escaped.to_string())),
                            None => break,
                        },
                        other => out.push_str(&class_char(other)),
                    }
                    empty = false;
                }
                if !closed {
                    return Err("a `[` is never closed".to_string());
                }
                out.push(']');
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out.push('$');
    Regex::new(&out).map_err(|e| format!("it is not a valid pattern ({e})"))
}

/// A character inside a regex class, escaped when the class syntax gives it a meaning.
fn class_char(c: char) -> String {
    if matches!(c, '[' | ']' | '\\' | '^' | '-' | '&' | '~') {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "select 1;").unwrap();
        }
        dir
    }

    fn relative(dir: &Path, files: &[PathBuf]) -> Vec<String> {
        files
            .iter()
            .map(|f| {
                f.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn without_schema_paths_every_sql_file_below_schemas_in_name_order() {
        let dir = project(&[
            "schemas/b.sql",
            "schemas/a/z.sql",
            "schemas/a.sql",
            "schemas/notes.txt",
            "schemas/c/d/e.sql",
        ]);
        let found = schema_files(dir.path(), &[]).unwrap();
        assert_eq!(
            relative(dir.path(), &found.files),
            [
                "schemas/a/z.sql",
                "schemas/a.sql",
                "schemas/b.sql",
                "schemas/c/d/e.sql"
            ]
        );
        assert!(found.problems.is_empty());
        let empty = tempfile::tempdir().unwrap();
        assert!(schema_files(empty.path(), &[]).is_none());
    }

    #[test]
    fn schema_paths_in_the_order_listed_each_file_once() {
        let dir = project(&[
            "schemas/types.sql",
            "schemas/tables/b.sql",
            "schemas/tables/a.sql",
            "schemas/deep/x/y.sql",
            "legacy/core.sql",
        ]);
        let paths = [
            "./schemas/types.sql",
            "schemas/tables/*.sql",
            "schemas/**/*.sql",
            "legacy/c[a-p]re.sql",
            "schemas/none-*.sql",
        ]
        .map(str::to_string);
        let found = schema_files(dir.path(), &paths).unwrap();
        // `**` is `*` (one segment), as in Go: deep/x/y.sql is not matched.
        assert_eq!(
            relative(dir.path(), &found.files),
            [
                "schemas/types.sql",
                "schemas/tables/a.sql",
                "schemas/tables/b.sql",
                "legacy/core.sql"
            ]
        );
        assert_eq!(
            found.problems,
            [(
                "schemas/none-*.sql".to_string(),
                "no file matches it".to_string()
            )]
        );
        let bad = schema_files(dir.path(), &["schemas/[ab.sql".to_string()]).unwrap();
        assert!(bad.problems[0].1.contains("never closed"), "{bad:?}");
    }

    #[test]
    fn classes_and_escapes() {
        let regex = segment_regex("[^a-c]?\\*.sql").unwrap();
        assert!(regex.is_match("dx*.sql"));
        assert!(!regex.is_match("ax*.sql"));
        assert!(!regex.is_match("dxy.sql"));
        assert!(segment_regex("[]").is_err());
    }
}
