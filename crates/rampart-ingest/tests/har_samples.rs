//! Realistic HAR files as real tools write them, and damaged ones.

use std::path::{Path, PathBuf};

use rampart_core::{Exchange, SourceKind};
use rampart_ingest::{IngestOptions, IngestReport, InputFormat, read_path};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn read(name: &str) -> (Vec<Exchange>, IngestReport) {
    let mut exchanges = Vec::new();
    let report = read_path(&data(name), &IngestOptions::default(), &mut |exchange| exchanges.push(exchange));
    (exchanges, report)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn chrome_http2_entries_with_base64_image_and_failed_request() {
    let (exchanges, report) = read("chrome.har");
    assert!(report.is_complete() && report.errors.is_empty(), "{report:?}");
    assert_eq!((report.format, report.exchanges, report.skipped), (Some(InputFormat::Har), 3, 0));

    let api = &exchanges[0];
    assert_eq!(api.request.method, "GET");
    assert_eq!(api.request.scheme, "https");
    assert_eq!(api.request.host, "api.bank.example", "host is lower-cased");
    assert_eq!(api.request.path, "/v1/accounts/8812345/transactions");
    assert_eq!(api.request.query, pairs(&[("from", "2024-01-01"), ("q", "café latte"), ("page", "2")]));
    assert!(api.request.headers.iter().all(|(name, _)| !name.starts_with(':')), "pseudo-headers dropped");
    assert_eq!(api.request.header("cookie"), Some("session=abc123; theme=dark"));
    assert_eq!(
        api.request.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("cookie")).count(),
        1,
        "cookies list does not duplicate the Cookie header"
    );
    assert_eq!(api.started_at.to_rfc3339(), "2024-05-14T09:12:33.412+00:00");
    assert_eq!(api.duration_ms, Some(48.27399999275804));
    assert_eq!(api.client, rampart_core::Client::default(), "serverIPAddress is not the client");
    assert_eq!(api.source.kind, SourceKind::Har);
    assert!(api.source.name.as_deref().unwrap().ends_with("tests/data/chrome.har"), "the path as given");
    assert_eq!(api.source.entry, Some(0));
    let response = api.response.as_ref().unwrap();
    assert_eq!(response.status, 200);
    let body = response.body.as_ref().unwrap();
    assert!(body.text.as_deref().unwrap().starts_with("{\"items\":"));
    assert_eq!(body.size, Some(84));

    let image = &exchanges[1];
    assert_eq!(image.request.host, "cdn.bank.example", "default port dropped");
    let image_response = image.response.as_ref().unwrap();
    assert!(image_response.headers.iter().all(|(name, _)| name != ":status"));
    let image_body = image_response.body.as_ref().unwrap();
    assert!(image_body.text.is_none(), "a GIF is not UTF-8");
    let bytes = image_body.bytes().unwrap();
    assert_eq!(&bytes[..6], b"GIF89a");
    assert_eq!(bytes.len(), 43);

    let failed = &exchanges[2];
    assert_eq!(failed.request.method, "POST");
    assert!(failed.response.is_none(), "status 0 + _error means no response");
    assert_eq!(
        failed.request.body.as_ref().unwrap().as_text().unwrap(),
        r#"{"debtorAccount":"8812345","amount":"25.00","to":"Bob"}"#
    );
    assert_eq!(failed.duration_ms, Some(0.0));
}

#[test]
fn mitmproxy_microsecond_times_non_default_port_and_binary_body() {
    let (exchanges, report) = read("mitmproxy.har");
    assert!(report.is_complete() && report.errors.is_empty(), "{report:?}");
    assert_eq!(exchanges.len(), 2);
    let put = &exchanges[0];
    assert_eq!(put.request.scheme, "http");
    assert_eq!(put.request.host, "legacy.bank.example:8080");
    assert_eq!(put.request.path, "/api/v2/customers/C-1001/address");
    assert_eq!(put.started_at.timestamp_micros() % 1_000_000, 123_456);
    assert_eq!(put.request.body.as_ref().unwrap().size, Some(49));
    let response = put.response.as_ref().unwrap();
    assert_eq!(response.status, 204);
    assert_eq!(
        response.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie")).count(),
        1,
        "Set-Cookie is not duplicated from the cookies list"
    );
    assert_eq!(response.body.as_ref().and_then(|b| b.text.as_deref()), Some(""));

    let pdf = &exchanges[1];
    assert_eq!(pdf.request.method, "GET", "method upper-cased");
    let body = pdf.response.as_ref().unwrap().body.as_ref().unwrap();
    assert!(body.text.is_none());
    assert_eq!(body.bytes().unwrap().as_ref(), b"%PDF-1.7\n\xff\x00\xfe");
}

#[test]
fn burp_form_params_rebuild_the_body_and_strings_stand_for_numbers() {
    let (exchanges, report) = read("burp.har");
    assert!(report.is_complete() && report.errors.is_empty(), "{report:?}");
    let login = &exchanges[0];
    let body = login.request.body.as_ref().unwrap().as_text().unwrap().into_owned();
    assert_eq!(body, "username=alice@example.com&password=p@ss%20word%261&remember=");
    assert_eq!(login.duration_ms, Some(85.0));
    assert_eq!(login.started_at.to_rfc3339(), "2024-05-14T09:30:00.250+00:00", "no offset: UTC");
    assert_eq!(login.request.header("origin"), Some(""), "null header value is empty");
    let response = login.response.as_ref().unwrap();
    assert_eq!(response.status, 302);
    assert!(response.body.is_none(), "size -1 and no text: no body");

    let upload = &exchanges[1];
    assert_eq!(upload.started_at.to_rfc3339(), "2024-05-14T07:31:10+00:00", "+0200 without a colon");
    assert_eq!(upload.request.query, pairs(&[("folder", "kyc")]));
    let multipart = upload.request.body.as_ref().unwrap().as_text().unwrap().into_owned();
    assert!(multipart.starts_with(
        "------burpBoundary42\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\npassport\r\n"
    ));
    assert!(
        multipart
            .contains("name=\"file\"; filename=\"scan.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
    );
    assert!(multipart.ends_with("------burpBoundary42--\r\n"));
}

#[test]
fn charles_offsets_and_base64_json_bodies() {
    let (exchanges, report) = read("charles.har");
    assert!(report.is_complete() && report.errors.is_empty(), "{report:?}");
    let delete = &exchanges[0];
    assert_eq!(delete.started_at.to_rfc3339(), "2024-05-14T09:40:05.731+00:00");
    let body = delete.response.as_ref().unwrap().body.as_ref().unwrap();
    assert_eq!(body.text.as_deref(), Some(r#"{"deleted":true,"id":"BEN-204"}"#), "UTF-8 base64 becomes text");
    assert_eq!(body.size, Some(31));
}

#[test]
fn firefox_pages_after_entries_and_cookies_without_header() {
    let (exchanges, report) = read("firefox.har");
    assert!(report.is_complete() && report.errors.is_empty(), "{report:?}");
    let fx = &exchanges[0];
    assert_eq!(
        fx.request.query,
        pairs(&[("base", "SGD"), ("symbols", "USD,EUR")]),
        "queryString used: URL has none"
    );
    assert_eq!(fx.request.header("cookie"), Some("consent=yes; lang=en"));
    let response = fx.response.as_ref().unwrap();
    assert_eq!(response.header("set-cookie"), Some("seen=1"));
    assert_eq!(response.content_type().as_deref(), Some("application/json"), "from content.mimeType");
}

#[test]
fn entries_without_response() {
    let (exchanges, report) = read("no_response.har");
    assert!(report.is_complete() && report.errors.is_empty(), "{report:?}");
    assert_eq!(exchanges.len(), 3);
    assert!(exchanges.iter().all(|exchange| exchange.response.is_none()));
}

#[test]
fn bad_entries_are_reported_with_index_and_field_and_skipped() {
    let (exchanges, report) = read("bad_entry.har");
    assert!(report.is_complete(), "{report:?}");
    assert_eq!((report.exchanges, report.skipped), (3, 4));
    let paths: Vec<&str> = exchanges.iter().map(|e| e.request.path.as_str()).collect();
    assert_eq!(paths, ["/v1/items/0", "/v1/items/1", "/v1/items/6"]);
    assert_eq!(exchanges[2].source.entry, Some(6), "indexes count skipped entries too");
    let prefix = format!("{}: ", data("bad_entry.har").display());
    let messages: Vec<String> =
        report.errors.iter().map(|e| e.to_string().replacen(&prefix, "bad_entry.har: ", 1)).collect();
    assert_eq!(
        messages,
        [
            "bad_entry.har: entry 2: request.url: missing",
            "bad_entry.har: entry 3: request.method: missing",
            "bad_entry.har: entry 4: entry is not a JSON object",
            "bad_entry.har: entry 5: startedDateTime: not an RFC 3339 date-time",
        ]
    );
}

#[test]
fn truncated_file_keeps_what_was_read_and_says_where_it_stopped() {
    let (exchanges, report) = read("truncated.har");
    assert_eq!(exchanges.len(), 2);
    assert!(report.fatal.is_none());
    assert!(report.truncated);
    let error = report.errors.last().unwrap();
    assert!(error.line.unwrap() > 50, "{error}");
    assert!(error.message.contains("unexpected end of file"), "{error}");
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let (exchanges, report) = read("invalid_utf8.har");
    assert_eq!(exchanges.len(), 1, "the entry before the bad bytes is kept");
    let error = report.errors.last().or(report.fatal.as_ref()).unwrap();
    assert_eq!(
        error.to_string(),
        format!("{}: line 92, column 16: invalid UTF-8 in a string", data("invalid_utf8.har").display())
    );
    assert!(report.truncated);
}

#[test]
fn hostile_depth_is_an_error_of_that_entry_only() {
    let (exchanges, report) = read("deep_nesting.har");
    assert!(report.is_complete(), "{report:?}");
    assert_eq!((report.exchanges, report.skipped), (2, 1));
    let error = &report.errors[0];
    assert_eq!(error.entry, Some(1));
    assert!(error.message.contains("recursion limit"), "{error}");
    assert_eq!(exchanges[1].source.entry, Some(2));
}

#[test]
fn not_a_har_is_fatal_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("traffic.har");
    std::fs::write(&gz, b"\x1f\x8b\x08\x00\x00\x00\x00\x00").unwrap();
    let report = read_path(&gz, &IngestOptions::default(), &mut |_| {});
    assert!(report.fatal.unwrap().message.contains("compressed input not supported"));

    let no_entries = dir.path().join("empty.har");
    std::fs::write(&no_entries, br#"{"log": {"version": "1.2", "pages": []}}"#).unwrap();
    let report = read_path(&no_entries, &IngestOptions::default(), &mut |_| {});
    assert_eq!(
        report.fatal.unwrap().to_string(),
        format!("{}: log.entries: missing: not a HAR file?", no_entries.display())
    );

    let missing = dir.path().join("nope.har");
    let report = read_path(&missing, &IngestOptions::default(), &mut |_| {});
    assert!(report.fatal.unwrap().message.starts_with("cannot open"));

    let bom = dir.path().join("fiddler.har");
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend_from_slice(&std::fs::read(data("charles.har")).unwrap());
    std::fs::write(&bom, text).unwrap();
    let report = read_path(&bom, &IngestOptions::default(), &mut |_| {});
    assert_eq!(report.exchanges, 1, "{report:?}");
}

#[test]
fn progress_counts_every_byte_of_the_file() {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let opts = IngestOptions { progress: Some(counter.clone()), ..IngestOptions::default() };
    let report = read_path(&data("chrome.har"), &opts, &mut |_| {});
    assert_eq!(report.exchanges, 3);
    let size = std::fs::metadata(data("chrome.har")).unwrap().len();
    assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), size);
}
