//! Connection strings made safe to print: every command that names a database in a
//! message shows it through [`redact_url`].

/// The URL with any password replaced by `***`, safe to print.
///
/// Handles `scheme://user:password@host…` (everything from the first `:` of the user
/// part to the last `@` is hidden, so a password containing `@` or `/` stays hidden too),
/// `?password=…` parameters and the `password=…` keyword form.
pub(crate) fn redact_url(url: &str) -> String {
    let mut text = url.to_string();
    if let Some(scheme_end) = text.find("://") {
        let rest_start = scheme_end + 3;
        if let Some(at) = text[rest_start..].rfind('@').map(|at| rest_start + at) {
            if let Some(colon) = text[rest_start..at].find(':').map(|c| rest_start + c) {
                text.replace_range(colon + 1..at, "***");
            }
        }
    }
    let parameter =
        regex::Regex::new(r"(?i)((?:^|[?&\s])password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)")
            .expect("a valid regex");
    parameter.replace_all(&text, "${1}***").into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_show() {
        let cases = [
            (
                "postgresql://app:s3cret@db.example.com:5432/postgres",
                "postgresql://app:***@db.example.com:5432/postgres",
            ),
            (
                "postgres://app:p@ss/w0rd@host/db",
                "postgres://app:***@host/db",
            ),
            (
                "postgresql://app:s3/cr:et@db/x",
                "postgresql://app:***@db/x",
            ),
            (
                "postgresql://app:s3@cr@et@db:5432/x",
                "postgresql://app:***@db:5432/x",
            ),
            (
                "postgresql://app:s3cr%40et@db/x",
                "postgresql://app:***@db/x",
            ),
            ("postgresql://app:s3:cret@db/x", "postgresql://app:***@db/x"),
            (
                "postgresql://app@host/db?password=s3/c@r:et&sslmode=prefer",
                "postgresql://app@host/db?password=***&sslmode=prefer",
            ),
            (
                "postgresql://app@host/db?password=s3cret&sslmode=prefer",
                "postgresql://app@host/db?password=***&sslmode=prefer",
            ),
            (
                "host=/tmp user=app password='s3 cret' dbname=x",
                "host=/tmp user=app password=*** dbname=x",
            ),
            ("host=/tmp password=s3cret", "host=/tmp password=***"),
            (
                "postgresql://app@/db?host=/tmp/s",
                "postgresql://app@/db?host=/tmp/s",
            ),
        ];
        for (url, shown) in cases {
            let redacted = redact_url(url);
            assert_eq!(redacted, shown);
            assert!(!redacted.contains("s3"), "{redacted}");
        }
    }
}
