//! Raw HTTP request files: one or more HTTP/1.x requests back to back
//! (pipelined, no responses), as saved by `curl --trace`-style tools or
//! written by hand. Each request becomes an exchange without a response.

use crate::emit::Emitter;
use crate::exchange::Limits;
use crate::http1::Session;
use std::io::{self, BufRead};

/// Reads requests from `input` until its end; returns the bytes read.
pub(crate) fn read(
    input: &mut dyn BufRead,
    limits: &Limits,
    em: &mut Emitter<'_>,
) -> (u64, u64, Option<io::Error>) {
    let mut session = Session::new(None, None, limits);
    let mut bytes = 0u64;
    let mut failure = None;
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        if buf.is_empty() {
            break;
        }
        let n = buf.len();
        session.client_data(buf, 0, em);
        input.consume(n);
        bytes += n as u64;
    }
    session.client_end(em);
    session.finish(em);
    (bytes, session.requests_seen(), failure)
}
