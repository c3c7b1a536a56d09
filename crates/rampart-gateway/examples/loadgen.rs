//! An open-loop HTTP/1.1 load generator for the gateway benchmarks (`bench/gateway.sh`,
//! `bench/soak.sh`).
//!
//! wrk is a closed loop: a connection sends its next request only once the previous one is
//! answered, so a slow server is offered less load and its stalls go unmeasured. Here requests
//! are *scheduled* at a fixed rate R whatever the server does, and each latency runs from the
//! request's scheduled time to the end of its response body: a stalled server shows up as
//! latency, not as fewer requests (no coordinated omission). N keep-alive connections take the
//! scheduled requests from one queue, the way a client's connection pool would.
//!
//! ```text
//! cargo run --release -p rampart-gateway --example loadgen -- \
//!     --target 127.0.0.1:18083 --path /v2/accounts --header 'authorization: Bearer …' \
//!     --rate 5000 --duration 15 --connections 64 [--warmup 2] [--threads 1]
//! ```
//!
//! or a weighted mix of requests with `--mix mix.json`:
//!
//! ```text
//! [{"name": "good", "weight": 90, "method": "GET", "path": "/v2/accounts",
//!   "headers": {"authorization": "Bearer …"}},
//!  {"name": "sqli", "weight": 2, "method": "POST", "path": "/v2/payments",
//!   "headers": {"content-type": "application/json"}, "body": "{…}"}]
//! ```
//!
//! Prints one JSON object: count, errors, achieved rate, p50/p90/p99/max latency in ms (from the
//! scheduled time) and the same from the moment the request was written (`service_*`), and the
//! statuses seen per request name.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::sync::{Mutex, mpsc};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// After the last scheduled request, how long answers are still waited for.
const DRAIN: Duration = Duration::from_secs(10);
const USAGE: &str = "usage: loadgen --target HOST:PORT (--path PATH [--header 'name: value']... | --mix FILE) \
--rate PER_SECOND --duration SECONDS [--connections N] [--warmup SECONDS] [--threads N] [--host HOST]";

#[derive(Debug, Deserialize)]
struct Template {
    #[serde(default = "default_name")]
    name: String,
    #[serde(default = "default_weight")]
    weight: u32,
    #[serde(default = "default_method")]
    method: String,
    path: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<String>,
}

fn default_name() -> String {
    "request".to_owned()
}
fn default_weight() -> u32 {
    1
}
fn default_method() -> String {
    "GET".to_owned()
}

/// A template turned into what each request is cloned from.
struct Prepared {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Prepared {
    fn request(&self) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.path.parse().expect("path checked at start");
        *request.headers_mut() = self.headers.clone();
        request
    }
}

struct Options {
    target: String,
    host: Option<String>,
    templates: Vec<Template>,
    rate: f64,
    duration: f64,
    warmup: f64,
    connections: usize,
    threads: usize,
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut target = None;
    let mut host = None;
    let mut path = None;
    let mut headers = BTreeMap::new();
    let mut mix = None;
    let (mut rate, mut duration, mut warmup, mut connections, mut threads) = (None, None, 0.0, 64, 1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let value = args.next().ok_or_else(|| format!("{flag}: missing value\n{USAGE}"))?;
        let number = |v: &str| v.parse::<f64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--target" => target = Some(value),
            "--host" => host = Some(value),
            "--path" => path = Some(value),
            "--header" => {
                let (name, v) = value
                    .split_once(':')
                    .ok_or_else(|| format!("--header {value:?}: expected `name: value`"))?;
                headers.insert(name.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
            "--mix" => mix = Some(value),
            "--rate" => rate = Some(number(&value)?),
            "--duration" => duration = Some(number(&value)?),
            "--warmup" => warmup = number(&value)?,
            "--connections" => connections = number(&value)? as usize,
            "--threads" => threads = number(&value)? as usize,
            other => return Err(format!("unknown flag {other}\n{USAGE}")),
        }
    }
    let templates = match (mix, path) {
        (Some(file), None) => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
            serde_json::from_str::<Vec<Template>>(&text).map_err(|e| format!("{file}: {e}"))?
        }
        (None, path) => vec![Template {
            name: default_name(),
            weight: 1,
            method: default_method(),
            path: path.unwrap_or_else(|| "/".to_owned()),
            headers,
            body: None,
        }],
        (Some(_), Some(_)) => return Err("give --path or --mix, not both".to_owned()),
    };
    if templates.is_empty() || templates.iter().all(|t| t.weight == 0) {
        return Err("the mix holds no request with a weight".to_owned());
    }
    let options = Options {
        target: target.ok_or_else(|| format!("--target is required\n{USAGE}"))?,
        host,
        templates,
        rate: rate.ok_or_else(|| format!("--rate is required\n{USAGE}"))?,
        duration: duration.ok_or_else(|| format!("--duration is required\n{USAGE}"))?,
        warmup,
        connections: connections.max(1),
        threads: threads.max(1),
    };
    if !(options.rate > 0.0 && options.duration > 0.0 && options.warmup >= 0.0) {
        return Err("--rate and --duration must be positive, --warmup not negative".to_owned());
    }
    if options.rate * options.duration > 100_000_000.0 {
        return Err("more than 100M requests: lower --rate or --duration".to_owned());
    }
    Ok(options)
}

fn prepare(template: &Template, host: &str) -> Result<Prepared, String> {
    let method = template
        .method
        .to_ascii_uppercase()
        .parse::<Method>()
        .map_err(|e| format!("{}: method {:?}: {e}", template.name, template.method))?;
    template
        .path
        .parse::<http::Uri>()
        .map_err(|e| format!("{}: path {:?}: {e}", template.name, template.path))?;
    let mut headers = HeaderMap::new();
    headers.insert(http::header::HOST, HeaderValue::from_str(host).map_err(|e| format!("host: {e}"))?);
    for (name, value) in &template.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("header {name:?}: {e}"))?;
        let value = HeaderValue::from_str(value).map_err(|e| format!("header {name}: {e}"))?;
        headers.insert(name, value);
    }
    let body = Bytes::from(template.body.clone().unwrap_or_default());
    if !body.is_empty() || method == Method::POST || method == Method::PUT || method == Method::PATCH {
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    Ok(Prepared { method, path: template.path.clone(), headers, body })
}

/// One scheduled request.
struct Job {
    template: usize,
    due: Instant,
    /// Scheduled during the warm-up: sent but not recorded.
    warmup: bool,
}

#[derive(Default)]
struct Stats {
    /// Nanoseconds from the scheduled time to the end of the response body.
    latencies: Vec<u64>,
    /// Nanoseconds from writing the request to the end of the response body.
    service: Vec<u64>,
    /// Per template, status code → count.
    statuses: Vec<BTreeMap<u16, u64>>,
    errors: u64,
    error_samples: Vec<String>,
}

impl Stats {
    fn new(templates: usize) -> Stats {
        Stats { statuses: vec![BTreeMap::new(); templates], ..Stats::default() }
    }

    fn error(&mut self, message: String) {
        self.errors += 1;
        if self.error_samples.len() < 5 {
            self.error_samples.push(message);
        }
    }

    fn merge(&mut self, other: Stats) {
        self.latencies.extend(other.latencies);
        self.service.extend(other.service);
        for (mine, theirs) in self.statuses.iter_mut().zip(other.statuses) {
            for (status, count) in theirs {
                *mine.entry(status).or_default() += count;
            }
        }
        self.errors += other.errors;
        for sample in other.error_samples {
            if self.error_samples.len() < 5 {
                self.error_samples.push(sample);
            }
        }
    }
}

async fn connect(target: &str) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream =
        tokio::net::TcpStream::connect(target).await.map_err(|e| format!("connect {target}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// One keep-alive connection: takes the next scheduled request, sends it, waits for the answer.
async fn worker(
    target: Arc<String>,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<Job>>>,
    prepared: Arc<Vec<Prepared>>,
) -> Stats {
    let mut stats = Stats::new(prepared.len());
    let mut sender: Option<SendRequest<Full<Bytes>>> = None;
    loop {
        let job = { queue.lock().await.recv().await };
        let Some(job) = job else { break };
        // Reconnect when the server closed the connection (or an earlier request failed).
        if let Some(open) = sender.as_mut()
            && open.ready().await.is_err()
        {
            sender = None;
        }
        if sender.is_none() {
            match connect(&target).await {
                Ok(open) => sender = Some(open),
                Err(error) => {
                    stats.error(error);
                    continue;
                }
            }
        }
        let open = sender.as_mut().expect("connected above");
        let written = Instant::now();
        let request = prepared[job.template].request();
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, async {
            let response = open.send_request(request).await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            response.into_body().collect().await.map_err(|e| e.to_string())?;
            Ok::<u16, String>(status)
        })
        .await;
        match answer {
            Ok(Ok(status)) => {
                if !job.warmup {
                    let done = Instant::now();
                    stats.latencies.push(done.duration_since(job.due).as_nanos() as u64);
                    stats.service.push(done.duration_since(written).as_nanos() as u64);
                    *stats.statuses[job.template].entry(status).or_default() += 1;
                }
            }
            Ok(Err(error)) => {
                sender = None;
                stats.error(error);
            }
            Err(_) => {
                sender = None;
                stats.error(format!("no answer within {REQUEST_TIMEOUT:?}"));
            }
        }
    }
    stats
}

/// Spreads the templates over the schedule in proportion to their weights, deterministically.
fn picker(weights: Vec<u64>) -> impl FnMut() -> usize + Send + 'static {
    let total: u64 = weights.iter().sum();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    move || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let mut roll = state.wrapping_mul(0x2545_F491_4F6C_DD1D) % total;
        for (index, weight) in weights.iter().enumerate() {
            if roll < *weight {
                return index;
            }
            roll -= weight;
        }
        weights.len() - 1
    }
}

fn percentile_ms(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let nanos = sorted[rank.clamp(1, sorted.len()) - 1];
    (nanos as f64 / 1_000.0).round() / 1_000.0
}

fn main() {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let host = options.host.clone().unwrap_or_else(|| options.target.clone());
    let prepared = match options.templates.iter().map(|t| prepare(t, &host)).collect::<Result<Vec<_>, _>>() {
        Ok(prepared) => Arc::new(prepared),
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let runtime = if options.threads == 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(options.threads).enable_all().build()
    }
    .expect("tokio runtime");

    let (jobs, queue) = mpsc::unbounded_channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let target = Arc::new(options.target.clone());
    let stats = runtime.block_on(async {
        // Open the connections before the clock starts.
        let workers: Vec<_> = (0..options.connections)
            .map(|_| tokio::spawn(worker(target.clone(), queue.clone(), prepared.clone())))
            .collect();

        // The schedule runs on a thread of its own: `thread::sleep` wakes within tens of
        // microseconds, where tokio's timer rounds up to the millisecond.
        let total_secs = options.warmup + options.duration;
        let count = (options.rate * total_secs).round() as u64;
        let warmup_count = (options.rate * options.warmup).round() as u64;
        let rate = options.rate;
        let mut pick = picker(options.templates.iter().map(|t| u64::from(t.weight)).collect());
        let start = Instant::now() + Duration::from_millis(20);
        let scheduler = std::thread::spawn(move || {
            for i in 0..count {
                let due = start + Duration::from_secs_f64(i as f64 / rate);
                let now = Instant::now();
                if due > now + Duration::from_micros(20) {
                    std::thread::sleep(due - now);
                }
                if jobs.send(Job { template: pick(), due, warmup: i < warmup_count }).is_err() {
                    break;
                }
            }
            // Dropping `jobs` here lets the workers finish once the queue is empty.
        });

        let deadline = start + Duration::from_secs_f64(total_secs) + DRAIN;
        let mut stats = Stats::new(prepared.len());
        let mut unfinished = 0u64;
        for handle in workers {
            let abort = handle.abort_handle();
            match tokio::time::timeout_at(deadline.into(), handle).await {
                Ok(Ok(worker_stats)) => stats.merge(worker_stats),
                Ok(Err(error)) => stats.error(format!("worker failed: {error}")),
                Err(_) => {
                    abort.abort();
                    unfinished += 1;
                }
            }
        }
        if unfinished > 0 {
            stats.error(format!("{unfinished} connection(s) still busy {DRAIN:?} after the schedule ended"));
        }
        let _ = scheduler.join();
        let measured_end = Instant::now().min(start + Duration::from_secs_f64(total_secs));
        (stats, measured_end.saturating_duration_since(start + Duration::from_secs_f64(options.warmup)))
    });
    let (mut stats, measured) = stats;
    runtime.shutdown_timeout(Duration::from_millis(100));

    stats.latencies.sort_unstable();
    stats.service.sort_unstable();
    let count = stats.latencies.len() as u64;
    let seconds = measured.as_secs_f64().max(1e-3);
    let statuses: serde_json::Map<String, serde_json::Value> = options
        .templates
        .iter()
        .zip(&stats.statuses)
        .map(|(template, seen)| {
            let seen: serde_json::Map<String, serde_json::Value> =
                seen.iter().map(|(status, n)| (status.to_string(), serde_json::json!(n))).collect();
            (template.name.clone(), serde_json::Value::Object(seen))
        })
        .collect();
    let report = serde_json::json!({
        "target": options.target,
        "rate": options.rate,
        "duration_s": options.duration,
        "warmup_s": options.warmup,
        "connections": options.connections,
        "count": count,
        "errors": stats.errors,
        "achieved_rate": (count as f64 / seconds * 10.0).round() / 10.0,
        "p50_ms": percentile_ms(&stats.latencies, 50.0),
        "p90_ms": percentile_ms(&stats.latencies, 90.0),
        "p99_ms": percentile_ms(&stats.latencies, 99.0),
        "max_ms": percentile_ms(&stats.latencies, 100.0),
        "service_p50_ms": percentile_ms(&stats.service, 50.0),
        "service_p99_ms": percentile_ms(&stats.service, 99.0),
        "statuses": statuses,
        "error_samples": stats.error_samples,
    });
    println!("{report}");
}
