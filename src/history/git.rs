//! The little of git that the base comparison needs, run as the `git` binary with argument
//! lists (never a shell). Reads objects only: the working tree and the index are untouched.

use crate::Failure;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A clone, addressed by its top-level folder.
#[derive(Debug, Clone)]
pub struct Repo {
    pub toplevel: PathBuf,
}

/// A commit id shortened for messages: its first 12 characters, as `git log --oneline`
/// shows it in large repositories.
pub fn short_commit(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

#[cfg(test)]
#[test]
fn short_commits() {
    assert_eq!(
        short_commit("9049f1265b7d61be4a8904a9a27120d2064dab3b"),
        "9049f1265b7d"
    );
    assert_eq!(short_commit("abc"), "abc");
}

/// Paths of one folder in a commit, relative to that folder (`/`-separated), with blob ids.
pub type TreeListing = BTreeMap<String, String>;

impl Repo {
    /// The clone that contains `dir`.
    pub fn discover(dir: &Path) -> Result<Repo, Failure> {
        let output = git_in(dir, &["rev-parse", "--show-toplevel"])?;
        if !output.status.success() {
            return Err(Failure::Environment(format!(
                "{} is not inside a git repository, so it cannot be compared with a base \
                 branch; run schemagate in the clone, or drop --base",
                dir.display()
            )));
        }
        let toplevel = String::from_utf8_lossy(&output.stdout).trim().to_string();
        Ok(Repo {
            toplevel: PathBuf::from(toplevel),
        })
    }

    /// `dir` relative to the top level, `/`-separated ("" for the top level itself).
    pub fn relative(&self, dir: &Path) -> Result<String, Failure> {
        // The parent of a one-part relative path (`migrations`) is the empty path: here.
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let absolute = dir.canonicalize().map_err(|error| {
            Failure::Usage(format!("cannot resolve {}: {error}", dir.display()))
        })?;
        let top = self
            .toplevel
            .canonicalize()
            .unwrap_or_else(|_| self.toplevel.clone());
        let relative = absolute.strip_prefix(&top).map_err(|_| {
            Failure::Environment(format!(
                "{} is outside the repository at {}",
                dir.display(),
                top.display()
            ))
        })?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Ok(parts.join("/"))
    }

    /// The commit id `reference` names. A reference this clone lacks is an environment
    /// error that says how to fetch it.
    pub fn resolve_commit(&self, reference: &str) -> Result<String, Failure> {
        let spec = format!("{reference}^{{commit}}");
        let output = self.git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ])?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).trim().to_string());
        }
        let shallow = self
            .git(&["rev-parse", "--is-shallow-repository"])
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "true")
            .unwrap_or(false);
        let fetch = reference.strip_prefix("origin/").unwrap_or(reference);
        Err(Failure::Environment(format!(
            "the base `{reference}` is not in this clone{}, so the migrations cannot be compared \
             with it. Fetch it first: in GitHub Actions set `fetch-depth: 0` under `with:` of \
             the actions/checkout step, or run `git fetch origin {fetch}` before schemagate",
            if shallow { " (a shallow clone)" } else { "" }
        )))
    }

    /// The best common ancestor of two commits, if the clone has one.
    pub fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        let output = self.git(&["merge-base", a, b]).ok()?;
        let id = String::from_utf8_lossy(&output.stdout).trim().to_string();
        (output.status.success() && !id.is_empty()).then_some(id)
    }

    /// The files under `folder` (repository-relative) in `commit`, with their blob ids.
    pub fn list_tree(&self, commit: &str, folder: &str) -> Result<TreeListing, Failure> {
        let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", commit];
        if !folder.is_empty() {
            args.extend(["--", folder]);
        }
        let output = self.checked(&args)?;
        let prefix = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let mut files = TreeListing::new();
        for record in output.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            // `<mode> <type> <id>\t<path>`
            let record = String::from_utf8_lossy(record);
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let mut fields = meta.split(' ');
            let (Some(_mode), Some("blob"), Some(id)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if let Some(relative) = path.strip_prefix(&prefix) {
                files.insert(relative.to_string(), id.to_string());
            }
        }
        Ok(files)
    }

    /// The contents of blobs, by id, read by one `git cat-file --batch`.
    pub fn read_blobs<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a String>,
    ) -> Result<HashMap<String, Vec<u8>>, Failure> {
        let mut wanted: Vec<&String> = ids.into_iter().collect();
        wanted.sort();
        wanted.dedup();
        let mut blobs = HashMap::new();
        if wanted.is_empty() {
            return Ok(blobs);
        }
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.toplevel)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(git_missing)?;
        let input: String = wanted.iter().map(|id| format!("{id}\n")).collect();
        let mut stdin = child.stdin.take().ok_or_else(|| broken("cat-file"))?;
        // Written from another thread: git answers while we write, and both pipes are bounded.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let mut reader = BufReader::new(child.stdout.take().ok_or_else(|| broken("cat-file"))?);
        for id in &wanted {
            let mut header = String::new();
            reader
                .read_line(&mut header)
                .map_err(|_| broken("cat-file"))?;
            let size: usize = match header.split(' ').collect::<Vec<_>>().as_slice() {
                [_, "blob", size] => size.trim().parse().map_err(|_| broken("cat-file"))?,
                _ => return Err(broken("cat-file")),
            };
            let mut content = vec![0; size + 1];
            reader
                .read_exact(&mut content)
                .map_err(|_| broken("cat-file"))?;
            content.pop();
            blobs.insert((*id).clone(), content);
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(blobs)
    }

    fn git(&self, args: &[&str]) -> Result<Output, Failure> {
        git_in(&self.toplevel, args)
    }

    fn checked(&self, args: &[&str]) -> Result<Output, Failure> {
        let output = self.git(args)?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(Failure::Environment(format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )))
        }
    }
}

fn git_in(dir: &Path, args: &[&str]) -> Result<Output, Failure> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .arg("--literal-pathspecs")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(git_missing)
}

fn git_missing(error: std::io::Error) -> Failure {
    Failure::Environment(format!(
        "cannot run `git` ({error}); comparing with a base branch needs git on PATH: install it, or drop --base"
    ))
}

fn broken(what: &str) -> Failure {
    Failure::Environment(format!(
        "`git {what}` answered in an unexpected way; check that the clone is intact (`git fsck`)"
    ))
}
