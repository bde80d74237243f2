//! Small helpers the rest share: files opened as root should open them
//! ([`fs`]), a time bound for calls that take none ([`bounded`]), how a
//! JSON value is named in a message ([`describe`]), and no core dumps
//! ([`coredump`]).

pub(crate) mod bounded;
pub(crate) mod coredump;
pub(crate) mod describe;
pub(crate) mod fs;
