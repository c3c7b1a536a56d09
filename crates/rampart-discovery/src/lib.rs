//! rampart-discovery (being written).
