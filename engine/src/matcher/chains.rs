//! The transform chains of one target class as a prefix tree, built once at
//! compile time, so that scanning a value applies every distinct chain prefix
//! exactly once and knows without comparing bytes which chains left the value
//! unchanged.
//!
//! Node 0 is the value itself; every other node is its parent's output with
//! one more transform applied. Each group's chain ends at one node.
//!
//! A step that only lowercases (`lowercase`, and `cmdline` on a value the
//! summary shows it would only lowercase) is not run: the case-insensitive
//! prefilter reads its parent's bytes, and its own are made on first use
//! (when a candidate rule of that chain must be confirmed, or a later step
//! needs them).

use crate::transform::summary::{ByteSet, Summary};
use crate::transform::{Chain, Transform};
use std::borrow::Cow;
use std::cell::OnceCell;

/// The chains of one class, merged on their common prefixes.
#[derive(Debug, Default)]
pub(crate) struct ChainTree {
    /// For node `i + 1`: its parent node and the transform applied to it.
    steps: Vec<(u16, Transform)>,
}

impl ChainTree {
    /// Adds a chain, sharing every prefix already present, and returns the
    /// node its output is found at.
    pub(crate) fn insert(&mut self, chain: &Chain) -> u16 {
        let mut node: u16 = 0;
        for &step in &chain.0 {
            let existing = self
                .steps
                .iter()
                .position(|&(parent, t)| parent == node && t == step);
            node = match existing {
                Some(i) => (i + 1) as u16,
                None => {
                    self.steps.push((node, step));
                    self.steps.len() as u16
                }
            };
        }
        node
    }

    /// Applies every node's transform to `value` (of which `summary` is
    /// the [`Summary`]), writing into `out`; `links` is the caller's
    /// reusable buffer for the node aliases.
    pub(crate) fn apply<'a, 's>(
        &self,
        value: &'a [u8],
        summary: &Summary,
        links: &'s mut Vec<Link>,
    ) -> Outputs<'a, 's> {
        let nodes = self.steps.len() + 1;
        let mut values: Vec<NodeBytes<'a>> = Vec::with_capacity(nodes);
        links.clear();
        values.push(NodeBytes::Ready(Cow::Borrowed(value)));
        links.push(Link {
            exact: 0,
            folded: 0,
        });
        // Which bytes the value holds: most transforms can be seen to leave
        // an ordinary value unchanged without being called.
        for (i, &(parent, step)) in self.steps.iter().enumerate() {
            let node = (i + 1) as u16;
            let from = links.get(usize::from(parent)).copied().unwrap_or_default();
            let on_value = from.exact == 0;
            if on_value && summary.leaves_unchanged(step) {
                values.push(NodeBytes::Ready(Cow::Borrowed(&[])));
                links.push(from);
                continue;
            }
            if step == Transform::Lowercase || (on_value && summary.only_lowercases(step)) {
                values.push(NodeBytes::Lowercased {
                    of: from.exact,
                    bytes: OnceCell::new(),
                });
                links.push(Link {
                    exact: node,
                    folded: from.folded,
                });
                continue;
            }
            let input = exact_bytes(&values, from.exact);
            let changed: Option<Vec<u8>> = match step.apply(input) {
                Cow::Borrowed(_) => None,
                Cow::Owned(next) => Some(next),
            };
            match changed {
                None => {
                    // Unchanged: the node reads its parent's bytes.
                    values.push(NodeBytes::Ready(Cow::Borrowed(&[])));
                    links.push(from);
                }
                Some(next) => {
                    // Changed only in ASCII case (a decoder that also
                    // lowercases): the case-insensitive prefilter need not
                    // scan it again.
                    let folded = if input.eq_ignore_ascii_case(&next) {
                        from.folded
                    } else {
                        node
                    };
                    values.push(NodeBytes::Ready(Cow::Owned(next)));
                    links.push(Link {
                        exact: node,
                        folded,
                    });
                }
            }
        }
        Outputs {
            values,
            links,
            value_bytes: summary.bytes(),
        }
    }
}

/// Where a node's bytes are: the node holding them exactly, and the node
/// holding bytes equal to them ignoring ASCII case.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Link {
    exact: u16,
    folded: u16,
}

/// The bytes a node holds itself (a node equal to its parent holds none).
#[derive(Debug)]
enum NodeBytes<'a> {
    Ready(Cow<'a, [u8]>),
    /// Node `of`'s bytes lowercased, made on first use.
    Lowercased {
        of: u16,
        bytes: OnceCell<Vec<u8>>,
    },
}

/// The bytes of `exact`, a node that holds its own (or node 0), making them
/// if they are a lowercased copy not made yet.
fn exact_bytes<'v>(values: &'v [NodeBytes<'_>], exact: u16) -> &'v [u8] {
    match values.get(usize::from(exact)) {
        Some(NodeBytes::Ready(bytes)) => bytes,
        Some(NodeBytes::Lowercased { of, bytes }) => {
            // `of` is an earlier node: the recursion ends at node 0.
            bytes.get_or_init(|| exact_bytes(values, *of).to_ascii_lowercase())
        }
        None => &[],
    }
}

/// The outputs of one [`ChainTree::apply`].
#[derive(Debug)]
pub(crate) struct Outputs<'a, 's> {
    values: Vec<NodeBytes<'a>>,
    links: &'s [Link],
    /// The bytes the value (node 0) holds, from its summary.
    value_bytes: ByteSet,
}

impl Outputs<'_, '_> {
    /// The exact output at `node`.
    pub(crate) fn bytes(&self, node: u16) -> &[u8] {
        let exact = self.links.get(usize::from(node)).map_or(0, |l| l.exact);
        exact_bytes(&self.values, exact)
    }

    /// The set of bytes in `node`'s output ignoring ASCII case, when known
    /// without a pass over it (the output is the value's, up to case).
    pub(crate) fn known_byte_set(&self, node: u16) -> Option<ByteSet> {
        (self.folded(node) == 0).then_some(self.value_bytes)
    }

    /// Bytes equal to `node`'s output ignoring ASCII case, never made just
    /// for this: what a case-insensitive scan reads.
    pub(crate) fn folded_bytes(&self, node: u16) -> &[u8] {
        self.bytes(self.folded(node))
    }

    /// The node whose bytes equal `node`'s ignoring ASCII case.
    pub(crate) fn folded(&self, node: u16) -> u16 {
        self.links.get(usize::from(node)).map_or(node, |l| l.folded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(steps: &[Transform]) -> Chain {
        Chain(steps.to_vec())
    }

    #[test]
    fn shared_prefixes_are_one_node() {
        let mut tree = ChainTree::default();
        let a = tree.insert(&chain(&[Transform::UrlDecodeMulti, Transform::RemoveNulls]));
        let b = tree.insert(&chain(&[Transform::UrlDecodeMulti, Transform::Lowercase]));
        let c = tree.insert(&chain(&[Transform::UrlDecodeMulti]));
        let none = tree.insert(&chain(&[]));
        assert_eq!(tree.steps.len(), 3);
        assert_eq!((a, b, c, none), (2, 3, 1, 0));
    }

    #[test]
    fn outputs_alias_unchanged_and_case_only_changes() {
        let mut tree = ChainTree::default();
        let decoded = tree.insert(&chain(&[Transform::UrlDecodeMulti]));
        let lower = tree.insert(&chain(&[Transform::UrlDecodeMulti, Transform::Lowercase]));
        let mut links = Vec::new();
        let out = tree.apply(b"Hello%20World", &Summary::of(b"Hello%20World"), &mut links);
        assert_eq!(out.bytes(decoded), b"Hello World");
        assert_eq!(out.bytes(lower), b"hello world");
        assert_eq!(out.folded(lower), out.folded(decoded));
        assert_ne!(out.folded(decoded), 0);
        drop(out);
        let out = tree.apply(b"plain", &Summary::of(b"plain"), &mut links);
        assert_eq!(out.bytes(decoded), b"plain");
        assert_eq!(out.folded(decoded), 0);
        assert_eq!(out.folded(lower), 0);
    }
}
