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
use std::net::{IpAddr, Ipv6Addr};

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::{Socket, SocketAddr};

/// `IFA_CACHEINFO`'s "forever".
const INFINITY_LIFE_TIME: u32 = u32::MAX;

/// One IPv6 address of a link, as the kernel holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelAddr {
    /// The address.
    pub addr: Ipv6Addr,
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
    /// Its name.
    pub name: String,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// A loopback (`IFF_LOOPBACK`).
    pub loopback: bool,
}

/// The kernel's links and IPv6 addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The links, by name.
    pub links: BTreeMap<String, Link>,
    /// The IPv6 addresses, in the kernel's order.
    pub addrs: Vec<KernelAddr>,
}

/// Dumps the links and the IPv6 addresses of this network namespace.
pub fn dump() -> io::Result<Table> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut by_index = BTreeMap::new();
    for message in request(
        &mut socket,
        RouteNetlinkMessage::GetLink(LinkMessage::default()),
        1,
    )? {
        if let RouteNetlinkMessage::NewLink(link) = message {
            let name = link.attributes.iter().find_map(|a| match a {
                LinkAttribute::IfName(name) => Some(name.clone()),
                _ => None,
            });
            if let Some(name) = name {
                let flags = link.header.flags;
                by_index.insert(
                    link.header.index,
                    Link {
                        name,
                        up: flags.contains(LinkFlags::Up),
                        loopback: flags.contains(LinkFlags::Loopback),
                    },
                );
            }
        }
    }
    let mut query = AddressMessage::default();
    query.header.family = AddressFamily::Inet6;
    let mut addrs = Vec::new();
    for message in request(&mut socket, RouteNetlinkMessage::GetAddress(query), 2)? {
        let RouteNetlinkMessage::NewAddress(msg) = message else {
            continue;
        };
        if msg.header.family != AddressFamily::Inet6 {
            continue;
        }
        let Some(link) = by_index.get(&msg.header.index) else {
            continue;
        };
        // IFA_FLAGS, when present, holds all 32 bits; else the header's 8.
        let mut flags = u32::from(msg.header.flags.bits());
        let mut addr = None;
        let (mut preferred, mut valid) = (None, None);
        for attribute in &msg.attributes {
            match attribute {
                AddressAttribute::Address(IpAddr::V6(a)) => addr = Some(*a),
                AddressAttribute::Flags(f) => flags = f.bits(),
                AddressAttribute::CacheInfo(info) => {
                    let life = |secs: u32| (secs != INFINITY_LIFE_TIME).then_some(secs);
                    preferred = life(info.ifa_preferred);
                    valid = life(info.ifa_valid);
                }
                _ => {}
            }
        }
        if let Some(addr) = addr {
            addrs.push(KernelAddr {
                addr,
                prefix_len: msg.header.prefix_len,
                interface: link.name.clone(),
                flags,
                scope: u8::from(msg.header.scope),
                preferred,
                valid,
            });
        }
    }
    let links = by_index
        .into_values()
        .map(|link| (link.name.clone(), link))
        .collect();
    Ok(Table { links, addrs })
}

/// Sends one dump request and reads its answer up to `NLMSG_DONE`.
fn request(
    socket: &mut Socket,
    message: RouteNetlinkMessage,
    sequence: u32,
) -> io::Result<Vec<RouteNetlinkMessage>> {
    let mut packet = NetlinkMessage::new(NetlinkHeader::default(), NetlinkPayload::from(message));
    packet.header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    packet.header.sequence_number = sequence;
    packet.finalize();
    let mut buf = vec![0; packet.buffer_len()];
    packet.serialize(&mut buf[..]);
    socket.send(&buf, 0)?;
    let mut out = Vec::new();
    // A dump comes in datagrams of a page or a few; 64 KiB holds any.
    let mut receive = vec![0u8; 1 << 16];
    loop {
        let size = socket.recv(&mut &mut receive[..], 0)?;
        let mut offset = 0;
        while offset < size {
            let packet: NetlinkMessage<RouteNetlinkMessage> =
                NetlinkMessage::deserialize(&receive[offset..size])
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            let length = packet.header.length as usize;
            match packet.payload {
                NetlinkPayload::Done(_) => return Ok(out),
                NetlinkPayload::Error(e) => {
                    return Err(e.to_io());
                }
                NetlinkPayload::InnerMessage(inner)
                    if packet.header.sequence_number == sequence =>
                {
                    out.push(inner);
                }
                _ => {}
            }
            if length == 0 {
                break;
            }
            offset += length;
        }
    }
}
