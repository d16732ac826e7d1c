//! Version strings and how each tool orders them.

use std::cmp::Ordering;

/// Compares dotted or underscored numeric versions part by part (`13.1` < `13.10` < `14`),
/// as Flyway does; non-numeric parts compare as text.
pub fn compare_numeric(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<String> {
        v.split(['.', '_'])
            .filter(|p| !p.is_empty())
            .map(|p| p.to_string())
            .collect()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).map_or("0", String::as_str);
        let y = pb.get(i).map_or("0", String::as_str);
        let ordering = match (digits_value(x), digits_value(y)) {
            (Some(nx), Some(ny)) => nx.cmp(&ny),
            _ => x.cmp(y),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// An all-digit string as a comparable value without overflow: (length without leading
/// zeros, digits).
fn digits_value(text: &str) -> Option<(usize, &str)> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = text.trim_start_matches('0');
    Some((trimmed.len(), trimmed))
}

/// The leading digits of a file name, if any.
pub fn leading_digits(name: &str) -> Option<&str> {
    let end = name
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(name.len());
    (end > 0).then(|| &name[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_comparison() {
        assert_eq!(compare_numeric("2", "10"), Ordering::Less);
        assert_eq!(compare_numeric("13.1", "13.10"), Ordering::Less);
        assert_eq!(compare_numeric("13.1", "13"), Ordering::Greater);
        assert_eq!(compare_numeric("1.0", "1"), Ordering::Equal);
        assert_eq!(compare_numeric("001", "1"), Ordering::Equal);
        assert_eq!(
            compare_numeric("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn digits() {
        assert_eq!(leading_digits("20240101_a.sql"), Some("20240101"));
        assert_eq!(leading_digits("a.sql"), None);
    }
}
