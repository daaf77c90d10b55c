//! The capture reader on arbitrary bytes (seeded with pcap files): format
//! detection, gzip, pcap records, link layers, IP, TCP reassembly and HTTP
//! parsing never panic, and the counts they report match what they emitted.

#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_replay::{input, Event, Limits};
use std::io::Cursor;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_body: 4096,
        max_stream_buffer: 16 * 1024,
        max_connections: 8,
        max_fragment_sets: 4,
    };
    let mut events = 0u64;
    let result = input::read_from(
        &mut Cursor::new(data),
        Path::new("fuzz"),
        0,
        &limits,
        &mut |e| {
            events += 1;
            if let Event::Exchange(x) = e {
                assert!(x.body.len() <= limits.max_body);
            }
        },
    );
    if let Ok(stats) = result {
        assert_eq!(stats.exchanges + stats.notices, events);
    }
});
