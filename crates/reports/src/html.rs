//! The pack as one standalone HTML file: styles and charts inside, printable, readable
//! without JavaScript, every judgement in words and a symbol as well as colour.

use askama::Template;

use crate::pack::Pack;

#[derive(Template)]
#[template(path = "pack.html")]
struct PackPage<'a> {
    pack: &'a Pack,
    styles: &'static str,
}

/// The pack's HTML.
pub(crate) fn pack(pack: &Pack) -> Result<String, askama::Error> {
    PackPage {
        pack,
        styles: include_str!("../templates/pack.css"),
    }
    .render()
}
