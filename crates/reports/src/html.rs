//! The pack as one standalone HTML file: styles and charts inside, printable, readable
//! without JavaScript, every judgement in words and a symbol as well as colour.

use askama::Template;

use crate::pack::Pack;

#[derive(Template)]
#[template(path = "pack.html")]
struct PackPage<'a> {
    pack: &'a Pack,
    styles: &'static str,
    comparison_headings: [&'static str; 6],
    trend_headings: [&'static str; 4],
}

/// The pack's HTML.
pub(crate) fn pack(pack: &Pack) -> Result<String, askama::Error> {
    PackPage {
        pack,
        styles: include_str!("../templates/pack.css"),
        comparison_headings: crate::pack::COMPARISON_HEADINGS,
        trend_headings: crate::pack::TREND_HEADINGS,
    }
    .render()
}
