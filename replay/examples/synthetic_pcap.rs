//! Writes a benign synthetic pcap of a given size (the capture bench's
//! traffic), for checking that reading stays in flat memory:
//!
//! ```sh
//! cargo run --release -p palisade-replay --example synthetic_pcap -- /tmp/big.pcap 1024
//! /usr/bin/time -v cargo run --release -p palisade-replay --example dump -- --count /tmp/big.pcap
//! ```

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use std::io::BufWriter;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(mib)) = (args.next(), args.next()) else {
        eprintln!("usage: synthetic_pcap OUT.pcap MIB");
        std::process::exit(64);
    };
    let mib: usize = mib.parse().unwrap_or(64);
    let file = BufWriter::new(std::fs::File::create(&path)?);
    let requests = synthetic::write_pcap(file, mib << 20)?;
    println!("{path}: {requests} requests");
    Ok(())
}
