//! TCP reassembly and HTTP/1 stream parsing under arbitrary segment
//! sequences: segments are slices of one client stream and one server
//! stream (both taken from the input), sent in any order, repeated,
//! overlapping, possibly altered, with any flags, on a few connections,
//! with small limits. Nothing panics and bodies stay within the cap.
//!
//! Layout: byte 0 = number of segments n; then n records of 6 bytes
//! (control, flags, offset u16 BE, length, alter); the rest is split at its
//! middle into the client stream and the server stream.

#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_replay::capture::Capture;
use palisade_replay::{Event, Limits};

#[allow(clippy::too_many_arguments)]
fn packet(
    src: [u8; 4],
    sport: u16,
    dst: [u8; 4],
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    data: &[u8],
) -> Vec<u8> {
    let mut p = vec![0x45, 0];
    p.extend_from_slice(&((40 + data.len()) as u16).to_be_bytes());
    p.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(&sport.to_be_bytes());
    p.extend_from_slice(&dport.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&ack.to_be_bytes());
    p.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    p.extend_from_slice(data);
    p
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let ops_len = (usize::from(n) * 6).min(rest.len());
    let (ops, streams) = rest.split_at(ops_len);
    let (client_stream, server_stream) = streams.split_at(streams.len() / 2);
    let limits = Limits {
        max_body: 64,
        max_stream_buffer: 512,
        max_connections: 2,
        max_fragment_sets: 2,
    };
    let client = [10, 0, 0, 1];
    let server = [10, 0, 0, 2];
    // Initial sequence numbers near the wrap point, to exercise wrap-around.
    let client_isn = u32::MAX - 100;
    let server_isn = u32::MAX - 7;
    let mut capture = Capture::new(&limits);
    let mut sink = |e: Event| {
        if let Event::Exchange(x) = e {
            assert!(x.body.len() <= 64);
        }
    };
    for (time, op) in ops.chunks_exact(6).enumerate() {
        let control = op[0];
        let flags = op[1];
        let offset = usize::from(u16::from_be_bytes([op[2], op[3]]));
        let len = usize::from(op[4]);
        let from_client = control & 1 == 0;
        let port = 40_000 + u16::from((control >> 1) & 3);
        let stream = if from_client {
            client_stream
        } else {
            server_stream
        };
        let start = offset.min(stream.len());
        let end = (start + len).min(stream.len());
        let mut payload = stream[start..end].to_vec();
        if op[5] != 0 {
            let at = usize::from(op[5]) % payload.len().max(1);
            if let Some(b) = payload.get_mut(at) {
                *b ^= op[5];
            }
        }
        let (cseq, sseq) = (client_isn.wrapping_add(1), server_isn.wrapping_add(1));
        let bytes = if from_client {
            packet(
                client,
                port,
                server,
                80,
                cseq.wrapping_add(start as u32),
                sseq.wrapping_add(u32::from(op[5]) * 4),
                flags,
                &payload,
            )
        } else {
            packet(
                server,
                80,
                client,
                port,
                sseq.wrapping_add(start as u32),
                cseq.wrapping_add(u32::from(op[5]) * 4),
                flags,
                &payload,
            )
        };
        let bytes = if flags & 0x02 != 0 && flags & 0x10 == 0 {
            packet(client, port, server, 80, client_isn, 0, 0x02, &[])
        } else if flags & 0x02 != 0 {
            packet(
                server,
                80,
                client,
                port,
                server_isn,
                client_isn.wrapping_add(1),
                0x12,
                &[],
            )
        } else {
            bytes
        };
        capture.packet(101, time as i64, &bytes, 0, 0, &mut sink);
        assert!(capture.connections() <= 2);
    }
    capture.finish(0, &mut sink);
});
