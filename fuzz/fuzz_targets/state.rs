//! The state parser on any text; a state it accepts survives a round trip.
#![no_main]

use dyndns::state::State;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(state) = State::parse(text, "fuzz") {
        let again = State::parse(&state.to_json(), "round trip").expect("our own output parses");
        assert_eq!(again, state);
    }
});
