//! One replayed request as the reports see it: the exchange read from the
//! input, the engine's verdict, and the derived facts every report uses
//! (host, path, whether it was blocked or would have been).

use palisade_engine::verdict::Action;
use palisade_engine::Verdict;
use palisade_replay::Exchange;

/// What happened to a request, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Allowed,
    Blocked,
    /// Detect mode: the verdict has a block reason but the action is allow.
    WouldBlock,
}

impl Disposition {
    pub fn name(self) -> &'static str {
        match self {
            Disposition::Allowed => "allow",
            Disposition::Blocked => "block",
            Disposition::WouldBlock => "would_block",
        }
    }
}

/// A replayed request.
pub struct Replayed<'a> {
    pub exchange: &'a Exchange,
    pub verdict: &'a Verdict,
    /// The input file's name as given on the command line.
    pub source: &'a str,
}

impl Replayed<'_> {
    pub fn disposition(&self) -> Disposition {
        match (self.verdict.action, self.verdict.reason) {
            (Action::Block, _) => Disposition::Blocked,
            (Action::Allow, Some(_)) => Disposition::WouldBlock,
            (Action::Allow, None) => Disposition::Allowed,
        }
    }

    /// The request's host without port, lowercased (empty when unknown).
    pub fn host(&self) -> String {
        palisade_engine::scope::request_host(&self.exchange.head)
    }

    /// The raw path (no query), as text.
    pub fn path(&self) -> String {
        String::from_utf8_lossy(self.exchange.head.path()).into_owned()
    }

    /// The raw request-target (path and query), as text.
    pub fn target(&self) -> String {
        String::from_utf8_lossy(self.exchange.head.origin_form()).into_owned()
    }

    /// The client address, or `-` when the input does not have one.
    pub fn client_ip(&self) -> String {
        self.exchange
            .client
            .map_or_else(|| "-".to_string(), |c| c.ip().to_string())
    }

    /// The paired response's status, if any.
    pub fn response_status(&self) -> Option<u16> {
        self.exchange.response.as_ref().map(|r| r.status)
    }
}
