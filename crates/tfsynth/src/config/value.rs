//! The values a configuration key takes, and their types.

use std::fmt;

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
    pub(super) fn kind(&self) -> Kind {
        match self {
            ConfigValue::String(_) => Kind::String,
            ConfigValue::Integer(_) => Kind::Integer,
            ConfigValue::Bool(_) => Kind::Bool,
            ConfigValue::List(_) => Kind::List,
        }
    }

    /// Parses text given on the command line or in an environment variable.
    pub(super) fn parse(kind: Kind, text: &str) -> Result<ConfigValue, String> {
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
    pub(super) fn from_toml(kind: Kind, value: &toml::Value) -> Result<ConfigValue, String> {
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
pub(super) fn describe_toml(value: &toml::Value) -> String {
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
