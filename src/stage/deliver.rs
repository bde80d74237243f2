//! Getting an encoded update to a primary: its addresses (the system
//! resolver, made on first use), each tried in turn within a deadline, and
//! how the server is named in result lines and `--dry-run` output. Shared
//! by the forward update and each reverse zone's.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::rr::Name;
use hickory_resolver::TokioResolver;

use crate::dns::live::server_literal;
use crate::dns::tkey::{self, GssInitiator, TkeyError};
use crate::dns::transport::{self, Tls};
use crate::dns::tsig::Key;
use crate::dns::update::{self, ServerError};
use crate::dns::zone;
use crate::state::parse_name;

use super::send_options::SendOptions;
use super::{BadName, LOOKUP_BOUND, SendError};

/// The server as a result line names it: the address, or the name and
/// the address that answered.
pub(super) fn shown_at(server: &str, addr: SocketAddr, port: u16) -> String {
    if server_literal(server, port).is_some() {
        addr.to_string()
    } else {
        format!("{server} ({addr})")
    }
}

/// The server and port as `--dry-run` shows them.
pub(super) fn show_server(server: &str, port: u16) -> (String, u16) {
    match server_literal(server, port) {
        Some(addr) => (addr.ip().to_string(), addr.port()),
        None => (server.to_owned(), port),
    }
}

/// How an update is signed on its way to each address.
#[derive(Clone, Copy)]
pub(super) enum Signing<'a> {
    /// Signed already (with a TSIG key, or not at all): the key to check
    /// the answer with, and what was signed.
    Ready(Option<(&'a Key, &'a crate::dns::tsig::Signed)>),
    /// GSS-TSIG: a context negotiated with each address (TKEY), with the
    /// server's own name as the service (see `service_host`; the zone's
    /// primary, `mname`, for an address), as the Kerberos identity of
    /// `host`.
    Gss {
        /// Starts contexts.
        initiator: &'a dyn GssInitiator,
        /// The primary's SOA MNAME (the service principal's host).
        mname: &'a Name,
        /// The host registering.
        host: &'a Name,
    },
}

impl<'a> Signing<'a> {
    /// GSS-TSIG for `host` when a context is to be negotiated with the
    /// primary `mname` (no TSIG key, and the GSS-API is on); else `key`
    /// and what it signed, or nothing.
    pub(super) fn of(
        opts: &'a SendOptions,
        mname: Option<&'a Name>,
        host: &'a Name,
        key: Option<(&'a Key, &'a crate::dns::tsig::Signed)>,
    ) -> Self {
        match (&opts.gss, mname) {
            (Some(initiator), Some(mname)) => Self::Gss {
                initiator: initiator.as_ref(),
                mname,
                host,
            },
            _ => Self::Ready(key),
        }
    }
}

/// Sends an update to each address in turn until one accepts it, within
/// `deadline`, signed as `signing` says: for GSS-TSIG, a context is
/// negotiated with each address before the update, signed with it, is
/// sent there. Stops at once on an error `stop` says is final, or on a
/// failure of the host's own Kerberos credentials (another address would
/// fail the same). The address that accepted it, or each address tried
/// and what it said.
#[allow(clippy::too_many_arguments)]
pub(super) fn send_signed(
    server: &str,
    addrs: Vec<SocketAddr>,
    request: &hickory_proto::op::Message,
    wire: &[u8],
    signing: Signing<'_>,
    opts: &SendOptions,
    deadline: Instant,
    stop: impl Fn(&ServerError) -> bool,
) -> Result<(SocketAddr, update::Granted), Vec<(SocketAddr, ServerError)>> {
    let mut attempts = Vec::new();
    let tls = opts.tls.as_deref().map(|client| Tls { client, server });
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            attempts.push((addr, ServerError::NotTried));
            continue;
        }
        let timeout = opts.timeout.min(left);
        log::debug!("sending the update to {server} at {addr}");
        let result = match signing {
            Signing::Ready(key) => update::exchange(addr, tls, request, wire, key, timeout),
            Signing::Gss {
                initiator,
                mname,
                host,
            } => gss_attempt(
                addr,
                tls,
                &service_host(server, mname),
                host,
                initiator,
                request,
                (timeout, deadline),
            ),
        };
        match result {
            Ok(granted) => return Ok((addr, granted)),
            Err(e) => {
                log::debug!("{server} at {addr}: {e}");
                let last = stop(&e) || matches!(e, ServerError::Tkey(TkeyError::Gss(_)));
                attempts.push((addr, e));
                if last {
                    break;
                }
            }
        }
    }
    Err(attempts)
}

/// The host of the service principal GSS-TSIG asks a ticket for at
/// `server` (`DNS/HOST`): the server's own name when it is one, as each
/// Active Directory domain controller is `DNS/` its own name (the next
/// servers of `"servers"` too); else, for an address, the zone's primary
/// (`mname`, the SOA's MNAME).
fn service_host(server: &str, mname: &Name) -> Name {
    match server_literal(server, 53) {
        Some(_) => mname.clone(),
        None => parse_name(server).unwrap_or_else(|_| mname.clone()),
    }
}

/// One GSS-TSIG attempt at `addr`, on one connection: TKEY, then the
/// update signed with the new context, its answer's MIC checked.
fn gss_attempt(
    addr: SocketAddr,
    tls: Option<Tls<'_>>,
    mname: &Name,
    host: &Name,
    initiator: &dyn GssInitiator,
    request: &hickory_proto::op::Message,
    (timeout, until): (Duration, Instant),
) -> Result<update::Granted, ServerError> {
    let mut conn = transport::connect(addr, tls, timeout, until)?;
    let mut key = tkey::negotiate(&mut conn, mname, host, initiator)?;
    let mut signed_request = request.clone();
    let signed = tkey::sign(&mut signed_request, &mut key, crate::dns::tsig::now_secs())?;
    let wire = crate::dns::tsig::encode(&signed_request)
        .map_err(|e| tkey::GssSignError::Encode(e.to_string()))?;
    update::exchange_gss(&mut conn, &signed_request, &wire, &mut key, &signed)
}

/// The system resolver, made on first use, for the zones and primaries
/// the state does not name.
pub(super) struct Lookups {
    timeout: Duration,
    resolver: Option<TokioResolver>,
}

impl Lookups {
    /// None made yet.
    pub(super) fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            resolver: None,
        }
    }

    /// The resolver, made now if need be.
    pub(super) fn resolver(&mut self) -> Result<&TokioResolver, SendError> {
        let resolver = match self.resolver.take() {
            Some(r) => r,
            None => zone::system_resolver(self.timeout)?,
        };
        Ok(self.resolver.insert(resolver))
    }

    /// The addresses to send to: the server's own when it is an address,
    /// else every address of its name, IPv6 first, within [`LOOKUP_BOUND`]
    /// timeouts.
    pub(super) async fn server_addresses(
        &mut self,
        server: &str,
        opts: &SendOptions,
    ) -> Result<Vec<SocketAddr>, SendError> {
        if let Some(addr) = server_literal(server, opts.port) {
            return Ok(vec![addr]);
        }
        let name = parse_name(server).map_err(|source| BadName {
            what: "server".into(),
            source,
        })?;
        let bound = opts.timeout * LOOKUP_BOUND;
        let resolver = self.resolver()?;
        let found = tokio::time::timeout(bound, zone::server_addresses(resolver, &name))
            .await
            .map_err(|_| SendError::ServerTimeout {
                name: name.clone(),
                bound,
            })??;
        Ok(found
            .into_iter()
            .map(|ip| SocketAddr::new(ip, opts.port))
            .collect())
    }
}

/// The primary's SOA MNAME, for GSS-TSIG's service principal: `server`
/// itself when it is a name (as `dyndns-soa` gives it), else the zone's
/// SOA asked for.
pub(super) async fn mname(
    server: &str,
    zone: &Name,
    lookups: &mut Lookups,
    opts: &SendOptions,
) -> Result<Name, SendError> {
    if server_literal(server, opts.port).is_none()
        && let Ok(name) = parse_name(server)
    {
        return Ok(name);
    }
    let found = super::soa::bounded_find_zone(lookups.resolver()?, zone, opts.timeout).await?;
    Ok(found.primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_literals() {
        assert_eq!(server_literal("::1", 53), Some("[::1]:53".parse().unwrap()));
        assert_eq!(
            server_literal("[::1]:5353", 53),
            Some("[::1]:5353".parse().unwrap())
        );
        assert_eq!(
            server_literal("127.0.0.1:54", 53),
            Some("127.0.0.1:54".parse().unwrap())
        );
        assert_eq!(server_literal("ns1.example.test.", 53), None);
    }
}
