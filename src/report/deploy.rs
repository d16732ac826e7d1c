//! The deploy for people, in three markups from one walk: the terminal, Markdown (the
//! GitHub job summary) and a standalone HTML page. Everything from the database or the
//! migrations (paths, messages, server errors) passes through the markup's escaping.

use super::escape;
use crate::deploy::run::{Outcome, Status};
use crate::deploy::{Deploy, Stage};
use crate::findings::{Finding, Severity};
use crate::remote::State;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    Tty,
    Markdown,
    Html,
}

/// Renders `deploy`; `no_backup` says the backup was skipped on purpose.
pub fn render(deploy: &Deploy, no_backup: bool, markup: Markup) -> String {
    let mut out = Out::new(markup);
    let history = serde_json::to_value(deploy.history)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    out.title(&format!("deploy to {} ({history} history)", deploy.server));
    let pending = deploy
        .status
        .iter()
        .filter(|row| matches!(row.state, State::Pending | State::OutOfOrder))
        .count();
    let applied_before = deploy
        .status
        .iter()
        .filter(|row| row.state == State::Applied)
        .count();
    out.section(&format!(
        "pre-flight: {applied_before} applied, {pending} pending"
    ));
    for finding in &deploy.lint {
        out.item(&finding_text(&out, finding));
    }
    if !deploy.rehearsal.is_empty() {
        out.heading("rehearsal on a copy of production's schema");
        for outcome in &deploy.rehearsal {
            out.item(&outcome_text(&out, outcome));
        }
    }
    if let Some(backup) = &deploy.backup {
        out.section(&format!("backup: {} (verified)", backup));
    } else if no_backup && !deploy.applied.is_empty() {
        out.section("backup: none (--no-backup)");
    }
    if !deploy.applied.is_empty() {
        out.heading("applied to production");
        for outcome in &deploy.applied {
            out.item(&outcome_text(&out, outcome));
        }
    }
    if !deploy.differences.is_empty() {
        out.heading("differs from the rehearsal");
        for change in deploy.differences.iter().take(20) {
            let (kind, identity) = change.key();
            out.item(&format!("{kind} {}", out.code(identity)));
        }
    }
    let catalog_errors: Vec<&Finding> = deploy
        .catalog
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    if !catalog_errors.is_empty() {
        out.heading(&format!(
            "the catalog rules on the deployed database: {} error(s) (`schemagate inspect` shows every finding)",
            catalog_errors.len()
        ));
        for finding in catalog_errors {
            out.item(&finding_text(&out, finding));
        }
    }
    out.verdict(&verdict(deploy, pending), deploy.succeeded());
    out.finish()
}

/// The verdict line.
fn verdict(deploy: &Deploy, pending: usize) -> String {
    match (&deploy.stopped, &deploy.reason) {
        (Some(stage), Some(reason)) => format!(
            "deploy stopped at the {}: {reason}",
            match stage {
                Stage::Preflight => "pre-flight",
                Stage::Rehearsal => "rehearsal",
                Stage::Backup => "backup",
                Stage::Apply => "apply",
                Stage::Validation => "validation",
            }
        ),
        _ if pending == 0 => "nothing to deploy: every migration is applied".to_string(),
        _ if deploy.dry_run => {
            format!("dry run: {pending} migration(s) would be deployed; nothing was written")
        }
        _ => format!(
            "deployed {} migration(s); the database's schema equals the rehearsal's",
            deploy.applied.len()
        ),
    }
}

/// Severity, place, message, rule; escaped for the markup.
fn finding_text(out: &Out, finding: &Finding) -> String {
    let at = finding
        .location
        .as_ref()
        .map(|l| format!("{}: ", out.code(&format!("{}:{}", l.file, l.line))))
        .unwrap_or_default();
    format!(
        "{} {at}{} [{}]",
        finding.severity.as_str(),
        out.esc(&finding.message),
        out.esc(&finding.rule)
    )
}

/// One migration: status, path, duration, lock retries and waits, the error.
fn outcome_text(out: &Out, outcome: &Outcome) -> String {
    let status = match outcome.status {
        Status::Applied => "applied",
        Status::Failed => "FAILED",
        Status::NotReached => "not applied",
    };
    let mut line = match out.markup {
        Markup::Tty => format!("{status:<11} {}", out.code(&outcome.path)),
        _ => format!("{status} {}", out.code(&outcome.path)),
    };
    if outcome.status != Status::NotReached {
        line.push_str(&format!(" ({} ms", outcome.duration_ms));
        if outcome.lock_retries > 0 {
            line.push_str(&format!(
                ", {} lock retries, {} ms waiting for locks",
                outcome.lock_retries, outcome.lock_wait_ms
            ));
        }
        line.push(')');
    }
    if let Some(error) = &outcome.error {
        line.push_str(&format!(": {}", out.esc(error)));
    }
    line
}

/// Accumulates the output in one markup; items are grouped under the last section.
struct Out {
    markup: Markup,
    text: String,
    list_open: bool,
}

impl Out {
    fn new(markup: Markup) -> Out {
        let text = match markup {
            Markup::Html => "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>schemagate deploy</title>\n<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}code{font-size:90%}.ok{color:#1a7f37}.stop{color:#cf222e}</style></head><body>\n".to_string(),
            _ => String::new(),
        };
        Out {
            markup,
            text,
            list_open: false,
        }
    }

    /// Text from outside, escaped for the markup.
    fn esc(&self, text: &str) -> String {
        match self.markup {
            Markup::Tty => escape::terminal_line(text),
            Markup::Markdown => escape::markdown(text),
            Markup::Html => escape::html(text),
        }
    }

    /// A path or name, escaped and shown as code where the markup has it.
    fn code(&self, text: &str) -> String {
        match self.markup {
            Markup::Tty => escape::terminal_line(text),
            Markup::Markdown => {
                format!("<code>{}</code>", escape::html(text).replace('|', "&#124;"))
            }
            Markup::Html => format!("<code>{}</code>", escape::html(text)),
        }
    }

    fn close_list(&mut self) {
        if self.list_open {
            if self.markup == Markup::Html {
                self.text.push_str("</ul>\n");
            }
            self.list_open = false;
        }
    }

    fn title(&mut self, text: &str) {
        let text = self.esc(text);
        match self.markup {
            Markup::Tty => self.text.push_str(&format!("{text}\n")),
            Markup::Markdown => self.text.push_str(&format!("### schemagate {text}\n\n")),
            Markup::Html => self.text.push_str(&format!("<h1>schemagate {text}</h1>\n")),
        }
    }

    fn section(&mut self, text: &str) {
        self.close_list();
        let text = self.esc(text);
        match self.markup {
            Markup::Tty => self.text.push_str(&format!("{text}\n")),
            Markup::Markdown => self.text.push_str(&format!("\n**{text}**\n\n")),
            Markup::Html => self.text.push_str(&format!("<h2>{text}</h2>\n")),
        }
    }

    /// A section that lists items (`name:` on a terminal).
    fn heading(&mut self, text: &str) {
        match self.markup {
            Markup::Tty => self.section(&format!("{text}:")),
            _ => self.section(text),
        }
    }

    /// A line under the current section, already escaped.
    fn item(&mut self, escaped: &str) {
        if !self.list_open && self.markup == Markup::Html {
            self.text.push_str("<ul>\n");
        }
        self.list_open = true;
        match self.markup {
            Markup::Tty => self.text.push_str(&format!("  {escaped}\n")),
            Markup::Markdown => self.text.push_str(&format!("- {escaped}\n")),
            Markup::Html => self.text.push_str(&format!("<li>{escaped}</li>\n")),
        }
    }

    fn verdict(&mut self, text: &str, succeeded: bool) {
        self.close_list();
        let text = self.esc(text);
        let mark = if succeeded { "✓" } else { "✗" };
        match self.markup {
            Markup::Tty => self.text.push_str(&format!("{text}\n")),
            Markup::Markdown => self.text.push_str(&format!("\n**{mark} {text}**\n")),
            Markup::Html => self.text.push_str(&format!(
                "<p class=\"{}\"><strong>{mark} {text}</strong></p>\n",
                if succeeded { "ok" } else { "stop" }
            )),
        }
    }

    fn finish(mut self) -> String {
        self.close_list();
        if self.markup == Markup::Html {
            self.text.push_str("</body></html>\n");
        }
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::{HistoryFormat, StatusRow};

    fn stopped_deploy() -> Deploy {
        let outcome = Outcome {
            path: "migrations/1_<b>x|y.sql".to_string(),
            version: "1".to_string(),
            status: Status::Failed,
            duration_ms: 12,
            lock_retries: 2,
            lock_wait_ms: 400,
            error: Some("line 1: 55P03 <script>alert(1)</script>\n::error::forged".to_string()),
            outside_transaction: 0,
        };
        Deploy {
            server: "PostgreSQL 15".to_string(),
            history: HistoryFormat::Dbmate,
            status: vec![StatusRow {
                version: "1".to_string(),
                local: Some(outcome.path.clone()),
                state: State::Pending,
            }],
            lint: Vec::new(),
            catalog: Vec::new(),
            rehearsal: Vec::new(),
            backup: Some("backups/app.dump".to_string()),
            applied: vec![outcome],
            differences: Vec::new(),
            stopped: Some(Stage::Apply),
            reason: Some("it failed".to_string()),
            dry_run: false,
        }
    }

    #[test]
    fn every_markup_says_the_same_and_escapes_what_came_from_outside() {
        let deploy = stopped_deploy();
        let tty = render(&deploy, false, Markup::Tty);
        assert_eq!(
            tty,
            "deploy to PostgreSQL 15 (dbmate history)\n\
             pre-flight: 0 applied, 1 pending\n\
             backup: backups/app.dump (verified)\n\
             applied to production:\n  \
             FAILED      migrations/1_<b>x|y.sql (12 ms, 2 lock retries, 400 ms waiting for locks): line 1: 55P03 <script>alert(1)</script>\\n::error::forged\n\
             deploy stopped at the apply: it failed\n"
        );
        let markdown = render(&deploy, false, Markup::Markdown);
        assert!(markdown.starts_with("### schemagate deploy to PostgreSQL 15 (dbmate history)\n"));
        assert!(markdown.contains(
            "- FAILED <code>migrations/1_&lt;b&gt;x&#124;y.sql</code> (12 ms, 2 lock retries"
        ));
        assert!(markdown.contains("&lt;script&gt;"));
        assert!(!markdown.contains("<script>") && !markdown.contains("\n::error"));
        assert!(markdown.ends_with("**✗ deploy stopped at the apply: it failed**\n"));
        let html = render(&deploy, false, Markup::Html);
        assert!(html.contains("<li>FAILED <code>migrations/1_&lt;b&gt;x|y.sql</code>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains(
            "<p class=\"stop\"><strong>✗ deploy stopped at the apply: it failed</strong></p>"
        ));
        assert!(html.trim_end().ends_with("</body></html>"));
    }
}
