//! This host: its interfaces and addresses as the kernel reports them
//! ([`netlink`]), which of them count ([`addrs`]: the kinds, the flags, the
//! config's policy), its FQDN ([`hostname`]), its SSH host keys
//! ([`sshkeys`]), and the kernel's address
//! events ([`watch`]).

pub mod addrs;
pub mod hostname;
pub mod netlink;
pub mod sshkeys;
pub mod watch;
