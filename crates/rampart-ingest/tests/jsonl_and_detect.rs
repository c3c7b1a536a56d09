//! Exchange JSON Lines reading and format detection.

use std::path::Path;

use rampart_core::{Exchange, SourceKind};
use rampart_ingest::{IngestOptions, InputFormat, detect_format, read_jsonl, read_path, write_jsonl};

#[test]
fn reads_lines_skips_blanks_and_reports_bad_lines_by_number() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/exchanges.jsonl");
    let mut exchanges: Vec<Exchange> = Vec::new();
    let report = read_path(&path, &IngestOptions::default(), &mut |e| exchanges.push(e));
    assert_eq!(report.format, Some(InputFormat::Jsonl));
    assert!(report.is_complete());
    assert_eq!((report.exchanges, report.skipped), (3, 2));
    let methods: Vec<&str> = exchanges.iter().map(|e| e.request.method.as_str()).collect();
    assert_eq!(methods, ["GET", "POST", "DELETE"]);

    assert_eq!(exchanges[0].source.kind, SourceKind::Gateway, "a record's own provenance is kept");
    assert_eq!(exchanges[0].client.identity.as_deref(), Some("user-42"));
    assert_eq!(exchanges[1].source.kind, SourceKind::Jsonl);
    assert_eq!(exchanges[1].source.name.as_deref(), Some(path.display().to_string().as_str()));
    assert_eq!(exchanges[1].source.entry, Some(2), "0-based line index");
    assert_eq!(exchanges[1].v, 1, "a missing version means 1");

    let prefix = format!("{}: ", path.display());
    let messages: Vec<String> =
        report.errors.iter().map(|e| e.to_string().replacen(&prefix, "exchanges.jsonl: ", 1)).collect();
    assert_eq!(messages.len(), 2);
    assert_eq!(
        messages[0],
        "exchanges.jsonl: line 4: v: unsupported Exchange format version 2 (this reader knows version 1)"
    );
    assert!(messages[1].starts_with("exchanges.jsonl: line 5, column "), "{}", messages[1]);
    assert!(messages[1].contains("EOF while parsing"), "{}", messages[1]);
}

#[test]
fn over_long_lines_and_invalid_utf8_are_skipped_with_their_line() {
    let good = r#"{"started_at":"2026-01-01T00:00:00Z","request":{"method":"GET","host":"h","path":"/ok"}}"#;
    let long = format!(
        r#"{{"started_at":"2026-01-01T00:00:00Z","request":{{"method":"GET","host":"h","path":"/{}"}}}}"#,
        "a".repeat(5000)
    );
    let mut input = Vec::new();
    input.extend_from_slice(good.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(long.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(b"{\"started_at\":\"\xff\"}\r\n");
    input.extend_from_slice(good.as_bytes());
    let opts = IngestOptions { max_line_bytes: 1024, ..IngestOptions::default() };
    let mut count = 0;
    let report = read_jsonl("t.jsonl", &input[..], &opts, &mut |_| count += 1);
    assert_eq!((count, report.exchanges, report.skipped), (2, 2, 2));
    assert_eq!(report.errors[0].line, Some(2));
    assert!(report.errors[0].message.contains("longer than the limit of 1024"));
    assert_eq!(report.errors[1].to_string(), "t.jsonl: line 3, column 16: invalid UTF-8");
}

#[test]
fn gzip_input_is_refused() {
    let report =
        read_jsonl("t.jsonl.gz", &b"\x1f\x8b\x08\x00rest"[..], &IngestOptions::default(), &mut |_| {});
    assert_eq!(report.exchanges, 0);
    assert_eq!(
        report.fatal.unwrap().to_string(),
        "t.jsonl.gz: compressed input not supported (gzip): decompress it first"
    );
}

#[test]
fn write_jsonl_round_trips() {
    let line = r#"{"v":1,"started_at":"2026-11-29T10:00:00.120Z","request":{"method":"GET","scheme":"https","host":"a.example","path":"/x","query":[["k","v w"]]},"response":{"status":404}}"#;
    let exchange: Exchange = serde_json::from_str(line).unwrap();
    let mut out = Vec::new();
    write_jsonl(&mut out, &exchange).unwrap();
    write_jsonl(&mut out, &exchange).unwrap();
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 2);
    let mut back = Vec::new();
    let report = read_jsonl("x", &out[..], &IngestOptions::default(), &mut |e| back.push(e));
    assert_eq!(report.exchanges, 2);
    assert_eq!(back[0].request, exchange.request);
    assert_eq!(back[0].response, exchange.response);
}

#[test]
fn detects_format_by_content_then_extension() {
    let p = Path::new;
    assert_eq!(detect_format(p("x.txt"), b"\xEF\xBB\xBF  {\n \"log\": {"), Some(InputFormat::Har));
    assert_eq!(detect_format(p("x"), br#"{"v":1,"started_at":"2026"#), Some(InputFormat::Jsonl));
    assert_eq!(detect_format(p("dump.har"), b"{ \"comment\": 1, \"log\""), Some(InputFormat::Har));
    assert_eq!(detect_format(p("dump.NDJSON"), br#"{"x":1}"#), Some(InputFormat::Jsonl));
    assert_eq!(detect_format(p("dump"), b"{\"x\":1}\n{\"x\":2}\n"), Some(InputFormat::Jsonl));
    assert_eq!(detect_format(p("dump"), b"{\n  \"comment\": \"\",\n  \"log\": {"), Some(InputFormat::Har));
    assert_eq!(detect_format(p("dump.har"), b"[1,2]"), None);
    assert_eq!(detect_format(p("dump"), b"GET / HTTP/1.1"), None);
    assert_eq!(detect_format(p("dump.jsonl"), b""), None);
}

#[test]
fn the_documented_examples_are_valid_lines() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/exchange-jsonl.md"))
            .unwrap();
    let examples: Vec<String> = doc
        .split("```json\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap().lines().map(str::trim).collect::<Vec<_>>().join(""))
        .collect();
    assert_eq!(examples.len(), 2);
    let input = examples.join("\n");
    let mut exchanges = Vec::new();
    let report =
        read_jsonl("doc.jsonl", input.as_bytes(), &IngestOptions::default(), &mut |e| exchanges.push(e));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(exchanges.len(), 2);
    assert_eq!(exchanges[0].request.query[1], ("q".to_owned(), "café latte".to_owned()));
    assert_eq!(exchanges[0].response.as_ref().unwrap().body.as_ref().unwrap().size, Some(33));
    assert!(exchanges[1].response.is_none());
}
