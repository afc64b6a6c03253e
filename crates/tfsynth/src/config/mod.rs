//! Stack configuration: what each stack accepts ([`Spec`]), where values
//! come from, and the resolved, checked result ([`Config`]).
//!
//! Values are layered, later layers winning: the key's default, the stack's
//! table in `tfsynth.toml` (`[stacks.<stack>]`), the selected environment's
//! table (`[stacks.<stack>.environments.<env>]`), environment variables
//! (`TFSYNTH_<STACK>_<KEY>`), and `--set [stack.]key=value`. Every value
//! keeps its source so `tfsynth config` can say where it came from.
//!
//! **Invariant:** resolution collects every problem (missing required
//! values, wrong types, unknown keys with a suggestion, broken rules) before
//! failing; each message names the key, where it was set and the rule.

mod backend;
pub mod rules;
mod settings;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

pub use backend::{DEFAULT_WORKSPACE, parse_backend, parse_backend_for, workspace_name};
pub use settings::{Setting, Settings};
#[doc(hidden)]
pub use settings::{default_of, default_value};
/// Derives [`Settings`]: see the trait.
pub use tfsynth_derive::Settings;

use crate::core::Backend;
use crate::suggest::{self, did_you_mean};

/// The settings of the `[terraform]` table.
const TERRAFORM_SETTINGS: &[&str] = &["binary", "plugin_dir"];

/// The prefix of a program's environment variables: its name in upper case,
/// other characters as `_` (`TFSYNTH` for `tfsynth`, `MY_APP` for `my-app`).
pub fn env_prefix(program: &str) -> String {
    program
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The type of a configuration value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
    /// A list of strings (comma-separated on the command line).
    List,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::String => "a string",
            Kind::Integer => "an integer",
            Kind::Bool => "a bool",
            Kind::List => "a list of strings",
        })
    }
}

/// A configuration value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigValue {
    /// Text.
    String(String),
    /// A whole number.
    Integer(i64),
    /// A flag.
    Bool(bool),
    /// A list of strings.
    List(Vec<String>),
}

impl ConfigValue {
    fn kind(&self) -> Kind {
        match self {
            ConfigValue::String(_) => Kind::String,
            ConfigValue::Integer(_) => Kind::Integer,
            ConfigValue::Bool(_) => Kind::Bool,
            ConfigValue::List(_) => Kind::List,
        }
    }

    /// Parses text given on the command line or in an environment variable.
    fn parse(kind: Kind, text: &str) -> Result<ConfigValue, String> {
        match kind {
            Kind::String => Ok(ConfigValue::String(text.to_owned())),
            // The text is never repeated: a value typed into the wrong place
            // may be a secret.
            Kind::Integer => text
                .trim()
                .parse()
                .map(ConfigValue::Integer)
                .map_err(|_| "expected an integer".to_owned()),
            Kind::Bool => match text.trim() {
                "true" => Ok(ConfigValue::Bool(true)),
                "false" => Ok(ConfigValue::Bool(false)),
                _ => Err("expected true or false".to_owned()),
            },
            // `a,b,c`; an empty text is the empty list, an empty entry a mistake.
            Kind::List if text.trim().is_empty() => Ok(ConfigValue::List(Vec::new())),
            Kind::List => text
                .split(',')
                .map(str::trim)
                .enumerate()
                .map(|(i, s)| {
                    if s.is_empty() {
                        Err(format!(
                            "entry {} is empty (hint: separate entries with single commas)",
                            i + 1
                        ))
                    } else {
                        Ok(s.to_owned())
                    }
                })
                .collect::<Result<_, _>>()
                .map(ConfigValue::List),
        }
    }

    /// Converts a TOML value of the expected kind.
    fn from_toml(kind: Kind, value: &toml::Value) -> Result<ConfigValue, String> {
        let found = || format!("expected {kind}, found {}", describe_toml(value));
        match (kind, value) {
            (Kind::String, toml::Value::String(s)) => Ok(ConfigValue::String(s.clone())),
            (Kind::Integer, toml::Value::Integer(i)) => Ok(ConfigValue::Integer(*i)),
            (Kind::Bool, toml::Value::Boolean(b)) => Ok(ConfigValue::Bool(*b)),
            (Kind::List, toml::Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(found))
                .collect::<Result<_, _>>()
                .map(ConfigValue::List),
            _ => Err(found()),
        }
    }
}

/// The kind of a TOML value, in words. The content is never repeated: it
/// may be a secret typed into the wrong place.
fn describe_toml(value: &toml::Value) -> String {
    let plural = |v: &toml::Value| match v {
        toml::Value::String(_) => "strings",
        toml::Value::Integer(_) => "integers",
        toml::Value::Float(_) => "numbers",
        toml::Value::Boolean(_) => "bools",
        toml::Value::Datetime(_) => "dates",
        toml::Value::Array(_) => "lists",
        toml::Value::Table(_) => "tables",
    };
    match value {
        toml::Value::String(_) => "a string".to_owned(),
        toml::Value::Integer(_) => "an integer".to_owned(),
        toml::Value::Float(_) => "a number with a fraction".to_owned(),
        toml::Value::Boolean(_) => "a bool".to_owned(),
        toml::Value::Datetime(_) => "a date".to_owned(),
        toml::Value::Array(items) => {
            let mut kinds: Vec<&str> = items.iter().map(plural).collect();
            kinds.dedup();
            match kinds.as_slice() {
                [] => "an empty list".to_owned(),
                [one] => format!("a list of {one}"),
                _ => "a list of mixed values".to_owned(),
            }
        }
        toml::Value::Table(_) => "a table".to_owned(),
    }
}

impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::String(s) => write!(f, "{s:?}"),
            ConfigValue::Integer(i) => write!(f, "{i}"),
            ConfigValue::Bool(b) => write!(f, "{b}"),
            ConfigValue::List(items) => {
                write!(
                    f,
                    "[{}]",
                    items
                        .iter()
                        .map(|s| format!("{s:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
    }
}

/// A per-key rule: the value is fine, or the reason it is not.
pub type Rule = fn(&ConfigValue) -> Result<(), String>;

/// A rule over several keys of a resolved configuration.
pub type Check = fn(&Config) -> Result<(), String>;

#[derive(Clone, Debug)]
enum Default {
    Required,
    Optional,
    Value(ConfigValue),
}

/// One configuration key a stack accepts.
#[derive(Clone, Debug)]
pub struct Key {
    name: &'static str,
    kind: Kind,
    default: Default,
    description: &'static str,
    rules: Vec<(&'static str, Rule)>,
}

impl Key {
    /// A key that must be set.
    pub fn required(name: &'static str, kind: Kind, description: &'static str) -> Key {
        Key {
            name,
            kind,
            default: Default::Required,
            description,
            rules: Vec::new(),
        }
    }

    /// A key that may stay unset.
    pub fn optional(name: &'static str, kind: Kind, description: &'static str) -> Key {
        Key {
            name,
            kind,
            default: Default::Optional,
            description,
            rules: Vec::new(),
        }
    }

    /// A key with a default value.
    pub fn with_default(
        name: &'static str,
        default: ConfigValue,
        description: &'static str,
    ) -> Key {
        Key {
            name,
            kind: default.kind(),
            default: Default::Value(default),
            description,
            rules: Vec::new(),
        }
    }

    /// Adds a named rule the value must satisfy.
    pub fn rule(mut self, name: &'static str, rule: Rule) -> Key {
        self.rules.push((name, rule));
        self
    }

    /// The key's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What the key means.
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// A value to show in examples (`--set KEY=VALUE`): the default of a
    /// whole-number or text key, as typed on the command line.
    pub fn example(&self) -> Option<String> {
        match &self.default {
            Default::Value(ConfigValue::Integer(i)) => Some(i.to_string()),
            Default::Value(ConfigValue::String(s))
                if !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) =>
            {
                Some(s.clone())
            }
            _ => None,
        }
    }

    /// The default, as shown in documentation: a value, `required` or `unset`.
    pub fn default_text(&self) -> String {
        match &self.default {
            Default::Required => "required".into(),
            Default::Optional => "unset".into(),
            Default::Value(v) => v.to_string(),
        }
    }
}

/// Everything a stack accepts: its keys and the rules across them.
#[derive(Clone, Debug, Default)]
pub struct Spec {
    keys: Vec<Key>,
    checks: Vec<(&'static str, &'static [&'static str], Check)>,
}

impl Spec {
    /// An empty spec: the stack takes no configuration.
    pub fn new() -> Spec {
        Spec::default()
    }

    /// Adds a key.
    pub fn key(mut self, key: Key) -> Spec {
        self.keys.push(key);
        self
    }

    /// Adds a rule across `keys` (named in its messages).
    pub fn check(
        mut self,
        rule: &'static str,
        keys: &'static [&'static str],
        check: Check,
    ) -> Spec {
        self.checks.push((rule, keys, check));
        self
    }

    /// Adds every key and rule of `other` after those of this spec.
    pub fn merge(mut self, other: Spec) -> Spec {
        self.keys.extend(other.keys);
        self.checks.extend(other.checks);
        self
    }

    /// Sets the default of the key `name`, declared earlier (by a merged
    /// spec); a key the spec does not have, or a value of another kind, is a
    /// mistake in the program and panics naming it.
    pub fn default_value(mut self, name: &str, value: ConfigValue) -> Spec {
        let key = self
            .keys
            .iter_mut()
            .find(|k| k.name == name)
            .unwrap_or_else(|| panic!("the spec has no key {name:?} to set a default for"));
        assert!(
            key.kind == value.kind(),
            "the default of {name:?} is {}, but the key is {}",
            value.kind(),
            key.kind
        );
        key.default = Default::Value(value);
        self
    }

    /// The keys, in declaration order.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    fn get(&self, name: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.name == name)
    }
}

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

/// A configuration problem, naming the key and where it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where: `tfsynth.toml [stacks.financial] asg_min`, `--set asg_min=x`, ...
    pub location: String,
    /// What is wrong, with the rule's name.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn error(location: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        location: location.into(),
        message: message.into(),
    }
}

/// The configuration file, parsed (or empty when there is none).
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    path: Option<PathBuf>,
    /// The file name searched for, when none was found.
    searched_for: Option<(PathBuf, String)>,
    table: toml::Table,
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
    fn display_path(&self) -> String {
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

    fn stacks(&self) -> Option<&toml::Table> {
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
    sets: Vec<(Option<String>, String, String, String)>,
    /// Environment variables with the application's prefix, by name; `None`
    /// when the value is not valid UTF-8.
    env: BTreeMap<String, Option<String>>,
    /// The prefix of configuration variables, `TFSYNTH` for `TFSYNTH_<STACK>_<KEY>`.
    prefix: String,
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

#[derive(Clone, Debug)]
struct Entry {
    value: Option<ConfigValue>,
    source: Source,
}

/// A stack's resolved, checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    stack: String,
    environment: Option<String>,
    values: IndexMap<&'static str, Entry>,
    descriptions: IndexMap<&'static str, &'static str>,
    backend: Option<(Backend, Source)>,
}

impl Config {
    /// The stack this configuration is for.
    pub fn stack(&self) -> &str {
        &self.stack
    }

    /// The selected environment table, if any.
    pub fn environment(&self) -> Option<&str> {
        self.environment.as_deref()
    }

    /// The configured backend, if any.
    pub fn backend(&self) -> Option<&Backend> {
        self.backend.as_ref().map(|(b, _)| b)
    }

    fn entry(&self, key: &str) -> &Entry {
        self.values.get(key).unwrap_or_else(|| {
            panic!(
                "stack {} reads configuration key {key:?}, which its spec does not declare",
                self.stack
            )
        })
    }

    /// Every key with its value and source, in spec order.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = (&'static str, Option<&ConfigValue>, &Source, &'static str)> {
        self.values
            .iter()
            .map(|(k, e)| (*k, e.value.as_ref(), &e.source, self.descriptions[k]))
    }

    /// The value of `key`, if set.
    pub fn value(&self, key: &str) -> Option<&ConfigValue> {
        self.entry(key).value.as_ref()
    }

    /// A string key; `None` when unset.
    pub fn opt_string(&self, key: &str) -> Option<&str> {
        match self.value(key) {
            Some(ConfigValue::String(s)) => Some(s),
            None => None,
            Some(other) => panic!(
                "configuration key {key:?} is {}, not a string",
                other.kind()
            ),
        }
    }

    /// A string key that resolution guarantees is set.
    pub fn string(&self, key: &str) -> &str {
        self.opt_string(key)
            .unwrap_or_else(|| panic!("configuration key {key:?} is unset"))
    }

    /// An integer key that resolution guarantees is set.
    pub fn int(&self, key: &str) -> i64 {
        match self.value(key) {
            Some(ConfigValue::Integer(i)) => *i,
            other => panic!("configuration key {key:?} is {other:?}, not an integer"),
        }
    }

    /// A bool key that resolution guarantees is set.
    pub fn bool(&self, key: &str) -> bool {
        match self.value(key) {
            Some(ConfigValue::Bool(b)) => *b,
            other => panic!("configuration key {key:?} is {other:?}, not a bool"),
        }
    }

    /// A list key; empty when unset.
    pub fn list(&self, key: &str) -> &[String] {
        match self.value(key) {
            Some(ConfigValue::List(items)) => items,
            None => &[],
            Some(other) => panic!("configuration key {key:?} is {}, not a list", other.kind()),
        }
    }

    /// Where `key`'s value came from, for messages.
    pub fn source(&self, key: &str) -> &Source {
        &self.entry(key).source
    }
}

/// Resolves `stack`'s configuration from every layer and checks it.
pub fn resolve(
    spec: &Spec,
    stack: &str,
    file: &ConfigFile,
    environment: Option<&str>,
    overrides: &Overrides,
) -> Result<Config, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let mut values: IndexMap<&'static str, Entry> = IndexMap::new();
    let mut descriptions = IndexMap::new();
    for key in &spec.keys {
        let value = match &key.default {
            Default::Value(v) => Some(v.clone()),
            _ => None,
        };
        values.insert(
            key.name,
            Entry {
                value,
                source: Source::Default,
            },
        );
        descriptions.insert(key.name, key.description);
    }
    let path = file.display_path();
    let stack_table = file.stacks().and_then(|t| t.get(stack));
    let mut backend = None;

    // The stack's table, then the selected environment's table.
    let mut layers: Vec<(String, &toml::Table)> = Vec::new();
    let mut env_name = environment.map(str::to_owned);
    if let Some(value) = stack_table {
        let Some(table) = value.as_table() else {
            return Err(vec![error(
                format!("{path} stacks.{stack}"),
                "must be a table",
            )]);
        };
        layers.push((format!("stacks.{stack}"), table));
        if env_name.is_none() {
            match table.get("default_environment") {
                Some(toml::Value::String(s)) => env_name = Some(s.clone()),
                Some(other) => errors.push(error(
                    format!("{path} [stacks.{stack}] default_environment"),
                    format!("expected a string, found {}", describe_toml(other)),
                )),
                None => {}
            }
        }
        let envs = table.get("environments").and_then(toml::Value::as_table);
        if let Some(name) = &env_name {
            match envs
                .and_then(|e| e.get(name))
                .and_then(toml::Value::as_table)
            {
                Some(env_table) => {
                    layers.push((format!("stacks.{stack}.environments.{name}"), env_table))
                }
                None => {
                    let known: Vec<&str> = envs
                        .map(|e| e.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let hint = did_you_mean(name, known.iter().copied());
                    // Everything else would only be a consequence of this.
                    return Err(vec![error(
                        format!("{path} [stacks.{stack}]"),
                        format!(
                            "environment {name:?} is not configured{hint}; configured environments: {}",
                            if known.is_empty() {
                                "none".to_owned()
                            } else {
                                known.join(", ")
                            }
                        ),
                    )]);
                }
            }
        }
        // Tables of the other environments are checked too, for unknown
        // keys and wrong types, so a mistake never waits for its environment.
        for (other, value) in envs
            .into_iter()
            .flatten()
            .filter(|(other, _)| Some(*other) != env_name.as_ref())
        {
            let table_name = format!("stacks.{stack}.environments.{other}");
            let Some(other_table) = value.as_table() else {
                errors.push(error(format!("{path} [{table_name}]"), "must be a table"));
                continue;
            };
            for (name, value) in other_table {
                let location = format!("{path} [{table_name}] {name}");
                if name == "backend" {
                    if let Err(message) = value
                        .as_table()
                        .ok_or_else(|| "must be a table".to_owned())
                        .and_then(parse_backend)
                    {
                        errors.push(error(location, message));
                    }
                    continue;
                }
                match spec.get(name) {
                    None => {
                        let hint = did_you_mean(name, spec.keys.iter().map(|k| k.name));
                        errors.push(error(location, format!("unknown key {name:?}{hint}")));
                    }
                    Some(key) => {
                        if let Err(message) = ConfigValue::from_toml(key.kind, value) {
                            errors.push(error(location, message));
                        }
                    }
                }
            }
        }
    } else if let Some(name) = env_name.as_ref().filter(|_| !spec.keys.is_empty()) {
        // A stack that takes no configuration has no environments to choose.
        return Err(vec![error(
            format!("{path} [stacks.{stack}]"),
            format!(
                "environment {name:?} is not configured; the file has no [stacks.{stack}] table"
            ),
        )]);
    }

    for (table_name, table) in &layers {
        let source = Source::File {
            path: file
                .path
                .clone()
                .unwrap_or_else(|| file.display_path().into()),
            table: table_name.clone(),
        };
        for (name, value) in table.iter() {
            let location = format!("{path} [{table_name}] {name}");
            match name.as_str() {
                "default_environment" | "environments" if table_name.matches('.').count() == 1 => {
                    continue;
                }
                "backend" => {
                    match value
                        .as_table()
                        .ok_or_else(|| "must be a table".to_owned())
                        .and_then(|t| backend::parse_backend_for(t, stack, env_name.as_deref()))
                    {
                        Ok(b) => backend = Some((b, source.clone())),
                        Err(message) => errors.push(error(location, message)),
                    }
                    continue;
                }
                _ => {}
            }
            let Some(key) = spec.get(name) else {
                let hint = did_you_mean(name, spec.keys.iter().map(|k| k.name));
                errors.push(error(location, format!("unknown key {name:?}{hint}")));
                continue;
            };
            match ConfigValue::from_toml(key.kind, value) {
                Ok(v) => {
                    values[key.name] = Entry {
                        value: Some(v),
                        source: source.clone(),
                    }
                }
                Err(message) => errors.push(error(location, message)),
            }
        }
    }

    let (entries, problems) = override_entries(spec, stack, overrides, true);
    errors.extend(problems);
    for (name, entry) in entries {
        values[name] = entry;
    }

    let where_set = |entry: &Entry, key: &str| -> String {
        match &entry.source {
            Source::Default => format!("{path} [stacks.{stack}] {key}"),
            Source::File { table, .. } => format!("{path} [{table}] {key}"),
            Source::Env(var) => format!("environment variable {var}"),
            Source::Set(arg) => format!("--set {arg}"),
        }
    };
    for key in &spec.keys {
        let entry = &values[key.name];
        match &entry.value {
            None if matches!(key.default, Default::Required) => {
                let found = match (&file.path, &file.searched_for) {
                    (None, Some((dir, name))) => {
                        format!("; no {name} was found in {} or its parents", dir.display())
                    }
                    _ => String::new(),
                };
                errors.push(error(
                    format!("{path} [stacks.{stack}] {}", key.name),
                    format!(
                        "missing required value ({}){found} (hint: set it in the file, with --set {}=..., or with {})",
                        key.description,
                        key.name,
                        overrides.env_var(stack, key.name)
                    ),
                ));
            }
            Some(value) => {
                for (rule, check) in &key.rules {
                    if let Err(message) = check(value) {
                        errors.push(error(
                            where_set(entry, key.name),
                            format!("{message} (rule: {rule})"),
                        ));
                    }
                }
            }
            None => {}
        }
    }

    let config = Config {
        stack: stack.to_owned(),
        environment: env_name,
        values,
        descriptions,
        backend,
    };
    if errors.is_empty() {
        for (rule, keys, check) in &spec.checks {
            if let Err(message) = check(&config) {
                // Name each value the rule reads with where it came from,
                // leaving out the ones left unset.
                let involved: Vec<String> = keys
                    .iter()
                    .filter_map(|k| {
                        let entry = config.values.get(k)?;
                        entry.value.as_ref()?;
                        Some(match &entry.source {
                            Source::Default => format!("{k} (default)"),
                            Source::File { table, .. } => format!("{k} ({path} [{table}])"),
                            Source::Env(var) => format!("{k} (environment variable {var})"),
                            Source::Set(arg) => format!("{k} (--set {arg})"),
                        })
                    })
                    .collect();
                let location = if involved.is_empty() {
                    path.clone()
                } else {
                    involved.join(", ")
                };
                errors.push(error(location, format!("{message} (rule: {rule})")));
            }
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

/// The values the environment and `--set` give `stack`, in the order they
/// apply, with a problem for each unknown key, unreadable value or value of
/// the wrong type. A plain `--set key=value` applies to `stack` only when it
/// is `selected`; `--set stack.key=value` always does.
fn override_entries(
    spec: &Spec,
    stack: &str,
    overrides: &Overrides,
    selected: bool,
) -> (Vec<(&'static str, Entry)>, Vec<ConfigError>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for key in &spec.keys {
        let var = overrides.env_var(stack, key.name);
        if let Some(value) = overrides.env.get(&var) {
            let Some(text) = value else {
                errors.push(error(
                    format!("environment variable {var}"),
                    "the value is not valid UTF-8 (hint: unset it or give text)",
                ));
                continue;
            };
            match ConfigValue::parse(key.kind, text) {
                Ok(v) => entries.push((
                    key.name,
                    Entry {
                        value: Some(v),
                        source: Source::Env(var),
                    },
                )),
                Err(message) => errors.push(error(format!("environment variable {var}"), message)),
            }
        }
    }

    // A variable of this stack's prefix that names no key is a typo, never
    // something to ignore in silence.
    let stack_prefix = overrides.env_var(stack, "");
    let tool: Vec<String> = TOOL_VARIABLES
        .iter()
        .map(|v| format!("{}_{v}", overrides.prefix()))
        .collect();
    for var in overrides.env.keys() {
        let Some(rest) = var.strip_prefix(&stack_prefix) else {
            continue;
        };
        if tool.contains(var) || spec.keys.iter().any(|k| k.name.eq_ignore_ascii_case(rest)) {
            continue;
        }
        let hint = suggest::closest(&rest.to_lowercase(), spec.keys.iter().map(|k| k.name))
            .map(|s| format!(" (did you mean {}?)", overrides.env_var(stack, s)))
            .unwrap_or_default();
        errors.push(error(
            format!("environment variable {var}"),
            format!(
                "stack {stack} has no configuration key {:?}{hint}",
                rest.to_lowercase()
            ),
        ));
    }

    for (target, name, text, arg) in &overrides.sets {
        if target.as_deref().is_some_and(|t| t != stack) || (target.is_none() && !selected) {
            continue;
        }
        let Some(key) = spec.get(name) else {
            let hint = did_you_mean(name, spec.keys.iter().map(|k| k.name));
            errors.push(error(
                format!("--set {arg}"),
                format!("stack {stack} has no configuration key {name:?}{hint}"),
            ));
            continue;
        };
        match ConfigValue::parse(key.kind, text) {
            Ok(v) => entries.push((
                key.name,
                Entry {
                    value: Some(v),
                    source: Source::Set(arg.clone()),
                },
            )),
            Err(message) => errors.push(error(format!("--set {arg}"), message)),
        }
    }
    (entries, errors)
}

/// Checks what the environment and `--set STACK.KEY=...` give a stack,
/// selected or not, so a mistake is named even when the stack is not being
/// synthesized.
pub fn check_overrides(spec: &Spec, stack: &str, overrides: &Overrides) -> Vec<ConfigError> {
    override_entries(spec, stack, overrides, false).1
}

#[cfg(test)]
mod tests;
