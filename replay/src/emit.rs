//! The reader's output end: hands exchanges and notices to the caller's sink,
//! numbers exchanges in the order their requests began and counts both.

use crate::exchange::{Event, Exchange, Notice, NoticeKind};
use std::net::SocketAddr;

/// Where readers send what they find; one per input file.
pub(crate) struct Emitter<'s> {
    source: usize,
    sink: &'s mut dyn FnMut(Event),
    pub(crate) next_index: u64,
    pub(crate) exchanges: u64,
    pub(crate) notices: u64,
}

impl<'s> Emitter<'s> {
    pub(crate) fn new(source: usize, sink: &'s mut dyn FnMut(Event)) -> Emitter<'s> {
        Emitter {
            source,
            sink,
            next_index: 0,
            exchanges: 0,
            notices: 0,
        }
    }

    pub(crate) fn source(&self) -> usize {
        self.source
    }

    /// The index for the next request that begins.
    pub(crate) fn take_index(&mut self) -> u64 {
        let index = self.next_index;
        self.next_index += 1;
        index
    }

    pub(crate) fn exchange(&mut self, exchange: Exchange) {
        self.exchanges += 1;
        (self.sink)(Event::Exchange(Box::new(exchange)));
    }

    pub(crate) fn notice(
        &mut self,
        kind: NoticeKind,
        offset: Option<u64>,
        conn: Option<(SocketAddr, SocketAddr)>,
        message: String,
    ) {
        self.notices += 1;
        (self.sink)(Event::Notice(Notice {
            kind,
            source: self.source,
            offset,
            client: conn.map(|c| c.0),
            server: conn.map(|c| c.1),
            message,
        }));
    }
}
