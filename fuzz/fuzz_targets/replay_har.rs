//! The HAR reader on arbitrary bytes: never panics, bodies stay within the
//! body cap.

#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_replay::{har, Event, Limits};
use std::io::Cursor;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_body: 4096,
        ..Limits::default()
    };
    let _ = har::read(
        &mut Cursor::new(data),
        Path::new("fuzz.har"),
        0,
        &limits,
        &mut |e| {
            if let Event::Exchange(x) = e {
                assert!(x.body.len() <= limits.max_body);
            }
        },
    );
});
