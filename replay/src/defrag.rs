//! IP fragment reassembly: fragments are collected per datagram (source,
//! destination, protocol, id) until the datagram is whole. Bounded: at most
//! `max_sets` datagrams at once (the oldest is dropped for a new one), a
//! datagram is dropped when it is not whole within [`TIMEOUT_MICROS`] of
//! capture time, and no datagram grows past the IP maximum.

use crate::exchange::Micros;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::IpAddr;

/// Capture time a datagram may take to arrive whole.
pub(crate) const TIMEOUT_MICROS: Micros = 30_000_000;
/// Largest reassembled payload accepted (IPv4 maximum; IPv6 without jumbo).
const MAX_DATAGRAM_BYTES: usize = 65_535;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    protocol: u8,
}

#[derive(Debug)]
struct FragmentSet {
    first_seen: Micros,
    generation: u64,
    pieces: BTreeMap<usize, Vec<u8>>,
    /// Payload length, once the last fragment was seen.
    total: Option<usize>,
}

/// A datagram made whole again.
#[derive(Debug)]
pub(crate) struct Datagram {
    pub(crate) src: IpAddr,
    pub(crate) dst: IpAddr,
    pub(crate) protocol: u8,
    pub(crate) payload: Vec<u8>,
}

/// Fragments waiting for the rest of their datagram.
#[derive(Debug)]
pub(crate) struct Defragmenter {
    sets: HashMap<Key, FragmentSet>,
    /// Datagrams in the order their first fragment arrived (may hold keys
    /// already completed; the generation tells).
    order: VecDeque<(Key, u64)>,
    next_generation: u64,
    max_sets: usize,
    /// Datagrams dropped (evicted, timed out or oversized).
    pub(crate) dropped: u64,
}

impl Defragmenter {
    pub(crate) fn new(max_sets: usize) -> Defragmenter {
        Defragmenter {
            sets: HashMap::new(),
            order: VecDeque::new(),
            next_generation: 0,
            max_sets: max_sets.max(1),
            dropped: 0,
        }
    }

    /// Adds a fragment; returns the datagram when it is complete.
    pub(crate) fn add(&mut self, frag: &crate::ip::Fragment<'_>, time: Micros) -> Option<Datagram> {
        self.expire(time);
        let key = Key {
            src: frag.src,
            dst: frag.dst,
            id: frag.id,
            protocol: frag.protocol,
        };
        let end = frag.offset + frag.data.len();
        if end > MAX_DATAGRAM_BYTES {
            if self.sets.remove(&key).is_some() {
                self.dropped += 1;
            }
            return None;
        }
        if !self.sets.contains_key(&key) {
            while self.sets.len() >= self.max_sets {
                if !self.evict_oldest() {
                    break;
                }
            }
            let generation = self.next_generation;
            self.next_generation += 1;
            self.order.push_back((key, generation));
            self.sets.insert(
                key,
                FragmentSet {
                    first_seen: time,
                    generation,
                    pieces: BTreeMap::new(),
                    total: None,
                },
            );
        }
        let set = self.sets.get_mut(&key)?;
        set.pieces
            .entry(frag.offset)
            .or_insert_with(|| frag.data.to_vec());
        if !frag.more {
            set.total = Some(end);
        }
        let total = set.total?;
        let mut covered = 0;
        for (&off, data) in &set.pieces {
            if off > covered {
                return None;
            }
            covered = covered.max(off + data.len());
        }
        if covered < total {
            return None;
        }
        let set = self.sets.remove(&key)?;
        let mut payload = Vec::with_capacity(total);
        for (off, data) in set.pieces {
            let have = payload.len();
            if off + data.len() > have {
                payload.extend_from_slice(data.get(have.saturating_sub(off)..).unwrap_or_default());
            }
        }
        payload.truncate(total);
        Some(Datagram {
            src: key.src,
            dst: key.dst,
            protocol: key.protocol,
            payload,
        })
    }

    /// Datagrams being reassembled.
    pub(crate) fn len(&self) -> usize {
        self.sets.len()
    }

    fn evict_oldest(&mut self) -> bool {
        while let Some((key, generation)) = self.order.pop_front() {
            if self
                .sets
                .get(&key)
                .is_some_and(|s| s.generation == generation)
            {
                self.sets.remove(&key);
                self.dropped += 1;
                return true;
            }
        }
        false
    }

    fn expire(&mut self, now: Micros) {
        while let Some(&(key, generation)) = self.order.front() {
            match self.sets.get(&key) {
                Some(set) if set.generation == generation => {
                    if now.saturating_sub(set.first_seen) <= TIMEOUT_MICROS {
                        return;
                    }
                    self.sets.remove(&key);
                    self.dropped += 1;
                }
                _ => {}
            }
            self.order.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip::Fragment;

    fn frag(id: u32, offset: usize, more: bool, data: &[u8]) -> Fragment<'_> {
        Fragment {
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            id,
            protocol: 6,
            offset,
            more,
            data,
        }
    }

    #[test]
    fn reassembles_in_any_order() {
        let mut d = Defragmenter::new(4);
        assert!(d.add(&frag(1, 8, false, b"world"), 0).is_none());
        let whole = d.add(&frag(1, 0, true, b"hello, w"), 1).unwrap();
        assert_eq!(whole.payload, b"hello, wworld");
        assert_eq!(d.len(), 0);
    }

    #[test]
    fn bounded_and_timed_out() {
        let mut d = Defragmenter::new(2);
        d.add(&frag(1, 0, true, b"aaaaaaaa"), 0);
        d.add(&frag(2, 0, true, b"bbbbbbbb"), 0);
        d.add(&frag(3, 0, true, b"cccccccc"), 0);
        assert_eq!(d.len(), 2);
        assert!(d.add(&frag(1, 8, false, b"z"), 0).is_none()); // 1 was evicted
        d.add(&frag(9, 0, true, b"x"), TIMEOUT_MICROS + 10);
        assert_eq!(d.len(), 1);
        assert!(d.add(&frag(5, 65_530, false, b"too long"), 0).is_none());
    }
}
