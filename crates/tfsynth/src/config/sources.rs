//! Where values come from: the configuration file and, outside it, the
//! environment and `--set`; each value keeps its [`Source`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::value::describe_toml;
use super::{ConfigError, TERRAFORM_SETTINGS, error};
use crate::suggest::did_you_mean;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The key's default.
    Default,
    /// A table of the configuration file.
    File {
        /// The file.
        path: PathBuf,
        /// The table, e.g. `stacks.financial.environments.prod`.
        table: String,
    },
    /// An environment variable.
    Env(String),
    /// `--set`.
    Set(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File { path, table } => write!(f, "{} [{table}]", path.display()),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::Set(arg) => write!(f, "--set {arg}"),
        }
    }
}

/// The configuration file, parsed (or empty when there is none).
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    pub(super) path: Option<PathBuf>,
    /// The file name searched for, when none was found.
    pub(super) searched_for: Option<(PathBuf, String)>,
    pub(super) table: toml::Table,
}

impl ConfigFile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = crate::fsio::read_bounded(path).map_err(|e| {
            error(
                path.display().to_string(),
                format!("cannot read the configuration file: {e}"),
            )
        })?;
        ConfigFile::parse(path, &text)
    }

    /// Parses `text` as the contents of `path`.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let at = e
                .span()
                .map(|span| {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!(":{line}")
                })
                .unwrap_or_default();
            error(
                format!("{}{at}", path.display()),
                format!("malformed TOML: {}", e.message()),
            )
        })?;
        let file = ConfigFile {
            path: Some(path.to_owned()),
            searched_for: None,
            table,
        };
        file.check_shape()?;
        Ok(file)
    }

    /// Finds the file called `name` (an application's `<name>.toml`) in
    /// `dir` or the nearest parent that has one; an empty configuration that
    /// remembers what was searched for when none has.
    pub fn discover(dir: &Path, name: &str) -> Result<ConfigFile, ConfigError> {
        for candidate in dir.ancestors() {
            let path = candidate.join(name);
            if path.is_file() {
                return ConfigFile::load(&path);
            }
        }
        Ok(ConfigFile {
            path: None,
            searched_for: Some((dir.to_owned(), name.to_owned())),
            table: toml::Table::new(),
        })
    }

    /// The file's path, when there is one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The file as messages name it: its path, else the name searched for.
    pub(super) fn display_path(&self) -> String {
        match (&self.path, &self.searched_for) {
            (Some(path), _) => path.display().to_string(),
            (None, Some((_, name))) => name.clone(),
            (None, None) => "the configuration".to_owned(),
        }
    }

    /// The top level holds `[stacks.*]` and `[terraform]` tables only.
    fn check_shape(&self) -> Result<(), ConfigError> {
        for (key, value) in &self.table {
            match key.as_str() {
                "terraform" if value.is_table() => {
                    for (name, setting) in value.as_table().into_iter().flatten() {
                        let location = format!("{} [terraform] {name}", self.display_path());
                        if !TERRAFORM_SETTINGS.contains(&name.as_str()) {
                            let hint = did_you_mean(name, TERRAFORM_SETTINGS.iter().copied());
                            return Err(error(
                                location,
                                format!(
                                    "unknown setting {name:?}{hint}; [terraform] takes {}",
                                    TERRAFORM_SETTINGS.join(" and ")
                                ),
                            ));
                        }
                        if !setting.is_str() {
                            return Err(error(
                                location,
                                format!("expected a string, found {}", describe_toml(setting)),
                            ));
                        }
                    }
                }
                "stacks" if value.is_table() => {}
                "stacks" | "terraform" => {
                    return Err(error(
                        format!("{} {key}", self.display_path()),
                        "must be a table",
                    ));
                }
                other => {
                    let hint = did_you_mean(other, ["stacks", "terraform"]);
                    return Err(error(
                        format!("{} {other}", self.display_path()),
                        format!(
                            "unknown top-level key {other:?}{hint}; the file holds [stacks.<name>] and [terraform] tables"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The names of the stacks the file configures.
    pub fn stack_names(&self) -> Vec<&str> {
        self.stacks()
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub(super) fn stacks(&self) -> Option<&toml::Table> {
        self.table.get("stacks").and_then(toml::Value::as_table)
    }

    /// A string setting of the `[terraform]` table (`binary`, `plugin_dir`).
    pub fn terraform_setting(&self, key: &str) -> Option<&str> {
        self.table
            .get("terraform")
            .and_then(toml::Value::as_table)
            .and_then(|t| t.get(key))
            .and_then(toml::Value::as_str)
    }
}

/// Values given outside the file: environment variables and `--set`.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `(stack, key, value, "[stack.]key")` from `--set`; `stack` is `None`
    /// for a plain `key=value`. Messages name the key, never the value.
    pub(super) sets: Vec<(Option<String>, String, String, String)>,
    /// Environment variables with the application's prefix, by name; `None`
    /// when the value is not valid UTF-8.
    pub(super) env: BTreeMap<String, Option<String>>,
    /// The prefix of configuration variables, `TFSYNTH` for `TFSYNTH_<STACK>_<KEY>`.
    pub(super) prefix: String,
}

/// Variables of the tool itself, which are never configuration values.
pub const TOOL_VARIABLES: &[&str] = &[
    "OUT",
    "CONFIG",
    "ENV",
    "TERRAFORM",
    "TERRAFORM_TIMEOUT",
    "PLUGIN_DIR",
    "DOT",
    "REQUIRE_TERRAFORM",
    "UPDATE_SNAPSHOTS",
    "BASELINE",
    "EMULATOR",
];

impl Overrides {
    /// No overrides.
    pub fn new() -> Overrides {
        Overrides::default()
    }

    /// Takes the `<PREFIX>_*` variables from the given environment (for
    /// `tfsynth`, `TFSYNTH_*`); the others, and any whose name is not valid
    /// UTF-8, are not tfsynth's and are left alone.
    pub fn with_env(
        mut self,
        prefix: &str,
        vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> Overrides {
        let start = format!("{prefix}_");
        self.prefix = prefix.to_owned();
        self.env = vars
            .into_iter()
            .filter_map(|(k, v)| {
                let k = k.into_string().ok()?;
                k.starts_with(&start).then(|| (k, v.into_string().ok()))
            })
            .collect();
        self
    }

    /// The prefix of configuration variables, as given to
    /// [`Overrides::with_env`] or [`Overrides::with_prefix`].
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Names the program's variables `<prefix>_<STACK>_<KEY>` in messages
    /// without reading any (for overrides built without the environment).
    pub fn with_prefix(mut self, prefix: &str) -> Overrides {
        self.prefix = prefix.to_owned();
        self
    }

    /// The environment variable that overrides `key` of `stack`.
    pub fn env_var(&self, stack: &str, key: &str) -> String {
        format!(
            "{}_{}_{}",
            self.prefix(),
            stack.to_uppercase().replace('-', "_"),
            key.to_uppercase()
        )
    }

    /// Adds one `--set [stack.]key=value`.
    pub fn set(mut self, arg: &str) -> Result<Overrides, ConfigError> {
        let Some((lhs, value)) = arg.split_once('=') else {
            return Err(error(
                format!("--set {arg}"),
                "expected KEY=VALUE or STACK.KEY=VALUE",
            ));
        };
        let (stack, key) = match lhs.split_once('.') {
            Some((stack, key)) => (Some(stack.trim().to_owned()), key.trim().to_owned()),
            None => (None, lhs.trim().to_owned()),
        };
        if key.is_empty() || stack.as_deref() == Some("") {
            return Err(error(
                format!("--set {}", lhs.trim()),
                "expected KEY=VALUE or STACK.KEY=VALUE",
            ));
        }
        self.sets
            .push((stack, key, value.to_owned(), lhs.trim().to_owned()));
        Ok(self)
    }

    /// Checks that every stack-qualified `--set` names a known stack.
    pub fn check_stacks(&self, known: &[&str]) -> Result<(), ConfigError> {
        for (stack, _, _, arg) in &self.sets {
            if let Some(stack) = stack.as_deref().filter(|s| !known.contains(s)) {
                let hint = did_you_mean(stack, known.iter().copied());
                return Err(error(
                    format!("--set {arg}"),
                    format!("unknown stack {stack:?}{hint}"),
                ));
            }
        }
        Ok(())
    }
}

/// The environment variable that overrides `key` of `stack` in `tfsynth`
/// (`TFSYNTH_<STACK>_<KEY>`); an application's own prefix comes from
/// [`Overrides::env_var`].
pub fn env_var(stack: &str, key: &str) -> String {
    Overrides::default().env_var(stack, key)
}
