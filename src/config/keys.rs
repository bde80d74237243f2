//! The keys that sign updates: the `tsig` object (PyDynDNS 1.2's inline
//! key, or a BIND key file beside the config), and the `ptr` object, which
//! may carry a key of its own for the reverse zones.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Config, ConfigError, Holds, PtrConfig, Secret, Secrets, file};
use crate::config::keyfile::{self, KeyFileError};
use crate::dns::gss_env::GssConfig;
use crate::dns::reach::{DEFAULT_TLS_PORT, TlsConfig, TlsName};
use crate::dns::tsig::{Key, KeyError};
use crate::util::describe::kind;

/// The key a `tsig` object gives, inline or in a key file (relative to the
/// config file's directory), adding the key file to `exposed` (to check who
/// else can read or change it). With [`Secrets::Skip`] the key is only
/// checked: the key file is not read, the secret not decoded, and `None`
/// comes back.
pub(super) fn tsig_key(
    path: &Path,
    key: &'static str,
    tsig: &Value,
    secrets: Secrets,
    exposed: &mut Vec<(PathBuf, Holds)>,
) -> Result<Option<Key>, ConfigError> {
    let Some(file) = key_file_of(tsig) else {
        let tsig_err = |source| ConfigError::Tsig {
            path: path.to_owned(),
            key,
            source: within(key, source),
        };
        return match secrets {
            Secrets::Load => parse_tsig(tsig).map(Some).map_err(tsig_err),
            Secrets::Skip => check_tsig(tsig).map(|()| None).map_err(tsig_err),
        };
    };
    let file = path.parent().unwrap_or(Path::new(".")).join(file);
    let key_file_err = |source| ConfigError::KeyFile {
        path: path.to_owned(),
        key,
        source,
    };
    exposed.push((
        file.clone(),
        Holds {
            what: "key file",
            secret: Some(Secret::Tsig),
        },
    ));
    match secrets {
        Secrets::Load => {
            let keyname = tsig.get("keyname").and_then(Value::as_str);
            keyfile::read(&file, keyname)
                .map(Some)
                .map_err(key_file_err)
        }
        Secrets::Skip => std::fs::metadata(&file)
            .map(|_| None)
            .map_err(|source| key_file_err(KeyFileError::Read { path: file, source })),
    }
}

/// A key error of the `tsig` object, its field named under `key`
/// (`ptr.tsig.key` for the `ptr` object's).
fn within(key: &str, error: KeyError) -> KeyError {
    match error {
        KeyError::Field { field, problem } if key != "tsig" => KeyError::Field {
            field: format!("{}{}", key.trim_end_matches("tsig"), field),
            problem,
        },
        other => other,
    }
}

/// The `ptr` key: `true` or `false`, or an object with `enable` (default
/// true), `ttl` (default the AAAA records') and `tsig` (default the
/// forward zone's key). Unknown keys in it are warned about.
pub(super) fn ptr_config(
    path: &Path,
    ptr: &Value,
    secrets: Secrets,
    config: &mut Config,
) -> Result<Option<PtrConfig>, ConfigError> {
    let bad = |key: &str, problem: String| ConfigError::Key {
        path: path.to_owned(),
        key: key.to_owned(),
        problem,
    };
    let map = match ptr {
        Value::Bool(false) | Value::Null => return Ok(None),
        Value::Bool(true) => return Ok(Some(PtrConfig::default())),
        Value::Object(map) => map,
        other => {
            return Err(bad(
                "ptr",
                format!(
                    "must be true, false, or an object like {{\"enable\": true, \"ttl\": 300}}, found {}",
                    kind(other)
                ),
            ));
        }
    };
    for key in map.keys().filter(|k| !file::PTR_KEYS.contains(&k.as_str())) {
        let warning = file::unknown_key_warning(path, &format!("ptr.{key}"));
        config.warnings.push(warning);
    }
    match map.get("enable") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => return Ok(None),
        Some(other) => {
            return Err(bad(
                "ptr.enable",
                format!("must be true or false, found {}", kind(other)),
            ));
        }
    }
    let ttl_secs = match map.get("ttl") {
        None => None,
        Some(v) => file::ttl(v.clone()).map_err(|e| bad("ptr.ttl", e.to_string()))?,
    };
    let tsig = match map.get("tsig") {
        None => None,
        Some(t) if is_gss(t) => {
            return Err(bad(
                "ptr.tsig.algorithm",
                "gss-tsig is taken from \"tsig\": the reverse zones are signed with GSS-TSIG when \"tsig\" says so and \"ptr\" gives no key of its own".into(),
            ));
        }
        Some(t) => tsig_key(path, "ptr.tsig", t, secrets, &mut config.exposed)?,
    };
    if map.contains_key("tsig") && key_file_of(&map["tsig"]).is_none() {
        // An inline secret: the config file holds one.
        if let Some((_, holds)) = config.exposed.first_mut() {
            holds.secret = Some(Secret::Tsig);
        }
    }
    Ok(Some(PtrConfig { ttl_secs, tsig }))
}

/// The key file a `tsig` object names with `"file"` (then `"keyname"` may
/// choose among its keys), if it names one and gives no inline key.
pub(super) fn key_file_of(tsig: &Value) -> Option<&str> {
    let map = tsig.as_object()?;
    let file = map.get("file")?.as_str()?;
    (!map.contains_key("key") && !map.contains_key("algorithm")).then_some(file)
}

/// The `tsig` object of PyDynDNS 1.2: `algorithm`, `key` (base64), `keyname`.
fn parse_tsig(value: &Value) -> Result<Key, KeyError> {
    let map = tsig_object(value)?;
    let field = |name| tsig_field(map, name);
    Key::new(field("keyname")?, field("algorithm")?, field("key")?)
}

/// [`parse_tsig`] without decoding the secret: its presence only.
fn check_tsig(value: &Value) -> Result<(), KeyError> {
    let map = tsig_object(value)?;
    let field = |name| tsig_field(map, name);
    let (name, algorithm) = (field("keyname")?, field("algorithm")?);
    field("key")?;
    Key::check_public(name, algorithm, crate::dns::tsig::FieldNames::CONFIG).map(|_| ())
}

/// The `tsig` object with an inline key.
fn tsig_object(value: &Value) -> Result<&serde_json::Map<String, Value>, KeyError> {
    let Value::Object(map) = value else {
        return Err(KeyError::Field {
            field: "tsig".into(),
            problem: format!(
                "must be an object with \"algorithm\", \"keyname\" and \"key\", or with \"file\", found {}",
                kind(value)
            ),
        });
    };
    if map.contains_key("file") {
        return Err(KeyError::Field {
            field: "tsig.file".into(),
            problem: "give either a key file (\"file\", and \"keyname\" to choose among its keys) or \"algorithm\" and \"key\", not both".into(),
        });
    }
    Ok(map)
}

/// A string field of the `tsig` object.
fn tsig_field<'a>(
    map: &'a serde_json::Map<String, Value>,
    name: &str,
) -> Result<&'a str, KeyError> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(s),
        None => Err(KeyError::Field {
            field: format!("tsig.{name}"),
            problem: "missing".into(),
        }),
        Some(other) => Err(KeyError::Field {
            field: format!("tsig.{name}"),
            problem: format!("must be a string, found {}", kind(other)),
        }),
    }
}

/// Whether a `tsig` object asks for GSS-TSIG (`"algorithm": "gss-tsig"`).
pub(super) fn is_gss(tsig: &Value) -> bool {
    tsig.get("algorithm")
        .and_then(Value::as_str)
        .is_some_and(|a| a.trim_end_matches('.').eq_ignore_ascii_case("gss-tsig"))
}

/// The keys of a GSS-TSIG `tsig` object.
const GSS_KEYS: [&str; 4] = ["algorithm", "keytab", "principal", "ccache"];

/// A GSS-TSIG `tsig` object: `keytab` (relative to the config file's
/// directory), `principal`, `ccache`, all optional; no secret in the
/// config, but the keytab holds the host's keys: it is checked as a key
/// file is (a regular file, opened without waiting on a FIFO, which MIT
/// Kerberos would wait on in open(2)), and who else can read it is warned
/// about (`exposed`).
pub(super) fn gss_config(
    path: &Path,
    tsig: &Value,
    exposed: &mut Vec<(PathBuf, Holds)>,
) -> Result<GssConfig, ConfigError> {
    let bad = |key: &str, problem: String| ConfigError::Key {
        path: path.to_owned(),
        key: format!("tsig.{key}"),
        problem,
    };
    let Value::Object(map) = tsig else {
        return Err(bad("algorithm", "the tsig object must be an object".into()));
    };
    if let Some(other) = map.keys().find(|k| !GSS_KEYS.contains(&k.as_str())) {
        return Err(bad(
            other,
            format!(
                "not a key of GSS-TSIG, which takes no shared secret; its keys are {}",
                GSS_KEYS.join(", ")
            ),
        ));
    }
    let text = |key: &str| -> Result<Option<String>, ConfigError> {
        match map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => match file::text_problem(s) {
                Some(problem) => Err(bad(key, problem)),
                None if s.contains(char::is_whitespace) => Err(bad(
                    key,
                    format!(
                        "must hold no space, found \"{}\"",
                        crate::util::describe::printable(s)
                    ),
                )),
                None => Ok(Some(s.clone())),
            },
            Some(other) => Err(bad(
                key,
                format!(
                    "must be a non-empty string without spaces, found {}",
                    kind(other)
                ),
            )),
        }
    };
    let keytab = text("keytab")?.map(|k| path.parent().unwrap_or(Path::new(".")).join(k));
    let gss = GssConfig {
        keytab,
        principal: text("principal")?,
        ccache: text("ccache")?,
    };
    if let Some(file) = crate::dns::gss_env::keytab_file(&gss) {
        crate::util::fs::check_named(&file).map_err(|e| {
            let (key, given) = match gss.keytab {
                Some(_) => ("keytab", ""),
                None => ("algorithm", "no \"keytab\" is given, and "),
            };
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "no such file; give the path of the host's keytab (ktutil, or kadmin's ktadd, makes one), or \"ccache\" with a ticket from kinit".to_owned()
            } else {
                e.to_string()
            };
            bad(key, format!("{given}cannot use keytab {}: {why}", file.display()))
        })?;
        exposed.push((
            file,
            Holds {
                what: "keytab",
                secret: Some(Secret::Keytab),
            },
        ));
    }
    Ok(gss)
}

/// `"transport"` and the `tls` object: `Some` when the transport is TLS.
/// A client certificate needs its key and the other way round; the key is
/// a secret, so its file's owner and mode are checked like a key file's.
pub(super) fn tls_config(
    path: &Path,
    transport: Option<file::Transport>,
    tls: Option<file::Tls>,
    config: &mut Config,
) -> Result<Option<TlsConfig>, ConfigError> {
    let bad = |key: &str, problem: &str| ConfigError::Key {
        path: path.to_owned(),
        key: key.to_owned(),
        problem: problem.to_owned(),
    };
    if transport != Some(file::Transport::Tls) {
        if tls.is_some() {
            config.warnings.push(format!(
                "config file {}: key \"tls\" ignored: \"transport\" is not \"tls\" (say \"transport\": \"tls\" to send updates over DNS over TLS)",
                path.display()
            ));
        }
        return Ok(None);
    }
    let tls = tls.unwrap_or_default();
    match (&tls.cert, &tls.key) {
        (Some(_), None) => {
            return Err(bad(
                "tls.key",
                "missing: a client certificate (\"tls.cert\") needs its private key (\"tls.key\", a PEM file)",
            ));
        }
        (None, Some(_)) => {
            return Err(bad(
                "tls.cert",
                "missing: a client key (\"tls.key\") needs its certificate (\"tls.cert\", a PEM file)",
            ));
        }
        _ => {}
    }
    let name = match &tls.name {
        Some(name) => Some(TlsName::parse(name).map_err(|_| {
            bad(
                "tls.name",
                "must be a host name (the name in the primary's certificate, ns1.example.com), an address, or \"soa\" (each server's name from the zone's SOA record, trusting the resolver)",
            )
        })?),
        None => None,
    };
    let beside = |p: String| path.parent().unwrap_or(Path::new(".")).join(p);
    let key = tls.key.map(beside);
    if let Some(key) = &key {
        config.exposed.push((
            key.clone(),
            Holds {
                what: "TLS client key",
                secret: Some(Secret::TlsKey),
            },
        ));
    }
    Ok(Some(TlsConfig {
        port: tls.port.unwrap_or(DEFAULT_TLS_PORT),
        ca: tls.ca.map(beside),
        name,
        cert: tls.cert.map(beside),
        key,
    }))
}
