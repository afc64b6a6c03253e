//! Resolution: every layer of a stack's values merged, typed and checked
//! into a [`Config`], every problem collected before failing.

use indexmap::IndexMap;

use super::backend;
use super::sources::{ConfigFile, Overrides, Source, TOOL_VARIABLES};
use super::spec::Default;
use super::spec::{Key, Spec};
use super::value::ConfigValue;
use super::value::describe_toml;
use super::{ConfigError, error, parse_backend};
use crate::core::Backend;
use crate::suggest::{self, did_you_mean};

#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) value: Option<ConfigValue>,
    pub(super) source: Source,
}

/// A stack's resolved, checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub(super) stack: String,
    pub(super) environment: Option<String>,
    pub(super) values: IndexMap<&'static str, Entry>,
    pub(super) descriptions: IndexMap<&'static str, &'static str>,
    pub(super) backend: Option<(Backend, Source)>,
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
pub(super) fn override_entries(
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
            parse_into(key, text, Source::Env(var), &mut entries, &mut errors);
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
        parse_into(
            key,
            text,
            Source::Set(arg.clone()),
            &mut entries,
            &mut errors,
        );
    }
    (entries, errors)
}

/// Parses `text`, given from `source`, as `key`'s value: an entry, or a
/// problem located at the source.
fn parse_into(
    key: &Key,
    text: &str,
    source: Source,
    entries: &mut Vec<(&'static str, Entry)>,
    errors: &mut Vec<ConfigError>,
) {
    match ConfigValue::parse(key.kind, text) {
        Ok(v) => entries.push((
            key.name,
            Entry {
                value: Some(v),
                source,
            },
        )),
        Err(message) => errors.push(error(source.to_string(), message)),
    }
}

/// Checks what the environment and `--set STACK.KEY=...` give a stack,
/// selected or not, so a mistake is named even when the stack is not being
/// synthesized.
pub fn check_overrides(spec: &Spec, stack: &str, overrides: &Overrides) -> Vec<ConfigError> {
    override_entries(spec, stack, overrides, false).1
}
