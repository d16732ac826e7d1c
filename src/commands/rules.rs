//! `schemagate rules` and `schemagate explain RULE`.

use crate::cli::{RulesArgs, RulesFormat};
use crate::rules::registry;
use crate::Failure;

pub fn list(args: RulesArgs) -> Result<bool, Failure> {
    print!("{}", render_list(args.format));
    Ok(true)
}

pub fn render_list(format: RulesFormat) -> String {
    let rules = registry::all();
    match format {
        RulesFormat::Tty => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            rules
                .iter()
                .map(|r| {
                    format!(
                        "{:width$}  {:7}  {:11}  {}\n",
                        r.id,
                        r.severity.as_str(),
                        r.category.as_str(),
                        r.summary
                    )
                })
                .collect()
        }
        RulesFormat::Markdown => {
            let mut text = String::from(
                "| rule | severity | category | what it reports |\n|---|---|---|---|\n",
            );
            for r in rules {
                text.push_str(&format!(
                    "| `{}` | {} | {} | {} |\n",
                    r.id, r.severity, r.category, r.summary
                ));
            }
            text
        }
        RulesFormat::Json => {
            let items: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "severity": r.severity,
                        "category": r.category,
                        "summary": r.summary,
                        "docs": r.docs_markdown(),
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&items).expect("plain data serializes");
            text.push('\n');
            text
        }
    }
}

pub fn explain(rule: &str) -> Result<bool, Failure> {
    let Some(meta) = registry::meta(rule) else {
        let close: Vec<&str> = registry::all()
            .iter()
            .map(|m| m.id)
            .filter(|id| id.contains(rule) || rule.contains(id))
            .collect();
        let hint = if close.is_empty() {
            "run `schemagate rules` for the list".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        return Err(Failure::Usage(format!("unknown rule `{rule}`: {hint}")));
    };
    println!(
        "# {}\n\n{} · {} · {}\n\n{}",
        meta.id,
        meta.summary,
        meta.severity,
        meta.category,
        meta.docs_markdown()
    );
    Ok(true)
}
