//! Prints what palisade-replay reads from the files given: one line per
//! exchange or notice (`--count`: only the totals).
//! `cargo run -p palisade-replay --example dump -- [--count] FILE...`

use palisade_replay::{input, Event, Limits};
use std::path::Path;

fn main() {
    let limits = Limits::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count_only = args.iter().any(|a| a == "--count");
    let files = args.iter().filter(|a| *a != "--count");
    for (source, arg) in files.enumerate() {
        let result = input::read_path(Path::new(&arg), source, &limits, &mut |event| match event {
            _ if count_only => {}
            Event::Exchange(x) => println!(
                "#{} {} {} {} body={:?}{} status={:?} client={:?}{}{}",
                x.index,
                x.time,
                x.head.method,
                String::from_utf8_lossy(&x.head.uri),
                String::from_utf8_lossy(&x.body),
                if x.body_truncated { " (truncated)" } else { "" },
                x.response.as_ref().map(|r| r.status),
                x.client,
                if x.incomplete { " INCOMPLETE" } else { "" },
                if x.notes.is_empty() {
                    String::new()
                } else {
                    format!(" notes={:?}", x.notes)
                },
            ),
            Event::Notice(n) => println!("NOTICE {:?} offset={:?} {}", n.kind, n.offset, n.message),
        });
        println!("{arg}: {result:?}");
    }
}
