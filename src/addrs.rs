//! Choosing the addresses to register: every global unicast IPv6 address of
//! the chosen interfaces that the kernel considers stable.
//!
//! On Linux the kernel's own view comes from `/proc/net/if_inet6` (address,
//! interface and the low 8 bits of its flags) and `/sys/class/net/IF/flags`
//! (whether an interface is up, or a loopback). Both are per network
//! namespace, so tests see only their own namespace's interfaces.

use std::fs;
use std::io;
use std::net::Ipv6Addr;
use std::path::Path;

/// `IFA_F_TEMPORARY`: an RFC 4941 privacy address (linux/if_addr.h).
const IFA_F_TEMPORARY: u32 = 0x01;
/// `IFA_F_DADFAILED`: duplicate address detection failed.
const IFA_F_DADFAILED: u32 = 0x08;
/// `IFA_F_DEPRECATED`: the preferred lifetime is over.
const IFA_F_DEPRECATED: u32 = 0x20;
/// `IFA_F_TENTATIVE`: duplicate address detection still running.
const IFA_F_TENTATIVE: u32 = 0x40;

/// `IFF_UP` and `IFF_LOOPBACK` (linux/if.h).
const IFF_UP: u32 = 0x1;
const IFF_LOOPBACK: u32 = 0x8;

/// One line of `/proc/net/if_inet6`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KernelAddr {
    /// The address.
    pub addr: Ipv6Addr,
    /// The interface that carries it.
    pub interface: String,
    /// The low 8 bits of the kernel's `IFA_F_*` flags.
    pub flags: u32,
}

/// Why the addresses could not be listed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AddrError {
    /// A named interface does not exist.
    #[error("no interface named \"{0}\" (see `ip link` for the names on this host)")]
    NoSuchInterface(String),
    /// The kernel's tables could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
}

/// Which addresses are wanted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Selection {
    /// Interfaces named by the user; empty: every interface that is up and not a loopback.
    pub interfaces: Vec<String>,
    /// Whether Teredo (2001::/32) addresses count.
    pub teredo: bool,
}

/// Whether `addr` is a global unicast address worth registering.
#[cfg(test)]
fn is_registrable(addr: &Ipv6Addr, teredo: bool) -> bool {
    range_reason(addr, teredo).is_none()
}

/// Parses `/proc/net/if_inet6`: address, ifindex, prefix length, scope, flags, name.
pub(crate) fn parse_if_inet6(text: &str) -> Vec<KernelAddr> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let hex = fields.next()?;
            let bits = u128::from_str_radix(hex, 16)
                .ok()
                .filter(|_| hex.len() == 32)?;
            let flags = u32::from_str_radix(fields.nth(3)?, 16).ok()?;
            let interface = fields.next()?.to_owned();
            Some(KernelAddr {
                addr: Ipv6Addr::from(bits),
                interface,
                flags,
            })
        })
        .collect()
}

/// Why an address of the kernel's table is not registered. The names are
/// what the state document's `left_out` key carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// fe80::/10: valid on one link only.
    LinkLocal,
    /// fc00::/7 (RFC 4193): not routed on the Internet.
    UniqueLocal,
    /// Any other range of RFC 6890's special-purpose registry (loopback,
    /// multicast, IPv4-mapped, discard).
    SpecialPurpose,
    /// 2001::/32 (RFC 4380), while `ipv6.teredo` is off.
    Teredo,
    /// An RFC 4941 temporary (privacy) address.
    Temporary,
    /// Duplicate address detection is still running.
    Tentative,
    /// Duplicate address detection failed: another host has it.
    DadFailed,
    /// Its preferred lifetime is over.
    Deprecated,
    /// Its interface is down (only when no interface was named).
    InterfaceDown,
    /// Its interface is a loopback (only when no interface was named).
    Loopback,
}

impl Reason {
    /// The reason as the state document names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LinkLocal => "link-local",
            Self::UniqueLocal => "unique-local",
            Self::SpecialPurpose => "special-purpose",
            Self::Teredo => "teredo",
            Self::Temporary => "temporary",
            Self::Tentative => "tentative",
            Self::DadFailed => "dad-failed",
            Self::Deprecated => "deprecated",
            Self::InterfaceDown => "interface-down",
            Self::Loopback => "loopback",
        }
    }
}

/// One address not registered, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LeftOut {
    /// The address.
    pub address: Ipv6Addr,
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
    /// Sorted and deduplicated.
    pub addresses: Vec<Ipv6Addr>,
    /// Why the others were not taken.
    pub left_out: LeftOutByInterface,
}

/// Why `addr` is not a global unicast address worth registering (README,
/// "What gets registered"; RFC 6890 special-purpose registry), or `None`.
fn range_reason(addr: &Ipv6Addr, teredo: bool) -> Option<Reason> {
    let s = addr.segments();
    if (s[0] & 0xffc0) == 0xfe80 {
        Some(Reason::LinkLocal)
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some(Reason::UniqueLocal)
    } else if s[0] == 0 // ::/16: unspecified, loopback, IPv4-mapped and -compatible
        || (s[0] == 0x100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // 100::/64 discard (RFC 6666)
        || (s[0] & 0xff00) == 0xff00
    {
        Some(Reason::SpecialPurpose)
    } else if !teredo && s[0] == 0x2001 && s[1] == 0 {
        Some(Reason::Teredo)
    } else {
        None
    }
}

/// Why the kernel's flags make an address unfit, or `None`.
fn flag_reason(flags: u32) -> Option<Reason> {
    [
        (IFA_F_DADFAILED, Reason::DadFailed),
        (IFA_F_TENTATIVE, Reason::Tentative),
        (IFA_F_DEPRECATED, Reason::Deprecated),
        (IFA_F_TEMPORARY, Reason::Temporary),
    ]
    .into_iter()
    .find(|(bit, _)| flags & bit != 0)
    .map(|(_, reason)| reason)
}

/// Whether an interface is considered, and if not why its addresses are
/// left out: `Err(None)` for an interface not named at all.
type Chosen = Result<(), Option<Reason>>;

/// Selects the registrable addresses from a kernel address list.
/// `chosen(interface)` says whether an interface is considered; `named`
/// lists the interfaces the user named, which appear in `left_out` even
/// without any address.
pub(crate) fn select(
    kernel: &[KernelAddr],
    teredo: bool,
    named: &[String],
    chosen: impl Fn(&str) -> Chosen,
) -> Selected {
    let mut out = Selected::default();
    for name in named {
        out.left_out.entry(name.clone()).or_default();
    }
    for k in kernel {
        let reason = match chosen(&k.interface) {
            Err(None) => continue,
            Err(Some(reason)) => Some(reason),
            Ok(()) => range_reason(&k.addr, teredo).or_else(|| flag_reason(k.flags)),
        };
        let entry = out.left_out.entry(k.interface.clone()).or_default();
        match reason {
            Some(reason) => entry.push(LeftOut {
                address: k.addr,
                reason,
            }),
            None => out.addresses.push(k.addr),
        }
    }
    out.addresses.sort_unstable();
    out.addresses.dedup();
    out
}

/// The addresses of this host to register, read from the kernel.
pub(crate) fn host_addresses(selection: &Selection) -> Result<Selected, AddrError> {
    for name in &selection.interfaces {
        // A name with a slash or a dot-only name would escape /sys/class/net.
        if name.is_empty()
            || name.contains('/')
            || name == "."
            || name == ".."
            || !interface_dir(name).exists()
        {
            return Err(AddrError::NoSuchInterface(name.clone()));
        }
    }
    // The process's own view (/proc/net is missing under systemd's
    // ProcSubset=pid, /proc/self/net is not). A table that cannot be read
    // is an error, never an empty set: an empty set deletes every record
    // at the name.
    let path = "/proc/self/net/if_inet6";
    let text = fs::read_to_string(path).map_err(|source| AddrError::Read {
        path: path.into(),
        source,
    })?;
    let kernel = parse_if_inet6(&text);
    let chosen = |interface: &str| -> Chosen {
        if selection.interfaces.is_empty() {
            match interface_flags(interface) {
                Some(f) if f & IFF_LOOPBACK != 0 => Err(Some(Reason::Loopback)),
                Some(f) if f & IFF_UP != 0 => Ok(()),
                _ => Err(Some(Reason::InterfaceDown)),
            }
        } else if selection.interfaces.iter().any(|i| i == interface) {
            Ok(())
        } else {
            Err(None)
        }
    };
    Ok(select(
        &kernel,
        selection.teredo,
        &selection.interfaces,
        chosen,
    ))
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
                "no IPv6 address".to_owned()
            } else {
                addrs
                    .iter()
                    .map(|l| format!("{} ({})", l.address, l.reason.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            // The names may come from a hand-made state: no control characters.
            format!("{}: {list}", crate::describe::printable(interface))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn interface_dir(name: &str) -> std::path::PathBuf {
    Path::new("/sys/class/net").join(name)
}

/// The `IFF_*` flags of an interface, from sysfs.
fn interface_flags(name: &str) -> Option<u32> {
    let text = fs::read_to_string(interface_dir(name).join("flags")).ok()?;
    u32::from_str_radix(text.trim().trim_start_matches("0x"), 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Lines as the kernel writes them: address, ifindex, prefix length, scope, flags, name.
    const IF_INET6: &str = "\
20010db8001000000000000000000001 02 40 00 80     veth0
20010db8001000000000000000000002 02 40 00 80     veth0
fd000000000000000000000000000001 02 40 00 80     veth0
fe800000000000000000000000000001 02 40 20 80     veth0
20010db80010000012345678abcdef01 02 40 00 01     veth0
20010db8001000000000000000000003 02 40 00 a0     veth0
20010000000000000000000000000001 02 40 00 80     veth0
20010db8001000000000000000000004 02 40 00 c0     veth0
20010db8001000000000000000000005 02 40 00 88     veth0
20010db8002000000000000000000001 03 40 00 80     other
00000000000000000000000000000001 01 80 10 80        lo
";

    #[test]
    fn keeps_only_stable_global_addresses() {
        let kernel = parse_if_inet6(IF_INET6);
        assert_eq!(kernel.len(), 11);
        let got = select(&kernel, false, &[], veth0);
        let want: Vec<Ipv6Addr> = vec![
            "2001:db8:10::1".parse().unwrap(),
            "2001:db8:10::2".parse().unwrap(),
        ];
        assert_eq!(got.addresses, want);
        assert_eq!(
            explain_left_out(&got.left_out),
            "veth0: fd00::1 (unique-local), fe80::1 (link-local), \
             2001:db8:10:0:1234:5678:abcd:ef01 (temporary), 2001:db8:10::3 (deprecated), \
             2001::1 (teredo), 2001:db8:10::4 (tentative), 2001:db8:10::5 (dad-failed)"
        );
    }

    #[test]
    fn teredo_only_when_asked() {
        let kernel = parse_if_inet6(IF_INET6);
        let got = select(&kernel, true, &[], veth0);
        assert!(got.addresses.contains(&"2001::1".parse().unwrap()));
    }

    fn veth0(i: &str) -> Chosen {
        if i == "veth0" { Ok(()) } else { Err(None) }
    }

    #[test]
    fn named_interfaces_without_addresses_are_listed() {
        let kernel = parse_if_inet6(IF_INET6);
        let named = ["eth9".to_owned()];
        let got = select(&kernel, false, &named, |i| match i {
            "lo" => Err(Some(Reason::Loopback)),
            _ => Err(None),
        });
        assert!(got.addresses.is_empty());
        assert_eq!(
            explain_left_out(&got.left_out),
            "eth9: no IPv6 address; lo: ::1 (loopback)"
        );
    }

    #[test]
    fn special_ranges_are_not_registrable() {
        for a in [
            "::1",
            "::",
            "::ffff:10.0.0.1",
            "100::1",
            "fc00::1",
            "fdff::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "2001::1",
        ] {
            assert!(!is_registrable(&a.parse().unwrap(), false), "{a}");
        }
        for a in [
            "2001:db8::1",
            "2a00:1450::1",
            "100:0:0:1::1",
            "fec0::1",
            "2001:1::1",
        ] {
            assert!(is_registrable(&a.parse().unwrap(), false), "{a}");
        }
    }

    #[test]
    fn ignores_malformed_lines() {
        assert!(parse_if_inet6("garbage\n2001 02 40 00 80 x\n").is_empty());
    }
}
