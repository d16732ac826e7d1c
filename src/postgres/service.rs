//! libpq's connection service file: `service=name` in a connection string takes the settings
//! of the `[name]` section of `PGSERVICEFILE` (else `~/.pg_service.conf`, else
//! `$PGSYSCONFDIR/pg_service.conf`). What the connection string itself says wins.

use std::path::PathBuf;

/// The settings of service `name`, in the order written.
pub fn settings(name: &str) -> Result<Vec<(String, String)>, String> {
    let files = candidates();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if let Some(section) = section(&text, name) {
            return Ok(section);
        }
    }
    let searched: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    Err(format!(
        "service `{name}` is not defined in {}; define it there (or set PGSERVICEFILE)",
        if searched.is_empty() {
            "any service file (set PGSERVICEFILE)".to_string()
        } else {
            searched.join(" or ")
        }
    ))
}

/// Where libpq looks, in order.
fn candidates() -> Vec<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(file) = var("PGSERVICEFILE") {
        return vec![PathBuf::from(file)];
    }
    let mut files = Vec::new();
    if let Some(home) = var("HOME") {
        files.push(PathBuf::from(home).join(".pg_service.conf"));
    }
    if let Some(dir) = var("PGSYSCONFDIR") {
        files.push(PathBuf::from(dir).join("pg_service.conf"));
    }
    files
}

/// The `key=value` lines of section `[name]` (`#` comments and blank lines skipped).
fn section(text: &str, name: &str) -> Option<Vec<(String, String)>> {
    let mut inside = false;
    let mut found = None::<Vec<(String, String)>>;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = header.trim() == name;
            if inside {
                found.get_or_insert_with(Vec::new);
            }
            continue;
        }
        if let (true, Some((key, value))) = (inside, line.split_once('=')) {
            found
                .get_or_insert_with(Vec::new)
                .push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_section_and_skips_comments() {
        let text = "# services\n[other]\nhost=a\n\n[prod]\nhost = db.example\nport=6543\n# note\nsslmode=require\n";
        assert_eq!(
            section(text, "prod").unwrap(),
            [
                ("host".to_string(), "db.example".to_string()),
                ("port".to_string(), "6543".to_string()),
                ("sslmode".to_string(), "require".to_string()),
            ]
        );
        assert!(section(text, "missing").is_none());
        assert_eq!(section("[empty]\n", "empty").unwrap(), []);
    }
}
