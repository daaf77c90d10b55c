//! The multipart body parser (boundary taken from the input): chunking never changes its values or issues.
//! Harness and input layout: `palisade_fuzz::body_multipart` (fuzz/src/lib.rs).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| palisade_fuzz::body_multipart(data));
