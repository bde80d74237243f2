//! `--dry-run`: the update as a script `nsupdate` runs as it is, or as
//! one JSON object. The TSIG secret is never shown.

use std::fmt::Write as _;

use hickory_proto::rr::{Name, RecordType};

use super::{Owner, Step, Update, absent, deleted, sshfp_deleted};
use crate::dns::dhcid;
use crate::dns::reach::TlsConfig;
use crate::dns::tsig::Key;

/// How `--dry-run` shows an update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DryRunFormat {
    /// A script `nsupdate` runs as it is (a signed update needs `nsupdate -k KEYFILE`).
    #[default]
    Nsupdate,
    /// One JSON object per update (the forward zone's, then each reverse zone's), one per line, for other tools.
    Json,
}

/// The update as `--dry-run` shows it, sent to `host` (a name or an
/// address) at `port`. The TSIG secret is never shown.
pub(crate) fn describe(update: &Update<'_>, host: &str, port: u16, format: DryRunFormat) -> String {
    let state = update.state;
    match format {
        DryRunFormat::Nsupdate => {
            let mut out = String::new();
            let _ = writeln!(out, "server {host} {port}");
            let _ = writeln!(out, "zone {}", update.zone);
            signing_comment(&mut out, update.key, update.gss);
            transport_comment(&mut out, update.tls, host);
            owner_prereq(&mut out, &state.hostname, update.owner);
            for rtype in absent(update) {
                let _ = match rtype {
                    RecordType::ANY => writeln!(out, "prereq nxdomain {}", state.hostname),
                    rtype => writeln!(out, "prereq nxrrset {} IN {rtype}", state.hostname),
                };
            }
            if let Some(guard) = update.guard {
                for addr in &guard.aaaa {
                    let _ = writeln!(out, "prereq yxrrset {} IN AAAA {addr}", state.hostname);
                }
            }
            for rtype in deleted(update) {
                // RFC 2136 §2.5.3: a name alone deletes every RRset at it.
                match rtype {
                    RecordType::ANY => writeln!(out, "update delete {}", state.hostname),
                    rtype => writeln!(
                        out,
                        "update delete {} IN {}",
                        state.hostname,
                        type_name(rtype)
                    ),
                }
                .unwrap_or_default();
            }
            for addr in state.ipv4_or_none() {
                let _ = writeln!(
                    out,
                    "update add {} {} IN A {addr}",
                    state.hostname, state.ttl_secs
                );
            }
            for addr in &state.addresses {
                let _ = writeln!(
                    out,
                    "update add {} {} IN AAAA {addr}",
                    state.hostname, state.ttl_secs
                );
            }
            if let Some(lease) = update.lease {
                if let Some((secs, _)) = lease.ask {
                    let _ = writeln!(
                        out,
                        "; asks for a lease of {secs} s (RFC 9664's Update Lease option, which nsupdate cannot send)"
                    );
                }
                if let Some(old) = lease.old_marker.filter(|old| Some(*old) != lease.marker) {
                    let _ = writeln!(out, "update delete {} IN TXT \"{old}\"", state.hostname);
                }
                if let Some(marker) = lease
                    .marker
                    .filter(|_| state.all_addresses().next().is_some())
                {
                    let _ = writeln!(
                        out,
                        "update add {} {} IN TXT \"{marker}\"",
                        state.hostname, state.ttl_secs
                    );
                }
            }
            for old in sshfp_deleted(update) {
                let _ = writeln!(out, "update delete {} IN SSHFP {old}", state.hostname);
            }
            for record in state.sshfp_or_none() {
                let _ = writeln!(
                    out,
                    "update add {} {} IN SSHFP {record}",
                    state.hostname, state.ttl_secs
                );
            }
            if let Some(owner) = update.owner
                && state.all_addresses().next().is_some()
            {
                let _ = writeln!(
                    out,
                    "update add {} {} IN DHCID {}",
                    state.hostname,
                    state.ttl_secs,
                    dhcid::to_text(owner.dhcid)
                );
            }
            let _ = writeln!(out, "send");
            out
        }
        DryRunFormat::Json => {
            let record = |rtype: &str, data: String| serde_json::json!({"name": state.hostname.to_ascii(), "ttl": state.ttl_secs, "class": "IN", "type": rtype, "data": data});
            let mut adds: Vec<serde_json::Value> = state
                .ipv4_or_none()
                .iter()
                .map(|a| record("A", a.to_string()))
                .chain(
                    state
                        .addresses
                        .iter()
                        .map(|a| record("AAAA", a.to_string())),
                )
                .collect();
            if let Some(owner) = update.owner
                && !adds.is_empty()
            {
                adds.push(record("DHCID", dhcid::to_text(owner.dhcid)));
            }
            adds.extend(
                state
                    .sshfp_or_none()
                    .iter()
                    .map(|r| record("SSHFP", r.to_string())),
            );
            let tsig = signing_json(update.key, update.gss);
            let deletes: Vec<String> = deleted(update).into_iter().map(type_name).collect();
            let mut doc = serde_json::json!({
                "server": host,
                "port": port,
                "zone": update.zone.to_ascii(),
                "prerequisite": update.guard.map(|g| serde_json::json!({
                    "name": state.hostname.to_ascii(),
                    "aaaa": g.aaaa,
                    "absent": absent(update).iter().map(ToString::to_string).collect::<Vec<_>>(),
                })),
                "delete": state.hostname.to_ascii(),
                "delete_types": deletes,
                "add": adds,
                "tsig": tsig,
            });
            // Deleted by value (RFC 2136 §2.5.4); only when there are any.
            let gone: Vec<String> = sshfp_deleted(update)
                .iter()
                .map(ToString::to_string)
                .collect();
            if !gone.is_empty() {
                doc["delete_sshfp"] = gone.into();
            }
            // Only with an owner: without one, the document is as it was.
            if let Some(owner) = update.owner {
                doc["owner"] = serde_json::json!({
                    "step": match owner.step {
                        Step::Claim => "claim",
                        Step::Keep => "keep",
                        Step::TakeOver => "take-over",
                    },
                    "dhcid": dhcid::to_text(owner.dhcid),
                });
            }
            add_transport_json(&mut doc, update.tls, host);
            format!("{doc}\n")
        }
    }
}

/// The comment of a signed update's script: how to run it (the secret is
/// never shown).
pub(crate) fn signing_comment(out: &mut String, key: Option<&Key>, gss: Option<&[String]>) {
    if let Some(key) = key {
        let _ = writeln!(
            out,
            "; signed with TSIG key {} ({}): run nsupdate -k KEYFILE; the secret is not shown here",
            key.name, key.algorithm
        );
    } else if let Some([principal]) = gss {
        let _ = writeln!(
            out,
            "; signed with GSS-TSIG as {principal}: run nsupdate -g, with a ticket for it (kinit -k -t KEYTAB '{principal}')"
        );
    } else if let Some(principals) = gss {
        let _ = writeln!(
            out,
            "; signed with GSS-TSIG as the first of {} that the keytab holds: run nsupdate -g, with a ticket for it (kinit -k -t KEYTAB PRINCIPAL)",
            principals.join(", ")
        );
    }
}

/// The comment of a script sent over DNS over TLS: nsupdate's options
/// for it (BIND 9.20 and later; 9.18's nsupdate has no TLS).
pub(crate) fn transport_comment(out: &mut String, tls: Option<&TlsConfig>, host: &str) {
    let Some(tls) = tls else {
        return;
    };
    let mut options = String::from("-S");
    if let Some(ca) = &tls.ca {
        let _ = write!(options, " -A {}", ca.display());
    }
    let _ = write!(options, " -H {}", tls_name(tls, host));
    if let (Some(cert), Some(key)) = (&tls.cert, &tls.key) {
        let _ = write!(options, " -E {} -K {}", cert.display(), key.display());
    }
    let _ = writeln!(
        out,
        "; over DNS over TLS: run nsupdate {options} (BIND 9.20 or later)"
    );
}

/// The name the server's certificate is checked against: `tls.name`, or
/// the server as given.
fn tls_name<'a>(tls: &'a TlsConfig, host: &'a str) -> &'a str {
    crate::dns::reach::TlsName::for_server(tls.name.as_ref(), host)
}

/// Over DNS over TLS, `--dry-run --format json`'s `"tls"` key: the name
/// checked and the files (over TCP, no such key).
pub(crate) fn add_transport_json(doc: &mut serde_json::Value, tls: Option<&TlsConfig>, host: &str) {
    if let (Some(tls), Some(map)) = (tls, doc.as_object_mut()) {
        map.insert(
            "tls".into(),
            serde_json::json!({
                "name": tls_name(tls, host),
                "ca": tls.ca,
                "cert": tls.cert,
                "key": tls.key,
            }),
        );
    }
}

/// The prerequisite of an owner's step at `name`, as nsupdate writes it:
/// the claim's "name is not in use", the keep's DHCID (RFC 4703 §5.3).
pub(crate) fn owner_prereq(out: &mut String, name: &Name, owner: Option<Owner<'_>>) {
    match owner.map(|o| (o.step, o.dhcid)) {
        Some((Step::Claim, _)) => {
            let _ = writeln!(out, "prereq nxdomain {name}");
        }
        Some((Step::Keep, dhcid)) => {
            let _ = writeln!(
                out,
                "prereq yxrrset {name} IN DHCID {}",
                dhcid::to_text(dhcid)
            );
        }
        _ => {}
    }
}

/// A record type's mnemonic, DHCID's too (hickory knows it by number).
pub(super) fn type_name(rtype: RecordType) -> String {
    if rtype == dhcid::DHCID {
        "DHCID".into()
    } else {
        rtype.to_string()
    }
}

/// How an update is signed, for `--dry-run --format json`.
pub(crate) fn signing_json(key: Option<&Key>, gss: Option<&[String]>) -> Option<serde_json::Value> {
    match (key, gss) {
        (Some(k), _) => Some(
            serde_json::json!({"keyname": k.name.to_ascii(), "algorithm": k.algorithm.to_string()}),
        ),
        (None, Some(p)) => Some(serde_json::json!({"algorithm": "gss-tsig", "principals": p})),
        (None, None) => None,
    }
}
