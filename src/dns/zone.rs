//! Finding the zone that holds a name, and its primary server, as `nsupdate`
//! does: an SOA query for the name through the system's resolver
//! (`/etc/resolv.conf`). The SOA in the answer (the name is an apex) or in the
//! authority section (NXDOMAIN or NODATA, RFC 2308 §3) is owned by the zone
//! apex, and its MNAME is the primary (RFC 1035 §3.3.13, RFC 2136 §4).

use std::net::IpAddr;
use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use hickory_resolver::TokioResolver;
use hickory_resolver::net::{DnsError, NetError};

/// The zone of a name and its primary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ZoneInfo {
    /// The zone apex (the SOA's owner).
    pub zone: Name,
    /// The primary server's name (the SOA's MNAME).
    pub primary: Name,
}

/// Why no zone was found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneError {
    /// The resolver could not be set up from the system's configuration.
    #[error("cannot set up the system resolver from /etc/resolv.conf")]
    Resolver(#[source] NetError),
    /// No SOA was found for the name or any of its parents.
    #[error("no zone found for {name}: no SOA record answers for it or its parents")]
    NotFound {
        /// The name.
        name: Name,
        /// The last answer, for the last name asked.
        source: Box<Unanswered>,
    },
    /// No address of a server was found.
    #[error("cannot find the addresses of {name}")]
    Addresses {
        /// The name looked up.
        name: Name,
        /// Why, for AAAA (the first) and A.
        source: Box<Unanswered>,
    },
}

/// What the resolver answered to a lookup that found nothing: a response
/// code (NXDOMAIN, REFUSED, or NOERROR without data), or an error of its
/// own (a timeout, no server answering).
#[derive(Debug)]
pub struct Unanswered {
    /// The name asked for.
    pub query: Name,
    /// The record type asked for.
    pub rtype: RecordType,
    /// What came back.
    pub answer: Answer,
}

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.answer {
            Answer::Code(code) => write!(
                f,
                "{} for {} {}",
                crate::dns::rcode_name(*code),
                self.query,
                self.rtype
            ),
            Answer::Error(e) => write!(f, "{e} for {} {}", self.query, self.rtype),
        }
    }
}

impl std::error::Error for Unanswered {}

/// See [`Unanswered`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Answer {
    /// The server's response code.
    Code(hickory_proto::op::ResponseCode),
    /// The resolver's own error.
    Error(NetError),
}

impl Answer {
    /// What a failed lookup says.
    fn of(error: NetError) -> Self {
        match error {
            NetError::Dns(DnsError::NoRecordsFound(no)) => Self::Code(no.response_code),
            other => Self::Error(other),
        }
    }
}

/// A resolver built from the system's config (`/etc/resolv.conf`, `/etc/hosts`).
pub(crate) fn system_resolver(timeout: Duration) -> Result<TokioResolver, ZoneError> {
    let mut builder = TokioResolver::builder_tokio().map_err(ZoneError::Resolver)?;
    let opts = builder.options_mut();
    opts.timeout = timeout;
    builder.build().map_err(ZoneError::Resolver)
}

/// Finds the zone of `name` and its primary (see the module doc). Where an
/// answer carries no SOA (a CNAME into another zone, a refusal), asks again for
/// the parent name, up to the root.
pub(crate) async fn find_zone(
    resolver: &TokioResolver,
    name: &Name,
) -> Result<ZoneInfo, ZoneError> {
    let mut query = name.clone();
    loop {
        log::debug!("asking for the SOA of {query}");
        let (soa, last) = match resolver.lookup(query.clone(), RecordType::SOA).await {
            Ok(lookup) => {
                let soa = lookup.answers().iter().find_map(|r| match &r.data {
                    RData::SOA(soa) => Some((r.name.clone(), soa.mname.clone())),
                    _ => None,
                });
                let code = Answer::Code(hickory_proto::op::ResponseCode::NoError);
                (soa, code)
            }
            Err(NetError::Dns(DnsError::NoRecordsFound(no))) => {
                let soa = no
                    .soa
                    .as_ref()
                    .map(|soa| (soa.name.clone(), soa.data.mname.clone()));
                (soa, Answer::Code(no.response_code))
            }
            Err(e) => (None, Answer::Error(e)),
        };
        if let Some((mut zone, mut primary)) = soa {
            zone.set_fqdn(true);
            primary.set_fqdn(true);
            log::debug!("{name} is in zone {zone}, primary {primary}");
            return Ok(ZoneInfo { zone, primary });
        }
        if query.is_root() {
            return Err(ZoneError::NotFound {
                name: name.clone(),
                source: Box::new(Unanswered {
                    query,
                    rtype: RecordType::SOA,
                    answer: last,
                }),
            });
        }
        query = query.base_name();
    }
}

/// The zone's NS servers (RFC 1035 §3.3.11) as the resolver answers, in
/// its order; empty, and said in `-v` output, when it gives none.
pub(crate) async fn name_servers(resolver: &TokioResolver, zone: &Name) -> Vec<Name> {
    match resolver.lookup(zone.clone(), RecordType::NS).await {
        Ok(lookup) => lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::NS(ns) => {
                    let mut name = ns.0.clone();
                    name.set_fqdn(true);
                    Some(name)
                }
                _ => None,
            })
            .collect(),
        Err(e) => {
            log::debug!("{zone} NS: {e}");
            Vec::new()
        }
    }
}

/// The zone's NS servers but `first` (names compared without case), in a
/// random order.
pub(crate) fn others_than(first: &str, found: Vec<Name>) -> Vec<String> {
    let first = crate::state::parse_name(first).ok();
    let mut names: Vec<String> = found
        .into_iter()
        // hickory's Name equality ignores case (RFC 4343).
        .filter(|ns| first.as_ref() != Some(ns))
        .map(|ns| ns.to_ascii())
        .collect();
    names.dedup();
    shuffle(&mut names);
    names
}

/// Fisher-Yates, with the system's random numbers.
fn shuffle<T>(items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = getrandom::u32().map_or(0, |r| r as usize % (i + 1));
        items.swap(i, j);
    }
}

/// All addresses of `server`: IPv6 first, then IPv4, each in the order the
/// resolver gives them. An address literal is returned as it is.
pub(crate) async fn server_addresses(
    resolver: &TokioResolver,
    server: &Name,
) -> Result<Vec<IpAddr>, ZoneError> {
    let mut out = Vec::new();
    let mut first_failure = None;
    for rtype in [RecordType::AAAA, RecordType::A] {
        match resolver.lookup(server.clone(), rtype).await {
            Ok(lookup) => out.extend(lookup.answers().iter().filter_map(|r| match &r.data {
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                RData::A(a) => Some(IpAddr::V4(a.0)),
                _ => None,
            })),
            Err(e) => {
                log::debug!("{server} {rtype}: {e}");
                first_failure.get_or_insert(Unanswered {
                    query: server.clone(),
                    rtype,
                    answer: Answer::of(e),
                });
            }
        }
    }
    if !out.is_empty() {
        return Ok(out);
    }
    // Both answered, with no address: NOERROR and no data.
    let source = first_failure.unwrap_or_else(|| Unanswered {
        query: server.clone(),
        rtype: RecordType::AAAA,
        answer: Answer::Code(hickory_proto::op::ResponseCode::NoError),
    });
    Err(ZoneError::Addresses {
        name: server.clone(),
        source: Box::new(source),
    })
}

#[cfg(test)]
mod tests {
    use hickory_proto::op::ResponseCode;

    use super::*;

    fn name(text: &str) -> Name {
        Name::from_ascii(text).unwrap()
    }

    #[test]
    fn a_failed_lookup_says_what_was_asked_and_answered() {
        let refused = ZoneError::NotFound {
            name: name("h.example.test."),
            source: Box::new(Unanswered {
                query: name("."),
                rtype: RecordType::SOA,
                answer: Answer::Code(ResponseCode::Refused),
            }),
        };
        assert_eq!(
            crate::util::describe::chain(&refused),
            "no zone found for h.example.test.: no SOA record answers for it or its parents: REFUSED for . SOA"
        );
        let none = ZoneError::Addresses {
            name: name("ns1.example.test."),
            source: Box::new(Unanswered {
                query: name("ns1.example.test."),
                rtype: RecordType::AAAA,
                answer: Answer::Code(ResponseCode::NXDomain),
            }),
        };
        assert_eq!(
            crate::util::describe::chain(&none),
            "cannot find the addresses of ns1.example.test.: NXDOMAIN for ns1.example.test. AAAA"
        );
    }
}
