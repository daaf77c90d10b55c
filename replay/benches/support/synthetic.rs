//! A benign synthetic Ethernet pcap for the capture bench and the
//! memory check: keep-alive connections, each with two GETs, two 8 KiB form
//! POSTs and four 16 KiB responses, in 1448-byte segments. Written as a
//! stream, so any size can be produced in flat memory.

use std::io::{self, Write};

const MSS: usize = 1448;

struct Writer<W: Write> {
    out: W,
    written: usize,
    time: u64,
    frame: Vec<u8>,
}

impl<W: Write> Writer<W> {
    fn header(&mut self) -> io::Result<()> {
        let mut h = Vec::new();
        h.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&[0; 8]);
        h.extend_from_slice(&262_144u32.to_le_bytes());
        h.extend_from_slice(&1u32.to_le_bytes());
        self.out.write_all(&h)?;
        self.written += h.len();
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn segment(
        &mut self,
        src: [u8; 4],
        sport: u16,
        dst: [u8; 4],
        dport: u16,
        seq: u32,
        ack: u32,
        flags: u8,
        data: &[u8],
    ) -> io::Result<()> {
        self.time += 7;
        let f = &mut self.frame;
        f.clear();
        let frame_len = (14 + 20 + 20 + data.len()) as u32;
        f.extend_from_slice(&((self.time / 1_000_000) as u32 + 1_700_000_000).to_le_bytes());
        f.extend_from_slice(&((self.time % 1_000_000) as u32).to_le_bytes());
        f.extend_from_slice(&frame_len.to_le_bytes());
        f.extend_from_slice(&frame_len.to_le_bytes());
        f.extend_from_slice(&[2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00]);
        f.extend_from_slice(&[0x45, 0]);
        f.extend_from_slice(&((40 + data.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]);
        f.extend_from_slice(&src);
        f.extend_from_slice(&dst);
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&ack.to_be_bytes());
        f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        f.extend_from_slice(data);
        self.out.write_all(f)?;
        self.written += f.len();
        Ok(())
    }
}

/// Writes a capture of at least `target_bytes`; returns its request count.
pub fn write_pcap(out: impl Write, target_bytes: usize) -> io::Result<u64> {
    let mut w = Writer {
        out,
        written: 0,
        time: 0,
        frame: Vec::new(),
    };
    w.header()?;
    let server = [10, 0, 0, 1];
    let mut requests = 0u64;
    let form: String = (0..1000).map(|i| format!("field{i}=value{i}&")).collect();
    let form = &form[..8192];
    let response_body = vec![b'x'; 16 * 1024];
    let mut conn = 0u32;
    while w.written < target_bytes {
        conn += 1;
        let client = [10, 1, (conn >> 8) as u8, conn as u8];
        let port = 10_000 + (conn % 50_000) as u16;
        let (mut cseq, mut sseq) = (1000u32.wrapping_mul(conn), 5000u32);
        w.segment(client, port, server, 80, cseq, 0, 0x02, b"")?;
        w.segment(server, 80, client, port, sseq, cseq + 1, 0x12, b"")?;
        cseq = cseq.wrapping_add(1);
        sseq += 1;
        for k in 0..4 {
            let request = if k % 2 == 0 {
                format!(
                    "GET /products/{k}?id={conn}&sort=price HTTP/1.1\r\nHost: shop.example\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) bench\r\nAccept: text/html,application/xhtml+xml\r\n\
Accept-Language: en-GB,en;q=0.9\r\nCookie: session=abcdef0123456789; theme=dark\r\n\r\n"
                )
                .into_bytes()
            } else {
                let mut r = format!(
                    "POST /checkout HTTP/1.1\r\nHost: shop.example\r\n\
Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
                    form.len()
                )
                .into_bytes();
                r.extend_from_slice(form.as_bytes());
                r
            };
            for piece in request.chunks(MSS) {
                w.segment(client, port, server, 80, cseq, sseq, 0x18, piece)?;
                cseq = cseq.wrapping_add(piece.len() as u32);
            }
            let mut response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
                response_body.len()
            )
            .into_bytes();
            response.extend_from_slice(&response_body);
            for piece in response.chunks(MSS) {
                w.segment(server, 80, client, port, sseq, cseq, 0x18, piece)?;
                sseq = sseq.wrapping_add(piece.len() as u32);
            }
            requests += 1;
        }
        w.segment(client, port, server, 80, cseq, sseq, 0x11, b"")?;
        w.segment(
            server,
            80,
            client,
            port,
            sseq,
            cseq.wrapping_add(1),
            0x11,
            b"",
        )?;
    }
    w.out.flush()?;
    Ok(requests)
}
