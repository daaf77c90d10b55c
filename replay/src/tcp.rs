//! Reassembly of one TCP direction: segments in any order become the byte
//! stream in order. Sequence numbers wrap; retransmissions are dropped;
//! overlapping bytes keep the first copy seen and a differing second copy is
//! reported; holes are handed out as gaps when the reader gives up waiting
//! (buffer cap, peer acknowledged past them, end of stream). Memory is
//! bounded by the configured buffer size.

use std::collections::BTreeMap;

/// Bytes of already delivered stream kept to compare retransmissions with.
const HISTORY_BYTES: usize = 32 * 1024;

/// A piece of the reassembled stream.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Chunk<'a> {
    Data(&'a [u8]),
    /// This many bytes are missing from the stream here.
    Gap(u64),
}

/// What one segment did besides delivering bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SegmentOutcome {
    /// The segment overlapped bytes seen before, with different content.
    pub(crate) conflict: bool,
    /// Stream offset of the first differing overlap.
    pub(crate) conflict_offset: u64,
}

/// The last bytes delivered, in a ring, for retransmission comparison.
#[derive(Debug, Default)]
struct History {
    /// Grows to `cap` bytes, then used as a ring indexed by offset % cap.
    buf: Vec<u8>,
    cap: usize,
    /// Stream offset just past the newest byte kept.
    end: u64,
    /// Offsets before this are not kept (before a gap).
    valid_from: u64,
}

impl History {
    fn new(cap: usize) -> History {
        History {
            buf: Vec::new(),
            cap,
            end: 0,
            valid_from: 0,
        }
    }

    fn push(&mut self, data: &[u8]) {
        if self.cap == 0 {
            self.skip(data.len() as u64);
            return;
        }
        let keep = data
            .get(data.len().saturating_sub(self.cap)..)
            .unwrap_or_default();
        self.end += (data.len() - keep.len()) as u64;
        if self.buf.len() < self.cap {
            if self.end == self.buf.len() as u64 && self.buf.len() + keep.len() <= self.cap {
                self.buf.extend_from_slice(keep);
                self.end += keep.len() as u64;
                return;
            }
            self.buf.resize(self.cap, 0);
        }
        let slot = (self.end % self.cap as u64) as usize;
        let first = keep.len().min(self.cap - slot);
        let (head, tail) = keep.split_at(first);
        if let Some(dst) = self.buf.get_mut(slot..slot + first) {
            dst.copy_from_slice(head);
        }
        if let Some(dst) = self.buf.get_mut(..tail.len()) {
            dst.copy_from_slice(tail);
        }
        self.end += keep.len() as u64;
    }

    /// Bytes that were never seen (a gap): nothing before them is comparable.
    fn skip(&mut self, len: u64) {
        self.end += len;
        self.valid_from = self.end;
    }

    /// Compares `data` at stream offset `start` with the kept bytes; returns
    /// the offset of the first difference.
    fn differs(&self, start: u64, data: &[u8]) -> Option<u64> {
        if self.cap == 0 {
            return None;
        }
        let kept = (self.buf.len() as u64).min(self.end);
        let oldest = self.valid_from.max(self.end - kept);
        let lo = start.max(oldest);
        let hi = (start + data.len() as u64).min(self.end);
        (lo..hi).find(|&off| {
            let slot = (off % self.cap as u64) as usize;
            let new = data.get((off - start) as usize);
            self.buf.get(slot) != new
        })
    }
}

/// Reassembly state of one direction of a connection.
#[derive(Debug)]
pub(crate) struct Reassembler {
    started: bool,
    /// Sequence number of the next byte to deliver.
    next_seq: u32,
    /// Stream offset of the next byte to deliver (bytes delivered + gaps).
    delivered: u64,
    /// Out-of-order bytes by stream offset; never overlapping each other.
    pending: BTreeMap<u64, Vec<u8>>,
    pending_bytes: usize,
    max_pending: usize,
    history: History,
}

impl Reassembler {
    pub(crate) fn new(max_pending: usize) -> Reassembler {
        Reassembler {
            started: false,
            next_seq: 0,
            delivered: 0,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            max_pending,
            history: History::new(HISTORY_BYTES.min(max_pending)),
        }
    }

    pub(crate) fn is_started(&self) -> bool {
        self.started
    }

    /// Stream offset of the next byte to deliver.
    pub(crate) fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Starts the stream from a SYN carrying initial sequence number `isn`.
    pub(crate) fn start_syn(&mut self, isn: u32) {
        self.start_at(isn.wrapping_add(1));
    }

    /// Starts the stream at `seq` (first segment seen, no SYN).
    pub(crate) fn start_at(&mut self, seq: u32) {
        self.started = true;
        self.next_seq = seq;
    }

    /// Stream offset of sequence number `seq` (valid within ±2 GiB of the
    /// next expected byte).
    pub(crate) fn offset_of(&self, seq: u32) -> u64 {
        let distance = i64::from(seq.wrapping_sub(self.next_seq) as i32);
        (self.delivered as i64 + distance).max(0) as u64
    }

    /// Takes one segment; in-order bytes go to `out` at once.
    pub(crate) fn segment(
        &mut self,
        seq: u32,
        data: &[u8],
        out: &mut dyn FnMut(Chunk<'_>),
    ) -> SegmentOutcome {
        let mut outcome = SegmentOutcome::default();
        if data.is_empty() {
            return outcome;
        }
        if !self.started {
            self.start_at(seq);
        }
        let start = self.offset_of(seq);
        let end = start + data.len() as u64;
        if end <= self.delivered {
            self.note_conflict(&mut outcome, self.history.differs(start, data));
            return outcome;
        }
        let (start, data) = if start < self.delivered {
            let cut = (self.delivered - start) as usize;
            let (old, new) = data.split_at(cut);
            self.note_conflict(&mut outcome, self.history.differs(start, old));
            (self.delivered, new)
        } else {
            (start, data)
        };
        if start == self.delivered && self.pending.is_empty() {
            self.deliver(data, out);
            return outcome;
        }
        self.insert(start, data, &mut outcome);
        self.drain(out);
        while self.pending_bytes > self.max_pending {
            self.skip_to_pending(out);
        }
        outcome
    }

    /// The peer acknowledged everything before `ack`: bytes before it that
    /// were never seen are a gap, given up on now.
    pub(crate) fn acknowledged(&mut self, ack: u32, out: &mut dyn FnMut(Chunk<'_>)) {
        if !self.started {
            return;
        }
        let ack_off = self.offset_of(ack);
        if ack_off <= self.delivered {
            return;
        }
        if self.pending.is_empty() {
            // Nothing after the hole is buffered yet; the hole is reported
            // when later bytes arrive behind it or the stream ends.
            return;
        }
        let first = self.pending.keys().next().copied().unwrap_or(ack_off);
        let target = first.min(ack_off);
        if target > self.delivered {
            self.gap(target - self.delivered, out);
        }
        self.drain(out);
    }

    /// Gives up on every byte before stream offset `target` that has not
    /// arrived (the stream is known to end there): holes become gaps.
    pub(crate) fn give_up_until(&mut self, target: u64, out: &mut dyn FnMut(Chunk<'_>)) {
        while self.delivered < target {
            let next_data = self.pending.keys().next().copied().unwrap_or(target);
            let upto = next_data.min(target);
            if upto > self.delivered {
                self.gap(upto - self.delivered, out);
            }
            self.drain(out);
        }
    }

    /// End of stream: every buffered byte is delivered, holes as gaps.
    pub(crate) fn flush(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        while !self.pending.is_empty() {
            self.skip_to_pending(out);
        }
    }

    /// Bytes buffered out of order.
    pub(crate) fn pending_bytes(&self) -> usize {
        self.pending_bytes
    }

    fn note_conflict(&self, outcome: &mut SegmentOutcome, at: Option<u64>) {
        if let Some(off) = at {
            if !outcome.conflict {
                outcome.conflict = true;
                outcome.conflict_offset = off;
            }
        }
    }

    fn deliver(&mut self, data: &[u8], out: &mut dyn FnMut(Chunk<'_>)) {
        self.history.push(data);
        self.delivered += data.len() as u64;
        self.next_seq = self.next_seq.wrapping_add(data.len() as u32);
        out(Chunk::Data(data));
    }

    fn gap(&mut self, len: u64, out: &mut dyn FnMut(Chunk<'_>)) {
        self.history.skip(len);
        self.delivered += len;
        self.next_seq = self.next_seq.wrapping_add(len as u32);
        out(Chunk::Gap(len));
    }

    fn skip_to_pending(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        if let Some(&first) = self.pending.keys().next() {
            if first > self.delivered {
                self.gap(first - self.delivered, out);
            }
        }
        self.drain(out);
    }

    /// Buffers `[start, start+len)`, keeping already buffered bytes where
    /// the two overlap.
    fn insert(&mut self, start: u64, data: &[u8], outcome: &mut SegmentOutcome) {
        let end = start + data.len() as u64;
        // The buffered segment that may begin before `start` and reach into it.
        let from = self
            .pending
            .range(..=start)
            .next_back()
            .map(|(&k, _)| k)
            .unwrap_or(start);
        let mut cursor = start;
        let mut pieces: Vec<(u64, u64)> = Vec::new();
        let mut conflict = None;
        for (&k, v) in self.pending.range(from..end) {
            let k_end = k + v.len() as u64;
            if k_end <= cursor {
                continue;
            }
            if k > cursor {
                pieces.push((cursor, k));
            }
            let ov_start = k.max(cursor);
            let ov_end = k_end.min(end);
            let new_part = data
                .get((ov_start - start) as usize..(ov_end - start) as usize)
                .unwrap_or_default();
            let old_part = v
                .get((ov_start - k) as usize..(ov_end - k) as usize)
                .unwrap_or_default();
            if conflict.is_none() && new_part != old_part {
                let at = new_part
                    .iter()
                    .zip(old_part)
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                conflict = Some(ov_start + at as u64);
            }
            cursor = cursor.max(k_end);
            if cursor >= end {
                break;
            }
        }
        if cursor < end {
            pieces.push((cursor, end));
        }
        self.note_conflict(outcome, conflict);
        for (s, e) in pieces {
            let bytes = data
                .get((s - start) as usize..(e - start) as usize)
                .unwrap_or_default();
            self.pending_bytes += bytes.len();
            self.pending.insert(s, bytes.to_vec());
        }
    }

    fn drain(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        while let Some(entry) = self.pending.first_entry() {
            let key = *entry.key();
            if key > self.delivered {
                break;
            }
            let bytes = entry.remove();
            self.pending_bytes -= bytes.len();
            let skip = (self.delivered - key) as usize;
            if let Some(rest) = bytes.get(skip..) {
                if !rest.is_empty() {
                    self.deliver(rest, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Out {
        Data(Vec<u8>),
        Gap(u64),
    }

    struct Run {
        r: Reassembler,
        out: Vec<Out>,
        conflicts: usize,
    }

    impl Run {
        fn new(isn: u32, cap: usize) -> Run {
            let mut r = Reassembler::new(cap);
            r.start_syn(isn);
            Run {
                r,
                out: Vec::new(),
                conflicts: 0,
            }
        }
        fn seg(&mut self, seq: u32, data: &[u8]) {
            let out = &mut self.out;
            let o = self.r.segment(seq, data, &mut |c| match c {
                Chunk::Data(d) => out.push(Out::Data(d.to_vec())),
                Chunk::Gap(n) => out.push(Out::Gap(n)),
            });
            if o.conflict {
                self.conflicts += 1;
            }
        }
        fn flush(&mut self) {
            let out = &mut self.out;
            self.r.flush(&mut |c| match c {
                Chunk::Data(d) => out.push(Out::Data(d.to_vec())),
                Chunk::Gap(n) => out.push(Out::Gap(n)),
            });
        }
        fn bytes(&self) -> Vec<u8> {
            let mut all = Vec::new();
            for o in &self.out {
                match o {
                    Out::Data(d) => all.extend_from_slice(d),
                    Out::Gap(n) => all.extend(std::iter::repeat_n(b'?', *n as usize)),
                }
            }
            all
        }
    }

    #[test]
    fn orders_out_of_order_segments() {
        let mut run = Run::new(1000, 1 << 20);
        run.seg(1011, b"world");
        run.seg(1006, b"hello");
        assert!(run.out.is_empty());
        run.seg(1001, b"0123 ");
        assert_eq!(run.bytes(), b"0123 helloworld");
        assert_eq!(run.conflicts, 0);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let isn = u32::MAX - 3;
        let mut run = Run::new(isn, 1 << 20);
        // bytes start at isn+1 = MAX-2: "abc" covers MAX-2..=MAX, "def" wraps to 0.
        run.seg(3, b"ghi");
        run.seg(0, b"def");
        run.seg(u32::MAX - 2, b"abc");
        assert_eq!(run.bytes(), b"abcdefghi");
    }

    #[test]
    fn retransmissions_are_dropped_and_conflicts_reported() {
        let mut run = Run::new(0, 1 << 20);
        run.seg(1, b"GET /a HTTP/1.1\r\n");
        run.seg(1, b"GET /a HTTP/1.1\r\n");
        assert_eq!(run.conflicts, 0);
        run.seg(1, b"GET /b HTTP/1.1\r\n");
        assert_eq!(run.conflicts, 1);
        assert_eq!(run.bytes(), b"GET /a HTTP/1.1\r\n");
    }

    #[test]
    fn overlap_first_copy_wins_among_buffered() {
        let mut run = Run::new(0, 1 << 20);
        run.seg(5, b"EFGH");
        run.seg(3, b"cdXXijk"); // overlaps "EFGH" with different bytes, adds k
        assert_eq!(run.conflicts, 1);
        run.seg(1, b"ab");
        assert_eq!(run.bytes(), b"abcdEFGHk");
    }

    #[test]
    fn gap_reported_on_flush_and_on_buffer_cap() {
        let mut run = Run::new(0, 1 << 20);
        run.seg(1, b"abc");
        run.seg(7, b"ghi");
        run.flush();
        assert_eq!(
            run.out,
            vec![
                Out::Data(b"abc".to_vec()),
                Out::Gap(3),
                Out::Data(b"ghi".to_vec())
            ]
        );

        let mut capped = Run::new(0, 4);
        capped.seg(11, b"klm");
        capped.seg(14, b"nop");
        assert_eq!(capped.bytes(), b"??????????klmnop");
    }

    #[test]
    fn give_up_until_fills_holes_up_to_the_target() {
        let mut run = Run::new(0, 1 << 20);
        run.seg(1, b"ab");
        run.seg(6, b"fg");
        let out = &mut run.out;
        run.r.give_up_until(10, &mut |c| match c {
            Chunk::Data(d) => out.push(Out::Data(d.to_vec())),
            Chunk::Gap(n) => out.push(Out::Gap(n)),
        });
        assert_eq!(run.bytes(), b"ab???fg???");
        assert_eq!(run.r.delivered(), 10);
    }

    #[test]
    fn acknowledged_gives_up_on_holes() {
        let mut run = Run::new(0, 1 << 20);
        run.seg(4, b"def");
        let out = &mut run.out;
        run.r.acknowledged(7, &mut |c| match c {
            Chunk::Data(d) => out.push(Out::Data(d.to_vec())),
            Chunk::Gap(n) => out.push(Out::Gap(n)),
        });
        assert_eq!(run.bytes(), b"???def");
    }

    #[test]
    fn history_ring_compares_recent_bytes_only() {
        let mut h = History::new(4);
        h.push(b"ab");
        h.push(b"cdef");
        assert_eq!(h.differs(2, b"cdef"), None);
        assert_eq!(h.differs(2, b"cdeX"), Some(5));
        assert_eq!(h.differs(0, b"XX"), None); // too old to compare
        h.skip(3);
        h.push(b"gh");
        assert_eq!(h.differs(6, b"XXX"), None); // inside the gap
        assert_eq!(h.differs(9, b"gX"), Some(10));
    }
}
