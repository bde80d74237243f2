//! The documents between and after the reaper's steps: one JSON line per
//! name whose lease expired ([`Expired`], what `--list` prints and
//! `--delete` reads), and one per name reaped or not ([`Reaped`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A name whose lease marker expired more than the grace ago, with what
/// is at it: `--list`'s line, `--delete`'s input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expired {
    /// The host's name, absolute.
    pub name: String,
    /// Its zone's apex.
    pub zone: String,
    /// The server the zone was read from, which the update goes to.
    pub server: String,
    /// The lease marker that expired last (when a name holds more than
    /// one, the latest decides).
    pub marker: String,
    /// When it expired (RFC 3339, UTC).
    pub expired: String,
    /// Every record set at the name, by type, in presentation format
    /// (TXT's octet-exact: its set is the deletion's prerequisite).
    pub records: BTreeMap<String, Vec<String>>,
    /// The PTR sets, in the reverse zones asked for, that point to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ptr: Vec<PtrSet>,
}

/// A reverse name whose PTR set holds a reaped name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtrSet {
    /// The reverse name.
    pub name: String,
    /// Its zone.
    pub zone: String,
    /// The zone's server.
    pub server: String,
    /// The whole PTR set, the prerequisite of the PTR's deletion.
    pub ptr: Vec<String>,
}

/// What became of a name: `--delete`'s line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reaped {
    /// The host's name.
    pub name: String,
    /// The result.
    pub result: Outcome,
    /// The server's rcode, when it refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<String>,
    /// Why it failed, or why it was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Each PTR's result, when the name was deleted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ptr: Vec<PtrReaped>,
}

/// What became of one PTR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PtrReaped {
    /// The reverse name.
    pub name: String,
    /// The result.
    pub result: Outcome,
    /// The server's rcode, when it refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rcode: Option<String>,
    /// Why it failed, or why it was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A reaping's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The records are gone.
    Deleted,
    /// The host renewed its lease after the list (the TXT set changed):
    /// its records stay.
    Renewed,
    /// The reverse name's PTR set changed after the list: it stays.
    Changed,
    /// Not deleted: the server refused, did not answer, or the lease had
    /// not expired.
    Failed,
}

impl Reaped {
    /// Whether this line, or one of its PTRs, failed.
    pub fn failed(&self) -> bool {
        self.result == Outcome::Failed || self.ptr.iter().any(|p| p.result == Outcome::Failed)
    }

    /// The line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Expired {
    /// The line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
