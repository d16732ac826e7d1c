//! `--format junit`: JUnit XML for CI systems that show test reports (GitLab, Jenkins,
//! Azure). One test suite per migrations folder, one test case per migration file. A
//! finding that fails the gate is a `<failure>`; other new findings go to the case's
//! `<system-out>`, so the test report agrees with the gate's verdict.

use super::escape::{xml, xml_attribute};
use super::Report;
use crate::findings::{Finding, Status};
use std::fmt::Write;

struct Case<'a> {
    name: String,
    failures: Vec<&'a Finding>,
    notes: Vec<&'a Finding>,
}

fn describe(finding: &Finding) -> String {
    let mut text = String::new();
    if let Some(l) = &finding.location {
        let _ = write!(text, "{}:{}:{}: ", l.file, l.line, l.column);
    }
    let _ = write!(
        text,
        "{} [{}] {}",
        finding.severity, finding.rule, finding.message
    );
    if let Some(help) = &finding.help {
        let _ = write!(text, "\nhelp: {help}");
    }
    text
}

/// The (suite, case) indexes of the case for `name`, added to the first suite when no
/// suite has it (files the layout did not load, findings about no file at all).
fn case_for(suites: &mut Vec<(String, Vec<Case<'_>>)>, name: &str) -> (usize, usize) {
    for (s, (_, cases)) in suites.iter().enumerate() {
        if let Some(c) = cases.iter().position(|c| c.name == name) {
            return (s, c);
        }
    }
    if suites.is_empty() {
        suites.push(("schemagate".to_string(), Vec::new()));
    }
    suites[0].1.push(Case {
        name: name.to_string(),
        failures: Vec::new(),
        notes: Vec::new(),
    });
    (0, suites[0].1.len() - 1)
}

pub fn render(report: &Report<'_>) -> String {
    let mut suites: Vec<(String, Vec<Case<'_>>)> = report
        .sets
        .iter()
        .map(|set| {
            let cases = set
                .migrations
                .iter()
                .map(|m| Case {
                    name: m.path.clone(),
                    failures: Vec::new(),
                    notes: Vec::new(),
                })
                .collect();
            (crate::migrations::display_path(&set.root), cases)
        })
        .collect();
    for finding in report.findings.iter().filter(|f| f.status == Status::New) {
        let name = finding
            .location
            .as_ref()
            .map_or("(no file)", |l| l.file.as_str());
        let (suite, case) = case_for(&mut suites, name);
        let case = &mut suites[suite].1[case];
        if finding.fails_gate(report.fail_on, report.fail_on_existing) {
            case.failures.push(finding);
        } else {
            case.notes.push(finding);
        }
    }
    let count = |cases: &[Case<'_>]| {
        (
            cases.len(),
            cases.iter().filter(|c| !c.failures.is_empty()).count(),
        )
    };
    let (tests, failures) = suites.iter().fold((0, 0), |(t, f), (_, cases)| {
        let (ct, cf) = count(cases);
        (t + ct, f + cf)
    });
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"schemagate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    for (folder, cases) in &suites {
        let (tests, failures) = count(cases);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
            xml_attribute(folder)
        );
        for case in cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml_attribute(&case.name),
                xml_attribute(folder)
            );
            if case.failures.is_empty() && case.notes.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for finding in &case.failures {
                let _ = writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    xml_attribute(&finding.rule),
                    xml_attribute(&finding.message),
                    xml(&describe(finding))
                );
            }
            if !case.notes.is_empty() {
                let notes: Vec<String> = case.notes.iter().map(|f| describe(f)).collect();
                let _ = writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    xml(&notes.join("\n"))
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
