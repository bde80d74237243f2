//! Choosing the addresses to register: every global unicast IPv6 address of
//! the chosen interfaces that the kernel considers stable, as the config's
//! address policy widens or narrows it; and, for every address the kernel
//! holds, why it is registered or not (`dyndns-addrs --explain`).
//!
//! The kernel's view comes over rtnetlink ([`crate::host::netlink`]): all 32 bits
//! of each address's flags, its lifetimes, and each link's state. It is per
//! network namespace, so tests see only their own namespace's interfaces.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::host::netlink::{Families, KernelAddr, Table};

mod explain;
mod policy;

pub use explain::{Format, render};
pub use policy::{Policy, Prefix};

/// `IFA_F_*` (linux/if_addr.h): the kernel's address flags.
pub mod flags {
    /// An RFC 4941 temporary (privacy) address (`IFA_F_SECONDARY`).
    pub const TEMPORARY: u32 = 0x01;
    /// Duplicate address detection is off for it.
    pub const NODAD: u32 = 0x02;
    /// Optimistic DAD (RFC 4429): usable, but not yet proven unique.
    pub const OPTIMISTIC: u32 = 0x04;
    /// Duplicate address detection failed.
    pub const DADFAILED: u32 = 0x08;
    /// A Mobile IPv6 home address.
    pub const HOMEADDRESS: u32 = 0x10;
    /// Its preferred lifetime is over.
    pub const DEPRECATED: u32 = 0x20;
    /// Duplicate address detection is still running.
    pub const TENTATIVE: u32 = 0x40;
    /// Configured, not learnt (no lifetimes from router advertisements).
    pub const PERMANENT: u32 = 0x80;
    /// The stable base the kernel makes temporaries from: register it.
    pub const MANAGETEMPADDR: u32 = 0x100;
    /// No prefix route was made for it.
    pub const NOPREFIXROUTE: u32 = 0x200;
    /// Joined its multicast group automatically.
    pub const MCAUTOJOIN: u32 = 0x400;
    /// An RFC 7217 stable, semantically opaque address: register it.
    pub const STABLE_PRIVACY: u32 = 0x800;

    /// Each flag and its name, as `ip address` prints them.
    pub const NAMES: [(u32, &str); 12] = [
        (TEMPORARY, "temporary"),
        (NODAD, "nodad"),
        (OPTIMISTIC, "optimistic"),
        (DADFAILED, "dadfailed"),
        (HOMEADDRESS, "home"),
        (DEPRECATED, "deprecated"),
        (TENTATIVE, "tentative"),
        (PERMANENT, "permanent"),
        (MANAGETEMPADDR, "mngtmpaddr"),
        (NOPREFIXROUTE, "noprefixroute"),
        (MCAUTOJOIN, "autojoin"),
        (STABLE_PRIVACY, "stable-privacy"),
    ];
}

/// Why the addresses could not be listed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AddrError {
    /// A named interface does not exist, or a pattern matches none.
    #[error("no interface named \"{0}\" (see `ip link` for the names on this host)")]
    NoSuchInterface(String),
    /// The kernel's tables could not be read over rtnetlink.
    #[error("cannot read the kernel's addresses over rtnetlink")]
    Netlink(#[source] io::Error),
}

/// Which addresses are wanted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Interfaces named by the user, or glob patterns (`eth*`); empty:
    /// every interface that is up and not a loopback.
    pub interfaces: Vec<String>,
    /// The config's address policy.
    pub policy: Policy,
    /// Which families count.
    pub families: Families,
}

impl Default for Families {
    /// IPv6 alone, as PyDynDNS's default config.
    fn default() -> Self {
        Self {
            ipv4: false,
            ipv6: true,
        }
    }
}

/// Why an address of the kernel's table is not registered. The names are
/// what the state document's `left_out` key and `--explain` carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// fe80::/10: valid on one link only.
    LinkLocal,
    /// fc00::/7 (RFC 4193), while `ipv6.ula` is off.
    UniqueLocal,
    /// ff00::/8.
    Multicast,
    /// 100::/64 (RFC 6666).
    Discard,
    /// Any other special-purpose range (RFC 6890): in IPv6, ::/16
    /// (unspecified, loopback, IPv4-mapped and -compatible); in IPv4,
    /// 0.0.0.0/8, 127.0.0.0/8, 240.0.0.0/4 and the broadcast address.
    SpecialPurpose,
    /// 100.64.0.0/10, the shared address space of carrier-grade NAT (RFC
    /// 6598), unless an `include` prefix names it.
    Shared,
    /// 2001::/32 (RFC 4380), while `ipv6.teredo` is off.
    Teredo,
    /// An RFC 4941 temporary (privacy) address, while `ipv6.temporary` is off.
    Temporary,
    /// Duplicate address detection is still running.
    Tentative,
    /// Optimistic DAD (RFC 4429): not yet proven unique.
    Optimistic,
    /// Duplicate address detection failed: another host has it.
    DadFailed,
    /// Its preferred lifetime is over.
    Deprecated,
    /// Its interface is down (only when no interface was named).
    InterfaceDown,
    /// Its interface is a loopback (only when no interface was named).
    Loopback,
    /// Its interface was not named.
    NotNamed,
    /// Inside a prefix of `ipv6.exclude`.
    Excluded,
    /// Outside every prefix of `ipv6.include`.
    NotIncluded,
}

impl Reason {
    /// The reason as the state document names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LinkLocal => "link-local",
            Self::UniqueLocal => "unique-local",
            Self::Multicast => "multicast",
            Self::Discard => "discard",
            Self::SpecialPurpose => "special-purpose",
            Self::Shared => "shared",
            Self::Teredo => "teredo",
            Self::Temporary => "temporary",
            Self::Tentative => "tentative",
            Self::Optimistic => "optimistic",
            Self::DadFailed => "dad-failed",
            Self::Deprecated => "deprecated",
            Self::InterfaceDown => "interface-down",
            Self::Loopback => "loopback",
            Self::NotNamed => "not-named",
            Self::Excluded => "excluded",
            Self::NotIncluded => "not-included",
        }
    }
}

/// One address not registered, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LeftOut {
    /// The address.
    pub address: IpAddr,
    /// Why.
    pub reason: Reason,
}

/// For each interface considered, the addresses left out (an interface
/// without any IPv6 address has an empty list). Ordered by name.
pub type LeftOutByInterface = std::collections::BTreeMap<String, Vec<LeftOut>>;

/// What the kernel's table yields: the addresses to register and, per
/// interface considered, those left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Selected {
    /// The IPv6 addresses, sorted and deduplicated.
    pub addresses: Vec<Ipv6Addr>,
    /// The IPv4 addresses, sorted and deduplicated (empty when IPv4 is off).
    pub ipv4: Vec<Ipv4Addr>,
    /// Why the others were not taken.
    pub left_out: LeftOutByInterface,
}

/// Every address the kernel holds, and its verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    /// The address, as the kernel holds it.
    pub kernel: KernelAddr,
    /// `None`: registered; else why not.
    pub reason: Option<Reason>,
}

/// Why `addr`'s range keeps it out (README, "What gets registered"; RFC
/// 6890's special-purpose registry), or `None`.
fn range_reason(addr: &IpAddr, policy: &Policy) -> Option<Reason> {
    match addr {
        IpAddr::V6(a) => range_reason_v6(a, policy),
        IpAddr::V4(a) => range_reason_v4(a, policy),
    }
}

/// [`range_reason`] for IPv4: what Python's `ipaddress` calls private or
/// global, but neither link-local nor loopback, as PyDynDNS 1.2.1 takes
/// it; and the shared address space only when an `include` prefix names it.
fn range_reason_v4(addr: &Ipv4Addr, policy: &Policy) -> Option<Reason> {
    let o = addr.octets();
    if o[0] == 169 && o[1] == 254 {
        Some(Reason::LinkLocal)
    } else if o[0] & 0xf0 == 224 {
        Some(Reason::Multicast)
    } else if o[0] == 0 || o[0] == 127 || o[0] & 0xf0 == 240 {
        // 255.255.255.255 is in 240.0.0.0/4.
        Some(Reason::SpecialPurpose)
    } else if o[0] == 100 && o[1] & 0xc0 == 64 {
        let included = policy
            .include
            .iter()
            .any(|p| p.contains(&IpAddr::V4(*addr)));
        (!included).then_some(Reason::Shared)
    } else {
        None
    }
}

/// [`range_reason`] for IPv6.
fn range_reason_v6(addr: &Ipv6Addr, policy: &Policy) -> Option<Reason> {
    let s = addr.segments();
    if (s[0] & 0xffc0) == 0xfe80 {
        Some(Reason::LinkLocal)
    } else if (s[0] & 0xfe00) == 0xfc00 {
        (!policy.ula).then_some(Reason::UniqueLocal)
    } else if (s[0] & 0xff00) == 0xff00 {
        Some(Reason::Multicast)
    } else if s[0] == 0x100 && s[1] == 0 && s[2] == 0 && s[3] == 0 {
        Some(Reason::Discard)
    } else if s[0] == 0 {
        Some(Reason::SpecialPurpose)
    } else if !policy.teredo && s[0] == 0x2001 && s[1] == 0 {
        Some(Reason::Teredo)
    } else {
        None
    }
}

/// Why the kernel's flags keep an address out, or `None`. Stable-privacy
/// (RFC 7217), managetempaddr (the base of temporaries) and nodad
/// addresses are stable: nothing keeps them out.
fn flag_reason(flags: u32, policy: &Policy) -> Option<Reason> {
    use self::flags::*;
    [
        (DADFAILED, Reason::DadFailed),
        (OPTIMISTIC, Reason::Optimistic),
        (TENTATIVE, Reason::Tentative),
        (DEPRECATED, Reason::Deprecated),
        (TEMPORARY, Reason::Temporary),
    ]
    .into_iter()
    .filter(|(bit, _)| !(*bit == TEMPORARY && policy.temporary))
    .find(|(bit, _)| flags & bit != 0)
    .map(|(_, reason)| reason)
}

/// Why the policy's prefix lists keep `addr` out, or `None`. `include`
/// narrows a family only when it lists a prefix of that family.
fn prefix_reason(addr: &IpAddr, policy: &Policy) -> Option<Reason> {
    let same_family = |p: &&Prefix| p.addr.is_ipv4() == addr.is_ipv4();
    let mut include = policy.include.iter().filter(same_family).peekable();
    if policy.exclude.iter().any(|p| p.contains(addr)) {
        Some(Reason::Excluded)
    } else if include.peek().is_some() && !include.any(|p| p.contains(addr)) {
        Some(Reason::NotIncluded)
    } else {
        None
    }
}

/// Whether `name` is one of the interfaces named: equal, or matching a
/// glob pattern (`eth*`, `wl?0`, `en[ox]*`), as SSSD's `dyndns_iface`.
pub(crate) fn named(patterns: &[String], name: &str) -> bool {
    patterns.iter().any(|p| {
        p == name
            || glob::Pattern::new(p)
                .map(|g| g.matches(name))
                .unwrap_or(false)
    })
}

/// Every IPv6 address of `table` with its verdict under `selection`.
pub(crate) fn explain(table: &Table, selection: &Selection) -> Result<Vec<Explained>, AddrError> {
    for pattern in &selection.interfaces {
        if !table
            .links
            .keys()
            .any(|name| named(std::slice::from_ref(pattern), name))
        {
            return Err(AddrError::NoSuchInterface(pattern.clone()));
        }
    }
    let policy = &selection.policy;
    Ok(table
        .addrs
        .iter()
        .map(|k| {
            let link = table.links.get(&k.interface);
            let interface = if selection.interfaces.is_empty() {
                match link {
                    Some(l) if l.loopback => Some(Reason::Loopback),
                    Some(l) if l.up => None,
                    _ => Some(Reason::InterfaceDown),
                }
            } else if named(&selection.interfaces, &k.interface) {
                None
            } else {
                Some(Reason::NotNamed)
            };
            let reason = interface
                .or_else(|| range_reason(&k.addr, policy))
                .or_else(|| match k.addr {
                    IpAddr::V6(_) => flag_reason(k.flags, policy),
                    // IPv4's 0x01 is IFA_F_SECONDARY, not a temporary;
                    // DAD (RFC 5227's ACD) is not the kernel's for IPv4.
                    IpAddr::V4(_) => None,
                })
                .or_else(|| prefix_reason(&k.addr, policy));
            Explained {
                kernel: k.clone(),
                reason,
            }
        })
        .collect())
}

/// The addresses to register from `explained`, and what was left out on
/// the interfaces considered (the named ones, or every one).
pub(crate) fn select(table: &Table, explained: &[Explained], selection: &Selection) -> Selected {
    let mut out = Selected::default();
    for name in table.links.keys() {
        if !selection.interfaces.is_empty() && named(&selection.interfaces, name) {
            out.left_out.entry(name.clone()).or_default();
        }
    }
    for e in explained {
        match e.reason {
            None => {
                out.left_out.entry(e.kernel.interface.clone()).or_default();
                match e.kernel.addr {
                    IpAddr::V6(a) => out.addresses.push(a),
                    IpAddr::V4(a) => out.ipv4.push(a),
                }
            }
            Some(Reason::NotNamed) => {}
            Some(reason) => out
                .left_out
                .entry(e.kernel.interface.clone())
                .or_default()
                .push(LeftOut {
                    address: e.kernel.addr,
                    reason,
                }),
        }
    }
    out.addresses.sort_unstable();
    out.addresses.dedup();
    out.ipv4.sort_unstable();
    out.ipv4.dedup();
    out
}

/// The kernel's table of the families wanted, over rtnetlink.
pub(crate) fn kernel_table(families: Families) -> Result<Table, AddrError> {
    crate::host::netlink::dump(families).map_err(AddrError::Netlink)
}

/// The addresses of this host to register, read from the kernel. A table
/// that cannot be read is an error, never an empty set: an empty set
/// deletes every record at the name.
pub(crate) fn host_addresses(selection: &Selection) -> Result<Selected, AddrError> {
    let table = kernel_table(selection.families)?;
    let explained = explain(&table, selection)?;
    Ok(select(&table, &explained, selection))
}

/// The left-out addresses as one line of a message:
/// `veth0: fe80::1 (link-local), 2001:db8::5 (tentative); eth1: no IPv6 address`.
pub fn explain_left_out(left_out: &LeftOutByInterface) -> String {
    if left_out.is_empty() {
        return "no interface is up, or none has an IPv6 address".into();
    }
    left_out
        .iter()
        .map(|(interface, addrs)| {
            let list = if addrs.is_empty() {
                "no IPv6 address to register".to_owned()
            } else {
                addrs
                    .iter()
                    .map(|l| format!("{} ({})", l.address, l.reason.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            // The names may come from a hand-made state: no control characters.
            format!("{}: {list}", crate::util::describe::printable(interface))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::netlink::Link;

    fn addr(interface: &str, a: &str, flags: u32) -> KernelAddr {
        // (0x01 on IPv4 is IFA_F_SECONDARY: it does not make it temporary.)
        KernelAddr {
            addr: a.parse().unwrap(),
            prefix_len: 64,
            interface: interface.into(),
            flags,
            scope: 0,
            preferred: None,
            valid: None,
        }
    }

    fn table() -> Table {
        use flags::*;
        let mut t = Table::default();
        for (index, (name, up, loopback)) in [
            ("veth0", true, false),
            ("other", true, false),
            ("lo", true, true),
            ("down0", false, false),
        ]
        .into_iter()
        .enumerate()
        {
            t.links.insert(
                name.into(),
                Link {
                    index: index as u32 + 1,
                    name: name.into(),
                    up,
                    loopback,
                },
            );
        }
        t.addrs = vec![
            addr("veth0", "2001:db8:10::1", PERMANENT),
            addr("veth0", "2001:db8:20::1", PERMANENT | MANAGETEMPADDR),
            addr("veth0", "2001:db8:30::1", STABLE_PRIVACY),
            addr("veth0", "fd00::1", PERMANENT),
            addr("veth0", "fe80::1", PERMANENT),
            addr("veth0", "2001:db8:10:0:1234:5678:abcd:ef01", TEMPORARY),
            addr("veth0", "2001:db8:10::3", PERMANENT | DEPRECATED),
            addr("veth0", "2001::1", PERMANENT),
            addr("veth0", "2001:db8:10::4", PERMANENT | TENTATIVE),
            addr("veth0", "2001:db8:10::5", PERMANENT | DADFAILED),
            addr("veth0", "2001:db8:10::6", OPTIMISTIC | TENTATIVE),
            addr("veth0", "100::1", PERMANENT),
            addr("other", "2001:db8:40::1", PERMANENT),
            addr("lo", "::1", PERMANENT),
            addr("down0", "2001:db8:50::1", PERMANENT),
            addr("veth0", "198.51.100.7", PERMANENT),
            addr("veth0", "10.1.2.3", PERMANENT | TEMPORARY),
            addr("veth0", "100.64.1.1", PERMANENT),
            addr("veth0", "169.254.1.1", PERMANENT),
            addr("lo", "127.0.0.1", PERMANENT),
        ];
        t
    }

    fn chosen(interfaces: &[&str], policy: Policy) -> Selected {
        let selection = Selection {
            interfaces: interfaces.iter().map(ToString::to_string).collect(),
            policy,
            families: Families {
                ipv4: true,
                ipv6: true,
            },
        };
        let t = table();
        select(&t, &explain(&t, &selection).unwrap(), &selection)
    }

    fn list(addrs: &[&str]) -> Vec<Ipv6Addr> {
        addrs.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn keeps_only_stable_global_addresses_and_says_why() {
        let got = chosen(&["veth0"], Policy::default());
        assert_eq!(
            got.addresses,
            list(&["2001:db8:10::1", "2001:db8:20::1", "2001:db8:30::1"])
        );
        assert_eq!(
            explain_left_out(&got.left_out),
            "veth0: fd00::1 (unique-local), fe80::1 (link-local), \
             2001:db8:10:0:1234:5678:abcd:ef01 (temporary), 2001:db8:10::3 (deprecated), \
             2001::1 (teredo), 2001:db8:10::4 (tentative), 2001:db8:10::5 (dad-failed), \
             2001:db8:10::6 (optimistic), 100::1 (discard), 100.64.1.1 (shared), \
             169.254.1.1 (link-local)"
        );
    }

    #[test]
    fn without_names_every_interface_that_is_up_but_loopbacks() {
        let got = chosen(&[], Policy::default());
        assert!(got.addresses.contains(&"2001:db8:40::1".parse().unwrap()));
        assert!(!got.addresses.contains(&"2001:db8:50::1".parse().unwrap()));
        assert_eq!(got.left_out["down0"][0].reason, Reason::InterfaceDown);
        assert_eq!(got.left_out["lo"][0].reason, Reason::Loopback);
        // Named, a loopback counts; a glob names several.
        assert_eq!(
            chosen(&["lo"], Policy::default()).addresses,
            Vec::<Ipv6Addr>::new()
        );
        let globbed = chosen(&["v*", "oth?r"], Policy::default());
        assert!(
            globbed
                .addresses
                .contains(&"2001:db8:40::1".parse().unwrap())
        );
        let t = table();
        let none = Selection {
            interfaces: vec!["eth*".into()],
            ..Selection::default()
        };
        assert!(matches!(explain(&t, &none), Err(AddrError::NoSuchInterface(p)) if p == "eth*"));
    }

    #[test]
    fn ipv4_as_pydyndns_takes_it_and_shared_space_when_included() {
        let got = chosen(&["veth0", "lo"], Policy::default());
        let v4 = |a: &[&str]| {
            a.iter()
                .map(|a| a.parse().unwrap())
                .collect::<Vec<Ipv4Addr>>()
        };
        assert_eq!(got.ipv4, v4(&["10.1.2.3", "198.51.100.7"]));
        let reason = |a: &str| {
            got.left_out
                .values()
                .flatten()
                .find(|l| l.address.to_string() == a)
                .map(|l| l.reason)
        };
        assert_eq!(reason("100.64.1.1"), Some(Reason::Shared));
        assert_eq!(reason("169.254.1.1"), Some(Reason::LinkLocal));
        assert_eq!(reason("127.0.0.1"), Some(Reason::SpecialPurpose));
        let shared = Policy {
            include: vec![
                "100.64.0.0/10".parse().unwrap(),
                "198.51.100.0/24".parse().unwrap(),
            ],
            ..Policy::default()
        };
        // An IPv4 include list narrows IPv4 only.
        let got = chosen(&["veth0"], shared);
        assert_eq!(got.ipv4, v4(&["100.64.1.1", "198.51.100.7"]));
        assert!(!got.addresses.is_empty());
    }

    #[test]
    fn the_policy_widens_and_narrows() {
        let wide = Policy {
            teredo: true,
            temporary: true,
            ula: true,
            ..Policy::default()
        };
        let got = chosen(&["veth0"], wide);
        for a in ["2001::1", "fd00::1", "2001:db8:10:0:1234:5678:abcd:ef01"] {
            assert!(got.addresses.contains(&a.parse().unwrap()), "{a}");
        }
        let narrow = Policy {
            include: vec!["2001:db8::/32".parse().unwrap()],
            exclude: vec!["2001:db8:20::/48".parse().unwrap()],
            ..Policy::default()
        };
        let got = chosen(&["veth0"], narrow);
        assert_eq!(got.addresses, list(&["2001:db8:10::1", "2001:db8:30::1"]));
        let reasons: Vec<_> = got.left_out["veth0"]
            .iter()
            .filter(|l| matches!(l.reason, Reason::Excluded | Reason::NotIncluded))
            .map(|l| (l.address.to_string(), l.reason))
            .collect();
        assert_eq!(reasons, [("2001:db8:20::1".to_owned(), Reason::Excluded)]);
    }
}
