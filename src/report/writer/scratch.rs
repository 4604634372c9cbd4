//! Scratch files inside a [`Prepared`] temporary folder: numbered files appended to while the
//! run goes and read back whole once (the Monte Carlo's statistics columns, so that a long run
//! does not hold them in memory). They live in a hidden folder of the temporary folder, removed
//! when the [`Scratch`] is dropped — before the commit, which never sees them — and, if the
//! run dies, with the temporary folder itself (by [`Drop`] of the [`Prepared`], or by the next
//! run's clean-up).

use super::{io, Prepared, WriteError};
use std::fs;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;

/// Numbered scratch files; see the module documentation.
#[derive(Debug)]
pub struct Scratch {
    dir: PathBuf,
    open: Vec<Option<BufWriter<fs::File>>>,
}

impl Prepared {
    /// A scratch folder `.NAME` in the temporary folder.
    pub fn scratch(&self, name: &str) -> Result<Scratch, WriteError> {
        let dir = self.tmp.join(format!(".{name}"));
        fs::create_dir(&dir).map_err(|e| self.blame(io(&dir)(e)))?;
        Ok(Scratch {
            dir,
            open: Vec::new(),
        })
    }
}

impl Scratch {
    fn path(&self, c: usize) -> PathBuf {
        self.dir.join(format!("{c}.bin"))
    }

    /// Appends `bytes` to file `c`.
    pub fn append(&mut self, c: usize, bytes: &[u8]) -> std::io::Result<()> {
        if self.open.len() <= c {
            self.open.resize_with(c + 1, || None);
        }
        if self.open[c].is_none() {
            let f = fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.path(c))?;
            self.open[c] = Some(BufWriter::with_capacity(1 << 14, f));
        }
        match &mut self.open[c] {
            Some(w) => w.write_all(bytes),
            None => unreachable!("opened above"),
        }
    }

    /// File `c` whole (empty when never appended to); the file is removed.
    pub fn take(&mut self, c: usize) -> std::io::Result<Vec<u8>> {
        if let Some(w) = self.open.get_mut(c).and_then(Option::take) {
            w.into_inner().map_err(|e| e.into_error())?;
        }
        let path = self.path(c);
        let mut out = Vec::new();
        match fs::File::open(&path) {
            Ok(mut f) => {
                f.read_to_end(&mut out)?;
                fs::remove_file(&path)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(out)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.open.clear();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use crate::report::writer::{prepare, Replace};

    #[test]
    fn scratch_files_read_back_in_order_and_vanish_before_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        let prepared = prepare(&dest, Replace::Never, false).unwrap();
        let mut s = prepared.scratch("columns").unwrap();
        s.append(3, b"ab").unwrap();
        s.append(0, b"x").unwrap();
        s.append(3, b"cd").unwrap();
        assert_eq!(s.take(3).unwrap(), b"abcd");
        // Taken once: forgotten; never written: empty.
        assert_eq!(s.take(3).unwrap(), b"");
        assert_eq!(s.take(7).unwrap(), b"");
        let folder = s.dir.clone();
        assert!(folder.join("0.bin").exists());
        drop(s);
        assert!(!folder.exists());
        prepared.commit(&[]).unwrap();
        assert_eq!(std::fs::read_dir(&dest).unwrap().count(), 0);
    }
}
