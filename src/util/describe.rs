//! How things are named in a message: a JSON value by its type, and for a
//! number or a boolean its text (`a number -3`), so that an error says what
//! was found; text with control characters; an error and its causes on one
//! line ([`chain`]).

use serde_json::Value;

/// An error and its causes on one line: `error: cause: cause`. A cause whose
/// text the line already holds (an error that quotes its cause) is not
/// repeated. Control characters (a newline in a name read from stdin) are
/// escaped, so that the line stays one line in stderr, syslog and log files.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    if line.contains(char::is_control) {
        line = printable(&line);
    }
    line
}

/// Names a JSON value's type for a message.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Describes a JSON value for a message: its type, and the text of a
/// number or a boolean. A string's text is never repeated: a TSIG secret
/// put in the wrong key would otherwise reach stderr, cron's mail and the
/// logs.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Number(_) | Value::Bool(_) => format!("{} {value}", kind(value)),
        _ => kind(value).to_owned(),
    }
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`), so that
/// text from outside cannot break a message's line or forge log lines.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn chain_walks_the_causes() {
        assert_eq!(
            chain(&Outer(std::io::Error::other("inner"))),
            "outer: inner"
        );
    }
}
