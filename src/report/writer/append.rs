//! A file of the output folder written piece by piece while the run goes (the Monte Carlo's
//! per-sample files): appended into the temporary folder of a [`Prepared`] through `.part`,
//! its size and SHA-256 kept as it grows (for the manifest), synced and renamed into its name
//! by [`Appender::finish`]. The folder is still put in place only by [`Prepared::commit`]:
//! a run that fails before leaves nothing but its temporary folder, which dropping the
//! [`Prepared`] removes.

use super::{io, place, Prepared, WriteError};
use crate::report::ManifestEntry;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// One file being appended to; see the module documentation.
#[derive(Debug)]
pub struct Appender {
    rel: String,
    path: PathBuf,
    part: PathBuf,
    /// The destination named by the user (errors are reported against it).
    dest: PathBuf,
    file: BufWriter<fs::File>,
    hash: Sha256,
    len: u64,
}

impl Prepared {
    /// Starts file `rel` (a path inside the output folder) in the temporary folder.
    pub fn append(&self, rel: &str) -> Result<Appender, WriteError> {
        let (path, part) = place(&self.tmp, rel).map_err(|e| self.blame(e))?;
        let file = fs::File::create(&part).map_err(|e| self.blame(io(&part)(e)))?;
        Ok(Appender {
            rel: rel.to_string(),
            path,
            part,
            dest: self.dest.clone(),
            file: BufWriter::with_capacity(1 << 16, file),
            hash: Sha256::new(),
            len: 0,
        })
    }
}

impl Appender {
    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.file.write_all(bytes).map_err(io(&self.dest))?;
        self.hash.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Flushes and syncs the file and gives it its name; returns its manifest entry.
    pub fn finish(self) -> Result<ManifestEntry, WriteError> {
        let Appender {
            rel,
            path,
            part,
            dest,
            file,
            hash,
            len,
        } = self;
        let file = file.into_inner().map_err(|e| io(&dest)(e.into_error()))?;
        file.sync_all().map_err(io(&dest))?;
        fs::rename(&part, &path).map_err(io(&dest))?;
        Ok(ManifestEntry {
            path: rel,
            bytes: len,
            sha256: format!("{:x}", hash.finalize()),
        })
    }
}
