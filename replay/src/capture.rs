//! The packet pipeline shared by the pcap and pcapng readers: link layer,
//! IP (with fragment reassembly), TCP connections, HTTP. Public so fuzz
//! targets and tests can feed packets directly.

use crate::defrag::Defragmenter;
use crate::emit::Emitter;
use crate::exchange::{Event, Limits, Micros, NoticeKind};
use crate::flow::FlowTable;
use crate::ip::{self, Packet};
use crate::link::{self, Network};
use std::collections::BTreeSet;

/// Packets in, exchanges and notices out.
#[derive(Debug)]
pub struct Capture {
    defrag: Defragmenter,
    flows: FlowTable,
    unsupported_links: BTreeSet<u32>,
    last_time: Micros,
    packets: u64,
    next_index: u64,
}

impl Capture {
    pub fn new(limits: &Limits) -> Capture {
        Capture {
            defrag: Defragmenter::new(limits.max_fragment_sets),
            flows: FlowTable::new(limits),
            unsupported_links: BTreeSet::new(),
            last_time: 0,
            packets: 0,
            next_index: 0,
        }
    }

    /// Packets taken so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Connections currently tracked.
    pub fn connections(&self) -> usize {
        self.flows.len()
    }

    /// IP datagrams waiting for more fragments.
    pub fn fragment_sets(&self) -> usize {
        self.defrag.len()
    }

    /// Takes one captured frame of link type `link` captured at `time`
    /// (`offset`: where its record starts in the input, for notices).
    /// `source` is copied into events.
    pub fn packet(
        &mut self,
        link: u32,
        time: Micros,
        frame: &[u8],
        offset: u64,
        source: usize,
        sink: &mut dyn FnMut(Event),
    ) {
        let mut em = Emitter::new(source, sink);
        em.next_index = self.next_index;
        self.packet_to(link, time, frame, offset, &mut em);
        self.next_index = em.next_index;
    }

    /// End of input: every pending request and connection is flushed.
    pub fn finish(&mut self, source: usize, sink: &mut dyn FnMut(Event)) {
        let mut em = Emitter::new(source, sink);
        em.next_index = self.next_index;
        self.finish_to(&mut em);
        self.next_index = em.next_index;
    }

    pub(crate) fn packet_to(
        &mut self,
        link: u32,
        time: Micros,
        frame: &[u8],
        offset: u64,
        em: &mut Emitter<'_>,
    ) {
        self.packets += 1;
        self.last_time = self.last_time.max(time);
        let Some(network) = link::decode(link, frame) else {
            if self.unsupported_links.insert(link) {
                em.notice(
                    NoticeKind::Unsupported,
                    Some(offset),
                    None,
                    format!("link type {link} is not supported; its packets are skipped"),
                );
            }
            return;
        };
        let packet = match network {
            Network::Ipv4(data) => ip::ipv4(data),
            Network::Ipv6(data) => ip::ipv6(data),
            Network::Other => return,
        };
        match packet {
            Packet::Tcp(seg) => self.flows.segment(&seg, time, em),
            Packet::Fragment(frag) => {
                if let Some(dgram) = self.defrag.add(&frag, time) {
                    if let Packet::Tcp(seg) =
                        ip::transport(dgram.src, dgram.dst, dgram.protocol, &dgram.payload)
                    {
                        self.flows.segment(&seg, time, em);
                    }
                }
            }
            Packet::Other => {}
        }
    }

    pub(crate) fn finish_to(&mut self, em: &mut Emitter<'_>) {
        self.flows.finish(self.last_time, em);
    }
}
