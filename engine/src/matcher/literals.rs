//! The literal prefilter: which of a set of required literals occur in a value,
//! ignoring ASCII case. Exactly the literal ids that Aho-Corasick's
//! overlapping search reports, whichever backend runs it.
//!
//! Backends: Aho-Corasick (always built in) and Hyperscan's literal mode (cargo
//! feature `hyperscan`, linked against the system `libhs`). The choice is made
//! per set when it is built: [`BackendChoice::Auto`] takes Hyperscan for sets
//! of at least [`HYPERSCAN_MIN_LITERALS`] literals (see docs/performance.md
//! for the measurements behind the figure) and Aho-Corasick otherwise; the
//! environment variable [`BACKEND_ENV`] (`aho-corasick`, `hyperscan`, `auto`)
//! or [`with_backend`] forces one. When Hyperscan cannot build a set (no
//! library support for the CPU, any compile error), the set falls back to
//! Aho-Corasick and the fallback is counted ([`stats`]); the engine never
//! fails because of Hyperscan. A Hyperscan scan error (out of memory) reports
//! every literal, so every candidate is confirmed by its own regex: slower,
//! never a missed match.

#[cfg(feature = "hyperscan")]
pub mod hyperscan;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Environment variable that forces the prefilter backend.
pub const BACKEND_ENV: &str = "PALISADE_MATCHER_BACKEND";

/// Under `auto`, the fewest literals for which a set uses Hyperscan.
pub const HYPERSCAN_MIN_LITERALS: usize = 8;

/// Sets of at most this many literals use Aho-Corasick's default (Teddy/SIMD
/// where it can) instead of its DFA.
const AHO_CORASICK_DEFAULT_KIND_MAX: usize = 64;

/// The engine a built [`LiteralSet`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    AhoCorasick,
    Hyperscan,
}

impl Backend {
    /// The name [`BACKEND_ENV`] uses for it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::AhoCorasick => "aho-corasick",
            Backend::Hyperscan => "hyperscan",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which backend new sets should use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BackendChoice {
    /// Hyperscan for large sets when it is compiled in, Aho-Corasick otherwise.
    #[default]
    Auto,
    AhoCorasick,
    Hyperscan,
}

/// A [`BACKEND_ENV`] value that names no backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{BACKEND_ENV}={0:?}: expected aho-corasick, hyperscan or auto")]
pub struct UnknownBackend(pub String);

impl std::str::FromStr for BackendChoice {
    type Err = UnknownBackend;

    fn from_str(text: &str) -> Result<BackendChoice, UnknownBackend> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(BackendChoice::Auto),
            "aho-corasick" | "ac" => Ok(BackendChoice::AhoCorasick),
            "hyperscan" | "hs" => Ok(BackendChoice::Hyperscan),
            _ => Err(UnknownBackend(text.to_string())),
        }
    }
}

impl BackendChoice {
    /// The choice [`BACKEND_ENV`] names: `auto` when it is unset; an unknown
    /// value is counted ([`BackendStats::bad_env`]) and read as `auto`.
    pub fn from_env() -> BackendChoice {
        match std::env::var(BACKEND_ENV) {
            Err(_) => BackendChoice::Auto,
            Ok(text) => text.parse().unwrap_or_else(|_| {
                BAD_ENV.fetch_add(1, Ordering::Relaxed);
                BackendChoice::Auto
            }),
        }
    }

    /// The choice in force on this thread: [`with_backend`]'s, else the environment's.
    pub fn current() -> BackendChoice {
        SCOPE
            .with(|s| s.borrow().as_ref().map(|scope| scope.choice))
            .unwrap_or_else(BackendChoice::from_env)
    }

    /// The backend a set of `literals` literals gets under this choice.
    pub fn resolve(self, literals: usize) -> Backend {
        match self {
            BackendChoice::AhoCorasick => Backend::AhoCorasick,
            BackendChoice::Hyperscan => Backend::Hyperscan,
            BackendChoice::Auto if HYPERSCAN_COMPILED_IN && literals >= HYPERSCAN_MIN_LITERALS => {
                Backend::Hyperscan
            }
            BackendChoice::Auto => Backend::AhoCorasick,
        }
    }
}

/// Whether this build has the Hyperscan backend.
pub const HYPERSCAN_COMPILED_IN: bool = cfg!(feature = "hyperscan");

/// Why a literal set failed to build (only Aho-Corasick failures surface:
/// Hyperscan failures fall back).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("literal prefilter: {0}")]
pub struct LiteralSetError(String);

enum Engine {
    AhoCorasick(AhoCorasick),
    #[cfg(feature = "hyperscan")]
    Hyperscan(hyperscan::LiteralDatabase),
}

/// A set of lowercase literals, matched ignoring ASCII case; ids are the
/// literals' positions in the list it was built from.
pub struct LiteralSet {
    engine: Engine,
    len: usize,
}

impl std::fmt::Debug for LiteralSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiteralSet")
            .field("backend", &self.backend())
            .field("len", &self.len)
            .finish()
    }
}

impl LiteralSet {
    /// Builds a set with the backend [`BackendChoice::current`] picks.
    pub fn build<I, P>(literals: I) -> Result<LiteralSet, LiteralSetError>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        LiteralSet::build_with(literals, BackendChoice::current())
    }

    /// Builds a set with the backend `choice` picks (falling back from
    /// Hyperscan to Aho-Corasick when Hyperscan cannot build it).
    pub fn build_with<I, P>(
        literals: I,
        choice: BackendChoice,
    ) -> Result<LiteralSet, LiteralSetError>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let owned: Vec<P> = literals.into_iter().collect();
        let literals: Vec<&[u8]> = owned.iter().map(AsRef::as_ref).collect();
        let wanted = choice.resolve(literals.len());
        let (set, fallback) = match wanted {
            Backend::AhoCorasick => (LiteralSet::aho_corasick(&literals)?, None),
            Backend::Hyperscan => match LiteralSet::hyperscan(&literals) {
                Ok(set) => (set, None),
                Err(reason) => {
                    FALLBACKS.fetch_add(1, Ordering::Relaxed);
                    (LiteralSet::aho_corasick(&literals)?, Some(reason))
                }
            },
        };
        match set.backend() {
            Backend::AhoCorasick => AHO_CORASICK_SETS.fetch_add(1, Ordering::Relaxed),
            Backend::Hyperscan => HYPERSCAN_SETS.fetch_add(1, Ordering::Relaxed),
        };
        record(&set, &literals, fallback);
        Ok(set)
    }

    fn aho_corasick(literals: &[&[u8]]) -> Result<LiteralSet, LiteralSetError> {
        let kind = if literals.len() <= AHO_CORASICK_DEFAULT_KIND_MAX {
            None
        } else {
            Some(AhoCorasickKind::DFA)
        };
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(literals)
            .map_err(|e| LiteralSetError(e.to_string()))?;
        Ok(LiteralSet {
            engine: Engine::AhoCorasick(ac),
            len: literals.len(),
        })
    }

    #[cfg(feature = "hyperscan")]
    fn hyperscan(literals: &[&[u8]]) -> Result<LiteralSet, String> {
        hyperscan::LiteralDatabase::compile(literals)
            .map(|db| LiteralSet {
                engine: Engine::Hyperscan(db),
                len: literals.len(),
            })
            .map_err(|e| e.to_string())
    }

    #[cfg(not(feature = "hyperscan"))]
    fn hyperscan(_literals: &[&[u8]]) -> Result<LiteralSet, String> {
        Err("this build has no Hyperscan backend (cargo feature `hyperscan`)".to_string())
    }

    /// The backend this set runs on.
    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::AhoCorasick(_) => Backend::AhoCorasick,
            #[cfg(feature = "hyperscan")]
            Engine::Hyperscan(_) => Backend::Hyperscan,
        }
    }

    /// Number of literals.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set has no literal.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes the compiled automaton or database holds.
    pub fn memory_bytes(&self) -> usize {
        match &self.engine {
            Engine::AhoCorasick(ac) => ac.memory_usage(),
            #[cfg(feature = "hyperscan")]
            Engine::Hyperscan(db) => db.size_bytes(),
        }
    }

    /// Calls `on_match` with the id of every literal that occurs in `haystack`
    /// (ignoring ASCII case), at least once each and possibly more than once:
    /// the caller treats the ids as a set.
    #[inline]
    pub fn for_each_match(&self, haystack: &[u8], mut on_match: impl FnMut(usize)) {
        match &self.engine {
            Engine::AhoCorasick(ac) => {
                for m in ac.find_overlapping_iter(haystack) {
                    on_match(m.pattern().as_usize());
                }
            }
            #[cfg(feature = "hyperscan")]
            Engine::Hyperscan(db) => {
                if db.for_each_match(haystack, &mut on_match).is_err() {
                    // Fail closed: every literal, so every candidate gets confirmed.
                    SCAN_ERRORS.fetch_add(1, Ordering::Relaxed);
                    (0..self.len).for_each(&mut on_match);
                }
            }
        }
    }

    /// The ids of the literals in `haystack`, sorted and without repeats.
    pub fn matches(&self, haystack: &[u8]) -> Vec<usize> {
        let mut ids = Vec::new();
        self.for_each_match(haystack, |id| ids.push(id));
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

static AHO_CORASICK_SETS: AtomicU64 = AtomicU64::new(0);
static HYPERSCAN_SETS: AtomicU64 = AtomicU64::new(0);
static FALLBACKS: AtomicU64 = AtomicU64::new(0);
static SCAN_ERRORS: AtomicU64 = AtomicU64::new(0);
static BAD_ENV: AtomicU64 = AtomicU64::new(0);

/// Process-wide counts since start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BackendStats {
    /// Sets built on Aho-Corasick (including fallbacks).
    pub aho_corasick_sets: u64,
    /// Sets built on Hyperscan.
    pub hyperscan_sets: u64,
    /// Sets that wanted Hyperscan and fell back to Aho-Corasick.
    pub hyperscan_fallbacks: u64,
    /// Hyperscan scans that failed (each reported every literal instead).
    pub hyperscan_scan_errors: u64,
    /// Times [`BACKEND_ENV`] held an unknown value.
    pub bad_env: u64,
}

/// The process-wide counts.
pub fn stats() -> BackendStats {
    BackendStats {
        aho_corasick_sets: AHO_CORASICK_SETS.load(Ordering::Relaxed),
        hyperscan_sets: HYPERSCAN_SETS.load(Ordering::Relaxed),
        hyperscan_fallbacks: FALLBACKS.load(Ordering::Relaxed),
        hyperscan_scan_errors: SCAN_ERRORS.load(Ordering::Relaxed),
        bad_env: BAD_ENV.load(Ordering::Relaxed),
    }
}

/// One set built inside [`with_backend`].
#[derive(Debug, Clone)]
pub struct BuiltSet {
    pub backend: Backend,
    /// The literals, in id order.
    pub literals: Vec<Vec<u8>>,
    /// Why Hyperscan was wanted but not used.
    pub fallback: Option<String>,
}

/// The sets built inside one [`with_backend`] call, in build order.
#[derive(Debug, Clone, Default)]
pub struct BuildLog {
    pub sets: Vec<BuiltSet>,
}

impl BuildLog {
    /// How many sets run on `backend`.
    pub fn count(&self, backend: Backend) -> usize {
        self.sets.iter().filter(|s| s.backend == backend).count()
    }

    /// The fallback reasons, if any set fell back.
    pub fn fallbacks(&self) -> Vec<&str> {
        self.sets
            .iter()
            .filter_map(|s| s.fallback.as_deref())
            .collect()
    }
}

struct Scope {
    choice: BackendChoice,
    log: BuildLog,
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

fn record(set: &LiteralSet, literals: &[&[u8]], fallback: Option<String>) {
    SCOPE.with(|s| {
        if let Some(scope) = s.borrow_mut().as_mut() {
            scope.log.sets.push(BuiltSet {
                backend: set.backend(),
                literals: literals.iter().map(|l| l.to_vec()).collect(),
                fallback,
            });
        }
    });
}

/// Runs `build` (typically `CompiledRules::compile`) with every literal set
/// built on this thread meanwhile using `choice`, ignoring [`BACKEND_ENV`];
/// returns its result and a log of the sets built. Meant for tests and
/// benches that compare backends within one process. Nests: the inner call
/// wins while it runs.
pub fn with_backend<R>(choice: BackendChoice, build: impl FnOnce() -> R) -> (R, BuildLog) {
    let outer = SCOPE.with(|s| {
        s.borrow_mut().replace(Scope {
            choice,
            log: BuildLog::default(),
        })
    });
    // Restores the outer scope even when `build` panics.
    struct Restore(Option<Option<Scope>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                let _ = SCOPE.try_with(|s| *s.borrow_mut() = outer);
            }
        }
    }
    let mut restore = Restore(Some(outer));
    let result = build();
    let log = SCOPE
        .with(|s| s.borrow_mut().take())
        .map(|scope| scope.log)
        .unwrap_or_default();
    if let Some(outer) = restore.0.take() {
        SCOPE.with(|s| *s.borrow_mut() = outer);
    }
    (result, log)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const LITERALS: &[&str] = &[
        "select",
        "union",
        "<script",
        "onerror",
        "../",
        "etc/passwd",
        "sel",
        "ct",
        "\u{e9}t\u{e9}",
        "a\0b",
        "javascript:",
    ];

    fn both(choice: BackendChoice) -> LiteralSet {
        LiteralSet::build_with(LITERALS, choice).unwrap()
    }

    #[test]
    fn reports_every_overlapping_literal_ignoring_ascii_case() {
        for choice in [BackendChoice::AhoCorasick, BackendChoice::Hyperscan] {
            let set = both(choice);
            assert_eq!(set.len(), LITERALS.len());
            assert_eq!(set.matches(b"1 UNION SeLeCt 2"), vec![0, 1, 6, 7]);
            assert_eq!(set.matches(b"<ScRiPt>"), vec![2]);
            assert_eq!(set.matches(b"..%2f"), Vec::<usize>::new());
            assert_eq!(set.matches(b"a\0b ../ETC/PASSWD"), vec![4, 5, 9]);
            assert_eq!(set.matches(b""), Vec::<usize>::new());
            // Only ASCII folds: an upper-case non-ASCII letter is another byte.
            assert_eq!(set.matches("\u{c9}T\u{c9}".as_bytes()), Vec::<usize>::new());
            assert_eq!(set.matches("\u{e9}T\u{e9}".as_bytes()), vec![8]);
        }
    }

    #[test]
    fn backends_agree_on_generated_haystacks() {
        let ac = both(BackendChoice::AhoCorasick);
        let other = both(BackendChoice::Hyperscan);
        let alphabet = b"selctunioSELCTUNIO<>/.:aAb\0\xc3\xa9jvp ";
        let mut random = crate::test_bytes::Xorshift(0x2545_f491_4f6c_dd1d);
        for len in 0..400usize {
            let hay = random.bytes_over(alphabet, len);
            assert_eq!(ac.matches(&hay), other.matches(&hay), "{hay:?}");
        }
    }

    #[test]
    fn choice_parses_and_resolves() {
        assert_eq!("hyperscan".parse(), Ok(BackendChoice::Hyperscan));
        assert_eq!(" Aho-Corasick ".parse(), Ok(BackendChoice::AhoCorasick));
        assert_eq!("auto".parse(), Ok(BackendChoice::Auto));
        assert!("pcre".parse::<BackendChoice>().is_err());
        assert_eq!(
            BackendChoice::AhoCorasick.resolve(10_000),
            Backend::AhoCorasick
        );
        assert_eq!(BackendChoice::Auto.resolve(1), Backend::AhoCorasick);
        assert_eq!(
            BackendChoice::Auto.resolve(HYPERSCAN_MIN_LITERALS) == Backend::Hyperscan,
            HYPERSCAN_COMPILED_IN
        );
    }

    #[test]
    fn forcing_hyperscan_uses_it_when_compiled_in_and_falls_back_otherwise() {
        let (set, log) = with_backend(BackendChoice::Hyperscan, || LiteralSet::build(LITERALS));
        let set = set.unwrap();
        assert_eq!(log.sets.len(), 1);
        if HYPERSCAN_COMPILED_IN {
            assert_eq!(set.backend(), Backend::Hyperscan, "{:?}", log.fallbacks());
        } else {
            assert_eq!(set.backend(), Backend::AhoCorasick);
            assert_eq!(log.fallbacks().len(), 1);
        }
        // The scope ended: the next build follows the environment again.
        let (_, outer) = with_backend(BackendChoice::AhoCorasick, || {
            let (inner, log) = with_backend(BackendChoice::Hyperscan, || {
                LiteralSet::build(LITERALS).unwrap().backend()
            });
            assert_eq!(log.sets.len(), 1);
            assert_eq!(inner == Backend::Hyperscan, HYPERSCAN_COMPILED_IN);
            LiteralSet::build(LITERALS).unwrap()
        });
        assert_eq!(outer.count(Backend::AhoCorasick), 1);
    }

    #[test]
    fn a_panicking_callback_propagates_and_the_set_stays_usable() {
        let set = both(BackendChoice::Hyperscan);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            set.for_each_match(b"union select", |_| panic!("callback"));
        }));
        assert!(result.is_err());
        assert_eq!(set.matches(b"union select"), vec![0, 1, 6, 7]);
    }

    #[test]
    fn concurrent_scans_of_one_set_agree() {
        let set = std::sync::Arc::new(both(BackendChoice::Hyperscan));
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let set = std::sync::Arc::clone(&set);
                std::thread::spawn(move || {
                    for i in 0..2000 {
                        let hay = format!("{t}{i} union /**/ SELECT <script onerror");
                        assert_eq!(set.matches(hay.as_bytes()), vec![0, 1, 2, 3, 6, 7]);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }

    #[test]
    fn a_nested_scan_on_the_same_thread_works() {
        let set = both(BackendChoice::Hyperscan);
        let other = LiteralSet::build_with(["zz", "select"], BackendChoice::Hyperscan).unwrap();
        let mut inner = Vec::new();
        set.for_each_match(b"union", |_| inner.extend(other.matches(b"ZZ select")));
        assert_eq!(inner, vec![0, 1]);
    }
}
