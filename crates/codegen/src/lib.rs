//! Generates tfsynth's typed provider bindings from the committed schema.
//!
//! Two steps, as in terraform-cdk: `scripts/update-schema.sh` needs terraform
//! to pull the provider schema and extract the allow-listed subset into
//! `schema/aws.json`; this generator reads only that file and runs offline.
//! It builds a binding model from the schema, renders it with the handlebars
//! templates in `templates/`, formats the result with rustfmt and returns the
//! files of `src/aws/`, which the `tfsynth-codegen` binary writes (after
//! wiping the folder) and the staleness test compares.
//!
//! Generated code is plain data and builders: every setter is one `insert`
//! into the block body, every getter one reference expression. Behaviour
//! (meta-arguments, escaping, checks) lives in tfsynth's non-generic core.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use handlebars::Handlebars;
use serde::Serialize;
use tfsynth_schema::{
    Attribute, Block, NestedBlock, NestingMode, ProviderSchemas, Schema, TypeExpr,
};

/// The command that regenerates the bindings, named in every file header.
pub const COMMAND: &str = "cargo run -p tfsynth-codegen";

/// The provider whose schema is generated.
pub const PROVIDER: &str = "registry.terraform.io/hashicorp/aws";

const TYPE_TEMPLATE: &str = include_str!("../templates/type.rs.hbs");
const MOD_TEMPLATE: &str = include_str!("../templates/mod.rs.hbs");
const MEMBERS_PARTIAL: &str = include_str!("../templates/members.hbs");

/// Rust keywords that can be raw identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Names that cannot be raw identifiers, or that the builder and handle
/// traits already use; a suffix keeps them apart.
const RESERVED: &[&str] = &[
    "self",
    "Self",
    "crate",
    "super",
    "new",
    "raw",
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "waive",
    "set",
    "set_path",
    "expr",
    "attr",
];

/// One argument: a constructor parameter or a setter.
#[derive(Serialize)]
struct Arg {
    name: String,
    ident: String,
    rust_type: String,
    doc: Vec<String>,
    deprecated: Option<String>,
}

/// One nested-block argument.
#[derive(Serialize)]
struct BlockArg {
    name: String,
    ident: String,
    struct_name: String,
    mode: &'static str,
    doc: Vec<String>,
    deprecated: Option<String>,
}

/// One getter on a handle.
#[derive(Serialize)]
struct Getter {
    name: String,
    ident: String,
    rust_type: String,
    expr: bool,
    doc: Vec<String>,
}

/// A nested block's builder struct.
#[derive(Serialize)]
struct NestedModel {
    struct_name: String,
    tf_path: String,
    doc: Vec<String>,
    required: Vec<Arg>,
    required_blocks: Vec<BlockArg>,
    setters: Vec<Arg>,
    block_setters: Vec<BlockArg>,
}

/// Everything one file needs.
#[derive(Serialize)]
struct TypeModel {
    command: &'static str,
    tf_type: String,
    kind_words: &'static str,
    struct_name: String,
    handle_name: String,
    raw_builder: &'static str,
    raw_handle: &'static str,
    block_trait: &'static str,
    doc: Vec<String>,
    required: Vec<Arg>,
    required_blocks: Vec<BlockArg>,
    setters: Vec<Arg>,
    block_setters: Vec<BlockArg>,
    getters: Vec<Getter>,
    nested: Vec<NestedModel>,
}

#[derive(Serialize)]
struct ModModel {
    command: &'static str,
    doc: &'static str,
    modules: Vec<ModEntry>,
    submodules: Vec<&'static str>,
}

#[derive(Serialize)]
struct ModEntry {
    module: String,
    struct_name: String,
    handle_name: String,
}

/// `aws_vpc_endpoint` → `AwsVpcEndpoint`.
pub fn camel(snake: &str) -> String {
    snake
        .split(['_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A Rust identifier for a Terraform name.
pub fn ident(name: &str) -> String {
    let base = name.replace('-', "_");
    if RESERVED.contains(&base.as_str()) {
        format!("{base}_")
    } else if KEYWORDS.contains(&base.as_str()) {
        format!("r#{base}")
    } else {
        base
    }
}

/// The `Value<T>` marker for a type: what setters accept and getters return.
pub fn marker(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::String => "String".into(),
        TypeExpr::Number => "Number".into(),
        TypeExpr::Bool => "bool".into(),
        TypeExpr::List(t) | TypeExpr::Set(t) => format!("Vec<{}>", marker(t)),
        TypeExpr::Map(t) => format!("IndexMap<String, {}>", marker(t)),
        TypeExpr::Object(_) | TypeExpr::Tuple(_) | TypeExpr::Dynamic => "Node".into(),
    }
}

/// Makes a description safe as rustdoc: fenced code is marked as text so
/// rustdoc never compiles it, and nothing is left that looks like HTML.
fn doc_lines(description: Option<&str>, summary: String) -> Vec<String> {
    let mut lines = vec![summary];
    if let Some(text) = description.map(str::trim).filter(|t| !t.is_empty()) {
        lines.push(String::new());
        let mut in_fence = false;
        for line in text.lines().map(str::trim_end) {
            if line.trim_start().starts_with("```") {
                lines.push(if in_fence { "```" } else { "```text" }.to_owned());
                in_fence = !in_fence;
            } else {
                lines.push(line.replace('<', "&lt;"));
            }
        }
        if in_fence {
            lines.push("```".to_owned());
        }
    }
    lines
}

fn flags(attr: &Attribute) -> String {
    let mut parts = vec![attr.value_type().to_string()];
    if attr.required {
        parts.push("required".into());
    } else if attr.optional {
        parts.push("optional".into());
    }
    if attr.computed {
        parts.push("computed".into());
    }
    if attr.sensitive {
        parts.push("sensitive".into());
    }
    if attr.deprecated {
        parts.push("deprecated".into());
    }
    parts.join(", ")
}

fn deprecation(deprecated: bool, name: &str) -> Option<String> {
    deprecated.then(|| format!("`{name}` is deprecated by the provider"))
}

fn arg(name: &str, attr: &Attribute) -> Arg {
    Arg {
        name: name.to_owned(),
        ident: ident(name),
        rust_type: format!("Value<{}>", marker(&attr.value_type())),
        doc: doc_lines(
            attr.description.as_deref(),
            format!("`{name}` ({}).", flags(attr)),
        ),
        deprecated: deprecation(attr.deprecated, name),
    }
}

/// Whether configuration can set anything in a block.
/// Whether a configuration can set anything in the block: blocks of only
/// computed attributes are read-only, but an empty block is a marker whose
/// presence is the setting (WAF's `none {}`, `count {}`, `allow {}`).
fn block_settable(block: &Block) -> bool {
    (block.attributes.is_empty() && block.block_types.is_empty())
        || block.attributes.values().any(Attribute::settable)
        || block.block_types.values().any(|b| block_settable(&b.block))
}

fn block_mode(nested: &NestedBlock) -> &'static str {
    match nested.nesting_mode {
        NestingMode::Map => "map",
        _ if nested.is_single() => "single",
        _ => "repeated",
    }
}

fn block_arg(name: &str, nested: &NestedBlock, struct_name: String) -> BlockArg {
    let limits = match (nested.min_items, nested.max_items) {
        (0, 0) => String::new(),
        (min, 0) => format!(", at least {min}"),
        (min, max) => format!(", {min} to {max}"),
    };
    let mode = format!("{:?}", nested.nesting_mode).to_lowercase();
    BlockArg {
        name: name.to_owned(),
        ident: ident(name),
        struct_name,
        mode: block_mode(nested),
        doc: doc_lines(
            nested.block.description.as_deref(),
            format!("`{name}` block ({mode}{limits})."),
        ),
        deprecated: deprecation(nested.block.deprecated, name),
    }
}

/// Splits a block's contents into constructor arguments, setters and nested
/// structs, recursing into nested blocks. `prefix` names nested structs.
#[allow(clippy::type_complexity)]
fn members(
    block: &Block,
    prefix: &str,
    tf_path: &str,
    nested_out: &mut Vec<NestedModel>,
) -> (Vec<Arg>, Vec<BlockArg>, Vec<Arg>, Vec<BlockArg>) {
    let top_level = !tf_path.contains('.');
    let (mut required, mut required_blocks, mut setters, mut block_setters) =
        (vec![], vec![], vec![], vec![]);
    for (name, attr) in &block.attributes {
        // The SDK marks every resource's own `id` optional and computed; it is
        // the provider's to set. Inside nested blocks `id` is a real argument.
        if top_level && name == "id" && attr.computed {
            continue;
        }
        if attr.required {
            required.push(arg(name, attr));
        } else if attr.optional {
            setters.push(arg(name, attr));
        }
    }
    for (name, nested) in &block.block_types {
        if !block_settable(&nested.block) {
            continue;
        }
        let struct_name = format!("{prefix}{}", camel(name));
        let path = format!("{tf_path}.{name}");
        let (r, rb, s, bs) = members(&nested.block, &struct_name, &path, nested_out);
        nested_out.push(NestedModel {
            struct_name: struct_name.clone(),
            tf_path: path,
            doc: doc_lines(
                nested.block.description.as_deref(),
                format!("The `{name}` block of `{tf_path}`."),
            ),
            required: r,
            required_blocks: rb,
            setters: s,
            block_setters: bs,
        });
        let a = block_arg(name, nested, struct_name);
        if nested.is_required() && a.mode != "map" {
            required_blocks.push(a);
        } else {
            block_setters.push(a);
        }
    }
    (required, required_blocks, setters, block_setters)
}

fn type_model(tf_type: &str, schema: &Schema, data: bool) -> TypeModel {
    let mut nested = Vec::new();
    let struct_name = if data {
        format!("Data{}", camel(tf_type))
    } else {
        camel(tf_type)
    };
    let (required, required_blocks, setters, block_setters) =
        members(&schema.block, "", tf_type, &mut nested);
    let mut getters: Vec<Getter> = schema
        .block
        .attributes
        .iter()
        .map(|(name, attr)| {
            let ty = attr.value_type();
            let m = marker(&ty);
            Getter {
                name: name.clone(),
                ident: ident(name),
                expr: m == "Node",
                rust_type: if m == "Node" {
                    "Expr".into()
                } else {
                    format!("Value<{m}>")
                },
                doc: vec![format!("Reference to `{name}` ({}).", flags(attr))],
            }
        })
        .collect();
    getters.extend(schema.block.block_types.iter().map(|(name, b)| Getter {
        name: name.clone(),
        ident: ident(name),
        rust_type: "Expr".into(),
        expr: true,
        doc: vec![
            format!("Reference to the `{name}` block ({:?}).", b.nesting_mode).to_lowercase(),
        ],
    }));
    getters.sort_by(|a, b| a.name.cmp(&b.name));
    let kind_words = if data { "data source" } else { "resource" };
    TypeModel {
        command: COMMAND,
        tf_type: tf_type.to_owned(),
        kind_words,
        handle_name: format!("{struct_name}Ref"),
        struct_name,
        raw_builder: if data { "DataSource" } else { "Resource" },
        raw_handle: if data { "DataRef" } else { "ResourceRef" },
        block_trait: if data { "DataBlock" } else { "ResourceBlock" },
        doc: doc_lines(
            schema.block.description.as_deref(),
            format!("The `{tf_type}` {kind_words}."),
        ),
        required,
        required_blocks,
        setters,
        block_setters,
        getters,
        nested,
    }
}

fn registry() -> Result<Handlebars<'static>, String> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_template_string("type", TYPE_TEMPLATE)
        .map_err(|e| format!("templates/type.rs.hbs: {e}"))?;
    hb.register_template_string("mod", MOD_TEMPLATE)
        .map_err(|e| format!("templates/mod.rs.hbs: {e}"))?;
    hb.register_partial("members", MEMBERS_PARTIAL)
        .map_err(|e| format!("templates/members.hbs: {e}"))?;
    Ok(hb)
}

/// Formats Rust source with rustfmt (the toolchain's), as `cargo fmt` would.
pub fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("cannot run rustfmt ({e}); install it with `rustup component add rustfmt`")
        })?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(source.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt rejected generated code: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// Generates every file of `src/aws/` from the schema JSON text: paths
/// relative to `src/aws/`, contents formatted.
pub fn generate(schema_json: &str) -> Result<BTreeMap<String, String>, String> {
    let schemas = ProviderSchemas::from_json(schema_json)?;
    let provider = schemas
        .provider_schemas
        .get(PROVIDER)
        .ok_or_else(|| format!("the schema has no provider {PROVIDER}"))?;
    let hb = registry()?;
    let mut files = BTreeMap::new();
    let mut render =
        |path: String, template: &str, data: &dyn erased::Data| -> Result<(), String> {
            let text = hb
                .render(template, &data.json())
                .map_err(|e| format!("{path}: {e}"))?;
            files.insert(path, rustfmt(&text)?);
            Ok(())
        };
    for (dir, data, types) in [
        ("resource", false, &provider.resource_schemas),
        ("data", true, &provider.data_source_schemas),
    ] {
        let mut modules = Vec::new();
        for (tf_type, schema) in types {
            let model = type_model(tf_type, schema, data);
            modules.push(ModEntry {
                module: tf_type.clone(),
                struct_name: model.struct_name.clone(),
                handle_name: model.handle_name.clone(),
            });
            render(format!("{dir}/{tf_type}.rs"), "type", &model)?;
        }
        let doc = if data {
            "Typed data sources."
        } else {
            "Typed resources."
        };
        render(
            format!("{dir}/mod.rs"),
            "mod",
            &ModModel {
                command: COMMAND,
                doc,
                modules,
                submodules: vec![],
            },
        )?;
    }
    render(
        "lib.rs".into(),
        "mod",
        &ModModel {
            command: COMMAND,
            doc: "Typed bindings for the AWS provider, generated from its schema.",
            modules: vec![],
            submodules: vec!["data", "resource"],
        },
    )?;
    Ok(files)
}

/// Lets `generate` render different models through one closure.
mod erased {
    pub trait Data {
        fn json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Data for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("models serialize")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(camel("aws_vpc_endpoint"), "AwsVpcEndpoint");
        assert_eq!(camel("ebs"), "Ebs");
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("self"), "self_");
        assert_eq!(ident("count"), "count_");
        assert_eq!(ident("cidr_block"), "cidr_block");
    }

    #[test]
    fn markers() {
        let check = |t: TypeExpr, expect: &str| assert_eq!(marker(&t), expect);
        check(TypeExpr::String, "String");
        check(TypeExpr::Set(Box::new(TypeExpr::String)), "Vec<String>");
        check(
            TypeExpr::Map(Box::new(TypeExpr::List(Box::new(TypeExpr::Number)))),
            "IndexMap<String, Vec<Number>>",
        );
        check(TypeExpr::Dynamic, "Node");
        check(TypeExpr::Object(Default::default()), "Node");
    }

    #[test]
    fn docs_are_safe() {
        let lines = doc_lines(
            Some("Use it:\n```hcl\nx = 1\n```\n<b>bold</b>"),
            "`x` (string).".into(),
        );
        assert_eq!(
            lines,
            [
                "`x` (string).",
                "",
                "Use it:",
                "```text",
                "x = 1",
                "```",
                "&lt;b>bold&lt;/b>"
            ]
        );
    }
}
