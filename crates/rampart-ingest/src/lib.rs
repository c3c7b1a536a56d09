//! rampart-ingest (being written).
