//! What a stack accepts: its keys, their types, defaults and rules, and
//! the checks across keys.

use super::{Config, ConfigValue, Kind};

/// A per-key rule: the value is fine, or the reason it is not.
pub type Rule = fn(&ConfigValue) -> Result<(), String>;

/// A rule over several keys of a resolved configuration.
pub type Check = fn(&Config) -> Result<(), String>;

#[derive(Clone, Debug)]
pub(super) enum Default {
    Required,
    Optional,
    Value(ConfigValue),
}

/// One configuration key a stack accepts.
#[derive(Clone, Debug)]
pub struct Key {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    pub(super) default: Default,
    pub(super) description: &'static str,
    pub(super) rules: Vec<(&'static str, Rule)>,
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
    pub(super) keys: Vec<Key>,
    pub(super) checks: Vec<(&'static str, &'static [&'static str], Check)>,
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

    pub(super) fn get(&self, name: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.name == name)
    }
}
