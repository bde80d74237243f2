//! `dyndns-watch`: the kernel's own address and link events, over
//! rtnetlink multicast (`RTMGRP_LINK`, `RTMGRP_IPV6_IFADDR`, and
//! `RTMGRP_IPV4_IFADDR` when IPv4 is on), turned into changes of the
//! registrable set.
//!
//! An event only says that something changed; what matters is whether the
//! set of addresses to register changed. So after each burst of events (a
//! quiet time with none) the kernel's table is read again ([`crate::host::addrs`],
//! under the config's policy) and compared with the last: an address whose
//! duplicate address detection ends becomes registrable then (the kernel
//! announces the flag change), a refresh that only renews lifetimes changes
//! nothing, and a receive-buffer overrun (`ENOBUFS`) is one more reason to
//! read it all again, so no change is lost. Waiting is `poll(2)` on the
//! socket: no CPU while nothing changes.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::IpAddr;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::{Socket, SocketAddr};

use crate::host::addrs::{self, AddrError, Selection};
use crate::host::netlink::{EventLink, event_links};

/// rtnetlink multicast groups (linux/rtnetlink.h).
const RTMGRP_LINK: u32 = 0x1;
const RTMGRP_IPV4_IFADDR: u32 = 0x10;
const RTMGRP_IPV6_IFADDR: u32 = 0x100;

/// One address that became registrable, or stopped being.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// `address-added` or `address-removed`.
    pub event: &'static str,
    /// Its interface.
    pub interface: String,
    /// The address.
    pub address: IpAddr,
}

/// The registrable addresses, with their interfaces.
pub type Registrable = BTreeSet<(String, IpAddr)>;

/// The links known at the last read, by index: their name and whether
/// each is a loopback, to tell which events concern a watched interface.
#[derive(Clone, Debug, Default)]
pub struct Links(BTreeMap<u32, (String, bool)>);

/// The addresses registrable now under `selection`, and the links.
pub fn registrable(selection: &Selection) -> Result<(Registrable, Links), AddrError> {
    let table = addrs::kernel_table(selection.families)?;
    let links = Links(
        table
            .links
            .values()
            .map(|l| (l.index, (l.name.clone(), l.loopback)))
            .collect(),
    );
    let explained = addrs::explain(&table, selection)?;
    let set = explained
        .into_iter()
        .filter(|e| e.reason.is_none())
        .map(|e| (e.kernel.interface, e.kernel.addr))
        .collect();
    Ok((set, links))
}

/// Whether an event about `link` may change what is registered under
/// `selection`: it is about an interface named (or, with none named, one
/// that is not a loopback), or about a link not known yet (a new one, to
/// learn by reading the table again). Events on other interfaces (a busy
/// bridge's, a container's veth) neither start nor prolong a burst.
pub fn watched(selection: &Selection, links: &Links, link: &EventLink) -> bool {
    let known = links.0.get(&link.index);
    let Some(name) = link.name.as_deref().or(known.map(|(n, _)| n.as_str())) else {
        return true;
    };
    if selection.interfaces.is_empty() {
        return !known.is_some_and(|(_, loopback)| *loopback);
    }
    addrs::named(&selection.interfaces, name)
}

/// What changed from `before` to `after`: removals first.
pub fn changes(before: &Registrable, after: &Registrable) -> Vec<Change> {
    let change = |event, (interface, address): &(String, IpAddr)| Change {
        event,
        interface: interface.clone(),
        address: *address,
    };
    before
        .difference(after)
        .map(|a| change("address-removed", a))
        .chain(after.difference(before).map(|a| change("address-added", a)))
        .collect()
}

/// What woke the watcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// The kernel announced a change on a watched interface (drained).
    Event,
    /// The kernel announced changes, none on a watched interface (drained).
    Ignored,
    /// The receive buffer overran: changes were lost, read everything again.
    Overrun,
    /// The other descriptor (a signal) is readable.
    Other,
    /// The timeout passed.
    Timeout,
}

/// A socket subscribed to the kernel's link and address events.
#[derive(Debug)]
pub struct Events {
    socket: Socket,
    buffer: Vec<u8>,
}

impl Events {
    /// Subscribes to the link events and the address events of the
    /// families in `selection`; `receive_buffer` sets the socket's buffer
    /// (tests make it tiny to provoke an overrun).
    pub fn open(selection: &Selection, receive_buffer: Option<usize>) -> io::Result<Self> {
        let mut socket = Socket::new(NETLINK_ROUTE)?;
        let mut groups = RTMGRP_LINK;
        if selection.families.ipv6 {
            groups |= RTMGRP_IPV6_IFADDR;
        }
        if selection.families.ipv4 {
            groups |= RTMGRP_IPV4_IFADDR;
        }
        socket.bind(&SocketAddr::new(0, groups))?;
        if let Some(size) = receive_buffer {
            socket.set_rx_buf_sz(size)?;
        }
        socket.set_non_blocking(true)?;
        Ok(Self {
            socket,
            buffer: Vec::with_capacity(8 << 10),
        })
    }

    /// Waits, without polling, until an event comes, `other` becomes
    /// readable, or `timeout` (`None`: forever) passes; then drains what
    /// the socket holds. [`Wake::Event`] only when `counts` says an event
    /// is about a watched link.
    pub fn wait(
        &mut self,
        other: BorrowedFd<'_>,
        timeout: Option<Duration>,
        counts: impl Fn(&EventLink) -> bool,
    ) -> io::Result<Wake> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let timespec = timeout.map(|t| Timespec {
            tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(t.subsec_nanos()),
        });
        let mut fds = [
            PollFd::new(&self.socket, PollFlags::IN),
            PollFd::new(&other, PollFlags::IN),
        ];
        match poll(&mut fds, timespec.as_ref()) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok(Wake::Other),
            Err(e) => return Err(e.into()),
        }
        let (ours, theirs) = (fds[0].revents(), fds[1].revents());
        if !theirs.is_empty() {
            return Ok(Wake::Other);
        }
        if ours.is_empty() {
            return Ok(Wake::Timeout);
        }
        self.drain(counts)
    }

    /// Reads every datagram waiting: [`Wake::Overrun`] if the kernel
    /// dropped some, else [`Wake::Event`] if one counts, else
    /// [`Wake::Ignored`]. A datagram that does not parse counts.
    fn drain(&mut self, counts: impl Fn(&EventLink) -> bool) -> io::Result<Wake> {
        let mut wake = Wake::Ignored;
        loop {
            self.buffer.clear();
            match self.socket.recv(&mut self.buffer, 0) {
                Ok(_) => {
                    let relevant =
                        event_links(&self.buffer).is_none_or(|links| links.iter().any(&counts));
                    if relevant && wake == Wake::Ignored {
                        wake = Wake::Event;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(wake),
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => wake = Wake::Overrun,
                Err(e) => return Err(e),
            }
        }
    }

    /// The socket, to wait on beside others.
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_removals_then_additions() {
        let set = |v: &[(&str, &str)]| -> Registrable {
            v.iter()
                .map(|(i, a)| (i.to_string(), a.parse().unwrap()))
                .collect()
        };
        let before = set(&[("eth0", "2001:db8::1"), ("eth0", "2001:db8::2")]);
        let after = set(&[("eth0", "2001:db8::2"), ("eth1", "2001:db8::3")]);
        let got: Vec<(&str, String)> = changes(&before, &after)
            .iter()
            .map(|c| (c.event, c.address.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("address-removed", "2001:db8::1".into()),
                ("address-added", "2001:db8::3".into())
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }
}
