//! Catalog rules: what a real PostgreSQL catalog says about RLS, grants, indexes, policies
//! and functions, the ground truth the static rules approximate.
//!
//! One `.sql` query per rule under `queries/` (embedded), listed in [`CATALOG_RULES`].
//! Every query takes `$1` = the exposed schemas, `$2` = the schemas Supabase manages and
//! `$3` = the API roles (all `text[]`, each query may ignore any) and returns the columns `object` (the
//! finding's object) and `detail` (text the message template shows, may be null).

mod merge;
mod rules;

pub use merge::{covers, merge};
pub use rules::{CatalogRule, CATALOG_RULES, OVERLAPPING_STATIC_IDS};

use crate::config::Config;
use crate::findings::{Finding, Source};
use crate::rules::registry;
use tokio_postgres::types::Type;
use tokio_postgres::Client;

/// Runs every catalog rule the configuration does not turn off, on the database `client`
/// is connected to, and returns their findings (source `Catalog`, fingerprinted by rule and
/// object, without location).
///
/// Only reads. The caller decides the transaction (the `inspect` command uses a READ ONLY
/// one). While the queries run the session's search_path is `pg_catalog`, so deparsed
/// expressions name every object with its schema; the previous value is restored after.
pub async fn run(client: &Client, config: &Config) -> Result<Vec<Finding>, tokio_postgres::Error> {
    let previous: String = client
        .query_one("select pg_catalog.current_setting('search_path')", &[])
        .await?
        .get(0);
    client
        .execute(
            "select pg_catalog.set_config('search_path', 'pg_catalog', false)",
            &[],
        )
        .await?;
    let findings = run_rules(client, config).await;
    // Restored on the error path too: the caller may go on using the session.
    let restored = client
        .execute(
            "select pg_catalog.set_config('search_path', $1, false)",
            &[&previous],
        )
        .await;
    let findings = findings?;
    restored?;
    Ok(findings)
}

async fn run_rules(
    client: &Client,
    config: &Config,
) -> Result<Vec<Finding>, tokio_postgres::Error> {
    let managed: Vec<&str> = crate::supabase::MANAGED_SCHEMAS.to_vec();
    let mut findings = Vec::new();
    for rule in CATALOG_RULES {
        if !config.runs(rule.id) || !requirements_met(client, rule).await? {
            continue;
        }
        let statement = client
            .prepare_typed(
                rule.sql,
                &[Type::TEXT_ARRAY, Type::TEXT_ARRAY, Type::TEXT_ARRAY],
            )
            .await?;
        for row in client
            .query(
                &statement,
                &[&config.exposed_schemas, &managed, &config.api_roles],
            )
            .await?
        {
            let object: String = row.try_get("object")?;
            let detail: Option<String> = row.try_get("detail")?;
            findings.push(rule.finding(&object, detail.as_deref().unwrap_or_default()));
        }
    }
    Ok(findings)
}

/// Do the relations the rule's query reads outside pg_catalog exist, readable by us?
async fn requirements_met(
    client: &Client,
    rule: &CatalogRule,
) -> Result<bool, tokio_postgres::Error> {
    if rule.requires.is_empty() {
        return Ok(true);
    }
    let row = client
        .query_one(
            "select coalesce(bool_and(to_regclass(name) is not null \
                 and has_table_privilege(to_regclass(name), 'SELECT')), false) \
             from unnest($1::text[]) as name",
            &[&rule.requires],
        )
        .await?;
    row.try_get(0)
}

impl CatalogRule {
    /// The finding for one row of the rule's query.
    fn finding(&self, object: &str, detail: &str) -> Finding {
        let message = self
            .message
            .replace("{object}", object)
            .replace("{detail}", detail);
        registry::finding(self.rule, message)
            .with_help(self.help)
            .with_object(object)
            .with_source(Source::Catalog)
            .finish("")
    }
}
