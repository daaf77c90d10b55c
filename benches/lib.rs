//! Shared helpers for the benches: realistic requests and bodies, and the settings
//! that let a large body be inspected in full.
//!
//! Every generator is deterministic (a fixed xorshift seed), so two runs measure the
//! same bytes. The benign generators are meant to trigger no rule at the default
//! paranoia level; the benches assert that once, outside the timed loop, so a bench
//! never silently measures an early block instead of a full inspection.

use palisade_engine::inspector::Settings;
use palisade_engine::request::RequestHead;
use palisade_engine::Policy;
use std::fmt::Write as _;

/// Chunk size the streamed-body benches feed (a typical proxy read buffer).
pub const CHUNK_BYTES: usize = 16 * 1024;

/// Size of the large-body benches.
pub const LARGE_BODY_BYTES: usize = 1 << 20;

/// A small deterministic generator (xorshift64*), enough to vary generated data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` must be non-zero).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.below(items.len()))
            .copied()
            .unwrap_or_default()
    }
}

/// Sentences of ordinary prose (reviews, support tickets, product copy): commas,
/// full stops, numbers, percent signs, parentheses and a few non-ASCII letters.
const PROSE: &[&str] = &[
    "The delivery arrived two days early and the box was in perfect condition.",
    "I have been using this kettle every morning for three months, and it still looks new.",
    "Could you please update the shipping address on my last order to the one below?",
    "Battery life is excellent (about 11 hours of video playback at 50% brightness).",
    "The sizing runs a little small, so I would recommend ordering one size up.",
    "Our team meets on Thursdays at 10:30 to review the quarterly roadmap.",
    "Thanks for the quick reply; the replacement part fixed the rattling noise.",
    "The café on the corner serves a wonderful crème brûlée at weekends.",
    "Please note that orders placed after 4 pm are dispatched the next working day.",
    "The instructions were clear, although step 7 could use a better diagram.",
    "We would like to book a table for six people on Saturday evening, if possible.",
    "This jacket kept me dry during a full day of hiking in steady rain.",
    "The invoice total does not match the quote we received last week.",
    "Setup took about twenty minutes, including the firmware download.",
    "My daughter loves the colours, and the fabric is soft enough for sensitive skin.",
    "The museum opens at 9 am, and tickets are cheaper if you buy them online.",
];

const FIRST_NAMES: &[&str] = &[
    "Amelia", "Oliver", "Sofia", "Liam", "Chloé", "Mateo", "Hannah", "Noah", "Zoë", "Ethan",
];

const LAST_NAMES: &[&str] = &[
    "Johnson", "García", "Nguyen", "Müller", "Okafor", "Rossi", "Kowalski", "Tanaka", "Smith",
];

const CITIES: &[&str] = &[
    "Manchester",
    "Lyon",
    "Porto",
    "Kraków",
    "Dublin",
    "Rotterdam",
    "Bologna",
    "Gothenburg",
];

const STREETS: &[&str] = &[
    "Station Road",
    "Rue de la République",
    "Church Lane",
    "Kingsway",
    "Baker Street",
];

const PRODUCTS: &[&str] = &[
    "Stainless steel kettle 1.7 L",
    "Merino wool hiking socks",
    "Wireless noise-cancelling headphones",
    "Cast iron skillet, 26 cm",
    "Waterproof shell jacket",
    "Ceramic pour-over coffee set",
    "USB-C charging cable (2 m)",
    "Organic cotton bath towel",
];

const TAGS: &[&str] = &[
    "kitchen",
    "outdoor",
    "gift",
    "sale",
    "new",
    "bestseller",
    "eco",
    "electronics",
    "home",
];

/// A realistic browser navigation: Chrome on Windows loading a search page with a
/// query string of several arguments, session cookies and the usual client hints.
pub fn benign_get() -> RequestHead {
    let uri = b"/shop/search?q=waterproof+hiking+jacket&category=outdoor&sort=price_asc&page=2&size=M&colour=navy%20blue&utm_source=newsletter&utm_medium=email";
    chrome_headers(RequestHead::new("GET", uri))
}

/// The same browser sending a SQL injection in the `q` argument.
pub fn attack_get() -> RequestHead {
    let uri = b"/shop/search?q=jacket%27%20UNION%20SELECT%20username%2C%20password%20FROM%20users--%20&category=outdoor&sort=price_asc&page=2";
    chrome_headers(RequestHead::new("GET", uri))
}

fn chrome_headers(head: RequestHead) -> RequestHead {
    head.with_header("Host", "www.example-shop.co.uk")
        .with_header("Connection", "keep-alive")
        .with_header("sec-ch-ua", "\"Google Chrome\";v=\"125\", \"Chromium\";v=\"125\", \"Not.A/Brand\";v=\"24\"")
        .with_header("sec-ch-ua-mobile", "?0")
        .with_header("sec-ch-ua-platform", "\"Windows\"")
        .with_header("Upgrade-Insecure-Requests", "1")
        .with_header("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36")
        .with_header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
        .with_header("Sec-Fetch-Site", "same-origin")
        .with_header("Sec-Fetch-Mode", "navigate")
        .with_header("Sec-Fetch-User", "?1")
        .with_header("Sec-Fetch-Dest", "document")
        .with_header("Referer", "https://www.example-shop.co.uk/shop/outdoor/jackets?page=1")
        .with_header("Accept-Encoding", "gzip, deflate, br, zstd")
        .with_header("Accept-Language", "en-GB,en-US;q=0.9,en;q=0.8,fr;q=0.7")
        .with_header("Cookie", "session_id=3f9c2a7e8b1d4c6fa0e5b9d2c7a41e68; csrftoken=Yh7tQ2mW9xK4pL8vN3bR6sD1fG5jZ0cA; cart_id=c-20240611-88412; consent=analytics%3Dyes%26ads%3Dno; _ga=GA1.1.1789345621.1718091234; _ga_8XK2Q=GS1.1.1718091234.3.1.1718092345.0.0.0; theme=dark; recently_viewed=1043%2C2281%2C977")
}

/// A POST head for a body of the given type and length.
pub fn post_head(uri: &str, content_type: &str, content_length: usize) -> RequestHead {
    RequestHead::new("POST", uri.as_bytes())
        .with_header("Host", "api.example-shop.co.uk")
        .with_header("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36")
        .with_header("Accept", "application/json")
        .with_header("Content-Type", content_type)
        .with_header("Content-Length", content_length.to_string())
        .with_header("Origin", "https://www.example-shop.co.uk")
        .with_header("Cookie", "session_id=3f9c2a7e8b1d4c6fa0e5b9d2c7a41e68; csrftoken=Yh7tQ2mW9xK4pL8vN3bR6sD1fG5jZ0cA")
}

/// Settings from `policy` with the body and argument limits raised so a
/// [`LARGE_BODY_BYTES`] body is inspected in full rather than cut at a limit.
pub fn whole_body_settings(policy: &Policy) -> Settings {
    let mut settings = Settings::from_policy(policy);
    settings.limits.max_inspected_body_bytes = 2 * LARGE_BODY_BYTES as u64;
    settings.limits.max_args_count = 1_000_000;
    settings
}

/// A JSON array of API objects (orders with a nested customer, an address, line
/// items, tags and free-text notes) at least `min_bytes` long.
pub fn json_body(min_bytes: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0001);
    let mut out = String::with_capacity(min_bytes + 4096);
    out.push('[');
    let mut id = 100_000u64;
    while out.len() < min_bytes {
        if id > 100_000 {
            out.push(',');
        }
        json_order(&mut out, &mut rng, id);
        id += 1;
    }
    out.push(']');
    out.into_bytes()
}

fn json_order(out: &mut String, rng: &mut Rng, id: u64) {
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    let _ = write!(
        out,
        r#"{{"id":{id},"uuid":"{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}","status":"{}","created_at":"2024-{:02}-{:02}T{:02}:{:02}:{:02}Z","#,
        rng.next_u64() as u32,
        rng.below(0x10000),
        rng.below(0x1000),
        rng.below(0x1000),
        rng.next_u64() & 0xffff_ffff_ffff,
        rng.pick(&["pending", "paid", "shipped", "delivered", "refunded"]),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
    );
    let _ = write!(
        out,
        r#""customer":{{"id":{},"name":"{first} {last}","email":"{}.{}@example.org","phone":"+44 7{:03} {:06}","address":{{"line1":"{} {}","city":"{}","postcode":"M{} {}AB","country":"GB"}},"marketing_opt_in":{}}},"#,
        rng.below(90_000) + 10_000,
        ascii_lower(first),
        ascii_lower(last),
        rng.below(1000),
        rng.below(1_000_000),
        1 + rng.below(200),
        rng.pick(STREETS),
        rng.pick(CITIES),
        1 + rng.below(40),
        rng.below(10),
        rng.below(2) == 0,
    );
    out.push_str(r#""items":["#);
    let items = 1 + rng.below(4);
    let mut total_pence = 0usize;
    for i in 0..items {
        if i > 0 {
            out.push(',');
        }
        let quantity = 1 + rng.below(3);
        let price = 299 + rng.below(20_000);
        total_pence += quantity * price;
        let _ = write!(
            out,
            r#"{{"sku":"SKU-{:05}","title":"{}","quantity":{quantity},"unit_price":{}.{:02},"tags":["{}","{}"],"attributes":{{"colour":"{}","size":"{}"}}}}"#,
            rng.below(100_000),
            rng.pick(PRODUCTS),
            price / 100,
            price % 100,
            rng.pick(TAGS),
            rng.pick(TAGS),
            rng.pick(&["navy", "forest green", "charcoal", "red", "white"]),
            rng.pick(&["S", "M", "L", "XL", "one size"]),
        );
    }
    let _ = write!(
        out,
        r#"],"total":{}.{:02},"currency":"GBP","discount":null,"gift":{},"notes":"{} {}","review":{{"rating":{},"title":"{}","body":"{} {} {}"}}}}"#,
        total_pence / 100,
        total_pence % 100,
        rng.below(5) == 0,
        rng.pick(PROSE),
        rng.pick(PROSE),
        1 + rng.below(5),
        rng.pick(&[
            "Great value",
            "Does the job",
            "Not quite as pictured",
            "Would buy again"
        ]),
        rng.pick(PROSE),
        rng.pick(PROSE),
        rng.pick(PROSE),
    );
}

/// A name as it would appear in an email address: ASCII letters, lowercase.
fn ascii_lower(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// An `application/x-www-form-urlencoded` body at least `min_bytes` long: a bulk
/// edit form with indexed rows of fields, prose values encoded the way browsers do
/// (`+` for spaces, `%XX` for punctuation and UTF-8).
pub fn form_body(min_bytes: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0002);
    let mut out = String::with_capacity(min_bytes + 4096);
    out.push_str("csrf_token=Yh7tQ2mW9xK4pL8vN3bR6sD1fG5jZ0cA&action=save_all&return_to=%2Fadmin%2Fproducts%3Fpage%3D3");
    let mut row = 0usize;
    while out.len() < min_bytes {
        let fields = [
            ("sku", format!("SKU-{:05}", rng.below(100_000))),
            ("title", rng.pick(PRODUCTS).to_string()),
            (
                "price",
                format!("{}.{:02}", 2 + rng.below(200), rng.below(100)),
            ),
            ("stock", rng.below(500).to_string()),
            ("tags", format!("{}, {}", rng.pick(TAGS), rng.pick(TAGS))),
            (
                "description",
                format!("{} {}", rng.pick(PROSE), rng.pick(PROSE)),
            ),
            (
                "contact",
                format!(
                    "{} {} <{}@example.org>",
                    rng.pick(FIRST_NAMES),
                    rng.pick(LAST_NAMES),
                    rng.pick(&["sales", "support", "orders"]),
                ),
            ),
            (
                "visible",
                if rng.below(2) == 0 { "on" } else { "off" }.to_string(),
            ),
        ];
        for (name, value) in fields {
            out.push('&');
            form_encode(&mut out, &format!("rows[{row}][{name}]"));
            out.push('=');
            form_encode(&mut out, &value);
        }
        row += 1;
    }
    out.into_bytes()
}

/// Encodes like a browser submitting a form: unreserved bytes as is, space as `+`,
/// everything else `%XX`.
fn form_encode(out: &mut String, text: &str) {
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

/// Boundary of [`multipart_upload`] bodies.
pub const MULTIPART_BOUNDARY: &str = "----PalisadeBenchBoundary7MA4YWxkTrZu0gW";

/// A browser's `multipart/form-data` upload: an album form (title,
/// description, tags, visibility, CSRF token) with one photo of at least
/// `file_bytes` (a JPEG header, then compressed-looking bytes) and a short
/// text caption file. Content type: `multipart/form-data; boundary=`
/// [`MULTIPART_BOUNDARY`].
pub fn multipart_upload(file_bytes: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0003);
    let mut out = Vec::with_capacity(file_bytes + 4096);
    let field = |out: &mut Vec<u8>, name: &str, value: &str| {
        out.extend_from_slice(
            format!(
                "--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    field(&mut out, "csrf_token", "Yh7tQ2mW9xK4pL8vN3bR6sD1fG5jZ0cA");
    field(&mut out, "album", "Summer walks 2024");
    field(
        &mut out,
        "description",
        &format!("{} {}", rng.pick(PROSE), rng.pick(PROSE)),
    );
    field(
        &mut out,
        "tags",
        &format!("{}, {}", rng.pick(TAGS), rng.pick(TAGS)),
    );
    field(&mut out, "visibility", "friends");
    out.extend_from_slice(
        format!(
            "--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"IMG_20240611_181502.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    let start = out.len();
    while out.len() - start < file_bytes {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.extend_from_slice(b"\xff\xd9\r\n");
    out.extend_from_slice(
        format!(
            "--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name=\"caption\"; filename=\"caption.txt\"\r\nContent-Type: text/plain\r\n\r\n{}\r\n--{MULTIPART_BOUNDARY}--\r\n",
            rng.pick(PROSE)
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_engine::{defaults, Inspector};
    use std::sync::Arc;

    fn inspect_streamed(head: &RequestHead, body: &[u8]) -> palisade_engine::Verdict {
        let rules = Arc::new(defaults::compiled_rules().expect("embedded rules compile"));
        let policy = defaults::policy().expect("embedded policy parses");
        let inspector = Inspector::with_settings(rules, whole_body_settings(&policy));
        let mut tx = inspector.begin(head);
        for chunk in body.chunks(CHUNK_BYTES) {
            let _ = tx.feed_body(chunk);
        }
        tx.finish()
    }

    #[test]
    fn generators_reach_their_size() {
        assert!(json_body(LARGE_BODY_BYTES).len() >= LARGE_BODY_BYTES);
        assert!(form_body(LARGE_BODY_BYTES).len() >= LARGE_BODY_BYTES);
    }

    #[test]
    fn benign_bodies_trigger_nothing() {
        let json = json_body(64 * 1024);
        let head = post_head("/api/orders/import", "application/json", json.len());
        let verdict = inspect_streamed(&head, &json);
        assert!(verdict.findings.is_empty(), "{:?}", verdict.findings);
        let form = form_body(64 * 1024);
        let head = post_head(
            "/admin/products",
            "application/x-www-form-urlencoded",
            form.len(),
        );
        let verdict = inspect_streamed(&head, &form);
        assert!(verdict.findings.is_empty(), "{:?}", verdict.findings);
    }
}
