//! The Redis wire protocol (RESP2), just what shared limits need: commands
//! encoded as arrays of bulk strings, and replies parsed from a byte buffer
//! (simple strings, errors, integers, bulk strings, arrays), bounded in size
//! and nesting so a misbehaving server cannot make us hold unbounded memory.

/// Largest reply accepted, in bytes.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;
/// Deepest array nesting accepted.
const MAX_DEPTH: usize = 4;

/// One reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// Why bytes are not a reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("unknown reply type byte 0x{0:02x}")]
    Type(u8),
    #[error("malformed length or integer")]
    Number,
    #[error("reply nested too deeply")]
    Depth,
    #[error("reply larger than {MAX_REPLY_BYTES} bytes")]
    TooLarge,
}

/// Encodes a command as RESP (an array of bulk strings).
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let size: usize = args.iter().map(|a| a.len() + 16).sum();
    let mut out = Vec::with_capacity(size + 16);
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The line at the start of `buf` (without CRLF) and the bytes it took.
fn line(buf: &[u8]) -> Option<(&[u8], usize)> {
    let end = buf.windows(2).position(|w| w == b"\r\n")?;
    Some((buf.get(..end)?, end + 2))
}

fn number(bytes: &[u8]) -> Result<i64, ProtocolError> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or(ProtocolError::Number)
}

/// Parses one reply from the start of `buf`: `Ok(None)` when more bytes are
/// needed, else the reply and how many bytes it took.
pub fn parse(buf: &[u8]) -> Result<Option<(Reply, usize)>, ProtocolError> {
    let parsed = parse_at(buf, 0)?;
    if parsed.is_none() && buf.len() > MAX_REPLY_BYTES {
        return Err(ProtocolError::TooLarge);
    }
    Ok(parsed)
}

fn parse_at(buf: &[u8], depth: usize) -> Result<Option<(Reply, usize)>, ProtocolError> {
    if depth > MAX_DEPTH {
        return Err(ProtocolError::Depth);
    }
    let Some(&kind) = buf.first() else {
        return Ok(None);
    };
    let Some((text, used)) = line(buf.get(1..).unwrap_or_default()) else {
        return Ok(None);
    };
    let used = used + 1;
    let string = || String::from_utf8_lossy(text).into_owned();
    match kind {
        b'+' => Ok(Some((Reply::Simple(string()), used))),
        b'-' => Ok(Some((Reply::Error(string()), used))),
        b':' => Ok(Some((Reply::Int(number(text)?), used))),
        b'$' => {
            let len = number(text)?;
            if len < 0 {
                return Ok(Some((Reply::Bulk(None), used)));
            }
            let len = usize::try_from(len).map_err(|_| ProtocolError::Number)?;
            if len > MAX_REPLY_BYTES {
                return Err(ProtocolError::TooLarge);
            }
            let Some(body) = buf.get(used..used + len) else {
                return Ok(None);
            };
            if buf.len() < used + len + 2 {
                return Ok(None);
            }
            Ok(Some((Reply::Bulk(Some(body.to_vec())), used + len + 2)))
        }
        b'*' => {
            let count = number(text)?;
            if count < 0 {
                return Ok(Some((Reply::Array(None), used)));
            }
            let count = usize::try_from(count).map_err(|_| ProtocolError::Number)?;
            if count > MAX_REPLY_BYTES / 3 {
                return Err(ProtocolError::TooLarge);
            }
            let mut items = Vec::with_capacity(count.min(64));
            let mut at = used;
            for _ in 0..count {
                let rest = buf.get(at..).unwrap_or_default();
                match parse_at(rest, depth + 1)? {
                    Some((item, n)) => {
                        items.push(item);
                        at += n;
                    }
                    None => return Ok(None),
                }
            }
            Ok(Some((Reply::Array(Some(items)), at)))
        }
        other => Err(ProtocolError::Type(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_commands() {
        assert_eq!(
            encode(&[b"GET", b"k\r\n"]),
            b"*2\r\n$3\r\nGET\r\n$3\r\nk\r\n\r\n".to_vec()
        );
    }

    #[test]
    fn parses_replies_and_waits_for_more() {
        let full = b"*2\r\n:0\r\n:1500\r\n+OK\r\n";
        let (reply, used) = parse(full).unwrap().unwrap();
        assert_eq!(
            reply,
            Reply::Array(Some(vec![Reply::Int(0), Reply::Int(1500)]))
        );
        assert_eq!(used, 15);
        for cut in 0..15 {
            assert_eq!(parse(&full[..cut]).unwrap(), None, "cut at {cut}");
        }
        assert_eq!(parse(b"$-1\r\n").unwrap().unwrap().0, Reply::Bulk(None));
        assert_eq!(
            parse(b"$2\r\nab\r\n").unwrap().unwrap(),
            (Reply::Bulk(Some(b"ab".to_vec())), 8)
        );
        assert_eq!(
            parse(b"-NOSCRIPT No matching script\r\n")
                .unwrap()
                .unwrap()
                .0,
            Reply::Error("NOSCRIPT No matching script".into())
        );
    }

    #[test]
    fn refuses_garbage_and_excess() {
        assert_eq!(parse(b"?x\r\n"), Err(ProtocolError::Type(b'?')));
        assert_eq!(parse(b":x\r\n"), Err(ProtocolError::Number));
        assert_eq!(parse(b"$999999999\r\n"), Err(ProtocolError::TooLarge));
        assert_eq!(
            parse(b"*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"),
            Err(ProtocolError::Depth)
        );
        let long = vec![b'+'; MAX_REPLY_BYTES + 10];
        assert_eq!(parse(&long), Err(ProtocolError::TooLarge));
    }
}
