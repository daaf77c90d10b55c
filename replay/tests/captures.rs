//! The capture readers against the recorded fixtures in `testdata/replay/`
//! (how each was made and what it holds: `testdata/replay/README.md`), and
//! against link-layer, byte-order and IP variants rewritten from them here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use palisade_replay::capture::Capture;
use palisade_replay::input::{self, detect, Format};
use palisade_replay::{Event, Exchange, Limits, Notice, NoticeKind, ReadError, ReadStats};
use std::io::Cursor;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/replay")
        .join(name)
}

struct Read {
    exchanges: Vec<Exchange>,
    notices: Vec<Notice>,
    stats: ReadStats,
}

fn collect(f: impl FnOnce(&mut dyn FnMut(Event)) -> Result<ReadStats, ReadError>) -> Read {
    let mut exchanges = Vec::new();
    let mut notices = Vec::new();
    let stats = f(&mut |e| match e {
        Event::Exchange(x) => exchanges.push(*x),
        Event::Notice(n) => notices.push(n),
    })
    .unwrap_or_else(|e| panic!("read failed: {e}"));
    assert_eq!(stats.exchanges as usize, exchanges.len());
    assert_eq!(stats.notices as usize, notices.len());
    Read {
        exchanges,
        notices,
        stats,
    }
}

fn read_file(name: &str) -> Read {
    read_file_with(name, &Limits::default())
}

fn read_file_with(name: &str, limits: &Limits) -> Read {
    let path = fixture(name);
    assert!(path.exists(), "fixture {} missing", path.display());
    collect(|sink| input::read_path(&path, 0, limits, sink))
}

fn read_bytes(bytes: &[u8]) -> Read {
    collect(|sink| {
        input::read_from(
            &mut Cursor::new(bytes),
            Path::new("memory"),
            0,
            &Limits::default(),
            sink,
        )
    })
}

/// What the tests compare: method, target, body, status, incomplete.
type Summary = (String, String, String, Option<u16>, bool);

fn summary(read: &Read) -> Vec<Summary> {
    let mut all: Vec<(u64, Summary)> = read
        .exchanges
        .iter()
        .map(|x| {
            (
                x.index,
                (
                    x.head.method.clone(),
                    String::from_utf8_lossy(&x.head.uri).into_owned(),
                    String::from_utf8_lossy(&x.body).into_owned(),
                    x.response.as_ref().map(|r| r.status),
                    x.incomplete,
                ),
            )
        })
        .collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, s)| s).collect()
}

/// The 13 requests of the loopback recording, in order (README.md).
fn expected_loopback() -> Vec<Summary> {
    let get = |uri: &str, status| {
        (
            "GET".to_string(),
            uri.to_string(),
            String::new(),
            Some(status),
            false,
        )
    };
    let post = |uri: &str, body: &str| {
        (
            "POST".to_string(),
            uri.to_string(),
            body.to_string(),
            Some(201),
            false,
        )
    };
    vec![
        get("/", 200),
        get("/search?q=1%27+UNION+SELECT+password+FROM+users--", 200),
        get("/search?q=%3cscript%3ealert%281%29%3c%2fscript%3e", 200),
        get("/../../etc/passwd", 404),
        get("/a", 200),
        get("/b", 200),
        get("/missing", 404),
        get("/pipe/1", 200),
        (
            "HEAD".into(),
            "/pipe/2".into(),
            String::new(),
            Some(200),
            false,
        ),
        get("/pipe/3?last=1", 200),
        post("/submit", "name=chunky&msg=hello+world"),
        post("/upload", "a=1&b=<script>alert(2)</script>&c=3"),
        post("/login", "user=alice&pass=s3cret"),
    ]
}

fn kinds(read: &Read) -> Vec<NoticeKind> {
    read.notices.iter().map(|n| n.kind).collect()
}

#[test]
fn loopback_pcap_has_every_request_paired() {
    let read = read_file("loopback.pcap");
    assert_eq!(summary(&read), expected_loopback());
    assert!(read.notices.is_empty(), "{:?}", read.notices);
    assert_eq!(read.stats.records, 132);
    let first = read.exchanges.iter().find(|x| x.index == 0).unwrap();
    assert_eq!(first.head.peer, first.client);
    assert_eq!(first.server.unwrap().port(), 18087);
    assert!(first
        .head
        .headers
        .iter()
        .any(|h| h.name == "User-Agent" && h.value == b"replay-fixture"));
    // keep-alive: /a, /b, /missing share one client port; pipelined requests too
    let port = |i: u64| {
        read.exchanges
            .iter()
            .find(|x| x.index == i)
            .unwrap()
            .client
            .unwrap()
            .port()
    };
    assert_eq!(port(4), port(5));
    assert_eq!(port(5), port(6));
    assert_eq!(port(7), port(9));
    assert_ne!(port(3), port(4));
    for x in &read.exchanges {
        let response = x.response.as_ref().unwrap();
        assert!(response.time >= x.time, "response before request: {x:?}");
    }
}

#[test]
fn pcap_pcapng_gzip_and_sll2_agree() {
    let pcap = summary(&read_file("loopback.pcap"));
    assert_eq!(summary(&read_file("loopback.pcapng")), pcap);
    assert_eq!(summary(&read_file("loopback.pcap.gz")), pcap);
    assert_eq!(summary(&read_file("any-sll2.pcap")), pcap);
    // pcap (microseconds) and pcapng (if_tsresol default) give the same clock
    let a = read_file("loopback.pcap");
    let b = read_file("loopback.pcapng");
    let ta: Vec<i64> = a.exchanges.iter().map(|x| x.time / 1000).collect();
    let tb: Vec<i64> = b.exchanges.iter().map(|x| x.time / 1000).collect();
    assert_eq!(ta, tb);
}

#[test]
fn truncated_file_reports_the_offset_after_emitting_what_came_before() {
    let read = read_file("loopback-truncated.pcap");
    assert_eq!(summary(&read), expected_loopback()[..10].to_vec());
    assert_eq!(kinds(&read), vec![NoticeKind::Corrupt]);
    let notice = &read.notices[0];
    assert_eq!(notice.offset, Some(10072), "{notice:?}");
    assert!(notice.message.contains("byte 10072"), "{}", notice.message);
    assert_eq!(read.stats.bytes, 10092);
}

#[test]
fn truncated_gzip_stream_is_corrupt_not_an_error() {
    let gz = std::fs::read(fixture("loopback.pcap.gz")).unwrap();
    let read = read_bytes(&gz[..gz.len() * 2 / 3]);
    assert_eq!(kinds(&read).last(), Some(&NoticeKind::Corrupt));
    let notice = read.notices.last().unwrap();
    assert!(
        notice.message.contains("decompressed"),
        "{}",
        notice.message
    );
    assert!(!read.exchanges.is_empty());
    let expected = expected_loopback();
    assert_eq!(summary(&read)[..3], expected[..3]);
}

#[test]
fn reordered_retransmitted_and_overlapping_segments() {
    let read = read_file("loopback-reordered.pcap");
    assert_eq!(summary(&read), expected_loopback(), "first copy wins");
    assert_eq!(kinds(&read), vec![NoticeKind::OverlapEvasion]);
    let login = read
        .exchanges
        .iter()
        .find(|x| x.head.uri == b"/login")
        .unwrap();
    assert_eq!(login.notes.len(), 1);
    assert!(login.notes[0].contains("overlapping"), "{:?}", login.notes);
    assert!(read.notices[0].message.contains("offset 90"));
    assert_eq!(read.notices[0].client, login.client);
}

#[test]
fn dropped_segment_marks_the_request_incomplete() {
    let read = read_file("loopback-gap.pcap");
    let mut expected = expected_loopback();
    expected[11] = (
        "POST".into(),
        "/upload".into(),
        "a=1&b=".into(),
        Some(201),
        true,
    );
    assert_eq!(summary(&read), expected);
    assert_eq!(kinds(&read), vec![NoticeKind::MissingSegment]);
    assert!(read.notices[0].message.contains("31 bytes missing"));
    let upload = read
        .exchanges
        .iter()
        .find(|x| x.head.uri == b"/upload")
        .unwrap();
    assert!(upload.notes.iter().any(|n| n.contains("31 bytes missing")));
}

#[test]
fn format_detection_is_by_magic() {
    assert_eq!(detect(&[0x1f, 0x8b, 8, 0]), Some(Format::Gzip));
    assert_eq!(detect(&[0xd4, 0xc3, 0xb2, 0xa1]), Some(Format::Pcap));
    assert_eq!(detect(&[0xa1, 0xb2, 0x3c, 0x4d]), Some(Format::Pcap));
    assert_eq!(detect(&[0x0a, 0x0d, 0x0d, 0x0a]), Some(Format::Pcapng));
    assert_eq!(detect(b"\n  {\"log\": {}}"), Some(Format::Har));
    assert_eq!(detect(b"GET / HTTP/1.1\r\n"), Some(Format::RawHttp));
    assert_eq!(detect(b"hello world"), None);
    // A pcap named .har is still a pcap.
    let dir = std::env::temp_dir().join(format!("palisade-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let misnamed = dir.join("capture.har");
    std::fs::copy(fixture("loopback.pcap"), &misnamed).unwrap();
    let read = collect(|sink| input::read_path(&misnamed, 3, &Limits::default(), sink));
    assert_eq!(summary(&read), expected_loopback());
    assert!(read.exchanges.iter().all(|x| x.source == 3));
    std::fs::write(dir.join("junk.bin"), b"hello world").unwrap();
    assert!(matches!(
        input::read_path(&dir.join("junk.bin"), 0, &Limits::default(), &mut |_| {}),
        Err(ReadError::UnknownFormat { .. })
    ));
    assert!(matches!(
        input::read_path(&dir.join("absent"), 0, &Limits::default(), &mut |_| {}),
        Err(ReadError::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn raw_request_file_with_pipelined_requests() {
    let raw = b"GET /one?x=1 HTTP/1.1\r\nHost: a\r\n\r\n\
POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello\
POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n\
POST /four HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nshort";
    let read = read_bytes(raw);
    let got = summary(&read);
    assert_eq!(got.len(), 4);
    assert_eq!(
        got[0],
        ("GET".into(), "/one?x=1".into(), String::new(), None, false)
    );
    assert_eq!(got[1].2, "hello");
    assert_eq!(got[2].2, "abc");
    assert_eq!(
        got[3],
        ("POST".into(), "/four".into(), "short".into(), None, true)
    );
    assert!(read.exchanges.iter().all(|x| x.client.is_none()));
    assert_eq!(read.stats.records, 4);
}

// ----- rewriting the Ethernet capture into other link types and layouts -----

/// pcap records: seconds, microseconds, frame.
type Records = Vec<(u32, u32, Vec<u8>)>;

struct Pcap {
    records: Records,
}

fn load_pcap(name: &str) -> Pcap {
    let data = std::fs::read(fixture(name)).unwrap();
    assert_eq!(
        &data[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "little-endian microsecond pcap"
    );
    let mut records = Vec::new();
    let mut pos = 24;
    while pos < data.len() {
        let word = |at: usize| u32::from_le_bytes(data[at..at + 4].try_into().unwrap());
        let caplen = word(pos + 8) as usize;
        records.push((
            word(pos),
            word(pos + 4),
            data[pos + 16..pos + 16 + caplen].to_vec(),
        ));
        pos += 16 + caplen;
    }
    Pcap { records }
}

fn write_pcap(
    link: u32,
    big_endian: bool,
    nanos: bool,
    records: &[(u32, u32, Vec<u8>)],
) -> Vec<u8> {
    let w32 = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let w16 = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut out = Vec::new();
    out.extend_from_slice(&w32(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
    out.extend_from_slice(&w16(2));
    out.extend_from_slice(&w16(4));
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&w32(262_144));
    out.extend_from_slice(&w32(link));
    for (sec, frac, frame) in records {
        out.extend_from_slice(&w32(*sec));
        out.extend_from_slice(&w32(if nanos { frac * 1000 } else { *frac }));
        out.extend_from_slice(&w32(frame.len() as u32));
        out.extend_from_slice(&w32(frame.len() as u32));
        out.extend_from_slice(frame);
    }
    out
}

/// Re-frames every Ethernet frame: `f` gets the IP packet and its ethertype.
fn relink(pcap: &Pcap, f: impl Fn(&[u8], u16) -> Vec<u8>) -> Vec<(u32, u32, Vec<u8>)> {
    pcap.records
        .iter()
        .map(|(s, u, frame)| {
            let ethertype = u16::from_be_bytes([frame[12], frame[13]]);
            (*s, *u, f(&frame[14..], ethertype))
        })
        .collect()
}

#[test]
fn link_types_vlan_sll_null_loop_raw() {
    let pcap = load_pcap("loopback.pcap");
    let expected = expected_loopback();
    let cases: Vec<(&str, u32, Records)> = vec![
        (
            "vlan",
            1,
            relink(&pcap, |ip, et| {
                let mut f = vec![0u8; 12];
                f.extend_from_slice(&[0x88, 0xa8, 0x00, 0x07, 0x81, 0x00, 0x00, 0x2a]);
                f.extend_from_slice(&et.to_be_bytes());
                f.extend_from_slice(ip);
                f
            }),
        ),
        (
            "sll",
            113,
            relink(&pcap, |ip, et| {
                let mut f = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
                f.extend_from_slice(&et.to_be_bytes());
                f.extend_from_slice(ip);
                f
            }),
        ),
        (
            "null",
            0,
            relink(&pcap, |ip, _| [&2u32.to_le_bytes()[..], ip].concat()),
        ),
        (
            "loop",
            108,
            relink(&pcap, |ip, _| [&2u32.to_be_bytes()[..], ip].concat()),
        ),
        ("raw", 101, relink(&pcap, |ip, _| ip.to_vec())),
        ("raw12", 12, relink(&pcap, |ip, _| ip.to_vec())),
        ("raw14", 14, relink(&pcap, |ip, _| ip.to_vec())),
    ];
    for (name, link, records) in cases {
        for (big_endian, nanos) in [(false, false), (true, true), (true, false), (false, true)] {
            let read = read_bytes(&write_pcap(link, big_endian, nanos, &records));
            assert_eq!(
                summary(&read),
                expected,
                "{name} be={big_endian} ns={nanos}"
            );
            assert!(read.notices.is_empty(), "{name}: {:?}", read.notices);
        }
    }
    let unknown = read_bytes(&write_pcap(147, false, false, &pcap.records));
    assert!(unknown.exchanges.is_empty());
    assert_eq!(kinds(&unknown), vec![NoticeKind::Unsupported]);
}

/// IPv4 packet -> IPv6 packet with a hop-by-hop options header.
fn to_ipv6(ip: &[u8]) -> Vec<u8> {
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    let l4 = &ip[ihl..total];
    let mut v6 = vec![0x60, 0, 0, 0];
    v6.extend_from_slice(&((l4.len() + 8) as u16).to_be_bytes());
    v6.extend_from_slice(&[0, 64]); // next: hop-by-hop
    let mut addr = |v4: &[u8]| {
        v6.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
        v6.extend_from_slice(v4);
    };
    addr(&ip[12..16]);
    addr(&ip[16..20]);
    v6.extend_from_slice(&[6, 0, 1, 4, 0, 0, 0, 0]); // hop-by-hop -> TCP, PadN
    v6.extend_from_slice(l4);
    v6
}

/// Splits an IPv4 packet's payload into fragments (offset multiple of 8),
/// returned last first.
fn fragment_v4(ip: &[u8], at: usize) -> Vec<Vec<u8>> {
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    let payload = &ip[ihl..total];
    let mut out = Vec::new();
    for (offset, part, more) in [(at, &payload[at..], false), (0, &payload[..at], true)] {
        let mut p = ip[..ihl].to_vec();
        let len = (ihl + part.len()) as u16;
        p[2..4].copy_from_slice(&len.to_be_bytes());
        let frag = (offset / 8) as u16 | if more { 0x2000 } else { 0 };
        p[6..8].copy_from_slice(&frag.to_be_bytes());
        p.extend_from_slice(part);
        out.push(p);
    }
    out
}

/// Splits an IPv6 packet (as made by `to_ipv6`) into two fragments, last first.
fn fragment_v6(v6: &[u8], at: usize) -> Vec<Vec<u8>> {
    let fixed = &v6[..40];
    let hop = &v6[40..48];
    let upper = &v6[48..];
    let mut out = Vec::new();
    for (offset, part, more) in [(at, &upper[at..], false), (0, &upper[..at], true)] {
        let mut p = fixed.to_vec();
        p[4..6].copy_from_slice(&((8 + 8 + part.len()) as u16).to_be_bytes());
        let mut hop = hop.to_vec();
        hop[0] = 44; // hop-by-hop -> fragment
        p.extend_from_slice(&hop);
        let field = (offset as u16) | u16::from(more);
        p.extend_from_slice(&[6, 0]);
        p.extend_from_slice(&field.to_be_bytes());
        p.extend_from_slice(&0x1234_5678u32.to_be_bytes());
        p.extend_from_slice(part);
        out.push(p);
    }
    out
}

#[test]
fn ipv6_extension_headers_and_fragments_in_both_ip_versions() {
    let pcap = load_pcap("loopback.pcap");
    let expected = expected_loopback();
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for (s, u, frame) in &pcap.records {
        let ip = &frame[14..];
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
        let big = total > 150;
        if big {
            for f in fragment_v4(ip, 48) {
                v4.push((*s, *u, f));
            }
            for f in fragment_v6(&to_ipv6(ip), 64) {
                v6.push((*s, *u, f));
            }
        } else {
            v4.push((*s, *u, ip.to_vec()));
            v6.push((*s, *u, to_ipv6(ip)));
        }
    }
    for (name, records) in [("v4 fragments", v4), ("v6", v6)] {
        let read = read_bytes(&write_pcap(101, false, false, &records));
        assert_eq!(summary(&read), expected, "{name}");
        assert!(read.notices.is_empty(), "{name}: {:?}", read.notices);
        if name == "v6" {
            assert!(read.exchanges[0].client.unwrap().is_ipv6());
        }
    }
}

#[test]
fn capture_started_mid_connection() {
    let pcap = load_pcap("loopback.pcap");
    let payload_has =
        |frame: &[u8], needle: &[u8]| frame.windows(needle.len()).any(|w| w == needle);
    let start = pcap
        .records
        .iter()
        .position(|r| payload_has(&r.2, b"GET /b "))
        .unwrap();
    let port = u16::from_be_bytes([pcap.records[start].2[34], pcap.records[start].2[35]]);
    let records: Vec<_> = pcap
        .records
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            let sport = u16::from_be_bytes([r.2[34], r.2[35]]);
            let dport = u16::from_be_bytes([r.2[36], r.2[37]]);
            *i >= start || (sport != port && dport != port)
        })
        .map(|(_, r)| r.clone())
        .collect();
    let read = read_bytes(&write_pcap(1, false, false, &records));
    let mut expected = expected_loopback();
    expected.remove(4); // GET /a was before the capture started
    assert_eq!(summary(&read), expected);
    assert!(read.notices.is_empty(), "{:?}", read.notices);
}

/// A pcapng file written by hand: big-endian, two sections, nanosecond
/// timestamps on the second section's interface, an unknown block.
#[test]
fn pcapng_big_endian_sections_and_resolution() {
    let pcap = load_pcap("loopback.pcap");
    let half = pcap.records.len() / 2;
    let mut out = Vec::new();
    let block = |out: &mut Vec<u8>, kind: u32, body: &[u8]| {
        let mut body = body.to_vec();
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        let total = (body.len() + 12) as u32;
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&total.to_be_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&total.to_be_bytes());
    };
    for (section, records) in [&pcap.records[..half], &pcap.records[half..]]
        .iter()
        .enumerate()
    {
        let mut shb = 0x1a2b_3c4du32.to_be_bytes().to_vec();
        shb.extend_from_slice(&[0, 1, 0, 0]);
        shb.extend_from_slice(&u64::MAX.to_be_bytes());
        block(&mut out, 0x0a0d_0d0a, &shb);
        let mut idb = vec![0, 1, 0, 0, 0, 4, 0, 0];
        if section == 1 {
            idb.extend_from_slice(&[0, 9, 0, 1, 9, 0, 0, 0]); // if_tsresol = 10^-9
        }
        idb.extend_from_slice(&[0, 0, 0, 0]);
        block(&mut out, 1, &idb);
        block(&mut out, 0x0bad, b"ignored custom block");
        for (sec, usec, frame) in records.iter() {
            let units = if section == 1 {
                (u64::from(*sec) * 1_000_000 + u64::from(*usec)) * 1000
            } else {
                u64::from(*sec) * 1_000_000 + u64::from(*usec)
            };
            let mut epb = 0u32.to_be_bytes().to_vec();
            epb.extend_from_slice(&((units >> 32) as u32).to_be_bytes());
            epb.extend_from_slice(&(units as u32).to_be_bytes());
            epb.extend_from_slice(&(frame.len() as u32).to_be_bytes());
            epb.extend_from_slice(&(frame.len() as u32).to_be_bytes());
            epb.extend_from_slice(frame);
            block(&mut out, 6, &epb);
        }
    }
    let read = read_bytes(&out);
    assert_eq!(summary(&read), expected_loopback());
    assert!(read.notices.is_empty(), "{:?}", read.notices);
    let reference = read_file("loopback.pcap");
    let times = |r: &Read| {
        r.exchanges
            .iter()
            .map(|x| (x.index, x.time))
            .collect::<Vec<_>>()
    };
    assert_eq!(times(&read), times(&reference));
    // cut inside a block: corrupt at that block's offset
    let cut = read_bytes(&out[..out.len() - 30]);
    assert_eq!(kinds(&cut).last(), Some(&NoticeKind::Corrupt));
    assert!(cut.notices.last().unwrap().offset.unwrap() < out.len() as u64 - 30);
}

// ----- connection table limits, through the packet API ---------------------

#[allow(clippy::too_many_arguments)]
fn tcp4(
    src: [u8; 4],
    sport: u16,
    dst: [u8; 4],
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    data: &[u8],
) -> Vec<u8> {
    let total = (40 + data.len()) as u16;
    let mut p = vec![0x45, 0];
    p.extend_from_slice(&total.to_be_bytes());
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

const C: [u8; 4] = [10, 0, 0, 1];
const S: [u8; 4] = [10, 0, 0, 2];
const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;
const FIN_ACK: u8 = 0x11;

#[test]
fn least_recently_active_connection_is_evicted() {
    let limits = Limits {
        max_connections: 1,
        ..Limits::default()
    };
    let get = b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    let packets = vec![
        tcp4(C, 1000, S, 80, 100, 0, SYN, b""),
        tcp4(S, 80, C, 1000, 500, 101, SYN | ACK, b""),
        tcp4(C, 1000, S, 80, 101, 501, PSH_ACK, get),
        tcp4(C, 1001, S, 80, 900, 0, SYN, b""),
    ];
    let read = collect_feed(&limits, &packets);
    assert_eq!(kinds(&read), vec![NoticeKind::Evicted]);
    assert_eq!(
        summary(&read),
        vec![("GET".into(), "/x".into(), String::new(), None, false)]
    );
}

fn collect_feed(limits: &Limits, packets: &[Vec<u8>]) -> Read {
    let mut exchanges = Vec::new();
    let mut notices = Vec::new();
    let mut sink = |e: Event| match e {
        Event::Exchange(x) => exchanges.push(*x),
        Event::Notice(n) => notices.push(n),
    };
    let mut capture = Capture::new(limits);
    for (i, p) in packets.iter().enumerate() {
        capture.packet(101, i as i64, p, 0, 0, &mut sink);
    }
    capture.finish(0, &mut sink);
    Read {
        exchanges,
        notices,
        stats: ReadStats::default(),
    }
}

#[test]
fn connection_reuse_tls_and_non_http() {
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: h\r\n\r\n").into_bytes();
    let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let mut packets = Vec::new();
    // The same 4-tuple twice: closed with FINs, then a new SYN.
    for (isn, path) in [(100u32, "/first"), (7000, "/second")] {
        let req = get(path);
        packets.push(tcp4(C, 1000, S, 80, isn, 0, SYN, b""));
        packets.push(tcp4(S, 80, C, 1000, 50, isn + 1, SYN | ACK, b""));
        packets.push(tcp4(C, 1000, S, 80, isn + 1, 51, PSH_ACK, &req));
        let after = isn + 1 + req.len() as u32;
        packets.push(tcp4(S, 80, C, 1000, 51, after, PSH_ACK, ok));
        packets.push(tcp4(
            C,
            1000,
            S,
            80,
            after,
            51 + ok.len() as u32,
            FIN_ACK,
            b"",
        ));
        packets.push(tcp4(
            S,
            80,
            C,
            1000,
            51 + ok.len() as u32,
            after + 1,
            FIN_ACK,
            b"",
        ));
        packets.push(tcp4(
            C,
            1000,
            S,
            80,
            after + 1,
            52 + ok.len() as u32,
            ACK,
            b"",
        ));
    }
    // TLS client hello, then a non-HTTP protocol, each on its own connection.
    packets.push(tcp4(C, 2000, S, 443, 1, 0, SYN, b""));
    packets.push(tcp4(
        C,
        2000,
        S,
        443,
        2,
        0,
        PSH_ACK,
        &[0x16, 0x03, 0x01, 0x00, 0x05, 1, 0, 0, 1, 0],
    ));
    packets.push(tcp4(C, 2001, S, 25, 1, 0, SYN, b""));
    packets.push(tcp4(
        C,
        2001,
        S,
        25,
        2,
        0,
        PSH_ACK,
        b"EHLO mail.example\r\n",
    ));
    packets.push(tcp4(C, 2002, S, 80, 1, 0, SYN, b""));
    packets.push(tcp4(
        C,
        2002,
        S,
        80,
        2,
        0,
        PSH_ACK,
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ));
    let read = collect_feed(&Limits::default(), &packets);
    let got = summary(&read);
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].1.as_str(), got[0].3), ("/first", Some(200)));
    assert_eq!((got[1].1.as_str(), got[1].3), ("/second", Some(200)));
    let mut k = kinds(&read);
    k.sort();
    assert_eq!(
        k,
        vec![
            NoticeKind::TlsSkipped,
            NoticeKind::Http2Skipped,
            NoticeKind::NotHttp
        ]
    );
}

#[test]
fn body_cap_keeps_the_first_bytes_and_buffer_cap_forces_a_gap() {
    let limits = Limits {
        max_body: 4,
        max_stream_buffer: 64,
        ..Limits::default()
    };
    let req = b"POST /p HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789";
    let mut packets = vec![
        tcp4(C, 1000, S, 80, 0, 0, SYN, b""),
        tcp4(C, 1000, S, 80, 1, 0, PSH_ACK, req),
    ];
    // then a hole, and more than the buffer cap of later bytes
    let next = 1 + req.len() as u32;
    for k in 0..4u32 {
        packets.push(tcp4(
            C,
            1000,
            S,
            80,
            next + 50 + k * 30,
            0,
            PSH_ACK,
            &[b'z'; 30],
        ));
    }
    let read = collect_feed(&limits, &packets);
    assert_eq!(read.exchanges.len(), 1);
    let x = &read.exchanges[0];
    assert_eq!(x.body, b"0123");
    assert!(x.body_truncated);
    assert!(!x.incomplete);
    assert_eq!(kinds(&read), vec![NoticeKind::MissingSegment]);
}

#[test]
fn missing_tail_is_given_up_once_the_fin_is_acknowledged() {
    let head = b"POST /p HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234";
    let fin_seq = 101 + head.len() as u32 + 5; // "56789" never captured
    let bad = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    let get = b"GET /after HTTP/1.1\r\n\r\n";
    let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let packets = vec![
        tcp4(C, 1000, S, 80, 100, 0, SYN, b""),
        tcp4(S, 80, C, 1000, 500, 101, SYN | ACK, b""),
        tcp4(C, 1000, S, 80, 101, 501, PSH_ACK, head),
        tcp4(S, 80, C, 1000, 501, fin_seq, PSH_ACK, bad),
        tcp4(
            C,
            1000,
            S,
            80,
            fin_seq,
            501 + bad.len() as u32,
            FIN_ACK,
            b"",
        ),
        tcp4(
            S,
            80,
            C,
            1000,
            501 + bad.len() as u32,
            fin_seq + 1,
            FIN_ACK,
            b"",
        ),
        // a later connection, still open at the end of the capture
        tcp4(C, 1001, S, 80, 7, 0, SYN, b""),
        tcp4(S, 80, C, 1001, 9, 8, SYN | ACK, b""),
        tcp4(C, 1001, S, 80, 8, 10, PSH_ACK, get),
        tcp4(S, 80, C, 1001, 10, 8 + get.len() as u32, PSH_ACK, ok),
    ];
    let read = collect_feed(&Limits::default(), &packets);
    let got: Vec<_> = read
        .exchanges
        .iter()
        .map(|x| {
            (
                String::from_utf8_lossy(&x.head.uri).into_owned(),
                x.response.as_ref().map(|r| r.status),
                x.incomplete,
                x.body.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("/p".to_string(), Some(400), true, b"01234".to_vec()),
            ("/after".to_string(), Some(200), false, Vec::new()),
        ]
    );
    assert_eq!(kinds(&read), vec![NoticeKind::MissingSegment]);
}
