//! `--format html`: one self-contained page (inline CSS and script, nothing fetched) that
//! opens from a downloaded CI artifact. Handlebars escapes every value; the only raw
//! insertion is our own filter script, which a Content-Security-Policy hash pins so no
//! other script can run even if something slipped through.

use super::view::View;
use base64::Engine;
use handlebars::Handlebars;
use serde::Serialize;
use sha2::{Digest, Sha256};

const TEMPLATE: &str = include_str!("../../templates/report.html.hbs");
const SCRIPT: &str = include_str!("../../templates/report.js");

#[derive(Serialize)]
struct Page<'a> {
    view: &'a View,
    script: &'static str,
    /// `sha256-…` of the script, for the Content-Security-Policy.
    script_hash: String,
}

pub fn render(view: &View) -> String {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_helper("segments", Box::new(super::view::segments_helper));
    let digest = Sha256::digest(SCRIPT.as_bytes());
    let page = Page {
        view,
        script: SCRIPT,
        script_hash: format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ),
    };
    registry
        .render_template(TEMPLATE, &page)
        .expect("the embedded HTML template renders plain data")
}
