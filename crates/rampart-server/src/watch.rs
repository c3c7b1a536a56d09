//! Watched files and directories (`[pipeline] watch`): HAR and Exchange JSONL files are fed to
//! the pipeline as they appear or grow.
//!
//! * An Exchange JSONL file (`.jsonl`, `.ndjson`, or any file whose first line is an exchange) is
//!   read from where the last poll stopped, up to its last complete line: a tap file written by
//!   another gateway is followed as it grows. The offset is kept in the store, so a restart
//!   neither reads a file twice nor misses what arrived while Rampart was down.
//! * A HAR file is one JSON document: it is read once, when its size has stayed the same for
//!   two polls (the writer is done).
//!
//! Bad entries are skipped, counted and logged with the file and entry, as everywhere.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use rampart_ingest::IngestOptions;
use rampart_store::SqliteStore;

use crate::pipeline::PipelineHandle;

/// The most bytes of a growing JSONL file read in one poll.
const MAX_READ_PER_POLL: u64 = 64 * 1024 * 1024;

pub struct Watcher {
    paths: Vec<PathBuf>,
    interval: Duration,
    store: SqliteStore,
    pipeline: PipelineHandle,
    /// HAR files waiting for their size to settle: path → size at the last poll.
    settling: HashMap<PathBuf, u64>,
}

impl Watcher {
    pub fn new(
        paths: Vec<PathBuf>,
        interval: Duration,
        store: SqliteStore,
        pipeline: PipelineHandle,
    ) -> Watcher {
        Watcher { paths, interval, store, pipeline, settling: HashMap::new() }
    }

    /// Polls until `stop` is signalled or dropped.
    pub fn run(mut self, stop: std::sync::mpsc::Receiver<()>) {
        loop {
            self.poll();
            match stop.recv_timeout(self.interval) {
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                _ => return,
            }
        }
    }

    /// One pass over every watched path.
    pub fn poll(&mut self) {
        for path in self.paths.clone() {
            if path.is_dir() {
                let mut files: Vec<PathBuf> = match std::fs::read_dir(&path) {
                    Ok(entries) => entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| is_traffic_file(p))
                        .collect(),
                    Err(error) => {
                        tracing::warn!(dir = %path.display(), %error, "watch: directory not readable");
                        continue;
                    }
                };
                files.sort();
                for file in files {
                    self.poll_file(&file);
                }
            } else if path.is_file() {
                self.poll_file(&path);
            }
        }
    }

    fn poll_file(&mut self, path: &Path) {
        let name = path.display().to_string();
        let size = match std::fs::metadata(path) {
            Ok(meta) => meta.len(),
            Err(_) => return,
        };
        let offset = match self.store.ingested_offset(&name) {
            Ok(offset) => offset.unwrap_or(0),
            Err(error) => {
                tracing::warn!(%error, "watch: reading the ingested offset failed");
                return;
            }
        };
        if size == offset {
            return;
        }
        if size < offset {
            // Truncated or replaced (log rotation): start again from the beginning.
            tracing::info!(file = %name, "watch: file shrank; reading it again from the start");
        }
        let start = if size < offset { 0 } else { offset };
        let read = if is_har(path) {
            // Read once, after its size settled.
            if self.settling.insert(path.to_path_buf(), size) != Some(size) {
                return;
            }
            self.settling.remove(path);
            if start > 0 {
                // A HAR that changed after it was read is a new recording: read it whole again.
                tracing::info!(file = %name, "watch: HAR file changed; reading it again");
            }
            self.read_har(path, &name).map(|()| size)
        } else {
            self.read_jsonl(path, &name, start, size)
        };
        if let Some(new_offset) = read
            && let Err(error) = self.store.set_ingested_offset(&name, new_offset, Utc::now())
        {
            tracing::warn!(file = %name, %error, "watch: saving the offset failed");
        }
    }

    fn read_har(&mut self, path: &Path, name: &str) -> Option<()> {
        let report = rampart_ingest::read_path(path, &IngestOptions::default(), &mut |exchange| {
            self.pipeline.send(exchange);
        });
        self.account(name, &report);
        Some(())
    }

    /// Reads complete lines from `start`; returns the offset after the last one read.
    fn read_jsonl(&mut self, path: &Path, name: &str, start: u64, size: u64) -> Option<u64> {
        let mut file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(error) => {
                tracing::warn!(file = %name, %error, "watch: cannot open");
                return None;
            }
        };
        if let Err(error) = file.seek(SeekFrom::Start(start)) {
            tracing::warn!(file = %name, %error, "watch: cannot seek");
            return None;
        }
        let mut bytes = Vec::new();
        let want = (size - start).min(MAX_READ_PER_POLL);
        if let Err(error) = file.take(want).read_to_end(&mut bytes) {
            tracing::warn!(file = %name, %error, "watch: read error");
            return None;
        }
        // Only whole lines: the writer may be in the middle of one.
        let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        if complete == 0 {
            return None;
        }
        let pipeline = &self.pipeline;
        let report = rampart_ingest::read_jsonl(
            name,
            &bytes[..complete],
            &IngestOptions::default(),
            &mut |exchange| {
                pipeline.send(exchange);
            },
        );
        self.account(name, &report);
        Some(start + complete as u64)
    }

    fn account(&self, name: &str, report: &rampart_ingest::IngestReport) {
        let stats = &self.pipeline.shared().stats;
        stats.files_ingested.fetch_add(1, Ordering::Relaxed);
        stats.ingest_errors.fetch_add(report.skipped, Ordering::Relaxed);
        for error in report.errors.iter().take(10) {
            tracing::warn!(file = name, "watch: skipped: {error}");
        }
        if let Some(fatal) = &report.fatal {
            stats.ingest_errors.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(file = name, "watch: not read: {fatal}");
        }
        tracing::info!(
            file = name,
            exchanges = report.exchanges,
            skipped = report.skipped,
            "watch: ingested"
        );
    }
}

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

fn is_har(path: &Path) -> bool {
    extension(path) == "har"
}

fn is_traffic_file(path: &Path) -> bool {
    path.is_file() && matches!(extension(path).as_str(), "har" | "jsonl" | "ndjson")
}
