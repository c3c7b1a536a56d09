//! rampart-openapi (being written).
