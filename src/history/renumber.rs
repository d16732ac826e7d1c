//! Fresh versions for a branch's migrations that sort before the base branch's newest:
//! the plan `schemagate fix --renumber` carries out and out-of-order findings quote.

use crate::migrations::version::compare_numeric;
use crate::migrations::Layout;
use chrono::{NaiveDateTime, TimeDelta};
use std::cmp::Ordering;

/// Supabase, dbmate and Prisma style versions: `YYYYMMDDHHMMSS`.
const TIMESTAMP: &str = "%Y%m%d%H%M%S";

/// One version of the branch that moves, with every file that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renumbering {
    pub from: String,
    pub to: String,
}

/// The version after `floor`: a timestamp one second later, but not earlier than `now`;
/// an integer one higher with the same zero padding; a dotted version's first part plus one.
/// `None` when `floor` is none of these.
pub fn next_version(floor: &str, now: NaiveDateTime) -> Option<String> {
    if floor.len() == 14 {
        if let Ok(time) = NaiveDateTime::parse_from_str(floor, TIMESTAMP) {
            let next = (time + TimeDelta::seconds(1)).max(now);
            return Some(next.format(TIMESTAMP).to_string());
        }
    }
    if !floor.is_empty() && floor.bytes().all(|b| b.is_ascii_digit()) {
        let next = floor.parse::<u128>().ok()?.checked_add(1)?;
        return Some(format!("{next:0width$}", width = floor.len()));
    }
    let first = floor.split(['.', '_']).next()?;
    let next = first.parse::<u128>().ok()?.checked_add(1)?;
    Some(next.to_string())
}

/// Plans new versions for the branch's `added` versions (any order) so that each one sorts
/// after `base_newest` and they keep their relative order. Versions already after the base's
/// newest and after every moved one stay. `None` if some version cannot be advanced.
pub fn plan(added: &[String], base_newest: &str, now: NaiveDateTime) -> Option<Vec<Renumbering>> {
    let mut versions: Vec<&String> = added.iter().collect();
    versions.sort_by(|a, b| compare_numeric(a, b));
    versions.dedup();
    let mut floor = base_newest.to_string();
    let mut moves = Vec::new();
    for version in versions {
        if compare_numeric(version, &floor) == Ordering::Greater {
            floor = version.clone();
            continue;
        }
        let to = next_version(&floor, now)?;
        moves.push(Renumbering {
            from: version.clone(),
            to: to.clone(),
        });
        floor = to;
    }
    Some(moves)
}

/// Layouts whose versions can be renumbered; the others say why not.
pub fn supports(layout: Layout) -> Result<(), String> {
    match layout {
        Layout::Sqitch => Err(
            "sqitch orders changes by sqitch.plan, not by version numbers: \
             move the branch's changes to the end of sqitch.plan instead"
                .into(),
        ),
        _ => Ok(()),
    }
}

/// The new name of a migration unit (a file, or a Prisma migration folder) when its
/// version changes from `from` to `to`. `None` if the name does not start with the version
/// where the layout puts it.
pub fn renamed_unit(layout: Layout, unit: &str, from: &str, to: &str) -> Option<String> {
    let prefix = if layout == Layout::Flyway { 1 } else { 0 };
    let rest = unit.get(prefix..)?.strip_prefix(from)?;
    Some(format!("{}{to}{rest}", &unit[..prefix]))
}

/// The part of a migration's folder-relative path that carries its version: the file
/// itself, or for Prisma the migration's folder.
pub fn unit_of(layout: Layout, relative: &str) -> &str {
    match (layout, relative.split_once('/')) {
        (Layout::Prisma, Some((folder, _))) => folder,
        _ => relative,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, TIMESTAMP).unwrap()
    }

    #[test]
    fn timestamps_roll_over_and_never_go_back_in_time() {
        let past = at("20200101000000");
        assert_eq!(
            next_version("20241231235959", past).as_deref(),
            Some("20250101000000")
        );
        assert_eq!(
            next_version("20240101120000", at("20250601093000")).as_deref(),
            Some("20250601093000")
        );
    }

    #[test]
    fn integers_keep_their_padding_and_dotted_versions_advance_the_first_part() {
        let now = at("20250101000000");
        assert_eq!(next_version("0041", now).as_deref(), Some("0042"));
        assert_eq!(next_version("99", now).as_deref(), Some("100"));
        assert_eq!(next_version("2.1", now).as_deref(), Some("3"));
        assert_eq!(next_version("2_1", now).as_deref(), Some("3"));
        // 14 digits that are not a time are a plain number.
        assert_eq!(
            next_version("00000000000009", now).as_deref(),
            Some("00000000000010")
        );
        assert_eq!(next_version("abc", now), None);
    }

    #[test]
    fn plan_keeps_order_and_moves_only_what_must_move() {
        let now = at("20200101000000");
        let added = vec![
            "20240103000000".to_string(),
            "20240101000000".to_string(),
            "20240301000000".to_string(),
        ];
        let moves = plan(&added, "20240201000000", now).unwrap();
        assert_eq!(
            moves,
            [
                Renumbering {
                    from: "20240101000000".into(),
                    to: "20240201000001".into()
                },
                Renumbering {
                    from: "20240103000000".into(),
                    to: "20240201000002".into()
                },
            ]
        );
        // A later version that is still after the moved ones stays.
        assert!(moves.iter().all(|m| m.from != "20240301000000"));
        assert!(plan(&added, "20230101000000", now).unwrap().is_empty());
    }

    #[test]
    fn renames_put_the_version_where_the_layout_keeps_it() {
        assert_eq!(
            renamed_unit(Layout::Supabase, "001_a.sql", "001", "005").as_deref(),
            Some("005_a.sql")
        );
        assert_eq!(
            renamed_unit(Layout::Flyway, "V2__a.sql", "2", "7").as_deref(),
            Some("V7__a.sql")
        );
        assert_eq!(
            renamed_unit(Layout::Supabase, "x_a.sql", "001", "005"),
            None
        );
        assert_eq!(
            unit_of(Layout::Prisma, "2024_init/migration.sql"),
            "2024_init"
        );
        assert_eq!(unit_of(Layout::Supabase, "2024_init.sql"), "2024_init.sql");
    }
}
