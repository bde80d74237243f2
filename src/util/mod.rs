//! Small helpers the rest share: files opened as root should open them
//! ([`fs`]), a time bound for calls that take none ([`bounded`]), and how
//! a JSON value is named in a message ([`describe`]).

pub(crate) mod bounded;
pub(crate) mod describe;
pub(crate) mod fs;
