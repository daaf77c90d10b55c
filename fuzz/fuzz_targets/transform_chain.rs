//! A chain of transforms chosen by the input: no panic, no growth, Borrowed iff unchanged.
//! Harness and input layout: `palisade_fuzz::transform_chain` (fuzz/src/lib.rs).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| palisade_fuzz::transform_chain(data));
