//! Checking a server's answer, unsigned and TSIG-signed, on any bytes:
//! accepted or refused, never a panic.
#![no_main]

use std::sync::OnceLock;

use dyndns::state::State;
use dyndns::dns::tsig::{self, Key, Signed};
use dyndns::dns::update::{self, Update};
use hickory_proto::op::Message;
use libfuzzer_sys::fuzz_target;

struct Fixture {
    plain: Message,
    signed: Message,
    key: Key,
    request_mac: Signed,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let state = State::parse(r#"{"hostname":"h.example.","ttl":60,"addresses":["2001:db8::1"]}"#, "f").unwrap();
        let zone = state.hostname.base_name();
        let key = Key::new("k", "hmac-sha256", "c2VjcmV0").unwrap();
        let plain = update::build(&Update { state: &state, zone: &zone, key: None, replace: update::Replace::All, guard: None }).unwrap();
        let mut signed = plain.clone();
        let request_mac = tsig::sign(&mut signed, &key, 1_000_000).unwrap();
        Fixture { plain, signed, key, request_mac }
    })
}

fuzz_target!(|bytes: &[u8]| {
    let f = fixture();
    let _ = update::check_answer(&f.plain, bytes, None, 1_000_000);
    let _ = update::check_answer(&f.signed, bytes, Some((&f.key, &f.request_mac)), 1_000_000);
    let _ = tsig::verify(bytes, &f.key, &f.request_mac, 1_000_000);
});
