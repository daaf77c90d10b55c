//! Differential: a request's verdict is the same whole, in 1-byte chunks and in random chunks.
//! Harness and input layout: `palisade_fuzz::verdict_chunking` (fuzz/src/lib.rs).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| palisade_fuzz::verdict_chunking(data));
