//! Typed configuration: a stack's keys as the fields of a Rust struct.
//!
//! `#[derive(Settings)]` writes the struct's [`Spec`] (the key names are the
//! field names, the descriptions their `///` comments, the kinds their
//! types, with the defaults and rules of `#[setting(..)]`) and its
//! conversion from the resolved [`Config`]. Resolution, layering,
//! provenance and every message are those of the spec; the stack then
//! reads fields, so a misspelled key does not compile.
//!
//! ```
//! use tfsynth::config::{Settings, rules};
//!
//! #[derive(Settings)]
//! #[settings(check("min <= max", [min, max], in_order))]
//! struct Sizes {
//!     /// smallest group size
//!     #[setting(default = 1, rule("not negative", rules::not_negative))]
//!     min: i64,
//!     /// largest group size
//!     #[setting(default = 3)]
//!     max: i64,
//!     /// team that owns the stack
//!     owner: String,
//!     /// AMI id (default: the latest Amazon Linux 2)
//!     ami: Option<String>,
//! }
//!
//! fn in_order(s: &Sizes) -> Result<(), String> {
//!     if s.min <= s.max { Ok(()) } else { Err("min must not exceed max".into()) }
//! }
//!
//! let names: Vec<&str> = Sizes::spec().keys().iter().map(|k| k.name()).collect();
//! assert_eq!(names, ["min", "max", "owner", "ami"]);
//! ```

//!
//! A key without a `///` description, or a rule across keys that names a
//! field the struct does not have, does not compile:
//!
//! ```compile_fail
//! # use tfsynth::config::Settings;
//! #[derive(Settings)]
//! struct Undocumented {
//!     owner: String,
//! }
//! ```
//!
//! ```compile_fail
//! # use tfsynth::config::Settings;
//! #[derive(Settings)]
//! #[settings(check("min <= max", [min, mxa], |_: &Sizes| Ok(())))]
//! struct Sizes {
//!     /// smallest
//!     min: i64,
//!     /// largest
//!     max: i64,
//! }
//! ```

use super::{Config, ConfigValue, Kind, Spec};

/// A stack's configuration as a struct; derive it with `#[derive(Settings)]`.
pub trait Settings: Sized {
    /// The keys, their defaults and rules, and the rules across them.
    fn spec() -> Spec;

    /// The struct from a configuration resolved against [`Settings::spec`].
    fn from_config(config: &Config) -> Self;
}

/// A type a configuration key can have.
pub trait Setting: Sized {
    /// The key's kind.
    const KIND: Kind;
    /// Whether the key may stay unset (`Option<T>`).
    const OPTIONAL: bool = false;

    /// The value as configuration (for defaults).
    fn to_value(self) -> ConfigValue;

    /// The value of `key` in a resolved configuration.
    fn from_config(config: &Config, key: &str) -> Self;
}

impl Setting for String {
    const KIND: Kind = Kind::String;

    fn to_value(self) -> ConfigValue {
        ConfigValue::String(self)
    }

    fn from_config(config: &Config, key: &str) -> Self {
        config.string(key).to_owned()
    }
}

impl Setting for i64 {
    const KIND: Kind = Kind::Integer;

    fn to_value(self) -> ConfigValue {
        ConfigValue::Integer(self)
    }

    fn from_config(config: &Config, key: &str) -> Self {
        config.int(key)
    }
}

impl Setting for bool {
    const KIND: Kind = Kind::Bool;

    fn to_value(self) -> ConfigValue {
        ConfigValue::Bool(self)
    }

    fn from_config(config: &Config, key: &str) -> Self {
        config.bool(key)
    }
}

impl Setting for Vec<String> {
    const KIND: Kind = Kind::List;

    fn to_value(self) -> ConfigValue {
        ConfigValue::List(self)
    }

    fn from_config(config: &Config, key: &str) -> Self {
        config.list(key).to_vec()
    }
}

impl<T: Setting> Setting for Option<T> {
    const KIND: Kind = T::KIND;
    const OPTIONAL: bool = true;

    fn to_value(self) -> ConfigValue {
        match self {
            Some(v) => v.to_value(),
            None => unreachable!("an optional key has no default; the derive refuses one"),
        }
    }

    fn from_config(config: &Config, key: &str) -> Self {
        config.value(key).map(|_| T::from_config(config, key))
    }
}

/// A field's default `value` as configuration: what `#[setting(default =
/// value)]` expands to.
#[doc(hidden)]
pub fn default_value<T: Setting>(value: impl Into<T>) -> ConfigValue {
    value.into().to_value()
}

/// The default `value` of the field `field` picks out, as configuration:
/// what `#[settings(default(path = value))]` expands to, so that the field
/// (and with it the key) is checked by the compiler.
#[doc(hidden)]
pub fn default_of<S, T: Setting>(_field: fn(&S) -> &T, value: impl Into<T>) -> ConfigValue {
    value.into().to_value()
}
