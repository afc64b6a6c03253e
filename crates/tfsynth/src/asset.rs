//! Code assets: a local file or directory (a Lambda function's code, a
//! static site) that synthesis packages into the stack's output directory,
//! as CDK for Terraform's `TerraformAsset` does.
//!
//! A directory becomes a zip archive built deterministically: entries in
//! byte order of their paths, every timestamp 1980-01-01 00:00, permissions
//! only 0644 or 0755 (executables stay executable), no extra fields. The
//! same content gives the same bytes on any machine and at any time, so the
//! archive's hash, which [`AssetRef::hash`] gives as the `source_code_hash`
//! Lambda expects, changes with the content and only with it.
//!
//! The files are read when the asset is declared, by this module, never by
//! `core`; synthesis hands the bytes to the writer with the stack's JSON, and
//! `synth` writes both or neither.

use std::fs;
use std::io;
use std::panic::Location;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::core::{Declare, Node, Stack, Value};

/// Where assets go inside a stack's output directory; the folder is
/// tfsynth's own, and files it no longer declares are removed from it.
pub const ASSET_DIR: &str = "assets";

/// How deep a directory asset may nest.
const MAX_DEPTH: usize = 64;

/// A file or directory to package with the stack.
#[derive(Debug)]
pub struct Asset {
    name: String,
    file_name: String,
    contents: Result<Vec<u8>, String>,
    at: &'static Location<'static>,
}

impl Asset {
    /// A directory, zipped: `assets/<name>.zip`. A relative `path` is read
    /// from the working directory; for a path relative to your crate, use
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/lambda")`.
    #[track_caller]
    pub fn directory(name: impl Into<String>, path: impl AsRef<Path>) -> Asset {
        let name = name.into();
        let path = path.as_ref();
        let contents = zip_directory(path).map_err(|e| describe(path, &e));
        Asset {
            file_name: format!("{name}.zip"),
            name,
            contents,
            at: Location::caller(),
        }
    }

    /// One file, zipped on its own: `assets/<name>.zip`.
    #[track_caller]
    pub fn zipped_file(name: impl Into<String>, path: impl AsRef<Path>) -> Asset {
        let name = name.into();
        let path = path.as_ref();
        let contents = read_file(path)
            .map(|file| zip(&[file]))
            .map_err(|e| describe(path, &e));
        Asset {
            file_name: format!("{name}.zip"),
            name,
            contents,
            at: Location::caller(),
        }
    }

    /// One file, copied as it is: `assets/<name>.<extension of path>`.
    #[track_caller]
    pub fn file(name: impl Into<String>, path: impl AsRef<Path>) -> Asset {
        let name = name.into();
        let path = path.as_ref();
        let file_name = match path.extension().and_then(|e| e.to_str()) {
            Some(ext) => format!("{name}.{ext}"),
            None => name.clone(),
        };
        Asset {
            contents: fs::read(path).map_err(|e| describe(path, &e)),
            file_name,
            name,
            at: Location::caller(),
        }
    }

    /// A zip archive of files given in memory, `(path inside the archive,
    /// bytes)`: code embedded with `include_bytes!`, rendered templates.
    #[track_caller]
    pub fn archive(name: impl Into<String>, files: &[(&str, &[u8])]) -> Asset {
        let name = name.into();
        let mut entries: Vec<Entry> = files
            .iter()
            .map(|(path, data)| Entry {
                name: (*path).to_owned(),
                executable: false,
                data: data.to_vec(),
            })
            .collect();
        entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        Asset {
            file_name: format!("{name}.zip"),
            name,
            contents: Ok(zip(&entries)),
            at: Location::caller(),
        }
    }

    /// An asset of bytes made in memory (a rendered template, generated code).
    #[track_caller]
    pub fn bytes(name: impl Into<String>, file_name: impl Into<String>, bytes: Vec<u8>) -> Asset {
        Asset {
            name: name.into(),
            file_name: file_name.into(),
            contents: Ok(bytes),
            at: Location::caller(),
        }
    }
}

/// A local Terraform module, copied file by file into the stack's output
/// (`assets/modules/<name>/`) so that the synthesized directory is complete
/// on its own; call it with [`Module::new`](crate::Module::new) and the
/// handle's [`ModuleFilesRef::source`]. `.terraform` folders and state files
/// are left out.
#[derive(Debug)]
pub struct ModuleFiles {
    name: String,
    files: Result<Vec<Entry>, String>,
    at: &'static Location<'static>,
}

impl ModuleFiles {
    /// The module in the directory `path` (read as [`Asset::directory`] reads).
    #[track_caller]
    pub fn directory(name: impl Into<String>, path: impl AsRef<Path>) -> ModuleFiles {
        let path = path.as_ref();
        let files = (|| {
            if !fs::metadata(path)?.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a directory",
                ));
            }
            let mut entries = Vec::new();
            collect(path, path, 0, &mut entries)?;
            entries.retain(|e| {
                !e.name.split('/').any(|part| part == ".terraform")
                    && !e.name.ends_with(".tfstate")
                    && !e.name.ends_with(".tfstate.backup")
            });
            entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
            if !entries
                .iter()
                .any(|e| e.name.ends_with(".tf") || e.name.ends_with(".tf.json"))
            {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "holds no .tf or .tf.json file, so it is not a Terraform module",
                ));
            }
            Ok(entries)
        })()
        .map_err(|e| describe(path, &e));
        ModuleFiles {
            name: name.into(),
            files,
            at: Location::caller(),
        }
    }
}

/// A declared local module's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleFilesRef {
    source: String,
}

impl ModuleFilesRef {
    /// The module's source, relative to the stack directory:
    /// `./assets/modules/<name>`.
    pub fn source(&self) -> String {
        self.source.clone()
    }
}

impl Declare for ModuleFiles {
    type Handle = ModuleFilesRef;

    fn declare(self, stack: &mut Stack) -> ModuleFilesRef {
        let folder = format!("{ASSET_DIR}/modules/{}", self.name);
        match self.files {
            Ok(files) => {
                for file in files {
                    stack.add_file(
                        &self.name,
                        format!("{folder}/{}", file.name),
                        file.data,
                        self.at,
                    );
                }
            }
            Err(why) => stack.problem(format!(
                "module files {}: {why} (declared at {}:{}:{})",
                self.name,
                self.at.file(),
                self.at.line(),
                self.at.column()
            )),
        }
        ModuleFilesRef {
            source: format!("./{folder}"),
        }
    }
}

fn describe(path: &Path, e: &io::Error) -> String {
    format!("cannot read {}: {e}", path.display())
}

/// A handle to a declared asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetRef {
    path: String,
    hash: String,
    sha256: String,
}

impl AssetRef {
    /// The file's path, relative to the stack directory, where terraform runs
    /// (`assets/handler.zip`): for `filename`, `source`, ...
    pub fn path(&self) -> Value<String> {
        Value::from(self.path.as_str())
    }

    /// The base64-encoded SHA-256 of the file, as Terraform's
    /// `filebase64sha256` gives it: Lambda's `source_code_hash`.
    pub fn hash(&self) -> Value<String> {
        Value::from(self.hash.as_str())
    }

    /// The hex-encoded SHA-256 of the file (S3's `etag`-free change detection, triggers).
    pub fn sha256_hex(&self) -> Value<String> {
        Value::from(self.sha256.as_str())
    }
}

impl Declare for Asset {
    type Handle = AssetRef;

    fn declare(self, stack: &mut Stack) -> AssetRef {
        let path = format!("{ASSET_DIR}/{}", self.file_name);
        let bytes = match self.contents {
            Ok(bytes) => bytes,
            Err(why) => {
                stack.problem(format!(
                    "asset {}: {why} (declared at {}:{}:{})",
                    self.name,
                    self.at.file(),
                    self.at.line(),
                    self.at.column()
                ));
                Vec::new()
            }
        };
        let digest = Sha256::digest(&bytes);
        let handle = AssetRef {
            hash: base64(&digest),
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
            path: path.clone(),
        };
        stack.add_file(&self.name, path, bytes, self.at);
        handle
    }
}

impl From<&AssetRef> for Node {
    fn from(asset: &AssetRef) -> Node {
        Node::from(asset.path.as_str())
    }
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A file to put in an archive: its path inside it, whether it is
/// executable, its bytes.
#[derive(Debug)]
struct Entry {
    name: String,
    executable: bool,
    data: Vec<u8>,
}

fn read_file(path: &Path) -> io::Result<Entry> {
    let data = fs::read(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Entry {
        name,
        executable: is_executable(path),
        data,
    })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &Path) -> bool {
    false
}

fn zip_directory(dir: &Path) -> io::Result<Vec<u8>> {
    if !fs::metadata(dir)?.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a directory (hint: Asset::zipped_file or Asset::file take one file)",
        ));
    }
    let mut entries = Vec::new();
    collect(dir, dir, 0, &mut entries)?;
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok(zip(&entries))
}

fn collect(root: &Path, dir: &Path, depth: usize, out: &mut Vec<Entry>) -> io::Result<()> {
    if depth > MAX_DEPTH {
        return Err(io::Error::other(format!(
            "more than {MAX_DEPTH} levels of folders (a symbolic link loop?)"
        )));
    }
    for entry in fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        let meta = fs::metadata(&path)?;
        if meta.is_dir() {
            collect(root, &path, depth + 1, out)?;
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push(Entry {
                name,
                executable: is_executable(&path),
                data: fs::read(&path)?,
            });
        }
    }
    Ok(())
}

/// CRC-32 (IEEE), as zip stores it.
fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// A zip archive of `entries`, deflated, with fixed timestamps.
fn zip(entries: &[Entry]) -> Vec<u8> {
    // 1980-01-01 00:00:00 in MS-DOS date and time.
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = (1 << 5) | 1;
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, n: u16| v.extend_from_slice(&n.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, n: u32| v.extend_from_slice(&n.to_le_bytes());
    for e in entries {
        let compressed = miniz_oxide::deflate::compress_to_vec(&e.data, 6);
        let (method, body) = if compressed.len() < e.data.len() {
            (8u16, compressed)
        } else {
            (0u16, e.data.clone())
        };
        let crc = crc32(&e.data);
        let offset = out.len() as u32;
        let name = e.name.as_bytes();
        // Local file header.
        le32(&mut out, 0x0403_4b50);
        le16(&mut out, 20);
        le16(&mut out, 1 << 11); // UTF-8 names
        le16(&mut out, method);
        le16(&mut out, DOS_TIME);
        le16(&mut out, DOS_DATE);
        le32(&mut out, crc);
        le32(&mut out, body.len() as u32);
        le32(&mut out, e.data.len() as u32);
        le16(&mut out, name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(&body);
        // Central directory entry, made by "Unix" so the mode is kept.
        let mode: u32 = if e.executable { 0o100755 } else { 0o100644 };
        le32(&mut central, 0x0201_4b50);
        le16(&mut central, (3 << 8) | 20);
        le16(&mut central, 20);
        le16(&mut central, 1 << 11);
        le16(&mut central, method);
        le16(&mut central, DOS_TIME);
        le16(&mut central, DOS_DATE);
        le32(&mut central, crc);
        le32(&mut central, body.len() as u32);
        le32(&mut central, e.data.len() as u32);
        le16(&mut central, name.len() as u16);
        le16(&mut central, 0);
        le16(&mut central, 0);
        le16(&mut central, 0);
        le16(&mut central, 0);
        le32(&mut central, mode << 16);
        le32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = out.len() as u32;
    let central_len = central.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, entries.len() as u16);
    le16(&mut out, entries.len() as u16);
    le32(&mut out, central_len);
    le32(&mut out, central_offset);
    le16(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_crc_match_the_standards() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn archives_are_byte_stable_and_change_only_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        fs::create_dir_all(src.join("lib")).unwrap();
        fs::write(src.join("index.py"), "def handler(e, c):\n    return 1\n").unwrap();
        fs::write(src.join("lib/util.py"), "X = 1\n").unwrap();
        let hash = |path: &Path| {
            let mut stack = Stack::new("s");
            let asset = stack.add(Asset::directory("fn", path));
            assert!(stack.synth().is_ok());
            asset.hash()
        };
        let first = zip_directory(&src).unwrap();
        let h1 = hash(&src);
        // Touching files (new timestamps) changes nothing.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(src.join("lib/util.py"), "X = 1\n").unwrap();
        assert_eq!(zip_directory(&src).unwrap(), first, "byte-identical");
        assert_eq!(hash(&src), h1);
        // The same content elsewhere gives the same archive.
        let copy = dir.path().join("copy");
        fs::create_dir_all(copy.join("lib")).unwrap();
        fs::write(copy.join("lib/util.py"), "X = 1\n").unwrap();
        fs::write(copy.join("index.py"), "def handler(e, c):\n    return 1\n").unwrap();
        assert_eq!(zip_directory(&copy).unwrap(), first);
        // A change of content changes the hash.
        fs::write(src.join("lib/util.py"), "X = 2\n").unwrap();
        assert_ne!(hash(&src), h1);
        // Entries are in path order with the fixed timestamp.
        let names: Vec<&str> = ["index.py", "lib/util.py"].to_vec();
        let text = String::from_utf8_lossy(&first);
        let at = |n: &str| text.find(n).unwrap();
        assert!(at(names[0]) < at(names[1]));
        assert_eq!(&first[10..14], &[0, 0, 0x21, 0], "1980-01-01 00:00");
    }

    #[test]
    fn unreadable_assets_fail_synthesis_naming_them() {
        let mut stack = Stack::new("s");
        stack.add(Asset::directory("missing", "/nonexistent/tfsynth-asset"));
        let err = stack.synth().unwrap_err().to_string();
        assert!(
            err.starts_with("stack s: asset missing: cannot read /nonexistent/tfsynth-asset: "),
            "{err}"
        );
    }
}
