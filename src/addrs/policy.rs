//! The address policy of the config's `ipv6` object: which kinds of
//! address count beyond the stable global ones (`teredo`, `temporary`,
//! `ula`), and prefix lists that narrow the result (`include`, `exclude`).

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

/// An IPv6 prefix, `2001:db8::/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefix {
    /// The network address (host bits zero).
    pub addr: Ipv6Addr,
    /// The prefix length, 0 to 128.
    pub len: u8,
}

impl Prefix {
    /// Whether `addr` lies in this prefix.
    pub fn contains(&self, addr: &Ipv6Addr) -> bool {
        let mask = u128::MAX
            .checked_shl(128 - u32::from(self.len))
            .unwrap_or(0);
        u128::from(*addr) & mask == u128::from(self.addr)
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
        let shown = crate::describe::printable(text);
        let (addr, len) = text
            .split_once('/')
            .ok_or_else(|| format!("\"{shown}\" is not a prefix; write it as 2001:db8::/32"))?;
        let addr: Ipv6Addr = addr.parse().map_err(|_| {
            format!("\"{shown}\" is not a prefix: not an IPv6 address before the /")
        })?;
        let len: u8 =
            len.parse().ok().filter(|l| *l <= 128).ok_or_else(|| {
                format!("\"{shown}\" is not a prefix: the length must be 0 to 128")
            })?;
        let network = Self { addr, len };
        let masked = Ipv6Addr::from(
            u128::from(addr) & u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0),
        );
        if masked != addr {
            return Err(format!(
                "\"{shown}\" has bits set past its length; did you mean {masked}/{len}?"
            ));
        }
        Ok(network)
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
        assert!(
            "10.0.0.0/8"
                .parse::<Prefix>()
                .unwrap_err()
                .contains("not an IPv6 address")
        );
    }
}
