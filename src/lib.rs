//! symbiosim: exact simulator of industrial symbiosis.
//!
//! Data flows one way: [`scenario`] → [`model`] → [`network`] → [`allocate`] (→ the engine
//! crate `symbiosim_engine`) → [`analysis`] → [`report`]. See ARCHITECTURE.md for the codemap
//! and the invariants.

// Index loops over parallel flat arrays are the clearest form for the solver and the analyses.
#![allow(clippy::needless_range_loop)]

pub mod allocate;
pub mod analysis;
pub mod model;
pub mod network;
pub mod report;
pub mod scenario;
