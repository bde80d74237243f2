//! `dyndns-reap --list`: the zone read by AXFR, and each name whose
//! lease marker expired more than the grace ago, with its record sets and
//! (in the reverse zones asked for) the PTR sets that point to it.

use std::collections::{BTreeMap, HashMap};
use std::time::{Instant, SystemTime};

use hickory_proto::rr::{Name, RData, Record};

use crate::dns::live::server_addresses;
use crate::dns::tsig::Key;
use crate::dns::{axfr, dhcid, lease, transport, txt};

use super::line::{Expired, PtrSet};
use super::{ReapError, ReapOptions, TRANSFER_BOUND};

/// What is at one name of the zone.
#[derive(Default)]
struct AtName {
    /// The name as the zone spells it.
    name: Option<Name>,
    /// Each type's records, in presentation format.
    sets: BTreeMap<String, Vec<String>>,
    /// Its TXT records' text, for the markers (one string of UTF-8 each).
    texts: Vec<String>,
}

/// The names of `zone` (read from `server`) whose lease expired more than
/// the grace before `now`, in the zone's order, with the PTR sets of the
/// reverse zones (each read from its server in `ptr_servers`) that point
/// to them. A malformed marker is warned about, and its name left alone.
pub fn list(
    zone: &Name,
    server: &str,
    ptr_servers: &[(Name, String)],
    opts: &ReapOptions,
    now: SystemTime,
) -> Result<Vec<Expired>, ReapError> {
    let mut names: HashMap<Name, AtName> = HashMap::new();
    read_zone(zone, server, opts.key.as_ref(), opts, |record| {
        let at = names.entry(record.name.to_lowercase()).or_default();
        at.add(record);
    })?;
    let mut expired: BTreeMap<Name, Expired> = BTreeMap::new();
    for (lower, at) in names {
        if let Some(line) = at.expired(zone, server, opts, now) {
            expired.insert(lower, line);
        }
    }
    for (ptr_zone, ptr_server) in ptr_servers {
        let mut sets: HashMap<Name, (Name, Vec<Name>)> = HashMap::new();
        read_zone(
            ptr_zone,
            ptr_server,
            opts.ptr_key.as_ref(),
            opts,
            |record| {
                if let RData::PTR(target) = &record.data {
                    let entry = sets
                        .entry(record.name.to_lowercase())
                        .or_insert_with(|| (record.name.clone(), Vec::new()));
                    entry.1.push(target.0.clone());
                }
            },
        )?;
        for (name, targets) in sets.into_values() {
            for target in &targets {
                if let Some(line) = expired.get_mut(&target.to_lowercase()) {
                    line.ptr.push(PtrSet {
                        name: name.to_ascii(),
                        zone: ptr_zone.to_ascii(),
                        server: ptr_server.clone(),
                        ptr: targets.iter().map(Name::to_ascii).collect(),
                    });
                }
            }
        }
    }
    let mut lines: Vec<Expired> = expired.into_values().collect();
    for line in &mut lines {
        line.ptr.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(lines)
}

impl AtName {
    /// Adds one record of the transfer.
    fn add(&mut self, record: Record) {
        if self.name.is_none() {
            self.name = Some(record.name.clone());
        }
        let (rtype, text) = match &record.data {
            RData::TXT(t) => {
                if let Some(text) = txt::single(t) {
                    self.texts.push(text.to_owned());
                }
                ("TXT".to_owned(), txt::to_text(t))
            }
            RData::Unknown { code, rdata } if *code == dhcid::DHCID => {
                ("DHCID".to_owned(), dhcid::to_text(&rdata.anything))
            }
            data => (record.record_type().to_string(), data.to_string()),
        };
        self.sets.entry(rtype).or_default().push(text);
    }

    /// The line for this name, when it holds a lease marker that expired
    /// more than the grace before `now` (the latest, if it holds more
    /// than one), and no malformed one.
    fn expired(
        self,
        zone: &Name,
        server: &str,
        opts: &ReapOptions,
        now: SystemTime,
    ) -> Option<Expired> {
        let name = self.name?;
        let mut latest: Option<(SystemTime, &str)> = None;
        for text in &self.texts {
            match lease::expires(text) {
                Ok(None) => {}
                Ok(Some(at)) => {
                    if latest.is_none_or(|(t, _)| at > t) {
                        latest = Some((at, text));
                    }
                }
                Err(bad) => {
                    log::warn!("{name}: {bad}; the name is left alone: fix or delete the marker");
                    return None;
                }
            }
        }
        let (at, marker) = latest?;
        if now.duration_since(at).is_ok_and(|past| past > opts.grace) {
            return Some(Expired {
                name: name.to_ascii(),
                zone: zone.to_ascii(),
                server: server.to_owned(),
                marker: marker.to_owned(),
                expired: rfc3339(at),
                records: self.sets,
                ptr: Vec::new(),
            });
        }
        None
    }
}

/// `at` in RFC 3339, UTC, to the second.
fn rfc3339(at: SystemTime) -> String {
    lease::marker(at)
        .strip_prefix(lease::MARKER_PREFIX)
        .unwrap_or_default()
        .to_owned()
}

/// Transfers `zone` from each address of `server` in turn until one
/// gives it whole, then hands each record to `each`: a transfer that
/// broke off leaves nothing behind.
fn read_zone(
    zone: &Name,
    server: &str,
    key: Option<&Key>,
    opts: &ReapOptions,
    mut each: impl FnMut(Record),
) -> Result<(), ReapError> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| ReapError::Transfer {
        zone: zone.clone(),
        server: server.to_owned(),
        source,
    };
    let addrs = server_addresses(server, opts.port, opts.timeout).map_err(|e| failed(e.into()))?;
    let mut last = None;
    for addr in addrs {
        let until = Instant::now() + opts.timeout * TRANSFER_BOUND;
        let mut records = Vec::new();
        let result = transport::connect(addr, None, opts.timeout, until)
            .map_err(axfr::AxfrError::from)
            .and_then(|mut conn| axfr::transfer(&mut conn, zone, key, |r| records.push(r)));
        match result {
            Ok(count) => {
                log::debug!("read {count} records of {zone} from {server} at {addr}");
                records.into_iter().for_each(&mut each);
                return Ok(());
            }
            Err(e) => {
                log::debug!("{addr}: {e}");
                last = Some(format!("{addr}: {e}"));
            }
        }
    }
    Err(failed(last.unwrap_or_else(|| "no address".into()).into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn opts(grace: u64) -> ReapOptions {
        ReapOptions {
            server: None,
            port: 53,
            timeout: Duration::from_secs(1),
            key: None,
            ptr_key: None,
            grace: Duration::from_secs(grace),
            ptr_zones: Vec::new(),
            dry_run: false,
        }
    }

    fn at(texts: &[&str]) -> AtName {
        let mut at = AtName::default();
        let name = Name::from_ascii("a.example.test.").unwrap();
        for text in texts {
            at.add(Record::from_rdata(
                name.clone(),
                300,
                RData::TXT(hickory_proto::rr::rdata::TXT::new(vec![(*text).into()])),
            ));
        }
        at.add(Record::from_rdata(
            name,
            300,
            RData::AAAA("2001:db8::1".parse().unwrap()),
        ));
        at
    }

    #[test]
    fn only_names_with_a_marker_past_its_grace_are_listed() {
        let zone = Name::from_ascii("example.test.").unwrap();
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_475_600);
        let marker = "dyndns-lease expires=2026-12-05T13:00:00Z";
        let later = expiry + Duration::from_secs(100);
        let line = at(&[marker, "kept"])
            .expired(&zone, "::1", &opts(60), later)
            .unwrap();
        assert_eq!(line.marker, marker);
        assert_eq!(line.expired, "2026-12-05T13:00:00Z");
        assert_eq!(
            line.records["TXT"],
            [format!("\"{marker}\""), "\"kept\"".into()]
        );
        assert_eq!(line.records["AAAA"], ["2001:db8::1"]);
        // Within the grace; no marker; a malformed one beside a good one.
        assert!(
            at(&[marker])
                .expired(&zone, "::1", &opts(600), later)
                .is_none()
        );
        assert!(
            at(&["kept"])
                .expired(&zone, "::1", &opts(0), later)
                .is_none()
        );
        assert!(
            at(&[marker, "dyndns-lease expires=soon"])
                .expired(&zone, "::1", &opts(0), later)
                .is_none()
        );
        // The latest of two markers decides.
        let renewed = "dyndns-lease expires=2026-12-05T14:00:00Z";
        assert!(
            at(&[marker, renewed])
                .expired(&zone, "::1", &opts(0), later)
                .is_none()
        );
    }
}
