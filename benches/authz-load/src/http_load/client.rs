//! One keep-alive HTTP/1.1 client connection: sends a fixed, pre-built request and
//! reads one response (head plus a `Content-Length` or chunked body), returning the
//! status. Blocking I/O on a std `TcpStream`; reconnects when the server closes.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A connection and its read buffer.
pub struct Connection {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Connection {
    pub fn new(addr: SocketAddr) -> Connection {
        Connection {
            addr,
            stream: None,
            buf: Vec::with_capacity(16 * 1024),
        }
    }

    /// Sends `request` and returns the response status; reconnects once if a kept-alive
    /// connection turns out to be closed.
    pub fn exchange(&mut self, request: &[u8]) -> Result<u16> {
        match self.try_exchange(request) {
            Ok(status) => Ok(status),
            Err(_) if self.stream.is_some() => {
                self.stream = None;
                self.try_exchange(request)
            }
            Err(e) => Err(e),
        }
    }

    fn try_exchange(&mut self, request: &[u8]) -> Result<u16> {
        if self.stream.is_none() {
            let stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5))
                .with_context(|| format!("connect {}", self.addr))?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(10)))?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        let Some(stream) = self.stream.as_mut() else {
            bail!("no connection");
        };
        stream.write_all(request)?;
        let (status, close) = read_response(stream, &mut self.buf)?;
        if close {
            self.stream = None;
        }
        Ok(status)
    }
}

/// Reads one response into `buf` (keeping bytes past it for the next one); returns
/// the status and whether the server asked to close.
fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(u16, bool)> {
    let head_end = loop {
        if let Some(pos) = find(buf, b"\r\n\r\n") {
            break pos + 4;
        }
        fill(stream, buf)?;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("response without a status")?;
    let mut length = None;
    let mut chunked = false;
    let mut close = false;
    for line in head.lines().skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    buf.drain(..head_end);
    if chunked {
        read_chunked(stream, buf)?;
    } else if let Some(n) = length {
        while buf.len() < n {
            fill(stream, buf)?;
        }
        buf.drain(..n);
    } else {
        // No length: the body runs to the end of the connection.
        while fill(stream, buf).is_ok() {}
        buf.clear();
        close = true;
    }
    Ok((status, close))
}

/// Consumes a chunked body (and its empty trailer) from `buf`.
fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<()> {
    loop {
        let line_end = loop {
            if let Some(pos) = find(buf, b"\r\n") {
                break pos;
            }
            fill(stream, buf)?;
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).context("bad chunk size")?;
        let need = line_end + 2 + size + 2;
        while buf.len() < need {
            fill(stream, buf)?;
        }
        buf.drain(..need);
        if size == 0 {
            return Ok(());
        }
    }
}

fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    let n = stream.read(&mut chunk)?;
    if n == 0 {
        bail!("connection closed");
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
