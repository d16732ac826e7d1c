//! Settings tokio-postgres does not know (it rejects unknown keys), taken out of a
//! connection string before the rest is handed to it: from a URL's query, or from a libpq
//! key/value string.

/// `url` (a URL or a key/value string) without the settings named in `keys`, and their
/// values in the order written.
pub fn take(url: &str, keys: &[&str]) -> (String, Vec<(String, String)>) {
    if is_url(url) {
        take_url_params(url, keys)
    } else {
        take_keywords(url, keys)
    }
}

fn is_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `url` without the query parameters named in `keys`, and their decoded values.
fn take_url_params(url: &str, keys: &[&str]) -> (String, Vec<(String, String)>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), Vec::new());
    };
    let mut found = Vec::new();
    let mut kept = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if keys.contains(&key) {
            found.push((key.to_string(), percent_decode(value)));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, found)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A key/value string without the keywords in `keys`, and their values. Values follow libpq's
/// quoting: `'…'` with `\'` and `\\`, or a run without spaces.
fn take_keywords(text: &str, keys: &[&str]) -> (String, Vec<(String, String)>) {
    let mut found = Vec::new();
    let mut rest = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut key = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().map(|&(_, c)| c) != Some('=') {
            // Malformed: left for tokio-postgres to reject with its own message.
            return (text.to_string(), Vec::new());
        }
        chars.next();
        while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        let quoted = chars.peek().map(|&(_, c)| c) == Some('\'');
        if quoted {
            chars.next();
        }
        while let Some((_, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '\'' if quoted => break,
                c if c.is_whitespace() && !quoted => break,
                c => value.push(c),
            }
        }
        let end = chars.peek().map_or(text.len(), |&(i, _)| i);
        if keys.contains(&key.as_str()) {
            found.push((key, value));
        } else {
            rest.push_str(text[start..end].trim_end());
            rest.push(' ');
        }
    }
    (rest.trim_end().to_string(), found)
}
