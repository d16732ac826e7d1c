//! Real git repositories in temporary folders, committed to with a fixed identity: a base
//! branch `main` and a feature branch, for the tests of everything that compares with a
//! base.

use std::path::Path;
use std::process::Command;

/// Where the repositories keep their migrations.
pub const MIGRATIONS: &str = "supabase/migrations";

pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// An empty repository on `main`.
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q"]);
        repo
    }

    /// An empty repository with `files` committed on `main` and `feature` checked out.
    pub fn with_base(files: &[(&str, &str)]) -> Repo {
        Repo::new().base(files)
    }

    /// Commits the migrations `files` (and whatever else is in the folder) on `main`, then
    /// checks out a new branch `feature`.
    pub fn base(self, files: &[(&str, &str)]) -> Repo {
        for (name, text) in files {
            self.migration(name, text);
        }
        self.commit("base");
        self.git(&["checkout", "-q", "-b", "feature"]);
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository; panics with its error output when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Writes a file into the migrations folder.
    pub fn migration(&self, name: &str, text: &str) {
        self.write(&format!("{MIGRATIONS}/{name}"), text);
    }

    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path().join(relative)).unwrap();
    }

    pub fn exists(&self, relative: &str) -> bool {
        self.path().join(relative).exists()
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    /// Commits `files` on `main` (as another pull request merged meanwhile) and comes back
    /// to `feature`, which is then behind its base.
    pub fn land_on_main(&self, files: &[(&str, &str)]) {
        self.git(&["checkout", "-q", "main"]);
        for (name, text) in files {
            self.migration(name, text);
        }
        self.commit("main moved on");
        self.git(&["checkout", "-q", "feature"]);
    }
}

/// A branch that adds a column to `t` while its base renamed `t`: the branch's migration
/// applies from scratch but fails on top of the base, so the schema depends on the order.
pub fn branch_behind_a_rename() -> Repo {
    let repo = Repo::with_base(&[("20240101000000_t.sql", "create table t (a int);\n")]);
    repo.migration("20240102000000_b.sql", "alter table t add column b int;\n");
    repo.commit("feature: b");
    repo.land_on_main(&[(
        "20240103000000_rename.sql",
        "alter table t rename to things;\n",
    )]);
    repo
}

/// Runs git in `dir` with a fixed identity, ignoring the caller's git environment.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}
