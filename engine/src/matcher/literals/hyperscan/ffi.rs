//! Raw declarations of the dozen Hyperscan C functions the literal prefilter
//! uses (`hs.h` of Hyperscan 5.2+ / Vectorscan). Only the safe wrapper in the
//! parent module calls them; nothing else in the engine touches these.
//!
//! The library is linked by `engine/build.rs` (pkg-config `libhs`) when the
//! `hyperscan` feature is on.

use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void};

/// `hs_error_t`.
pub type HsError = c_int;

pub const HS_SUCCESS: HsError = 0;
pub const HS_SCAN_TERMINATED: HsError = -3;

/// Case-insensitive matching (ASCII letters only without `HS_FLAG_UTF8`).
pub const HS_FLAG_CASELESS: c_uint = 1;
/// At most one match per expression id per scan.
pub const HS_FLAG_SINGLEMATCH: c_uint = 8;
/// Block mode: each scan is one whole buffer.
pub const HS_MODE_BLOCK: c_uint = 1;

/// `hs_database_t`: opaque, immutable after compilation.
#[repr(C)]
pub struct HsDatabase {
    _opaque: [u8; 0],
}

/// `hs_scratch_t`: opaque, used by one scan at a time.
#[repr(C)]
pub struct HsScratch {
    _opaque: [u8; 0],
}

/// `hs_platform_info_t`; only ever passed as a null pointer (the host platform).
#[repr(C)]
pub struct HsPlatformInfo {
    _opaque: [u8; 0],
}

/// `hs_compile_error_t`.
#[repr(C)]
pub struct HsCompileError {
    pub message: *mut c_char,
    pub expression: c_int,
}

/// `match_event_handler`: a non-zero return stops the scan.
pub type MatchEventHandler = unsafe extern "C" fn(
    id: c_uint,
    from: c_ulonglong,
    to: c_ulonglong,
    flags: c_uint,
    context: *mut c_void,
) -> c_int;

extern "C" {
    pub fn hs_valid_platform() -> HsError;
    pub fn hs_version() -> *const c_char;

    pub fn hs_compile_lit_multi(
        expressions: *const *const c_char,
        flags: *const c_uint,
        ids: *const c_uint,
        lens: *const usize,
        elements: c_uint,
        mode: c_uint,
        platform: *const HsPlatformInfo,
        db: *mut *mut HsDatabase,
        error: *mut *mut HsCompileError,
    ) -> HsError;
    pub fn hs_free_compile_error(error: *mut HsCompileError) -> HsError;
    pub fn hs_free_database(db: *mut HsDatabase) -> HsError;
    pub fn hs_database_size(db: *const HsDatabase, size: *mut usize) -> HsError;

    pub fn hs_alloc_scratch(db: *const HsDatabase, scratch: *mut *mut HsScratch) -> HsError;
    pub fn hs_free_scratch(scratch: *mut HsScratch) -> HsError;

    pub fn hs_scan(
        db: *const HsDatabase,
        data: *const c_char,
        length: c_uint,
        flags: c_uint,
        scratch: *mut HsScratch,
        on_event: Option<MatchEventHandler>,
        context: *mut c_void,
    ) -> HsError;
}
