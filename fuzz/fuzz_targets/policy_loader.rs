//! The policy and signature loaders never panic; rejections name file and line.
//! Harness: `palisade_fuzz::policy_loader` (fuzz/src/lib.rs).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| palisade_fuzz::policy_loader(data));
