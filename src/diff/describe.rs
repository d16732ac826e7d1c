//! Changes in words, for people: `+ table public.x`,
//! `~ column public.t.a (type: integer → bigint)`. Hashed attributes (view definitions,
//! function bodies) only say that they changed.

use super::Change;

/// One line per change: `+`, `-` or `~`, then [`body`].
pub fn line(change: &Change) -> String {
    let sign = match change {
        Change::Added { .. } => '+',
        Change::Removed { .. } => '-',
        Change::Changed { .. } => '~',
    };
    format!("{sign} {}", body(change))
}

/// `added`, `removed` or `changed`.
pub fn verb(change: &Change) -> &'static str {
    match change {
        Change::Added { .. } => "added",
        Change::Removed { .. } => "removed",
        Change::Changed { .. } => "changed",
    }
}

/// `column public.t.a (type: integer → bigint)`: the object and, when changed, how.
pub fn body(change: &Change) -> String {
    match change {
        Change::Added { kind, identity } | Change::Removed { kind, identity } => {
            format!("{kind} {identity}")
        }
        Change::Changed {
            kind,
            identity,
            attributes,
        } => {
            let details: Vec<String> = attributes
                .iter()
                .map(|(name, (before, after))| {
                    if is_hash(before) || is_hash(after) {
                        format!("{name} changed")
                    } else {
                        format!("{name}: {} → {}", shown(before), shown(after))
                    }
                })
                .collect();
            format!("{kind} {identity} ({})", details.join("; "))
        }
    }
}

/// A difference between two databases built two ways, e.g. `production` and `fresh`:
/// `column public.v.b: only in fresh`, `view public.v: definition differs`,
/// `column public.t.a: type is integer in production, bigint in fresh`.
pub fn between(change: &Change, before: &str, after: &str) -> String {
    match change {
        Change::Added { kind, identity } => format!("{kind} {identity}: only in {after}"),
        Change::Removed { kind, identity } => format!("{kind} {identity}: only in {before}"),
        Change::Changed {
            kind,
            identity,
            attributes,
        } => {
            let details: Vec<String> = attributes
                .iter()
                .map(|(name, (old, new))| {
                    if is_hash(old) || is_hash(new) {
                        format!("{name} differs")
                    } else {
                        format!(
                            "{name} is {} in {before}, {} in {after}",
                            shown(old),
                            shown(new)
                        )
                    }
                })
                .collect();
            format!("{kind} {identity}: {}", details.join("; "))
        }
    }
}

fn shown(value: &str) -> &str {
    if value.is_empty() {
        "none"
    } else {
        value
    }
}

/// The snapshot stores long texts as md5 hex digests.
fn is_hash(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn changed(kind: &str, attributes: &[(&str, &str, &str)]) -> Change {
        Change::Changed {
            kind: kind.to_string(),
            identity: "public.t.a".to_string(),
            attributes: attributes
                .iter()
                .map(|(n, b, a)| (n.to_string(), (b.to_string(), a.to_string())))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn lines_for_people() {
        let added = Change::Added {
            kind: "table".to_string(),
            identity: "public.x".to_string(),
        };
        assert_eq!(line(&added), "+ table public.x");
        assert_eq!(
            line(&changed(
                "column",
                &[("type", "integer", "bigint"), ("default", "", "0")]
            )),
            "~ column public.t.a (default: none → 0; type: integer → bigint)"
        );
        let hash_a = "0123456789abcdef0123456789abcdef";
        let hash_b = "fedcba9876543210fedcba9876543210";
        assert_eq!(
            line(&changed("function", &[("body", hash_a, hash_b)])),
            "~ function public.t.a (body changed)"
        );
        assert_eq!(
            between(
                &changed("column", &[("type", "integer", "bigint")]),
                "production",
                "fresh"
            ),
            "column public.t.a: type is integer in production, bigint in fresh"
        );
        assert_eq!(
            between(&added, "production", "fresh"),
            "table public.x: only in fresh"
        );
    }
}
