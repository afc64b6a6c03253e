//! What `tfsynth new` and `tfsynth get` share about a user's project: how
//! its crates depend on the tfsynth engine, and how they report failures.

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use tfsynth::app::AppError;

/// The engine crate in the checkout this binary was built from.
fn checkout_engine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/tfsynth")
}

/// How a generated crate depends on a tfsynth crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A path on this machine.
    Path(PathBuf),
    /// A git repository, all crates from one workspace.
    Git(String),
    /// A registry version.
    Version(String),
}

impl Source {
    /// From `--tfsynth-path` / `--tfsynth-git`; by default the checkout this
    /// binary was built from, else the published version.
    pub fn from_matches(m: &ArgMatches) -> Source {
        if let Some(path) = m.get_one::<PathBuf>("tfsynth_path") {
            return Source::Path(path.clone());
        }
        if let Some(url) = m.get_one::<String>("tfsynth_git") {
            return Source::Git(url.clone());
        }
        let engine = checkout_engine();
        if engine.join("Cargo.toml").is_file() {
            Source::Path(Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf())
        } else {
            Source::Version(env!("CARGO_PKG_VERSION").to_owned())
        }
    }

    /// The dependency on the crate `package` (`tfsynth`, `tfsynth-aws`)
    /// whose folder in the workspace is `crates/<dir>`, as a TOML inline
    /// table or version string.
    pub fn dependency(&self, package: &str, dir: &str) -> String {
        match self {
            Source::Path(root) => {
                let path = root.join("crates").join(dir);
                let path = path.canonicalize().unwrap_or(path);
                format!("{{ path = {} }}", toml_string(&path.display().to_string()))
            }
            Source::Git(url) => format!(
                "{{ git = {}, package = {} }}",
                toml_string(url),
                toml_string(package)
            ),
            Source::Version(v) => toml_string(v),
        }
    }
}

/// A TOML basic string.
pub fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `--tfsynth-path` and `--tfsynth-git` options.
pub fn source_args(command: clap::Command) -> clap::Command {
    command
        .arg(
            clap::Arg::new("tfsynth_path")
                .long("tfsynth-path")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .conflicts_with("tfsynth_git")
                .help("Depend on the tfsynth workspace at DIR (default: the checkout this tfsynth was built from, else the published crates)"),
        )
        .arg(
            clap::Arg::new("tfsynth_git")
                .long("tfsynth-git")
                .value_name("URL")
                .help("Depend on the tfsynth crates of this git repository"),
        )
}

/// An error of one of these commands: 2 for what the user can fix in the
/// invocation, 1 otherwise.
pub fn error(message: impl Into<String>, exit_code: u8) -> Vec<AppError> {
    vec![AppError::Command {
        message: message.into(),
        exit_code,
    }]
}

/// Whether `dir` is missing or an empty folder.
pub fn is_empty_dir(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}
