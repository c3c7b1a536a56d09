//! A reader that publishes how many bytes it has read, for progress bars.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Adds every byte read from `inner` to `counter`. It sits *under* the `BufReader`, so it sees a
/// few large reads rather than one call per byte, and the atomic add costs nothing measurable.
pub(crate) struct CountingReader<R> {
    inner: R,
    counter: Option<Arc<AtomicU64>>,
}

impl<R> CountingReader<R> {
    pub(crate) fn new(inner: R, counter: Option<Arc<AtomicU64>>) -> CountingReader<R> {
        CountingReader { inner, counter }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(counter) = &self.counter {
            counter.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_byte_read() {
        let counter = Arc::new(AtomicU64::new(0));
        let mut reader = CountingReader::new(&b"hello, world"[..], Some(counter.clone()));
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(counter.load(Ordering::Relaxed), 12);
    }
}
