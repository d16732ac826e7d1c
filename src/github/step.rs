//! What a step hands back to the runner through files: the job summary
//! (`GITHUB_STEP_SUMMARY`) and step outputs (`GITHUB_OUTPUT`).

use std::collections::hash_map::RandomState;
use std::fs::OpenOptions;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::Path;

/// GitHub rejects a step summary over 1 MiB; stay under it.
const MAX_SUMMARY: usize = 1024 * 1024 - 1024;

/// Appends `markdown` to the job summary file.
pub fn append_summary(file: &Path, markdown: &str) -> std::io::Result<()> {
    let text = super::truncate(markdown, MAX_SUMMARY, "\n\n… (summary truncated)\n");
    append(file, &format!("{text}\n"))
}

/// Appends `name=value` outputs in the multiline-safe form
/// `name<<DELIMITER\nvalue\nDELIMITER`, with a random delimiter no value contains, so a
/// value can never end early and inject other outputs.
pub fn append_outputs(file: &Path, outputs: &[(&str, String)]) -> std::io::Result<()> {
    let mut text = String::new();
    for (name, value) in outputs {
        let delimiter = loop {
            let candidate = random_delimiter();
            if !value.contains(&candidate) {
                break candidate;
            }
        };
        text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    append(file, &text)
}

fn append(file: &Path, text: &str) -> std::io::Result<()> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?
        .write_all(text.as_bytes())
}

/// 128 random bits from the standard library's randomly keyed hasher (no extra crate).
fn random_delimiter() -> String {
    let half = || {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(std::process::id().into());
        hasher.finish()
    };
    format!("ghadelimiter_{:016x}{:016x}", half(), half())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses an outputs file the way the runner does.
    fn parse(text: &str) -> Vec<(String, String)> {
        let mut lines = text.lines();
        let mut out = Vec::new();
        while let Some(line) = lines.next() {
            let (name, delimiter) = line.split_once("<<").unwrap();
            let mut value = Vec::new();
            for line in lines.by_ref() {
                if line == delimiter {
                    break;
                }
                value.push(line);
            }
            out.push((name.to_string(), value.join("\n")));
        }
        out
    }

    #[test]
    fn outputs_survive_newlines_and_injection() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("output");
        let evil = "a\nconclusion=success\nEOF".to_string();
        append_outputs(
            &file,
            &[
                ("conclusion", "failure".into()),
                ("report-html", evil.clone()),
            ],
        )
        .unwrap();
        append_outputs(&file, &[("errors", "3".into())]).unwrap();
        let parsed = parse(&std::fs::read_to_string(&file).unwrap());
        assert_eq!(
            parsed,
            vec![
                ("conclusion".into(), "failure".into()),
                ("report-html".into(), evil),
                ("errors".into(), "3".into()),
            ]
        );
        assert_ne!(random_delimiter(), random_delimiter());
    }

    #[test]
    fn summary_is_appended() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("summary");
        std::fs::write(&file, "# earlier step\n").unwrap();
        append_summary(&file, "## schemagate").unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "# earlier step\n## schemagate\n"
        );
    }
}
