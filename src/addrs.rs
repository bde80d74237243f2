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
/// The flags that make an address unfit to register.
const UNSTABLE: u32 = IFA_F_TEMPORARY | IFA_F_DADFAILED | IFA_F_DEPRECATED | IFA_F_TENTATIVE;

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

/// Whether `addr` is a global unicast address worth registering (README,
/// "What gets registered"; RFC 6890 special-purpose registry).
pub(crate) fn is_registrable(addr: &Ipv6Addr, teredo: bool) -> bool {
    let s = addr.segments();
    let special = s[0] == 0 // ::/16: unspecified, loopback, IPv4-mapped and -compatible
        || (s[0] == 0x100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // 100::/64 discard (RFC 6666)
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local (RFC 4193)
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10 link-local
        || (s[0] & 0xff00) == 0xff00; // ff00::/8 multicast
    let is_teredo = s[0] == 0x2001 && s[1] == 0; // 2001::/32 (RFC 4380)
    !special && (teredo || !is_teredo)
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

/// Selects the registrable addresses from a kernel address list.
/// `wanted(interface)` says whether an interface is chosen.
pub(crate) fn select(
    kernel: &[KernelAddr],
    teredo: bool,
    wanted: impl Fn(&str) -> bool,
) -> Vec<Ipv6Addr> {
    let mut out: Vec<Ipv6Addr> = kernel
        .iter()
        .filter(|k| k.flags & UNSTABLE == 0)
        .filter(|k| is_registrable(&k.addr, teredo))
        .filter(|k| wanted(&k.interface))
        .map(|k| k.addr)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The addresses of this host to register, read from the kernel.
pub(crate) fn host_addresses(selection: &Selection) -> Result<Vec<Ipv6Addr>, AddrError> {
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
    let chosen = |interface: &str| {
        if selection.interfaces.is_empty() {
            interface_flags(interface).is_some_and(|f| f & IFF_UP != 0 && f & IFF_LOOPBACK == 0)
        } else {
            selection.interfaces.iter().any(|i| i == interface)
        }
    };
    Ok(select(&kernel, selection.teredo, chosen))
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
        let got = select(&kernel, false, |i| i == "veth0");
        let want: Vec<Ipv6Addr> = vec![
            "2001:db8:10::1".parse().unwrap(),
            "2001:db8:10::2".parse().unwrap(),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn teredo_only_when_asked() {
        let kernel = parse_if_inet6(IF_INET6);
        let got = select(&kernel, true, |i| i == "veth0");
        assert!(got.contains(&"2001::1".parse().unwrap()));
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
