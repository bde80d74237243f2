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

use std::collections::BTreeSet;
use std::io;
use std::net::IpAddr;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::{Socket, SocketAddr};

use crate::host::addrs::{self, AddrError, Selection};

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

/// The addresses registrable now under `selection`.
pub fn registrable(selection: &Selection) -> Result<Registrable, AddrError> {
    let table = addrs::kernel_table(selection.families)?;
    let explained = addrs::explain(&table, selection)?;
    Ok(explained
        .into_iter()
        .filter(|e| e.reason.is_none())
        .map(|e| (e.kernel.interface, e.kernel.addr))
        .collect())
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
    /// The kernel announced a change (drained).
    Event,
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
    /// the socket holds.
    pub fn wait(&mut self, other: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<Wake> {
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
        self.drain()
    }

    /// Reads every datagram waiting: [`Wake::Overrun`] if the kernel
    /// dropped some.
    fn drain(&mut self) -> io::Result<Wake> {
        let mut wake = Wake::Event;
        loop {
            self.buffer.clear();
            match self.socket.recv(&mut self.buffer, 0) {
                Ok(_) => {}
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
