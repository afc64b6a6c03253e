//! The committed form of one provider's schema: JSON Lines, one entry per
//! line, each line a JSON array `[kind, name, schema]`.
//!
//! ```text
//! ["tfsynth-schema",1,{"source":"registry.terraform.io/hashicorp/aws","version":"5.100.0"}]
//! ["provider","",{...the provider configuration block...}]
//! ["resource","aws_vpc",{...}]
//! ["data","aws_ami",{...}]
//! ["ephemeral","aws_ssm_parameter",{...}]
//! ["function","arn_parse",{...}]
//! ```
//!
//! Entries are sorted by kind (in the order above) and name, so the file is
//! deterministic and a provider update diffs type by type. The schema of an
//! entry is a byte range of the text ([`Entry::range`]), which a validator
//! can parse on its own without reading the rest.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{ProviderSchema, SchemaError};

/// What a line describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The provider configuration block.
    Provider,
    /// A managed resource type.
    Resource,
    /// A data source type.
    Data,
    /// An ephemeral resource type.
    Ephemeral,
    /// A provider-defined function.
    Function,
}

impl Kind {
    /// The word written in the file.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Provider => "provider",
            Kind::Resource => "resource",
            Kind::Data => "data",
            Kind::Ephemeral => "ephemeral",
            Kind::Function => "function",
        }
    }

    fn parse(word: &str) -> Option<Kind> {
        Some(match word {
            "provider" => Kind::Provider,
            "resource" => Kind::Resource,
            "data" => Kind::Data,
            "ephemeral" => Kind::Ephemeral,
            "function" => Kind::Function,
            _ => return None,
        })
    }
}

/// The first line: which provider and version the schema is of.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Header {
    /// The provider's source address, `registry.terraform.io/hashicorp/aws`.
    pub source: String,
    /// The provider version the schema was taken from.
    pub version: String,
}

/// One line after the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What the line describes.
    pub kind: Kind,
    /// The type or function name (empty for the provider block).
    pub name: String,
    /// The byte range of the schema object within the whole text.
    pub range: Range<usize>,
}

const MAGIC: &str = "tfsynth-schema";
const VERSION: u32 = 1;

/// Writes a provider's schema in this format.
pub fn write(header: &Header, schema: &ProviderSchema) -> String {
    write_as(header, schema, false)
}

/// Writes the form the validator reads: each block schema as its distinct
/// shapes ([`crate::shapes`]), without descriptions.
pub fn write_shapes(header: &Header, schema: &ProviderSchema) -> String {
    write_as(header, schema, true)
}

fn write_as(header: &Header, schema: &ProviderSchema, shapes: bool) -> String {
    fn line<T: Serialize>(out: &mut String, kind: &str, name: &str, value: &T) {
        out.push_str("[\"");
        out.push_str(kind);
        out.push_str("\",\"");
        out.push_str(name);
        out.push_str("\",");
        out.push_str(&serde_json::to_string(value).expect("schemas serialize"));
        out.push_str("]\n");
    }
    let mut out = String::new();
    out.push_str(&format!("[\"{MAGIC}\",{VERSION},"));
    out.push_str(&serde_json::to_string(header).expect("headers serialize"));
    out.push_str("]\n");
    let block = |out: &mut String, kind: &str, name: &str, s: &super::Schema| {
        if shapes {
            line(out, kind, name, &crate::shapes::Shapes::of(&s.block));
        } else {
            line(out, kind, name, s);
        }
    };
    block(&mut out, "provider", "", &schema.provider);
    for (name, s) in &schema.resource_schemas {
        block(&mut out, "resource", name, s);
    }
    for (name, s) in &schema.data_source_schemas {
        block(&mut out, "data", name, s);
    }
    for (name, s) in &schema.ephemeral_resource_schemas {
        block(&mut out, "ephemeral", name, s);
    }
    for (name, f) in &schema.functions {
        line(&mut out, "function", name, f);
    }
    out
}

/// Reads the header and locates every entry, without parsing the schemas.
pub fn index(text: &str) -> Result<(Header, Vec<Entry>), SchemaError> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(SchemaError::Line {
        line: 1,
        message: "the file is empty".into(),
    })?;
    let header: (String, u32, Header) =
        serde_json::from_str(first.trim_end()).map_err(|e| SchemaError::Line {
            line: 1,
            message: format!("not a tfsynth schema header: {e}"),
        })?;
    if header.0 != MAGIC || header.1 != VERSION {
        return Err(SchemaError::Line {
            line: 1,
            message: format!("expected [\"{MAGIC}\",{VERSION},...], found {:?}", header.0),
        });
    }
    let mut entries = Vec::new();
    let mut offset = first.len();
    for (i, raw) in lines.enumerate() {
        let line_no = i + 2;
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            continue;
        }
        let bad = |message: &str| SchemaError::Line {
            line: line_no,
            message: message.to_owned(),
        };
        let rest = line
            .strip_prefix("[\"")
            .ok_or_else(|| bad("expected a line [\"kind\",\"name\",{...}]"))?;
        let (word, rest) = rest
            .split_once("\",\"")
            .ok_or_else(|| bad("expected a kind and a name"))?;
        let kind = Kind::parse(word).ok_or_else(|| bad(&format!("unknown kind {word:?}")))?;
        let (name, rest) = rest
            .split_once("\",")
            .ok_or_else(|| bad("expected a name"))?;
        if !rest.ends_with(']') || !rest.starts_with('{') {
            return Err(bad("expected a schema object and a closing ]"));
        }
        let object_start = start + (line.len() - rest.len());
        entries.push(Entry {
            kind,
            name: name.to_owned(),
            range: object_start..object_start + rest.len() - 1,
        });
    }
    Ok((header.2, entries))
}

/// Parses the whole file back into a provider schema.
pub fn read(text: &str) -> Result<(Header, ProviderSchema), SchemaError> {
    let (header, entries) = index(text)?;
    let mut schema = ProviderSchema {
        provider: super::Schema {
            version: 0,
            block: Default::default(),
        },
        resource_schemas: Default::default(),
        data_source_schemas: Default::default(),
        ephemeral_resource_schemas: Default::default(),
        functions: Default::default(),
    };
    for (i, entry) in entries.iter().enumerate() {
        let body = &text[entry.range.clone()];
        let fail = |e: serde_json::Error| SchemaError::Line {
            line: i + 2,
            message: format!("{} {}: {e}", entry.kind.word(), entry.name),
        };
        match entry.kind {
            Kind::Provider => schema.provider = serde_json::from_str(body).map_err(fail)?,
            Kind::Resource => {
                schema.resource_schemas.insert(
                    entry.name.clone(),
                    serde_json::from_str(body).map_err(fail)?,
                );
            }
            Kind::Data => {
                schema.data_source_schemas.insert(
                    entry.name.clone(),
                    serde_json::from_str(body).map_err(fail)?,
                );
            }
            Kind::Ephemeral => {
                schema.ephemeral_resource_schemas.insert(
                    entry.name.clone(),
                    serde_json::from_str(body).map_err(fail)?,
                );
            }
            Kind::Function => {
                schema.functions.insert(
                    entry.name.clone(),
                    serde_json::from_str(body).map_err(fail)?,
                );
            }
        }
    }
    Ok((header, schema))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProviderSchemas;

    const FULL: &str = r#"{"format_version": "1.0", "provider_schemas": {"registry.terraform.io/x/p": {
        "provider": {"version": 0, "block": {"attributes": {"region": {"type": "string", "optional": true}}}},
        "resource_schemas": {"p_b": {"version": 1, "block": {"attributes": {"id": {"type": "string", "computed": true}}}},
                             "p_a": {"version": 0, "block": {"block_types": {"rule": {"nesting_mode": "list", "block": {}, "min_items": 1}}}}},
        "data_source_schemas": {"p_a": {"version": 0, "block": {}}},
        "ephemeral_resource_schemas": {"p_e": {"version": 0, "block": {}}},
        "functions": {"f": {"return_type": "string", "parameters": []}}
    }}}"#;

    fn header() -> Header {
        Header {
            source: "registry.terraform.io/x/p".into(),
            version: "1.2.3".into(),
        }
    }

    #[test]
    fn round_trip_and_order() {
        let schema = ProviderSchemas::from_json(FULL)
            .unwrap()
            .provider_schemas
            .remove("registry.terraform.io/x/p")
            .unwrap();
        let text = write(&header(), &schema);
        let kinds: Vec<&str> = text
            .lines()
            .map(|l| l.split('"').nth(1).unwrap_or(""))
            .collect();
        assert_eq!(
            kinds,
            [
                MAGIC,
                "provider",
                "resource",
                "resource",
                "data",
                "ephemeral",
                "function"
            ]
        );
        assert!(
            text.lines()
                .nth(2)
                .unwrap()
                .starts_with("[\"resource\",\"p_a\",")
        );
        let (h, back) = read(&text).unwrap();
        assert_eq!(h, header());
        assert_eq!(back, schema);
        let (_, entries) = index(&text).unwrap();
        let b = entries.iter().find(|e| e.name == "p_b").unwrap();
        let parsed: crate::Schema = serde_json::from_str(&text[b.range.clone()]).unwrap();
        assert_eq!(parsed.version, 1);
        assert_eq!(write(&h, &back), text, "deterministic");
    }

    #[test]
    fn bad_lines_name_the_line() {
        let check = |text: &str, expect: &str| {
            assert_eq!(index(text).unwrap_err().to_string(), expect, "{text}")
        };
        check("", "line 1: the file is empty");
        check(
            "{}\n",
            "line 1: not a tfsynth schema header: invalid type: map, expected a tuple of size 3 at line 1 column 0",
        );
        let head = "[\"tfsynth-schema\",1,{\"source\":\"s\",\"version\":\"1\"}]\n";
        check(
            &format!("{head}[\"thing\",\"x\",{{}}]\n"),
            "line 2: unknown kind \"thing\"",
        );
        check(
            &format!("{head}[\"resource\",\"x\",{{}}\n"),
            "line 2: expected a schema object and a closing ]",
        );
        check(
            &format!("{head}nonsense\n"),
            "line 2: expected a line [\"kind\",\"name\",{...}]",
        );
        let err = read(&format!("{head}[\"resource\",\"x\",{{\"block\":3}}]\n")).unwrap_err();
        assert!(err.to_string().starts_with("line 2: resource x: "), "{err}");
    }
}
