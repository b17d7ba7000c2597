//! Response bodies generated a chunk at a time.
//!
//! Large answers (a usage page, marketplace charges over years, a CSV month) are
//! documents of the form `prefix item (separator item)* suffix`, where item `i` is
//! rendered on demand from its index. Small ones are built into one buffer (and get a
//! `Content-Length`); larger ones are streamed so memory stays at one chunk per
//! connection whatever the size.
//!
//! An injected "drop" fault is a body that errors after part of the first chunk:
//! hyper then aborts the connection mid-body, which clients see as a cut connection.

use std::io;
use std::ops::Range;

use axum::body::Body;
use bytes::Bytes;
use futures_util::{StreamExt, stream};

/// Items rendered per streamed chunk (a few hundred KB of usage JSON).
pub const CHUNK_ITEMS: u64 = 256;

/// Renders item `i` onto the buffer.
pub type RenderItem = Box<dyn FnMut(u64, &mut Vec<u8>) + Send>;

/// A body made of rendered items between a prefix and a suffix.
pub struct Document {
    prefix: Vec<u8>,
    items: Range<u64>,
    first: u64,
    render: RenderItem,
    separator: &'static [u8],
    suffix: Vec<u8>,
    started: bool,
    done: bool,
    /// Size of the previous chunk, to allocate the next one at once.
    size_hint: usize,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("items", &self.items)
            .finish_non_exhaustive()
    }
}

impl Document {
    /// `prefix`, then items `items` rendered by `render` and joined by `separator`,
    /// then `suffix`.
    pub fn new(
        prefix: Vec<u8>,
        items: Range<u64>,
        separator: &'static [u8],
        render: RenderItem,
        suffix: Vec<u8>,
    ) -> Self {
        Self {
            prefix,
            first: items.start,
            items,
            render,
            separator,
            suffix,
            started: false,
            done: false,
            size_hint: 0,
        }
    }

    /// A JSON array of the rendered items.
    pub fn json_array(items: Range<u64>, render: RenderItem) -> Self {
        Self::new(b"[".to_vec(), items, b",", render, b"]".to_vec())
    }

    fn item_count(&self) -> u64 {
        self.items.end.saturating_sub(self.items.start)
    }
}

impl Iterator for Document {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        let mut buf = Vec::with_capacity(self.size_hint);
        if !self.started {
            buf.extend_from_slice(&self.prefix);
            self.started = true;
        }
        let end = self
            .items
            .end
            .min(self.items.start.saturating_add(CHUNK_ITEMS));
        for i in self.items.start..end {
            if i != self.first {
                buf.extend_from_slice(self.separator);
            }
            (self.render)(i, &mut buf);
        }
        self.items.start = end;
        if self.items.start >= self.items.end {
            buf.extend_from_slice(&self.suffix);
            self.done = true;
        }
        self.size_hint = buf.len();
        Some(Bytes::from(buf))
    }
}

/// A body to send: built already, or to be generated.
#[derive(Debug)]
pub enum Payload {
    /// The whole body.
    Bytes(Bytes),
    /// Generated chunk by chunk.
    Document(Document),
}

impl Payload {
    /// The HTTP body; `cut` makes it fail part-way (the injected connection drop).
    pub fn into_body(self, cut: bool) -> Body {
        match (self, cut) {
            (Payload::Bytes(bytes), false) => Body::from(bytes),
            (Payload::Bytes(bytes), true) => cut_after_half(bytes),
            (Payload::Document(mut doc), false) if doc.item_count() <= CHUNK_ITEMS => {
                Body::from(doc.next().unwrap_or_default())
            }
            (Payload::Document(doc), false) => {
                Body::from_stream(stream::iter(doc.map(Ok::<_, io::Error>)))
            }
            (Payload::Document(mut doc), true) => cut_after_half(doc.next().unwrap_or_default()),
        }
    }
}

/// A body that sends the first half of `bytes` (at least one byte when there is one)
/// and then fails. Between the two it yields to the runtime once: hyper writes the
/// head and the first chunk to the socket when the body is not ready, so the client
/// really gets the headers and part of the body before the connection is cut.
fn cut_after_half(bytes: Bytes) -> Body {
    let half = bytes.slice(..bytes.len().div_ceil(2));
    let steps = stream::unfold(Some(half), |state| async move {
        match state {
            Some(half) => Some((Ok(half), None)),
            None => {
                tokio::task::yield_now().await;
                let cut = io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "injected fault: connection dropped mid-body",
                );
                Some((Err(cut), None))
            }
        }
    });
    // `unfold` would go on yielding errors; the first one ends the body anyway.
    Body::from_stream(steps.take(2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::HttpBody as _;

    fn numbers(n: u64) -> Document {
        Document::json_array(
            0..n,
            Box::new(|i, buf| buf.extend_from_slice(i.to_string().as_bytes())),
        )
    }

    async fn collect(body: Body) -> Result<Vec<u8>, axum::Error> {
        axum::body::to_bytes(body, usize::MAX)
            .await
            .map(|b| b.to_vec())
    }

    #[test]
    fn chunks_concatenate_to_the_document() {
        for n in [0, 1, 2, CHUNK_ITEMS, CHUNK_ITEMS + 1, 3 * CHUNK_ITEMS + 7] {
            let text: Vec<u8> = numbers(n).flat_map(|b| b.to_vec()).collect();
            let want = format!(
                "[{}]",
                (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
            );
            assert_eq!(String::from_utf8(text).unwrap(), want, "n={n}");
            let chunks = numbers(n).count() as u64;
            assert_eq!(chunks, n.div_ceil(CHUNK_ITEMS).max(1), "n={n}");
        }
    }

    #[test]
    fn items_may_start_anywhere() {
        let doc = Document::new(
            b"<".to_vec(),
            5..8,
            b"|",
            Box::new(|i, buf| buf.extend_from_slice(i.to_string().as_bytes())),
            b">".to_vec(),
        );
        let text: Vec<u8> = doc.flat_map(|b| b.to_vec()).collect();
        assert_eq!(text, b"<5|6|7>");
    }

    #[tokio::test]
    async fn small_documents_have_a_length_and_large_ones_stream() {
        let small = Payload::Document(numbers(3)).into_body(false);
        assert_eq!(small.size_hint().exact(), Some(7));
        let large = Payload::Document(numbers(1000)).into_body(false);
        assert_eq!(large.size_hint().exact(), None);
        let bytes = collect(large).await.unwrap();
        assert!(bytes.starts_with(b"[0,1,") && bytes.ends_with(b",999]"));
    }

    #[tokio::test]
    async fn cut_bodies_fail_after_some_bytes() {
        let body = Payload::Bytes(Bytes::from_static(b"{\"a\":1}")).into_body(true);
        assert!(collect(body).await.is_err());
        let body = Payload::Document(numbers(1000)).into_body(true);
        assert!(collect(body).await.is_err());
    }
}
