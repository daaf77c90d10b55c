//! Tables of the `xss` detector: dangerous and conditional tags, event names,
//! attribute classes, processing instructions and declarations, and the
//! normalised [`Name`] they are compared against.
//!
//! Contract: every lookup is case-insensitive, ignores the bytes a legacy
//! parser dropped from names (NUL and the other C0 controls, and U+FFFD, which
//! is what `&#0;` decodes to), and works on a fixed-size copy of at most
//! [`Name::CAPACITY`] bytes — a longer name is in no table. The tables are
//! sorted (a unit test checks it) and searched by binary search.

/// Bytes a lookup ignores inside names and URL schemes: C0 controls
/// (including NUL) and U+FFFD. Returns how many bytes to skip at `at`.
pub(super) fn ignorable_len(input: &[u8], at: usize) -> usize {
    match input.get(at..) {
        Some([b, ..]) if *b < 0x20 => 1,
        Some([0xEF, 0xBF, 0xBD, ..]) => 3,
        _ => 0,
    }
}

/// A tag or attribute name, lowercased, without ignorable bytes, bounded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Name {
    bytes: [u8; Name::CAPACITY],
    len: usize,
    /// More bytes than [`Name::CAPACITY`] were in the name.
    overflow: bool,
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Name({:?})", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl Name {
    /// No table entry is this long; a longer name matches nothing.
    pub const CAPACITY: usize = 48;

    /// Normalises `raw`.
    pub fn new(raw: &[u8]) -> Name {
        let mut name = Name {
            bytes: [0; Name::CAPACITY],
            len: 0,
            overflow: false,
        };
        let mut at = 0;
        while at < raw.len() {
            let skip = ignorable_len(raw, at);
            if skip > 0 {
                at += skip;
                continue;
            }
            let Some(&byte) = raw.get(at) else { break };
            match name.bytes.get_mut(name.len) {
                Some(slot) => {
                    *slot = byte.to_ascii_lowercase();
                    name.len += 1;
                }
                None => {
                    name.overflow = true;
                    break;
                }
            }
            at += 1;
        }
        name
    }

    /// The normalised bytes (empty when the name overflowed).
    pub fn as_bytes(&self) -> &[u8] {
        if self.overflow {
            return &[];
        }
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// The part after the last `:` (`svg:script` -> `script`, `xlink:href` -> `href`).
    pub fn local(&self) -> &[u8] {
        let bytes = self.as_bytes();
        match bytes.iter().rposition(|&b| b == b':') {
            Some(colon) => bytes.get(colon + 1..).unwrap_or_default(),
            None => bytes,
        }
    }

    /// `on` followed by at least three letters: the letters' run (with `on`),
    /// e.g. `onload` for `onload!#$`. `None` otherwise.
    pub fn event_handler(&self) -> Option<&[u8]> {
        let bytes = self.local();
        let rest = bytes.strip_prefix(b"on")?;
        let letters = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
        if letters < 3 {
            return None;
        }
        bytes.get(..letters + 2)
    }
}

/// What a tag name means to the detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TagClass {
    /// Script-capable or page-altering by itself: reported at once.
    Dangerous(&'static str),
    /// Dangerous once it has one of its trigger attributes (see
    /// [`CONDITIONAL_TAGS`]): `<link>` in an RSS feed is not `<link href>`.
    Conditional(&'static str),
    /// SVG animation elements: dangerous when they animate a link or handler.
    Animation,
    /// Anything else: only its attributes matter.
    Plain,
}

/// Tags reported on sight (sorted). Each runs script, loads active content,
/// or changes how the rest of the page is parsed.
const DANGEROUS_TAGS: [&str; 14] = [
    "applet",     // Java applet
    "embed",      // plugin content
    "frameset",   // onload, frames
    "handler",    // SVG Tiny script handler
    "iframe",     // src=javascript:, srcdoc
    "isindex",    // action/formaction, legacy
    "listener",   // XML Events
    "object",     // plugin and HTML content
    "portal",     // embedded browsing context
    "script",     // script
    "style",      // CSS expression(), imports, exfiltration
    "stylesheet", // XSLT (`xsl:stylesheet`), which can carry script
    "vmlframe",   // IE VML
    "xml",        // IE data islands
];

/// Tags that are dangerous with one of their trigger attributes (sorted by
/// tag): they load or redirect to what that attribute names.
const CONDITIONAL_TAGS: [(&str, &[&[u8]]); 8] = [
    ("base", &[b"href"]),                   // rebases every relative URL
    ("form", &[b"action"]),                 // posts the page's inputs elsewhere
    ("frame", &[b"src"]),                   // src=javascript:
    ("ilayer", &[b"src"]),                  // Netscape layers
    ("import", &[b"implementation"]),       // IE behaviours
    ("layer", &[b"src"]),                   // Netscape layers
    ("link", &[b"href"]),                   // stylesheets, imports, preloads
    ("meta", &[b"http-equiv", b"charset"]), // refresh to javascript:, charsets
];

/// SVG (and SMIL) animation elements.
const ANIMATION_TAGS: [&str; 5] = [
    "animate",
    "animatecolor",
    "animatemotion",
    "animatetransform",
    "set",
];

/// Classifies a raw tag name: its normalised local part (`svg:script` is
/// `script`); or else, when a dangerous tag, the run of name characters it
/// starts with, since some parsers end a tag name at punctuation HTML keeps
/// (`<script<{...}>`), or what follows a `<` inside it, which a filter that
/// strips tags would join up (`<scr<script>ipt>`).
pub(super) fn tag_class(raw: &[u8]) -> TagClass {
    let class = name_class(&Name::new(raw));
    if class != TagClass::Plain {
        return class;
    }
    if let Some(lt) = memchr::memrchr(b'<', raw) {
        if let TagClass::Dangerous(tag) = tag_class(raw.get(lt + 1..).unwrap_or_default()) {
            return TagClass::Dangerous(tag);
        }
    }
    let run = raw
        .iter()
        .take_while(|&&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':') || b < 0x20
        })
        .count();
    match raw.get(..run) {
        Some(prefix) if run < raw.len() => match name_class(&Name::new(prefix)) {
            TagClass::Dangerous(tag) => TagClass::Dangerous(tag),
            _ => TagClass::Plain,
        },
        _ => TagClass::Plain,
    }
}

/// For each length up to [`LONGEST_TAG`], the first and the last letters of
/// the listed tag names (dangerous, conditional or animation) of that
/// length, as bits (`1 << (b - b'a')`). Most names a value opens
/// (`<orders@example.org>`, `<b>`, `<3`) fail this and skip the searches.
const LONGEST_TAG: usize = 24;
const TAG_ENDS: [(u32, u32); LONGEST_TAG + 1] = {
    let mut ends = [(0u32, 0u32); LONGEST_TAG + 1];
    let mut i = 0;
    while i < DANGEROUS_TAGS.len() + CONDITIONAL_TAGS.len() + ANIMATION_TAGS.len() {
        let name = if i < DANGEROUS_TAGS.len() {
            DANGEROUS_TAGS[i].as_bytes()
        } else if i < DANGEROUS_TAGS.len() + CONDITIONAL_TAGS.len() {
            CONDITIONAL_TAGS[i - DANGEROUS_TAGS.len()].0.as_bytes()
        } else {
            ANIMATION_TAGS[i - DANGEROUS_TAGS.len() - CONDITIONAL_TAGS.len()].as_bytes()
        };
        let slot = &mut ends[name.len()];
        slot.0 |= 1 << (name[0] - b'a');
        slot.1 |= 1 << (name[name.len() - 1] - b'a');
        i += 1;
    }
    ends
};

/// Whether `local` could be a listed tag name, by its length, first and
/// last letters alone.
fn might_be_listed(local: &[u8]) -> bool {
    let letter_bit = |b: Option<&u8>| {
        b.filter(|b| b.is_ascii_lowercase())
            .map_or(0, |&b| 1u32 << (b - b'a'))
    };
    TAG_ENDS.get(local.len()).is_some_and(|&(first, last)| {
        first & letter_bit(local.first()) != 0 && last & letter_bit(local.last()) != 0
    })
}

fn name_class(name: &Name) -> TagClass {
    let local = name.local();
    if !might_be_listed(local) {
        return TagClass::Plain;
    }
    if let Ok(found) = DANGEROUS_TAGS.binary_search_by(|t| t.as_bytes().cmp(local)) {
        if let Some(tag) = DANGEROUS_TAGS.get(found) {
            return TagClass::Dangerous(tag);
        }
    }
    if let Ok(found) = CONDITIONAL_TAGS.binary_search_by(|(t, _)| t.as_bytes().cmp(local)) {
        if let Some((tag, _)) = CONDITIONAL_TAGS.get(found) {
            return TagClass::Conditional(tag);
        }
    }
    if ANIMATION_TAGS
        .binary_search_by(|t| t.as_bytes().cmp(local))
        .is_ok()
    {
        return TagClass::Animation;
    }
    TagClass::Plain
}

/// Event names (without `on` and vendor prefix, sorted) that browsers fire,
/// current and legacy.
/// Used where an `on...` attribute shows up without a tag the value opened
/// itself, to tell `" onfocus=x` from `sort=name online=1`.
#[rustfmt::skip]
const EVENTS: [&str; 192] = [
    "abort", "activate", "afterprint", "afterscriptexecute", "afterupdate", "animationcancel",
    "animationend", "animationiteration", "animationstart", "auxclick", "beforeactivate",
    "beforecopy", "beforecut", "beforedeactivate", "beforeeditfocus", "beforeinput", "beforematch",
    "beforepaste", "beforeprint", "beforescriptexecute", "beforetoggle", "beforeunload",
    "beforeupdate", "begin", "beginfullscreen", "blur", "bounce", "cancel", "canplay",
    "canplaythrough", "cellchange", "change", "click", "close", "command",
    "contentvisibilityautostatechange", "contextlost", "contextmenu", "contextrestored",
    "controlselect", "copy", "cuechange", "currentplaybacktargetiswirelesschanged", "cut",
    "dataavailable", "datasetchanged", "datasetcomplete", "dblclick", "deactivate", "devicemotion",
    "deviceorientation", "drag", "dragdrop", "dragend", "dragenter", "dragexit", "dragleave",
    "dragover", "dragstart", "drop", "durationchange", "emptied", "encrypted", "end", "ended",
    "endfullscreen", "error", "errorupdate", "filterchange", "finish", "focus", "focusin",
    "focusout", "formchange", "formdata", "forminput", "fullscreenchange", "fullscreenerror",
    "gotpointercapture", "hashchange", "help", "input", "invalid", "keyadded", "keydown",
    "keyerror", "keymessage", "keypress", "keyup", "languagechange", "layoutcomplete", "load",
    "loadeddata", "loadedmetadata", "loadend", "loadstart", "losecapture", "lostpointercapture",
    "message", "messageerror", "mousedown", "mouseenter", "mouseforcechanged", "mouseforcedown",
    "mouseforceup", "mouseforcewillbegin", "mouseleave", "mousemove", "mouseout", "mouseover",
    "mouseup", "mousewheel", "move", "moveend", "movestart", "needkey", "offline", "online",
    "orientationchange", "pagehide", "pagereveal", "pageshow", "pageswap", "paste", "pause",
    "play", "playbacktargetavailabilitychanged", "playing", "pointercancel", "pointerdown",
    "pointerenter", "pointerleave", "pointerlockchange", "pointermove", "pointerout",
    "pointerover", "pointerrawupdate", "pointerup", "popstate", "presentationmodechanged",
    "progress", "propertychange", "ratechange", "readystatechange", "rejectionhandled", "repeat",
    "reset", "resize", "resizeend", "resizestart", "resume", "rowenter", "rowexit", "rowsdelete",
    "rowsinserted", "scroll", "scrollend", "scrollsnapchange", "scrollsnapchanging", "search",
    "securitypolicyviolation", "seek", "seeked", "seeking", "select", "selectionchange",
    "selectstart", "show", "slotchange", "stalled", "start", "stop", "storage", "submit",
    "suspend", "timeerror", "timeupdate", "toggle", "touchcancel", "touchend", "touchmove",
    "touchstart", "transitioncancel", "transitionend", "transitionrun", "transitionstart",
    "unhandledrejection", "unload", "volumechange", "waiting", "wheel", "zoom",
];

/// Vendor prefixes in front of event names (`onwebkitanimationend`).
const VENDOR_PREFIXES: [&[u8]; 4] = [b"webkit", b"moz", b"ms", b"o"];

/// Whether `handler` (`on` + letters, as from [`Name::event_handler`]) names
/// an event a browser fires.
pub(super) fn is_known_event(handler: &[u8]) -> bool {
    let Some(event) = handler.strip_prefix(b"on") else {
        return false;
    };
    let known = |e: &[u8]| EVENTS.binary_search_by(|t| t.as_bytes().cmp(e)).is_ok();
    known(event)
        || VENDOR_PREFIXES
            .iter()
            .any(|prefix| event.strip_prefix(*prefix).is_some_and(known))
}

/// Attribute names that give the attribute a meaning of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AttributeClass {
    /// `on...`: an event handler; holds the letters for the fingerprint.
    Event(Name),
    /// `style`
    Style,
    /// `srcdoc`: a whole document.
    Srcdoc,
    /// `formaction`: overrides the form's target.
    FormAction,
    /// The attribute that makes a [`TagClass::Conditional`] tag dangerous.
    Trigger(&'static str),
    /// `attributename` (SVG animation target).
    AttributeName,
    /// `dataformatas` (IE data binding; `html` renders bound data as markup).
    DataFormatAs,
    /// Anything else: only its value's URL scheme matters.
    Other,
}

/// Classifies an attribute name (its local part) of a tag of class `tag`.
pub(super) fn attribute_class(name: &Name, tag: TagClass) -> AttributeClass {
    if let TagClass::Conditional(tag) = tag {
        let triggers = CONDITIONAL_TAGS
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, triggers)| *triggers)
            .unwrap_or_default();
        if triggers.contains(&name.local()) {
            return AttributeClass::Trigger(tag);
        }
    }
    match name.local() {
        b"style" => AttributeClass::Style,
        b"srcdoc" => AttributeClass::Srcdoc,
        b"formaction" => AttributeClass::FormAction,
        b"attributename" => AttributeClass::AttributeName,
        b"dataformatas" => AttributeClass::DataFormatAs,
        _ => match name.event_handler() {
            Some(handler) => AttributeClass::Event(Name::new(handler)),
            None => AttributeClass::Other,
        },
    }
}

/// Processing instructions that load or bind active content (sorted, lowercase).
const DANGEROUS_INSTRUCTIONS: [&str; 3] = ["import", "xml-stylesheet", "xml:namespace"];

/// The dangerous processing instruction a `<?...>` body starts with.
pub(super) fn dangerous_instruction(body: &[u8]) -> Option<&'static str> {
    let target_len = body
        .iter()
        .take_while(|&&b| !b.is_ascii_whitespace() && b != b'?' && b != b'>')
        .count();
    let target = Name::new(body.get(..target_len)?);
    DANGEROUS_INSTRUCTIONS
        .iter()
        .find(|name| name.as_bytes() == target.as_bytes())
        .copied()
}

/// Markup declarations that define entities or attribute defaults: an XML
/// document can pull in markup (`<!ENTITY x SYSTEM ...>`) or give every `img`
/// an `onerror` (`<!ATTLIST img onerror CDATA ...>`).
const DANGEROUS_DECLARATIONS: [&str; 2] = ["attlist", "entity"];

/// The dangerous declaration a `<!...>` body is or holds (in a DOCTYPE's
/// internal subset), if any.
pub(super) fn dangerous_declaration(body: &[u8]) -> Option<&'static str> {
    let starts = |at: usize| {
        DANGEROUS_DECLARATIONS.iter().find(|word| {
            body.get(at..at + word.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(word.as_bytes()))
        })
    };
    if let Some(word) = starts(0) {
        return Some(word);
    }
    memchr::memmem::find_iter(body, b"<!")
        .find_map(|at| starts(at + 2))
        .copied()
}

/// `attributeName` values that make an SVG animation run script: link
/// targets and markup/handler properties (local part, lowercase).
pub(super) fn is_dangerous_animation_target(target: &Name) -> bool {
    let local = target.local();
    matches!(
        local,
        b"href"
            | b"src"
            | b"action"
            | b"formaction"
            | b"data"
            | b"innerhtml"
            | b"outerhtml"
            | b"style"
    ) || target.event_handler().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_sorted(list: &[&str]) -> bool {
        list.windows(2).all(|pair| pair[0] < pair[1])
    }

    #[test]
    fn every_listed_name_passes_the_length_and_letter_check() {
        let names = DANGEROUS_TAGS
            .iter()
            .chain(CONDITIONAL_TAGS.iter().map(|(t, _)| t))
            .chain(ANIMATION_TAGS.iter());
        for name in names {
            assert!(might_be_listed(name.as_bytes()), "{name}");
            assert_ne!(name_class(&Name::new(name.as_bytes())), TagClass::Plain);
        }
        assert!(!might_be_listed(b"orders@example.org"));
        assert!(!might_be_listed(b"b"));
        assert!(!might_be_listed(b""));
    }

    #[test]
    fn tables_are_sorted_so_binary_search_works() {
        assert!(is_sorted(&DANGEROUS_TAGS));
        assert!(is_sorted(&ANIMATION_TAGS));
        let conditional: Vec<&str> = CONDITIONAL_TAGS.iter().map(|(t, _)| *t).collect();
        assert!(is_sorted(&conditional));
        assert!(is_sorted(&EVENTS));
        assert!(is_sorted(&DANGEROUS_INSTRUCTIONS));
        assert!(is_sorted(&DANGEROUS_DECLARATIONS));
    }

    #[test]
    fn names_are_lowercased_and_lose_ignorable_bytes() {
        assert_eq!(Name::new(b"SCR\0IPT").as_bytes(), b"script");
        assert_eq!(Name::new(b"scr\xEF\xBF\xBDipt").as_bytes(), b"script");
        assert_eq!(Name::new(b"SVG:Script").local(), b"script");
        assert_eq!(Name::new(&[b'a'; 60]).as_bytes(), b"");
    }

    #[test]
    fn tag_classes() {
        assert_eq!(tag_class(b"IFrame"), TagClass::Dangerous("iframe"));
        assert_eq!(tag_class(b"x:script"), TagClass::Dangerous("script"));
        assert_eq!(tag_class(b"scr\0ipt"), TagClass::Dangerous("script"));
        assert_eq!(
            tag_class(b"script<{alert(1)}"),
            TagClass::Dangerous("script")
        );
        assert_eq!(tag_class(b"iframe\"src"), TagClass::Dangerous("iframe"));
        assert_eq!(tag_class(b"scr<script"), TagClass::Dangerous("script"));
        assert_eq!(tag_class(b"a<b<c"), TagClass::Plain);
        assert_eq!(tag_class(b"FORM"), TagClass::Conditional("form"));
        assert_eq!(tag_class(b"Link"), TagClass::Conditional("link"));
        assert_eq!(tag_class(b"set"), TagClass::Animation);
        assert_eq!(tag_class(b"scripts"), TagClass::Plain);
        assert_eq!(tag_class(b"style-guide"), TagClass::Plain);
        assert_eq!(tag_class(b"meta_data"), TagClass::Plain);
        assert_eq!(tag_class(b"b"), TagClass::Plain);
    }

    #[test]
    fn instructions_and_declarations() {
        assert_eq!(dangerous_instruction(b"import namespace=t"), Some("import"));
        assert_eq!(
            dangerous_instruction(b"XML-Stylesheet href=x?"),
            Some("xml-stylesheet")
        );
        assert_eq!(dangerous_instruction(b"xml version=\"1.0\"?"), None);
        assert_eq!(
            dangerous_declaration(b"ENTITY x SYSTEM \"u\""),
            Some("entity")
        );
        assert_eq!(
            dangerous_declaration(b"DOCTYPE x [ <!ATTLIST img"),
            Some("attlist")
        );
        assert_eq!(dangerous_declaration(b"DOCTYPE html"), None);
    }

    #[test]
    fn trigger_attributes_of_conditional_tags() {
        let link = TagClass::Conditional("link");
        assert_eq!(
            attribute_class(&Name::new(b"HREF"), link),
            AttributeClass::Trigger("link")
        );
        assert_eq!(
            attribute_class(&Name::new(b"rel"), link),
            AttributeClass::Other
        );
        assert_eq!(
            attribute_class(&Name::new(b"href"), TagClass::Plain),
            AttributeClass::Other
        );
        let meta = TagClass::Conditional("meta");
        assert_eq!(
            attribute_class(&Name::new(b"charset"), meta),
            AttributeClass::Trigger("meta")
        );
    }

    #[test]
    fn event_handlers() {
        assert_eq!(Name::new(b"OnError").event_handler(), Some(&b"onerror"[..]));
        assert_eq!(
            Name::new(b"onload!#$").event_handler(),
            Some(&b"onload"[..])
        );
        assert_eq!(Name::new(b"on").event_handler(), None);
        assert_eq!(Name::new(b"one").event_handler(), None);
        assert_eq!(Name::new(b"only").event_handler(), None);
        assert!(is_known_event(b"onerror"));
        assert!(is_known_event(b"onwebkitanimationstart"));
        assert!(is_known_event(b"onpointerrawupdate"));
        assert!(!is_known_event(b"online"));
        assert!(!is_known_event(b"onsale"));
        assert!(!is_known_event(b"onset"));
    }
}
