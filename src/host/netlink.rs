//! The kernel's own view of the links and their IPv6 addresses, over
//! rtnetlink (`RTM_GETLINK` and `RTM_GETADDR` dumps, rtnetlink(7)): the full
//! 32-bit `IFA_FLAGS`, the lifetimes (`IFA_CACHEINFO`) and each link's
//! flags, which `/proc/net/if_inet6` does not show (it has the low 8 bits of
//! the flags and no lifetimes). A blocking socket (netlink-sys) and the
//! messages of netlink-packet-route: no async runtime in this stage.
//!
//! The socket is per network namespace, as the kernel's tables are.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{
    DefaultNla, Emitable, ErrorBuffer, ErrorMessage, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_DONE,
    NLMSG_ERROR, NetlinkBuffer, NetlinkHeader, NlasIterator, Parseable,
};
use netlink_packet_route::AddressFamily;
use netlink_packet_route::address::{AddressHeader, CacheInfo};
use netlink_packet_route::link::{LinkFlags, LinkHeader};
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::{Socket, SocketAddr};

/// Message types (linux/rtnetlink.h).
const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
const RTM_GETADDR: u16 = 22;
/// Attributes (linux/if_link.h, linux/if_addr.h).
const IFLA_IFNAME: u16 = 3;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_CACHEINFO: u16 = 6;
const IFA_FLAGS: u16 = 8;
/// `IFLA_EXT_MASK` and its `RTEXT_FILTER_SKIP_STATS` (linux/rtnetlink.h).
const IFLA_EXT_MASK: u16 = 29;
const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;
/// The receive buffer. The kernel sizes each datagram of a dump by the
/// reader's last buffer (at least a page's worth, `NLMSG_GOODSIZE`; at most
/// 32 KiB: net/netlink/af_netlink.c, netlink_dump), so 8 KiB is always
/// enough for a link's or an address's message, and touches two pages.
const RECEIVE_BUFFER: usize = 8 << 10;

/// `IFA_CACHEINFO`'s "forever".
const INFINITY_LIFE_TIME: u32 = u32::MAX;

/// One IPv6 address of a link, as the kernel holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelAddr {
    /// The address.
    pub addr: IpAddr,
    /// Its prefix length.
    pub prefix_len: u8,
    /// The link's name.
    pub interface: String,
    /// The kernel's `IFA_F_*` flags, all 32 bits.
    pub flags: u32,
    /// Its scope (`RT_SCOPE_*`: 0 global, 253 link, 254 host).
    pub scope: u8,
    /// Seconds of preferred lifetime left; `None`: forever.
    pub preferred: Option<u32>,
    /// Seconds of valid lifetime left; `None`: forever.
    pub valid: Option<u32>,
}

/// One link, as the kernel holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Its index (`ifindex`), which the address events name it by.
    pub index: u32,
    /// Its name.
    pub name: String,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// A loopback (`IFF_LOOPBACK`).
    pub loopback: bool,
}

/// The kernel's links and addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The links, by name.
    pub links: BTreeMap<String, Link>,
    /// The addresses of the families asked for, in the kernel's order.
    pub addrs: Vec<KernelAddr>,
}

/// Which address families [`dump`] lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Families {
    /// IPv4 (`AF_INET`).
    pub ipv4: bool,
    /// IPv6 (`AF_INET6`).
    pub ipv6: bool,
}

/// Dumps the links and the addresses of `families` in this network
/// namespace (one family is asked for alone, so an IPv6-only run reads no
/// IPv4 address).
///
/// Only the headers and the few attributes used are parsed, with the
/// crates' buffer types: parsing every attribute of every link (its
/// statistics, its per-family settings) cost this stage, which runs every
/// minute, about 40 % more instructions and 0.5 MB more code.
pub fn dump(families: Families) -> io::Result<Table> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut receive = Vec::with_capacity(RECEIVE_BUFFER);
    let mut by_index = BTreeMap::new();
    let link_query = LinkHeader::default();
    // The kernel leaves out each link's statistics, which are most of a
    // link's message and of no use here.
    let skip_stats = DefaultNla::new(
        IFLA_EXT_MASK,
        RTEXT_FILTER_SKIP_STATS.to_ne_bytes().to_vec(),
    );
    let query = (&link_query, Some(&skip_stats));
    request(
        &mut socket,
        &mut receive,
        RTM_GETLINK,
        query,
        1,
        |kind, payload| {
            if kind != RTM_NEWLINK {
                return Ok(());
            }
            let (header, name) = link_message(payload).map_err(invalid)?;
            if let Some(name) = name {
                by_index.insert(
                    header.index,
                    Link {
                        index: header.index,
                        name,
                        up: header.flags.contains(LinkFlags::Up),
                        loopback: header.flags.contains(LinkFlags::Loopback),
                    },
                );
            }
            Ok(())
        },
    )?;
    let addr_query = AddressHeader {
        family: match (families.ipv4, families.ipv6) {
            (true, false) => AddressFamily::Inet,
            (false, true) => AddressFamily::Inet6,
            _ => AddressFamily::Unspec,
        },
        ..AddressHeader::default()
    };
    let mut addrs = Vec::new();
    let query = (&addr_query, None);
    request(
        &mut socket,
        &mut receive,
        RTM_GETADDR,
        query,
        2,
        |kind, payload| {
            if kind != RTM_NEWADDR {
                return Ok(());
            }
            let header = AddressHeader::parse(payload).map_err(invalid)?;
            let v4 = header.family == AddressFamily::Inet;
            if !(v4 && families.ipv4 || header.family == AddressFamily::Inet6 && families.ipv6) {
                return Ok(());
            }
            let Some(link) = by_index.get(&header.index) else {
                return Ok(());
            };
            // IFA_FLAGS, when present, holds all 32 bits; else the header's 8.
            let mut flags = u32::from(header.flags.bits());
            // For IPv4, IFA_LOCAL is the interface's own address (IFA_ADDRESS
            // is the peer's on a point-to-point link); IPv6 has IFA_ADDRESS.
            let (mut addr, mut local) = (None, None);
            let (mut preferred, mut valid) = (None, None);
            for nla in NlasIterator::new(&payload[addr_query.buffer_len()..]) {
                let nla = nla.map_err(invalid)?;
                let value = nla.value();
                match nla.kind() {
                    IFA_ADDRESS => addr = ip(value),
                    IFA_LOCAL => local = ip(value),
                    IFA_FLAGS => {
                        if let Ok(bits) = <[u8; 4]>::try_from(value) {
                            flags = u32::from_ne_bytes(bits);
                        }
                    }
                    IFA_CACHEINFO => {
                        let info = CacheInfo::parse(value).map_err(invalid)?;
                        let life = |secs: u32| (secs != INFINITY_LIFE_TIME).then_some(secs);
                        preferred = life(info.ifa_preferred);
                        valid = life(info.ifa_valid);
                    }
                    _ => {}
                }
            }
            if let Some(addr) = local.or(addr) {
                addrs.push(KernelAddr {
                    addr,
                    prefix_len: header.prefix_len,
                    interface: link.name.clone(),
                    flags,
                    scope: u8::from(header.scope),
                    preferred,
                    valid,
                });
            }
            Ok(())
        },
    )?;
    let links = by_index
        .into_values()
        .map(|link| (link.name.clone(), link))
        .collect();
    Ok(Table { links, addrs })
}

/// The link one multicast event is about: its index, and its name when
/// the message gives it (a link's own message; an address's gives only
/// the index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLink {
    /// The link's index.
    pub index: u32,
    /// Its name, from `IFLA_IFNAME`.
    pub name: Option<String>,
}

/// The links the events of one datagram (rtnetlink multicast: `RTM_NEWLINK`,
/// `RTM_DELLINK`, `RTM_NEWADDR`, `RTM_DELADDR`) are about. `None` when a
/// message does not parse: the caller cannot tell, and reads everything.
pub fn event_links(datagram: &[u8]) -> Option<Vec<EventLink>> {
    let mut links = Vec::new();
    for message in messages(datagram) {
        let message = message.ok()?;
        let payload = message.payload();
        match message.message_type() {
            RTM_NEWLINK | RTM_DELLINK => {
                let (header, name) = link_message(payload).ok()?;
                links.push(EventLink {
                    index: header.index,
                    name,
                });
            }
            RTM_NEWADDR | RTM_DELADDR => {
                let header = AddressHeader::parse(payload).ok()?;
                links.push(EventLink {
                    index: header.index,
                    name: None,
                });
            }
            _ => {}
        }
    }
    Some(links)
}

/// A link's message: its header, and its name (`IFLA_IFNAME`).
fn link_message(
    payload: &[u8],
) -> Result<(LinkHeader, Option<String>), netlink_packet_core::DecodeError> {
    let header = LinkHeader::parse(payload)?;
    let mut name = None;
    let attributes = payload.get(header.buffer_len()..).unwrap_or_default();
    for nla in NlasIterator::new(attributes) {
        let nla = nla?;
        if nla.kind() == IFLA_IFNAME {
            let value = nla.value();
            let end = value.iter().position(|b| *b == 0).unwrap_or(value.len());
            name = Some(String::from_utf8_lossy(&value[..end]).into_owned());
        }
    }
    Ok((header, name))
}

/// The netlink messages of one datagram, each checked, in order (each
/// aligned to 4 octets, `NLMSG_ALIGN`).
fn messages(
    datagram: &[u8],
) -> impl Iterator<Item = Result<NetlinkBuffer<&[u8]>, netlink_packet_core::DecodeError>> {
    let mut offset = 0;
    std::iter::from_fn(move || {
        let rest = datagram.get(offset..).filter(|r| !r.is_empty())?;
        match NetlinkBuffer::new_checked(rest) {
            Ok(message) => {
                let length = message.length() as usize;
                // A zero length would never move on: the last message.
                offset = if length == 0 {
                    datagram.len()
                } else {
                    offset + ((length + 3) & !3)
                };
                Some(Ok(message))
            }
            Err(e) => {
                offset = datagram.len();
                Some(Err(e))
            }
        }
    })
}

/// An address attribute's value: 4 or 16 octets.
fn ip(value: &[u8]) -> Option<IpAddr> {
    match value.len() {
        4 => <[u8; 4]>::try_from(value)
            .ok()
            .map(|b| IpAddr::from(Ipv4Addr::from(b))),
        16 => <[u8; 16]>::try_from(value)
            .ok()
            .map(|b| IpAddr::from(Ipv6Addr::from(b))),
        _ => None,
    }
}

/// A message the kernel sent that does not parse.
fn invalid(e: netlink_packet_core::DecodeError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Sends one dump request (`kind`, with a header and an optional attribute
/// as its payload) and hands each message of its answer, up to
/// `NLMSG_DONE`, to `each` (its type and payload), in place.
fn request(
    socket: &mut Socket,
    receive: &mut Vec<u8>,
    kind: u16,
    (header, nla): (&impl Emitable, Option<&DefaultNla>),
    sequence: u32,
    mut each: impl FnMut(u16, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut nl = NetlinkHeader::default();
    nl.message_type = kind;
    nl.flags = NLM_F_DUMP | NLM_F_REQUEST;
    nl.sequence_number = sequence;
    let extra = nla.map_or(0, Emitable::buffer_len);
    nl.length = (nl.buffer_len() + header.buffer_len() + extra) as u32;
    let mut buf = vec![0; nl.length as usize];
    nl.emit(&mut buf);
    header.emit(&mut buf[nl.buffer_len()..]);
    if let Some(nla) = nla {
        nla.emit(&mut buf[nl.buffer_len() + header.buffer_len()..]);
    }
    socket.send(&buf, 0)?;
    loop {
        receive.clear();
        let size = socket.recv(receive, 0)?.min(receive.len());
        for message in messages(&receive[..size]) {
            let message = message.map_err(invalid)?;
            if message.sequence_number() == sequence {
                match message.message_type() {
                    NLMSG_DONE => return Ok(()),
                    NLMSG_ERROR => {
                        let payload = message.payload().to_vec();
                        let error = ErrorBuffer::new_checked(&payload).map_err(invalid)?;
                        return Err(ErrorMessage::parse(&error).map_err(invalid)?.to_io());
                    }
                    kind => each(kind, message.payload())?,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A netlink message of `kind` around `payload` (linux/netlink.h:
    /// length, type, flags, sequence, port), padded to 4 octets.
    fn message(kind: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(16 + payload.len() as u32).to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(&[0; 10]);
        out.extend_from_slice(payload);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        out
    }

    #[test]
    fn events_name_their_links() {
        // RTM_NEWADDR: ifaddrmsg (family, prefix length, flags, scope, index 7).
        let mut datagram = message(RTM_NEWADDR, &[10, 64, 0, 0, 7, 0, 0, 0]);
        // RTM_DELLINK: ifinfomsg (index 3), then IFLA_IFNAME "veth1".
        let mut link = vec![0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        link.extend_from_slice(&10u16.to_ne_bytes());
        link.extend_from_slice(&IFLA_IFNAME.to_ne_bytes());
        link.extend_from_slice(b"veth1\0");
        datagram.extend(message(RTM_DELLINK, &link));
        // A route's message is about no link.
        datagram.extend(message(24, &[0; 12]));
        assert_eq!(
            event_links(&datagram),
            Some(vec![
                EventLink {
                    index: 7,
                    name: None
                },
                EventLink {
                    index: 3,
                    name: Some("veth1".into())
                },
            ])
        );
        // Cut short: the caller cannot tell what it was about.
        assert_eq!(event_links(&datagram[..20]), None);
    }
}
