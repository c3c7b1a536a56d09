//! rampart-demo (being written).
