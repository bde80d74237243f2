//! A TXT record's RDATA in presentation format (RFC 1035 §5.1): each
//! character-string quoted, `"` and `\` escaped, and every octet outside
//! printable ASCII as `\DDD`, so that the text names the octets exactly.
//! `dyndns-reap` lists a name's TXT set so and sends it back as a
//! value-dependent prerequisite (RFC 2136 §2.4.2), which must match the
//! server's set octet for octet; hickory's `Display` for TXT is lossy (it
//! decodes UTF-8) and its zone-file lexer reads `\DDD` as a character, not
//! an octet. nsupdate reads this form as it is.

use std::fmt::Write as _;

use hickory_proto::rr::rdata::TXT;

/// The RDATA as text: `"first string" "second"`.
pub fn to_text(txt: &TXT) -> String {
    let mut out = String::new();
    for (i, string) in txt.txt_data.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push('"');
        for &octet in string.iter() {
            match octet {
                b'"' | b'\\' => {
                    out.push('\\');
                    out.push(char::from(octet));
                }
                0x20..=0x7e => out.push(char::from(octet)),
                _ => {
                    let _ = write!(out, "\\{octet:03}");
                }
            }
        }
        out.push('"');
    }
    out
}

/// Why a text is not a TXT RDATA in the form [`to_text`] writes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not TXT data: quoted strings, with \\\" \\\\ and \\DDD escapes")]
pub struct BadTxt(pub String);

/// Reads what [`to_text`] writes: one or more quoted strings, separated by
/// spaces.
pub fn from_text(text: &str) -> Result<TXT, BadTxt> {
    let bad = || BadTxt(crate::util::describe::printable(text));
    let mut strings: Vec<Vec<u8>> = Vec::new();
    let mut rest = text.trim().as_bytes();
    while !rest.is_empty() {
        let [b'"', tail @ ..] = rest else {
            return Err(bad());
        };
        rest = tail;
        let mut string = Vec::new();
        loop {
            match rest {
                [b'"', tail @ ..] => {
                    rest = tail;
                    break;
                }
                [
                    b'\\',
                    d1 @ b'0'..=b'9',
                    d2 @ b'0'..=b'9',
                    d3 @ b'0'..=b'9',
                    tail @ ..,
                ] => {
                    let value = u32::from(d1 - b'0') * 100
                        + u32::from(d2 - b'0') * 10
                        + u32::from(d3 - b'0');
                    string.push(u8::try_from(value).map_err(|_| bad())?);
                    rest = tail;
                }
                [b'\\', octet, tail @ ..] if !octet.is_ascii_digit() => {
                    string.push(*octet);
                    rest = tail;
                }
                [octet, tail @ ..] if *octet != b'\\' => {
                    string.push(*octet);
                    rest = tail;
                }
                _ => return Err(bad()),
            }
        }
        if string.len() > 255 {
            return Err(bad());
        }
        strings.push(string);
        rest = trim_start(rest);
    }
    if strings.is_empty() {
        return Err(bad());
    }
    Ok(TXT::from_bytes(strings.iter().map(Vec::as_slice).collect()))
}

/// `octets` without the spaces it starts with.
fn trim_start(mut octets: &[u8]) -> &[u8] {
    while let [b' ', tail @ ..] = octets {
        octets = tail;
    }
    octets
}

/// The record's text when it is one character-string of UTF-8 (as a lease
/// marker is), else `None`.
pub fn single(txt: &TXT) -> Option<&str> {
    match &*txt.txt_data {
        [one] => std::str::from_utf8(one).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_octet_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        for strings in [
            vec![&b"dyndns-lease expires=2026-12-05T13:00:00Z"[..]],
            vec![&b"say \"hi\" \\ there"[..], &b""[..]],
            vec![&all[..128], &all[128..]],
        ] {
            let txt = TXT::from_bytes(strings.clone());
            let text = to_text(&txt);
            assert!(text.is_ascii(), "{text}");
            assert_eq!(from_text(&text), Ok(txt), "{text}");
        }
        assert_eq!(
            to_text(&TXT::from_bytes(vec![b"a\"b", b"\xff"])),
            r#""a\"b" "\255""#
        );
    }

    #[test]
    fn bad_text_is_refused() {
        for text in ["", "unquoted", "\"open", "\"\\256\"", "\"a\"x", "\"a\\\""] {
            assert!(from_text(text).is_err(), "{text}");
        }
    }
}
