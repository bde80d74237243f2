//! `dyndns-addrs --explain`: every address of every interface, with the
//! kernel's flags and lifetimes and the verdict, as a table for people or
//! JSON for scripts.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Explained, flags};

/// How `--explain` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns.
    #[default]
    Table,
    /// One JSON array of objects.
    Json,
}

/// One row, as JSON carries it.
#[derive(Serialize)]
struct Row<'a> {
    interface: &'a str,
    address: String,
    prefix_len: u8,
    scope: String,
    flags: Vec<&'static str>,
    /// Seconds left; `null`: forever.
    preferred: Option<u32>,
    /// Seconds left; `null`: forever.
    valid: Option<u32>,
    registered: bool,
    /// Why not, when not.
    reason: Option<&'static str>,
}

/// The scope's name, as `ip address` prints it (`RT_SCOPE_*`).
fn scope(scope: u8) -> String {
    match scope {
        0 => "global".into(),
        200 => "site".into(),
        253 => "link".into(),
        254 => "host".into(),
        255 => "nowhere".into(),
        other => other.to_string(),
    }
}

/// The flags' names, as `ip address` prints them.
fn flag_names(bits: u32) -> Vec<&'static str> {
    flags::NAMES
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

/// A lifetime: `forever`, or seconds left.
fn life(secs: Option<u32>) -> String {
    secs.map_or("forever".into(), |s| format!("{s}s"))
}

fn rows(explained: &[Explained]) -> Vec<Row<'_>> {
    explained
        .iter()
        .map(|e| Row {
            interface: &e.kernel.interface,
            address: e.kernel.addr.to_string(),
            prefix_len: e.kernel.prefix_len,
            scope: scope(e.kernel.scope),
            flags: flag_names(e.kernel.flags),
            preferred: e.kernel.preferred,
            valid: e.kernel.valid,
            registered: e.reason.is_none(),
            reason: e.reason.map(|r| r.as_str()),
        })
        .collect()
}

/// `explained` in `format`, ending in a newline.
pub fn render(explained: &[Explained], format: Format) -> String {
    let rows = rows(explained);
    if format == Format::Json {
        // Serialising strings, numbers and lists cannot fail.
        return serde_json::to_string(&rows).unwrap_or_default() + "\n";
    }
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                crate::util::describe::printable(r.interface),
                format!("{}/{}", r.address, r.prefix_len),
                r.scope.clone(),
                if r.flags.is_empty() {
                    "-".into()
                } else {
                    r.flags.join(",")
                },
                life(r.preferred),
                life(r.valid),
                match r.reason {
                    None => "registered".into(),
                    Some(why) => format!("left out: {why}"),
                },
            ]
        })
        .collect();
    let header = [
        "INTERFACE",
        "ADDRESS",
        "SCOPE",
        "FLAGS",
        "PREFERRED",
        "VALID",
        "VERDICT",
    ];
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<w$}  ");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &cells {
        line(&row.each_ref().map(String::as_str));
    }
    out
}
