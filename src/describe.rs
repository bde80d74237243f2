//! How a JSON value is named in a message: its type, and for a number or a
//! boolean its text (`a number -3`), so that an error says what was found.

use serde_json::Value;

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
