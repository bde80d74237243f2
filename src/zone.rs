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
pub struct ZoneInfo {
    /// The zone apex (the SOA's owner).
    pub zone: Name,
    /// The primary server's name (the SOA's MNAME).
    pub primary: Name,
}

/// Why no zone was found.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    /// The resolver could not be set up from the system's configuration.
    #[error("cannot set up the system resolver from /etc/resolv.conf")]
    Resolver(#[source] NetError),
    /// No SOA was found for the name or any of its parents.
    #[error("no zone found for {name}: no SOA record answers for it or its parents ({last})")]
    NotFound {
        /// The name.
        name: Name,
        /// The last resolver error.
        last: String,
    },
    /// An address lookup failed.
    #[error("cannot find the addresses of {name}: {cause}")]
    Addresses {
        /// The name looked up.
        name: Name,
        /// Why.
        cause: String,
    },
}

/// A resolver built from the system's config (`/etc/resolv.conf`, `/etc/hosts`).
pub fn system_resolver(timeout: Duration) -> Result<TokioResolver, ZoneError> {
    let mut builder = TokioResolver::builder_tokio().map_err(ZoneError::Resolver)?;
    let opts = builder.options_mut();
    opts.timeout = timeout;
    builder.build().map_err(ZoneError::Resolver)
}

/// Finds the zone of `name` and its primary (see the module doc). Where an
/// answer carries no SOA (a CNAME into another zone, a refusal), asks again for
/// the parent name, up to the root.
pub async fn find_zone(resolver: &TokioResolver, name: &Name) -> Result<ZoneInfo, ZoneError> {
    let mut query = name.clone();
    let mut last = String::from("no answer");
    loop {
        log::debug!("asking for the SOA of {query}");
        let soa = match resolver.lookup(query.clone(), RecordType::SOA).await {
            Ok(lookup) => lookup.answers().iter().find_map(|r| match &r.data {
                RData::SOA(soa) => Some((r.name.clone(), soa.mname.clone())),
                _ => None,
            }),
            Err(NetError::Dns(DnsError::NoRecordsFound(no))) => {
                last = format!("{} for {query}", no.response_code);
                no.soa.map(|soa| (soa.name.clone(), soa.data.mname.clone()))
            }
            Err(e) => {
                last = format!("{e} for {query}");
                None
            }
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
                last,
            });
        }
        query = query.base_name();
    }
}

/// All addresses of `server`: IPv6 first, then IPv4, each in the order the
/// resolver gives them. An address literal is returned as it is.
pub async fn server_addresses(
    resolver: &TokioResolver,
    server: &Name,
) -> Result<Vec<IpAddr>, ZoneError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for rtype in [RecordType::AAAA, RecordType::A] {
        match resolver.lookup(server.clone(), rtype).await {
            Ok(lookup) => out.extend(lookup.answers().iter().filter_map(|r| match &r.data {
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                RData::A(a) => Some(IpAddr::V4(a.0)),
                _ => None,
            })),
            Err(NetError::Dns(DnsError::NoRecordsFound(no))) => {
                errors.push(format!("{rtype}: {}", no.response_code))
            }
            Err(e) => errors.push(format!("{rtype}: {e}")),
        }
    }
    if out.is_empty() {
        return Err(ZoneError::Addresses {
            name: server.clone(),
            cause: errors.join(", "),
        });
    }
    Ok(out)
}
