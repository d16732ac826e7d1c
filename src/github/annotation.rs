//! Findings as check-run annotations, and as workflow commands (`::error file=…::`) when no
//! check run can be created.

use crate::findings::{Finding, Severity, Status};
use serde::Serialize;
use std::path::{Component, Path, PathBuf};

/// Where the repository is inside GitHub's Docker action containers.
const CONTAINER_WORKSPACE: &str = "/github/workspace";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    Failure,
    Warning,
    Notice,
}

impl From<Severity> for AnnotationLevel {
    fn from(severity: Severity) -> AnnotationLevel {
        match severity {
            Severity::Error => AnnotationLevel::Failure,
            Severity::Warning => AnnotationLevel::Warning,
            Severity::Info => AnnotationLevel::Notice,
        }
    }
}

/// One check-run annotation, serialised exactly as the check-runs API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    /// Relative to the repository root, `/` separated.
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    /// Columns are only allowed when the annotation is on one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    pub annotation_level: AnnotationLevel,
    pub title: String,
    pub message: String,
}

impl Annotation {
    /// The annotation for a new finding with a location; `None` for the rest (existing and
    /// suppressed findings stay out of the PR's diff view). `workspace` is the repository
    /// root (`GITHUB_WORKSPACE`) and `cwd` resolves relative file names.
    pub fn from_finding(
        finding: &Finding,
        workspace: Option<&Path>,
        cwd: &Path,
    ) -> Option<Annotation> {
        if finding.status != Status::New {
            return None;
        }
        let location = finding.location.as_ref()?;
        let start_line = location.line.max(1);
        let end_line = location.end_line.max(start_line);
        let one_line = start_line == end_line;
        let message = match &finding.help {
            Some(help) => format!("{}\n\n{help}", finding.message),
            None => finding.message.clone(),
        };
        Some(Annotation {
            path: repo_relative(&location.file, workspace, cwd),
            start_line,
            end_line,
            start_column: one_line.then_some(location.column.max(1)),
            end_column: one_line.then_some(location.end_column.max(location.column.max(1))),
            annotation_level: finding.severity.into(),
            title: finding.rule.clone(),
            message: super::truncate(&message, super::MAX_TEXT, ""),
        })
    }

    /// The same annotation as a workflow command, shown by the runner without any API call
    /// (GitHub shows at most 10 errors and 10 warnings per step).
    pub fn workflow_command(&self) -> String {
        let command = match self.annotation_level {
            AnnotationLevel::Failure => "error",
            AnnotationLevel::Warning => "warning",
            AnnotationLevel::Notice => "notice",
        };
        let mut properties = vec![
            format!("file={}", escape_property(&self.path)),
            format!("line={}", self.start_line),
            format!("endLine={}", self.end_line),
        ];
        if let (Some(start), Some(end)) = (self.start_column, self.end_column) {
            properties.push(format!("col={start}"));
            properties.push(format!("endColumn={end}"));
        }
        properties.push(format!("title={}", escape_property(&self.title)));
        format!(
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&self.message)
        )
    }
}

/// A workflow command's message: `%`, CR and LF escaped so one command stays one line.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`, which delimit properties.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `file` relative to the repository root with `/` separators: absolute paths under the
/// workspace (or the container's `/github/workspace`) lose that prefix; relative paths are
/// resolved against `cwd` first, so running from a subfolder still annotates the right file.
pub fn repo_relative(file: &str, workspace: Option<&Path>, cwd: &Path) -> String {
    let path = Path::new(file);
    let absolute = normalize(&if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    });
    let roots = workspace
        .map(normalize)
        .into_iter()
        .chain([PathBuf::from(CONTAINER_WORKSPACE)]);
    for root in roots {
        if let Ok(relative) = absolute.strip_prefix(&root) {
            return slash_path(relative);
        }
    }
    if path.is_absolute() {
        slash_path(&absolute)
    } else {
        slash_path(&normalize(path))
    }
}

/// Removes `.` and resolves `..` lexically (the file may not exist here).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn slash_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Category, Location};

    fn finding(line: u32, end_line: u32) -> Finding {
        Finding::new(
            "rls-disabled",
            Severity::Error,
            Category::Security,
            "RLS is off",
        )
        .with_help("enable it")
        .with_location(Location {
            file: "/github/workspace/supabase/migrations/1_init.sql".into(),
            line,
            column: 3,
            end_line,
            end_column: 9,
        })
    }

    #[test]
    fn paths_become_repo_relative() {
        let ws = Path::new("/home/runner/work/app/app");
        assert_eq!(
            repo_relative("/github/workspace/db/m.sql", None, Path::new("/")),
            "db/m.sql"
        );
        assert_eq!(
            repo_relative(
                "/home/runner/work/app/app/db/m.sql",
                Some(ws),
                Path::new("/")
            ),
            "db/m.sql"
        );
        assert_eq!(
            repo_relative("./m.sql", Some(ws), &ws.join("db")),
            "db/m.sql"
        );
        assert_eq!(
            repo_relative("db/../x/m.sql", None, Path::new("/elsewhere")),
            "x/m.sql"
        );
    }

    #[test]
    fn columns_only_on_one_line() {
        let one = Annotation::from_finding(&finding(4, 4), None, Path::new("/")).unwrap();
        assert_eq!(one.path, "supabase/migrations/1_init.sql");
        assert_eq!((one.start_column, one.end_column), (Some(3), Some(9)));
        assert_eq!(one.annotation_level, AnnotationLevel::Failure);
        assert_eq!(one.message, "RLS is off\n\nenable it");
        let json = serde_json::to_value(&one).unwrap();
        assert_eq!(json["annotation_level"], "failure");

        let multi = Annotation::from_finding(&finding(4, 6), None, Path::new("/")).unwrap();
        let json = serde_json::to_value(&multi).unwrap();
        assert!(json.get("start_column").is_none() && json.get("end_column").is_none());
    }

    #[test]
    fn only_new_findings_with_a_location() {
        let mut existing = finding(1, 1);
        existing.status = Status::Existing;
        assert!(Annotation::from_finding(&existing, None, Path::new("/")).is_none());
        let nowhere = Finding::new("x", Severity::Warning, Category::Safety, "m");
        assert!(Annotation::from_finding(&nowhere, None, Path::new("/")).is_none());
    }

    #[test]
    fn workflow_commands_escape() {
        let mut a = Annotation::from_finding(&finding(2, 2), None, Path::new("/")).unwrap();
        a.path = "a,b:c.sql".into();
        a.message = "100% sure\r\nnext".into();
        assert_eq!(
            a.workflow_command(),
            "::error file=a%2Cb%3Ac.sql,line=2,endLine=2,col=3,endColumn=9,title=rls-disabled::100%25 sure%0D%0Anext"
        );
    }
}
