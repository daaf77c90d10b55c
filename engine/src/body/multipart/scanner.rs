//! Finding `\n--boundary` in a stream split at arbitrary points.
//!
//! A KMP automaton over the delimiter `\n--boundary`: its state is just how many
//! delimiter bytes are matched so far, so a match split across chunks needs no copy of
//! earlier chunks. Bytes that turn out not to be part of a delimiter are handed to the
//! caller as content. A `\r` is held back until the next byte shows whether it starts
//! the `\r\n` before a delimiter (then it is dropped) or is content.

/// Streaming delimiter matcher.
pub(super) struct DelimiterScanner {
    /// `\n--` followed by the boundary.
    delimiter: Vec<u8>,
    /// KMP failure function: `failure[i]` is the longest proper border of `delimiter[..=i]`.
    failure: Vec<usize>,
    /// Delimiter bytes matched so far.
    matched: usize,
    /// The first matched byte is a virtual line break (start of body or of content),
    /// not a byte of the body: never hand it out as content.
    virtual_newline: bool,
    /// A `\r` of content not yet handed out.
    held_cr: bool,
}

impl DelimiterScanner {
    pub(super) fn new(boundary: &[u8]) -> Self {
        let mut delimiter = b"\n--".to_vec();
        delimiter.extend_from_slice(boundary);
        let failure = failure_function(&delimiter);
        DelimiterScanner {
            delimiter,
            failure,
            // The body may start with the delimiter line itself.
            matched: 1,
            virtual_newline: true,
            held_cr: false,
        }
    }

    /// Content starts (after the blank line ending the part headers). A delimiter may
    /// follow at once: some clients omit the line break of an empty part.
    pub(super) fn start_content(&mut self) {
        self.matched = 1;
        self.virtual_newline = true;
        self.held_cr = false;
    }

    /// Scans `data`; content bytes go to `out`. Returns how many bytes were used and
    /// whether a whole delimiter ended there (its bytes are not content).
    pub(super) fn scan(&mut self, data: &[u8], out: &mut dyn FnMut(&[u8])) -> (usize, bool) {
        let mut used = 0;
        while used < data.len() {
            if self.matched == 0 {
                // Fast path: nothing can match before the next line feed.
                let rest = data.get(used..).unwrap_or_default();
                let Some(lf) = memchr::memchr(b'\n', rest) else {
                    self.content(rest, out);
                    return (data.len(), false);
                };
                self.content(rest.get(..lf).unwrap_or_default(), out);
                used += lf;
            }
            let Some(&byte) = data.get(used) else {
                break;
            };
            used += 1;
            loop {
                if self.delimiter.get(self.matched) == Some(&byte) {
                    self.matched += 1;
                    break;
                }
                if self.matched == 0 {
                    self.content(&[byte], out);
                    break;
                }
                let border = self.failure.get(self.matched - 1).copied().unwrap_or(0);
                self.release(self.matched - border, out);
                self.matched = border;
            }
            if self.matched == self.delimiter.len() {
                self.matched = 0;
                self.virtual_newline = false;
                self.held_cr = false;
                return (used, true);
            }
        }
        (used, false)
    }

    /// End of body inside content: hands out what was held back.
    pub(super) fn flush(&mut self, out: &mut dyn FnMut(&[u8])) {
        self.release(self.matched, out);
        self.matched = 0;
        if self.held_cr {
            out(b"\r");
            self.held_cr = false;
        }
    }

    /// The first `count` matched delimiter bytes turned out to be content.
    fn release(&mut self, count: usize, out: &mut dyn FnMut(&[u8])) {
        let skip = usize::from(self.virtual_newline);
        self.virtual_newline = false;
        let delimiter = std::mem::take(&mut self.delimiter);
        self.content(delimiter.get(skip..count).unwrap_or_default(), out);
        self.delimiter = delimiter;
    }

    fn content(&mut self, bytes: &[u8], out: &mut dyn FnMut(&[u8])) {
        if bytes.is_empty() {
            return;
        }
        if self.held_cr {
            out(b"\r");
            self.held_cr = false;
        }
        match bytes.split_last() {
            Some((b'\r', init)) => {
                if !init.is_empty() {
                    out(init);
                }
                self.held_cr = true;
            }
            _ => out(bytes),
        }
    }
}

fn failure_function(pattern: &[u8]) -> Vec<usize> {
    let mut failure = vec![0; pattern.len()];
    let mut border = 0;
    for i in 1..pattern.len() {
        while border > 0 && pattern.get(i) != pattern.get(border) {
            border = failure.get(border - 1).copied().unwrap_or(0);
        }
        if pattern.get(i) == pattern.get(border) {
            border += 1;
        }
        if let Some(slot) = failure.get_mut(i) {
            *slot = border;
        }
    }
    failure
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `body` split at `split`; returns the content before the first delimiter.
    fn content_before_delimiter(boundary: &[u8], body: &[u8], split: usize) -> (Vec<u8>, bool) {
        let mut scanner = DelimiterScanner::new(boundary);
        scanner.start_content();
        let mut content = Vec::new();
        let (first, second) = body.split_at(split);
        for piece in [first, second] {
            let (_, found) = scanner.scan(piece, &mut |b: &[u8]| content.extend_from_slice(b));
            if found {
                return (content, true);
            }
        }
        scanner.flush(&mut |b: &[u8]| content.extend_from_slice(b));
        (content, false)
    }

    /// Boundary, body, content before the first delimiter, whether a delimiter is found.
    type Case = (&'static [u8], &'static [u8], &'static [u8], bool);

    #[test]
    fn every_split_gives_the_same_content() {
        let cases: &[Case] = &[
            (b"ab", b"x\r\n--ab", b"x", true),
            (b"ab", b"x\n--ab", b"x", true),
            (b"ab", b"--ab", b"", true),
            (b"ab", b"\r\n--ab", b"", true),
            (b"ab", b"x\r\n--a\r\n--ab", b"x\r\n--a", true),
            (b"aab", b"\n--aa\n--aab", b"\n--aa", true),
            (b"ab", b"x\r\r\n-\n--ab", b"x\r\r\n-", true),
            (b"ab", b"-x\r", b"-x\r", false),
            (b"ab", b"y\r\n--a", b"y\r\n--a", false),
            (b"--", b"\n----\n--", b"", true),
        ];
        for &(boundary, body, want, want_found) in cases {
            for split in 0..=body.len() {
                let (got, found) = content_before_delimiter(boundary, body, split);
                assert_eq!(
                    (got.as_slice(), found),
                    (want, want_found),
                    "boundary {boundary:?} body {body:?} split {split}"
                );
            }
        }
    }
}
