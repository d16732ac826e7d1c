//! The password libpq would use when the connection string has none: `PGPASSWORD`, else the
//! first matching line of the password file (`PGPASSFILE`, else `~/.pgpass`).

use std::path::PathBuf;
use tokio_postgres::config::Host;
use tokio_postgres::Config;

/// libpq's default port, for matching password-file lines when the string names none.
const DEFAULT_PORT: u16 = 5432;

/// The password for `config`'s first host, user and database, if the environment has one.
pub fn default_for(config: &Config) -> Option<String> {
    if let Some(password) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
        return Some(password);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pgpass")))?;
    // As libpq: a file others can read is ignored.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            eprintln!(
                "warning: password file {} is readable by others and is ignored; chmod 0600 it",
                file.display()
            );
            return None;
        }
    }
    let text = std::fs::read_to_string(&file).ok()?;
    lookup(&text, &Wanted::of(config)?)
}

/// What a password-file line must match.
struct Wanted {
    host: String,
    port: String,
    dbname: String,
    user: String,
}

impl Wanted {
    fn of(config: &Config) -> Option<Wanted> {
        let user = config.get_user()?.to_string();
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(host)) => host.clone(),
            // libpq matches a socket connection as `localhost`.
            Some(Host::Unix(_)) | None => "localhost".to_string(),
        };
        let port = config.get_ports().first().copied().unwrap_or(DEFAULT_PORT);
        Some(Wanted {
            host,
            port: port.to_string(),
            dbname: config.get_dbname().unwrap_or(&user).to_string(),
            user,
        })
    }
}

/// The password of the first line of `text` that matches: `host:port:dbname:user:password`,
/// `*` matching anything in the first four, `\:` and `\\` escaped.
fn lookup(text: &str, wanted: &Wanted) -> Option<String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(fields)
        .find(|fields| {
            fields.len() == 5
                && [&wanted.host, &wanted.port, &wanted.dbname, &wanted.user]
                    .iter()
                    .zip(fields)
                    .all(|(want, field)| field == "*" || field == *want)
        })
        .map(|mut fields| fields.swap_remove(4))
}

fn fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().expect("never empty").extend(chars.next()),
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_line_wins_with_wildcards_and_escapes() {
        let text = "# comment\n\
                    other.host:5432:*:app:nope\n\
                    db.example.com:6543:*:app:pooled\n\
                    db.example.com:*:postgres:app:s3\\:cr\\\\et\n\
                    *:*:*:*:fallback\n";
        let wanted = |port: &str, dbname: &str, user: &str| Wanted {
            host: "db.example.com".to_string(),
            port: port.to_string(),
            dbname: dbname.to_string(),
            user: user.to_string(),
        };
        assert_eq!(
            lookup(text, &wanted("6543", "x", "app")).as_deref(),
            Some("pooled")
        );
        assert_eq!(
            lookup(text, &wanted("5432", "postgres", "app")).as_deref(),
            Some("s3:cr\\et")
        );
        assert_eq!(
            lookup(text, &wanted("5432", "other", "bob")).as_deref(),
            Some("fallback")
        );
        assert_eq!(
            lookup(
                "db.example.com:5432:postgres:app\n",
                &wanted("5432", "postgres", "app")
            ),
            None
        );
    }
}
