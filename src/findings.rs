//! The finding model every stage produces and every renderer consumes.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Security,
    Performance,
    Safety,
    Conflict,
    Apply,
    /// Problems with the input itself: unreadable files, bad suppressions.
    Input,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Performance => "performance",
            Category::Safety => "safety",
            Category::Conflict => "conflict",
            Category::Apply => "apply",
            Category::Input => "input",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which stage produced a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Static,
    Apply,
    Catalog,
    History,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Existing,
    Suppressed,
}

/// A 1-based span in a file, columns counted in characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub category: Category,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// `schema.table[.column]` or another qualified object name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub source: Source,
    pub status: Status,
    /// Why the finding is suppressed, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<String>,
    pub fingerprint: String,
}

impl Finding {
    /// A finding with the rule's default severity and category; the fingerprint is
    /// computed by [`Finding::finish`] once the location and object are known.
    pub fn new(
        rule: &str,
        severity: Severity,
        category: Category,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity,
            category,
            message: message.into(),
            help: None,
            location: None,
            object: None,
            source: Source::Static,
            status: Status::New,
            suppressed_by: None,
            fingerprint: String::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn with_location(mut self, location: Location) -> Finding {
        self.location = Some(location);
        self
    }

    pub fn with_object(mut self, object: impl Into<String>) -> Finding {
        self.object = Some(object.into());
        self
    }

    pub fn with_source(mut self, source: Source) -> Finding {
        self.source = source;
        self
    }

    /// Computes the fingerprint: stable across runs and line moves.
    ///
    /// With an object it is rule + object; without one, rule + file + a hash of
    /// `anchor_text` (normally the statement text), so moving a statement does not change it.
    pub fn finish(mut self, anchor_text: &str) -> Finding {
        self.fingerprint = self.fingerprint_with(anchor_text);
        self
    }

    /// The fingerprint [`Finding::finish`] gives.
    pub fn fingerprint_with(&self, anchor_text: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.rule.as_bytes());
        hasher.update([0]);
        match &self.object {
            Some(object) => hasher.update(object.as_bytes()),
            None => {
                if let Some(location) = &self.location {
                    hasher.update(location.file.as_bytes());
                }
                hasher.update([0]);
                hasher.update(normalize_whitespace(anchor_text).as_bytes());
            }
        }
        let digest = hasher.finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Does this finding count against the gate at `fail_on`?
    pub fn fails_gate(&self, fail_on: FailOn, fail_on_existing: bool) -> bool {
        let counted = match self.status {
            Status::New => true,
            Status::Existing => fail_on_existing,
            Status::Suppressed => false,
        };
        counted && fail_on.includes(self.severity)
    }
}

fn normalize_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The severity threshold at which the gate fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn includes(self, severity: Severity) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
        }
    }
}

/// Orders findings for output: errors, then warnings, then infos (what fails the gate is
/// read first); within a severity by file, position, then rule.
pub fn sort_findings(findings: &mut [Finding]) {
    fn key(f: &Finding) -> Option<(&str, u32, u32)> {
        f.location
            .as_ref()
            .map(|l| (l.file.as_str(), l.line, l.column))
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.object.cmp(&b.object))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32) -> Location {
        Location {
            file: "m.sql".into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
        }
    }

    #[test]
    fn fingerprint_ignores_line_moves() {
        let a = Finding::new("r", Severity::Error, Category::Safety, "m")
            .with_location(at(1))
            .finish("drop  table x");
        let b = Finding::new("r", Severity::Error, Category::Safety, "m")
            .with_location(at(40))
            .finish("drop table\n x");
        assert_eq!(a.fingerprint, b.fingerprint);
        let c = Finding::new("r", Severity::Error, Category::Safety, "m")
            .with_location(at(1))
            .finish("drop table y");
        assert_ne!(a.fingerprint, c.fingerprint);
    }

    #[test]
    fn fingerprint_by_object_ignores_file() {
        let a = Finding::new("r", Severity::Error, Category::Safety, "m")
            .with_object("public.t")
            .with_location(at(1))
            .finish("x");
        let mut other = at(3);
        other.file = "n.sql".into();
        let b = Finding::new("r", Severity::Error, Category::Safety, "m")
            .with_object("public.t")
            .with_location(other)
            .finish("y");
        assert_eq!(a.fingerprint, b.fingerprint);
    }

    #[test]
    fn gate_thresholds() {
        let f = Finding::new("r", Severity::Warning, Category::Safety, "m");
        assert!(!f.fails_gate(FailOn::Error, false));
        assert!(f.fails_gate(FailOn::Warning, false));
        assert!(!f.fails_gate(FailOn::Never, false));
        let mut existing = f.clone();
        existing.status = Status::Existing;
        assert!(!existing.fails_gate(FailOn::Warning, false));
        assert!(existing.fails_gate(FailOn::Warning, true));
    }
}
