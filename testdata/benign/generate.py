#!/usr/bin/env python3
"""Generates Palisade's benign request corpus: testdata/benign/*.jsonl.

Every line is one HTTP request a WAF must let through at paranoia level 1:
    {"name": ..., "method": ..., "uri": ..., "headers": [[name, value], ...],
     "body": ... (optional, UTF-8 text), "source": "category tag"}

The requests are modelled on what real browsers, mobile apps, API clients,
webhook senders and probes send to real kinds of sites (shops, news, search,
social, docs, dashboards, banks, travel, WordPress/Drupal, GraphQL, OAuth,
analytics, CDNs). Nothing here is taken from any WAF's test suite. Host names
are fictional (`*.example`); URL, header, cookie and body *shapes* follow the
public behaviour of the clients and platforms they imitate.

Deterministic: a fixed seed, the standard library only, no network. Run
    python3 testdata/benign/generate.py
from anywhere; it rewrites the .jsonl files next to this script and prints the
count per source tag. See README.md.
"""

import base64
import hashlib
import json
import os
import random
import sys
import urllib.parse
import zlib
from collections import Counter

SEED = 20240415
R = random.Random(SEED)
HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------
# Small random helpers (all draw from R, so output is reproducible).

HEX = "0123456789abcdef"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def pick(seq):
    return seq[R.randrange(len(seq))]


def chance(p):
    return R.random() < p


def hexs(n):
    return "".join(R.choice(HEX) for _ in range(n))


def alnum(n):
    return "".join(R.choice(ALNUM) for _ in range(n))


def digits(n):
    return str(R.randint(1, 9)) + "".join(R.choice("0123456789") for _ in range(n - 1))


def rbytes(n):
    return bytes(R.randrange(256) for _ in range(n))


def b64(n):
    return base64.b64encode(rbytes(n)).decode()


def b64url(n):
    return base64.urlsafe_b64encode(rbytes(n)).decode().rstrip("=")


def b64url_of(obj):
    raw = obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def uuid4():
    h = hexs(32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{pick('89ab')}{h[17:20]}-{h[20:32]}"


def epoch():
    return 1711929600 + R.randrange(0, 45 * 86400)  # April - mid May 2024


def epoch_ms():
    return epoch() * 1000 + R.randrange(1000)


def iso(ts=None):
    import datetime

    ts = ts if ts is not None else epoch()
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(offset_days=0):
    import datetime

    base = datetime.date(2024, 4, 1) + datetime.timedelta(days=R.randrange(0, 60) + offset_days)
    return base.isoformat()


def jwt(claims):
    head = b64url_of({"alg": pick(["HS256", "RS256", "ES256"]), "typ": "JWT"})
    return f"{head}.{b64url_of(claims)}.{b64url(32)}"


def user_jwt():
    now = epoch()
    return jwt({"sub": digits(8) if chance(0.5) else uuid4(), "iat": now, "exp": now + 3600,
                "iss": pick(["https://auth.acme.example/", "https://login.shipfast.example"]),
                "scope": pick(["openid profile email", "read:orders write:cart", "user"])})


def q(s):
    """Form-style query encoding (space as +), what browsers do for GET forms."""
    return urllib.parse.quote_plus(s, safe="")


def pq(s, safe="/"):
    """Percent-encoding as done by JS encodeURIComponent-like clients."""
    return urllib.parse.quote(s, safe=safe)


def qs(pairs, enc=q, raw_keys=False):
    out = []
    for k, v in pairs:
        key = k if raw_keys else enc(k)
        out.append(f"{key}={enc(str(v))}")
    return "&".join(out)


def jdump(obj, compact=None):
    compact = chance(0.7) if compact is None else compact
    if compact:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(obj, ensure_ascii=False, indent=pick([None, 2]))


def slug(text):
    out = []
    for ch in text.lower():
        if ch.isalnum() and ch.isascii():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


# --------------------------------------------------------------------------
# Clients.

ACCEPT_LANGUAGES = [
    "en-US,en;q=0.9", "en-GB,en-US;q=0.9,en;q=0.8", "en-GB,en;q=0.9", "en-US,en;q=0.9,es;q=0.8",
    "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
    "es-ES,es;q=0.9", "es-419,es;q=0.9,en;q=0.8", "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7",
    "it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7", "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7",
    "pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7", "tr-TR,tr;q=0.9,en-US;q=0.8,en;q=0.7",
    "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "uk-UA,uk;q=0.9,en-US;q=0.8,en;q=0.7",
    "ja,en-US;q=0.9,en;q=0.8", "ja-JP,ja;q=0.9", "zh-CN,zh;q=0.9,en;q=0.8", "zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7",
    "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ar,en-US;q=0.9,en;q=0.8", "he-IL,he;q=0.9,en-US;q=0.8,en;q=0.7",
    "hi-IN,hi;q=0.9,en-IN;q=0.8,en;q=0.7", "sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7", "en-IN,en-GB;q=0.9,en-US;q=0.8,en;q=0.7",
    "vi-VN,vi;q=0.9,fr-FR;q=0.8,fr;q=0.7,en-US;q=0.6,en;q=0.5", "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7",
]
FIREFOX_LANGUAGES = ["en-US,en;q=0.5", "de,en-US;q=0.7,en;q=0.3", "fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3",
                     "en-GB,en;q=0.5", "es-ES,es;q=0.8,en-US;q=0.5,en;q=0.3", "pl,en-US;q=0.7,en;q=0.3"]

CH_BRANDS = {
    122: '"Chromium";v="122", "Not(A:Brand";v="24", "{b}";v="122"',
    123: '"{b}";v="123", "Not:A-Brand";v="8", "Chromium";v="123"',
    124: '"Chromium";v="124", "{b}";v="124", "Not-A.Brand";v="99"',
    125: '"{b}";v="125", "Chromium";v="125", "Not.A/Brand";v="24"',
}

BROWSERS = [
    # name, family, ua template, ch brand, ch platform, mobile, weight
    ("Chrome/Windows", "chromium", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36", "Google Chrome", '"Windows"', False, 24),
    ("Chrome/macOS", "chromium", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36", "Google Chrome", '"macOS"', False, 10),
    ("Chrome/Linux", "chromium", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36", "Google Chrome", '"Linux"', False, 3),
    ("Chrome/ChromeOS", "chromium", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36", "Google Chrome", '"Chrome OS"', False, 1),
    ("Chrome/Android", "chromium", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36", "Google Chrome", '"Android"', True, 18),
    ("Edge/Windows", "chromium", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0", "Microsoft Edge", '"Windows"', False, 6),
    ("Opera/Windows", "chromium", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 OPR/109.0.0.0", "Opera", '"Windows"', False, 1),
    ("Brave/macOS", "chromium", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36", "Brave", '"macOS"', False, 1),
    ("Samsung Internet", "chromium", "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", "Samsung Internet", '"Android"', True, 2),
    ("Firefox/Windows", "firefox", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0", None, None, False, 5),
    ("Firefox/macOS", "firefox", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:{f}.0) Gecko/20100101 Firefox/{f}.0", None, None, False, 2),
    ("Firefox/Linux", "firefox", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0", None, None, False, 2),
    ("Firefox/Android", "firefox", "Mozilla/5.0 (Android 14; Mobile; rv:{f}.0) Gecko/{f}.0 Firefox/{f}.0", None, None, True, 1),
    ("Safari/macOS", "safari", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{s} Safari/605.1.15", None, None, False, 6),
    ("Safari/iPhone", "safari", "Mozilla/5.0 (iPhone; CPU iPhone OS {i} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{s} Mobile/15E148 Safari/604.1", None, None, True, 18),
    ("Safari/iPad", "safari", "Mozilla/5.0 (iPad; CPU OS {i} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{s} Mobile/15E148 Safari/604.1", None, None, True, 2),
    ("Chrome/iOS", "safari", "Mozilla/5.0 (iPhone; CPU iPhone OS {i} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/{v}.0.6367.88 Mobile/15E148 Safari/604.1", None, None, True, 3),
    ("Facebook in-app/iOS", "safari", "Mozilla/5.0 (iPhone; CPU iPhone OS {i} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/459.0.0.38.110;FBBV/585040375;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.4.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/587032456]", None, None, True, 2),
    ("Instagram in-app/Android", "chromium", "Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/123.0.6312.118 Mobile Safari/537.36 Instagram 327.0.0.40.89 Android (33/13; 450dpi; 1080x2177; samsung; SM-A536B; a53x; exynos1280; de_DE; 586930471)", "Android WebView", '"Android"', True, 1),
]
BROWSER_WEIGHTS = [b[6] for b in BROWSERS]


class Browser:
    """One visitor's browser: a fixed UA, language and protocol style."""

    def __init__(self, which=None):
        b = which or R.choices(BROWSERS, weights=BROWSER_WEIGHTS)[0]
        self.label, self.family, tmpl, brand, self.platform, self.mobile, _ = b
        self.v = pick([122, 123, 124, 124, 125])
        ios = pick(["17_4_1", "17_4", "17_3_1", "16_7_7", "17_5"])
        safari = {"17_4_1": "17.4.1", "17_4": "17.4", "17_3_1": "17.3.1", "16_7_7": "16.6", "17_5": "17.5"}[ios]
        self.ua = tmpl.format(v=self.v, f=pick([124, 125, 126]), s=safari, i=ios)
        self.ch = CH_BRANDS[self.v].format(b=brand) if brand else None
        if brand == "Samsung Internet":
            self.ch = '"Not)A;Brand";v="99", "Samsung Internet";v="24.0", "Chromium";v="117"'
        if brand == "Android WebView":
            self.ch = '"Android WebView";v="123", "Not:A-Brand";v="8", "Chromium";v="123"'
        self.lang = pick(FIREFOX_LANGUAGES) if self.family == "firefox" else pick(ACCEPT_LANGUAGES)
        self.h2 = chance(0.6)  # HTTP/2 clients show lower-case names through most proxies
        self.dnt = self.family == "firefox" and chance(0.3)

    def _name(self, n):
        return n.lower() if self.h2 else n

    def headers(self, host, kind="navigate", referer=None, site="none", cookie=None, extra=(),
                accept=None, user=True):
        """Header list for one request. kind: navigate | xhr | asset-<dest>."""
        h = []
        add = lambda n, v: h.append([self._name(n), v])
        add("Host", host)  # HTTP/2 :authority, as proxies hand it on
        nav = kind == "navigate"
        dest = "document" if nav else ("empty" if kind == "xhr" else kind.split("-", 1)[1])
        mode = "navigate" if nav else ("cors" if kind == "xhr" else "no-cors")
        if dest in ("font",):
            mode = "cors"
        if accept is None:
            accept = {
                "document": {"chromium": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
                             "firefox": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
                             "safari": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}[self.family],
                "empty": pick(["application/json, text/plain, */*", "application/json", "*/*"]),
                "image": {"chromium": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
                          "firefox": "image/avif,image/webp,*/*",
                          "safari": "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"}[self.family],
                "style": "text/css,*/*;q=0.1",
                "script": "*/*",
                "font": "*/*",
                "video": "*/*",
            }.get(dest, "*/*")
        if self.family == "chromium":
            if not self.h2:
                add("Connection", "keep-alive")
            if nav and chance(0.15):
                add("Cache-Control", "max-age=0")
            add("sec-ch-ua", self.ch)
            add("sec-ch-ua-mobile", "?1" if self.mobile else "?0")
            add("sec-ch-ua-platform", self.platform)
            if nav:
                add("Upgrade-Insecure-Requests", "1")
            add("User-Agent", self.ua)
            add("Accept", accept)
            for n, v in extra:
                h.append([self._name(n), v])
            add("Sec-Fetch-Site", site)
            add("Sec-Fetch-Mode", mode)
            if nav and user:
                add("Sec-Fetch-User", "?1")
            add("Sec-Fetch-Dest", dest)
            if referer:
                add("Referer", referer)
            add("Accept-Encoding", pick(["gzip, deflate, br, zstd", "gzip, deflate, br"]))
            add("Accept-Language", self.lang)
            if cookie:
                add("Cookie", cookie)
            if nav and self.v >= 124:
                add("Priority", "u=0, i")
        elif self.family == "firefox":
            add("User-Agent", self.ua)
            add("Accept", accept)
            add("Accept-Language", self.lang)
            add("Accept-Encoding", "gzip, deflate, br" if self.v < 125 else "gzip, deflate, br, zstd")
            for n, v in extra:
                h.append([self._name(n), v])
            if referer:
                add("Referer", referer)
            if self.dnt:
                add("DNT", "1")
            if not self.h2:
                add("Connection", "keep-alive")
            if cookie:
                add("Cookie", cookie)
            if nav:
                add("Upgrade-Insecure-Requests", "1")
            add("Sec-Fetch-Dest", dest)
            add("Sec-Fetch-Mode", mode)
            add("Sec-Fetch-Site", site)
            if nav and user:
                add("Sec-Fetch-User", "?1")
            if self.dnt:
                add("Sec-GPC", "1")
            add("Priority", "u=0, i" if nav else "u=4")
            if self.h2:
                add("TE", "trailers")
        else:  # safari
            add("Accept", accept)
            for n, v in extra:
                h.append([self._name(n), v])
            add("Sec-Fetch-Site", site)
            if cookie:
                add("Cookie", cookie)
            add("Sec-Fetch-Dest", dest)
            first = self.lang.split(",")[0]
            add("Accept-Language", first + "," + first.split("-")[0] + ";q=0.9" if "-" in first else first)
            add("Sec-Fetch-Mode", mode)
            add("User-Agent", self.ua)
            if referer:
                add("Referer", referer)
            add("Accept-Encoding", "gzip, deflate, br")
            if not self.h2:
                add("Connection", "keep-alive")
            if nav:
                add("Priority", "u=0, i")
        return h


# --------------------------------------------------------------------------
# People, places, products, prose.

FIRST = ["D'Angelo", "Siobhán", "Zoë", "José", "Björn", "Łukasz", "Aoife", "Jean-Luc", "Mary-Kate", "Renée",
         "François", "Søren", "Chloé", "Müge", "Ananya", "Oluwaseun", "Ngozi", "Wei", "Hiroshi", "Yuki",
         "Mohammed", "Fatima", "Olga", "Dmitri", "Emma", "Liam", "Noah", "Olivia", "Ava", "Mateo", "Priya",
         "Kai", "Tomás", "Ève", "Jürgen", "Seán", "Ximena", "Thảo", "Ravi", "Sarah"]
LAST = ["O'Connor", "O'Brien", "D'Souza", "McDonald", "Smith-Jones", "van der Berg", "García Márquez",
        "Müller", "Nowak", "Ó Súilleabháin", "Nguyễn", "Kim", "Okafor", "Al-Hassan", "da Silva", "de la Cruz",
        "Johnson", "Williams", "Brown", "Tanaka", "Dell'Acqua", "L'Estrange", "Kowalczyk", "Øster", "Park",
        "Schröder", "N'Diaye", "Fitzgerald", "Ivanova", "Rossi"]
MAIL_DOMAINS = ["gmail.example", "outlook.example", "proton.example", "mail.example", "icloud.example",
                "web.example", "yahoo.example", "acme-corp.example"]


def person():
    first, last = pick(FIRST), pick(LAST)
    local = slug(first).replace("-", "") + pick([".", "_", ""]) + slug(last).replace("-", "")
    if chance(0.1):
        local = first.lower().replace(" ", "") + "." + last.lower().replace(" ", "")  # keeps the apostrophe
    if chance(0.15):
        local += "+" + pick(["shop", "news", "orders", "2024"])
    if chance(0.2):
        local += str(R.randint(1, 99))
    return {"first": first, "last": last, "email": f"{local}@{pick(MAIL_DOMAINS)}"}


ADDRESSES = [
    ("12 O'Connell Street Upper", "Apt 4B", "Dublin", "Dublin", "D01 F5P2", "IE", "+353 1 234 5678"),
    ("1600 Amphitheatre Pkwy", "", "Mountain View", "CA", "94043", "US", "(650) 253-0000"),
    ("221B Baker St", "Flat #2", "London", "", "NW1 6XE", "GB", "+44 20 7946 0958"),
    ("7 Rue de l'Église", "", "Saint-Jean-d'Angély", "Nouvelle-Aquitaine", "17400", "FR", "+33 5 46 32 00 00"),
    ("Königsallee 92a", "c/o Müller", "Düsseldorf", "NRW", "40212", "DE", "+49 211 1234567"),
    ("350 Fifth Avenue", "Suite 3400", "New York", "NY", "10118", "US", "+1 212-736-3100"),
    ("Av. Paulista, 1578", "Bela Vista", "São Paulo", "SP", "01310-200", "BR", "+55 11 3149-5959"),
    ("1-1 Marunouchi", "Chiyoda-ku", "Tokyo", "Tokyo", "100-0005", "JP", "+81 3-1234-5678"),
    ("ul. Marszałkowska 84/92", "lok. 109", "Warszawa", "mazowieckie", "00-514", "PL", "+48 22 123 45 67"),
    ("P.O. Box 1234", "", "Anchorage", "AK", "99501", "US", "907-555-0134"),
    ("Unit 5, 18-20 Queen's Road", "", "Sydney", "NSW", "2000", "AU", "+61 2 9876 5432"),
    ("Calle de Alcalá, 48", "3º izq.", "Madrid", "Madrid", "28014", "ES", "+34 912 34 56 78"),
    ("Plot 12, Admiralty Way", "Lekki Phase 1", "Lagos", "Lagos", "106104", "NG", "+234 803 123 4567"),
    ("4500 N. Union Station Rd", "Bldg C", "Kansas City", "MO", "64108", "US", "816-555-0199"),
    ("Via dell'Orso 28", "Scala B, int. 5", "Roma", "RM", "00186", "IT", "+39 06 1234 5678"),
    ("Stationsplein 15", "", "Amsterdam", "NH", "1012 AB", "NL", "+31 20 123 4567"),
    ("2/F, 88 Queen's Road Central", "", "Hong Kong", "", "", "HK", "+852 2123 4567"),
    ("Bahnhofstrasse 10", "Postfach", "Zürich", "ZH", "8001", "CH", "+41 44 123 45 67"),
    ("1250 René-Lévesque Blvd W", "Suite 2200", "Montréal", "QC", "H3B 4W8", "CA", "+1 (514) 555-0142"),
    ("15 Rock 'n' Roll Lane", "", "Memphis", "TN", "38103", "US", "901-555-0117"),
]

PRODUCTS = [
    ("Men's Linen Shirt – Sage", "TSHIRT-LIN-SAGE-M", "49.00"), ("Kids' Rain Boots (Size 10)", "BOOT-KID-10-YEL", "29.99"),
    ('27" 4K Monitor, USB-C 65W', "MON-27-4K-C", "329.00"), ("2x4 Stud 8' Pine", "LUM-2X4-8", "4.28"),
    ("Ben & Jerry's Cookie Dough 465ml", "BJ-CD-465", "6.49"), ("Rock 'n' Roll Vinyl Box Set", "VIN-RNR-BOX", "119.00"),
    ("Programming Rust, 2nd Ed. (O'Reilly)", "BK-9781492052593", "59.99"), ("USB-C to USB-C Cable (2 m)", "CBL-CC-2M", "12.99"),
    ("Café Bustelo Espresso 10 oz", "COF-BUST-10", "5.79"), ("Crème Brûlée Torch", "KIT-TORCH-01", "24.50"),
    ('Select Series Chef\'s Knife 8"', "KNF-SEL-8", "89.95"), ("Union Square Tote – Black", "BAG-USQ-BLK", "78.00"),
    ("Women's Trail Runner 2.0", "SHO-WTR2-38", "134.90"), ("Noise-cancelling Headphones <Pro>", "AUD-NC-PRO", "279.00"),
    ("100% Cotton Bath Towel Set (4 pc)", "HOME-TWL-4", "39.00"), ("M&M's Peanut Sharing Size", "CND-MM-PNT", "3.99"),
    ("Drop Earrings – 14k Gold", "JWL-DROP-14K", "210.00"), ("Matcha Latte Mix 250g", "TEA-MATCHA-250", "18.00"),
]

REVIEWS = [
    "Great fit, true to size. I'd select one size up if you're between sizes though.",
    "Ordered the blue one from the US store and it arrived in 3 days. Where has this been all my life? <3",
    "Works as advertised. Drop shipping took a while but customer service was great.",
    "5 stars! My kids love it 😍😍",
    "Not bad, but the app keeps asking me to select my store every time I open it.",
    "The instructions say 'insert tab A into slot B' — there is no slot B. Had to improvise.",
    "Bought this for my husband's 40th; he said it's \"the best gift ever\" (his words, not mine).",
    "Battery life is okay: ~6h with the screen at 50%. Charging from 0 to 100 takes about 2h.",
    "If a < b and b < c then this is the best blender under $50 I've owned. Math checks out.",
    "Quality > price. Would buy again.",
    "Runs small. I'm 5' 11\" and 180 lbs and the L was snug across the shoulders.",
    "Came with a free sample of the cold brew — and 1 more bag than I ordered!",
    "Don't let the price fool you, it's sturdy. Cat approved 🐱",
    "Arrived damaged (box was crushed). Support replaced it within a week, no questions asked.",
    "Honestly? It's fine. Nothing special. 3/5",
    "Perfect for the trip from Union Station to the airport — fits in a carry-on.",
    "Me encanta! La calidad es excelente y llegó antes de lo previsto.",
    "Très bon produit, je recommande. Livraison rapide à Saint-Étienne.",
    "Super Qualität, aber die Größe fällt etwas klein aus. Lieber eine Nummer größer bestellen.",
    "とても使いやすいです。また購入したいと思います。",
    "Очень доволен покупкой, спасибо!",
    "Ótimo custo-benefício. Chegou bem embalado.",
    "Il prodotto è arrivato in perfette condizioni, consiglio a tutti.",
    "Product werkt prima, alleen de handleiding is alleen in het Engels.",
    "제품 품질이 아주 좋아요. 배송도 빨랐습니다.",
    "Good value. Pro tip: run the descaler before first use, then drop the filter in.",
    "The script lettering on the label is gorgeous — looks hand-drawn.",
    "Alert: the 2024 version has a different plug (type G). Check before ordering!",
    "Smaller than I expected (see photo) but x > y where x = quality and y = what I paid.",
    "I have a size 10 1/2 foot and the 44 fits perfectly. Arch support is 10/10.",
    "Wish it came in more colours. The 'sage' is more grey than green IMO.",
    "Exactly what the description says. Nothing more, nothing less. 👍",
    "Returned it. The zipper broke on day 2 and the seams on the left & right didn't match.",
    "It's my 3rd one. I keep giving them away as gifts, lol.",
    "My daughter (age 7) uses it every day for school & it still looks new after 6 months.",
    "Select the 'gift wrap' option — they do a lovely job with ribbon and a handwritten card.",
    "The where-to-buy map on the site was wrong, but the shop in Union Square had it in stock.",
    "Meh. Expected more for €89. Shipping to Ireland was €12 on top.",
    "Exec summary: great sound, so-so mic, battery lasts a full day at the office.",
    "Tastes like the one from my grandma's kitchen in Napoli ❤️🇮🇹",
]

COMMENTS = [
    "Where does the council think the money will come from? Select committees have asked this three times now.",
    "This is a great article. I'd add that the union has been negotiating since March.",
    "Ugh, another 'expert' telling us to drop everything and buy gold.",
    "Can we talk about how the mayor's office said \"no comment\" and then leaked it anyway?",
    "Love this recipe!! I swapped the butter for olive oil & it still came out great <3",
    "Just a note: the chart's y-axis starts at 40%, which exaggerates the drop.",
    "Fun fact: Grey's Anatomy has been on air since 2005.",
    "Posted from my iPhone. Typos are the phone's fault 😅",
    "Where I'm from (Cork) we'd call this a 'grand' day out.",
    "The exec summary at the top is really helpful, thanks for adding it.",
    "Tutorial worked for me on Ubuntu 22.04. Had to run it with sudo, though.",
    "Is there a version of this for Windows? I never know where C:\\Program Files ends up on a new laptop.",
    "Anyone else getting a 404 on the download link?",
    "Thanks! This saved me hours. Bookmarked.",
    "Respectfully, I disagree. The data from 2019 to 2023 shows the opposite trend.",
    "@maria_ld yes, and the survey results from last year say the same thing.",
    "x > y doesn't always mean x is better, context matters.",
    "Cheers from São Paulo! 🇧🇷",
    "I'd love a follow-up on what happens to the people who were displaced. Where do they go now?",
    "Rock 'n' roll will never die 🤘 Saw them in '89 and again last summer.",
    "Correction: the bridge opened in 1932, not 1923.",
    "\"Affordable housing\" at £1,800/month? Who are they kidding.",
    "Subscribed just to say: best coverage of the election so far. Keep it up.",
    "Hot take: pineapple on pizza is fine & the discourse is exhausting.",
    "Could you add the metric conversions? 350°F = 175°C for anyone wondering.",
    "My grandmother's version adds a pinch of nutmeg; select whichever spice you like, it's forgiving.",
    "Finally someone explains the difference between 'affect' and 'effect' properly.",
    "Does anyone know where the echo in the second track comes from? Sounds like a real hall.",
    "The new union contract covers part-time staff too, which is a big deal.",
    "Is this available as a PDF? I'd like to print it for my class (ages 12-14).",
    "Merci pour l'article, très clair. Petite coquille dans le 3e paragraphe.",
    "Danke für die Übersicht! Gibt's das auch für Österreich?",
    "¿Alguien sabe si esto aplica también en México?",
    "この記事はとても参考になりました。ありがとうございます！",
    "I tried this with 2 cups of flour instead of 2 1/2 and it was still perfect.",
    "lol the cat at 2:13 😂",
    "Not to be that person, but it's \"could've\", not \"could of\".",
    "The 'drop' in the title is misleading — prices fell 0.3%, that's within the noise.",
    "Great thread. Bookmarking for when I finally move to Lisbon 🇵🇹",
    "As a nurse on the night shift I can confirm: we're exhausted & understaffed.",
]

FORUM_POSTS = [
    "How do I select all rows where the date is between two values in pandas? I tried df[df.date > start] but it returns an empty frame.",
    "Is there a way to drop the first N items from an iterator in Rust without collecting? `skip(n)` seems to do it but I'm not sure about laziness.",
    "My cron job runs fine from the terminal but not from cron. The log at /var/log/syslog says permission denied.",
    "What's the difference between `git fetch` and `git pull`? The docs confuse me.",
    "In SQL Server, when should I use a CTE vs a temp table? Looking for rules of thumb, not a flame war :)",
    "TIL you can use `Array.from({length: 5}, (_, i) => i * 2)` to build a range in JS.",
    "Why does my React component render twice in development? I'm on 18.2 with StrictMode.",
    "Can someone explain what `where T: Clone + Send` means in this signature?",
    "Getting 'ECONNREFUSED 127.0.0.1:5432' when connecting to Postgres from Docker. Both containers are on the same network.",
    "Does the free tier include the union of both plans' features or only the basic one?",
    "Our team switched from Jira to Linear last month — happy to answer questions about the migration.",
    "Is it safe to delete files in C:\\Windows\\Temp? My disk is almost full.",
    "How to escape a single quote (') in a YAML string? I keep getting parse errors.",
    "Why is 0.1 + 0.2 != 0.3 in JavaScript?",
    "Best way to learn C++ in 2024? I know Python and a bit of C.",
]

MARKDOWN_DOCS = [
    "# Release notes 2.4.0\n\n## Added\n- Bulk *select* in the orders table\n- Export to CSV (`.csv`) and Excel\n\n## Fixed\n- Dates before 1970 showed as `NaN` (#1142)\n- The **union** of two tag filters now works as documented\n\n> Thanks to @dangelo and @siobhan-ob for the reports!\n",
    "## Getting started\n\n1. Install: `pip install acme-client`\n2. Configure your key in `~/.config/acme/config.toml`\n3. Run:\n\n```python\nfrom acme import Client\nclient = Client(api_key=\"sk_test_...\")\nprint(client.orders.list(limit=5))\n```\n\nSee [the docs](https://docs.acme.example/quickstart?lang=python#install) for more.\n",
    "### Meeting notes — 15/04\n\n| Topic | Owner | Status |\n|---|---|---|\n| Q2 roadmap | Zoë | ✅ |\n| Hiring (2 eng) | Liam | ⏳ |\n| Office move | Ops | ❌ blocked |\n\nAction items:\n- [ ] Siobhán to draft the RFC\n- [x] Book the room for Thursday 3pm\n",
    "Hey team 👋\n\nQuick reminder that the **staging** DB will be read-only from 18:00 to 20:00 UTC for the upgrade to Postgres 16. If you see `read-only transaction` errors, that's why.\n\nLogs: `/var/log/app.log` on `stg-web-1`.\n",
    "# Trip to Lisbon 🇵🇹\n\n![Tram 28](https://cdn.example/img/tram28.jpg \"Tram 28 in Alfama\")\n\nDay 1: Alfama → Castelo de São Jorge → *pastéis de nata* at Manteigaria.\nDay 2: Sintra (take the 9:11 train from Rossio, it's < 1h).\n\n> Tip: buy a Viva Viagem card & top up with zapping.\n",
    "**Bug**: clicking \"Select all\" then \"Delete\" removes items on *other* pages too.\n\n**Steps**\n1. Go to /admin/items?page=2\n2. Check the header checkbox\n3. Click Delete → confirm\n\n**Expected**: only the 25 visible rows.\n**Actual**: 1,204 rows gone 😬\n",
]


def text_pool(*pools):
    merged = []
    for p in pools:
        merged.extend(p)
    return merged


# --------------------------------------------------------------------------
# Cookies of real-world shapes.


def c_ga():
    cid = f"{R.randint(100000000, 2147483647)}.{epoch() - R.randrange(0, 300 * 86400)}"
    jar = [("_ga", f"GA1.1.{cid}")]
    if chance(0.8):
        jar.append((f"_ga_{alnum(10).upper()}", f"GS1.1.{epoch()}.{R.randint(1, 40)}.1.{epoch()}.0.0.0"))
    if chance(0.5):
        jar.append(("_gid", f"GA1.2.{R.randint(100000000, 2147483647)}.{epoch()}"))
    if chance(0.4):
        jar.append(("_gcl_au", f"1.1.{R.randint(100000000, 2147483647)}.{epoch()}"))
    if chance(0.35):
        jar.append(("_fbp", f"fb.1.{epoch_ms()}.{R.randint(100000000, 2147483647)}"))
    if chance(0.2):
        jar.append(("_uetsid", hexs(32)))
        jar.append(("_uetvid", hexs(32)))
    if chance(0.2):
        jar.append(("_clck", f"{alnum(6).lower()}%7C2%7Cfkw%7C0%7C{R.randint(1000, 1700)}"))
        jar.append(("_clsk", f"{alnum(7).lower()}%7C{epoch_ms()}%7C{R.randint(1, 9)}%7C1%7Cv.clarity.ms%2Fcollect"))
    if chance(0.15):
        jar.append((f"_hjSessionUser_{digits(7)}", b64url_of({"id": uuid4(), "created": epoch_ms(), "existing": True}) + "=="[: R.randint(0, 2)]))
    if chance(0.15):
        mp = {"distinct_id": f"$device:{hexs(14)}-{hexs(14)}", "$device_id": f"{hexs(14)}-{hexs(14)}",
              "$initial_referrer": pick(["https://www.google.com/", "$direct"]), "$initial_referring_domain": pick(["www.google.com", "$direct"])}
        jar.append((f"mp_{hexs(32)}_mixpanel", pq(json.dumps(mp), safe="")))
    if chance(0.1):
        jar.append((f"AMCV_{hexs(24).upper()}%40AdobeOrg", f"179643557%7CMCIDTS%7C19830%7CMCMID%7C{digits(38)}%7CMCAAMLH-{epoch()}%7C6%7CMCAAMB-{epoch()}%7C{alnum(52)}%7CMCOPTOUT-{epoch()}s%7CNONE%7CvVersion%7C5.5.0"))
        jar.append(("s_cc", "true"))
    if chance(0.12):
        jar.append(("ajs_anonymous_id", pick([uuid4(), "%22" + uuid4() + "%22"])))
    if chance(0.06):
        jar.append(("bcookie", f'"v=2&{uuid4()}"'))
        jar.append(("lang", "v=2&lang=en-us"))
    return jar


def c_consent():
    kind = R.randrange(6)
    if kind == 0:
        dt = pick(["Mon+Apr+15+2024+10%3A12%3A33+GMT%2B0200+(Central+European+Summer+Time)",
                   "Thu+May+02+2024+18%3A03%3A10+GMT%2B0100+(British+Summer+Time)",
                   "Sat+Apr+20+2024+07%3A45%3A02+GMT-0400+(Eastern+Daylight+Time)"])
        groups = "%2C".join(f"C000{i}%3A{1 if i == 1 or chance(0.6) else 0}" for i in range(1, 6))
        v = (f"isGpcEnabled=0&datestamp={dt}&version=202402.1.0&browserGpcFlag=0&isIABGlobal=false&hosts=&consentId={uuid4()}"
             f"&interactionCount=1&isAnonUser=1&landingPath=NotLandingPage&groups={groups}&geolocation={pick(['DE%3BBE', 'GB%3BENG', 'US%3BCA', 'FR%3BIDF'])}&AwaitingReconsent=false")
        return [("OptanonConsent", v), ("OptanonAlertBoxClosed", iso().replace("Z", ".123Z"))]
    if kind == 1:
        v = (f"{{stamp:%27{b64(42)}%27%2Cnecessary:true%2Cpreferences:{pick(['true', 'false'])}%2Cstatistics:true"
             f"%2Cmarketing:{pick(['true', 'false'])}%2Cmethod:%27explicit%27%2Cver:1%2Cutc:{epoch_ms()}%2Cregion:%27{pick(['de', 'gb', 'fr', 'nl', 'us-06'])}%27}}")
        return [("CookieConsent", v)]
    if kind == 2:
        tcf = "CP" + b64url(60).replace("-", "A").replace("_", "B") + ".YAAAAAAAAAAA"
        return [("euconsent-v2", tcf), ("addtl_consent", "1~" + ".".join(str(n) for n in sorted(R.sample(range(30, 3000), 12))))]
    if kind == 3:
        cc = {"categories": ["necessary"] + (["analytics"] if chance(0.7) else []) + (["marketing"] if chance(0.4) else []),
              "revision": 0, "data": None, "consentTimestamp": iso().replace("Z", ".123Z"), "consentId": uuid4(),
              "services": {"necessary": [], "analytics": []}, "lastConsentTimestamp": iso().replace("Z", ".456Z"),
              "expirationTime": epoch_ms() + 31536000000}
        return [("cc_cookie", pq(json.dumps(cc, separators=(",", ":")), safe=""))]
    if kind == 4:
        c = {"necessary": True, "analytics": chance(0.7), "marketing": chance(0.3), "version": 3}
        return [("cookie_consent", pq(json.dumps(c, separators=(",", ":")), safe=""))]
    return [("cookieyes-consent", f"consentid:{b64(24)},consent:yes,action:yes,necessary:yes,functional:yes,analytics:{pick(['yes', 'no'])},performance:no,advertisement:no")]


def c_cloudflare():
    jar = []
    if chance(0.7):
        jar.append(("__cf_bm", f"{b64url(32)}-{epoch()}-1.0.1.1-{b64url(60).replace('-', '.')}"))
    if chance(0.4):
        jar.append(("_cfuvid", f"{b64url(30)}-{epoch_ms()}-0.0.1.1-604800000"))
    if chance(0.2):
        jar.append(("cf_clearance", f"{b64url(32)}-{epoch()}-1.0.1.1-{b64url(90)}"))
    if chance(0.1):
        jar.append(("__cflb", "0H28v" + alnum(40)))
    return jar


def c_akamai():
    return [("bm_sz", f"{hexs(32).upper()}~YAAQ{b64(60)}~{R.randint(3000000, 4000000)}~{R.randint(4000000, 5000000)}"),
            ("_abck", f"{hexs(32).upper()}~0~YAAQ{b64(80)}~-1~-1~-1"),
            ("ak_bmsc", f"{hexs(32).upper()}~000000000000000000000000000000~YAAQ{b64(96)}")]


def c_session(kind):
    k = R.randrange(12)
    if kind == "wordpress":
        h = hexs(32)
        user = pick(["admin", "dangelo", "siobhan.ob", "editor", "zoe"])
        return [(f"wordpress_logged_in_{h}", f"{user}%7C{epoch()}%7C{alnum(43)}%7C{hexs(64)}"),
                ("wp-settings-1", pick(["libraryContent%3Dbrowse%26editor%3Dtinymce", "editor%3Dhtml%26posts_list_mode%3Dlist%26mfold%3Do", "libraryContent%3Dbrowse%26hidetb%3D1%26imgsize%3Dlarge"])),
                ("wp-settings-time-1", str(epoch())), ("wordpress_test_cookie", "WP%20Cookie%20check")]
    if kind == "drupal":
        return [(f"SSESS{hexs(32)}", b64url(32)), ("Drupal.visitor.name", "Si%C3%B4n")] if chance(0.2) else [(f"SSESS{hexs(32)}", b64url(32))]
    if k == 0:
        return [("session", user_jwt())]
    if k == 1:
        return [("connect.sid", f"s%3A{b64url(24)}.{b64(32).rstrip('=').replace('+', '%2B').replace('/', '%2F')}")]
    if k == 2:
        blob = lambda: pq(base64.b64encode(json.dumps({"iv": b64(16), "value": b64(60), "mac": hexs(64), "tag": ""}, separators=(",", ":")).encode()).decode(), safe="")
        return [("XSRF-TOKEN", blob()), ("laravel_session", blob())]
    if k == 3:
        return [("PHPSESSID", "".join(R.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26)))]
    if k == 4:
        return [("JSESSIONID", hexs(32).upper() + pick(["", ".node0", ".worker2"]))]
    if k == 5:
        return [("ASP.NET_SessionId", "".join(R.choice("abcdefghijklmnopqrstuvwxyz012345") for _ in range(24))),
                (f".AspNetCore.Antiforgery.{alnum(11)}", "CfDJ8" + b64url(120))]
    if k == 6:
        return [("csrftoken", alnum(32)), ("sessionid", "".join(R.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32)))]
    if k == 7:
        enc = lambda n: b64(n).replace("=", "%3D").replace("+", "%2B").replace("/", "%2F")
        return [(pick(["_shop_session", "_myapp_session"]), f"{enc(120)}--{enc(12)}--{enc(16)}")]
    if k == 8:
        return [("__Secure-next-auth.session-token", f"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..{b64url(12)}.{b64url(160)}.{b64url(16)}"),
                ("__Host-next-auth.csrf-token", f"{hexs(64)}%7C{hexs(64)}")]
    if k == 9:
        return [("_session_id", hexs(32)), ("remember_user_token", f"{b64url(90)}--{hexs(40)}")]
    if k == 10:
        return [("sid", f"{uuid4()}"), ("csrf_token", b64url(32))]
    return [("auth_token", user_jwt()), ("refresh_token", b64url(48))]


def c_site(kind):
    jar = []
    if kind == "shop":
        if chance(0.5):
            jar += [("_shopify_y", uuid4()), ("_shopify_s", uuid4()), ("cart_currency", pick(["EUR", "USD", "GBP"])),
                    ("localization", pick(["DE", "US", "GB", "FR"])), ("_orig_referrer", pq("https://www.google.com/", safe=""))]
            if chance(0.6):
                jar += [("cart", f"Z2NwLWV1cm9wZS13ZXN0MTo{alnum(20)}%3Fkey%3D{hexs(32)}"), ("cart_sig", hexs(32))]
        else:
            jar += [("cart_id", uuid4()), ("currency", pick(["USD", "EUR", "CAD"])),
                    ("recently_viewed", "%2C".join(digits(6) for _ in range(R.randint(1, 5))))]
        if chance(0.3):
            jar.append(("__stripe_mid", uuid4() + hexs(6)))
    if kind in ("saas", "docs") and chance(0.5):
        jar.append(("theme", pick(["dark", "light", "system"])))
    if kind == "saas":
        jar.append(("tz", pick(["Europe%2FParis", "America%2FNew_York", "Asia%2FTokyo", "UTC"])))
        if chance(0.4):
            jar.append(("prefs", pq(json.dumps({"sidebar": pick(["collapsed", "expanded"]), "density": "compact", "tz": "Europe/Berlin"}, separators=(",", ":")), safe="")))
        if chance(0.3):
            jar.append((f"intercom-id-{alnum(8).lower()}", uuid4()))
            jar.append((f"intercom-device-id-{alnum(8).lower()}", uuid4()))
    if chance(0.3):
        test = pick(["checkout_v2", "pricing_page", "hero_copy", "search_ranker", "new_nav"])
        jar.append(pick([("ab_test", f"{test}%3A{pick('AB')}"), ("optimizelyEndUserId", f"oeu{epoch_ms()}r0.{digits(16)}"),
                         ("_vwo_uuid_v2", f"D{hexs(32).upper()}|{hexs(32)}"), ("exp_bucket", str(R.randint(0, 99))),
                         ("split", pq(json.dumps({test: pick(["control", "variant_b"])}, separators=(",", ":")), safe=""))]))
    if chance(0.15):
        jar.append(("flash", b64url_of({"type": "success", "message": pick(["Your order has been placed", "Profile updated", "Welcome back!"])}) + "=="))
    if kind == "news" and chance(0.4):
        jar += [("paywall_meter", str(R.randint(1, 5))), ("nyt-a", alnum(22)) if chance(0.5) else ("reader_id", uuid4())]
    if chance(0.2):
        jar.append(("lang", pick(["en", "fr-FR", "de", "pt-BR", "ja"])))
    return jar


def cookie_header(kind, logged_in=None, consent=True, cdn=None):
    jar = []
    if chance(0.75):
        jar += c_ga()
    if consent and chance(0.6):
        jar += c_consent()
    jar += c_site(kind)
    if logged_in if logged_in is not None else chance(0.4):
        jar += c_session(kind)
    if cdn == "cloudflare" or (cdn is None and chance(0.25)):
        jar += c_cloudflare()
    elif cdn == "akamai" or (cdn is None and chance(0.06)):
        jar += c_akamai()
    R.shuffle(jar) if chance(0.3) else None
    return "; ".join(f"{k}={v}" for k, v in jar) if jar else None


def csrf():
    return pick([b64(32), alnum(40), hexs(64), b64url(32)])


# --------------------------------------------------------------------------
# The corpus being built.


class Corpus:
    def __init__(self):
        self.files = {}
        self.seen = set()
        self.count = Counter()

    def add(self, file, source, desc, method, uri, headers, body=None):
        """Adds one request; exact duplicates (method, uri, body) are dropped."""
        key = (method, uri, body)
        if key in self.seen:
            return False
        self.seen.add(key)
        hdrs = [[n, v] for n, v in headers if v is not None]
        if body is not None:
            names = {n.lower() for n, _ in hdrs}
            if "content-length" not in names and "transfer-encoding" not in names:
                lower = bool(hdrs) and hdrs[0][0].islower()
                hdrs.append(["content-length" if lower else "Content-Length", str(len(body.encode("utf-8")))])
        self.count[source] += 1
        rec = {"name": f"{source} {self.count[source]:04d}: {desc}", "method": method, "uri": uri, "headers": hdrs}
        if body is not None:
            rec["body"] = body
        rec["source"] = source
        self.files.setdefault(file, []).append(rec)
        return True

    def write(self):
        for old in os.listdir(HERE):
            if old.endswith(".jsonl"):
                os.remove(os.path.join(HERE, old))
        for file, recs in sorted(self.files.items()):
            with open(os.path.join(HERE, file), "w", encoding="utf-8", newline="\n") as f:
                for rec in recs:
                    line = json.dumps(rec, ensure_ascii=False)
                    # Keep one request per physical line for every reader: escape
                    # the code points some splitters treat as line breaks.
                    for ch in ("\u0085", "\u2028", "\u2029"):
                        line = line.replace(ch, "\\u%04x" % ord(ch))
                    f.write(line + "\n")


C = Corpus()


def fill(n, make, tries=8):
    """Calls make() until n requests were added (make returns whether it added one)."""
    added = 0
    attempts = 0
    while added < n and attempts < n * tries:
        attempts += 1
        if make():
            added += 1
    return added


# --------------------------------------------------------------------------
# Sites: hosts, and the pages a visitor navigates to.

HEADLINES = [
    "Transit union votes to accept new contract", "Union Station reopens after two-year renovation",
    "Council to select new police chief from shortlist", "Drop in mortgage rates lifts spring home sales",
    "What the Fed's rate decision means for you", "O'Reilly to step down as chief executive after 12 years",
    "Rock 'n' roll legend announces farewell tour", "Tech layoffs: where do engineers go next?",
    "Heatwave: what to do if you can't sleep", "How to watch the eclipse safely",
    "Election 2024: live results", "Review: Grey's Anatomy season 20 finale",
    "Why your grocery bill is still going up", "Alert issued as storm approaches the coast",
    "Exec pay rises 9% while wages stall", "Paris Olympics: everything you need to know",
    "From farm to table: the rise of urban gardens", "The 10 best budget phones of 2024",
    "Inside the race to build a better battery", "Scientists select site for new telescope",
    "Nurses' union strikes for second day", "Where to eat in Lisbon right now",
    "Drop shipping: the side hustle that isn't", "Why the cast of Friends still gets paid millions",
]
SUBREDDITS = ["rust", "AskCulinary", "personalfinance", "de", "france", "programming", "travel", "buildapc", "sysadmin", "Cooking"]
TAGS = ["100DaysOfCode", "foodporn", "tbt", "rustlang", "London", "photography", "BlackLivesMatter", "WorldCup", "Caf%C3%A9", "%E6%9D%B1%E4%BA%AC"]
WIKI_TITLES = ["Caf%C3%A9", "%E6%9D%B1%E4%BA%AC", "Gr%C3%BC%C3%9Fe", "C%2B%2B", "AT%26T", "Grey%27s_Anatomy", "O'Reilly_Media",
               "Rock_and_roll", "S%C3%A3o_Paulo", "%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0", "Union_Station_(Los_Angeles)",
               "SQL", "Select_(SQL)", "Drop_shipping", "Rm_(Unix)", "Cat_(Unix)", "Bash_(Unix_shell)", "Echo_(command)",
               "Ren%C3%A9_Descartes", "Z%C3%BCrich", "Jalape%C3%B1o", "%C3%85lesund", "Pi%C3%B1a_colada", "Krak%C3%B3w",
               "%E0%A4%AE%E0%A5%81%E0%A4%82%E0%A4%AC%E0%A4%88", "%EC%84%9C%EC%9A%B8", "List_of_Rock_%27n%27_Roll_Hall_of_Fame_inductees",
               "Procter_%26_Gamble", "5%E2%80%B2_cap", "1%2C2-Dichloroethane", "Special:Search", "Help:Contents"]


def nslug(title):
    return slug(title)[:80]


def shop_page():
    p = pick(PRODUCTS)
    c = pick(["mens-shirts", "womens-shoes", "kitchen", "coffee", "sale", "new-arrivals", "home-office", "kids"])
    return pick([
        lambda: "/",
        lambda: f"/collections/{c}",
        lambda: f"/collections/{c}?page={R.randint(2, 9)}",
        lambda: f"/collections/{c}?filter.v.price.gte={R.randint(0, 20)}&filter.v.price.lte={R.randint(50, 300)}&filter.p.vendor={q(pick(['Acme', 'Northwind', 'Kettle & Cask']))}&sort_by={pick(['price-ascending', 'best-selling', 'created-descending'])}",
        lambda: f"/products/{nslug(p[0])}?variant={digits(14)}",
        lambda: f"/products/{nslug(p[0])}",
        lambda: f"/{nslug(p[0])}/dp/B0{alnum(8).upper()}?th=1&psc=1",
        lambda: f"/{nslug(p[0])}/dp/B0{alnum(8).upper()}/ref=sr_1_{R.randint(1, 20)}?crid={alnum(13).upper()}&dib={b64url(90)}&dib_tag=se&keywords={q(p[0].lower())}&qid={epoch()}&sprefix={q(p[0][:5].lower())}%2Caps%2C{R.randint(150, 300)}&sr=8-{R.randint(1, 20)}",
        lambda: f"/c/{c}?page=2&sort=price_asc&brand=acme&brand=northwind&size=M&size=L",
        lambda: "/cart",
        lambda: pick(["/checkout", "/checkout/shipping", "/checkout/payment?step=2", f"/checkouts/cn/{alnum(32)}?locale=en-DE"]),
        lambda: f"/account/orders/{R.randint(100000, 999999)}",
        lambda: f"/stores/near-me?lat={R.uniform(40, 52):.4f}&lng={R.uniform(-5, 14):.4f}&radius=25",
        lambda: f"/p/{nslug(p[0])}/{digits(7)}?cm_mmc=AFF-_-{alnum(6)}-_-{digits(6)}-_-{digits(5)}",
        lambda: f"/gift-cards?amount={pick([25, 50, 100])}&design=birthday",
        lambda: f"/wishlist/{uuid4()}",
        lambda: f"/compare?ids={','.join(digits(6) for _ in range(3))}",
    ])()


def news_page():
    h = pick(HEADLINES)
    return pick([
        lambda: f"/2024/{R.randint(4, 5):02d}/{R.randint(1, 28):02d}/{pick(['world/europe', 'us/politics', 'business', 'technology', 'arts/music', 'nyregion'])}/{nslug(h)}.html",
        lambda: f"/{pick(['politics', 'business', 'tech', 'culture', 'sport'])}/{nslug(h)}-{digits(8)}",
        lambda: f"/live/2024/apr/{R.randint(1, 30)}/{nslug(h)}",
        lambda: f"/opinion/{nslug(h)}",
        lambda: f"/section/{pick(['tech', 'world', 'science'])}?page={R.randint(2, 12)}",
        lambda: f"/authors/{nslug(pick(FIRST) + ' ' + pick(LAST))}",
        lambda: f"/amp/{nslug(h)}-{digits(8)}.amp",
        lambda: f"/video/{nslug(h)}-{digits(6)}?autoplay=1",
        lambda: f"/{nslug(h)}?comments=1&sort=newest",
        lambda: f"/{pick(['world', 'uk-news', 'business'])}/article/2024/apr/{R.randint(1, 30):02d}/{nslug(h)}",
        lambda: "/newsletters?ref=nav",
        lambda: f"/{nslug(h)}/?utm_source=twitter&utm_medium=social&utm_campaign=echobox&utm_content={nslug(h)[:20]}#Echobox={epoch()}",
    ])()


def social_page():
    return pick([
        lambda: f"/r/{pick(SUBREDDITS)}/comments/{alnum(7).lower()}/{nslug(pick(HEADLINES))[:50].replace('-', '_')}/",
        lambda: f"/r/{pick(SUBREDDITS)}/?f=flair_name%3A%22{q(pick(['Question', 'Help', 'Discussion', 'Recipe']))}%22",
        lambda: f"/r/{pick(SUBREDDITS)}/comments/{alnum(7).lower()}/comment/{alnum(7).lower()}/?utm_source=share&utm_medium=web3x&utm_name=web3xcss&utm_term=1&utm_content=share_button",
        lambda: f"/{pick(['nasa', 'rustlang', 'zoe_oconnor', 'dangelo.dev'])}/status/{digits(19)}?s=20&t={b64url(16)}",
        lambda: f"/hashtag/{pick(TAGS)}?src=hashtag_click&f=live",
        lambda: f"/explore/tags/{(lambda t: t if '%' in t else t.lower())(pick(TAGS))}/",
        lambda: f"/watch?v={b64url(8)[:11]}&t={R.randint(5, 900)}s",
        lambda: f"/watch?v={b64url(8)[:11]}&list=PL{b64url(24)[:32]}&index={R.randint(1, 30)}",
        lambda: f"/shorts/{b64url(8)[:11]}?feature=share",
        lambda: f"/p/{b64url(8)[:11]}/?igsh={b64url(24)}",
        lambda: f"/in/{nslug(pick(FIRST) + ' ' + pick(LAST))}-{hexs(8)}/?originalSubdomain={pick(['uk', 'de', 'fr', 'ie'])}",
        lambda: f"/feed/update/urn:li:activity:{digits(19)}/",
        lambda: f"/groups/{digits(15)}/permalink/{digits(16)}/?mibextid=Nif5oz",
        lambda: f"/@{pick(['zoe', 'dangelo', 'rust_lang', 'nytimes'])}/{digits(18)}",
    ])()


DOCS_PAGES = [
    "/en-US/docs/Web/JavaScript/Reference/Global_Objects/Array/map", "/en-US/docs/Web/HTTP/Headers/Content-Security-Policy",
    "/en-US/docs/Web/HTML/Element/select", "/en-US/docs/Web/API/Document/querySelectorAll", "/en-US/docs/Web/CSS/:has",
    "/docs/4.x/api.html", "/3/library/urllib.parse.html", "/3/library/subprocess.html", "/book/ch04-02-references-and-borrowing.html",
    "/std/vec/struct.Vec.html", "/std/iter/trait.Iterator.html", "/reference/android/content/Intent", "/docs/reference/kubectl/",
    "/docs/rules/no-unused-vars", "/en/20/core/tutorial.html?highlight=select", "/docs/current/sql-select.html",
    "/docs/current/queries-union.html", "/docs/current/sql-droptable.html", "/doc/refman/8.0/en/union.html",
    "/doc/refman/8.0/en/delete.html", "/sql/t-sql/statements/drop-table-transact-sql?view=sql-server-ver16",
    "/linux/man-pages/man1/cat.1.html", "/linux/man-pages/man1/rm.1.html", "/linux/man-pages/man1/ls.1.html",
    "/software/bash/manual/html_node/Shell-Parameter-Expansion.html", "/docs/en/latest/topics/db/queries/",
    "/questions/tagged/c%2B%2B?tab=Newest", "/questions/tagged/c%23?tab=Votes", "/questions/tagged/sql+union",
    "/questions/11227809/why-is-processing-a-sorted-array-faster-than-processing-an-unsorted-array",
    "/questions/927358/how-do-i-undo-the-most-recent-local-commits-in-git",
    "/questions/1720421/how-do-i-concatenate-two-lists-in-python", "/questions/503093/how-do-i-redirect-to-another-webpage",
    "/questions/6591213/how-can-i-rename-a-local-git-branch", "/questions/2003505/how-do-i-delete-a-git-branch-locally-and-remotely",
    "/v1.2/api/reference/", "/api/v3.1/docs/index.html", "/guide/v2.x/getting-started.html", "/docs/1.29.3/setup/",
    "/en/stable/user/quickstart/#passing-parameters-in-urls", "/wiki/Main_Page",
]


def docs_page():
    p = pick(DOCS_PAGES)
    if chance(0.2) and "?" not in p:
        p += pick(["?lang=en", "?retiredLocale=de", "?view=aspnetcore-8.0", "?tab=trending", "?rq=1"])
    return p


def saas_page():
    return pick([
        lambda: f"/projects/{R.randint(1, 900)}/settings/billing",
        lambda: f"/org/{pick(['acme', 'northwind', 'o-brien-co', 'zoe-labs'])}/teams?tab=members&role=admin",
        lambda: f"/d/{alnum(9)}/{pick(['service-overview', 'node-exporter-full', 'checkout-latency'])}?orgId=1&from=now-{pick(['6h', '24h', '7d'])}&to=now&var-env=prod&var-service={pick(['checkout', 'search', 'api'])}&refresh=30s",
        lambda: f"/d/{alnum(9)}/kubernetes?orgId=1&var-datasource=default&var-cluster=prod-eu&var-namespace=All&from={epoch_ms()}&to={epoch_ms()}&viewPanel={R.randint(2, 40)}",
        lambda: f"/logs?query={pq('service:checkout status:error -@http.status_code:404', safe='')}&cols=host%2Cservice&index=%2A&messageDisplay=inline&stream_sort=desc&viz=stream&from_ts={epoch_ms()}&to_ts={epoch_ms()}&live=true",
        lambda: f"/organizations/acme/issues/?project={digits(7)}&query={q('is:unresolved level:error')}&statsPeriod=14d&sort=freq",
        lambda: f"/browse/WEB-{R.randint(100, 5000)}?focusedCommentId={digits(6)}",
        lambda: f"/acme/web/pulls?q={q('is:pr is:open review-requested:@me')}",
        lambda: f"/acme/web/compare/v2.{R.randint(0, 9)}.0...v2.{R.randint(10, 19)}.0",
        lambda: f"/acme/web/commit/{hexs(40)}",
        lambda: f"/acme/web/actions/runs/{digits(10)}/job/{digits(11)}",
        lambda: f"/acme/web/tree/feature/union-types",
        lambda: f"/acme/web/blob/main/src/{pick(['lib.rs', 'select.ts', 'db/union.go', 'utils/shell.py'])}",
        lambda: f"/dashboard?range={day()}..{day(30)}&granularity=day&compare=previous_period",
        lambda: f"/settings/api-keys?created=1&key_id=key_{alnum(24)}",
        lambda: f"/invoices/in_{alnum(24)}/pdf?s=ap",
        lambda: f"/reports/revenue?group_by=country,plan&currency=EUR&from={day()}&to={day(30)}",
        lambda: "/app/home#/", lambda: "/inbox?folder=starred&label=Important",
    ])()


def bank_page():
    return pick([
        lambda: "/accounts/overview",
        lambda: f"/accounts/{digits(10)}/transactions?from=2024-01-01&to=2024-03-31&type={pick(['debit', 'credit', 'all'])}&minAmount=10.00&page={R.randint(1, 5)}",
        lambda: "/transfers/new?from=checking",
        lambda: f"/statements?year=2024&month={R.randint(1, 4):02d}&format=pdf",
        lambda: f"/cards/{digits(4)}/controls",
        lambda: f"/payees?search={q(pick(LAST))}",
        lambda: f"/secure/messages/{digits(8)}?folder=inbox",
        lambda: f"/mortgage/calculator?price=350000&deposit=35000&term=25&rate=4.19",
    ])()


HOTELS = ['Le Petit Paris', 'Hotel das Flores', 'Ryokan Sakura', "The O'Connell Inn", 'Hôtel du Café']


def travel_page():
    city = pick(["Paris", "Lisbon", "Saint-Germain-des-Prés, Paris", "Zürich", "Kraków", "São Paulo", "New York", "Tokyo", "Reykjavík"])
    d1, d2 = day(), day(7)
    return pick([
        lambda: f"/flights?from={pick(['LHR', 'JFK', 'CDG', 'FRA', 'DUB'])}&to={pick(['LIS', 'NRT', 'GRU', 'KRK', 'KEF'])}&depart={d1}&return={d2}&adults={R.randint(1, 3)}&children={R.randint(0, 2)}&cabin={pick(['economy', 'premium_economy', 'business'])}",
        lambda: f"/hotel/{pick(['fr', 'pt', 'jp'])}/{nslug(pick(HOTELS))}.html?checkin={d1}&checkout={d2}&group_adults=2&no_rooms=1&group_children=0&sb_price_type=total&type=total",
        lambda: f"/searchresults.html?ss={q(city)}&checkin={d1}&checkout={d2}&group_adults=2&no_rooms=1&nflt={q('price=EUR-min-150-1;class=4;review_score=80')}",
        lambda: f"/s/{pq(city.replace(', ', '--').replace(' ', '-'))}/homes?checkin={d1}&checkout={d2}&adults=2&children=1&price_min=50&price_max=200&amenities%5B%5D=4&amenities%5B%5D=8&search_type=filter_change&ne_lat={R.uniform(38.7, 38.8):.5f}&ne_lng={R.uniform(-9.1, -9.0):.5f}&sw_lat={R.uniform(38.6, 38.7):.5f}&sw_lng={R.uniform(-9.3, -9.2):.5f}&zoom=13",
        lambda: f"/trains/results?from={q('Paris Gare de Lyon')}&to={q('Lyon Part-Dieu')}&date={d1}&time=08%3A00&passengers=1&railcard=none",
        lambda: f"/maps/place/{q('Café de Flore')}/@48.8541,2.3326,17z/data=!3m1!4b1!4m6!3m5!1s0x47e671d7{hexs(8)}:0x{hexs(16)}!8m2!3d48.8541!4d2.3326!16s%2Fg%2F11{alnum(7).lower()}",
        lambda: f"/maps/dir/{q('Union Station, Washington, DC')}/{q('Reagan National Airport')}/@38.87,-77.03,13z",
        lambda: f"/car-rental/results?pickup={q(city)}&pickupDate={d1}T10%3A00&dropoffDate={d2}T10%3A00&driverAge=30",
        lambda: f"/booking/manage?ref={alnum(6).upper()}&lastName={q(pick(LAST))}",
    ])()


SITES = {
    "shop": (["www.northwind-outfitters.example", "shop.lumen-home.example", "www.kettle-and-cask.example", "www.bigbox-retail.example"], shop_page),
    "news": (["www.daily-ledger.example", "news.harbour-times.example", "www.metro-tribune.example"], news_page),
    "social": (["www.reddit-like.example", "x-like.example", "www.videotube.example", "www.photogram.example", "www.proflink.example"], social_page),
    "docs": (["developer.webdocs.example", "docs.python-like.example", "doc.rust-like.example", "stackqa.example", "www.postgres-like.example", "man.linux-docs.example"], docs_page),
    "saas": (["app.metricly.example", "grafana.internal.acme.example", "app.logwatch.example", "sentry.acme.example", "jira.acme.example", "code.acme.example"], saas_page),
    "bank": (["online.banca-aurora.example", "secure.firstcoastbank.example"], bank_page),
    "travel": (["www.skyward-air.example", "www.stayfinder.example", "www.railway-tickets.example", "maps.globe.example"], travel_page),
}
SITE_WEIGHTS = {"shop": 26, "news": 16, "social": 14, "docs": 14, "saas": 12, "bank": 6, "travel": 12}

EXTERNAL_REFERERS = [
    "https://www.google.com/", "https://www.google.co.uk/", "https://www.google.de/", "https://www.bing.com/",
    "https://duckduckgo.com/", "https://search.yahoo.com/", "https://t.co/", "https://l.facebook.com/",
    "https://lm.facebook.com/", "https://www.linkedin.com/", "https://news.ycombinator.com/", "https://www.reddit.com/",
    "android-app://com.google.android.gm/", "android-app://com.google.android.googlequicksearchbox/",
    "https://out.reddit.com/", "https://away.vk.com/", "https://www.instagram.com/", "https://statics.teams.cdn.office.net/",
]


def ip4():
    return pick([f"192.0.2.{R.randint(1, 254)}", f"198.51.100.{R.randint(1, 254)}", f"203.0.113.{R.randint(1, 254)}"])


def ip6():
    return f"2001:db8:{hexs(4)}:{hexs(4)}::{hexs(3)}"


def edge_headers():
    """Headers a CDN or load balancer in front of the origin adds (or none)."""
    client = ip4() if chance(0.8) else ip6()
    k = R.randrange(7)
    if k == 0:
        return [["CF-Connecting-IP", client], ["CF-IPCountry", pick(["DE", "US", "GB", "FR", "JP", "BR"])],
                ["CF-RAY", f"{hexs(16)}-{pick(['FRA', 'LHR', 'CDG', 'IAD', 'NRT', 'GRU'])}"], ["CF-Visitor", '{"scheme":"https"}'],
                ["X-Forwarded-For", client], ["X-Forwarded-Proto", "https"], ["CDN-Loop", "cloudflare"]]
    if k == 1:
        return [["True-Client-IP", client], ["Akamai-Origin-Hop", "2"], ["Via", "1.1 v1-akamaitech.net(ghost) (AkamaiGHost), 1.1 akamai.net(ghost) (AkamaiGHost)"],
                ["X-Akamai-Config-Log-Detail", "true"], ["X-Forwarded-For", f"{client}, {ip4()}"]]
    if k == 2:
        return [["Fastly-Client-IP", client], ["Fastly-SSL", "1"], ["Fastly-FF", f"{b64(20)}!FRA!cache-fra-etou{R.randint(8000, 8999)}-FRA"],
                ["X-Forwarded-For", client], ["X-Varnish", digits(9)]]
    if k == 3:
        return [["Via", f"2.0 {hexs(32)}.cloudfront.net (CloudFront)"], ["X-Amz-Cf-Id", b64url(42) + "=="],
                ["CloudFront-Viewer-Country", pick(["US", "IE", "IN"])], ["CloudFront-Is-Mobile-Viewer", "false"],
                ["X-Forwarded-For", f"{client}, {ip4()}"]]
    if k == 4:
        return [["X-Forwarded-For", client], ["X-Forwarded-Proto", "https"], ["X-Forwarded-Port", "443"],
                ["X-Amzn-Trace-Id", f"Root=1-{hexs(8)}-{hexs(24)}"]]
    if k == 5:
        return [["Forwarded", f'for="{client if ":" not in client else "[" + client + "]"}";proto=https'], ["X-Request-ID", uuid4()],
                ["traceparent", f"00-{hexs(32)}-{hexs(16)}-01"]]
    return []


def gen_navigation(n):
    def make():
        kind = R.choices(list(SITE_WEIGHTS), weights=list(SITE_WEIGHTS.values()))[0]
        hosts, page = SITES[kind]
        host, b, path = pick(hosts), Browser(), page()
        r = R.random()
        if r < 0.22:
            referer, site = None, "none"
        elif r < 0.45:
            referer, site = pick(EXTERNAL_REFERERS), "cross-site"
        elif r < 0.5:
            referer, site = f"https://{pick(['www', 'blog', 'help'])}.{host.split('.', 1)[1]}/", "same-site"
        else:
            referer, site = f"https://{host}{page()}", "same-origin"
        logged = True if kind in ("saas", "bank") else None
        cookie = None if site == "none" and chance(0.4) else cookie_header(kind, logged_in=logged)
        hdrs = b.headers(host, "navigate", referer, site, cookie, user=site != "none" or chance(0.5))
        hdrs += edge_headers() if chance(0.35) else []
        return C.add("browser.jsonl", "browser-navigation", f"{b.label} opens a {kind} page", "GET", path, hdrs)

    fill(n, make)


def gen_marketing(n):
    def make():
        kind = pick(["shop", "shop", "news", "saas", "travel"])
        hosts, page = SITES[kind]
        host, b = pick(hosts), Browser()
        path = page().split("?")[0]
        campaign = pick(["spring_sale_2024", "Black Friday", "newsletter-0415", "brand|exact|uk", "retargeting_30d", "Q2 Launch – EMEA"])
        params = []
        k = R.randrange(6)
        if k <= 1:
            params += [("utm_source", pick(["google", "newsletter", "facebook", "instagram", "tiktok", "linkedin", "bing"])),
                       ("utm_medium", pick(["cpc", "email", "social", "paid_social", "display", "affiliate"])),
                       ("utm_campaign", campaign)]
            if chance(0.6):
                params.append(("utm_content", pick(["hero-banner", "cta_button", "carousel 3", "text link"])))
            if chance(0.4):
                params.append(("utm_term", pick(["running shoes", "o'reilly books", "cheap flights lisbon", "crm software"])))
        if k == 0 or k == 2:
            params.append(("gclid", "Cj0KCQjw" + b64url(80)))
            if chance(0.5):
                params.append(("gad_source", "1"))
        if k == 3:
            params.append(("fbclid", "IwAR" + b64url(45)))
            if chance(0.5):
                params.append(("mibextid", "Zxz2cZ"))
        if k == 4:
            params += [("mc_cid", hexs(10)), ("mc_eid", hexs(10))] if chance(0.5) else [("_hsenc", "p2ANqtz-" + b64url(60)), ("_hsmi", digits(9))]
        if k == 5:
            params.append(pick([("msclkid", hexs(32)), ("ttclid", "E.C.P." + b64url(80)), ("twclid", alnum(25)),
                                ("srsltid", "AfmBOo" + b64url(45)), ("li_fat_id", uuid4()), ("wbraid", "Cj8KCQjw" + b64url(60))]))
        if chance(0.2):
            ga = f"1*{alnum(6).lower()}*_ga*{b64url_of(f'{digits(9)}.{epoch()}'.encode())}*_ga_{alnum(10).upper()}*{b64url_of(f'{epoch()}.1.1.{epoch()}.0.0.0'.encode())}.."
            params.append(("_gl", ga))
        if chance(0.2):
            params.append(("ref", pick(["producthunt", "hn", "twitter"])))
        uri = path + "?" + "&".join(f"{k}={q(v).replace('%2A', '*')}" for k, v in params)
        referer = pick(["https://www.google.com/", "https://l.facebook.com/", "https://t.co/", None, "https://mail.google.com/", "https://www.instagram.com/"])
        hdrs = b.headers(host, "navigate", referer, "cross-site" if referer else "none", cookie_header(kind) if chance(0.5) else None)
        return C.add("browser.jsonl", "marketing-landing", f"{b.label} lands from a campaign link", "GET", uri, hdrs)

    fill(n, make)


ASSET_HOSTS = ["cdn.northwind-outfitters.example", "static.daily-ledger.example", "assets.metricly.example", "www.kettle-and-cask.example",
               "img.stayfinder.example", "res.cloudinary-like.example", "images.unsplash-like.example", "blog.greenleaf-gardens.example"]


def asset_path():
    build = alnum(21)
    return pick([
        lambda: ("script", f"/static/js/main.{hexs(8)}.js"), lambda: ("script", f"/assets/index-{b64url(6)}.js"),
        lambda: ("script", f"/_next/static/chunks/pages/_app-{hexs(16)}.js"), lambda: ("style", f"/_next/static/css/{hexs(16)}.css"),
        lambda: ("script", f"/_next/static/{build}/_buildManifest.js"),
        lambda: ("image", f"/_next/image?url={pq('/images/' + pick(['hero.jpg', 'products/linen-shirt.webp', 'team/zoë.png']), safe='')}&w={pick([640, 828, 1080, 1920])}&q=75"),
        lambda: ("empty", f"/_next/data/{build}/en/products/{nslug(pick(PRODUCTS)[0])}.json?slug={nslug(pick(PRODUCTS)[0])}"),
        lambda: ("font", f"/fonts/Inter-var.woff2?v=3.19"), lambda: ("font", f"/fonts/{pick(['Roboto-Regular', 'NotoSansJP-Medium', 'SourceCodePro'])}.woff2"),
        lambda: ("style", f"/wp-content/themes/astra/assets/css/minified/main.min.css?ver=4.6.{R.randint(1, 12)}"),
        lambda: ("script", f"/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"),
        lambda: ("script", f"/wp-content/plugins/woocommerce/assets/js/frontend/cart-fragments.min.js?ver=8.7.0"),
        lambda: ("image", f"/wp-content/uploads/2024/0{R.randint(1, 5)}/{pick(['IMG_2041', 'tomatoes-in-pots', 'cafe-de-flore', 'header'])}-{pick(['1024x683', '300x200', '768x512'])}.jpg"),
        lambda: ("image", f"/cdn/shop/files/IMG_{R.randint(1000, 9999)}.jpg?v={epoch()}&width={pick([360, 533, 800, 1500])}"),
        lambda: ("style", f"/cdn/shop/t/{R.randint(2, 40)}/assets/base.css?v={digits(19)}"),
        lambda: ("image", f"/image/upload/c_fill,w_{pick([400, 800])},h_{pick([300, 600])},q_auto,f_auto/v{digits(10)}/products/{nslug(pick(PRODUCTS)[0])}.jpg"),
        lambda: ("image", f"/photo-{digits(13)}-{hexs(12)}?ixlib=rb-4.0.3&ixid={b64url(30)}&auto=format&fit=crop&w=1200&q=80"),
        lambda: ("image", "/img/logo.svg"), lambda: ("image", "/favicon-32x32.png"), lambda: ("image", "/apple-touch-icon-precomposed.png"),
        lambda: ("manifest", "/site.webmanifest"), lambda: ("script", "/sw.js"),
        lambda: ("image", f"/static/media/logo.{hexs(32)}.svg"),
        lambda: ("style", f"/bundles/site.css?v={b64url(32)}"), lambda: ("style", f"/assets/application-{hexs(64)}.css"),
        lambda: ("script", f"/build/assets/app-{alnum(8)}.js"), lambda: ("script", f"/js/app.js?id={hexs(32)}"),
        lambda: ("image", f"/sites/default/files/styles/large/public/2024-0{R.randint(1, 4)}/{pick(['photo', 'park-opening', 'council_meeting'])}.jpg?itok={b64url(6)}"),
        lambda: ("script", f"/core/misc/drupal.js?v=10.2.{R.randint(1, 6)}"), lambda: ("script", f"/modules/contrib/webform/js/webform.element.select2.js?sbx{alnum(4).lower()}"),
        lambda: ("image", f"/vi/{b64url(8)[:11]}/hqdefault.jpg?sqp=-oaymwEcCOADEI4CSFXyq4qpAw4IARUAAIhCGAFwAcABBg==&rs={b64url(24)}"),
        lambda: ("image", f"/v1/image/{uuid4()}.avif?width=480&format=avif&quality=70&crop=16:9"),
        lambda: ("script", f"/gtag/js?id=G-{alnum(10).upper()}"), lambda: ("script", f"/gtm.js?id=GTM-{alnum(7).upper()}&l=dataLayer"),
        lambda: ("style", f"/css2?family={q('Inter:wght@400;600;700')}&family={q('Noto Serif JP')}&display=swap"),
        lambda: ("image", f"/emoji/v2/svg/{pick(['1f600', '2764', '1f1e7-1f1f7'])}.svg"),
        lambda: ("script", f"/v3/?v={alnum(8)}"), lambda: ("style", f"/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css"),
        lambda: ("script", f"/npm/@popperjs/core@2.11.8/dist/umd/popper.min.js"), lambda: ("script", f"/ajax/libs/jquery/3.7.1/jquery.min.js"),
    ])()


def gen_static(n):
    def make():
        host, b = pick(ASSET_HOSTS), Browser()
        dest, path = asset_path()
        page_host = host.replace("cdn.", "www.").replace("static.", "www.").replace("assets.", "app.")
        referer = f"https://{page_host}{pick(['/', shop_page(), news_page()])}"
        extra = []
        if chance(0.2):
            extra.append(["If-None-Match", pick([f'W/"{hexs(4)}-{b64url(20)}"', f'"{hexs(32)}"', f'"{hexs(8)}-{hexs(13)}"'])])
        if chance(0.1):
            extra.append(["If-Modified-Since", pick(["Mon, 15 Apr 2024 08:12:33 GMT", "Tue, 02 Apr 2024 17:00:01 GMT"])])
        kind = "xhr" if dest in ("empty", "manifest") else "asset-" + dest
        hdrs = b.headers(host, kind, referer, "same-site" if host != page_host else "same-origin",
                         cookie_header("shop", logged_in=False) if host == page_host and chance(0.4) else None, extra)
        return C.add("static.jsonl", "static-asset", f"{b.label} fetches a {dest} asset", "GET", path, hdrs)

    fill(n, make)


# --------------------------------------------------------------------------
# Search.

SEARCH_TERMS = [
    # The punctuation and technical words people really type.
    "select", "union station", "union station parking", "drop shipping", "drop shipping business ideas", "bash script tutorial",
    "rm -rf meaning", "O'Reilly books", "Grey's Anatomy", "grey's anatomy season 20", "rock 'n' roll", "rock 'n' roll hall of fame tickets",
    "5' 11\" height", "5' 11\" in cm", "a+b=c", "1=1 meaning", "what does 1=1 mean in math", "select distinct vs group by",
    "sql union vs union all", "sql where clause", "order by desc", "drop table if exists", "mysql delete from where",
    "insert into select", "update set where join", "left join vs inner join", "union select tutorial w3", "sql injection explained",
    "what is an exec summary", "exec summary template", "echo command linux", "echo dot 5th gen", "cat 5e vs cat 6 cable",
    "cat food for kidney disease", "ls -la explained", "chmod 755 meaning", "sudo apt update", "curl vs wget", "grep recursive",
    "kill -9 process", "what does && mean in bash", "| pipe symbol keyboard", "c++ vector push_back", "c# async await",
    "c# linq where select", "f# vs ocaml", "node.js fetch post json", ".net 8 minimal api", "python if __name__ == \"__main__\"",
    "javascript alert box", "script writing course", "alert tone iphone", "drop earrings gold", "exec chair ergonomic",
    "AT&T outage today", "H&M returns policy", "M&M's costco", "Ben & Jerry's flavors", "procter & gamble stock",
    "r&b playlist 90s", "#100DaysOfCode", "#blacklivesmatter", "@nasa", "50% off coupon", "$5 footlong", "what is 2^10",
    "x < y", "5 > 3 symbol", "<br> vs <br/>", "html <table> example", "don't stop believin' lyrics", "it's a wonderful life cast",
    "l'oréal paris", "macy's black friday", "children's tylenol dosage", "women's world cup 2023", "what's my ip",
    "how to say 'thank you' in japanese", "\"exact phrase\" search", "site:github.com rust wasm", "filetype:pdf tax form 1040",
    "jaguar -car speed", "iphone 15 vs 15 pro", "who won the game last night", "election 2024 results", "mom's meatloaf recipe",
    "10% of 250", "√2", "π to 100 digits", "350 °F to °C", "€100 in $", "£ to ¥", "1/2 cup in grams", "20' shipping container dimensions",
    "6'2\" in cm", "2x4 8' lumber price", "27\" monitor 4k", "1/2\" drill bit", "men's shoes size 10 1/2", "kids' rain boots",
    "O'Connor surname origin", "D'Angelo Brown Sugar", "McDonald's breakfast hours", "Dunkin' donuts near me", "Levi's 501",
    "weather tomorrow", "best pizza near me", "how to tie a tie", "python list comprehension", "rust borrow checker explained",
    "1 + 1", "e=mc^2", "what is 0.1+0.2", "100 usd to eur", "time in tokyo", "flights to lisbon", "cheap hotels paris",
    "union of sets symbol", "european union members", "credit union near me", "where is the eiffel tower", "from A to B",
    "where to watch dune 2", "from dusk till dawn cast", "select comfort mattress", "select all shortcut mac", "drop down menu css",
    "how to drop a class", "ctrl+alt+del", "alt+f4", "~/ meaning linux", "%appdata% folder", "C:\\Users\\ folder missing",
    "nginx location /api/", "why is my wifi slow?!", "is it 'who' or 'whom'",
    # Languages other than English.
    "dónde comprar café de Colombia", "¿qué hora es en Madrid?", "recette crème brûlée facile", "l'état de l'art définition",
    "météo Saint-Étienne", "Öffnungszeiten Bäckerei Müller", "Straßensperrung A7 heute", "größe 42 schuhe in us",
    "promoção de passagens aéreas", "não consigo entrar na conta", "ricetta carbonara originale", "dov'è il Colosseo",
    "fietsen kopen Utrecht", "pogoda Łódź", "İstanbul hava durumu", "şarkı sözleri", "погода в Москве", "как выучить английский",
    "новини України", "καιρός Αθήνα", "أفضل مطعم في دبي", "מזג אוויר תל אביב", "आज का मौसम", "ঢাকা আবহাওয়া", "北京 天气",
    "如何学习编程", "東京 ラーメン おすすめ", "天気予報 大阪", "서울 맛집 추천", "ร้านอาหารใกล้ฉัน", "phở bò Hà Nội",
    "resep nasi goreng", "habari za leo", "Zürich Hauptbahnhof Abfahrt", "Kraków co zobaczyć", "São Paulo restaurantes",
    # Emoji.
    "🍕 near me", "❤️ emoji meaning", "😂 vs 🤣", "🇯🇵 travel tips", "best ☕ in town", "🎸 lessons for beginners",
]

SEARCH_ENGINES = ["www.search-engine.example", "www.bing-like.example", "duck.search.example", "search.yahoo-like.example"]


def search_uri(term):
    k = R.randrange(14)
    if k == 0:
        return "www.search-engine.example", f"/search?q={q(term)}&oq={q(term[:max(1, len(term) - 3)])}&gs_lcrp={b64url(60)}&sourceid=chrome&ie=UTF-8"
    if k == 1:
        return "www.search-engine.example", f"/search?q={q(term)}&sca_esv={hexs(16)}&sxsrf=ACQVn0{b64url(30)}%3A{epoch_ms()}&source=hp&ei={b64url(16)}&iflsig=ANes7D{b64url(24)}&ved=0ahUKEwj{b64url(24)}&uact=5&oq={q(term)}&gs_lp={b64url(80)}&sclient=gws-wiz"
    if k == 2:
        return "www.search-engine.example", f"/search?q={q(term)}&tbm=isch&source=lnms&sa=X&ved=2ahUKEwj{b64url(24)}&biw=1440&bih=789&dpr=2"
    if k == 3:
        return "www.bing-like.example", f"/search?q={q(term)}&form=QBLH&sp=-1&ghc=1&lq=0&pq={q(term.lower())}&sc=10-{len(term)}&qs=n&sk=&cvid={hexs(32).upper()}&ghsh=0&ghacc=0&ghpl="
    if k == 4:
        return "duck.search.example", f"/?q={q(term)}&t=h_&ia=web"
    if k == 5:
        return "www.bigbox-retail.example", f"/s?k={q(term)}&crid={alnum(13).upper()}&sprefix={q(term[:4])}%2Caps%2C{R.randint(100, 400)}&ref=nb_sb_noss_{R.randint(1, 2)}"
    if k == 6:
        return "www.auction-market.example", f"/sch/i.html?_from=R40&_trksid=p2334524.m570.l1313&_nkw={q(term)}&_sacat=0"
    if k == 7:
        return "www.videotube.example", f"/results?search_query={q(term)}"
    if k == 8:
        return "en.wiki.example", f"/w/index.php?search={q(term)}&title=Special%3ASearch&profile=advanced&fulltext=1&ns0=1"
    if k == 9:
        return "stackqa.example", f"/search?q={q(term)}"
    if k == 10:
        return "code.acme.example", f"/search?q={q(term)}&type={pick(['repositories', 'code', 'issues'])}"
    if k == 11:
        return "blog.greenleaf-gardens.example", f"/?s={q(term)}"
    if k == 12:
        return "www.northwind-outfitters.example", f"/search?q={q(term)}&options%5Bprefix%5D=last&type=product"
    return "www.search-engine.example", f"/complete/search?client=chrome-omni&gs_ri=chrome-ext-ansg&xssi=t&q={q(term)}&oit=1&cp={len(term)}&pgcl=7&gs_rn=42&psi={b64url(12)}&sugkey={alnum(39)}"


def gen_search(n):
    def make():
        term = pick(SEARCH_TERMS)
        host, uri = search_uri(term)
        b = Browser()
        nav = "/complete/" not in uri
        hdrs = b.headers(host, "navigate" if nav else "xhr", f"https://{host}/" if chance(0.6) else None,
                         "same-origin" if chance(0.7) else "none", cookie_header("news") if chance(0.5) else None)
        return C.add("search.jsonl", "search", f"{b.label} searches for {term!r}", "GET", uri, hdrs)

    fill(n, make)
    # Every listed term at least once, on a plain search endpoint.
    for term in SEARCH_TERMS:
        b = Browser()
        C.add("search.jsonl", "search", f"{b.label} searches for {term!r}", "GET", f"/search?q={q(term)}",
              b.headers("www.search-engine.example", "navigate", "https://www.search-engine.example/", "same-origin", None))


# --------------------------------------------------------------------------
# API clients (browser XHR, mobile apps, servers).

APP_UAS = [
    "okhttp/4.12.0", "okhttp/3.14.9", "Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230805.001)",
    "Northwind/5.12.0 (iPhone; iOS 17.4.1; Scale/3.00)", "Northwind/5.12.0 (com.northwind.shop; build:5120; Android 14) okhttp/4.12.0",
    "StayFinder/2024.15.1 CFNetwork/1494.0.7 Darwin/23.4.0", "Metricly/3.8.2 (Macintosh; OS X 14.4.1) Electron/29.1.4",
    "Aurora Bank/7.3.0 (iPhone14,5; iOS 17.3.1)", "Skyward/10.2.0 (Android 12; SM-G991B)", "Dart/3.3 (dart:io)",
    "ReactNative/0.73 okhttp/4.9.2", "HarbourTimes/6.1 (iPad; iPadOS 17.4; Scale/2.00)",
]
SERVER_UAS = [
    "python-requests/2.31.0", "python-httpx/0.27.0", "Go-http-client/2.0", "Go-http-client/1.1", "axios/1.6.8", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "undici", "curl/8.5.0", "curl/7.81.0", "PostmanRuntime/7.37.3", "Java-http-client/17.0.10", "Apache-HttpClient/4.5.14 (Java/17.0.10)",
    "Ruby", "Faraday v2.9.0", "Guzzle/7 (+https://github.com/guzzle/guzzle)", "RestSharp/110.2.0.0", "aws-sdk-js/3.556.0",
    "Stripe/v1 PythonBindings/9.1.0", "insomnia/8.6.1", "HTTPie/3.2.2",
]

API_HOSTS = ["api.northwind-outfitters.example", "api.metricly.example", "api.stayfinder.example", "api.harbour-times.example",
             "api.banca-aurora.example", "graph.acme.example", "cms.acme.example", "api.shipfast.example"]


def api_headers(host, style=None, auth=True, content_type=None, accept="application/json", extra=()):
    style = style or pick(["browser", "browser", "browser", "app", "app", "server"])
    if style == "browser":
        b = Browser()
        origin = "https://" + host.replace("api.", "www.").replace("graph.", "app.").replace("cms.", "www.")
        ext = []
        if content_type:
            ext.append(["Content-Type", content_type])
        if auth:
            ext.append(["Authorization", f"Bearer {user_jwt()}"] if chance(0.7) else ["X-CSRF-Token", csrf()])
        if chance(0.3):
            ext.append(["X-Requested-With", "XMLHttpRequest"])
        ext += [list(e) for e in extra]
        ext.append(["Origin", origin])
        if chance(0.3):
            ext.append(["traceparent", f"00-{hexs(32)}-{hexs(16)}-01"])
        return b.headers(host, "xhr", origin + "/", "same-site", cookie_header("saas", logged_in=False) if chance(0.25) else None,
                         ext, accept=accept)
    h = [["Host", host]]
    if style == "app":
        h += [["User-Agent", pick(APP_UAS)], ["Accept", accept], ["Accept-Language", pick(["en-US", "de-DE", "fr-FR;q=1.0, en-US;q=0.9", "ja-JP"])],
              ["Accept-Encoding", pick(["gzip", "gzip, deflate, br"])]]
        if chance(0.5):
            h += [["X-App-Version", pick(["5.12.0", "2024.15.1", "7.3.0"])], ["X-Device-Id", uuid4().upper()],
                  ["X-Platform", pick(["ios", "android"])]]
    else:
        h += [["User-Agent", pick(SERVER_UAS)], ["Accept", accept if chance(0.8) else "*/*"], ["Accept-Encoding", "gzip, deflate"]]
        if chance(0.3):
            h.append(["Connection", "keep-alive"])
    if content_type:
        h.append(["Content-Type", content_type])
    if auth:
        h.append(pick([["Authorization", f"Bearer {user_jwt()}"], ["Authorization", f"Bearer {pick(['sk_live_', 'pat_', 'ghp_', 'xoxb-'])}{alnum(36)}"],
                       ["X-API-Key", alnum(40)], ["Authorization", "Basic " + base64.b64encode(f"{pick(['api', 'svc-report'])}:{alnum(24)}".encode()).decode()]]))
    if chance(0.3):
        h.append(["X-Request-ID", uuid4()])
    if chance(0.2):
        h.append(["Idempotency-Key", uuid4()])
    h += [list(e) for e in extra]
    return h


def api_query():
    r = pick([
        lambda: f"/v1/products?page={R.randint(1, 40)}&per_page={pick([20, 50, 100])}",
        lambda: f"/v2/orders?offset={R.randint(0, 20) * 25}&limit=25&status=active,pending",
        lambda: f"/api/v1/items?cursor={b64url_of({'id': R.randint(1000, 99999), 'ts': epoch()})}&limit=50",
        lambda: f"/api/articles?page[number]={R.randint(1, 9)}&page[size]=20&include=author,comments.author&fields[articles]=title,body,created&sort=-created_at,title",
        lambda: f"/api/products?filter[price][gte]={R.randint(1, 20)}&filter[price][lte]={R.randint(50, 300)}&filter[brand][]=acme&filter[brand][]=northwind&sort=-rating,price",
        lambda: "/api/products?" + pq(f"filter[price][gte]={R.randint(1, 20)}&filter[category]=shoes&filter[size][in]=42,43", safe="=&,"),
        lambda: "/api/users?" + "&".join(f"ids[]={R.randint(1, 9999)}" for _ in range(R.randint(2, 6))),
        lambda: "/api/users?" + "&".join(f"ids%5B%5D={R.randint(1, 9999)}" for _ in range(R.randint(2, 6))),
        lambda: f"/v1/customers?sort=-created_at,name&fields=id,name,email,created_at&limit=100",
        lambda: f"/search/products?q={pq(LUCENE_Q, safe='')}&rows=24&start=0",
        lambda: f"/solr/catalog/select?q={q('title:(rust OR go) -draft:true')}&fq={q('category:books')}&fl=id,title,score&wt=json&rows=10",
        lambda: f"/v1/events?from={day()}&to={day(30)}&tz={q('Europe/Paris')}",
        lambda: f"/api/metrics?start_date={day()}T00:00:00%2B02:00&end_date={day(14)}T23:59:59%2B02:00&interval=1h&metrics[]=cpu&metrics[]=memory",
        lambda: f"/v1/charges?created[gte]={epoch()}&created[lt]={epoch() + 86400 * 30}&limit=100&expand[]=data.customer",
        lambda: f"/api/stores?lat={R.uniform(-40, 60):.6f}&lng={R.uniform(-120, 140):.6f}&radius=5000&unit=m",
        lambda: f"/api/places/nearby?near={R.uniform(40, 50):.4f},{R.uniform(-5, 20):.4f}&bbox=-0.489,51.28,0.236,51.686&types=cafe|bakery",
        lambda: f"/api/tickets?filter={pq(json.dumps({'status': ['open', 'pending'], 'assignee': 'me'}, separators=(',', ':')), safe='')}",
        lambda: f"/parse/classes/GameScore?where={pq(json.dumps({'playerName': pick(PARSE_NAMES), 'cheatMode': False}, separators=(',', ':')), safe='')}&limit=10&order=-score",
        lambda: f"/graphql?operationName=ProductQuery&variables={pq(json.dumps({'handle': nslug(pick(PRODUCTS)[0])}, separators=(',', ':')), safe='')}&extensions={pq(json.dumps({'persistedQuery': {'version': 1, 'sha256Hash': hexs(64)}}, separators=(',', ':')), safe='')}",
        lambda: f"/api/export?token={b64url_of({'uid': R.randint(1, 9999), 'exp': epoch()})}.{b64url(32)}&format=csv",
        lambda: f"/api/reports?data={base64.b64encode(json.dumps({'range': '30d', 'group': ['country', 'plan']}).encode()).decode().replace('=', '%3D')}",
        lambda: f"/api/articles?filters[slug][$eq]={nslug(pick(HEADLINES))}&populate=*",
        lambda: f"/api/restaurants?filters[name][$containsi]={q(pick(['café', 'pizza', 'sushi']))}&sort[0]=name:asc&pagination[page]=1&pagination[pageSize]=10",
        lambda: f"/rest/api/3/search?jql={pq(pick(JQL), safe='')}&maxResults=50&fields=summary,status,assignee",
        lambda: f"/v1.0/me/messages?$filter={pq(pick(ODATA), safe='')}&$select=subject,from,receivedDateTime&$top=25&$orderby=receivedDateTime%20desc",
        lambda: f"/odata/Products?$filter={pq('Price gt 20 and Category eq ' + chr(39) + 'Books' + chr(39), safe='')}&$select=Name,Price&$top=10&$skip=20&$expand=Supplier",
        lambda: f"/repos/acme/web/issues?state=open&labels=bug,{q('good first issue')}&sort=updated&direction=desc&per_page=100&page={R.randint(1, 5)}",
        lambda: f"/search/issues?q={q(pick(GH_QUERIES))}",
        lambda: f"/ghost/api/admin/posts/?filter={q(pick(['status:published', 'tag:[news,features]+published_at:>' + chr(39) + '2024-01-01' + chr(39), 'featured:true']))}&limit=15&order={q('published_at desc')}&formats=mobiledoc,lexical",
        lambda: f"/wp-json/wp/v2/posts?search={q(pick(SEARCH_TERMS))}&per_page=10&_embed=1&_fields=id,title,link",
        lambda: f"/api/v2/flights/offers?originLocationCode=LHR&destinationLocationCode=JFK&departureDate={day()}&adults=1&nonStop=true&currencyCode=GBP&max=50",
        lambda: f"/api/accounts/{digits(10)}/transactions?from=2024-01-01&to=2024-03-31&type=debit&minAmount=10.00&category={q('Food & Drink')}&page=2",
        lambda: f"/api/v1/autocomplete?q={q(pick(SEARCH_TERMS)[:6])}&locale={pick(['en_US', 'de_DE', 'fr_FR'])}&limit=8",
        lambda: f"/v1.2/api/status?verbose=true", lambda: f"/api/v3.1/users/me?fields=id,name,avatar_url",
        lambda: f"/api/translations/{pick(['de', 'fr', 'pt-BR', 'zh-Hans'])}.json?v={hexs(8)}",
        lambda: f"/api/orders/{R.randint(10000, 99999)}/shipments?expand=tracking_events&tracking_number=1Z{alnum(16).upper()}",
        lambda: f"/api/v1/query_range?query={pq(pick(PROMQL), safe='')}&start={epoch()}&end={epoch() + 3600}&step=15s",
        lambda: f"/api/search?q={pq(LOG_Q, safe='')}&from=now-1h&size=100",
        lambda: f"/maps/api/geocode/json?address={q(pick(ADDRESSES)[0] + ', ' + pick(ADDRESSES)[2])}&key=AIza{b64url(26)[:35]}",
        lambda: f"/api/feed?since_id={digits(18)}&count=20&include_entities=true&tweet_mode=extended",
    ])
    return r()


LUCENE_Q = 'price:[10 TO 100] AND brand:"Acme"'
LOG_Q = 'level:error AND message:"connection refused"'
PARSE_NAMES = ["Sean Plott", "Zoë O’Brien"]
JQL = ['project = WEB AND status in ("In Progress", "To Do") ORDER BY created DESC',
       "assignee = currentUser() AND resolution = Unresolved ORDER BY priority DESC, updated DESC",
       'project = OPS AND summary ~ "login page" AND labels = frontend',
       'sprint in openSprints() AND issuetype = Bug AND "Story Points" > 3',
       "reporter = 'siobhan.obrien' AND created >= -14d"]
ODATA = ["from/emailAddress/address eq 'dangelo@acme-corp.example'", "startswith(displayName,'J') and accountEnabled eq true",
         "receivedDateTime ge 2024-04-01T00:00:00Z and importance eq 'high'", "contains(subject,'O''Brien invoice')"]
GH_QUERIES = ["is:pr is:open author:@me", "repo:rust-lang/rust label:\"C-bug\" created:>2024-01-01", "is:issue is:open \"select all\" in:title",
              "org:acme language:TypeScript union types", "created:2024-01-01..2024-03-31 is:merged"]
PROMQL = ['sum(rate(http_requests_total{job="api",status=~"5.."}[5m])) by (route)',
          'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m])))',
          'up{job=~"node|kube-state-metrics"} == 0', 'avg_over_time(node_load1{instance="10.0.3.14:9100"}[10m]) > 4']


def gen_api_query(n):
    def make():
        host = pick(API_HOSTS)
        uri = api_query()
        return C.add("api.jsonl", "api-query", "API list/search request", "GET", uri, api_headers(host))

    fill(n, make)


# --------------------------------------------------------------------------
# OAuth / OIDC / SAML, redirects after login.

APPS = ["https://app.metricly.example", "https://www.northwind-outfitters.example", "https://support.shipfast.example",
        "https://dashboard.acme.example", "http://localhost:3000", "https://app.acme.example:8443"]
IDPS = ["auth.acme.example", "login.shipfast.example", "accounts.identity.example", "sso.metricly.example"]


def pkce():
    verifier = b64url(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def deflate_b64(xml):
    raw = zlib.compress(xml.encode())[2:-4]
    return base64.b64encode(raw).decode()


def saml_authn_request(acs):
    return (f'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="_{hexs(40)}" Version="2.0" IssueInstant="{iso()}" Destination="https://idp.acme.example/saml2/sso" '
            f'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" AssertionConsumerServiceURL="{acs}">'
            f'<saml:Issuer>{acs.rsplit("/", 2)[0]}/metadata</saml:Issuer>'
            f'<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" AllowCreate="true"/>'
            f'<samlp:RequestedAuthnContext Comparison="exact"><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>'
            f'</samlp:AuthnRequest>')


def gen_oauth(n):
    def authorize():
        app, idp = pick(APPS), pick(IDPS)
        verifier, challenge = pkce()
        scope = pick(["openid profile email", "openid email offline_access", "openid profile email https://www.googleapis.com/auth/calendar.readonly",
                      "read:user user:email", "openid", "openid profile email read:orders write:cart"])
        params = [("response_type", "code"), ("client_id", pick([alnum(32), f"{digits(12)}-{alnum(32).lower()}.apps.googleusercontent.com", "web-app", uuid4()])),
                  ("redirect_uri", app + pick(["/callback", "/auth/callback", "/api/auth/callback/google", "/oauth2/idpresponse", "/silent-check-sso.html"])),
                  ("scope", scope), ("state", pick([b64url(24), uuid4(), b64url_of({"returnTo": "/dashboard?tab=billing", "nonce": hexs(16)})]))]
        if chance(0.8):
            params += [("code_challenge", challenge), ("code_challenge_method", "S256")]
        if chance(0.6):
            params.append(("nonce", b64url(16)))
        if chance(0.3):
            params.append(("prompt", pick(["consent", "login", "none", "select_account"])))
        if chance(0.3):
            params += [("access_type", "offline"), ("include_granted_scopes", "true")]
        if chance(0.3):
            params.append(("response_mode", pick(["query", "fragment", "form_post"])))
        if chance(0.2):
            params.append(("login_hint", person()["email"]))
        enc = pick([q, lambda s: pq(s, safe="")])
        path = pick(["/authorize", "/oauth/authorize", "/o/oauth2/v2/auth", "/realms/acme/protocol/openid-connect/auth", "/oauth2/v1/authorize", "/login/oauth/authorize"])
        b = Browser()
        return C.add("auth.jsonl", "oauth-sso", f"{b.label} starts an OAuth authorization", "GET", path + "?" + qs(params, enc),
                     b.headers(idp, "navigate", app + "/login", "cross-site", cookie_header("saas", logged_in=chance(0.5))))

    def callback():
        app = pick(APPS)
        params = [("code", pick([b64url(32), "4/0Aea" + b64url(60), hexs(20), uuid4()])), ("state", b64url(24))]
        if chance(0.3):
            params += [("scope", "email profile openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile"),
                       ("authuser", "0"), ("prompt", "consent")]
        if chance(0.2):
            params += [("session_state", f"{uuid4()}"), ("iss", f"https://{pick(IDPS)}/realms/acme")]
        b = Browser()
        host = app.split("//")[1].split("/")[0]
        return C.add("auth.jsonl", "oauth-sso", f"{b.label} returns from the IdP with a code", "GET",
                     pick(["/callback", "/auth/callback", "/api/auth/callback/google"]) + "?" + qs(params),
                     b.headers(host, "navigate", f"https://{pick(IDPS)}/", "cross-site", cookie_header("saas", logged_in=False)))

    def return_to():
        target = pick(APPS) + pick(["/dashboard?tab=billing&range=30d", "/checkout?step=payment", "/hc/en-us/articles/360012345678-How-do-I-reset-my-password-",
                                    "/settings/profile#security", "/orders/1042?highlight=O%27Brien", "/"])
        key = pick(["next", "return_to", "redirect", "redirect_uri", "returnUrl", "ReturnUrl", "continue", "destination", "redirect_to", "goto", "RelayState"])
        value = target if chance(0.6) else target.split(".example", 1)[-1].split(":8443")[-1] or "/"
        path = pick(["/login", "/signin", "/account/login", "/users/sign_in", "/sso", "/logout", "/auth/login", "/session/new", "/Account/Login", "/wp-login.php"])
        b = Browser()
        host = pick(IDPS + ["www.northwind-outfitters.example", "app.metricly.example"])
        return C.add("auth.jsonl", "oauth-sso", f"{b.label} is sent to log in with a {key} parameter", "GET",
                     f"{path}?{key}={pick([q, lambda s: pq(s, safe='')])(value)}",
                     b.headers(host, "navigate", pick(APPS) + "/", "cross-site", cookie_header("saas") if chance(0.5) else None))

    def token():
        verifier, _ = pkce()
        grant = R.randrange(4)
        if grant == 0:
            body = qs([("grant_type", "authorization_code"), ("code", b64url(32)), ("redirect_uri", pick(APPS) + "/callback"),
                       ("client_id", alnum(32)), ("code_verifier", verifier)])
        elif grant == 1:
            body = qs([("grant_type", "refresh_token"), ("refresh_token", b64url(48)), ("client_id", alnum(32)), ("scope", "openid profile email")])
        elif grant == 2:
            body = qs([("grant_type", "client_credentials"), ("scope", pick(["read:orders", "api://default/.default", "reports.read reports.write"])), ("audience", "https://api.acme.example/")])
        else:
            body = qs([("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", b64url(32)), ("client_id", alnum(20))])
        hdrs = api_headers(pick(IDPS), pick(["server", "app"]), auth=False, content_type="application/x-www-form-urlencoded")
        if grant == 2 or chance(0.3):
            hdrs.append(["Authorization", "Basic " + base64.b64encode(f"{alnum(20)}:{b64url(30)}".encode()).decode()])
        return C.add("auth.jsonl", "oauth-sso", f"token request ({['code', 'refresh', 'client credentials', 'device'][grant]})", "POST",
                     pick(["/oauth/token", "/token", "/oauth2/v1/token", "/realms/acme/protocol/openid-connect/token"]), hdrs, body)

    def saml():
        acs = pick(APPS) + "/saml/acs"
        req = saml_authn_request(acs)
        b = Browser()
        if chance(0.5):
            params = [("SAMLRequest", deflate_b64(req)), ("RelayState", pick(["/dashboard", pick(APPS) + "/reports?id=42", b64url(16)])),
                      ("SigAlg", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"), ("Signature", b64(256))]
            return C.add("auth.jsonl", "oauth-sso", f"{b.label} follows a SAML redirect-binding request", "GET",
                         "/saml2/idp/SSOService.php?" + qs(params), b.headers("idp.acme.example", "navigate", acs.rsplit("/", 2)[0] + "/", "cross-site", None))
        body = qs([("SAMLRequest", base64.b64encode(req.encode()).decode()), ("RelayState", "/dashboard")])
        return C.add("auth.jsonl", "oauth-sso", f"{b.label} posts a SAML AuthnRequest (POST binding)", "POST", "/saml2/sso",
                     b.headers("idp.acme.example", "navigate", acs.rsplit("/", 2)[0] + "/", "cross-site", None,
                               [["Content-Type", "application/x-www-form-urlencoded"], ["Origin", acs.rsplit("/", 2)[0]]]), body)

    def misc():
        idp = pick(IDPS)
        b = pick(["browser", "server", "app"])
        uri = pick(["/.well-known/openid-configuration", "/.well-known/jwks.json", "/realms/acme/protocol/openid-connect/certs",
                    f"/userinfo", f"/oauth/revoke", f"/v1/logout?id_token_hint={user_jwt()}&post_logout_redirect_uri={q(pick(APPS) + '/')}&state={b64url(12)}",
                    "/.well-known/oauth-authorization-server", f"/device?user_code={alnum(4).upper()}-{alnum(4).upper()}"])
        method = "POST" if uri == "/oauth/revoke" else "GET"
        body = qs([("token", b64url(40)), ("token_type_hint", "refresh_token")]) if method == "POST" else None
        return C.add("auth.jsonl", "oauth-sso", "OIDC discovery, keys, user info or logout", method, uri,
                     api_headers(idp, b, auth=uri == "/userinfo", content_type="application/x-www-form-urlencoded" if body else None), body)

    makers = [authorize] * 4 + [callback] * 2 + [return_to] * 3 + [token] * 2 + [saml, misc]
    fill(n, lambda: pick(makers)())


# --------------------------------------------------------------------------
# Signed URLs (object stores, CDNs, image services).


def gen_signed_urls(n):
    def make():
        k = R.randrange(6)
        key = pick(["uploads/2024/04/IMG_2041.JPG", "exports/report_v2.1.xlsx", "invoices/INV-2024-0042.pdf",
                    "avatars/" + uuid4() + ".png", "videos/onboarding%20(1080p).mp4", "R%C3%A9sum%C3%A9%202024%20(final).pdf"])
        if k == 0:
            params = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", f"AKIA{alnum(16).upper()}/{day().replace('-', '')}/eu-west-1/s3/aws4_request"),
                      ("X-Amz-Date", f"{day().replace('-', '')}T{R.randint(10, 23)}{R.randint(10, 59)}{R.randint(10, 59)}Z"), ("X-Amz-Expires", pick(["300", "3600", "604800"])),
                      ("X-Amz-SignedHeaders", "host"), ("X-Amz-Signature", hexs(64))]
            if chance(0.4):
                params.insert(4, ("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjE" + b64(300)))
            if chance(0.4):
                params.insert(0, ("response-content-disposition", pick(['attachment; filename="report.pdf"', "inline; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"])))
            host, path = pick(["acme-uploads.s3.eu-west-1.amazonaws.example", "s3.amazonaws.example"]), "/" + key
            uri = path + "?" + qs(params, lambda s: pq(s, safe="-_.~"))
        elif k == 1:
            host, uri = "d111111abcdef8.cloudfront.example", f"/{key}?Expires={epoch() + 3600}&Signature={b64(128).replace('+', '-').replace('=', '_').replace('/', '~')}&Key-Pair-Id=K{alnum(13).upper()}"
        elif k == 2:
            params = [("X-Goog-Algorithm", "GOOG4-RSA-SHA256"), ("X-Goog-Credential", f"uploader@acme-prod.iam.gserviceaccount.com/{day().replace('-', '')}/auto/storage/goog4_request"),
                      ("X-Goog-Date", f"{day().replace('-', '')}T101010Z"), ("X-Goog-Expires", "900"), ("X-Goog-SignedHeaders", "host"), ("X-Goog-Signature", hexs(512))]
            host, uri = "storage.googleapis.example", f"/acme-media/{key}?" + qs(params, lambda s: pq(s, safe="-_.~"))
        elif k == 3:
            params = [("sv", "2022-11-02"), ("ss", "b"), ("srt", "co"), ("sp", pick(["r", "rl", "racwdl"])), ("se", iso(epoch() + 86400)),
                      ("st", iso()), ("spr", "https"), ("sig", b64(32))]
            host, uri = "acmestorage.blob.core.windows.example", f"/media/{key}?" + qs(params, lambda s: pq(s, safe="-_.~"))
        elif k == 4:
            host, uri = "images.acme-imgix.example", f"/{key}?w={pick([320, 640, 1280])}&h={pick([240, 480, 960])}&fit=crop&crop=faces,center&auto=format,compress&q=75&s={hexs(32)}"
        else:
            host, uri = "media.acme.example", f"/download/{uuid4()}?token={b64url(32)}&expires={epoch() + 600}&signature={hexs(64)}&filename={q('Résumé 2024 (final).pdf')}"
        if chance(0.6):
            b = Browser()
            hdrs = b.headers(host, pick(["asset-image", "navigate", "asset-video"]), "https://app.metricly.example/", "cross-site", None)
        else:
            hdrs = [["Host", host], ["User-Agent", pick(SERVER_UAS + APP_UAS)], ["Accept", "*/*"]]
        if chance(0.15):
            hdrs.append(["Range", pick(["bytes=0-1048575", "bytes=1048576-2097151", "bytes=0-"])])
        return C.add("static.jsonl", "signed-url", "signed object-store or CDN URL", "GET", uri, hdrs)

    fill(n, make)


# --------------------------------------------------------------------------
# JSON API bodies.

PASSWORDS = ["P@ss'w0rd!#$", "correct horse battery staple", "Tr0ub4dor&3", "hunter2!", "Sommer2024!", "ñandú-Пароль-42",
             "My$ecret#Pass", "L0ve&Peace<3", "Tr!cky\"Quote'1", "pa$$w0rd;2024", "Zoë's-dog-R3x", "^Caret%Percent*Star1",
             "(Paren)[Brack]{Brace}9", "~tilde`backtick=7", "N0-Spaces-Or:colons?", "Ünïcødé_P4ss", "a1b2c3d4E5!", "12345Abc!@#"]


def addr_obj(style="camel"):
    a = pick(ADDRESSES)
    if style == "camel":
        return {"line1": a[0], "line2": a[1] or None, "city": a[2], "region": a[3], "postalCode": a[4], "country": a[5], "phone": a[6]}
    return {"address_1": a[0], "address_2": a[1], "city": a[2], "state": a[3], "postcode": a[4], "country": a[5], "phone": a[6]}


def json_bodies():
    p = person()
    prod = pick(PRODUCTS)
    return pick([
        ("/api/auth/signup", "POST", "sign-up", lambda: {"email": p["email"], "password": pick(PASSWORDS), "firstName": p["first"], "lastName": p["last"],
                                                         "acceptTerms": True, "marketingOptIn": chance(0.3), "locale": pick(["en-US", "fr-FR", "de-DE"]), "captchaToken": "03AFcWeA" + b64url(120)}),
        ("/api/auth/login", "POST", "login", lambda: {"username": p["email"], "password": pick(PASSWORDS), "remember_me": chance(0.5)}),
        ("/v1/sessions", "POST", "login", lambda: {"login": p["email"].split("@")[0], "password": pick(PASSWORDS), "otp": digits(6) if chance(0.3) else None, "device": {"name": "Zoë's iPhone", "os": "iOS 17.4.1"}}),
        ("/api/auth/password/reset", "POST", "password reset", lambda: {"token": b64url(32), "password": pick(PASSWORDS), "password_confirmation": pick(PASSWORDS)}),
        ("/api/me", "PATCH", "profile update", lambda: {"displayName": f"{p['first']} {p['last']}", "bio": pick(["Coffee ☕, code & cats. Views my own. <3", "Dad, runner, SQL nerd. 🏃‍♂️", "Designer @ Acme — I select fonts for a living", "Ex-barista; now I drop beats & ship code.", "Tweets about rock 'n' roll, R&B and data.", "She/her · Dublin → Berlin"]),
                                                          "website": f"https://{slug(p['last'])}.example/blog?ref=profile", "location": pick(ADDRESSES)[2], "pronouns": pick(["she/her", "he/him", "they/them", None])}),
        ("/api/users/me/addresses", "POST", "add address", lambda: {"name": f"{p['first']} {p['last']}", "company": pick([None, "O'Reilly & Sons Ltd.", "Müller GmbH & Co. KG", "Acme, Inc."]), **addr_obj(), "isDefault": chance(0.5)}),
        ("/api/cart/items", "POST", "add to cart", lambda: {"product_id": R.randint(1000, 99999), "variant_id": R.randint(100000, 999999), "quantity": R.randint(1, 4), "properties": {"Engraving": pick(["J & K · 2024", "Love, Mum <3", "D'Angelo", "#1 Dad", "Est. 1998"])}}),
        ("/api/checkout/orders", "POST", "place order", lambda: {"items": [{"sku": x[1], "name": x[0], "qty": R.randint(1, 3), "price": x[2]} for x in R.sample(PRODUCTS, R.randint(1, 4))],
                                                                "coupon": pick([None, "SPRING-20", "WELCOME10", "FREESHIP"]), "shipping": {"method": pick(["standard", "express", "pickup"]), "address": addr_obj()},
                                                                "billing": {"sameAsShipping": True}, "giftMessage": pick([None, "Happy b'day! Love you <3 — Mum & Dad", "Congrats on the new job!! 🎉", "For the best \"boss\" ever"]),
                                                                "email": p["email"], "acceptsMarketing": False}),
        (f"/api/products/{R.randint(1000, 99999)}/reviews", "POST", "product review", lambda: {"rating": R.randint(1, 5), "title": pick(["Love it", "Meh", "Does the job", "Not for me", "5 stars!!", "Would buy again"]), "body": pick(REVIEWS), "author": p["first"], "recommend": chance(0.8)}),
        (f"/api/articles/{nslug(pick(HEADLINES))}/comments", "POST", "news comment", lambda: {"body": pick(COMMENTS), "parentId": pick([None, R.randint(1, 99999)]), "notify": chance(0.5)}),
        (f"/api/v1/threads/{R.randint(1, 99999)}/posts", "POST", "forum post", lambda: {"content": pick(FORUM_POSTS), "format": "markdown", "tags": R.sample(["python", "rust", "sql", "bash", "javascript", "docker"], 2)}),
        ("/api/transfers", "POST", "bank transfer", lambda: {"fromAccount": "DE89 3704 0044 0532 0130 00", "toIban": pick(["FR14 2004 1010 0505 0001 3M02 606", "GB29 NWBK 6016 1331 9268 19", "IE29 AIBK 9311 5212 3456 78"]),
                                                            "amount": f"{R.randint(5, 2500)}.{R.randint(0, 99):02d}", "currency": "EUR", "reference": pick(["Rent April - Flat 3B", "Invoice #2024-042", "Dinner @ Luigi's", "Split: groceries & wine"]),
                                                            "beneficiaryName": f"{p['first']} {p['last']}", "executionDate": day(), "scheduled": chance(0.2)}),
        ("/api/bookings", "POST", "travel booking", lambda: {"flightOfferId": alnum(12), "travelers": [{"id": "1", "dateOfBirth": "1987-03-14", "name": {"firstName": p["first"].upper(), "lastName": p["last"].upper()},
                                                             "contact": {"emailAddress": p["email"], "phones": [{"deviceType": "MOBILE", "countryCallingCode": "353", "number": "851234567"}]},
                                                             "documents": [{"documentType": "PASSPORT", "number": alnum(9).upper(), "expiryDate": "2031-06-30", "issuanceCountry": "IE", "nationality": "IE"}]}],
                                                             "remarks": {"general": [{"subType": "GENERAL_MISCELLANEOUS", "text": pick(["Window seat please", "Travelling with a guide dog", "Vegetarian meal (VGML)"])}]}}),
        (f"/api/hotels/{R.randint(100, 999)}/availability", "POST", "hotel availability", lambda: {"checkIn": day(), "checkOut": day(5), "rooms": [{"adults": 2, "children": [7, 4]}], "currency": "EUR", "location": {"lat": 48.8541, "lng": 2.3326, "radiusKm": 2}}),
        (f"/api/documents/{R.randint(1, 9999)}", "PATCH", "JSON Patch", lambda: [{"op": "replace", "path": "/title", "value": pick(HEADLINES)}, {"op": "add", "path": "/tags/-", "value": pick(["rust", "news", "draft"])},
                                                                                  {"op": "remove", "path": "/draft"}, {"op": "test", "path": "/version", "value": R.randint(1, 9)}, {"op": "copy", "from": "/author", "path": "/editors/0"}]),
        ("/products/_search", "POST", "search DSL", lambda: {"query": {"bool": {"must": [{"multi_match": {"query": pick(SEARCH_TERMS), "fields": ["title^3", "description", "brand"]}}],
                                                                                 "filter": [{"range": {"price": {"gte": 10, "lte": 100}}}, {"term": {"in_stock": True}}, {"terms": {"size": ["M", "L"]}}],
                                                                                 "must_not": [{"term": {"discontinued": True}}], "should": [{"match_phrase": {"title": {"query": "rock 'n' roll", "boost": 2}}}]}},
                                                               "sort": [{"_score": "desc"}, {"created_at": {"order": "desc"}}], "aggs": {"brands": {"terms": {"field": "brand.keyword", "size": 20}}, "price_ranges": {"range": {"field": "price", "ranges": [{"to": 50}, {"from": 50, "to": 100}, {"from": 100}]}}},
                                                               "from": 0, "size": 24, "highlight": {"fields": {"title": {}}, "pre_tags": ["<em>"], "post_tags": ["</em>"]}}),
        ("/internal/search/es", "POST", "log search (KQL)", lambda: {"params": {"index": "logs-*", "body": {"query": {"bool": {"filter": [{"range": {"@timestamp": {"gte": "now-15m", "lte": "now", "format": "strict_date_optional_time"}}}]}}, "size": 500},
                                                                                "kql": pick(['service.name : "checkout" and http.response.status_code >= 500', 'message : "connection refused" or message : "timeout"', 'host.name : web-* and not log.level : debug', 'user.email : "o\'brien@acme-corp.example"'])}}),
        ("/api/ds/query", "POST", "dashboard query", lambda: {"queries": [{"refId": "A", "datasource": {"type": "prometheus", "uid": alnum(9)}, "expr": pick(PROMQL), "interval": "", "legendFormat": "{{route}}", "maxDataPoints": 1200, "intervalMs": 15000}], "from": str(epoch_ms()), "to": str(epoch_ms())}),
        ("/api/v1/integrations/logs", "PUT", "config object", lambda: {"name": "app-logs", "enabled": True, "logPath": "/var/log/app.log", "rotate": {"maxSizeMb": 100, "keep": 7},
                                                                     "exportDir": pick(["C:\\Users\\me\\Documents\\exports", "D:\\Backups\\Palisade", "/home/zoe/exports", "~/Library/Application Support/Acme"]),
                                                                     "ignore": ["node_modules/**", "*.log", ".cache/", "dist/*.map"], "pattern": pick(["^[A-Z]{2}-\\d{4}$", "(?i)error|warn", "\\b\\d{3}-\\d{2}-\\d{4}\\b", "^/api/v[0-9]+/.*$"]),
                                                                     "cron": pick(["*/15 * * * *", "0 3 * * 1-5", "@daily"]), "timezone": "Europe/Dublin", "caBundle": "/etc/ssl/certs/ca-certificates.crt"}),
        ("/api/settings/notifications", "PUT", "settings", lambda: {"email": {"digest": pick(["daily", "weekly", "off"]), "mentions": True}, "push": {"enabled": chance(0.5)}, "quietHours": {"from": "22:00", "to": "07:30"},
                                                                  "keywords": pick([["select", "union"], ["drop", "outage"], ["alert", "exec"], ["O'Reilly", "Grey's"]])}),
        (f"/api/posts/{R.randint(1, 9999)}", "PUT", "markdown post", lambda: {"title": pick(HEADLINES), "content": pick(MARKDOWN_DOCS), "format": "markdown", "status": pick(["draft", "published"]), "slug": nslug(pick(HEADLINES))}),
        ("/api/v1/notes", "POST", "notes app", lambda: {"title": pick(["Shopping list", "Ideas", "Meeting 15/04", "Reading list"]), "body": pick(["- milk\n- eggs (free-range!)\n- Ben & Jerry's\n- 2x4 lumber 8'", "Read: O'Reilly 'Designing Data-Intensive Applications' ch. 3 & 5", pick(MARKDOWN_DOCS), "call D'Angelo re: union rep meeting @ 3pm"]), "pinned": chance(0.2), "color": pick(["#FFF475", "#CCFF90", None])}),
        ("/api/tasks", "POST", "task", lambda: {"title": pick(["Select vendor for Q3", "Drop old feature flags", "Update cron to run at 3am", "Exec review deck", "Echo the new policy to the team", "Alert on-call about DB upgrade"]),
                                                 "due": day(), "assignee": p["email"], "labels": ["ops"], "description": pick(COMMENTS + FORUM_POSTS)}),
        ("/api/messages", "POST", "chat message", lambda: {"channel": pick(["general", "random", "eng-backend"]), "text": pick(COMMENTS + ["brb, lunch 🍜", "can someone select the best option from the list & drop it in #general?", "lgtm 👍 ship it", "where are we on the union migration?", "ok so `ls` shows nothing in /tmp/uploads — weird", "x < y in that case, so the test should pass"]), "client_msg_id": uuid4()}),
        ("/api/support/tickets", "POST", "support ticket", lambda: {"subject": pick(["Can't log in", "Refund for order #1042", "Where is my parcel?", "Bug: select dropdown empty"]), "description": pick(COMMENTS + REVIEWS), "priority": pick(["low", "normal", "high"]), "requester": {"name": f"{p['first']} {p['last']}", "email": p["email"]}, "custom_fields": [{"id": 360001234567, "value": "web"}]}),
        ("/v1/payment_methods", "POST", "payment setup", lambda: {"type": "card", "billing_details": {"name": f"{p['first']} {p['last']}", "email": p["email"], "address": {"line1": pick(ADDRESSES)[0], "postal_code": pick(ADDRESSES)[4], "country": pick(ADDRESSES)[5]}}, "card": {"token": "tok_" + alnum(24)}, "metadata": {"source": "checkout-v2"}}),
        ("/api/feedback", "POST", "NPS survey", lambda: {"score": R.randint(0, 10), "comment": pick(REVIEWS + COMMENTS + [""]), "page": "/checkout/thank-you", "userAgent": Browser().ua}),
        (f"/api/projects/{R.randint(1, 99)}/env", "PUT", "environment variables", lambda: {"variables": [{"key": "DATABASE_URL", "value": "postgres://app:" + alnum(20) + "@db.internal:5432/app?sslmode=require"}, {"key": "LOG_LEVEL", "value": "info"}, {"key": "FEATURE_FLAGS", "value": "new_nav,union_types"}]}),
        ("/api/v2/contacts/batch", "POST", "CRM batch upsert", lambda: {"inputs": [{"properties": {"email": x["email"], "firstname": x["first"], "lastname": x["last"], "company": pick(["O'Reilly & Sons", "Acme", "Müller GmbH"]), "lifecyclestage": "lead"}} for x in (person() for _ in range(R.randint(2, 5)))]}),
        ("/api/calendar/events", "POST", "calendar event", lambda: {"summary": pick(["Team sync", "1:1 Zoë / D'Angelo", "Exec review: Q2 plan", "Dentist 🦷"]), "location": pick(["Union Station, Room 3B", "https://meet.example/abc-defg-hij", "Café de Flore"]), "start": {"dateTime": day() + "T10:00:00+02:00", "timeZone": "Europe/Paris"}, "end": {"dateTime": day() + "T10:30:00+02:00"}, "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE"], "attendees": [{"email": person()["email"]}]}),
    ])


def gen_json_api(n):
    def make():
        path, method, desc, body = json_bodies()
        host = pick(API_HOSTS)
        ct = pick(["application/json", "application/json", "application/json;charset=UTF-8", "application/json; charset=utf-8"])
        if desc == "JSON Patch":
            ct = "application/json-patch+json"
        return C.add("api.jsonl", "json-api", f"{desc} ({method} JSON)", method, path, api_headers(host, content_type=ct), jdump(body()))

    fill(n, make)


# --------------------------------------------------------------------------
# GraphQL.

GQL = [
    ("ProductByHandle", "query ProductByHandle($handle: String!, $country: CountryCode) @inContext(country: $country) {\n  product(handle: $handle) {\n    id\n    title\n    descriptionHtml\n    variants(first: 10) {\n      edges { node { id title availableForSale price { amount currencyCode } } }\n    }\n  }\n}",
     lambda: {"handle": nslug(pick(PRODUCTS)[0]), "country": pick(["DE", "US", "GB"])}),
    ("RepoIssues", "query RepoIssues($owner: String!, $name: String!, $cursor: String) {\n  repository(owner: $owner, name: $name) {\n    issues(first: 50, after: $cursor, states: OPEN, orderBy: {field: UPDATED_AT, direction: DESC}) {\n      pageInfo { hasNextPage endCursor }\n      nodes { number title author { login } labels(first: 5) { nodes { name } } }\n    }\n  }\n}",
     lambda: {"owner": "acme", "name": pick(["web", "api", "union-types"]), "cursor": pick([None, "Y3Vyc29yOnYyOpK5MjAyNC0wNC0xNVQxMDoxMjozMyswMjowMM4" + alnum(6)])}),
    ("AddComment", "mutation AddComment($input: AddCommentInput!) {\n  addComment(input: $input) {\n    commentEdge { node { id body createdAt } }\n  }\n}",
     lambda: {"input": {"subjectId": "I_kwDO" + alnum(14), "body": pick(COMMENTS + FORUM_POSTS)}}),
    ("CartLinesAdd", "mutation CartLinesAdd($cartId: ID!, $lines: [CartLineInput!]!) {\n  cartLinesAdd(cartId: $cartId, lines: $lines) {\n    cart { id totalQuantity cost { totalAmount { amount currencyCode } } }\n    userErrors { field message }\n  }\n}",
     lambda: {"cartId": f"gid://shopify/Cart/Z2NwLWV1cm9wZS13ZXN0MTo{alnum(20)}", "lines": [{"merchandiseId": f"gid://shopify/ProductVariant/{digits(14)}", "quantity": R.randint(1, 3), "attributes": [{"key": "Engraving", "value": pick(["J & K", "D'Angelo <3", "#1"])}]}]}),
    ("UpdateProfile", "mutation UpdateProfile($input: ProfileInput!) { updateProfile(input: $input) { user { id displayName bio } errors { path message } } }",
     lambda: {"input": {"displayName": f"{pick(FIRST)} {pick(LAST)}", "bio": pick(["Coffee ☕, code & cats <3", "select * from life where fun = true 😄", "I drop bars & ship code", "Rock 'n' roll forever 🤘"])}}),
    ("Search", "query Search($query: String!, $first: Int = 20, $after: String) {\n  search(query: $query, type: REPOSITORY, first: $first, after: $after) {\n    repositoryCount\n    nodes { ... on Repository { nameWithOwner stargazerCount description } }\n  }\n}",
     lambda: {"query": pick(SEARCH_TERMS), "first": 20, "after": None}),
    ("Viewer", "fragment UserFields on User {\n  id\n  name\n  avatarUrl(size: 64)\n}\n\nquery Viewer {\n  viewer {\n    ...UserFields\n    organizations(first: 10) { nodes { login name } }\n  }\n}", lambda: {}),
    ("Products", "query Products($where: products_bool_exp!, $limit: Int!) {\n  products(where: $where, order_by: {created_at: desc}, limit: $limit) { id title price stock }\n}",
     lambda: {"where": {"_and": [{"price": {"_gte": R.randint(1, 20)}}, {"title": {"_ilike": pick(["%café%", "%o'reilly%", "%rock%"])}}, {"deleted_at": {"_is_null": True}}]}, "limit": 24}),
    ("Login", "mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token user { id email } } }",
     lambda: {"email": person()["email"], "password": pick(PASSWORDS)}),
    ("CreateReview", "mutation CreateReview($productId: ID!, $rating: Int!, $text: String!) {\n  createReview(productId: $productId, rating: $rating, text: $text) { id rating text }\n}",
     lambda: {"productId": str(R.randint(1000, 9999)), "rating": R.randint(1, 5), "text": pick(REVIEWS)}),
    ("OrderHistory", "query OrderHistory($first: Int!, $filter: OrderFilter) {\n  me { orders(first: $first, filter: $filter) { edges { node { id number status total { amount currency } createdAt } } } }\n}",
     lambda: {"first": 10, "filter": {"status": pick(["SHIPPED", "DELIVERED", None]), "createdAfter": day()}}),
    ("IntrospectionQuery", "query IntrospectionQuery {\n  __schema {\n    queryType { name }\n    mutationType { name }\n    subscriptionType { name }\n    types { ...FullType }\n    directives { name description locations args { ...InputValue } }\n  }\n}\n\nfragment FullType on __Type {\n  kind\n  name\n  description\n  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }\n  inputFields { ...InputValue }\n  interfaces { ...TypeRef }\n  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }\n  possibleTypes { ...TypeRef }\n}\n\nfragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }\n\nfragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }", lambda: {}),
]


def gen_graphql(n):
    def make():
        name, query, variables = pick(GQL)
        if chance(0.1):
            body = [{"operationName": nm, "query": qq, "variables": vv()} for nm, qq, vv in R.sample(GQL[:7], 2)]
        elif chance(0.1):
            body = {"id": hexs(64), "variables": variables()}
        else:
            body = {"operationName": name, "variables": variables(), "query": query}
            if chance(0.3):
                body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": hexs(64)}}
        host = pick(["graph.acme.example", "api.northwind-outfitters.example", "api.github-like.example", "hasura.metricly.example"])
        extra = [("apollographql-client-name", "web"), ("apollographql-client-version", "1.42.0")] if chance(0.3) else []
        if "hasura" in host:
            extra.append(("x-hasura-role", "user"))
        return C.add("api.jsonl", "graphql", f"GraphQL {name}", "POST", pick(["/graphql", "/api/graphql", "/v1/graphql", "/api/2024-04/graphql.json"]),
                     api_headers(host, content_type="application/json", extra=extra, accept="application/graphql-response+json, application/json"), jdump(body))

    fill(n, make)


# --------------------------------------------------------------------------
# Analytics beacons.


def gen_analytics(n):
    def ga4():
        b = Browser()
        page = "https://www.northwind-outfitters.example" + shop_page()
        params = [("v", "2"), ("tid", f"G-{alnum(10).upper()}"), ("gtm", f"45je4{alnum(4).lower()}v9{digits(9)}"), ("_p", str(epoch_ms())),
                  ("gcs", "G111"), ("gcd", "13l3l3l3l1"), ("npa", "0"), ("dma", "0"), ("cid", f"{digits(9)}.{epoch()}"), ("ul", b.lang.split(",")[0].lower()),
                  ("sr", pick(["1920x1080", "1440x900", "390x844", "412x915"])), ("uaa", "x86"), ("uab", "64"),
                  ("uafvl", f"Chromium;{b.v}.0.6367.91|Google%20Chrome;{b.v}.0.6367.91|Not-A.Brand;99.0.0.0"), ("uamb", "0"), ("uam", ""),
                  ("uap", "Windows"), ("uapv", "15.0.0"), ("uaw", "0"), ("are", "1"), ("frm", "0"), ("pscdl", "noapi"), ("_s", str(R.randint(1, 9))),
                  ("sid", str(epoch())), ("sct", str(R.randint(1, 30))), ("seg", "1"), ("dl", page), ("dr", pick(EXTERNAL_REFERERS)),
                  ("dt", pick(PRODUCTS)[0] + " – Northwind Outfitters"), ("en", pick(["page_view", "view_item", "scroll", "add_to_cart", "begin_checkout"])), ("_ee", "1"), ("tfd", str(R.randint(500, 9000)))]
        body = None
        if chance(0.5):
            body = "\r\n".join([f"en=scroll&epn.percent_scrolled=90&_et={R.randint(100, 20000)}", f"en=user_engagement&_et={R.randint(100, 20000)}",
                                f"en=view_item&pr1=id{pick(PRODUCTS)[1]}~nm{q(pick(PRODUCTS)[0])}~pr{pick(PRODUCTS)[2]}~qt1"])
        hdrs = b.headers("region1.analytics.google-like.example", "xhr", page, "cross-site", None,
                         [["Content-Type", "text/plain;charset=UTF-8"], ["Origin", "https://www.northwind-outfitters.example"]] if body else [], accept="*/*")
        return C.add("analytics.jsonl", "analytics", f"{b.label} GA4-style collect", "POST", "/g/collect?" + qs(params, lambda s: pq(s, safe="~|;")), hdrs, body if body else "")

    def pixel():
        b = Browser()
        page = "https://" + pick(SITES["shop"][0]) + shop_page()
        k = R.randrange(5)
        if k == 0:
            uri = "/tr/?" + qs([("id", digits(15)), ("ev", pick(["PageView", "ViewContent", "AddToCart"])), ("dl", page), ("rl", pick(EXTERNAL_REFERERS)), ("if", "false"), ("ts", str(epoch_ms())),
                                ("sw", "1920"), ("sh", "1080"), ("v", "2.9.156"), ("r", "stable"), ("ec", "0"), ("o", "4126"), ("fbp", f"fb.1.{epoch_ms()}.{digits(10)}"), ("it", str(epoch_ms())), ("coo", "false"), ("rqm", "GET")], lambda s: pq(s, safe=""))
        elif k == 1:
            uri = "/matomo.php?" + qs([("action_name", pick(HEADLINES) + " – Café Ledger"), ("idsite", "1"), ("rec", "1"), ("r", digits(6)), ("h", "10"), ("m", "12"), ("s", "33"),
                                       ("url", page), ("urlref", pick(EXTERNAL_REFERERS)), ("_id", hexs(16)), ("_idn", "0"), ("send_image", "0"), ("_refts", "0"), ("pv_id", alnum(6)),
                                       ("pf_net", "0"), ("pf_srv", str(R.randint(50, 400))), ("uadata", json.dumps({"fullVersionList": [{"brand": "Chromium", "version": "124.0.6367.91"}], "mobile": False, "platform": "Windows", "platformVersion": "15.0.0"}, separators=(",", ":")))], lambda s: pq(s, safe=""))
        elif k == 2:
            uri = f"/b/ss/acmeglobalprod/10/JS-2.22.0/s{digits(14)}?AQB=1&ndh=1&pf=1&t={q('15/3/2024 10:12:33 1 -120')}&fid={hexs(16).upper()}-{hexs(16).upper()}&ce=UTF-8&pageName={q('shop:product:' + pick(PRODUCTS)[0])}&g={pq(page, safe='')}&c.&a.&activitymap.&page={q('shop:product')}&link={q('Add to cart')}&region=main&pageIDType=1&.activitymap&.a&.c&server=www&events=prodView&products={q(';' + pick(PRODUCTS)[1] + ';1;' + pick(PRODUCTS)[2])}&s=1920x1080&c=24&j=1.6&v=N&k=Y&bw=1440&bh=789&AQE=1"
        elif k == 3:
            ed = {"page_name": pick(HEADLINES), "np": "gtm", "lead_type": pick(["newsletter", "none"])}
            uri = f"/v3/?event={pick(['pagevisit', 'addtocart', 'checkout'])}&ed={pq(json.dumps(ed, separators=(',', ':')), safe='')}&tid={digits(13)}&pd={pq(json.dumps({'em': hexs(64)}), safe='')}&cb={epoch_ms()}"
        else:
            uri = f"/action/0?ti={digits(8)}&Ver=2&mid={uuid4()}&bo=1&sid={hexs(8)}0&vid={hexs(32)}&vids=1&msclkid=N&pi=918639831&lg=en-US&sw=1440&sh=900&sc=30&tl={q(pick(HEADLINES))}&p={pq(page, safe='')}&r=&lt={R.randint(300, 4000)}&evt=pageLoad&sv=1&rn={digits(6)}"
        hdrs = b.headers(pick(["www.facebook-like.example", "stats.ledger.example", "acme.sc.omtrdc.example", "ct.pinterest-like.example", "bat.bing-like.example"]),
                         "asset-image", page, "cross-site", None)
        return C.add("analytics.jsonl", "analytics", f"{b.label} tracking pixel", "GET", uri, hdrs)

    def json_beacon():
        b = Browser()
        page = "https://" + pick(SITES["shop"][0] + SITES["news"][0]) + pick([shop_page(), news_page()])
        k = R.randrange(6)
        prod = pick(PRODUCTS)
        if k == 0:
            host, path, ct = "api.segment-like.example", "/v1/t", "text/plain"
            body = {"timestamp": iso(), "integrations": {}, "event": pick(["Product Added", "Product Viewed", "Checkout Started", "Signed Up"]), "type": "track",
                    "properties": {"product_id": prod[1], "name": prod[0], "price": float(prod[2]), "currency": "USD", "quantity": 1, "category": "Men's > Shirts", "coupon": None},
                    "context": {"page": {"path": page.split(".example")[1].split("?")[0], "referrer": pick(EXTERNAL_REFERERS), "search": "?" + page.split("?", 1)[1] if "?" in page else "", "title": prod[0], "url": page},
                                "userAgent": b.ua, "locale": b.lang.split(",")[0], "library": {"name": "analytics.js", "version": "npm:next-1.66.0"}, "campaign": {"source": "newsletter", "medium": "email", "name": "spring_sale_2024"}},
                    "messageId": f"ajs-next-{hexs(32)}", "anonymousId": uuid4(), "writeKey": alnum(32), "userId": None, "sentAt": iso(), "_metadata": {"bundled": ["Segment.io"], "unbundled": [], "bundledIds": []}}
        elif k == 1:
            host, path, ct = "api2.amplitude-like.example", "/2/httpapi", "application/json"
            body = {"api_key": hexs(32), "events": [{"device_id": uuid4(), "session_id": epoch_ms(), "time": epoch_ms(), "platform": "Web", "os_name": "Chrome", "os_version": str(b.v), "language": b.lang.split(",")[0],
                                                      "event_type": pick(["Viewed Product", "Searched", "Clicked Select Size"]), "event_properties": {"query": pick(SEARCH_TERMS), "results": R.randint(0, 200), "filters": ["brand:Acme", "price:10-100"]},
                                                      "user_properties": {"plan": pick(["free", "pro"]), "$set": {"last_seen": iso()}}, "insert_id": uuid4(), "library": "amplitude-ts/2.5.2", "user_agent": b.ua}], "options": {}}
        elif k == 2:
            host, path, ct = "o450000.ingest.sentry-like.example", f"/api/{digits(7)}/envelope/?sentry_key={hexs(32)}&sentry_version=7&sentry_client=sentry.javascript.react%2F7.109.0", "text/plain;charset=UTF-8"
            event = {"exception": {"values": [{"type": pick(["TypeError", "ChunkLoadError", "SecurityError", "ReferenceError"]),
                                               "value": pick(["Cannot read properties of undefined (reading 'map')", "Loading chunk 812 failed.\n(error: https://www.northwind-outfitters.example/_next/static/chunks/812.js)",
                                                              "Failed to read the 'localStorage' property from 'Window': Access is denied for this document.", "gtag is not defined"]),
                                               "stacktrace": {"frames": [{"filename": "https://www.northwind-outfitters.example/static/js/main.8f3a2b1c.js", "function": "ProductList", "lineno": 1, "colno": R.randint(1000, 90000), "in_app": True}]}}]},
                     "level": "error", "platform": "javascript", "request": {"url": page, "headers": {"User-Agent": b.ua, "Referer": "https://www.google.com/"}},
                     "breadcrumbs": [{"timestamp": epoch(), "category": "ui.click", "message": "button#add-to-cart > span.label"}, {"timestamp": epoch(), "category": "fetch", "data": {"method": "GET", "url": "/api/cart?include=items", "status_code": 500}, "type": "http"},
                                     {"timestamp": epoch(), "category": "console", "level": "warning", "message": "Warning: Each child in a list should have a unique \"key\" prop."}],
                     "environment": "production", "release": "web@2.4.0", "tags": {"locale": "en-US"}}
            body = "\n".join([json.dumps({"event_id": hexs(32), "sent_at": iso(), "sdk": {"name": "sentry.javascript.react", "version": "7.109.0"}}, separators=(",", ":")),
                              json.dumps({"type": "event"}), json.dumps(event, ensure_ascii=False, separators=(",", ":"))])
        elif k == 3:
            host, path, ct = "www.northwind-outfitters.example", pick(["/csp-report", "/_/csp?report-uri"]), "application/csp-report"
            body = {"csp-report": {"document-uri": page, "referrer": "", "violated-directive": "script-src-elem", "effective-directive": "script-src-elem",
                                   "original-policy": "default-src 'self'; script-src 'self' https://www.googletagmanager.com 'nonce-" + b64(16) + "'; img-src * data:; report-uri /csp-report",
                                   "disposition": "enforce", "blocked-uri": pick(["https://connect.facebook.net", "inline", "eval", "chrome-extension"]), "line-number": R.randint(1, 400),
                                   "column-number": R.randint(1, 80), "source-file": page.split("?")[0], "status-code": 200, "script-sample": pick(["", "window.dataLayer = window.dataLayer || [];", "(function(w,d,s,l,i){w[l]=w[l]||[];"])}}
        elif k == 4:
            host, path, ct = pick(SITES["news"][0]), pick(["/api/vitals", "/_vercel/insights/vitals", "/rum"]), "text/plain;charset=UTF-8"
            body = {"name": pick(["LCP", "CLS", "INP", "FCP", "TTFB"]), "value": round(R.uniform(0, 4000), 2), "rating": pick(["good", "needs-improvement", "poor"]), "delta": round(R.uniform(0, 400), 2),
                    "id": f"v3-{epoch_ms()}-{digits(13)}", "navigationType": pick(["navigate", "reload", "back-forward"]), "page": page.split(".example")[1], "connection": pick(["4g", "wifi"])}
        else:
            host, path, ct = "plausible.metro-tribune.example", "/api/event", "text/plain"
            body = {"n": pick(["pageview", "Outbound Link: Click", "Signup"]), "u": page, "d": "metro-tribune.example", "r": pick(EXTERNAL_REFERERS + [None]), "w": pick([1440, 390, 1920]), "h": 0, "p": {"author": f"{pick(FIRST)} {pick(LAST)}"} if chance(0.4) else None}
        text = body if isinstance(body, str) else jdump(body, compact=True)
        origin = page.split(".example")[0] + ".example"
        hdrs = b.headers(host, "xhr", page, "cross-site", None, [["Content-Type", ct], ["Origin", origin]], accept="*/*")
        return C.add("analytics.jsonl", "analytics", f"{b.label} analytics beacon ({path.split('?')[0]})", "POST", path, hdrs, text)

    def mixpanel():
        b = Browser()
        data = {"event": pick(["Viewed Page", "Sign Up Clicked", "Search"]), "properties": {"$os": "Windows", "$browser": "Chrome", "$current_url": "https://app.metricly.example" + saas_page(), "$browser_version": b.v,
                                                                                              "$screen_height": 1080, "$screen_width": 1920, "mp_lib": "web", "$lib_version": "2.50.0", "$insert_id": alnum(16), "time": epoch() + 0.123,
                                                                                              "distinct_id": f"$device:{hexs(14)}", "$device_id": hexs(14), "token": hexs(32), "search_term": pick(SEARCH_TERMS)}}
        payload = base64.b64encode(json.dumps(data, ensure_ascii=False).encode()).decode()
        if chance(0.5):
            return C.add("analytics.jsonl", "analytics", f"{b.label} Mixpanel-style track (GET)", "GET", f"/track/?data={pq(payload, safe='')}&ip=1&_={epoch_ms()}",
                         b.headers("api-js.mixpanel-like.example", "xhr", "https://app.metricly.example/", "cross-site", None, accept="*/*"))
        return C.add("analytics.jsonl", "analytics", f"{b.label} Mixpanel-style track (POST)", "POST", f"/track/?verbose=1&ip=1&_={epoch_ms()}",
                     b.headers("api-js.mixpanel-like.example", "xhr", "https://app.metricly.example/", "cross-site", None,
                               [["Content-Type", "application/x-www-form-urlencoded"], ["Origin", "https://app.metricly.example"]], accept="*/*"), "data=" + q(payload))

    makers = [ga4, ga4, pixel, pixel, json_beacon, json_beacon, json_beacon, mixpanel]
    fill(n, lambda: pick(makers)())


# --------------------------------------------------------------------------
# A paste / snippet app (code that is not shell or SQL), and a BI tool that
# accepts raw SQL (tagged sql-tool: needs a scoped policy exclusion).

SNIPPETS = [
    ("python", "fizzbuzz.py", 'def fizzbuzz(n: int) -> list[str]:\n    out = []\n    for i in range(1, n + 1):\n        if i % 15 == 0:\n            out.append("FizzBuzz")\n        elif i % 3 == 0:\n            out.append("Fizz")\n        elif i % 5 == 0:\n            out.append("Buzz")\n        else:\n            out.append(str(i))\n    return out\n'),
    ("python", "prices.py", 'import csv\nfrom pathlib import Path\n\n\ndef load_prices(path: Path) -> dict[str, float]:\n    with path.open(newline="", encoding="utf-8") as f:\n        return {row["sku"]: float(row["price"]) for row in csv.DictReader(f)}\n'),
    ("python", "main.py", '@app.get("/items/{item_id}")\nasync def read_item(item_id: int, q: str | None = None):\n    return {"item_id": item_id, "q": q}\n'),
    ("python", "retry.py", 'def retry(times=3, delay=0.5):\n    def wrap(fn):\n        @functools.wraps(fn)\n        def inner(*args, **kwargs):\n            for attempt in range(times):\n                try:\n                    return fn(*args, **kwargs)\n                except ConnectionError:\n                    time.sleep(delay * 2 ** attempt)\n            return fn(*args, **kwargs)\n        return inner\n    return wrap\n'),
    ("javascript", "debounce.js", "export const debounce = (fn, ms = 300) => {\n  let t;\n  return (...args) => {\n    clearTimeout(t);\n    t = setTimeout(() => fn(...args), ms);\n  };\n};\n"),
    ("javascript", "api.js", "async function getUser(id) {\n  const res = await fetch(`/api/users/${id}`, { headers: { Accept: 'application/json' } });\n  if (!res.ok) throw new Error(`HTTP ${res.status}`);\n  return res.json();\n}\n"),
    ("javascript", "tabs.js", "document.querySelectorAll('.tab').forEach((el) => {\n  el.addEventListener('click', () => el.classList.toggle('active'));\n});\n"),
    ("typescript", "format.ts", "export function formatPrice(cents: number, currency = 'EUR', locale = 'de-DE'): string {\n  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);\n}\n"),
    ("rust", "count.rs", "use std::collections::HashMap;\n\nfn word_count(text: &str) -> HashMap<&str, usize> {\n    let mut counts = HashMap::new();\n    for word in text.split_whitespace() {\n        *counts.entry(word).or_insert(0) += 1;\n    }\n    counts\n}\n"),
    ("go", "hello.go", 'func handler(w http.ResponseWriter, r *http.Request) {\n\tname := r.URL.Query().Get("name")\n\tif name == "" {\n\t\tname = "world"\n\t}\n\tfmt.Fprintf(w, "hello, %s\\n", name)\n}\n'),
    ("css", "card.css", ".card:hover {\n  transform: translateY(-2px);\n  box-shadow: 0 4px 12px rgba(0, 0, 0, .15);\n}\n\n@media (max-width: 600px) {\n  .grid { grid-template-columns: 1fr; }\n}\n"),
    ("yaml", "ci.yml", "name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n      - run: npm ci\n      - run: npm test\n"),
    ("toml", "Cargo.toml", '[package]\nname = "word-count"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nserde = { version = "1", features = ["derive"] }\n'),
    ("json", "tsconfig.json", '{\n  "compilerOptions": {\n    "target": "ES2022",\n    "module": "NodeNext",\n    "strict": true,\n    "outDir": "dist",\n    "paths": { "@/*": ["./src/*"] }\n  },\n  "include": ["src/**/*.ts"]\n}\n'),
    ("java", "Point.java", "public record Point(int x, int y) {\n    public double distanceTo(Point other) {\n        return Math.hypot(other.x - x, other.y - y);\n    }\n}\n"),
    ("kotlin", "Greeter.kt", 'fun greet(name: String?): String = "Hello, ${name ?: "world"}!"\n'),
    ("swift", "Temperature.swift", "struct Temperature {\n    var celsius: Double\n    var fahrenheit: Double { celsius * 9 / 5 + 32 }\n}\n"),
    ("c", "hello.c", '#include <stdio.h>\n\nint main(void) {\n    char name[64];\n    if (fgets(name, sizeof name, stdin))\n        printf("Hello, %s", name);\n    return 0;\n}\n'),
    ("html", "card.html", '<div class="card">\n  <img src="/img/avatar.png" alt="Zoë\'s avatar" width="64" height="64">\n  <h3>Zoë O\'Connor</h3>\n  <p>Designer &amp; illustrator</p>\n</div>\n'),
    ("markdown", "README.md", MARKDOWN_DOCS[1]),
]

SQL_TOOL = [
    ("/api/dataset", lambda s: {"database": 1, "type": "native", "native": {"query": s, "template-tags": {}}, "parameters": []}),
    ("/api/query_results", lambda s: {"query": s, "data_source_id": 2, "max_age": 0, "parameters": {}}),
    ("/api/v1/sqllab/execute/", lambda s: {"database_id": 1, "sql": s, "schema": "public", "runAsync": False, "tab": "Untitled Query 3", "queryLimit": 1000}),
    ("/api/ds/query", lambda s: {"queries": [{"refId": "A", "datasource": {"type": "grafana-postgresql-datasource", "uid": "pg-prod"}, "rawSql": s, "format": "table"}]}),
    ("/api/notebooks/cells/run", lambda s: {"cell_id": uuid4(), "language": "sql", "sql": s}),
]
SQL_QUERIES = [
    "SELECT country, COUNT(*) AS orders, SUM(total) AS revenue\nFROM orders\nWHERE created_at >= '2024-01-01'\nGROUP BY country\nORDER BY revenue DESC\nLIMIT 20",
    "SELECT u.id, u.email\nFROM users u\nLEFT JOIN orders o ON o.user_id = u.id\nWHERE o.id IS NULL AND u.created_at < now() - interval '90 days'",
    "SELECT 'web' AS channel, count(*) FROM web_orders\nUNION ALL\nSELECT 'app', count(*) FROM app_orders",
    "SELECT date_trunc('week', created_at) AS week, count(DISTINCT user_id) AS wau\nFROM events\nWHERE name = 'login'\nGROUP BY 1\nORDER BY 1",
    "SELECT id, name, brand FROM products WHERE name ILIKE '%o''reilly%' OR brand = 'O''Reilly'",
    "SELECT table_name, column_name, data_type\nFROM information_schema.columns\nWHERE table_schema = 'public'\nORDER BY table_name, ordinal_position",
    "WITH monthly AS (\n  SELECT date_trunc('month', paid_at) AS m, sum(amount) AS total\n  FROM payments WHERE status = 'succeeded' GROUP BY 1\n)\nSELECT m, total, total - lag(total) OVER (ORDER BY m) AS delta FROM monthly",
    "SELECT status, avg(amount)::numeric(10,2)\nFROM payments\nWHERE status IN ('failed', 'refunded') AND created_at BETWEEN '2024-03-01' AND '2024-03-31'\nGROUP BY status",
    "SELECT id, payload->>'utm_source' AS source\nFROM sessions\nWHERE payload->>'utm_campaign' = 'spring_sale_2024'\nLIMIT 100",
    "CREATE TABLE scratch.q1_summary AS\nSELECT region, sum(revenue) AS revenue FROM sales WHERE quarter = '2024-Q1' GROUP BY region;\nSELECT * FROM scratch.q1_summary ORDER BY revenue DESC",
]


def gen_paste(n):
    def make():
        lang, fname, code = pick(SNIPPETS)
        host = pick(["paste.acme.example", "gist.code-share.example", "snippets.devtools.example"])
        if chance(0.5):
            body = jdump({"title": fname, "language": lang, "content": code, "expiration": pick(["1h", "1d", "1w", "never"]), "visibility": pick(["public", "unlisted", "private"])})
            hdrs = api_headers(host, "browser", content_type="application/json")
        else:
            body = qs([("title", fname), ("syntax", lang), ("code", code), ("expire", "1W"), ("csrf_token", csrf())])
            hdrs = Browser().headers(host, "navigate", f"https://{host}/", "same-origin", cookie_header("docs"),
                                     [["Content-Type", "application/x-www-form-urlencoded"], ["Origin", f"https://{host}"], ["Cache-Control", "max-age=0"]])
        return C.add("paste.jsonl", "paste-app", f"paste a {lang} snippet ({fname})", "POST", pick(["/api/pastes", "/paste", "/gists", "/api/v1/snippets"]), hdrs, body)

    fill(n, make)
    for i, sql in enumerate(SQL_QUERIES):
        path, wrap = SQL_TOOL[i % len(SQL_TOOL)]
        host = pick(["bi.acme.example", "metabase.metricly.example", "redash.internal.example", "superset.acme.example"])
        C.add("sql-tool.jsonl", "sql-tool", f"BI tool runs an analyst's SQL ({path})", "POST", path,
              api_headers(host, "browser", content_type="application/json"), jdump(wrap(sql)))


# --------------------------------------------------------------------------
# HTML form posts (application/x-www-form-urlencoded).

MESSAGES = [
    "Hi,\n\nI ordered a shirt (order #1042) on the 3rd and it still hasn't arrived. Could you check where it is?\n\nThanks,\n{first}",
    "Hello! Do you ship to Northern Ireland? The checkout won't let me select a county.",
    "Hi there — I'd like to book a table for 6 on Saturday at 7:30pm. One guest is vegan & one is coeliac. Is that OK?",
    "Bonjour, est-ce que vous livrez à Saint-Jean-d'Angély ? Merci d'avance !",
    "Can you send me a quote for 200 units of the \"Union Square\" tote with our logo? Deadline is 15/06.",
    "I think there's a typo on your About page: 'it's' should be 'its' in the 2nd paragraph :)",
    "We're a small non-profit (registered charity #1234567) and we'd love to use your software. Do you offer discounts?",
    "My son's name is D'Angelo and your form keeps telling me the name is invalid. Please fix!",
    "Question about the warranty: the drop test video says 1.5 m, but the manual says 1 m. Which one is right?",
    "Hallo, ich habe mein Passwort vergessen und die E-Mail zum Zurücksetzen kommt nicht an. Grüße aus Köln",
    "Please remove me from the mailing list. Email: {email}",
    "Hi, I'm from the local union branch — can we arrange a call about the event sponsorship next month?",
    "Looking for the exec assistant role posted on LinkedIn — is it still open? CV attached via your portal.",
    "The product page says 5' 11\" but the size chart says 180 cm. Which is the model's height?",
    "I've been a customer since 2015 <3 — just wanted to say your support team is amazing.",
]


def form_post():
    p = person()
    a = pick(ADDRESSES)
    msg = pick(MESSAGES).format(first=p["first"], email=p["email"]).replace("\n", "\r\n")
    k = R.randrange(20)
    if k == 0:
        return "www.kettle-and-cask.example", "/contact", "contact form", [("name", f"{p['first']} {p['last']}"), ("email", p["email"]), ("phone", a[6]),
                                                                          ("subject", pick(["Order enquiry", "Wholesale", "Feedback", "Other"])), ("message", msg), ("consent", "on"), ("website", "")]
    if k == 1:
        ln = [("billing_first_name", p["first"]), ("billing_last_name", p["last"]), ("billing_company", pick(["", "O'Reilly & Sons Ltd.", "Acme, Inc."])),
              ("billing_country", a[5]), ("billing_address_1", a[0]), ("billing_address_2", a[1]), ("billing_city", a[2]), ("billing_state", a[3]),
              ("billing_postcode", a[4]), ("billing_phone", a[6]), ("billing_email", p["email"]), ("shipping_first_name", ""), ("shipping_last_name", ""),
              ("order_comments", pick(["", "Please leave at the back door — don't ring the bell, baby sleeping!", "Gift: please don't include the receipt", "Call on arrival: " + a[6]])),
              ("payment_method", pick(["stripe", "ppcp-gateway", "bacs"])), ("terms", "on"), ("terms-field", "1"),
              ("woocommerce-process-checkout-nonce", hexs(10)), ("_wp_http_referer", "/?wc-ajax=update_order_review")]
        return "shop.lumen-home.example", "/?wc-ajax=checkout", "WooCommerce checkout", ln
    if k == 2:
        return "blog.greenleaf-gardens.example", "/wp-comments-post.php", "WordPress comment", [
            ("comment", pick(COMMENTS).replace("\n", "\r\n")), ("author", f"{p['first']} {p['last']}"), ("email", p["email"]), ("url", pick(["", f"https://{slug(p['last'])}.example/"])),
            ("wp-comment-cookies-consent", "yes"), ("submit", "Post Comment"), ("comment_post_ID", str(R.randint(10, 5000))), ("comment_parent", pick(["0", str(R.randint(1, 900))])),
            ("akismet_comment_nonce", hexs(10)), ("ak_hp_textarea", ""), ("ak_js", str(epoch_ms()))]
    if k == 3:
        return "blog.greenleaf-gardens.example", "/wp-login.php", "WordPress login", [("log", pick(["admin", p["email"], "siobhan.ob"])), ("pwd", pick(PASSWORDS)), ("rememberme", "forever"),
                                                                                     ("wp-submit", "Log In"), ("redirect_to", "https://blog.greenleaf-gardens.example/wp-admin/"), ("testcookie", "1")]
    if k == 4:
        return "www.city-of-riverton.example", "/user/login?destination=/node/12", "Drupal login", [("name", p["email"]), ("pass", pick(PASSWORDS)), ("form_build_id", "form-" + b64url(32)),
                                                                                                   ("form_id", "user_login_form"), ("op", "Log in")]
    if k == 5:
        return "app.shipfast.example", "/users/sign_in", "Rails login", [("authenticity_token", b64(64)), ("user[email]", p["email"]), ("user[password]", pick(PASSWORDS)),
                                                                        ("user[remember_me]", pick(["0", "1"])), ("commit", "Log in")]
    if k == 6:
        return "dashboard.acme.example", "/accounts/login/?next=/reports/%3Fyear%3D2024", "Django login", [("csrfmiddlewaretoken", alnum(64)), ("username", p["email"]),
                                                                                                          ("password", pick(PASSWORDS)), ("next", "/reports/?year=2024")]
    if k == 7:
        return "portal.aurora-insurance.example", "/Account/Login.aspx?ReturnUrl=%2fPolicies%2fDefault.aspx", "ASP.NET WebForms login", [
            ("__EVENTTARGET", ""), ("__EVENTARGUMENT", ""), ("__VIEWSTATE", "/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWAgIBD2QWAgIFDw8WAh4EVGV4dAUA" + b64(300)),
            ("__VIEWSTATEGENERATOR", hexs(8).upper()), ("__EVENTVALIDATION", "/wEdAAT" + b64(120)), ("ctl00$MainContent$Email", p["email"]),
            ("ctl00$MainContent$Password", pick(PASSWORDS)), ("ctl00$MainContent$RememberMe", "on"), ("ctl00$MainContent$LoginButton", "Log in")]
    if k == 8:
        return "app.metricly.example", "/Identity/Account/Login?ReturnUrl=%2Fdashboard", "ASP.NET Core login", [("Input.Email", p["email"]), ("Input.Password", pick(PASSWORDS)),
                                                                                                               ("Input.RememberMe", pick(["true", "false"])), ("__RequestVerificationToken", "CfDJ8" + b64url(140))]
    if k == 9:
        return "www.kettle-and-cask.example", "/login", "Laravel login", [("_token", alnum(40)), ("email", p["email"]), ("password", pick(PASSWORDS)), ("remember", "on")]
    if k == 10:
        u, i = hexs(25), hexs(10)
        return "acme.us21.list-manage.example", f"/subscribe/post?u={u}&id={i}&f_id={hexs(12)}", "Mailchimp signup", [("EMAIL", p["email"]), ("FNAME", p["first"]), ("LNAME", p["last"]),
                                                                                                                   (f"b_{u}_{i}", ""), ("subscribe", "Subscribe")]
    if k == 11:
        return "news.harbour-times.example", "/newsletter/subscribe", "newsletter", [("email", p["email"]), ("lists[]", "morning-briefing"), ("lists[]", pick(["weekend", "tech", "opinion"])),
                                                                                    ("source", pick(["footer", "article-inline", "exit-modal"])), ("consent", "1")]
    if k == 12:
        return "app.shipfast.example", "/account/profile", "Rails profile update", [("_method", "patch"), ("authenticity_token", b64(64)), ("user[name]", f"{p['first']} {p['last']}"),
                                                                                   ("user[phone]", a[6]), ("user[address_attributes][street]", a[0]), ("user[address_attributes][city]", a[2]),
                                                                                   ("user[address_attributes][zip]", a[4]), ("user[address_attributes][country]", a[5]), ("user[bio]", pick(REVIEWS[:5] + ["", "Gardener & amateur baker 🍞"])), ("commit", "Save")]
    if k == 13:
        return "www.city-of-riverton.example", "/search", "site search (POST)", [("keywords", pick(SEARCH_TERMS)), ("category", pick(["all", "news", "services"])), ("sort", "relevance")]
    if k == 14:
        return "docs.google-like.example", f"/forms/d/e/1FAIpQL{b64url(40)}/formResponse", "Google Forms-style response", [
            (f"entry.{digits(9)}", f"{p['first']} {p['last']}"), (f"entry.{digits(9)}", pick(["Option 1", "Yes, definitely!", "Not sure / maybe"])), (f"entry.{digits(9)}", pick(REVIEWS)),
            ("fvv", "1"), ("partialResponse", f'[null,null,"-{digits(19)}"]'), ("pageHistory", "0"), ("fbzx", f"-{digits(19)}")]
    if k == 15:
        return "webto.salesforce-like.example", "/servlet/servlet.WebToLead?encoding=UTF-8", "web-to-lead", [("oid", "00D" + alnum(12)), ("retURL", "https://www.acme.example/thanks?src=contact"),
                                                                                                              ("first_name", p["first"]), ("last_name", p["last"]), ("company", pick(["O'Reilly & Sons", "Müller GmbH & Co. KG"])),
                                                                                                              ("email", p["email"]), ("phone", a[6]), ("00N5e00000" + alnum(5), msg), ("lead_source", "Web")]
    if k == 16:
        return "www.stayfinder.example", "/booking/confirm", "hotel booking form", [("hotel_id", str(R.randint(100, 999))), ("checkin", day()), ("checkout", day(3)), ("guests", "2"),
                                                                                    ("guest_name", f"{p['first']} {p['last']}"), ("email", p["email"]), ("phone", a[6]),
                                                                                    ("special_requests", pick(["Late check-in (after 11pm) — flight lands at 22:40", "Quiet room away from the lift, please", "Cot for a 1-year-old & extra towels", ""])),
                                                                                    ("arrival_time", "22:00-23:00"), ("csrf_token", csrf())]
    if k == 17:
        pareq = base64.b64encode(zlib.compress(f'<ThreeDSecure><Message id="{hexs(16)}"><PAReq><version>1.0.2</version><Merchant><acqBIN>412345</acqBIN><merID>{digits(9)}</merID><name>Kettle &amp; Cask</name></Merchant><Purchase><xid>{b64(20)}</xid><amount>{R.randint(5, 500)}.00</amount><currency>978</currency><exponent>2</exponent></Purchase></PAReq></Message></ThreeDSecure>'.encode())).decode()
        return "acs.issuer-bank.example", "/acs/pareq", "3-D Secure ACS redirect", [("PaReq", pareq), ("TermUrl", "https://www.kettle-and-cask.example/checkout/3ds/return"), ("MD", b64url(24))]
    if k == 18:
        return "www.daily-ledger.example", "/account/register", "registration", [("first_name", p["first"]), ("last_name", p["last"]), ("email", p["email"]), ("password", (pw := pick(PASSWORDS))),
                                                                                ("password_confirmation", pw), ("country", a[5]), ("dob_day", str(R.randint(1, 28))), ("dob_month", str(R.randint(1, 12))),
                                                                                ("dob_year", str(R.randint(1950, 2005))), ("terms", "1"), ("g-recaptcha-response", "03AFcWeA" + b64url(300))]
    return "www.metro-tribune.example", "/feedback", "feedback form", [("rating", str(R.randint(1, 5))), ("comment", pick(COMMENTS + REVIEWS)), ("page", news_page()), ("email", pick(["", p["email"]]))]


def gen_forms(n):
    def make():
        host, path, desc, fields = form_post()
        b = Browser()
        body = "&".join(f"{q(k)}={q(v)}" for k, v in fields)
        origin = "https://" + host
        hdrs = b.headers(host, "navigate", origin + pick(["/", path.split("?")[0], "/contact", "/checkout"]), "same-origin",
                         cookie_header("wordpress" if "wp-" in path or "wc-ajax" in path else "shop", logged_in=chance(0.3)),
                         [["Content-Type", "application/x-www-form-urlencoded"], ["Origin", origin]] + ([["Cache-Control", "max-age=0"]] if chance(0.3) else []))
        return C.add("forms.jsonl", "form-post", f"{b.label} submits a {desc}", "POST", path, hdrs, body)

    fill(n, make)


# --------------------------------------------------------------------------
# multipart/form-data uploads. Bodies are UTF-8 text in this format, so a
# binary file's bytes are represented by its real magic header spelled in
# code points plus a short run of binary-looking filler.


def filler(n):
    return "".join(chr(R.choice([R.randrange(0x80, 0x100), R.randrange(0x20, 0x7f), R.randrange(0, 0x20)])) for _ in range(n))


MAGIC = {
    "image/jpeg": "\u00ff\u00d8\u00ff\u00e0\u0000\u0010JFIF\u0000\u0001\u0001\u0000\u0000\u0001\u0000\u0001\u0000\u0000\u00ff\u00db\u0000C\u0000",
    "image/png": "\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000\u0000\u0004\u0000\u0000\u0000\u0003\u0000\u0008\u0006\u0000\u0000\u0000",
    "image/heic": "\u0000\u0000\u0000\u0018ftypheic\u0000\u0000\u0000\u0000mif1heic",
    "image/webp": "RIFF\u00a4\u0011\u0000\u0000WEBPVP8 \u0098\u0011\u0000\u0000",
    "video/quicktime": "\u0000\u0000\u0000\u0014ftypqt  \u0000\u0000\u0000\u0000qt  \u0000\u0000\u0000\u0008wide",
    "application/zip": "PK\u0003\u0004\u0014\u0000\u0006\u0000\u0008\u0000\u0000\u0000!\u0000",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_content(ctype, name):
    if ctype == "application/pdf":
        title = name.rsplit(".", 1)[0]
        return (f"%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
                f"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Length 44 /Filter /FlateDecode >>\nstream\n{filler(44)}\nendstream\nendobj\n"
                f"5 0 obj\n<< /Title ({title}) /Producer (Microsoft\u00ae Word for Microsoft 365) /CreationDate (D:20240415101233+02'00') >>\nendobj\n"
                f"trailer\n<< /Size 6 /Root 1 0 R /Info 5 0 R >>\nstartxref\n{R.randint(400, 900)}\n%%EOF\n")
    if ctype == "text/csv":
        rows = ["id,name,email,amount,note"] + [f"{i},\"{x['last']}, {x['first']}\",{x['email']},{R.randint(1, 500)}.{R.randint(0, 99):02d},\"{pick(['paid', 'refund — see #1042', 'O/S', 'net 30'])}\"" for i, x in enumerate((person() for _ in range(R.randint(3, 8))), 1)]
        return "\r\n".join(rows) + "\r\n"
    if ctype == "text/plain":
        return pick(MARKDOWN_DOCS + COMMENTS)
    if ctype == "image/svg+xml":
        return '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24"><title>logo</title><path d="M12 2 2 7l10 5 10-5-10-5zm0 13-10-5v7l10 5 10-5v-7z" fill="#0a7"/></svg>\n'
    if ctype == "text/calendar":
        return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Acme//Calendar 1.0//EN\r\nBEGIN:VEVENT\r\nUID:{uuid4()}@acme.example\r\nDTSTART:20240503T090000Z\r\nDTEND:20240503T100000Z\r\nSUMMARY:Exec review – Q2 plan\r\nLOCATION:Union Station\\, Room 3B\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    if ctype in (XLSX, DOCX):
        return MAGIC["application/zip"] + ("[Content_Types].xml" if ctype == XLSX else "word/document.xml") + filler(80)
    return MAGIC.get(ctype, "") + filler(R.randint(60, 160))


UPLOAD_FILES = [
    ("IMG_2041.JPG", "image/jpeg"), ("IMG_20240415_101233.jpg", "image/jpeg"), ("Screenshot 2024-04-15 at 10.12.33.png", "image/png"),
    ("Screen Shot 2023-11-02 at 9.41.07 AM.png", "image/png"), ("Résumé 2024 (final).pdf", "application/pdf"), ("report_v2.1.xlsx", XLSX),
    ("Q1 Budget – Draft #3.xlsx", XLSX), ("photo (1).jpeg", "image/jpeg"), ("scan0001.pdf", "application/pdf"), ("invoice_INV-2024-0042.pdf", "application/pdf"),
    ("Lebenslauf_Müller.pdf", "application/pdf"), ("家族写真.jpg", "image/jpeg"), ("CV_Zoë_O'Connor.docx", DOCX), ("meeting notes 15.04.docx", DOCX),
    ("data-export-2024-04-15.csv", "text/csv"), ("logo@2x.png", "image/png"), ("avatar.webp", "image/webp"), ("logo.svg", "image/svg+xml"),
    ("WhatsApp Image 2024-04-12 at 18.22.05.jpeg", "image/jpeg"), ("PXL_20240412_172233123.MP.jpg", "image/jpeg"), ("contract (signed).pdf", "application/pdf"),
    ("Cover letter - O'Reilly Media.pdf", "application/pdf"), ("IMG_0042.HEIC", "image/heic"), ("video.mov", "video/quicktime"), ("notes.txt", "text/plain"),
    ("invite.ics", "text/calendar"), ("Rock 'n' Roll setlist.txt", "text/plain"), ("select-committee-report.pdf", "application/pdf"), ("2024-04 Kontoauszug.pdf", "application/pdf"),
]


def boundary_for(style):
    return {
        "webkit": "----WebKitFormBoundary" + alnum(16),
        "gecko": pick(["----geckoformboundary" + hexs(32), "---------------------------" + digits(29)]),
        "okhttp": uuid4(),
        "curl": "------------------------" + hexs(16),
        "python": hexs(32),
        "node": "--------------------------" + digits(24),
    }[style]


def encode_multipart(parts, boundary):
    out = []
    for part in parts:
        out.append(f"--{boundary}\r\n")
        if len(part) == 2:
            out.append(f'Content-Disposition: form-data; name="{part[0]}"\r\n\r\n{part[1]}\r\n')
        else:
            name, fname, ctype = part
            shown = fname.replace('"', "%22")
            out.append(f'Content-Disposition: form-data; name="{name}"; filename="{shown}"\r\nContent-Type: {ctype}\r\n\r\n{file_content(ctype, fname)}\r\n')
    out.append(f"--{boundary}--\r\n")
    return "".join(out)


def upload_case():
    p = person()
    f1, f2 = pick(UPLOAD_FILES), pick(UPLOAD_FILES)
    img = pick([f for f in UPLOAD_FILES if f[1].startswith("image/")])
    doc = pick([f for f in UPLOAD_FILES if f[1] in ("application/pdf", DOCX)])
    sheet = pick([f for f in UPLOAD_FILES if f[1] in (XLSX, "text/csv")])
    k = R.randrange(14)
    if k == 0:
        return "app.metricly.example", "/settings/avatar", "avatar upload", [("_csrf", csrf()), ("avatar", img[0], img[1]), ("crop", '{"x":12,"y":0,"w":512,"h":512}')]
    if k == 1:
        return "careers.acme.example", "/jobs/4821/apply", "job application", [("first_name", p["first"]), ("last_name", p["last"]), ("email", p["email"]), ("phone", pick(ADDRESSES)[6]),
                                                                             ("linkedin", f"https://www.linkedin.com/in/{slug(p['first'] + ' ' + p['last'])}/"), ("resume", doc[0], doc[1]),
                                                                             ("cover_letter", pick(MESSAGES).format(first=p["first"], email=p["email"])), ("gdpr_consent", "yes")]
    if k == 2:
        return "expenses.acme.example", "/api/receipts", "expense receipt", [("amount", f"{R.randint(3, 300)}.{R.randint(0, 99):02d}"), ("currency", "EUR"),
                                                                            ("category", pick(["Meals & Entertainment", "Travel", "Office supplies"])), ("note", pick(["Lunch w/ client @ Luigi's", "Taxi: Union Station → office", "USB-C cables (2x)"])),
                                                                            ("receipt", img[0], img[1])]
    if k == 3:
        return "app.shipfast.example", "/imports", "spreadsheet import", [("authenticity_token", b64(64)), ("import[kind]", pick(["contacts", "products", "orders"])),
                                                                         ("import[file]", sheet[0], sheet[1]), ("import[has_header]", "1"), ("commit", "Upload")]
    if k == 4:
        return "support.shipfast.example", "/api/v2/uploads", "support attachment", [("ticket_id", str(R.randint(10000, 99999))), ("comment", pick(COMMENTS + REVIEWS)), ("files[]", f1[0], f1[1]), ("files[]", f2[0], f2[1])]
    if k == 5:
        return "blog.greenleaf-gardens.example", "/wp-admin/async-upload.php", "WordPress media upload", [("name", img[0]), ("action", "upload-attachment"), ("_wpnonce", hexs(10)),
                                                                                                         ("post_id", str(R.randint(10, 5000))), ("async-upload", img[0], img[1])]
    if k == 6:
        return "blog.greenleaf-gardens.example", f"/wp-json/contact-form-7/v1/contact-forms/{R.randint(5, 900)}/feedback", "Contact Form 7", [
            ("_wpcf7", str(R.randint(5, 900))), ("_wpcf7_version", "5.9.3"), ("_wpcf7_locale", pick(["en_US", "fr_FR", "de_DE"])), ("_wpcf7_unit_tag", f"wpcf7-f{R.randint(5, 900)}-p{R.randint(5, 900)}-o1"),
            ("_wpcf7_container_post", str(R.randint(5, 900))), ("_wpcf7_posted_data_hash", ""), ("your-name", f"{p['first']} {p['last']}"), ("your-email", p["email"]),
            ("your-subject", pick(["Question about tomatoes", "Workshop booking", "Hello!"])), ("your-message", pick(MESSAGES).format(first=p["first"], email=p["email"]))]
    if k == 7:
        ops = {"operationName": "UploadAttachment", "variables": {"file": None, "caption": pick(["Union Station at dusk", "Our new café ☕", "Before/after"])},
               "query": "mutation UploadAttachment($file: Upload!, $caption: String) { uploadAttachment(file: $file, caption: $caption) { id url } }"}
        return "graph.acme.example", "/graphql", "GraphQL multipart upload", [("operations", json.dumps(ops, ensure_ascii=False)), ("map", '{"0":["variables.file"]}'), ("0", img[0], img[1])]
    if k == 8:
        html = f'<div dir="ltr">Hi team,<div><br></div><div>Please find the invoice attached. Let me know if the PO number (#4500012345) is missing.</div><div><br></div><div>Thanks,<br>{p["first"]}</div></div>\r\n'
        return "inbound.acme.example", "/email/inbound", "inbound email (parse webhook)", [
            ("headers", f"Received: by mx0047p1las1.sendgrid.net with SMTP id {alnum(10)}\nFrom: {p['first']} {p['last']} <{p['email']}>\nTo: invoices@acme.example\nSubject: Invoice April – {p['last']}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"000000000000{hexs(16)}\""),
            ("dkim", "{@gmail.example : pass}"), ("to", "invoices@acme.example"), ("from", f"{p['first']} {p['last']} <{p['email']}>"), ("subject", f"Invoice April – {p['last']}"),
            ("text", f"Hi team,\n\nPlease find the invoice attached. Let me know if the PO number (#4500012345) is missing.\n\nThanks,\n{p['first']}\n"), ("html", html),
            ("envelope", json.dumps({"to": ["invoices@acme.example"], "from": p["email"]})), ("charsets", '{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}'),
            ("SPF", "pass"), ("attachments", "1"), ("attachment1", doc[0], doc[1])]
    if k == 9:
        return "api.chat-app.example", "/api/files.upload", "chat file upload (app)", [("channels", "C0" + alnum(9).upper()), ("initial_comment", pick(COMMENTS[:12])), ("file", f1[0], f1[1])]
    if k == 10:
        return "sign.docs-app.example", f"/envelopes/{uuid4()}/documents", "signed document upload", [("envelope_name", pick(["NDA – Acme / O'Reilly", "Lease: Flat 3B", "Offer letter"])), ("document", doc[0], doc[1]), ("signer_email", p["email"])]
    if k == 11:
        return "www.marketplace-like.example", "/listings/new", "marketplace listing", [("title", pick(["Vintage rock 'n' roll vinyl (x12)", '27" monitor – barely used', "Kids' bike 16\" – blue"])),
                                                                                       ("description", pick(REVIEWS)), ("price", str(R.randint(5, 400))), ("condition", "used_good"), ("photos[]", img[0], img[1]), ("photos[]", f2[0], f2[1]) if f2[1].startswith("image/") else ("photos[]", img[0], img[1])]
    if k == 12:
        key = f"uploads/{uuid4()}/${{filename}}"
        policy = base64.b64encode(json.dumps({"expiration": iso(epoch() + 3600).replace("Z", ".000Z"), "conditions": [{"bucket": "acme-uploads"}, ["starts-with", "$key", "uploads/"], {"acl": "private"}, ["content-length-range", 0, 10485760]]}).encode()).decode()
        return "acme-uploads.s3.amazonaws.example", "/", "direct-to-S3 browser upload", [("key", key), ("acl", "private"), ("Content-Type", img[1]), ("X-Amz-Credential", f"AKIA{alnum(16).upper()}/20240415/eu-west-1/s3/aws4_request"),
                                                                                          ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Date", "20240415T101233Z"), ("Policy", policy), ("X-Amz-Signature", hexs(64)), ("file", img[0], img[1])]
    return "tax.gov-portal.example", "/documents/upload", "government document upload", [("document_type", pick(["P60", "proof_of_address", "passport"])), ("tax_year", "2023-24"), ("upload", doc[0], doc[1]), ("declaration", "true")]


def gen_multipart(n):
    def make():
        host, path, desc, parts = upload_case()
        style = pick(["webkit", "webkit", "webkit", "gecko", "okhttp", "curl", "python", "node"])
        if desc.startswith("inbound email"):
            style = "python"  # posted by the mail provider's servers
        elif "(app)" in desc:
            style = "okhttp"
        elif "S3" in desc:
            style = pick(["webkit", "gecko"])
        boundary = boundary_for(style)
        body = encode_multipart(parts, boundary)
        ct = f"multipart/form-data; boundary={boundary}"
        if style in ("webkit", "gecko"):
            fam = "firefox" if style == "gecko" else pick(["chromium", "safari"])
            b = Browser(pick([x for x in BROWSERS if x[1] == fam]))
            origin = "https://" + (host if ".s3." not in host else "app.metricly.example")
            hdrs = b.headers(host, "xhr" if "/api/" in path or "wp-json" in path or "graphql" in path else "navigate", origin + "/",
                             "same-origin" if origin.endswith(host) else "cross-site",
                             cookie_header("wordpress" if "wp-" in path else "saas", logged_in=True), [["Content-Type", ct], ["Origin", origin]])
            label = b.label
        else:
            hdrs = api_headers(host, "app" if style == "okhttp" else "server", auth=not desc.startswith("inbound email"), content_type=ct)
            if desc.startswith("inbound email"):
                hdrs[1] = ["User-Agent", "Sendlib/1.0 server.sendgrid.net"]
            label = style
        return C.add("uploads.jsonl", "multipart", f"{label} {desc}", "POST", path, hdrs, body)

    fill(n, make)


# --------------------------------------------------------------------------
# XML: SOAP, Atom/RSS, SAML, XML-RPC, WebDAV/CalDAV, S3, UBL.


def xml_case():
    p = person()
    a = pick(ADDRESSES)
    k = R.randrange(15)
    soap11 = lambda body, header="": ('<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                                      'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
                                      f'{header}  <soap:Body>\n{body}\n  </soap:Body>\n</soap:Envelope>\n')
    if k == 0:
        body = f'    <checkVat xmlns="urn:ec.europa.eu:taxud:vies:services:checkVat:types">\n      <countryCode>{pick(["DE", "FR", "IE", "NL"])}</countryCode>\n      <vatNumber>{digits(9)}</vatNumber>\n    </checkVat>'
        return "/taxation_customs/vies/services/checkVatService", "text/xml; charset=utf-8", [["SOAPAction", '""']], soap11(body), "SOAP 1.1 VAT check"
    if k == 1:
        body = f'    <TrackRequest xmlns="http://www.shipfast.example/track/v2">\n      <TrackingNumber>1Z{alnum(16).upper()}</TrackingNumber>\n      <IncludeDetail>true</IncludeDetail>\n      <Locale>{pick(["en_US", "de_DE", "fr_FR"])}</Locale>\n    </TrackRequest>'
        return "/webservices/Track", "text/xml; charset=utf-8", [["SOAPAction", '"http://www.shipfast.example/track/v2/Track"']], soap11(body), "SOAP tracking request"
    if k == 2:
        header = (f'  <soap:Header>\n    <wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" soap:mustUnderstand="1">\n'
                  f'      <wsse:UsernameToken><wsse:Username>svc-orders</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">{pick(PASSWORDS).replace("&", "&amp;").replace("<", "&lt;")}</wsse:Password></wsse:UsernameToken>\n    </wsse:Security>\n  </soap:Header>\n')
        body = (f'    <CreateOrder xmlns="http://erp.acme.example/orders">\n      <Customer><Name>{p["first"]} {p["last"]}</Name><Email>{p["email"]}</Email></Customer>\n'
                f'      <ShipTo><Street>{a[0]}</Street><City>{a[2]}</City><Postcode>{a[4]}</Postcode><Country>{a[5]}</Country></ShipTo>\n'
                f'      <Lines><Line sku="{pick(PRODUCTS)[1]}" qty="2"/><Line sku="{pick(PRODUCTS)[1]}" qty="1"/></Lines>\n      <Note><![CDATA[{pick(REVIEWS)}]]></Note>\n    </CreateOrder>')
        return "/services/OrderService.asmx", "text/xml; charset=utf-8", [["SOAPAction", '"http://erp.acme.example/orders/CreateOrder"']], soap11(body, header), "SOAP order with WS-Security"
    if k == 3:
        env = (f'<?xml version="1.0" encoding="utf-8"?>\n<soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope">\n  <soap12:Body>\n'
               f'    <OTA_HotelAvailRQ xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0" EchoToken="{uuid4()}">\n      <AvailRequestSegments><AvailRequestSegment>\n'
               f'        <StayDateRange Start="{day()}" End="{day(4)}"/>\n        <RoomStayCandidates><RoomStayCandidate Quantity="1"><GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/></GuestCounts></RoomStayCandidate></RoomStayCandidates>\n'
               f'        <HotelSearchCriteria><Criterion><HotelRef HotelCityCode="{pick(["PAR", "LIS", "NYC"])}"/></Criterion></HotelSearchCriteria>\n      </AvailRequestSegment></AvailRequestSegments>\n    </OTA_HotelAvailRQ>\n  </soap12:Body>\n</soap12:Envelope>\n')
        return "/ota/HotelAvail", 'application/soap+xml; charset=utf-8; action="http://www.opentravel.org/OTA/2003/05/HotelAvail"', [], env, "SOAP 1.2 hotel availability"
    if k == 4:
        entry = (f'<?xml version="1.0" encoding="utf-8"?>\n<entry xmlns="http://www.w3.org/2005/Atom">\n  <title type="text">{pick(HEADLINES).replace("&", "&amp;")}</title>\n'
                 f'  <id>urn:uuid:{uuid4()}</id>\n  <updated>{iso()}</updated>\n  <author><name>{p["first"]} {p["last"]}</name></author>\n'
                 f'  <category term="{pick(["news", "recipes", "rock-n-roll"])}"/>\n  <content type="text">{pick(COMMENTS).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}</content>\n</entry>\n')
        return "/atom/posts", "application/atom+xml;type=entry", [["Slug", nslug(pick(HEADLINES))]], entry, "AtomPub new entry"
    if k == 5:
        items = "".join(f'    <item>\n      <title>{h.replace("&", "&amp;")}</title>\n      <link>https://www.daily-ledger.example/{nslug(h)}</link>\n      <guid isPermaLink="false">{uuid4()}</guid>\n      <pubDate>Mon, 15 Apr 2024 0{R.randint(0, 9)}:12:33 +0000</pubDate>\n      <description><![CDATA[<p>{h}</p>]]></description>\n    </item>\n' for h in R.sample(HEADLINES, 3))
        feed = f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n  <channel>\n    <title>Daily Ledger – Top stories</title>\n    <link>https://www.daily-ledger.example/</link>\n    <description>Latest news</description>\n{items}  </channel>\n</rss>\n'
        return f"/websub/callback/{uuid4()}", "application/rss+xml", [["Link", '<https://hub.ledger.example/>; rel="hub", <https://www.daily-ledger.example/rss.xml>; rel="self"'], ["X-Hub-Signature", "sha1=" + hexs(40)]], feed, "WebSub RSS content delivery"
    if k == 6:
        return "/saml2/sso", "text/xml; charset=utf-8", [], '<?xml version="1.0" encoding="UTF-8"?>\n' + saml_authn_request(pick(APPS) + "/saml/acs"), "SAML AuthnRequest (XML)"
    if k == 7:
        art = (f'<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
               f'<samlp:ArtifactResolve xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{hexs(32)}" Version="2.0" IssueInstant="{iso()}">'
               f'<saml:Issuer>https://sp.acme.example/metadata</saml:Issuer><samlp:Artifact>AAQAA{b64(36)}</samlp:Artifact></samlp:ArtifactResolve></SOAP-ENV:Body></SOAP-ENV:Envelope>\n')
        return "/saml2/idp/ArtifactResolutionService", "text/xml", [["SOAPAction", "http://www.oasis-open.org/committees/security"]], art, "SAML artifact resolve (SOAP binding)"
    if k == 8:
        m = pick(["wp.getUsersBlogs", "wp.getPosts", "metaWeblog.newPost", "pingback.ping"])
        if m == "metaWeblog.newPost":
            params = (f"<param><value><string>1</string></value></param><param><value><string>{p['first'].lower()}</string></value></param><param><value><string>{alnum(24)}</string></value></param>"
                      f"<param><value><struct><member><name>title</name><value><string>{pick(HEADLINES).replace('&', '&amp;')}</string></value></member>"
                      f"<member><name>description</name><value><string>&lt;p&gt;{pick(COMMENTS).replace('&', '&amp;amp;').replace('<', '&amp;lt;')}&lt;/p&gt;</string></value></member></struct></value></param>"
                      f"<param><value><boolean>1</boolean></value></param>")
        elif m == "pingback.ping":
            params = f"<param><value><string>https://blog.other-site.example/2024/04/{nslug(pick(HEADLINES))}/</string></value></param><param><value><string>https://blog.greenleaf-gardens.example/2024/04/how-to-grow-tomatoes/</string></value></param>"
        else:
            params = f"<param><value><string>{p['first'].lower()}</string></value></param><param><value><string>{alnum(24)}</string></value></param>"
        return "/xmlrpc.php", "text/xml", [], f'<?xml version="1.0"?>\n<methodCall><methodName>{m}</methodName><params>{params}</params></methodCall>\n', f"WordPress XML-RPC {m}"
    if k == 9:
        props = "".join(f"<d:{x}/>" for x in R.sample(["getlastmodified", "getcontentlength", "resourcetype", "getetag", "displayname"], 3))
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">\n  <d:prop>{props}<oc:permissions/><oc:size/><nc:has-preview/></d:prop>\n</d:propfind>\n'
        return f"/remote.php/dav/files/{p['first'].lower()}/{pq(pick(['Documents', 'Photos/2024', 'Résumé 2024', 'Shared with me']))}/", "application/xml; charset=utf-8", [["Depth", "1"]], body, "WebDAV PROPFIND"
    if k == 10:
        body = (f'<?xml version="1.0" encoding="utf-8" ?>\n<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">\n  <d:prop><d:getetag/><c:calendar-data/></d:prop>\n'
                f'  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20240401T000000Z" end="20240501T000000Z"/></c:comp-filter></c:comp-filter></c:filter>\n</c:calendar-query>\n')
        return f"/remote.php/dav/calendars/{p['first'].lower()}/personal/", "application/xml; charset=utf-8", [["Depth", "1"]], body, "CalDAV REPORT"
    if k == 11:
        parts = "".join(f"<Part><PartNumber>{i}</PartNumber><ETag>\"{hexs(32)}\"</ETag></Part>" for i in range(1, R.randint(2, 6)))
        return f"/exports/report_v2.1.xlsx?uploadId={b64url(48)}", "application/xml", [], f'<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{parts}</CompleteMultipartUpload>', "S3 CompleteMultipartUpload"
    if k == 12:
        inv = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:tc:opendocument:xmlns:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">\n'
               f'  <cbc:ID>INV-2024-{R.randint(1, 999):04d}</cbc:ID>\n  <cbc:IssueDate>{day()}</cbc:IssueDate>\n  <cbc:Note>{pick(["Payment within 30 days", "Thanks for your business & see you soon!", "PO #4500012345"]).replace("&", "&amp;")}</cbc:Note>\n'
               f'  <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>{pick(["O&apos;Reilly &amp; Sons Ltd.", "Müller GmbH &amp; Co. KG", "Acme, Inc."])}</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>\n'
               f'  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">{R.randint(10, 9000)}.00</cbc:PayableAmount></cac:LegalMonetaryTotal>\n</Invoice>\n')
        return "/api/einvoices", "application/xml", [], inv, "UBL e-invoice"
    if k == 13:
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<order id="{R.randint(1000, 9999)}" currency="EUR">\n  <customer email="{p["email"]}">{p["first"]} {p["last"].replace(chr(39), "&apos;")}</customer>\n  <item sku="{pick(PRODUCTS)[1]}" qty="1">{pick(PRODUCTS)[0].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}</item>\n  <note>{pick(REVIEWS).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}</note>\n</order>\n'
        return "/api/orders.xml", "application/xml", [], body, "XML order"
    sitemap = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "".join(
        f"  <url><loc>https://www.daily-ledger.example/{nslug(h)}</loc><lastmod>{day()}</lastmod><changefreq>daily</changefreq><priority>0.8</priority></url>\n" for h in R.sample(HEADLINES, 4)) + "</urlset>\n"
    return "/api/sitemaps/upload", "application/xml", [], sitemap, "sitemap upload"


def gen_xml(n):
    def make():
        path, ct, extra, body, desc = xml_case()
        host = pick(["ws.acme.example", "ec.europa-like.example", "idp.acme.example", "cloud.nextcloud-like.example", "erp.acme.example", "blog.greenleaf-gardens.example"])
        hdrs = api_headers(host, "server", auth="xmlrpc" not in path and "saml" not in path.lower() and chance(0.6), content_type=ct, accept="text/xml, application/xml, */*", extra=extra)
        method = "PROPFIND" if "PROPFIND" in desc else "REPORT" if "REPORT" in desc else "POST"
        if "nextcloud" in host or method != "POST":
            hdrs[1] = ["User-Agent", pick(["Mozilla/5.0 (Windows) mirall/3.12.3 (build 20240411) (Nextcloud, windows-10.0.22631 ClientArchitecture: x86_64 OsArchitecture: x86_64)",
                                           "DAVx5/4.3.16-ose (2024/04/02; dav4jvm; okhttp/4.12.0) Android/14", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) macOS/14.4.1 (23E224) dataaccessd/1.0"])]
        return C.add("xml.jsonl", "xml", desc, method, path, hdrs, body)

    fill(n, make)
    for target in ["https://www.daily-ledger.example/sitemap_index.xml", "https://blog.greenleaf-gardens.example/wp-sitemap.xml", "https://www.kettle-and-cask.example/sitemap.xml?lang=fr&v=2"]:
        C.add("xml.jsonl", "xml", "sitemap ping", "GET", f"/ping?sitemap={q(target)}", [["Host", "www.search-engine.example"], ["User-Agent", "WordPress/6.5.2; https://blog.greenleaf-gardens.example"], ["Accept", "*/*"]])
        C.add("xml.jsonl", "xml", "IndexNow ping", "GET", f"/indexnow?url={q(target.replace('sitemap', 'news/latest'))}&key={hexs(32)}", [["Host", "api.indexnow-like.example"], ["User-Agent", "Yoast SEO/22.5"], ["Accept", "*/*"]])


# --------------------------------------------------------------------------
# Webhooks.

COMMIT_MESSAGES = ["Fix off-by-one in pagination", "Add 'select all' checkbox to bulk actions", "Drop support for Node 16",
                   "Merge pull request #1234 from acme/feature/union-types", 'Revert "Use fetch() instead of XHR"', "docs: explain where the logs go (/var/log/app.log)",
                   "chore(deps): bump serde from 1.0.197 to 1.0.198", "Handle O'Brien-style names in the CSV export", "Update README.md",
                   "feat(search): support quoted phrases like \"rock 'n' roll\"", "Refactor exec summary widget; remove dead code", "WIP"]


def webhook_case():
    p = person()
    a = pick(ADDRESSES)
    k = R.randrange(12)
    if k <= 1:
        typ = pick(["payment_intent.succeeded", "checkout.session.completed", "invoice.paid", "charge.refunded", "customer.subscription.updated"])
        obj = {"id": pick(["pi_", "cs_live_", "in_", "ch_", "sub_"]) + alnum(24), "object": typ.split(".")[0], "amount": R.randint(100, 99999), "currency": pick(["usd", "eur", "gbp"]),
               "customer": "cus_" + alnum(14), "description": pick(["Order #1042 — Ben & Jerry's gift box", "Pro plan (annual)", "Invoice INV-2024-0042", None]),
               "metadata": {"order_id": str(R.randint(1000, 9999)), "note": pick(["", "rush delivery", "gift for D'Angelo"])}, "receipt_email": p["email"],
               "shipping": {"address": {"city": a[2], "country": a[5], "line1": a[0], "line2": a[1] or None, "postal_code": a[4], "state": a[3]}, "name": f"{p['first']} {p['last']}", "phone": a[6]},
               "status": "succeeded", "livemode": False}
        body = {"id": "evt_" + alnum(24), "object": "event", "api_version": "2023-10-16", "created": epoch(), "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
                "request": {"id": "req_" + alnum(14), "idempotency_key": uuid4()}, "type": typ}
        return "/webhooks/stripe", [["User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"], ["Content-Type", "application/json; charset=utf-8"],
                                    ["Stripe-Signature", f"t={epoch()},v1={hexs(64)},v0={hexs(64)}"]], jdump(body, compact=False), f"Stripe {typ}"
    if k <= 3:
        event = pick(["push", "pull_request", "issue_comment", "issues", "workflow_run"])
        repo = {"id": R.randint(1000000, 999999999), "full_name": "acme/web", "private": True, "html_url": "https://github.example/acme/web", "default_branch": "main"}
        sender = {"login": pick(["zoe-oc", "dangelo", "siobhan-ob", "dependabot[bot]"]), "id": R.randint(1000, 9999999), "type": "User"}
        if event == "push":
            commits = [{"id": hexs(40), "message": pick(COMMIT_MESSAGES), "timestamp": iso(), "author": {"name": f"{p['first']} {p['last']}", "email": p["email"]},
                        "added": [], "removed": [], "modified": [pick(["src/lib.rs", "README.md", "web/src/select.tsx", "db/migrations/0042_drop_legacy_column.sql"])]} for _ in range(R.randint(1, 3))]
            body = {"ref": "refs/heads/" + pick(["main", "feature/union-types", "fix/o-brien-names"]), "before": hexs(40), "after": hexs(40), "repository": repo, "pusher": {"name": sender["login"], "email": p["email"]},
                    "sender": sender, "created": False, "deleted": False, "forced": False, "commits": commits, "head_commit": commits[-1]}
        else:
            text = pick(["Steps to reproduce:\n1. Run `cargo build --release`\n2. Open /settings\n\n```\nerror[E0502]: cannot borrow `v` as mutable because it is also borrowed as immutable\n```",
                         "LGTM 👍 — one nit: can we drop the unused `select` import?", "Where is the union type defined? I can't find it in `types.ts`.",
                         "Closing as duplicate of #1142. Thanks for the report, @" + sender["login"] + "!", pick(FORUM_POSTS)])
            body = {"action": pick(["opened", "created", "closed", "completed", "synchronize"]), "number": R.randint(1, 5000),
                    "issue" if event.startswith("issue") else "pull_request": {"title": pick(COMMIT_MESSAGES), "body": text, "state": "open", "user": sender, "labels": [{"name": "bug"}]},
                    "comment": {"body": text, "user": sender} if event == "issue_comment" else None, "repository": repo, "sender": sender}
        return "/webhooks/github", [["User-Agent", f"GitHub-Hookshot/{hexs(7)}"], ["Content-Type", "application/json"], ["X-GitHub-Event", event], ["X-GitHub-Delivery", uuid4()],
                                    ["X-GitHub-Hook-ID", digits(9)], ["X-Hub-Signature", "sha1=" + hexs(40)], ["X-Hub-Signature-256", "sha256=" + hexs(64)]], jdump(body), f"GitHub {event}"
    if k == 4:
        items = [{"id": R.randint(10 ** 12, 10 ** 13), "title": x[0], "sku": x[1], "quantity": R.randint(1, 3), "price": x[2], "properties": [{"name": "Engraving", "value": "J & K"}]} for x in R.sample(PRODUCTS, 2)]
        body = {"id": R.randint(10 ** 12, 10 ** 13), "email": p["email"], "created_at": iso(), "currency": "EUR", "total_price": "123.45", "name": f"#{R.randint(1000, 9999)}",
                "note": pick(["Please leave at the back door, don't ring the bell — baby sleeping!", "", "Gift: no receipt please <3"]), "line_items": items,
                "shipping_address": {"first_name": p["first"], "last_name": p["last"], "address1": a[0], "address2": a[1], "city": a[2], "zip": a[4], "country_code": a[5], "phone": a[6]},
                "customer": {"first_name": p["first"], "last_name": p["last"], "tags": "VIP, newsletter"}}
        return "/webhooks/shopify/orders-create", [["User-Agent", "Shopify-Captain-Hook"], ["Content-Type", "application/json"], ["X-Shopify-Topic", "orders/create"],
                                                   ["X-Shopify-Hmac-Sha256", b64(32)], ["X-Shopify-Shop-Domain", "lumen-home.myshopify.example"], ["X-Shopify-API-Version", "2024-04"],
                                                   ["X-Shopify-Webhook-Id", uuid4()], ["X-Shopify-Triggered-At", iso().replace("Z", ".123456Z")]], jdump(body), "Shopify orders/create"
    if k == 5:
        if chance(0.5):
            body = {"token": alnum(24), "team_id": "T0" + alnum(8).upper(), "api_app_id": "A0" + alnum(8).upper(), "type": "event_callback", "event_id": "Ev0" + alnum(8).upper(), "event_time": epoch(),
                    "event": {"type": "message", "channel": "C0" + alnum(8).upper(), "user": "U0" + alnum(8).upper(), "ts": f"{epoch()}.{digits(6)}",
                              "text": pick(["can someone select the best option from the list & drop it in #general?", "deploy's done ✅ — <https://ci.acme.example/runs/42|run 42>", "who's on call tonight? <@U012ABCDEF>",
                                            "reminder: exec sync moved to 3pm", "lol `ls` returned nothing, the dir was empty all along 🤦"])}}
            return "/slack/events", [["User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)"], ["Content-Type", "application/json"], ["X-Slack-Request-Timestamp", str(epoch())], ["X-Slack-Signature", "v0=" + hexs(64)]], jdump(body), "Slack event"
        body = qs([("token", alnum(24)), ("team_id", "T0" + alnum(8).upper()), ("team_domain", "acme"), ("channel_id", "C0" + alnum(8).upper()), ("channel_name", "general"), ("user_id", "U0" + alnum(8).upper()),
                   ("user_name", p["first"].lower()), ("command", pick(["/weather", "/standup", "/poll"])), ("text", pick(["94070", "Dublin, IE", '"Lunch?" "Pizza" "Sushi" "Tacos"', "yesterday: fixed the union bug; today: select new vendor"])),
                   ("api_app_id", "A0" + alnum(8).upper()), ("response_url", f"https://hooks.slack.example/commands/T0{alnum(8)}/{digits(13)}/{alnum(24)}"), ("trigger_id", f"{digits(13)}.{digits(12)}.{hexs(32)}")])
        return "/slack/commands", [["User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)"], ["Content-Type", "application/x-www-form-urlencoded"], ["X-Slack-Request-Timestamp", str(epoch())], ["X-Slack-Signature", "v0=" + hexs(64)]], body, "Slack slash command"
    if k == 6:
        body = qs([("ToCountry", "US"), ("ToState", "CA"), ("SmsMessageSid", "SM" + hexs(32)), ("NumMedia", "0"), ("ToCity", "SAN FRANCISCO"), ("FromZip", "94105"), ("SmsSid", "SM" + hexs(32)),
                   ("FromState", "CA"), ("SmsStatus", "received"), ("FromCity", "SAN FRANCISCO"), ("Body", pick(["Running 5 min late, sorry!", "YES", "STOP", "Can I move my appt to Fri @ 3?", "Where's my order #1042?? 😡"])),
                   ("FromCountry", "US"), ("To", "+14155550100"), ("MessagingServiceSid", "MG" + hexs(32)), ("ToZip", "94105"), ("NumSegments", "1"), ("MessageSid", "SM" + hexs(32)),
                   ("AccountSid", "AC" + hexs(32)), ("From", "+1415555" + digits(4)), ("ApiVersion", "2010-04-01")])
        return "/twilio/sms", [["User-Agent", "TwilioProxy/1.1"], ["Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"], ["X-Twilio-Signature", b64(20)], ["I-Twilio-Idempotency-Token", uuid4()]], body, "Twilio inbound SMS"
    if k == 7:
        body = [{"email": p["email"], "timestamp": epoch(), "smtp-id": f"<{hexs(20)}@ismtpd0001p1lon1.sendgrid.net>", "event": pick(["delivered", "open", "click", "bounce"]),
                 "category": ["newsletter"], "sg_event_id": b64url(16), "sg_message_id": f"{b64url(16)}.filter0001p1las1-{R.randint(1000, 9999)}-{hexs(8).upper()}-1.0",
                 "url": "https://www.daily-ledger.example/" + nslug(pick(HEADLINES)) + "?utm_source=newsletter&utm_medium=email", "useragent": Browser().ua, "ip": ip4()} for _ in range(R.randint(1, 3))]
        return "/webhooks/sendgrid", [["User-Agent", "SendGrid Event API"], ["Content-Type", "application/json"], ["X-Twilio-Email-Event-Webhook-Signature", b64(70)], ["X-Twilio-Email-Event-Webhook-Timestamp", str(epoch())]], jdump(body), "SendGrid events"
    if k == 8:
        body = {"event_id": "LtWXD3crgy", "event_type": "form_response", "form_response": {"form_id": alnum(8), "token": alnum(32), "submitted_at": iso(),
                "definition": {"id": alnum(8), "title": "Customer feedback"}, "answers": [{"type": "text", "text": pick(REVIEWS + COMMENTS), "field": {"id": alnum(12), "type": "long_text"}},
                                                                                         {"type": "number", "number": R.randint(0, 10), "field": {"id": alnum(12), "type": "opinion_scale"}},
                                                                                         {"type": "email", "email": p["email"], "field": {"id": alnum(12), "type": "email"}},
                                                                                         {"type": "choice", "choice": {"label": pick(["Union Square store", "Online", "Other: \"pop-up\" in Lisbon"])}, "field": {"id": alnum(12), "type": "multiple_choice"}}]}}
        return "/hooks/typeform", [["User-Agent", "Typeform Webhooks"], ["Content-Type", "application/json"], ["Typeform-Signature", "sha256=" + b64(32)]], jdump(body), "Typeform response"
    if k == 9:
        body = {"version": "4", "groupKey": '{}:{alertname="HighErrorRate"}', "status": pick(["firing", "resolved"]), "receiver": "slack-oncall",
                "alerts": [{"status": "firing", "labels": {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical"},
                            "annotations": {"summary": "High 5xx rate on checkout", "description": "5xx > 5% for 10m (current: 7.3%). Runbook: https://wiki.acme.example/runbooks/checkout#5xx",
                                            "query": 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05'},
                            "startsAt": iso(), "generatorURL": "http://prometheus.internal:9090/graph?g0.expr=" + q("up == 0")}]}
        return "/api/alerts/alertmanager", [["User-Agent", "Alertmanager/0.27.0"], ["Content-Type", "application/json"]], jdump(body), "Alertmanager alert"
    if k == 10:
        body = {"object_kind": "push", "event_name": "push", "ref": "refs/heads/main", "checkout_sha": hexs(40), "user_name": f"{p['first']} {p['last']}", "user_email": p["email"],
                "project": {"name": "web", "path_with_namespace": "acme/web", "web_url": "https://gitlab.acme.example/acme/web"},
                "commits": [{"id": hexs(40), "message": pick(COMMIT_MESSAGES) + "\n", "title": "", "timestamp": iso(), "author": {"name": f"{p['first']} {p['last']}", "email": p["email"]}}], "total_commits_count": 1}
        return "/webhooks/gitlab", [["User-Agent", "GitLab/16.11.0"], ["Content-Type", "application/json"], ["X-Gitlab-Event", "Push Hook"], ["X-Gitlab-Token", alnum(32)],
                                    ["X-Gitlab-Instance", "https://gitlab.acme.example"], ["X-Gitlab-Event-UUID", uuid4()]], jdump(body), "GitLab push"
    body = qs([("mc_gross", "19.99"), ("protection_eligibility", "Eligible"), ("address_status", "confirmed"), ("payer_id", alnum(13).upper()), ("address_street", a[0]), ("payment_date", "03:12:33 Apr 15, 2024 PDT"),
               ("payment_status", "Completed"), ("charset", "UTF-8"), ("address_zip", a[4]), ("first_name", p["first"]), ("last_name", p["last"]), ("address_country_code", a[5]), ("address_name", f"{p['first']} {p['last']}"),
               ("notify_version", "3.9"), ("custom", b64url_of({"order": R.randint(1000, 9999)})), ("payer_email", p["email"]), ("txn_id", alnum(17).upper()), ("item_name", pick(PRODUCTS)[0]), ("mc_currency", "EUR"), ("verify_sign", alnum(56))])
    return "/ipn/paypal", [["User-Agent", "PayPal IPN ( https://www.paypal.com/ipn )"], ["Content-Type", "application/x-www-form-urlencoded"]], body, "PayPal IPN"


def gen_webhooks(n):
    def make():
        path, hdrs, body, desc = webhook_case()
        host = pick(["hooks.acme.example", "api.northwind-outfitters.example", "app.metricly.example", "ci.acme.example"])
        h = [["Host", host]] + hdrs + [["Accept", "*/*"]] + (edge_headers() if chance(0.3) else [])
        return C.add("webhooks.jsonl", "webhook", desc, "POST", path, h, body)

    fill(n, make)


# --------------------------------------------------------------------------
# WordPress, Drupal and other CMS traffic (public pages and admin screens).

GUTENBERG = [
    "<!-- wp:paragraph -->\n<p>Tomatoes need at least 6–8 hours of sun. Select a spot where water doesn't pool &amp; the soil drains well.</p>\n<!-- /wp:paragraph -->",
    "<!-- wp:heading -->\n<h2 class=\"wp-block-heading\">What you'll need</h2>\n<!-- /wp:heading -->\n\n<!-- wp:list -->\n<ul><li>Pots (30 cm+)</li><li>Compost &amp; grit</li><li>Bamboo canes</li></ul>\n<!-- /wp:list -->",
    "<!-- wp:image {\"id\":45,\"sizeSlug\":\"large\",\"linkDestination\":\"none\"} -->\n<figure class=\"wp-block-image size-large\"><img src=\"https://blog.greenleaf-gardens.example/wp-content/uploads/2024/04/IMG_2041-1024x683.jpg\" alt=\"Tomato seedlings on a windowsill\" class=\"wp-image-45\"/><figcaption class=\"wp-element-caption\">Week 3 — nearly ready to pot on</figcaption></figure>\n<!-- /wp:image -->",
    "<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><p>\"Where there's a garden, there's hope.\"</p><cite>My gran, probably</cite></blockquote>\n<!-- /wp:quote -->",
    "<!-- wp:paragraph -->\n<p>Read more in <a href=\"https://blog.greenleaf-gardens.example/2024/03/companion-planting/\">our companion-planting guide</a> or <strong>drop us a line</strong> if you have questions.</p>\n<!-- /wp:paragraph -->",
]


def gen_cms(n):
    wp, dr = "blog.greenleaf-gardens.example", "www.city-of-riverton.example"

    def wp_public():
        b = Browser()
        path = pick([f"/2024/0{R.randint(1, 5)}/{nslug(pick(HEADLINES))}/", f"/?p={R.randint(10, 5000)}", f"/category/{pick(['recipes', 'news', 'how-to'])}/page/{R.randint(2, 9)}/",
                     f"/tag/{pick(['rock-n-roll', 'tomatoes', 'o-reilly', 'union-station'])}/", f"/author/{pick(['dangelo', 'siobhan', 'zoe'])}/", "/feed/", "/comments/feed/",
                     "/wp-sitemap.xml", "/sitemap_index.xml", f"/{nslug(pick(HEADLINES))}/?amp=1", f"/{nslug(pick(HEADLINES))}/?replytocom={R.randint(1, 9000)}",
                     f"/wp-json/wp/v2/posts?per_page=10&_embed&page={R.randint(1, 5)}", f"/wp-json/oembed/1.0/embed?url={q('https://' + wp + '/2024/04/how-to-grow-tomatoes/')}&format=xml",
                     f"/wp-cron.php?doing_wp_cron={epoch()}.{digits(22)}", f"/?wc-ajax=get_refreshed_fragments", f"/shop/?orderby=price-desc&filter_color=blue&query_type_color=or",
                     f"/product/{nslug(pick(PRODUCTS)[0])}/?attribute_pa_size=m&attribute_pa_color=sage", f"/?add-to-cart={R.randint(10, 900)}&quantity=2", f"/my-account/orders/?page=2"])
        return C.add("cms.jsonl", "cms", f"{b.label} WordPress page", "GET", path,
                     b.headers(wp, "navigate" if "wp-json" not in path and "wc-ajax" not in path else "xhr", f"https://{wp}/", "same-origin", cookie_header("wordpress", logged_in=chance(0.2))))

    def wp_admin():
        b = Browser()
        k = R.randrange(6)
        ck = cookie_header("wordpress", logged_in=True)
        if k == 0:
            path = pick([f"/wp-admin/post.php?post={R.randint(10, 5000)}&action=edit", "/wp-admin/edit.php?post_type=page&orderby=title&order=asc", "/wp-admin/upload.php?mode=grid",
                         "/wp-admin/options-general.php?page=wpseo_dashboard", "/wp-admin/edit-comments.php?comment_status=moderated", "/wp-admin/plugins.php?plugin_status=active",
                         f"/wp-admin/admin.php?page=wc-orders&status=wc-processing&s={q(pick(LAST))}", "/wp-admin/customize.php?return=%2Fwp-admin%2Fthemes.php"])
            return C.add("cms.jsonl", "cms", f"{b.label} WordPress admin screen", "GET", path, b.headers(wp, "navigate", f"https://{wp}/wp-admin/", "same-origin", ck))
        if k == 1:
            body = qs([("data[wp-refresh-post-lock][post_id]", str(R.randint(10, 5000))), ("data[wp-refresh-post-lock][lock]", f"{epoch()}:1"), ("interval", pick(["15", "60"])),
                       ("_nonce", hexs(10)), ("action", "heartbeat"), ("screen_id", pick(["post", "dashboard", "edit-post"])), ("has_focus", pick(["true", "false"]))])
            return C.add("cms.jsonl", "cms", f"{b.label} WordPress heartbeat", "POST", "/wp-admin/admin-ajax.php",
                         b.headers(wp, "xhr", f"https://{wp}/wp-admin/post.php", "same-origin", ck, [["Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"], ["X-Requested-With", "XMLHttpRequest"], ["Origin", f"https://{wp}"]]), body)
        if k == 2:
            body = {"id": R.randint(10, 5000), "title": pick(HEADLINES), "content": "\n\n".join(R.sample(GUTENBERG, R.randint(2, 4))), "status": pick(["draft", "publish"]),
                    "excerpt": pick(COMMENTS[:10]), "categories": [R.randint(1, 20)], "meta": {"_yoast_wpseo_metadesc": pick(REVIEWS[:10])}}
            return C.add("cms.jsonl", "cms-editor", f"{b.label} Gutenberg saves a post", "POST", f"/wp-json/wp/v2/posts/{body['id']}?_locale=user",
                         b.headers(wp, "xhr", f"https://{wp}/wp-admin/post.php?post={body['id']}&action=edit", "same-origin", ck,
                                   [["Content-Type", "application/json"], ["X-WP-Nonce", hexs(10)], ["X-HTTP-Method-Override", "PUT"], ["Origin", f"https://{wp}"]], accept="application/json, */*;q=0.1"), jdump(body))
        if k == 3:
            body = {"id": R.randint(10, 900), "quantity": R.randint(1, 3), "variation": [{"attribute": "pa_size", "value": "m"}]}
            return C.add("cms.jsonl", "cms", f"{b.label} WooCommerce Store API add to cart", "POST", "/wp-json/wc/store/v1/cart/add-item",
                         b.headers(wp, "xhr", f"https://{wp}/shop/", "same-origin", cookie_header("wordpress", logged_in=False), [["Content-Type", "application/json"], ["Nonce", hexs(10)], ["Origin", f"https://{wp}"]]), jdump(body))
        if k == 4:
            body = qs([("action", pick(["woocommerce_update_order_review", "wpforms_submit", "query-attachments", "closed-postboxes"])), ("security", hexs(10)),
                       ("query[orderby]", "date"), ("query[order]", "DESC"), ("query[posts_per_page]", "80"), ("query[paged]", "1"), ("query[s]", pick(["IMG_", "tomato", "o'reilly"]))])
            return C.add("cms.jsonl", "cms", f"{b.label} WordPress admin-ajax", "POST", "/wp-admin/admin-ajax.php",
                         b.headers(wp, "xhr", f"https://{wp}/wp-admin/upload.php", "same-origin", ck, [["Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"], ["X-Requested-With", "XMLHttpRequest"], ["Origin", f"https://{wp}"]]), body)
        path = f"/wp-json/wp/v2/users/me?context=edit&_locale=user" if chance(0.5) else f"/wp-json/wp/v2/media?per_page=20&media_type=image&search={q(pick(['IMG', 'tomato', 'Café']))}&_locale=user"
        return C.add("cms.jsonl", "cms", f"{b.label} WordPress REST (editor)", "GET", path, b.headers(wp, "xhr", f"https://{wp}/wp-admin/", "same-origin", ck, [["X-WP-Nonce", hexs(10)]]))

    def drupal():
        b = Browser()
        k = R.randrange(6)
        ck = cookie_header("drupal", logged_in=k >= 3)
        if k <= 1:
            path = pick([f"/node/{R.randint(1, 5000)}", "/departments/parks-recreation", f"/search/node?keys={q(pick(SEARCH_TERMS))}", f"/news?field_category_target_id=All&page={R.randint(1, 9)}",
                         f"/events?date[min]={day()}&date[max]={day(30)}&type=All", f"/user/login?destination={q('/node/' + str(R.randint(1, 900)))}", "/sitemap.xml?page=2",
                         f"/jsonapi/node/article?filter[status]=1&sort=-created&page[limit]=10&include=field_image", f"/node/{R.randint(1, 900)}?_format=json",
                         f"/media/oembed?url={pq('https://www.youtube.example/watch?v=' + b64url(8)[:11], safe=':/')}&max_width=0&max_height=0&hash={b64url(32)}"])
            return C.add("cms.jsonl", "cms", f"{b.label} Drupal page", "GET", path, b.headers(dr, "navigate", f"https://{dr}/", "same-origin", ck))
        if k == 2:
            params = [("_wrapper_format", "drupal_ajax"), ("view_name", pick(["events", "news", "content"])), ("view_display_id", "page_1"), ("view_args", ""), ("view_path", "/news"),
                      ("view_base_path", "news"), ("view_dom_id", hexs(64)), ("pager_element", "0"), ("page", str(R.randint(1, 9))), ("_drupal_ajax", "1"),
                      ("ajax_page_state[theme]", "olivero"), ("ajax_page_state[theme_token]", ""), ("ajax_page_state[libraries]", "eJx9j0EOwzAIBD" + b64url(60))]
            return C.add("cms.jsonl", "cms", f"{b.label} Drupal views AJAX", "GET", "/views/ajax?" + qs(params), b.headers(dr, "xhr", f"https://{dr}/news", "same-origin", ck, [["X-Requested-With", "XMLHttpRequest"]]))
        if k == 3:
            path = pick(["/admin/content?title=&type=All&status=All&langcode=All&order=changed&sort=desc", "/admin/structure/types", "/admin/reports/dblog?type%5B%5D=php", f"/node/{R.randint(1, 900)}/edit?destination=/admin/content"])
            return C.add("cms.jsonl", "cms", f"{b.label} Drupal admin screen", "GET", path, b.headers(dr, "navigate", f"https://{dr}/admin", "same-origin", ck))
        if k == 4:
            body = qs([("title[0][value]", pick(HEADLINES)), ("body[0][summary]", ""), ("body[0][value]", f"<p>{pick(COMMENTS).replace('&', '&amp;').replace('<', '&lt;')}</p>\r\n<p>More details: <a href=\"https://{dr}/node/{R.randint(1, 900)}\">see the full notice</a>.</p>"),
                       ("body[0][format]", "basic_html"), ("field_tags[target_id]", pick(["parks, events", "council", "roads"])), ("form_build_id", "form-" + b64url(32)), ("form_token", b64url(32)),
                       ("form_id", "node_article_form"), ("status[value]", "1"), ("op", "Save")])
            return C.add("cms.jsonl", "cms-editor", f"{b.label} Drupal node form (CKEditor HTML)", "POST", "/node/add/article",
                         b.headers(dr, "navigate", f"https://{dr}/node/add/article", "same-origin", ck, [["Content-Type", "application/x-www-form-urlencoded"], ["Origin", f"https://{dr}"]]), body)
        body = qs([("ids[]", f"block:block={pick(['olivero_content', 'olivero_main_menu'])}:langcode=en|"), ("ids[]", f"node:node={R.randint(1, 900)}:changed={epoch()}&langcode=en|"),
                   ("tokens[]", b64url(32))]) if chance(0.5) else qs([("node_ids[]", str(R.randint(1, 900))), ("node_ids[]", str(R.randint(1, 900)))])
        path = "/contextual/render?_wrapper_format=json&destination=/node/12" if "ids" in body[:5] else "/history/get_node_read_timestamps"
        return C.add("cms.jsonl", "cms", f"{b.label} Drupal background POST", "POST", path,
                     b.headers(dr, "xhr", f"https://{dr}/node/12", "same-origin", ck, [["Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"], ["X-Requested-With", "XMLHttpRequest"], ["Origin", f"https://{dr}"]]), body)

    def other():
        b = Browser()
        host = pick(["www.kettle-and-cask.example", "shop.lumen-home.example", "www.metro-tribune.example"])
        path = pick([f"/index.php?option=com_content&view=article&id={R.randint(1, 900)}&Itemid={R.randint(100, 200)}", f"/index.php?option=com_search&searchword={q(pick(SEARCH_TERMS))}&ordering=newest&searchphrase=all",
                     f"/checkout/cart/add/uenc/{b64url_of(('https://' + host + '/' + nslug(pick(PRODUCTS)[0]) + '.html').encode())},/product/{R.randint(1, 900)}/",
                     f"/customer/section/load/?sections=cart%2Cmessages%2Ccustomer&force_new_section_timestamp=false&_={epoch_ms()}",
                     f"/catalogsearch/result/?q={q(pick(SEARCH_TERMS))}&product_list_order=price", f"/index.php?route=product/product&product_id={R.randint(40, 90)}&search={q(pick(SEARCH_TERMS))}",
                     f"/index.php?controller=product&id_product={R.randint(1, 90)}&id_product_attribute=0&rewrite={nslug(pick(PRODUCTS)[0])}", f"/p/{nslug(pick(HEADLINES))}/?ref=ghost&utm_source=newsletter"])
        return C.add("cms.jsonl", "cms", f"{b.label} Joomla/Magento/OpenCart/PrestaShop page", "GET", path, b.headers(host, "xhr" if "section/load" in path else "navigate", f"https://{host}/", "same-origin", cookie_header("shop")))

    makers = [wp_public] * 4 + [wp_admin] * 3 + [drupal] * 3 + [other]
    fill(n, lambda: pick(makers)())


# --------------------------------------------------------------------------
# Protocol-level variety: preflights, HEAD, DELETE, health checks, WebSocket
# upgrades, robots/favicon, HTTP/1.0-style, ranges, conditionals, long URLs,
# UTF-8 paths, well-known paths, crawlers.

BOTS = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Twitterbot/1.0", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "WhatsApp/2.23.20.0", "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Applebot/0.1; +http://www.apple.com/go/applebot)", "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 12 subscribers; like FeedFetcher-Google)"]
PROBES = [("kube-probe/1.29", ["/healthz", "/readyz", "/livez?verbose", "/-/ready", "/-/healthy"]), ("ELB-HealthChecker/2.0", ["/health", "/", "/status"]),
          ("GoogleHC/1.0", ["/healthz", "/"]), ("Consul Health Check", ["/v1/health", "/ping"]), ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", ["/", "/status", "/api/health"]),
          ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", ["/", "/health"]), ("Blackbox Exporter/0.25.0", ["/healthz", "/metrics"]),
          ("Datadog Agent/7.52.1", ["/status", "/actuator/health", "/actuator/health/liveness"]), ("Prometheus/2.51.2", ["/metrics", "/actuator/prometheus"]), ("curl/8.5.0", ["/health", "/version"])]


def gen_protocol(n):
    def preflight():
        host = pick(API_HOSTS)
        origin = pick(APPS)
        b = Browser()
        h = [["Host", host], ["Accept", "*/*"], ["Access-Control-Request-Method", pick(["POST", "PUT", "PATCH", "DELETE", "GET"])],
             ["Access-Control-Request-Headers", pick(["content-type", "authorization,content-type", "authorization,content-type,x-request-id", "x-csrf-token", "apollographql-client-name,apollographql-client-version,content-type"])],
             ["Origin", origin], ["User-Agent", b.ua], ["Sec-Fetch-Mode", "cors"], ["Sec-Fetch-Site", "cross-site"], ["Sec-Fetch-Dest", "empty"], ["Referer", origin + "/"],
             ["Accept-Encoding", "gzip, deflate, br"], ["Accept-Language", b.lang]]
        if chance(0.1):
            h.append(["Access-Control-Request-Private-Network", "true"])
        return C.add("protocol.jsonl", "cors-preflight", f"{b.label} CORS preflight", "OPTIONS", pick([api_query(), "/graphql", f"/api/orders/{R.randint(1, 9999)}", "/v1/t", "/api/auth/login"]), h)

    def head():
        host = pick(ASSET_HOSTS + API_HOSTS)
        ua = pick(SERVER_UAS + [p[0] for p in PROBES] + BOTS)
        path = pick(["/", asset_path()[1], "/robots.txt", f"/downloads/palisade-{R.randint(1, 3)}.{R.randint(0, 9)}.{R.randint(0, 9)}-x86_64.tar.gz", "/feed/", f"/{nslug(pick(HEADLINES))}"])
        return C.add("protocol.jsonl", "http-misc", "HEAD request", "HEAD", path, [["Host", host], ["User-Agent", ua], ["Accept", "*/*"]])

    def delete():
        host = pick(API_HOSTS)
        path = pick([f"/api/items/{R.randint(1, 99999)}", f"/api/cart/items/{uuid4()}", f"/v1/customers/cus_{alnum(14)}", f"/api/v2/users/{R.randint(1, 9999)}/sessions/{uuid4()}",
                     f"/repos/acme/web/git/refs/heads/{q('feature/union-types')}", f"/api/comments/{R.randint(1, 99999)}?reason={q('posted twice, sorry!')}", f"/wp-json/wp/v2/posts/{R.randint(1, 999)}?force=true"])
        body = jdump({"reason": pick(["duplicate", "requested by customer", "GDPR erasure request"])}) if chance(0.15) else None
        return C.add("protocol.jsonl", "http-misc", "DELETE request", "DELETE", path, api_headers(host, content_type="application/json" if body else None), body)

    def health():
        ua, paths = pick(PROBES)
        path = pick(paths)
        h = [["Host", pick([f"10.0.{R.randint(0, 9)}.{R.randint(2, 250)}:8080", "localhost:8080", "api.acme.example", "127.0.0.1:9000"])], ["User-Agent", ua]]
        if "kube" in ua:
            h.append(["Accept", "*/*"])
            h.append(["Connection", "close"])
        elif "Prometheus" in ua:
            h += [["Accept", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"], ["Accept-Encoding", "gzip"], ["X-Prometheus-Scrape-Timeout-Seconds", "10"]]
        else:
            h.append(["Accept", "*/*"])
        return C.add("protocol.jsonl", "health-check", f"health probe ({ua.split('/')[0]})", pick(["GET", "GET", "GET", "HEAD"]), path, h)

    def websocket():
        b = Browser()
        host = pick(["app.metricly.example", "chat.acme.example", "www.northwind-outfitters.example", "graph.acme.example", "live.daily-ledger.example"])
        path, proto = pick([("/ws", None), (f"/socket.io/?EIO=4&transport=websocket&sid={b64url(15)}", None), ("/cable", "actioncable-v1-json, actioncable-unsupported"),
                            ("/graphql", "graphql-transport-ws"), (f"/socket/websocket?token={b64url(40)}&vsn=2.0.0", None), ("/_next/webpack-hmr", None),
                            (f"/live?room={q('union-station-updates')}&token={user_jwt()}", None), ("/api/v1/stream?channels=orders,alerts", "v1.json")])
        origin = "https://" + host
        h = [["Host", host], ["Connection", "Upgrade"], ["Pragma", "no-cache"], ["Cache-Control", "no-cache"], ["User-Agent", b.ua], ["Upgrade", "websocket"], ["Origin", origin],
             ["Sec-WebSocket-Version", "13"], ["Accept-Encoding", "gzip, deflate, br"], ["Accept-Language", b.lang], ["Cookie", cookie_header("saas", logged_in=True)],
             ["Sec-WebSocket-Key", b64(16)], ["Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"]]
        if proto:
            h.append(["Sec-WebSocket-Protocol", proto])
        return C.add("protocol.jsonl", "websocket", f"{b.label} WebSocket upgrade", "GET", path, h)

    def well_known():
        host = pick(list(SITES["shop"][0]) + list(SITES["news"][0]) + API_HOSTS)
        path, ua = pick([("/robots.txt", pick(BOTS)), ("/favicon.ico", Browser().ua), ("/sitemap.xml", pick(BOTS)), ("/ads.txt", "Mozilla/5.0 (compatible; adstxt-crawler/1.0)"),
                         ("/.well-known/openid-configuration", pick(SERVER_UAS)), (f"/.well-known/acme-challenge/{b64url(32)}", "Mozilla/5.0 (compatible; Let's Encrypt validation server; +https://www.letsencrypt.org)"),
                         ("/.well-known/security.txt", "curl/8.5.0"), ("/.well-known/apple-app-site-association", "AASA-Bot/1.0.0"), ("/.well-known/assetlinks.json", "Google-Digital-Asset-Links"),
                         ("/.well-known/change-password", Browser().ua), ("/.well-known/mta-sts.txt", "Go-http-client/1.1"), ("/.well-known/nodeinfo", "Mastodon/4.2.8 (http.rb/5.1.1; +https://mastodon.example/)"),
                         ("/.well-known/webfinger?resource=acct%3Azoe%40acme.example", "Mastodon/4.2.8 (http.rb/5.1.1; +https://mastodon.example/)"),
                         ("/apple-touch-icon.png", "MobileSafari/8617.1.17.10.9 CFNetwork/1494.0.7 Darwin/23.4.0"), ("/manifest.json", Browser().ua), ("/humans.txt", "curl/8.5.0"),
                         ("/.well-known/traffic-advice", "Chrome Privacy Preserving Prefetch Proxy"), ("/.well-known/gpc.json", "Mozilla/5.0 (compatible; GPC-checker)")])
        h = [["Host", host], ["User-Agent", ua], ["Accept", pick(["*/*", "text/plain,text/html;q=0.9,*/*;q=0.8", "application/json"])]]
        if "acme-challenge" in path:
            h = [["Host", host], ["User-Agent", ua], ["Accept", "*/*"], ["Accept-Encoding", "gzip"], ["Connection", "close"]]
        return C.add("protocol.jsonl", "http-misc", f"well-known or crawler file {path.split('?')[0]}", "GET", path, h)

    def http10():
        path = pick(["/", "/index.html", "/robots.txt", "/status", "/cgi-bin/status.cgi?format=text", f"/{nslug(pick(HEADLINES))}.html"])
        h = pick([[], [["User-Agent", "Wget/1.21.4"]], [["User-Agent", "Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.8"], ["Accept", "text/html, text/plain, */*"]],
                  [["Host", "www.daily-ledger.example"]], [["User-Agent", "ApacheBench/2.3"], ["Host", "www.daily-ledger.example"], ["Accept", "*/*"]],
                  [["Connection", "close"], ["User-Agent", "Nagios check_http/v2.4.9 (monitoring-plugins 2.4.9)"]]])
        return C.add("protocol.jsonl", "http-misc", "HTTP/1.0-style minimal request", "GET", path, h)

    def ranged():
        b = Browser()
        host = pick(ASSET_HOSTS)
        path = pick(["/video/hero.mp4", f"/podcasts/episode-{R.randint(1, 200)}.mp3", "/docs/select-committee-report.pdf", f"/downloads/palisade-1.{R.randint(0, 9)}.0.dmg", "/media/union-station-tour.webm"])
        rng = pick(["bytes=0-", "bytes=0-1023", f"bytes={R.randint(1, 9) * 1048576}-", f"bytes={R.randint(0, 100000)}-{R.randint(100001, 900000)}", "bytes=-500", "bytes=0-0"])
        extra = [["Range", rng]] + ([["If-Range", f'"{hexs(32)}"']] if chance(0.3) else [])
        return C.add("protocol.jsonl", "http-misc", f"{b.label} range request", "GET", path, b.headers(host, "asset-video", f"https://{host.replace('cdn.', 'www.')}/", "same-site", None, extra))

    def conditional():
        b = Browser()
        host, page = pick(list(SITES["news"][0]) + list(SITES["docs"][0])), pick([news_page, docs_page])()
        extra = [["If-None-Match", pick([f'W/"{hexs(5)}-{b64url(20)}"', f'"{hexs(40)}"', f'"{hexs(8)}-{hexs(13)}-gzip"'])]]
        if chance(0.5):
            extra.append(["If-Modified-Since", pick(["Mon, 15 Apr 2024 08:12:33 GMT", "Wed, 01 May 2024 23:59:59 GMT"])])
        return C.add("protocol.jsonl", "http-misc", f"{b.label} conditional revalidation", "GET", page, b.headers(host, "navigate", None, "none", cookie_header("news"), extra))

    def long_url():
        b = Browser()
        host, page = "www.northwind-outfitters.example", shop_page().split("?")[0]
        params = [("utm_source", "newsletter"), ("utm_medium", "email"), ("utm_campaign", "spring_sale_2024"), ("utm_content", "hero-banner"), ("_hsenc", "p2ANqtz-" + b64url(90)), ("_hsmi", digits(9))]
        params += [(f"filter.v.option.{pick(['size', 'color', 'material'])}", pick(["M", "L", "XL", "Sage", "Navy", "Linen", "Organic Cotton"])) for _ in range(R.randint(10, 30))]
        params += [("recently_viewed", ",".join(digits(6) for _ in range(40))), ("session_context", b64url_of({"path": ["/", "/collections/sale", page], "ts": epoch_ms(), "ab": {"checkout_v2": "B", "hero_copy": "control"}}))]
        uri = page + "?" + qs(params)
        return C.add("protocol.jsonl", "http-misc", f"{b.label} long but normal URL ({len(uri)} chars)", "GET", uri, b.headers(host, "navigate", "https://mail.google.com/", "cross-site", cookie_header("shop")))

    def utf8_path():
        b = Browser()
        host, path = pick([("en.wiki.example", lambda: "/wiki/" + pick(WIKI_TITLES)), ("www.daily-ledger.example", lambda: "/" + pq(pick(["café-culture", "zürich-übernachtung", "東京-観光", "são-paulo-eleições", "crème-brûlée"]))),
                           ("shop.lumen-home.example", lambda: "/collections/" + pq(pick(["décoration", "küche & bad", "ñandú", "ok+cupid"]))),
                           ("cloud.nextcloud-like.example", lambda: "/remote.php/dav/files/zoe/" + pq("Résumé 2024 (final).pdf")),
                           ("www.kettle-and-cask.example", lambda: "/" + pq("мой-заказ") + "/" + pq("📦")), ("www.bigbox-retail.example", lambda: "/products/" + pq("Ben & Jerry's") + "/reviews")])
        return C.add("protocol.jsonl", "http-misc", f"{b.label} percent-encoded UTF-8 path", "GET", path(), b.headers(host, "navigate", f"https://{host}/", "same-origin", cookie_header("docs") if chance(0.5) else None))

    def dotted():
        host = pick(API_HOSTS)
        path = pick(["/v1.2/api/users", "/api/v2.0/orders/42", "/api/3.1/status", "/v1.0/me/drive/root:/Documents/report_v2.1.xlsx:/content", "/static/app.v2.1.3.min.js",
                     "/api/v1/tenants/acme.example/settings", "/files/report_v2.1.final.pdf", "/.well-known/openid-configuration", "/npm/lodash@4.17.21/lodash.min.js",
                     f"/{pq('C:/Users/me/Documents/notes.txt', safe='')}", "/users/zoe.o-connor/profile", "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns"])
        return C.add("protocol.jsonl", "http-misc", "path with dots or version segments", "GET", path, api_headers(host))

    def crawler():
        host, page = pick([(SITES["news"][0], news_page), (SITES["shop"][0], shop_page), (SITES["docs"][0], docs_page)])
        h = [["Host", pick(host)], ["User-Agent", pick(BOTS)], ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"], ["Accept-Encoding", "gzip, deflate, br"]]
        if chance(0.5):
            h.append(["From", "googlebot(at)googlebot.com"])
        return C.add("protocol.jsonl", "http-misc", "search or link-preview crawler", "GET", page(), h)

    def misc_bodies():
        host = pick(API_HOSTS)
        k = R.randrange(7)
        if k == 0:
            lines = "".join(json.dumps({"index": {"_index": "products", "_id": str(R.randint(1, 9999))}}) + "\n" + json.dumps({"title": x[0], "sku": x[1], "price": float(x[2])}, ensure_ascii=False) + "\n" for x in R.sample(PRODUCTS, 3))
            return C.add("protocol.jsonl", "http-misc", "NDJSON bulk index", "POST", "/_bulk?refresh=wait_for", api_headers(host, "server", content_type="application/x-ndjson"), lines)
        if k == 1:
            return C.add("protocol.jsonl", "http-misc", "JSON merge patch", "PATCH", f"/api/v1/users/{R.randint(1, 9999)}",
                         api_headers(host, content_type="application/merge-patch+json"), jdump({"nickname": pick(["Zo", "D'Ang", "Sio"]), "address": {"line2": None}, "phone": pick(ADDRESSES)[6]}))
        if k == 2:
            return C.add("protocol.jsonl", "http-misc", "gRPC-Web call", "POST", "/acme.orders.v1.OrderService/ListOrders",
                         api_headers(host, "browser", content_type="application/grpc-web-text", accept="application/grpc-web-text", extra=[["X-Grpc-Web", "1"], ["X-User-Agent", "grpc-web-javascript/0.1"]]),
                         base64.b64encode(b"\x00\x00\x00\x00\x07\x08\x19\x12\x03abc").decode())
        if k == 3:
            return C.add("protocol.jsonl", "http-misc", "plain-text body", "PUT", f"/api/notes/{R.randint(1, 999)}/content",
                         api_headers(host, content_type="text/plain; charset=utf-8"), pick(MARKDOWN_DOCS + COMMENTS + FORUM_POSTS))
        if k == 4:
            b = Browser()
            return C.add("protocol.jsonl", "http-misc", f"{b.label} server-sent events", "GET", f"/api/events/stream?channel={pick(['orders', 'notifications'])}&lastEventId={R.randint(1, 9999)}",
                         b.headers(host, "xhr", "https://app.metricly.example/", "same-site", cookie_header("saas", logged_in=True), [["Cache-Control", "no-cache"]], accept="text/event-stream"))
        if k == 5:
            name = pick(UPLOAD_FILES)
            return C.add("protocol.jsonl", "http-misc", "raw PUT upload", "PUT", f"/uploads/{uuid4()}/{pq(name[0])}",
                         api_headers(host, "app", content_type=name[1], extra=[["Content-Disposition", f"attachment; filename*=UTF-8''{pq(name[0], safe='')}"]]), file_content(name[1], name[0]))
        return C.add("protocol.jsonl", "http-misc", "Basic-auth API call", "GET", pick(["/api/v1/reports/daily.csv?date=" + day(), "/admin/api/2024-04/orders.json?status=any&limit=250"]),
                     [["Host", host], ["Authorization", "Basic " + base64.b64encode(f"{pick(['reports', 'svc-export'])}:{pick(PASSWORDS)}".encode()).decode()], ["User-Agent", pick(SERVER_UAS)], ["Accept", "text/csv, application/json"]])

    makers = [(preflight, 14), (head, 6), (delete, 8), (health, 10), (websocket, 6), (well_known, 8), (http10, 3), (ranged, 5), (conditional, 5), (long_url, 3), (utf8_path, 8), (dotted, 5), (crawler, 8), (misc_bodies, 10)]
    funcs, weights = zip(*makers)
    fill(n, lambda: R.choices(funcs, weights=weights)[0]())


def gen_mobile(n):
    """Native app API traffic: JSON GETs and POSTs with app user agents."""
    def make():
        host = pick(API_HOSTS)
        if chance(0.5):
            return C.add("api.jsonl", "mobile-app", "mobile app API read", "GET", api_query(), api_headers(host, "app"))
        path, method, desc, body = json_bodies()
        return C.add("api.jsonl", "mobile-app", f"mobile app {desc}", method, path, api_headers(host, "app", content_type="application/json; charset=UTF-8"), jdump(body()))

    fill(n, make)


# --------------------------------------------------------------------------


def main():
    gen_navigation(330)
    gen_marketing(110)
    gen_static(130)
    gen_search(150)
    gen_api_query(190)
    gen_oauth(150)
    gen_signed_urls(60)
    gen_json_api(280)
    gen_graphql(130)
    gen_analytics(150)
    gen_paste(30)
    gen_forms(200)
    gen_multipart(130)
    gen_xml(110)
    gen_webhooks(120)
    gen_cms(160)
    gen_protocol(270)
    gen_mobile(100)
    C.write()
    total = sum(C.count.values())
    size = sum(os.path.getsize(os.path.join(HERE, f)) for f in C.files)
    for source, count in sorted(C.count.items()):
        print(f"{source:20} {count:5}")
    print(f"{'total':20} {total:5}  ({len(C.files)} files, {size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
