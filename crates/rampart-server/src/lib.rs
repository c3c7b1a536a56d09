//! `rampart serve`: the whole platform in one process, on embedded defaults.
//!
//! ```text
//!  clients ──▶ gateway (rampart-gateway) ──▶ upstream APIs
//!                 │ tap ─▶ detection thread ──▶ blocklist (decisions)
//!                 │            │ exchanges, alerts, decisions
//!  watched files ─┴──────────▶ pipeline ([`pipeline`]): discovery, sensitive data, specs, posture
//!                                   │ saves
//!                                   ▼
//!                          SQLite store (rampart-store, WAL)
//!                                   ▲
//!  people ──▶ control plane ([`api`]): REST API /api/v1 + dashboard ([`dashboard`])
//! ```
//!
//! [`serve::start`] runs it all; [`config::ServeConfig`] is `rampart.toml` (the gateway's keys
//! plus `[server]`, `[store]`, `[pipeline]`, documented in `docs/configuration.md`). The API is
//! described in `docs/control-plane-api.md` and by its own OpenAPI 3.1 document
//! (`api/openapi.yaml`, served at `/api/v1/openapi.json`).

pub mod api;
pub mod config;
pub mod dashboard;
pub mod pipeline;
pub mod serve;
pub mod watch;

pub use config::ServeConfig;
pub use serve::{RunningServer, start};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("{what}: {source}")]
    Store {
        what: &'static str,
        #[source]
        source: Box<rampart_store::StoreError>,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Gateway(#[from] rampart_gateway::GatewayError),
}
