//! A small GitHub REST client: the headers GitHub asks for, bounded retries, rate limits,
//! and `Link`-header pagination. Blocking on purpose: publishing is a handful of sequential
//! calls at the end of a run.

use super::context::Token;
use serde_json::Value;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use ureq::http::HeaderMap;

/// How hard to try before giving up on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries per request, the first included.
    pub attempts: u32,
    /// The wait after the first failure; doubled after each further one.
    pub first_delay: Duration,
    /// The longest wait a rate limit may impose; a longer one fails the request instead of
    /// stalling the CI job.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            first_delay: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// Why a request failed, after retries. The message never contains the token.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{method} {path}: HTTP {status}: {message}")]
    Status {
        method: &'static str,
        path: String,
        status: u16,
        message: String,
    },
    #[error("{method} {path}: {message}")]
    Transport {
        method: &'static str,
        path: String,
        message: String,
    },
    /// The request succeeded but the reply lacks what the next request needs.
    #[error("{method} {path}: the reply {message}")]
    Reply {
        method: &'static str,
        path: String,
        message: String,
    },
    #[error("{method} {path}: rate limited for {}s, longer than the {}s we wait; try again later", wait.as_secs(), max.as_secs())]
    RateLimited {
        method: &'static str,
        path: String,
        wait: Duration,
        max: Duration,
    },
}

impl ApiError {
    /// A 403 that is not a rate limit: the token lacks a permission (e.g. a fork's
    /// read-only token).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ApiError::Status { status: 403, .. })
    }
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Get,
    Post,
    Patch,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// A response that arrived: status, headers and the whole body.
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: String,
}

type Sleeper = Box<dyn Fn(Duration) + Send + Sync>;

pub struct Client {
    agent: ureq::Agent,
    /// API root without a trailing slash, e.g. `https://api.github.com`.
    base: String,
    token: Token,
    retry: RetryPolicy,
    sleep: Sleeper,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &self.token)
            .field("retry", &self.retry)
            .finish()
    }
}

/// The most pages we follow: 100 pages of 100 comments is far beyond any real PR.
const MAX_PAGES: usize = 100;

impl Client {
    pub fn new(api_url: &str, token: Token) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent(concat!("schemagate/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Client {
            agent,
            base: api_url.trim_end_matches('/').to_string(),
            token,
            retry: RetryPolicy::default(),
            sleep: Box::new(std::thread::sleep),
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Client {
        self.retry = retry;
        self
    }

    /// Replaces the wait between retries (tests record the waits instead of sleeping).
    pub fn with_sleeper(mut self, sleep: impl Fn(Duration) + Send + Sync + 'static) -> Client {
        self.sleep = Box::new(sleep);
        self
    }

    /// Every item of a paginated list, following `Link: <…>; rel="next"` to the end.
    pub fn get_all(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        let mut items = Vec::new();
        let mut url = format!("{}{path}", self.base);
        for _ in 0..MAX_PAGES {
            let reply = self.request(Method::Get, &url, None)?;
            match parse_json(Method::Get, path, &reply.body)? {
                Value::Array(page) => items.extend(page),
                _ => return Err(unexpected(Method::Get, path, "expected a JSON array")),
            }
            match next_link(&reply.headers) {
                // Never send the token to another host than the API's.
                Some(next) if same_origin(&next, &self.base) => url = next,
                Some(next) => {
                    return Err(unexpected(
                        Method::Get,
                        path,
                        &format!("the next page {next} is not on {}", self.base),
                    ))
                }
                None => return Ok(items),
            }
        }
        Ok(items)
    }

    pub fn post(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        let reply = self.request(Method::Post, &format!("{}{path}", self.base), Some(body))?;
        parse_json(Method::Post, path, &reply.body)
    }

    pub fn patch(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        let reply = self.request(Method::Patch, &format!("{}{path}", self.base), Some(body))?;
        parse_json(Method::Patch, path, &reply.body)
    }

    /// One request with retries: network errors and 5xx back off exponentially; rate limits
    /// wait what GitHub asks (`Retry-After`, `x-ratelimit-reset`) up to `max_wait`.
    fn request(&self, method: Method, url: &str, body: Option<&Value>) -> Result<Reply, ApiError> {
        let path = url.strip_prefix(&self.base).unwrap_or(url).to_string();
        let body = body.map(Value::to_string);
        let mut delay = self.retry.first_delay;
        let mut attempt = 1;
        loop {
            let last = attempt >= self.retry.attempts;
            attempt += 1;
            let reply = match self.send_once(method, url, body.as_deref()) {
                Ok(reply) => reply,
                Err(error) if last => {
                    return Err(ApiError::Transport {
                        method: method.as_str(),
                        path,
                        message: error.to_string(),
                    })
                }
                Err(_) => {
                    (self.sleep)(delay);
                    delay *= 2;
                    continue;
                }
            };
            if (200..300).contains(&reply.status) {
                return Ok(reply);
            }
            if let Some(wait) = rate_limit_wait(&reply, SystemTime::now()) {
                if wait > self.retry.max_wait || last {
                    return Err(ApiError::RateLimited {
                        method: method.as_str(),
                        path,
                        wait,
                        max: self.retry.max_wait,
                    });
                }
                (self.sleep)(wait);
                continue;
            }
            if reply.status >= 500 && !last {
                (self.sleep)(delay);
                delay *= 2;
                continue;
            }
            return Err(ApiError::Status {
                method: method.as_str(),
                path,
                status: reply.status,
                message: error_message(&reply.body),
            });
        }
    }

    /// The headers GitHub documents for every REST call.
    fn headers<B>(&self, builder: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        builder
            .header("Authorization", &format!("Bearer {}", self.token.expose()))
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
    }

    fn send_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
    ) -> Result<Reply, ureq::Error> {
        let response = match method {
            Method::Get => self.headers(self.agent.get(url)).call(),
            Method::Post => self.send_body(self.agent.post(url), body),
            Method::Patch => self.send_body(self.agent.patch(url), body),
        }?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().read_to_string()?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    fn send_body(
        &self,
        builder: ureq::RequestBuilder<ureq::typestate::WithBody>,
        body: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        self.headers(builder)
            .content_type("application/json")
            .send(body.unwrap_or("{}"))
    }
}

fn parse_json(method: Method, path: &str, body: &str) -> Result<Value, ApiError> {
    if body.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(body)
        .map_err(|error| unexpected(method, path, &format!("the response is not JSON: {error}")))
}

fn unexpected(method: Method, path: &str, message: &str) -> ApiError {
    ApiError::Transport {
        method: method.as_str(),
        path: path.to_string(),
        message: message.to_string(),
    }
}

/// GitHub's error body is `{"message": "…", "documentation_url": "…"}`.
fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The `rel="next"` URL of a `Link` header:
/// `<https://api.github.com/…&page=2>; rel="next", <…&page=5>; rel="last"`.
fn next_link(headers: &HeaderMap) -> Option<String> {
    header(headers, "link")?.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

fn same_origin(url: &str, base: &str) -> bool {
    origin(url).eq_ignore_ascii_case(origin(base))
}

/// How long a rate-limited reply asks us to wait, or `None` when it is not a rate limit.
/// Primary limits are 403/429 with `x-ratelimit-remaining: 0` (wait until
/// `x-ratelimit-reset`); secondary limits send `Retry-After`, or only say so in the message
/// (GitHub then asks for at least a minute).
fn rate_limit_wait(reply: &Reply, now: SystemTime) -> Option<Duration> {
    if reply.status != 403 && reply.status != 429 {
        return None;
    }
    if let Some(seconds) = header(&reply.headers, "retry-after").and_then(|v| v.parse().ok()) {
        return Some(Duration::from_secs(seconds));
    }
    if header(&reply.headers, "x-ratelimit-remaining") == Some("0") {
        let reset: u64 = header(&reply.headers, "x-ratelimit-reset")?.parse().ok()?;
        let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
        return Some(Duration::from_secs(reset.saturating_sub(now).max(1)));
    }
    if reply.status == 429
        || error_message(&reply.body)
            .to_lowercase()
            .contains("rate limit")
    {
        return Some(Duration::from_secs(60));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, headers: &[(&'static str, &str)], body: &str) -> Reply {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Reply {
            status,
            headers: map,
            body: body.to_string(),
        }
    }

    #[test]
    fn finds_the_next_link() {
        let r = reply(
            200,
            &[(
                "link",
                r#"<https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=1>; rel="prev", <https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=3>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=5>; rel="last""#,
            )],
            "[]",
        );
        assert_eq!(
            next_link(&r.headers).as_deref(),
            Some("https://api.github.com/repositories/1/issues/2/comments?per_page=100&page=3")
        );
        let last = reply(
            200,
            &[("link", r#"<https://x/a?page=1>; rel="first""#)],
            "[]",
        );
        assert_eq!(next_link(&last.headers), None);
    }

    #[test]
    fn origins() {
        assert!(same_origin(
            "https://ghe.example.com/api/v3/repos?page=2",
            "https://ghe.example.com/api/v3"
        ));
        assert!(!same_origin(
            "https://evil.example/api/v3",
            "https://ghe.example.com/api/v3"
        ));
        assert!(!same_origin("http://127.0.0.1:9/x", "http://127.0.0.1:8"));
    }

    #[test]
    fn rate_limit_waits() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let retry_after = reply(
            403,
            &[("retry-after", "7")],
            r#"{"message":"You have exceeded a secondary rate limit"}"#,
        );
        assert_eq!(
            rate_limit_wait(&retry_after, now),
            Some(Duration::from_secs(7))
        );
        let primary = reply(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1030"),
            ],
            r#"{"message":"API rate limit exceeded"}"#,
        );
        assert_eq!(
            rate_limit_wait(&primary, now),
            Some(Duration::from_secs(30))
        );
        let secondary = reply(
            403,
            &[],
            r#"{"message":"You have exceeded a secondary rate limit."}"#,
        );
        assert_eq!(
            rate_limit_wait(&secondary, now),
            Some(Duration::from_secs(60))
        );
        let forbidden = reply(
            403,
            &[("x-ratelimit-remaining", "4999")],
            r#"{"message":"Resource not accessible by integration"}"#,
        );
        assert_eq!(rate_limit_wait(&forbidden, now), None);
        assert_eq!(
            rate_limit_wait(&reply(500, &[("retry-after", "1")], ""), now),
            None
        );
    }
}
