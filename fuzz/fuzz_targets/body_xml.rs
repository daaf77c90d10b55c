//! The XML body parser: chunking never changes its values or issues.
//! Harness and input layout: `palisade_fuzz::body_xml` (fuzz/src/lib.rs).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| palisade_fuzz::body_xml(data));
