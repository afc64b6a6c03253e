//! File input and output that a hostile or careless path cannot turn
//! against tfsynth: reads only regular files, up to a size, and writes that
//! never leave a half-written file behind.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

/// What [`write_atomic`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file was created or its contents replaced.
    Written,
    /// The file already held exactly these bytes; it was not touched.
    Unchanged,
}

/// Writes `contents` to `path` atomically: into a temporary file in the same
/// directory, flushed to disk, then renamed over `path`. A crash at any point
/// leaves either the old file or the new one, never a mix. Nothing else in
/// the directory is touched. The temporary name does not end in `.tf.json`,
/// so Terraform never reads a leftover.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<WriteOutcome> {
    stage(path, contents)?.commit()
}

/// A file written next to its target but not yet in place: dropping it
/// removes it, [`Staged::commit`] renames it over the target.
#[derive(Debug)]
pub struct Staged {
    path: std::path::PathBuf,
    tmp: Option<tempfile::NamedTempFile>,
}

impl Staged {
    /// The target.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Puts the file in place (nothing to do when the target already held
    /// exactly these bytes).
    pub fn commit(self) -> io::Result<WriteOutcome> {
        let Some(tmp) = self.tmp else {
            return Ok(WriteOutcome::Unchanged);
        };
        tmp.persist(&self.path).map_err(|e| e.error)?;
        // Make the rename itself durable; a directory that cannot be opened
        // for syncing (some file systems) does not make the write fail.
        if let Some(dir) = self.path.parent()
            && let Ok(d) = fs::File::open(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
        {
            let _ = d.sync_all();
        }
        Ok(WriteOutcome::Written)
    }
}

/// Writes `contents` into a temporary file beside `path`, flushed to disk,
/// ready to be put in place. Refuses a target that is not a regular file (a
/// FIFO there would block, a device swallow the write).
pub fn stage(path: &Path, contents: &[u8]) -> io::Result<Staged> {
    match fs::symlink_metadata(path) {
        Ok(meta) if !meta.is_file() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "it exists and is not a regular file",
            ));
        }
        Ok(_) if fs::read(path).is_ok_and(|old| old == contents) => {
            return Ok(Staged {
                path: path.to_owned(),
                tmp: None,
            });
        }
        _ => {}
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    Ok(Staged {
        path: path.to_owned(),
        tmp: Some(tmp),
    })
}

/// The largest input file tfsynth reads (configuration, Terraform JSON,
/// duration tables): far beyond any real one, far below what would exhaust memory.
pub const MAX_INPUT: u64 = 64 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_INPUT`] bytes as UTF-8 text; the
/// error says why in words (for "cannot read PATH: ...").
pub fn read_bounded(path: &Path) -> io::Result<String> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (hint: give a file, not a device, pipe or folder)",
        ));
    }
    let mut text = String::new();
    let read = fs::File::open(path)?
        .take(MAX_INPUT + 1)
        .read_to_string(&mut text)?;
    if read as u64 > MAX_INPUT {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_INPUT / (1024 * 1024)),
        ));
    }
    Ok(text)
}

/// Removes temporary files of [`write_atomic`] that a killed run left in
/// `dir` (`.<name>.<random>.tmp`). Call it only while holding the
/// directory's lock, so no other writer's file is taken for a leftover.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") && name.matches('.').count() >= 3 {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_and_skips_identical() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("main.tf.json");
        fs::write(dir.path().join("terraform.tfstate"), "state").unwrap();
        assert_eq!(write_atomic(&path, b"one").unwrap(), WriteOutcome::Written);
        assert_eq!(
            write_atomic(&path, b"one").unwrap(),
            WriteOutcome::Unchanged
        );
        assert_eq!(write_atomic(&path, b"two").unwrap(), WriteOutcome::Written);
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["main.tf.json", "terraform.tfstate"],
            "no temporary file left"
        );
        assert_eq!(
            fs::read(dir.path().join("terraform.tfstate")).unwrap(),
            b"state"
        );
    }

    #[test]
    fn reads_are_bounded_and_only_of_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        fs::write(&file, "x = 1").unwrap();
        assert_eq!(read_bounded(&file).unwrap(), "x = 1");
        let err = read_bounded(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("not a regular file"), "{err}");
        #[cfg(unix)]
        {
            let err = read_bounded(Path::new("/dev/zero"))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("not a regular file"), "{err}");
        }
    }

    #[test]
    fn leftovers_are_removed_and_non_files_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".main.tf.json.AbC123.tmp"), "half").unwrap();
        fs::write(dir.path().join("keep.tmp"), "mine").unwrap();
        remove_stale_temporaries(dir.path());
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["keep.tmp"]);
        let target = dir.path().join("main.tf.json");
        fs::create_dir(&target).unwrap();
        assert!(write_atomic(&target, b"x").is_err(), "a folder in the way");
    }

    #[test]
    fn missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_atomic(&dir.path().join("nope/main.tf.json"), b"x").is_err());
    }
}
