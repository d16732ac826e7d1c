//! schemagate: the merge gate for PostgreSQL and Supabase migrations.
//!
//! Data flows one way: `migrations` (discover, read, split, parse) → `model` → `rules`
//! (via `lint`) → `report`. See ARCHITECTURE.md.

pub mod backup;
pub mod cli;
pub mod commands;
pub mod config;
pub mod declarative;
pub mod deploy;
pub mod diff;
pub mod dump;
pub mod findings;
pub mod github;
pub mod history;
pub mod inspect;
pub mod lint;
pub mod migrations;
pub mod model;
pub mod postgres;
pub mod profile;
pub mod remote;
pub mod report;
pub mod rules;
pub mod sql;
pub mod supabase;

/// Rule documentation lives in the README's rule list.
pub const DOCS_BASE_URL: &str = "https://github.com/schemagate/schemagate/blob/main/docs/rules.md";

/// How a command ends, mapped to the exit code by `main`.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Exit 2: the invocation or configuration is wrong.
    #[error("{0}")]
    Usage(String),
    /// Exit 3: the environment is missing something (PostgreSQL, git base, …).
    #[error("{0}")]
    Environment(String),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Environment(_) => 3,
        }
    }
}
