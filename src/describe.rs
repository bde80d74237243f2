//! How a JSON value is named in a message: its type, and its text when
//! short (`a string "300"`), so that an error says what was found.

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

/// Describes a JSON value for a message: its type, and its text when short.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => kind(value).to_owned(),
        _ => {
            let text = value.to_string();
            if text.len() <= 40 {
                format!("{} {text}", kind(value))
            } else {
                kind(value).to_owned()
            }
        }
    }
}
