//! Properties: hostile bytes never panic, HAR written by `write_har` reads back the same, and a
//! huge HAR is read as a stream.

use std::io::Read;

use chrono::{TimeZone as _, Utc};
use proptest::prelude::*;
use rampart_core::{Body, Exchange, Request, Response};
use rampart_ingest::{IngestOptions, har::write_har, read_har, read_jsonl};

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let opts = IngestOptions { max_line_bytes: 256, ..IngestOptions::default() };
        let har = read_har("fuzz.har", &bytes[..], &opts, &mut |_| {});
        prop_assert!(har.exchanges + har.skipped <= bytes.len() as u64);
        let jsonl = read_jsonl("fuzz.jsonl", &bytes[..], &opts, &mut |_| {});
        prop_assert!(jsonl.exchanges + jsonl.skipped <= bytes.len() as u64 + 1);
    }

    #[test]
    fn har_like_text_never_panics(text in r#"\{"log":\{"entries":\[(\{"request":\{"method":"[A-Z]{0,4}","url":"[a-z:/?&=%.\[\]@#+]{0,30}"\},"startedDateTime":"[0-9T:.+Z-]{0,30}","response":\{"status":[0-9"-]{0,5}\}\},?){0,3}\]?\}?\}?"#) {
        let report = read_har("t.har", text.as_bytes(), &IngestOptions::default(), &mut |_| {});
        prop_assert!(report.exchanges + report.skipped <= 3);
    }
}

fn header_pair() -> impl Strategy<Value = (String, String)> {
    ("x-[a-z]{1,10}", "[ -~]{0,20}")
}

fn body() -> impl Strategy<Value = Option<Body>> {
    prop_oneof![
        Just(None),
        "\\PC{0,40}".prop_map(|text| Some(Body::from_text(text))),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|bytes| Some(Body::from_bytes(&bytes))),
    ]
}

prop_compose! {
    fn exchange()(
        method in "(GET|POST|PUT|PATCH|DELETE|OPTIONS)",
        https in any::<bool>(),
        host in "[a-z]{1,10}\\.example(:[1-9][0-9]{2,4})?",
        path in "(/[A-Za-z0-9._~%-]{0,12}){1,4}",
        query in proptest::collection::vec(("\\PC{0,8}", "\\PC{0,12}"), 0..4),
        request_headers in proptest::collection::vec(header_pair(), 0..4),
        request_body in body(),
        response in proptest::option::of((100u16..600, proptest::collection::vec(header_pair(), 0..4), body())),
        millis in 0i64..4_000_000_000_000,
        duration in proptest::option::of(0.0f64..1e6),
    ) -> Exchange {
        Exchange {
            v: 1,
            id: None,
            started_at: Utc.timestamp_millis_opt(millis).unwrap(),
            duration_ms: duration,
            client: Default::default(),
            source: Default::default(),
            request: Request {
                method,
                scheme: if https { "https".into() } else { "http".into() },
                // An Exchange names the port only when it is not the scheme's default (the reader
                // drops `:443` from an https URL), so the generator writes hosts that way too.
                host: if https { host.strip_suffix(":443").map_or(host.clone(), str::to_owned) } else { host },
                path,
                query,
                headers: request_headers,
                body: request_body,
            },
            response: response.map(|(status, headers, body)| Response { status, headers, body }),
        }
    }
}

fn same_body(written: Option<&Body>, read: Option<&Body>) -> bool {
    match (written, read) {
        (None, None) => true,
        (Some(w), Some(r)) => w.bytes() == r.bytes(),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn written_har_reads_back_the_same(exchanges in proptest::collection::vec(exchange(), 0..6)) {
        let mut har = Vec::new();
        write_har(&mut har, "proptest", exchanges.clone()).unwrap();
        let mut back = Vec::new();
        let report = read_har("rt.har", &har[..], &IngestOptions::default(), &mut |e| back.push(e));
        prop_assert!(report.errors.is_empty(), "{:?}", report.errors);
        prop_assert!(report.fatal.is_none(), "{:?}", report.fatal);
        prop_assert_eq!(back.len(), exchanges.len());
        for (written, read) in exchanges.iter().zip(&back) {
            prop_assert_eq!(&read.request.method, &written.request.method);
            prop_assert_eq!(&read.request.scheme, &written.request.scheme);
            prop_assert_eq!(&read.request.host, &written.request.host);
            prop_assert_eq!(&read.request.path, &written.request.path);
            prop_assert_eq!(&read.request.query, &written.request.query);
            prop_assert_eq!(&read.request.headers, &written.request.headers);
            prop_assert!(same_body(written.request.body.as_ref(), read.request.body.as_ref()));
            prop_assert_eq!(read.started_at, written.started_at);
            match (&written.response, &read.response) {
                (None, None) => {}
                (Some(w), Some(r)) => {
                    prop_assert_eq!(r.status, w.status);
                    prop_assert_eq!(&r.headers, &w.headers);
                    prop_assert!(same_body(w.body.as_ref(), r.body.as_ref()), "{:?} vs {:?}", w.body, r.body);
                }
                (w, r) => prop_assert!(false, "response {:?} read back as {:?}", w, r),
            }
        }
    }
}

/// Produces a HAR of `total` entries on the fly, a few KiB at a time, so the test can tell the
/// reader streams: the whole document (about 100 MB) never exists anywhere.
struct GeneratedHar {
    total: u64,
    next_entry: u64,
    pending: Vec<u8>,
    position: usize,
    finished: bool,
}

impl GeneratedHar {
    fn new(total: u64) -> GeneratedHar {
        let prelude =
            br#"{"log":{"version":"1.2","creator":{"name":"gen","version":"1"},"pages":[],"entries":["#;
        GeneratedHar { total, next_entry: 0, pending: prelude.to_vec(), position: 0, finished: false }
    }

    fn refill(&mut self) {
        self.pending.clear();
        self.position = 0;
        if self.next_entry == self.total {
            self.pending.extend_from_slice(b"],\"comment\":\"pages and comments may follow\"}}");
            self.finished = true;
            return;
        }
        let i = self.next_entry;
        if i > 0 {
            self.pending.push(b',');
        }
        let entry = format!(
            r#"{{"startedDateTime":"2024-05-14T10:00:00.000Z","time":{ms},"request":{{"method":"GET","url":"https://api.bank.example/v1/accounts/{i}/balance?currency=EUR","httpVersion":"HTTP/1.1","cookies":[],"headers":[{{"name":"Accept","value":"application/json"}}],"queryString":[{{"name":"currency","value":"EUR"}}],"headersSize":-1,"bodySize":0}},"response":{{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","cookies":[],"headers":[{{"name":"Content-Type","value":"application/json"}}],"content":{{"size":30,"mimeType":"application/json","text":"{{\"balance\":\"{i}.00\",\"ccy\":\"EUR\"}}"}},"redirectURL":"","headersSize":-1,"bodySize":30}},"cache":{{}},"timings":{{"send":0,"wait":{ms},"receive":0}}}}"#,
            ms = i % 300
        );
        self.pending.extend_from_slice(entry.as_bytes());
        self.next_entry += 1;
    }
}

impl Read for GeneratedHar {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.position == self.pending.len() {
            if self.finished {
                return Ok(0);
            }
            self.refill();
        }
        let n = buf.len().min(self.pending.len() - self.position);
        buf[..n].copy_from_slice(&self.pending[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

#[test]
fn a_huge_har_is_read_as_a_stream() {
    const ENTRIES: u64 = 200_000;
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let opts = IngestOptions { progress: Some(progress.clone()), ..IngestOptions::default() };
    let mut count = 0u64;
    let mut last_index = None;
    let report = read_har("generated.har", GeneratedHar::new(ENTRIES), &opts, &mut |exchange| {
        count += 1;
        last_index = exchange.source.entry;
    });
    assert!(report.is_complete() && report.errors.is_empty(), "{report:?}");
    assert_eq!((count, report.exchanges), (ENTRIES, ENTRIES));
    assert_eq!(last_index, Some(ENTRIES - 1));
    assert!(progress.load(std::sync::atomic::Ordering::Relaxed) > ENTRIES * 500);
}
