//! BIND key files, as `tsig-keygen` and `ddns-confgen` write them and
//! `nsupdate -k` reads them:
//!
//! ```text
//! key "host1-key" {
//!         algorithm hmac-sha256;
//!         secret "dGhpcyBpcyBub3QgYSByZWFsIHNlY3JldA==";
//! };
//! ```
//!
//! Comments (`#`, `//`, `/* */`) are allowed, as in `named.conf`; a file may
//! hold several keys, one of which is then chosen by name.

use std::io;
use std::path::{Path, PathBuf};

use crate::dns::tsig::{FieldNames, Key, KeyError};

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The file could not be read.
    #[error("cannot read key file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not in BIND's key-file format.
    #[error("key file {} is malformed", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line.
        source: Malformed,
    },
    /// No key, or not the one asked for, or too many to choose from.
    #[error("key file {}: {problem}", path.display())]
    Choice {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The key's fields are unusable.
    #[error("key file {}", path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// Why.
        source: KeyError,
    },
}

/// Where and how a key file breaks BIND's syntax, followed by the form
/// that would be right.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} (expected key \"NAME\" {{ algorithm ALGORITHM; secret \"BASE64\"; }};)")]
pub struct Malformed(Syntax);

/// See [`Malformed`].
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Syntax {
    /// A `/* */` comment without its end.
    #[error("a comment opened on line {0} is never closed")]
    OpenComment(usize),
    /// A quoted string without its closing quote.
    #[error("a string opened on line {0} is never closed")]
    OpenString(usize),
    /// `key` and nothing after it.
    #[error("line {0}: \"key\" must be followed by the key's name")]
    NoName(usize),
    /// `key NAME` not followed by `{`.
    #[error("line {line}: expected {{ after key \"{name}\"")]
    NoOpen {
        /// The line.
        line: usize,
        /// The key's name.
        name: String,
    },
    /// A key statement that the file ends in.
    #[error("key \"{0}\" is never closed with }};")]
    NotClosed(String),
    /// A field without its value.
    #[error("line {line}: \"{field}\" needs a value")]
    NoValue {
        /// The line.
        line: usize,
        /// The field.
        field: String,
    },
    /// A field's value not followed by `;`. The value is not kept: it may
    /// be the secret.
    #[error("line {line}: expected ; after the value of {field}")]
    NoSemicolon {
        /// The line.
        line: usize,
        /// The field.
        field: String,
    },
    /// Something else inside a key statement.
    #[error("line {line}: unexpected text in key \"{name}\"")]
    Unexpected {
        /// The line.
        line: usize,
        /// The key's name.
        name: String,
    },
    /// A key statement without its algorithm or secret.
    #[error("key \"{name}\" has no {field}")]
    Missing {
        /// The key's name.
        name: String,
        /// The field missing.
        field: &'static str,
    },
    /// `}` not followed by `;`.
    #[error("line {line}: expected ; after }} of key \"{name}\"")]
    NoFinalSemicolon {
        /// The line.
        line: usize,
        /// The key's name.
        name: String,
    },
}

/// One `key` statement, before validation. `Debug` never shows the secret.
#[derive(Clone, Default, PartialEq, Eq)]
struct Statement {
    name: String,
    algorithm: Option<String>,
    secret: Option<String>,
}

impl std::fmt::Debug for Statement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statement")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("secret", &self.secret.as_ref().map(|_| "(hidden)"))
            .finish()
    }
}

/// The only key of a key file named on a command line (`-k`), its mode and
/// owner warned about as the config's own files are.
pub(crate) fn read_flagged(path: &Path) -> Result<Key, KeyFileError> {
    let holds = crate::config::Holds {
        what: "key file",
        secret: Some(crate::config::Secret::Tsig),
    };
    for warning in crate::config::exposure_warnings(path, holds) {
        log::warn!("{warning}");
    }
    read(path, None)
}

/// Reads the key named `keyname` from a key file, or its only key when no
/// name is given.
pub(crate) fn read(path: &Path, keyname: Option<&str>) -> Result<Key, KeyFileError> {
    let text =
        crate::util::fs::read_named(path, crate::config::MAX_FILE_BYTES).map_err(|source| {
            KeyFileError::Read {
                path: path.to_owned(),
                source,
            }
        })?;
    let keys = parse(&text).map_err(|syntax| KeyFileError::Syntax {
        path: path.to_owned(),
        source: Malformed(syntax),
    })?;
    let choice = |problem: String| KeyFileError::Choice {
        path: path.to_owned(),
        problem,
    };
    let wanted = keyname.map(|k| k.trim_end_matches('.').to_ascii_lowercase());
    let mut matching = keys.iter().filter(|k| {
        wanted
            .as_deref()
            .is_none_or(|w| k.name.trim_end_matches('.').eq_ignore_ascii_case(w))
    });
    let names = || {
        keys.iter()
            .map(|k| format!("\"{}\"", k.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let statement = match (matching.next(), matching.next(), keyname) {
        (Some(k), None, _) | (Some(k), Some(_), Some(_)) => k,
        (None, _, _) if keys.is_empty() => return Err(choice("no key statement in it".into())),
        (None, _, Some(name)) => {
            return Err(choice(format!(
                "no key named \"{name}\" (it has {})",
                names()
            )));
        }
        _ => {
            return Err(choice(format!(
                "it holds several keys ({}); name one with \"keyname\"",
                names()
            )));
        }
    };
    let missing = |field: &'static str| KeyFileError::Syntax {
        path: path.to_owned(),
        source: Malformed(Syntax::Missing {
            name: statement.name.clone(),
            field,
        }),
    };
    let algorithm = statement
        .algorithm
        .as_deref()
        .ok_or_else(|| missing("algorithm"))?;
    let secret = statement
        .secret
        .as_deref()
        .ok_or_else(|| missing("secret"))?;
    Key::with_fields(&statement.name, algorithm, secret, FieldNames::KEY_FILE).map_err(|source| {
        KeyFileError::Key {
            path: path.to_owned(),
            source,
        }
    })
}

/// A token of `named.conf` syntax, with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Open,
    Close,
    Semi,
}

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, Syntax> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => skip_line(&mut chars, &mut line),
            '/' if chars.peek() == Some(&'/') => skip_line(&mut chars, &mut line),
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let start = line;
                let mut prev = ' ';
                loop {
                    match chars.next() {
                        None => {
                            return Err(Syntax::OpenComment(start));
                        }
                        Some('/') if prev == '*' => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            prev = c;
                        }
                    }
                }
            }
            '"' => {
                let start = line;
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => {
                            return Err(Syntax::OpenString(start));
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            s.push(c);
                        }
                    }
                }
                out.push((Token::Quoted(s), start));
            }
            '{' => out.push((Token::Open, line)),
            '}' => out.push((Token::Close, line)),
            ';' => out.push((Token::Semi, line)),
            c => {
                let mut s = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_whitespace() || matches!(n, '{' | '}' | ';' | '"' | '#') {
                        break;
                    }
                    s.push(n);
                    chars.next();
                }
                out.push((Token::Word(s), line));
            }
        }
    }
    Ok(out)
}

fn skip_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, line: &mut usize) {
    for c in chars.by_ref() {
        if c == '\n' {
            *line += 1;
            break;
        }
    }
}

/// Parses the `key` statements of a file; other statements are skipped.
/// One loop over the tokens, as a recursive-descent parser of this small
/// grammar would be no shorter and harder to follow.
fn parse(text: &str) -> Result<Vec<Statement>, Syntax> {
    let tokens = tokenize(text)?;
    let mut keys = Vec::new();
    let mut i = 0;
    let at = |i: usize| tokens.get(i).map_or(0, |t: &(Token, usize)| t.1);
    let text_of = |t: &Token| match t {
        Token::Word(s) | Token::Quoted(s) => Some(s.clone()),
        _ => None,
    };
    while i < tokens.len() {
        let is_key = matches!(&tokens[i].0, Token::Word(w) if w.eq_ignore_ascii_case("key"));
        if !is_key {
            // Skip another statement, braces and all, up to its semicolon.
            let mut depth = 0usize;
            while i < tokens.len() {
                match tokens[i].0 {
                    Token::Open => depth += 1,
                    Token::Close => depth = depth.saturating_sub(1),
                    Token::Semi if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        let name = tokens
            .get(i + 1)
            .and_then(|t| text_of(&t.0))
            .ok_or_else(|| Syntax::NoName(at(i)))?;
        if tokens.get(i + 2).map(|t| &t.0) != Some(&Token::Open) {
            return Err(Syntax::NoOpen {
                line: at(i + 1),
                name,
            });
        }
        i += 3;
        let mut key = Statement {
            name,
            ..Statement::default()
        };
        loop {
            match tokens.get(i).map(|t| &t.0) {
                None => return Err(Syntax::NotClosed(key.name)),
                Some(Token::Close) => break,
                Some(Token::Word(field)) => {
                    let value = tokens
                        .get(i + 1)
                        .and_then(|t| text_of(&t.0))
                        .ok_or_else(|| Syntax::NoValue {
                            line: at(i),
                            field: field.clone(),
                        })?;
                    if tokens.get(i + 2).map(|t| &t.0) != Some(&Token::Semi) {
                        return Err(Syntax::NoSemicolon {
                            line: at(i + 1),
                            field: field.clone(),
                        });
                    }
                    match field.to_ascii_lowercase().as_str() {
                        "algorithm" => key.algorithm = Some(value),
                        "secret" => key.secret = Some(value),
                        _ => {}
                    }
                    i += 3;
                }
                Some(_) => {
                    return Err(Syntax::Unexpected {
                        line: at(i),
                        name: key.name,
                    });
                }
            }
        }
        if tokens.get(i + 1).map(|t| &t.0) != Some(&Token::Semi) {
            return Err(Syntax::NoFinalSemicolon {
                line: at(i),
                name: key.name,
            });
        }
        i += 2;
        keys.push(key);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::tsig::Algorithm;
    use std::fs;

    const TSIG_KEYGEN: &str =
        "key \"host1-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"c2VjcmV0c2VjcmV0\";\n};\n";

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_tsig_keygen_output() {
        let (_d, path) = file(TSIG_KEYGEN);
        let key = read(&path, None).unwrap();
        assert_eq!(key.name.to_ascii(), "host1-key.");
        assert_eq!(key.algorithm, Algorithm::HmacSha256);
        assert_eq!(
            key,
            Key::new("host1-key", "hmac-sha256", "c2VjcmV0c2VjcmV0").unwrap()
        );
    }

    #[test]
    fn reads_ddns_confgen_output_with_comments() {
        let text = "# To activate this key, place the following in named.conf\n/* a\n comment */\nkey \"ddns-key.host1.example.com\" {\n\talgorithm HMAC-MD5.SIG-ALG.REG.INT;\n\tsecret \"c2VjcmV0\"; // trailing\n};\n\n# update-policy {\n#\t  grant ddns-key.host1.example.com name host1.example.com ANY;\n# };\n";
        let (_d, path) = file(text);
        let key = read(&path, Some("ddns-key.host1.example.com.")).unwrap();
        assert_eq!(key.algorithm, Algorithm::HmacMd5);
    }

    #[test]
    fn chooses_among_several_keys_by_name() {
        let text =
            format!("{TSIG_KEYGEN}key other {{ algorithm hmac-sha512; secret \"c2VjcmV0\"; }};\n");
        let (_d, path) = file(&text);
        assert_eq!(
            read(&path, Some("OTHER")).unwrap().algorithm,
            Algorithm::HmacSha512
        );
        assert!(
            read(&path, None)
                .unwrap_err()
                .to_string()
                .contains("several keys (\"host1-key\", \"other\")")
        );
        assert!(
            read(&path, Some("nope"))
                .unwrap_err()
                .to_string()
                .contains("no key named \"nope\"")
        );
    }

    #[test]
    fn malformed_files_are_refused_with_the_line() {
        let err = |text: &str| {
            let (_d, path) = file(text);
            crate::util::describe::chain(&read(&path, None).unwrap_err())
        };
        assert!(err("").contains("no key statement"));
        assert!(
            err("key \"k\" { algorithm hmac-sha256 secret \"x\"; };")
                .contains("line 1: expected ;")
        );
        assert!(err("key \"k\" {\n algorithm hmac-sha256;\n").contains("never closed"));
        assert!(err("key \"k\" { secret \"c2VjcmV0\"; };").contains("has no algorithm"));
        assert!(err("key \"k\" { algorithm hmac-sha256; secret \"c2Vj").contains("never closed"));
        let bad = err("key \"k\" { algorithm hmac-sha256; secret \"!!!\"; };");
        assert!(
            bad.contains("\"secret\": the secret is not valid base64") && !bad.contains("!!!"),
            "{bad}"
        );
    }
}
