//! Catalog snapshots and their differences: what a set of migrations changed in a database,
//! described by names only, so two databases compare.

pub mod base;
pub mod describe;
pub mod order;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const SNAPSHOT_SQL: &str = include_str!("snapshot.sql");

/// A database's user-visible schema: `kind identity` → attributes. Deterministic: two
/// databases built by the same statements give equal snapshots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub objects: BTreeMap<ObjectKey, BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectKey {
    pub kind: String,
    pub identity: String,
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.identity)
    }
}

impl Snapshot {
    /// Reads the snapshot of the database `client` is connected to.
    pub async fn take(client: &tokio_postgres::Client) -> Result<Snapshot, tokio_postgres::Error> {
        let rows = client.query(SNAPSHOT_SQL, &[]).await?;
        let mut objects = BTreeMap::new();
        for row in rows {
            let key = ObjectKey {
                kind: row.get(0),
                identity: row.get(1),
            };
            let text: String = row.get(2);
            let attributes = serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&text)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(name, value)| {
                    let value = match value {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (name, value)
                })
                .collect();
            objects.insert(key, attributes);
        }
        Ok(Snapshot { objects })
    }
}

/// One difference between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum Change {
    Added {
        kind: String,
        identity: String,
    },
    Removed {
        kind: String,
        identity: String,
    },
    Changed {
        kind: String,
        identity: String,
        /// attribute → (before, after); a missing value is shown as empty.
        attributes: BTreeMap<String, (String, String)>,
    },
}

impl Change {
    pub fn key(&self) -> (&str, &str) {
        match self {
            Change::Added { kind, identity }
            | Change::Removed { kind, identity }
            | Change::Changed { kind, identity, .. } => (kind, identity),
        }
    }
}

/// What turns `before` into `after`, in key order. Columns, constraints, policies and
/// triggers of an added or removed table, and who may call an added or removed function,
/// are folded into the object's own change.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let mut changes = Vec::new();
    let added_or_removed = |kinds: &[&str]| -> Vec<&str> {
        before
            .objects
            .keys()
            .filter(|k| !after.objects.contains_key(*k))
            .chain(
                after
                    .objects
                    .keys()
                    .filter(|k| !before.objects.contains_key(*k)),
            )
            .filter(|k| kinds.contains(&k.kind.as_str()))
            .map(|k| k.identity.as_str())
            .collect()
    };
    let tables = added_or_removed(&["table", "view", "materialized view"]);
    let functions = added_or_removed(&["function", "procedure", "aggregate"]);
    let belongs_to_folded_table = |key: &ObjectKey| {
        let part_of = |owners: &[&str], separator: &str| {
            owners.iter().any(|owner| {
                key.identity
                    .strip_prefix(owner)
                    .is_some_and(|rest| rest.starts_with(separator))
            })
        };
        match key.kind.as_str() {
            "column" | "constraint" | "policy" | "trigger" => part_of(&tables, "."),
            "function grant" => part_of(&functions, " to "),
            _ => false,
        }
    };
    for (key, old) in &before.objects {
        match after.objects.get(key) {
            None if !belongs_to_folded_table(key) => changes.push(Change::Removed {
                kind: key.kind.clone(),
                identity: key.identity.clone(),
            }),
            None => {}
            Some(new) if new != old => {
                let names: std::collections::BTreeSet<&String> =
                    old.keys().chain(new.keys()).collect();
                let attributes = names
                    .into_iter()
                    .filter(|name| old.get(*name) != new.get(*name))
                    .map(|name| {
                        let value =
                            |m: &BTreeMap<String, String>| m.get(name).cloned().unwrap_or_default();
                        (name.clone(), (value(old), value(new)))
                    })
                    .collect();
                changes.push(Change::Changed {
                    kind: key.kind.clone(),
                    identity: key.identity.clone(),
                    attributes,
                });
            }
            Some(_) => {}
        }
    }
    for key in after.objects.keys() {
        if !before.objects.contains_key(key) && !belongs_to_folded_table(key) {
            changes.push(Change::Added {
                kind: key.kind.clone(),
                identity: key.identity.clone(),
            });
        }
    }
    changes.sort_by(|a, b| a.key().cmp(&b.key()));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (kind, identity, attributes)
    type Row<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

    fn snapshot(objects: &[Row<'_>]) -> Snapshot {
        Snapshot {
            objects: objects
                .iter()
                .map(|(kind, identity, attributes)| {
                    (
                        ObjectKey {
                            kind: kind.to_string(),
                            identity: identity.to_string(),
                        },
                        attributes
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn added_removed_and_changed() {
        let before = snapshot(&[
            ("table", "public.t", &[("rls", "false")]),
            ("column", "public.t.a", &[("type", "integer")]),
            ("column", "public.t.gone", &[("type", "text")]),
            ("function", "public.f()", &[("security definer", "true")]),
        ]);
        let after = snapshot(&[
            ("table", "public.t", &[("rls", "true")]),
            ("column", "public.t.a", &[("type", "bigint")]),
            ("column", "public.t.b", &[("type", "text")]),
            (
                "function",
                "public.f()",
                &[("security definer", "true"), ("config", "search_path=")],
            ),
        ]);
        let lines: Vec<String> = diff(&before, &after).iter().map(describe::line).collect();
        assert_eq!(
            lines,
            [
                "~ column public.t.a (type: integer → bigint)",
                "+ column public.t.b",
                "- column public.t.gone",
                "~ function public.f() (config: none → search_path=)",
                "~ table public.t (rls: false → true)",
            ]
        );
    }

    #[test]
    fn a_new_table_is_one_change() {
        let before = snapshot(&[]);
        let after = snapshot(&[
            ("table", "public.t", &[]),
            ("column", "public.t.a", &[]),
            ("constraint", "public.t.t_pkey", &[]),
            ("policy", "public.t.p", &[]),
            ("column", "public.tt.a", &[]),
        ]);
        let lines: Vec<String> = diff(&before, &after).iter().map(describe::line).collect();
        assert_eq!(lines, ["+ column public.tt.a", "+ table public.t"]);
        assert!(diff(&after, &after).is_empty());
    }
}
