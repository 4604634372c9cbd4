//! symbiosim: exact simulator of industrial symbiosis.
//!
//! Data flows one way: [`scenario`] → [`model`] → [`network`] → [`solve`] → [`analysis`] →
//! [`report`]. See ARCHITECTURE.md for the codemap and the invariants.

pub mod analysis;
pub mod model;
pub mod network;
pub mod report;
pub mod scenario;
pub mod solve;
