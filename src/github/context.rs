//! Where we run on GitHub: the repository, the pull request and the files Actions gives a
//! step, read from the environment once. The environment arrives as a map so tests never
//! touch the process environment.

use crate::Failure;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The API token. Its `Debug` and `Display` never show the value, so no log line, error
/// message or `{:?}` of a struct holding it can leak it; [`Token::expose`] is the one way out
/// and only the HTTP client calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(value: impl Into<String>) -> Token {
        Token(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl FromStr for Token {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Token, Self::Err> {
        Ok(Token::new(value.trim()))
    }
}

/// `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub owner: String,
    pub name: String,
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// The pull request the workflow runs for, from the event payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    /// The PR's head commit: check runs go here (on PR events `GITHUB_SHA` is a merge commit,
    /// and a check run on it never shows on the PR).
    pub head_sha: String,
    pub base_sha: String,
    /// The head branch lives in another repository (or a deleted one): the workflow's token
    /// is then normally read-only.
    pub fork: bool,
}

/// Everything publishing needs to know about the run.
#[derive(Debug, Clone)]
pub struct Context {
    /// `GITHUB_ACTIONS=true`.
    pub in_actions: bool,
    pub event_name: Option<String>,
    pub repository: Option<Repository>,
    /// REST API root without a trailing slash (`GITHUB_API_URL`; GitHub Enterprise Server
    /// sets `https://host/api/v3`).
    pub api_url: String,
    /// Web root (`GITHUB_SERVER_URL`), for links to the run.
    pub server_url: String,
    pub run_id: Option<String>,
    /// `GITHUB_SHA`: the commit checks go to when there is no pull request.
    pub sha: Option<String>,
    pub workspace: Option<PathBuf>,
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub pull_request: Option<PullRequest>,
    /// The base commit the event names (see [`Event::base_sha`]).
    pub base_sha: Option<String>,
    pub token: Option<Token>,
}

impl Context {
    /// Reads the context from `env`. `token_flag` (from `--github-token`) wins over the
    /// action input `github-token`, which wins over `GITHUB_TOKEN`; empty values count as
    /// absent (Actions passes unset inputs as empty strings).
    pub fn from_env(
        env: &HashMap<String, String>,
        token_flag: Option<Token>,
    ) -> Result<Context, Failure> {
        let get = |name: &str| {
            env.get(name)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let token = token_flag
            .filter(|t| !t.expose().is_empty())
            .or_else(|| super::action::input(env, "github-token").map(Token::new))
            .or_else(|| get("GITHUB_TOKEN").map(Token::new));
        let repository = match get("GITHUB_REPOSITORY") {
            Some(full) => Some(parse_repository(&full).ok_or_else(|| {
                Failure::Environment(format!(
                    "GITHUB_REPOSITORY is {full:?}, expected owner/name; unset it or fix it"
                ))
            })?),
            None => None,
        };
        let event = match get("GITHUB_EVENT_PATH") {
            Some(path) => read_event(Path::new(&path))?,
            None => Event::default(),
        };
        Ok(Context {
            in_actions: get("GITHUB_ACTIONS").as_deref() == Some("true"),
            event_name: get("GITHUB_EVENT_NAME"),
            repository,
            api_url: trim_slash(get("GITHUB_API_URL"), "https://api.github.com"),
            server_url: trim_slash(get("GITHUB_SERVER_URL"), "https://github.com"),
            run_id: get("GITHUB_RUN_ID"),
            sha: get("GITHUB_SHA"),
            workspace: get("GITHUB_WORKSPACE").map(PathBuf::from),
            step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: get("GITHUB_OUTPUT").map(PathBuf::from),
            pull_request: event.pull_request,
            base_sha: event.base_sha,
            token,
        })
    }

    /// [`Context::from_env`] over the process environment.
    pub fn from_process_env(token_flag: Option<Token>) -> Result<Context, Failure> {
        Context::from_env(&process_env(), token_flag)
    }

    /// The commit a check run belongs on: the PR head, else `GITHUB_SHA`.
    pub fn head_sha(&self) -> Option<&str> {
        match &self.pull_request {
            Some(pr) => Some(&pr.head_sha),
            None => self.sha.as_deref(),
        }
    }

    /// A link to this workflow run, when the run is known.
    pub fn run_url(&self) -> Option<String> {
        Some(format!(
            "{}/{}/actions/runs/{}",
            self.server_url,
            self.repository.as_ref()?,
            self.run_id.as_ref()?
        ))
    }
}

/// The process environment as a map (variables that are not UTF-8 are skipped).
pub fn process_env() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

fn trim_slash(value: Option<String>, default: &str) -> String {
    value
        .as_deref()
        .unwrap_or(default)
        .trim_end_matches('/')
        .to_string()
}

fn parse_repository(full: &str) -> Option<Repository> {
    let (owner, name) = full.split_once('/')?;
    let valid = |s: &str| !s.is_empty() && !s.contains('/');
    (valid(owner) && valid(name)).then(|| Repository {
        owner: owner.to_string(),
        name: name.to_string(),
    })
}

/// What the event payload (`GITHUB_EVENT_PATH`) says. The one reader of it: publishing,
/// the action's inputs and the history's base all go through [`read_event`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// `None` for events without one (push, schedule, merge queue).
    pub pull_request: Option<PullRequest>,
    /// The commit to compare with: `pull_request.base.sha`, or `merge_group.base_sha` in a
    /// merge queue. `None` for other events (a push has no base).
    pub base_sha: Option<String>,
}

/// The base commit of the event that started the workflow, only inside GitHub Actions.
/// An unreadable or malformed payload is an error: silently comparing with no base would
/// skip the history checks and could pass a gate that should fail.
pub fn event_base(env: &HashMap<String, String>) -> Result<Option<String>, Failure> {
    if env.get("GITHUB_ACTIONS").map(|v| v.trim()) != Some("true") {
        return Ok(None);
    }
    match env.get("GITHUB_EVENT_PATH").map(|p| p.trim()) {
        Some(path) if !path.is_empty() => Ok(read_event(Path::new(path))?.base_sha),
        _ => Ok(None),
    }
}

/// Reads the event payload at `path`.
pub fn read_event(path: &Path) -> Result<Event, Failure> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        Failure::Environment(format!(
            "cannot read the event payload {} (GITHUB_EVENT_PATH): {error}; \
             unset GITHUB_EVENT_PATH or pass --base",
            path.display()
        ))
    })?;
    let event: Value = serde_json::from_str(&text).map_err(|error| {
        Failure::Environment(format!(
            "the event payload {} (GITHUB_EVENT_PATH) is not JSON: {error}; \
             unset GITHUB_EVENT_PATH or pass --base",
            path.display()
        ))
    })?;
    let pull_request = read_pull_request(&event, path)?;
    let base_sha = match &pull_request {
        Some(pr) => Some(pr.base_sha.clone()),
        None => match event.get("merge_group") {
            Some(group) => Some(
                group["base_sha"]
                    .as_str()
                    .map(str::trim)
                    .filter(|sha| !sha.is_empty())
                    .ok_or_else(|| {
                        Failure::Environment(format!(
                            "the merge group in {} lacks base_sha; pass --base",
                            path.display()
                        ))
                    })?
                    .to_string(),
            ),
            None => None,
        },
    };
    Ok(Event {
        pull_request,
        base_sha,
    })
}

/// The pull request in the event, or `None` for events without one.
fn read_pull_request(event: &Value, path: &Path) -> Result<Option<PullRequest>, Failure> {
    let Some(pr) = event.get("pull_request").filter(|v| v.is_object()) else {
        return Ok(None);
    };
    let sha = |side: &str| {
        pr[side]["sha"]
            .as_str()
            .map(str::trim)
            .filter(|sha| !sha.is_empty())
            .map(str::to_string)
    };
    let number = pr["number"].as_u64().or_else(|| event["number"].as_u64());
    let (Some(number), Some(head_sha), Some(base_sha)) = (number, sha("head"), sha("base")) else {
        return Err(Failure::Environment(format!(
            "the pull request in {} lacks number, head.sha or base.sha",
            path.display()
        )));
    };
    let repo_name = |side: &str| pr[side]["repo"]["full_name"].as_str();
    let fork = match (repo_name("head"), repo_name("base")) {
        (Some(head), Some(base)) => !head.eq_ignore_ascii_case(base),
        // A deleted head repository is a fork that no longer exists.
        _ => true,
    };
    Ok(Some(PullRequest {
        number,
        head_sha,
        base_sha,
        fork,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn event_file(json: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), json).unwrap();
        file
    }

    const PR_EVENT: &str = r#"{
      "action": "synchronize",
      "number": 42,
      "pull_request": {
        "number": 42,
        "head": {"sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
                 "repo": {"full_name": "contributor/app"}},
        "base": {"sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b",
                 "repo": {"full_name": "octo/app"}}
      }
    }"#;

    #[test]
    fn reads_pull_request_and_fork() {
        let event = event_file(PR_EVENT);
        let ctx = Context::from_env(
            &env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_EVENT_PATH", event.path().to_str().unwrap()),
                ("GITHUB_REPOSITORY", "octo/app"),
                ("GITHUB_SHA", "ffffffffffffffffffffffffffffffffffffffff"),
                ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
                ("GITHUB_RUN_ID", "77"),
            ]),
            None,
        )
        .unwrap();
        assert!(ctx.in_actions);
        let pr = ctx.pull_request.clone().unwrap();
        assert_eq!(pr.number, 42);
        assert!(pr.fork);
        assert_eq!(pr.base_sha, "9049f1265b7d61be4a8904a9a27120d2064dab3b");
        assert_eq!(
            ctx.head_sha(),
            Some("6dcb09b5b57875f334f61aebed695e2e4193db5e")
        );
        assert_eq!(ctx.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(
            ctx.run_url().as_deref(),
            Some("https://github.com/octo/app/actions/runs/77")
        );
    }

    #[test]
    fn same_repository_is_not_a_fork_and_push_has_no_pr() {
        let same = event_file(&PR_EVENT.replace("contributor/app", "Octo/App"));
        let ctx = Context::from_env(
            &env(&[("GITHUB_EVENT_PATH", same.path().to_str().unwrap())]),
            None,
        )
        .unwrap();
        assert!(!ctx.pull_request.unwrap().fork);

        let push = event_file(r#"{"ref": "refs/heads/main", "after": "abc"}"#);
        let ctx = Context::from_env(
            &env(&[
                ("GITHUB_EVENT_PATH", push.path().to_str().unwrap()),
                ("GITHUB_SHA", "abc"),
            ]),
            None,
        )
        .unwrap();
        assert!(ctx.pull_request.is_none());
        assert_eq!(ctx.head_sha(), Some("abc"));
        assert_eq!(ctx.api_url, "https://api.github.com");
    }

    #[test]
    fn bad_payload_and_repository_are_environment_errors() {
        let junk = event_file("not json");
        let error = Context::from_env(
            &env(&[("GITHUB_EVENT_PATH", junk.path().to_str().unwrap())]),
            None,
        )
        .unwrap_err();
        assert!(error.to_string().contains("not JSON"), "{error}");
        let error = Context::from_env(&env(&[("GITHUB_REPOSITORY", "nope")]), None).unwrap_err();
        assert_eq!(error.exit_code(), 3);
    }

    #[test]
    fn merge_queue_base_and_broken_payloads() {
        let group = event_file(
            r#"{"action": "checks_requested",
                "merge_group": {"head_sha": "aaaa", "base_sha": "bbbb", "base_ref": "refs/heads/main"}}"#,
        );
        let path = group.path().to_str().unwrap();
        let ctx = Context::from_env(&env(&[("GITHUB_EVENT_PATH", path)]), None).unwrap();
        assert!(ctx.pull_request.is_none());
        assert_eq!(ctx.base_sha.as_deref(), Some("bbbb"));
        let actions = |path: &str| env(&[("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_PATH", path)]);
        assert_eq!(event_base(&actions(path)).unwrap().as_deref(), Some("bbbb"));
        assert_eq!(
            event_base(&env(&[("GITHUB_EVENT_PATH", path)])).unwrap(),
            None,
            "outside Actions the payload is not read"
        );

        let pr = event_file(PR_EVENT);
        assert_eq!(
            event_base(&actions(pr.path().to_str().unwrap()))
                .unwrap()
                .as_deref(),
            Some("9049f1265b7d61be4a8904a9a27120d2064dab3b")
        );
        let push = event_file(r#"{"ref": "refs/heads/main"}"#);
        assert_eq!(
            event_base(&actions(push.path().to_str().unwrap())).unwrap(),
            None
        );

        let junk = event_file("{not json");
        let missing = tempfile::tempdir().unwrap().path().join("event.json");
        let no_base = event_file(r#"{"merge_group": {"head_sha": "aaaa"}}"#);
        for (path, says) in [
            (junk.path().to_path_buf(), "not JSON"),
            (missing, "cannot read the event payload"),
            (no_base.path().to_path_buf(), "lacks base_sha"),
        ] {
            let error = event_base(&actions(path.to_str().unwrap())).unwrap_err();
            assert_eq!(error.exit_code(), 3);
            assert!(error.to_string().contains(says), "{error}");
        }
    }

    #[test]
    fn token_precedence_and_redaction() {
        let vars = env(&[
            ("GITHUB_TOKEN", "ghs_fromenv"),
            ("INPUT_GITHUB-TOKEN", "ghs_frominput"),
        ]);
        let ctx = Context::from_env(&vars, None).unwrap();
        assert_eq!(ctx.token.as_ref().unwrap().expose(), "ghs_frominput");
        let ctx = Context::from_env(&vars, Some(Token::new("ghs_flag"))).unwrap();
        assert_eq!(ctx.token.as_ref().unwrap().expose(), "ghs_flag");
        let ctx = Context::from_env(
            &env(&[("INPUT_GITHUB-TOKEN", " "), ("GITHUB_TOKEN", "ghs_fromenv")]),
            None,
        )
        .unwrap();
        assert_eq!(ctx.token.as_ref().unwrap().expose(), "ghs_fromenv");

        let shown = format!("{ctx:?} {}", ctx.token.as_ref().unwrap());
        assert!(!shown.contains("ghs_"), "{shown}");
        assert!(shown.contains("Token(***)"));
    }
}
