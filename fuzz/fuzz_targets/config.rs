//! The config parser (and the logging object within it) on any text:
//! it returns a config or an error, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = dyndns::config::Config::parse(std::path::Path::new("/fuzz/pydyndns.conf"), text);
});
