//! The detection engine behind a trait, so the libinjection port can be swapped (for the C
//! library, a newer port, or a test double) without touching the request walker.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};

/// Judges one decoded input value.
pub trait InjectionEngine: Send + Sync {
    /// The SQL fingerprint (libinjection's token-class string, e.g. `s&1c`) when the value
    /// reads as SQL injection in any quoting context.
    fn sqli_fingerprint(&self, value: &[u8]) -> Option<String>;
    /// Whether the value is an XSS vector in any HTML context (text, attribute, URL).
    fn is_xss(&self, value: &[u8]) -> bool;
}

/// `libinjectionrs` 0.1.1: a pure-Rust port of libinjection's SQL tokenizer + fingerprint
/// table and its HTML5 tokenizer for XSS.
#[derive(Debug, Default)]
pub struct LibInjection {
    panicked_once: AtomicBool,
}

impl LibInjection {
    pub fn new() -> LibInjection {
        LibInjection::default()
    }

    // The port is young; a panic inside it must cost one verdict, not the connection task.
    // The fuzz target calls the engine without this guard so that such panics are found.
    fn guarded<T>(&self, default: T, run: impl FnOnce() -> T) -> T {
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(verdict) => verdict,
            Err(_) => {
                if !self.panicked_once.swap(true, Ordering::Relaxed) {
                    tracing::error!("libinjectionrs panicked on an input; treated as no match");
                }
                default
            }
        }
    }
}

impl InjectionEngine for LibInjection {
    fn sqli_fingerprint(&self, value: &[u8]) -> Option<String> {
        self.guarded(None, || {
            let result = libinjectionrs::detect_sqli(value);
            if result.is_injection() {
                Some(
                    result.fingerprint.map(|fingerprint| fingerprint.as_str().to_owned()).unwrap_or_default(),
                )
            } else {
                None
            }
        })
    }

    fn is_xss(&self, value: &[u8]) -> bool {
        self.guarded(false, || libinjectionrs::detect_xss(value).is_injection())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_vectors_fire_and_plain_words_do_not() {
        let engine = LibInjection::new();
        assert!(engine.sqli_fingerprint(b"1' OR '1'='1").is_some());
        assert!(engine.sqli_fingerprint(b"1 UNION SELECT username, password FROM users--").is_some());
        assert!(engine.sqli_fingerprint(b"O'Brien").is_none());
        assert!(engine.is_xss(b"<script>alert(1)</script>"));
        assert!(!engine.is_xss(b"Tom & Jerry <3"));
    }
}
