//! Caps on the size of the input (documented in docs/format.md, "Caps"): a scenario is read
//! with at most one byte more than its cap, so that an endless or huge file (`/dev/zero`) is
//! refused at once, and its lists are counted before they are validated.
//!
//! The caps are far above real scenarios (Ordos 2025: 100 kB, 21 parks, 11 materials, about
//! 60 producers and 60 consumers, 3 modes) and low enough that a scenario at every cap still
//! validates in bounded memory: the TOML parser needs some 30 bytes of memory per byte of
//! text, and the network's distance matrices grow with parks² × modes.

use std::io::Read;
use std::path::Path;

const MIB: u64 = 1 << 20;

/// Largest scenario TOML file (or override file) read, bytes.
pub const SCENARIO_BYTES: u64 = 16 * MIB;
/// Largest CSV table read, bytes.
pub const TABLE_BYTES: u64 = 256 * MIB;

/// Most items per list (inline and table rows together), with the list's name.
pub const PARKS: usize = 2_000;
pub const MATERIALS: usize = 1_000;
pub const ROUTES: usize = 1_000;
pub const MODES: usize = 64;
pub const DISTANCES: usize = 200_000;
pub const PRODUCERS: usize = 100_000;
pub const CONSUMERS: usize = 100_000;
/// Most intakes (`accepts` entries or consumer table rows) over all consumers.
pub const INTAKES: usize = 1_000_000;

/// A size in bytes as the messages print it (`16 MiB`).
pub fn bytes(n: u64) -> String {
    if n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

/// What reading a capped file gave.
pub enum Capped {
    /// The whole file, within its cap.
    Bytes(Vec<u8>),
    /// The file holds more than `cap` bytes (only `cap + 1` were read).
    TooLarge,
}

/// Reads at most `cap + 1` bytes of `path`.
pub fn read(path: &Path, cap: u64) -> std::io::Result<Capped> {
    let f = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    f.take(cap + 1).read_to_end(&mut buf)?;
    Ok(if buf.len() as u64 > cap {
        Capped::TooLarge
    } else {
        Capped::Bytes(buf)
    })
}
