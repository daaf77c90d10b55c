//! One connection to Redis: connect (with AUTH and SELECT), send a command,
//! read its reply. A connection is used by one request at a time; whoever
//! owns it when an exchange fails or is cancelled drops it, so a reply is
//! never read by the wrong request.

use crate::shared_limits::resp::{self, ProtocolError, Reply};
use palisade_engine::ratelimit::RedisEndpoint;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Why an exchange with Redis failed.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    #[error("connecting to Redis: {0}")]
    Connect(std::io::Error),
    #[error("connecting to Redis: timed out")]
    ConnectTimeout,
    #[error("Redis connection: {0}")]
    Io(#[from] std::io::Error),
    #[error("Redis closed the connection")]
    Closed,
    #[error("Redis protocol: {0}")]
    Protocol(#[from] ProtocolError),
    #[error("Redis answered an error: {0}")]
    Server(String),
    #[error("Redis answered something unexpected: {0:?}")]
    Unexpected(Reply),
}

/// An open connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Connects, authenticates and selects the database, all within `timeout`.
    pub async fn connect(endpoint: &RedisEndpoint, timeout: Duration) -> Result<Conn, RedisError> {
        let setup = async {
            let stream = TcpStream::connect(endpoint.address())
                .await
                .map_err(RedisError::Connect)?;
            let _ = stream.set_nodelay(true);
            let mut conn = Conn {
                stream,
                buf: Vec::with_capacity(512),
            };
            if let Some(password) = &endpoint.password {
                let reply = match &endpoint.username {
                    Some(user) => {
                        conn.call(&[b"AUTH", user.as_bytes(), password.as_bytes()])
                            .await?
                    }
                    None => conn.call(&[b"AUTH", password.as_bytes()]).await?,
                };
                ok(reply)?;
            }
            if endpoint.db != 0 {
                let db = endpoint.db.to_string();
                ok(conn.call(&[b"SELECT", db.as_bytes()]).await?)?;
            }
            Ok(conn)
        };
        tokio::time::timeout(timeout, setup)
            .await
            .map_err(|_| RedisError::ConnectTimeout)?
    }

    /// Sends one command and reads its reply. An error reply is returned as
    /// `Ok(Reply::Error)`: the connection is still good.
    pub async fn call(&mut self, args: &[&[u8]]) -> Result<Reply, RedisError> {
        self.stream.write_all(&resp::encode(args)).await?;
        loop {
            if let Some((reply, used)) = resp::parse(&self.buf)? {
                self.buf.drain(..used);
                return Ok(reply);
            }
            let mut chunk = [0u8; 1024];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(RedisError::Closed);
            }
            self.buf
                .extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
    }
}

/// `+OK` or the error it is not.
fn ok(reply: Reply) -> Result<(), RedisError> {
    match reply {
        Reply::Simple(_) => Ok(()),
        Reply::Error(e) => Err(RedisError::Server(e)),
        other => Err(RedisError::Unexpected(other)),
    }
}
