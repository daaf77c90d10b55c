//! A safe wrapper over Hyperscan's literal mode, for the prefilter: a compiled
//! database of case-insensitive literals, and block-mode scans that report the
//! id of each literal found (once per scan: `HS_FLAG_SINGLEMATCH`).
//!
//! Safety design, in one place:
//!
//! - A [`LiteralDatabase`] owns an `hs_database_t`. Hyperscan never writes to a
//!   database after `hs_compile_lit_multi` returns, and `hs_scan` takes it by
//!   `const` pointer: the library documents one database as usable from any
//!   number of threads at once. So the wrapper is `Send + Sync`, and it frees
//!   the database exactly once, in `Drop`.
//! - All mutable scan state is in an `hs_scratch_t`, which must never be used by
//!   two scans at once (`HS_SCRATCH_IN_USE`). Each thread keeps one scratch in a
//!   `thread_local!` `RefCell`, grown with `hs_alloc_scratch` for every database
//!   it meets (a grown scratch stays valid for the databases it served before)
//!   and remembered by database id, so the hot path allocates nothing and the
//!   matcher's per-transaction `Scratch` carries nothing for Hyperscan. The
//!   `RefCell` borrow is held for the whole scan, so a nested scan on the same
//!   thread (a match callback that scans again) cannot reach the same scratch:
//!   it gets a scratch of its own for that call. The scratch pointer never leaves
//!   its thread, so nothing here needs to be `Send`.
//! - The match callback runs inside a C frame; a Rust panic must not unwind
//!   through it. The trampoline catches it, stops the scan, and resumes the
//!   panic once `hs_scan` has returned.

mod ffi;

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void, CStr};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a Hyperscan call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HyperscanError {
    #[error("this CPU is not supported by the Hyperscan library (hs_valid_platform returned {0})")]
    Platform(i32),
    #[error("no literals to compile")]
    Empty,
    #[error("{0} literals are more than Hyperscan takes")]
    TooMany(usize),
    #[error("hs_compile_lit_multi failed: {0}")]
    Compile(String),
    #[error("{call} failed with Hyperscan error {code}")]
    Call { call: &'static str, code: i32 },
}

/// Source of [`LiteralDatabase::id`]s: never reused, so a thread's record of
/// the databases its scratch fits cannot confuse a freed database with a new one.
static NEXT_DATABASE_ID: AtomicU64 = AtomicU64::new(1);

/// Databases a thread's scratch remembers fitting before the list is reset
/// (a reset only costs a cheap `hs_alloc_scratch` check per database).
const FITTED_MEMORY: usize = 64;

/// The Hyperscan library's version string.
pub fn version() -> String {
    // SAFETY: hs_version returns a pointer to a static NUL-terminated string.
    let raw = unsafe { ffi::hs_version() };
    if raw.is_null() {
        return String::new();
    }
    // SAFETY: non-null, static and NUL-terminated (above).
    unsafe { CStr::from_ptr(raw) }
        .to_string_lossy()
        .into_owned()
}

/// A compiled set of case-insensitive literals, ids `0..len` in input order.
pub struct LiteralDatabase {
    db: NonNull<ffi::HsDatabase>,
    id: u64,
    len: usize,
    /// Longest literal, for scanning buffers longer than `hs_scan` takes.
    longest: usize,
}

// SAFETY: the database is immutable after compilation and Hyperscan allows
// concurrent scans of one database from many threads (each with its own
// scratch, which this module guarantees); the pointer is owned and freed once.
unsafe impl Send for LiteralDatabase {}
// SAFETY: as above: `&LiteralDatabase` only ever reaches `hs_scan` (const
// database) and `hs_alloc_scratch`/`hs_database_size`, which only read it.
unsafe impl Sync for LiteralDatabase {}

impl Drop for LiteralDatabase {
    fn drop(&mut self) {
        // SAFETY: `db` came from hs_compile_lit_multi and is freed only here.
        unsafe {
            ffi::hs_free_database(self.db.as_ptr());
        }
    }
}

impl std::fmt::Debug for LiteralDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiteralDatabase")
            .field("id", &self.id)
            .field("len", &self.len)
            .finish()
    }
}

impl LiteralDatabase {
    /// Compiles `literals` (ids are their positions) for case-insensitive,
    /// block-mode matching, one report per literal per scan.
    pub fn compile(literals: &[&[u8]]) -> Result<LiteralDatabase, HyperscanError> {
        // SAFETY: no arguments; checks the CPU features the library needs.
        let platform = unsafe { ffi::hs_valid_platform() };
        if platform != ffi::HS_SUCCESS {
            return Err(HyperscanError::Platform(platform));
        }
        if literals.is_empty() {
            return Err(HyperscanError::Empty);
        }
        let count = c_uint::try_from(literals.len())
            .map_err(|_| HyperscanError::TooMany(literals.len()))?;
        let expressions: Vec<*const c_char> = literals
            .iter()
            .map(|l| l.as_ptr().cast::<c_char>())
            .collect();
        let lengths: Vec<usize> = literals.iter().map(|l| l.len()).collect();
        let flags: Vec<c_uint> = literals
            .iter()
            .map(|_| ffi::HS_FLAG_CASELESS | ffi::HS_FLAG_SINGLEMATCH)
            .collect();
        let ids: Vec<c_uint> = (0..count).collect();
        let mut db: *mut ffi::HsDatabase = ptr::null_mut();
        let mut error: *mut ffi::HsCompileError = ptr::null_mut();
        // SAFETY: the four arrays hold `count` elements each and outlive the
        // call; each expression is read as `lengths[i]` bytes (NULs allowed in
        // literal mode); a null platform means the host; `db` and `error` are
        // valid out-pointers.
        let code = unsafe {
            ffi::hs_compile_lit_multi(
                expressions.as_ptr(),
                flags.as_ptr(),
                ids.as_ptr(),
                lengths.as_ptr(),
                count,
                ffi::HS_MODE_BLOCK,
                ptr::null(),
                &mut db,
                &mut error,
            )
        };
        if code != ffi::HS_SUCCESS {
            let message =
                take_compile_error(error).unwrap_or_else(|| format!("Hyperscan error {code}"));
            if let Some(db) = NonNull::new(db) {
                // SAFETY: a database returned despite the error is still ours to free.
                unsafe {
                    ffi::hs_free_database(db.as_ptr());
                }
            }
            return Err(HyperscanError::Compile(message));
        }
        let db = NonNull::new(db).ok_or(HyperscanError::Call {
            call: "hs_compile_lit_multi (null database)",
            code,
        })?;
        Ok(LiteralDatabase {
            db,
            id: NEXT_DATABASE_ID.fetch_add(1, Ordering::Relaxed),
            len: literals.len(),
            longest: lengths.iter().copied().max().unwrap_or(1),
        })
    }

    /// Number of literals.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty (never: compilation refuses that).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the compiled database occupies.
    pub fn size_bytes(&self) -> usize {
        let mut size = 0usize;
        // SAFETY: `db` is a live database; `size` is a valid out-pointer.
        let code = unsafe { ffi::hs_database_size(self.db.as_ptr(), &mut size) };
        if code == ffi::HS_SUCCESS {
            size
        } else {
            0
        }
    }

    /// Calls `on_match` with the id of each literal that occurs in `haystack`
    /// (ignoring ASCII case). An id is reported once per scan, except that a
    /// haystack over 4 GiB is scanned in overlapping windows and may report
    /// an id once per window. A panic in `on_match` stops the scan and is
    /// resumed here.
    pub fn for_each_match(
        &self,
        haystack: &[u8],
        on_match: &mut dyn FnMut(usize),
    ) -> Result<(), HyperscanError> {
        let on_thread = THREAD_SCRATCH.try_with(|cell| {
            cell.try_borrow_mut()
                .ok()
                .map(|mut scratch| self.scan(&mut scratch, haystack, &mut *on_match))
        });
        match on_thread {
            Ok(Some(result)) => result,
            // Nested scan on this thread, or the thread is shutting down.
            _ => self.scan(&mut ThreadScratch::default(), haystack, on_match),
        }
    }

    fn scan(
        &self,
        scratch: &mut ThreadScratch,
        haystack: &[u8],
        on_match: &mut dyn FnMut(usize),
    ) -> Result<(), HyperscanError> {
        let raw_scratch = scratch.fit(self)?;
        let mut context = Context {
            on_match,
            panic: None,
        };
        let window = c_uint::MAX as usize;
        let step = window - self.longest.saturating_sub(1).min(window - 1);
        let mut start = 0usize;
        loop {
            let end = haystack.len().min(start.saturating_add(window));
            let part = haystack.get(start..end).unwrap_or_default();
            // SAFETY: `part` is valid for `part.len()` (≤ u32::MAX) bytes;
            // `raw_scratch` fits this database and is used by no other scan
            // (it is this thread's, borrowed for this call, or a local one);
            // `context` outlives the call and only `on_event` reads it.
            let code = unsafe {
                ffi::hs_scan(
                    self.db.as_ptr(),
                    part.as_ptr().cast::<c_char>(),
                    part.len() as c_uint,
                    0,
                    raw_scratch.as_ptr(),
                    Some(on_event),
                    ptr::addr_of_mut!(context).cast::<c_void>(),
                )
            };
            if let Some(payload) = context.panic.take() {
                resume_unwind(payload);
            }
            if code != ffi::HS_SUCCESS && code != ffi::HS_SCAN_TERMINATED {
                return Err(HyperscanError::Call {
                    call: "hs_scan",
                    code,
                });
            }
            if end >= haystack.len() {
                return Ok(());
            }
            start += step;
        }
    }
}

/// What `hs_scan` hands back to [`on_event`].
struct Context<'a> {
    on_match: &'a mut dyn FnMut(usize),
    panic: Option<Box<dyn Any + Send>>,
}

unsafe extern "C" fn on_event(
    id: c_uint,
    _from: c_ulonglong,
    _to: c_ulonglong,
    _flags: c_uint,
    context: *mut c_void,
) -> c_int {
    // SAFETY: `context` is the `Context` that `LiteralDatabase::scan` passed to
    // this very hs_scan call; it is alive and nothing else touches it meanwhile.
    let context = unsafe { &mut *context.cast::<Context<'_>>() };
    match catch_unwind(AssertUnwindSafe(|| (context.on_match)(id as usize))) {
        Ok(()) => 0,
        Err(payload) => {
            context.panic = Some(payload);
            1
        }
    }
}

/// Takes the message out of a compile error and frees it.
fn take_compile_error(error: *mut ffi::HsCompileError) -> Option<String> {
    let error = NonNull::new(error)?;
    // SAFETY: a non-null compile error from Hyperscan; its message is null or
    // a NUL-terminated string owned by the error.
    let message = unsafe {
        let message = (*error.as_ptr()).message;
        let text =
            (!message.is_null()).then(|| CStr::from_ptr(message).to_string_lossy().into_owned());
        ffi::hs_free_compile_error(error.as_ptr());
        text
    };
    message
}

thread_local! {
    static THREAD_SCRATCH: RefCell<ThreadScratch> = RefCell::new(ThreadScratch::default());
}

/// A scratch and the ids of the databases it is known to fit.
struct ThreadScratch {
    raw: *mut ffi::HsScratch,
    fitted: Vec<u64>,
}

impl Default for ThreadScratch {
    fn default() -> ThreadScratch {
        ThreadScratch {
            raw: ptr::null_mut(),
            fitted: Vec::new(),
        }
    }
}

impl Drop for ThreadScratch {
    fn drop(&mut self) {
        if !self.raw.is_null() {
            // SAFETY: `raw` is a scratch from hs_alloc_scratch, owned here and
            // not in use (we have `&mut self`).
            unsafe {
                ffi::hs_free_scratch(self.raw);
            }
        }
    }
}

impl ThreadScratch {
    /// The scratch, grown if needed so that it fits `db`.
    fn fit(&mut self, db: &LiteralDatabase) -> Result<NonNull<ffi::HsScratch>, HyperscanError> {
        if let Some(raw) = NonNull::new(self.raw) {
            if self.fitted.contains(&db.id) {
                return Ok(raw);
            }
        }
        if self.fitted.len() >= FITTED_MEMORY {
            self.fitted.clear();
        }
        // SAFETY: `self.raw` is null or our scratch, not in use (`&mut self`);
        // hs_alloc_scratch grows it for `db` (keeping it valid for the
        // databases it served), possibly freeing it and writing a new pointer
        // back; on failure it leaves a valid scratch or null there. Either way
        // `self.raw` then holds what we own.
        let code = unsafe { ffi::hs_alloc_scratch(db.db.as_ptr(), &mut self.raw) };
        if code != ffi::HS_SUCCESS {
            self.fitted.clear();
            return Err(HyperscanError::Call {
                call: "hs_alloc_scratch",
                code,
            });
        }
        self.fitted.push(db.id);
        NonNull::new(self.raw).ok_or(HyperscanError::Call {
            call: "hs_alloc_scratch (null scratch)",
            code,
        })
    }
}
