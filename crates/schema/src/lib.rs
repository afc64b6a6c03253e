//! The model of `terraform providers schema -json` (format 1.0), shared by
//! tfsynth's binding generator and its offline validator.
//!
//! It reads the whole format: attributes with their type expressions (any
//! depth of list, set, map, object and tuple, plus `dynamic`), nested
//! attribute types, blocks in every nesting mode with their item limits,
//! the required / optional / computed / sensitive / deprecated / write-only
//! flags, ephemeral resources and provider-defined functions.
//!
//! [`jsonl`] is the committed form of one provider's schema: one line per
//! type, so that a provider update reads as a diff of the types it changed,
//! and a validator can parse just the types a configuration uses.

pub mod checks;
pub mod jsonl;
pub mod shapes;

use std::fmt;

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

/// The whole output of `terraform providers schema -json`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ProviderSchemas {
    /// The format version, `1.0`.
    pub format_version: String,
    /// Schemas by provider source address.
    pub provider_schemas: BTreeMap<String, ProviderSchema>,
}

/// Why a schema could not be read.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The text is not JSON of the expected shape.
    #[error("schema JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A format version this model does not know.
    #[error("schema format {0} is not supported (expected 1.x)")]
    Format(String),
    /// A line of a JSON Lines schema file that is not of the expected form.
    #[error("line {line}: {message}")]
    Line {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

impl ProviderSchemas {
    /// Parses the JSON text that `terraform providers schema -json` prints.
    pub fn from_json(text: &str) -> Result<Self, SchemaError> {
        let parsed: Self = serde_json::from_str(text)?;
        if !parsed.format_version.starts_with("1.") {
            return Err(SchemaError::Format(parsed.format_version));
        }
        Ok(parsed)
    }
}

/// One provider's schemas.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ProviderSchema {
    /// The provider configuration block.
    pub provider: Schema,
    /// Managed resource types.
    #[serde(default)]
    pub resource_schemas: BTreeMap<String, Schema>,
    /// Data source types.
    #[serde(default)]
    pub data_source_schemas: BTreeMap<String, Schema>,
    /// Ephemeral resource types (Terraform 1.10 and later).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ephemeral_resource_schemas: BTreeMap<String, Schema>,
    /// Provider-defined functions, called as `provider::<name>::<function>(...)`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Function>,
}

/// A provider-defined function's signature.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Function {
    /// Documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A one-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The type of the result.
    pub return_type: TypeExpr,
    /// The positional parameters.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    /// A last parameter that takes any number of arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variadic_parameter: Option<Parameter>,
    /// Set when the function is deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation_message: Option<String>,
}

impl Function {
    /// Whether `n` arguments fit the signature.
    pub fn accepts(&self, n: usize) -> bool {
        if self.variadic_parameter.is_some() {
            n >= self.parameters.len()
        } else {
            n == self.parameters.len()
        }
    }
}

/// One parameter of a provider-defined function.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Parameter {
    /// The parameter's name.
    pub name: String,
    /// Documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The parameter's type.
    #[serde(rename = "type")]
    pub ty: TypeExpr,
    /// Whether `null` is accepted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_nullable: bool,
}

/// The schema of one block type with its version.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Schema {
    /// The schema version (for state upgrades).
    #[serde(default)]
    pub version: u64,
    /// The top-level block (empty for a provider without configuration).
    #[serde(default)]
    pub block: Block,
}

/// A block: its attributes and nested block types.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Block {
    /// Attributes by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Attribute>,
    /// Nested block types by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub block_types: BTreeMap<String, NestedBlock>,
    /// Documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `plain` or `markdown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_kind: Option<String>,
    /// Whether the block type is deprecated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
}

/// One attribute.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Attribute {
    /// The value type; absent when `nested_type` describes it.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<TypeExpr>,
    /// A nested attribute type (protocol 6 providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nested_type: Option<NestedType>,
    /// Documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `plain` or `markdown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_kind: Option<String>,
    /// Must be set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// May be set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// Filled in by the provider.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub computed: bool,
    /// Redacted in plans and output.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// Deprecated: still accepted, to be removed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// Write-only (Terraform 1.11 and later): sent to the provider, never
    /// stored in plan or state, and the one place an ephemeral value may go.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub write_only: bool,
}

impl Attribute {
    /// Whether configuration may set it (it is not computed-only).
    pub fn settable(&self) -> bool {
        self.required || self.optional
    }

    /// Whether only the provider sets it.
    pub fn computed_only(&self) -> bool {
        self.computed && !self.settable()
    }

    /// The value type, building it from `nested_type` when that describes it.
    pub fn value_type(&self) -> TypeExpr {
        if let Some(ty) = &self.ty {
            return ty.clone();
        }
        match &self.nested_type {
            Some(nested) => {
                let object = TypeExpr::Object(
                    nested
                        .attributes
                        .iter()
                        .map(|(k, a)| (k.clone(), a.value_type()))
                        .collect(),
                );
                match nested.nesting_mode {
                    NestingMode::Single | NestingMode::Group => object,
                    NestingMode::List => TypeExpr::List(Box::new(object)),
                    NestingMode::Set => TypeExpr::Set(Box::new(object)),
                    NestingMode::Map => TypeExpr::Map(Box::new(object)),
                }
            }
            None => TypeExpr::Dynamic,
        }
    }
}

/// A nested attribute type: attributes grouped under one attribute.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct NestedType {
    /// The nested attributes.
    pub attributes: BTreeMap<String, Attribute>,
    /// How the nested objects are grouped.
    pub nesting_mode: NestingMode,
    /// Minimum number of items (list and set modes).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_items: u64,
    /// Maximum number of items (list and set modes); 0 means no limit.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_items: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A nested block type.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct NestedBlock {
    /// How instances of the block are grouped.
    pub nesting_mode: NestingMode,
    /// The block's own schema.
    pub block: Block,
    /// Minimum number of blocks.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_items: u64,
    /// Maximum number of blocks; 0 means no limit.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_items: u64,
}

impl NestedBlock {
    /// Whether at most one block of this type can appear.
    pub fn is_single(&self) -> bool {
        matches!(self.nesting_mode, NestingMode::Single | NestingMode::Group) || self.max_items == 1
    }

    /// Whether the block must appear at least once.
    pub fn is_required(&self) -> bool {
        self.min_items > 0
    }
}

/// How nested blocks or nested attributes are grouped.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum NestingMode {
    /// At most one block, as an object.
    Single,
    /// Exactly one block, always present (attributes default when omitted).
    Group,
    /// An ordered list of blocks.
    List,
    /// An unordered set of blocks.
    Set,
    /// Blocks keyed by a label.
    Map,
}

/// A cty type expression: `"string"`, `["list", "string"]`, `["object", {...}]`, ...
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeExpr {
    /// `"string"`
    String,
    /// `"number"`
    Number,
    /// `"bool"`
    Bool,
    /// `"dynamic"`: any type.
    Dynamic,
    /// `["list", T]`
    List(Box<TypeExpr>),
    /// `["set", T]`
    Set(Box<TypeExpr>),
    /// `["map", T]`
    Map(Box<TypeExpr>),
    /// `["object", {name: T}]`; one with optional attributes (a third
    /// element) is read as [`TypeExpr::Dynamic`]
    Object(BTreeMap<String, TypeExpr>),
    /// `["tuple", [T...]]`
    Tuple(Vec<TypeExpr>),
}

impl TypeExpr {
    /// `list(inner)`
    pub fn list(inner: TypeExpr) -> TypeExpr {
        TypeExpr::List(Box::new(inner))
    }

    /// `set(inner)`
    pub fn set(inner: TypeExpr) -> TypeExpr {
        TypeExpr::Set(Box::new(inner))
    }

    /// `map(inner)`
    pub fn map(inner: TypeExpr) -> TypeExpr {
        TypeExpr::Map(Box::new(inner))
    }

    fn from_json(value: &serde_json::Value) -> Result<TypeExpr, String> {
        use serde_json::Value as J;
        match value {
            J::String(s) => match s.as_str() {
                "string" => Ok(TypeExpr::String),
                "number" => Ok(TypeExpr::Number),
                "bool" => Ok(TypeExpr::Bool),
                "dynamic" => Ok(TypeExpr::Dynamic),
                other => Err(format!("unknown primitive type {other:?}")),
            },
            J::Array(items) => {
                let kind = items
                    .first()
                    .and_then(J::as_str)
                    .ok_or("a type array starts with its kind")?;
                let arg = items
                    .get(1)
                    .ok_or_else(|| format!("type {kind:?} needs an argument"))?;
                match kind {
                    "list" => Ok(TypeExpr::List(Box::new(Self::from_json(arg)?))),
                    "set" => Ok(TypeExpr::Set(Box::new(Self::from_json(arg)?))),
                    "map" => Ok(TypeExpr::Map(Box::new(Self::from_json(arg)?))),
                    "object" => {
                        let attrs = arg
                            .as_object()
                            .ok_or("an object type takes a map of attributes")?;
                        // Optional attributes (a third element) are not
                        // modelled: such an object is taken as any value,
                        // so that leaving one out is never called an error.
                        if items
                            .get(2)
                            .and_then(J::as_array)
                            .is_some_and(|o| !o.is_empty())
                        {
                            return Ok(TypeExpr::Dynamic);
                        }
                        attrs
                            .iter()
                            .map(|(k, v)| Ok((k.clone(), Self::from_json(v)?)))
                            .collect::<Result<_, String>>()
                            .map(TypeExpr::Object)
                    }
                    "tuple" => {
                        let elems = arg
                            .as_array()
                            .ok_or("a tuple type takes a list of element types")?;
                        elems
                            .iter()
                            .map(Self::from_json)
                            .collect::<Result<_, _>>()
                            .map(TypeExpr::Tuple)
                    }
                    other => Err(format!("unknown collection type {other:?}")),
                }
            }
            other => Err(format!("a type is a string or an array, not {other}")),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        use serde_json::{Value as J, json};
        match self {
            TypeExpr::String => json!("string"),
            TypeExpr::Number => json!("number"),
            TypeExpr::Bool => json!("bool"),
            TypeExpr::Dynamic => json!("dynamic"),
            TypeExpr::List(t) => json!(["list", t.to_json()]),
            TypeExpr::Set(t) => json!(["set", t.to_json()]),
            TypeExpr::Map(t) => json!(["map", t.to_json()]),
            TypeExpr::Object(attrs) => {
                json!([
                    "object",
                    J::Object(
                        attrs
                            .iter()
                            .map(|(k, v)| (k.clone(), v.to_json()))
                            .collect()
                    )
                ])
            }
            TypeExpr::Tuple(items) => {
                json!(["tuple", items.iter().map(Self::to_json).collect::<Vec<_>>()])
            }
        }
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::String => f.write_str("string"),
            TypeExpr::Number => f.write_str("number"),
            TypeExpr::Bool => f.write_str("bool"),
            TypeExpr::Dynamic => f.write_str("any"),
            TypeExpr::List(t) => write!(f, "list({t})"),
            TypeExpr::Set(t) => write!(f, "set({t})"),
            TypeExpr::Map(t) => write!(f, "map({t})"),
            TypeExpr::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (k, v)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("})")
            }
            TypeExpr::Tuple(items) => {
                f.write_str("tuple([")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
        }
    }
}

impl<'de> Deserialize<'de> for TypeExpr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        TypeExpr::from_json(&value).map_err(de::Error::custom)
    }
}

impl Serialize for TypeExpr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ty(v: serde_json::Value) -> Result<TypeExpr, String> {
        TypeExpr::from_json(&v)
    }

    #[test]
    fn type_expressions() {
        let check = |v: serde_json::Value, expect: &str| {
            let t = ty(v.clone()).unwrap();
            assert_eq!(t.to_string(), expect);
            assert_eq!(t.to_json(), v, "round trip");
        };
        check(json!("string"), "string");
        check(json!("dynamic"), "any");
        check(json!(["list", "string"]), "list(string)");
        check(json!(["set", ["map", "number"]]), "set(map(number))");
        check(
            json!(["object", {"a": "bool", "b": ["list", "string"]}]),
            "object({a = bool, b = list(string)})",
        );
        check(
            json!(["tuple", ["string", "number"]]),
            "tuple([string, number])",
        );
        check(
            json!(["list", ["object", {"x": ["set", ["tuple", [["map", "dynamic"]]]]}]]),
            "list(object({x = set(tuple([map(any)]))}))",
        );
    }

    #[test]
    fn bad_type_expressions() {
        let check = |v: serde_json::Value, expect: &str| assert_eq!(ty(v).unwrap_err(), expect);
        check(json!("str"), "unknown primitive type \"str\"");
        check(json!(["list"]), "type \"list\" needs an argument");
        check(
            json!(["queue", "string"]),
            "unknown collection type \"queue\"",
        );
        check(json!(3), "a type is a string or an array, not 3");
        check(
            json!(["object", "string"]),
            "an object type takes a map of attributes",
        );
    }

    #[test]
    fn nested_attribute_types_and_modes() {
        let attr: Attribute = serde_json::from_value(json!({
            "nested_type": {
                "nesting_mode": "map",
                "attributes": {"port": {"type": "number", "required": true}}
            },
            "optional": true
        }))
        .unwrap();
        assert_eq!(
            attr.value_type().to_string(),
            "map(object({port = number}))"
        );
        for mode in ["single", "group", "list", "set", "map"] {
            let b: NestedBlock =
                serde_json::from_value(json!({"nesting_mode": mode, "block": {}, "max_items": 1}))
                    .unwrap();
            assert!(b.is_single());
        }
        let computed: Attribute =
            serde_json::from_value(json!({"type": "string", "computed": true})).unwrap();
        assert!(computed.computed_only() && !computed.settable());
    }

    #[test]
    fn format_version_is_checked() {
        let err =
            ProviderSchemas::from_json(r#"{"format_version": "2.0", "provider_schemas": {}}"#)
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "schema format 2.0 is not supported (expected 1.x)"
        );
    }

    #[test]
    fn functions_ephemerals_and_write_only() {
        let text = r#"{"format_version": "1.0", "provider_schemas": {"p": {
            "provider": {"version": 0, "block": {}},
            "ephemeral_resource_schemas": {"p_secret": {"version": 0, "block": {
                "attributes": {"value": {"type": "string", "computed": true, "sensitive": true}}}}},
            "resource_schemas": {"p_db": {"version": 0, "block": {
                "attributes": {"password_wo": {"type": "string", "optional": true, "write_only": true}}}}},
            "functions": {"join_all": {"return_type": "string",
                "parameters": [{"name": "sep", "type": "string"}],
                "variadic_parameter": {"name": "parts", "type": "string", "is_nullable": true}},
                "arn_parse": {"return_type": ["object", {"region": "string"}],
                "parameters": [{"name": "arn", "type": "string"}]}}
        }}}"#;
        let p = &ProviderSchemas::from_json(text).unwrap().provider_schemas["p"];
        assert!(p.ephemeral_resource_schemas.contains_key("p_secret"));
        assert!(p.resource_schemas["p_db"].block.attributes["password_wo"].write_only);
        let join = &p.functions["join_all"];
        assert!(join.accepts(1) && join.accepts(3) && !join.accepts(0));
        let parse = &p.functions["arn_parse"];
        assert!(parse.accepts(1) && !parse.accepts(2));
        assert_eq!(parse.return_type.to_string(), "object({region = string})");
    }
}
