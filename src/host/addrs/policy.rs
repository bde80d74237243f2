//! The address policy of the config's `ipv6` object: which kinds of
//! address count beyond the stable global ones (`teredo`, `temporary`,
//! `ula`), and prefix lists that narrow the result (`include`, `exclude`).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IPv6 or IPv4 prefix, `2001:db8::/32`, `192.0.2.0/24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefix {
    /// The network address (host bits zero).
    pub addr: IpAddr,
    /// The prefix length, 0 to 128 (to 32 for IPv4).
    pub len: u8,
}

/// An address as a number, and its family's width in bits.
fn bits(addr: &IpAddr) -> (u128, u32) {
    match addr {
        IpAddr::V6(a) => (u128::from(*a), 128),
        IpAddr::V4(a) => (u128::from(u32::from(*a)), 32),
    }
}

/// The network part of `value` (`width` bits wide) for a prefix of `len`.
fn masked(value: u128, width: u32, len: u8) -> u128 {
    let host = width - u32::from(len);
    let host_bits = u128::MAX.checked_shl(host).map_or(u128::MAX, |m| !m);
    value & !host_bits
}

impl Prefix {
    /// Whether `addr` lies in this prefix (of the same family).
    pub fn contains(&self, addr: &IpAddr) -> bool {
        let ((net, width), (value, family)) = (bits(&self.addr), bits(addr));
        width == family && masked(value, width, self.len) == net
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

impl FromStr for Prefix {
    type Err = String;

    /// `ADDRESS/LENGTH`, with no bits set past the length (`2001:db8::1/32`
    /// is refused, naming `2001:db8::/32`).
    fn from_str(text: &str) -> Result<Self, String> {
        let shown = crate::util::describe::printable(text);
        let (addr, len) = text.split_once('/').ok_or_else(|| {
            format!("\"{shown}\" is not a prefix; write it as 2001:db8::/32 or 192.0.2.0/24")
        })?;
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("\"{shown}\" is not a prefix: not an IP address before the /"))?;
        let (value, width) = bits(&addr);
        let len: u8 = len
            .parse()
            .ok()
            .filter(|l| u32::from(*l) <= width)
            .ok_or_else(|| {
                format!("\"{shown}\" is not a prefix: the length must be 0 to {width}")
            })?;
        let network = masked(value, width, len);
        if network != value {
            let net = match addr {
                IpAddr::V6(_) => IpAddr::from(std::net::Ipv6Addr::from(network)),
                IpAddr::V4(_) => IpAddr::from(std::net::Ipv4Addr::from(network as u32)),
            };
            return Err(format!(
                "\"{shown}\" has bits set past its length; did you mean {net}/{len}?"
            ));
        }
        Ok(Self { addr, len })
    }
}

/// Which addresses count, beyond the kind rules' stable global unicast.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Teredo (2001::/32) addresses count (PyDynDNS's `ipv6.teredo`).
    pub teredo: bool,
    /// RFC 4941 temporary addresses count.
    pub temporary: bool,
    /// Unique local addresses (fc00::/7) count.
    pub ula: bool,
    /// When not empty, only addresses inside one of these count.
    pub include: Vec<Prefix>,
    /// Addresses inside one of these never count (even if included).
    pub exclude: Vec<Prefix>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_parse_and_contain() {
        let p: Prefix = "2001:db8::/32".parse().unwrap();
        assert!(p.contains(&"2001:db8:ffff::1".parse().unwrap()));
        assert!(!p.contains(&"192.0.2.1".parse().unwrap()));
        assert!(!p.contains(&"2001:db9::1".parse().unwrap()));
        let all: Prefix = "::/0".parse().unwrap();
        assert!(all.contains(&"ff02::1".parse().unwrap()));
        let one: Prefix = "2001:db8::1/128".parse().unwrap();
        assert!(one.contains(&"2001:db8::1".parse().unwrap()));
        assert_eq!(
            "2001:db8::1/32".parse::<Prefix>().unwrap_err(),
            "\"2001:db8::1/32\" has bits set past its length; did you mean 2001:db8::/32?"
        );
        assert!(
            "2001:db8::"
                .parse::<Prefix>()
                .unwrap_err()
                .contains("write it as")
        );
        assert!(
            "2001:db8::/129"
                .parse::<Prefix>()
                .unwrap_err()
                .contains("0 to 128")
        );
        let v4: Prefix = "100.64.0.0/10".parse().unwrap();
        assert!(v4.contains(&"100.127.1.1".parse().unwrap()));
        assert!(!v4.contains(&"100.128.0.1".parse().unwrap()));
        assert!(!v4.contains(&"::ffff:100.64.0.1".parse().unwrap()));
        assert!(!p.contains(&"192.0.2.1".parse().unwrap()));
        assert!(
            "10.0.0.1/8"
                .parse::<Prefix>()
                .unwrap_err()
                .contains("did you mean 10.0.0.0/8?")
        );
        assert!(
            "10.0.0.0/33"
                .parse::<Prefix>()
                .unwrap_err()
                .contains("0 to 32")
        );
        assert!(
            "x/8"
                .parse::<Prefix>()
                .unwrap_err()
                .contains("not an IP address")
        );
    }
}
