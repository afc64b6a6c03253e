//! Generates tfsynth's typed provider bindings: a whole crate per provider.
//!
//! A provider crate's folder holds its inputs and everything generated
//! from them:
//!
//! - `provider.toml`: the crate's name, version, description, the provider's
//!   local name, how to depend on `tfsynth`, and the default features;
//! - `schema.jsonl`: the provider's schema ([`tfsynth_schema::jsonl`]),
//!   written once by [`import`] from `terraform providers schema -json`;
//! - `services.txt` (optional): the service, hence the cargo feature, of
//!   each type (`<kind> <type> <feature> ...` lines);
//! - `checks.jsonl` (optional, written by hand): value checks the provider
//!   runs that its schema does not show ([`tfsynth_schema::checks`]);
//! - generated: `Cargo.toml` and all of `src/`, wiped and rewritten by
//!   [`write_crate`]; the staleness test compares [`generate_crate`] with it.
//!
//! Two steps, as in terraform-cdk: terraform is needed once to take the
//! schema; generation then runs offline. Generated code is data and
//! one-line builders over the engine's non-generic functions (see
//! [`model`] for why nested blocks of one shape share a struct).

pub mod model;
pub mod names;
pub mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use tfsynth_schema::jsonl::{self, Header, Kind};
use tfsynth_schema::{ProviderSchema, ProviderSchemas, SchemaError};

use model::{TypeKind, marker, type_model};
use render::{ModEntry, generated_note, literal};

/// The command that regenerates a crate, named in every generated file.
pub const COMMAND: &str = "tfsynth-codegen";

/// Generated files: path relative to the crate folder, contents.
pub type Files = BTreeMap<String, String>;

/// What can go wrong while generating.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodegenError {
    /// An input file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// An output file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// `provider.toml` is malformed.
    #[error("{}: {message}", path.display())]
    Spec {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The schema cannot be read.
    #[error("{file}: {source}")]
    Schema {
        /// The file, as named in the message.
        file: String,
        /// What is wrong.
        source: SchemaError,
    },
    /// The schema has no such provider.
    #[error("the schema has no provider {source_address} (it has: {available})")]
    NoProvider {
        /// The provider asked for.
        source_address: String,
        /// The providers it has.
        available: String,
    },
    /// `services.txt` is malformed or incomplete.
    #[error("services.txt:{line}: {message}")]
    Services {
        /// The 1-based line (0: the file as a whole).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `checks.jsonl` is malformed.
    #[error(transparent)]
    Checks(#[from] tfsynth_schema::checks::ChecksError),
    /// rustfmt could not run or rejected the generated code.
    #[error("rustfmt: {0}")]
    Rustfmt(String),
}

/// `provider.toml`: how the crate is generated.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The crate's package name, `tfsynth-aws`.
    pub name: String,
    /// The crate's version.
    pub version: String,
    /// One line saying what the crate is.
    pub description: String,
    /// The license expression, if any.
    #[serde(default)]
    pub license: Option<String>,
    /// The repository URL, if any.
    #[serde(default)]
    pub repository: Option<String>,
    /// The provider's local name in configurations, `aws`.
    pub local_name: String,
    /// The dependency on the engine, as a TOML inline table or version
    /// string: `{ path = "../tfsynth", version = "0.1.0" }`.
    pub tfsynth: String,
    /// Features on by default.
    #[serde(default)]
    pub default_features: Vec<String>,
}

impl Spec {
    /// Reads `provider.toml`.
    pub fn load(path: &Path) -> Result<Spec, CodegenError> {
        let text = std::fs::read_to_string(path).map_err(|source| CodegenError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| CodegenError::Spec {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })
    }

    /// The text of `provider.toml` for this spec.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# How `tfsynth-codegen` generates this crate: Cargo.toml and src/ are\n# generated from this file, schema.jsonl and (if present) services.txt and checks.jsonl.\n",
        );
        let q = |s: &str| literal(s);
        out.push_str(&format!("name = {}\n", q(&self.name)));
        out.push_str(&format!("version = {}\n", q(&self.version)));
        out.push_str(&format!("description = {}\n", q(&self.description)));
        if let Some(l) = &self.license {
            out.push_str(&format!("license = {}\n", q(l)));
        }
        if let Some(r) = &self.repository {
            out.push_str(&format!("repository = {}\n", q(r)));
        }
        out.push_str(&format!("local_name = {}\n", q(&self.local_name)));
        out.push_str(&format!("tfsynth = '{}'\n", self.tfsynth));
        let defaults: Vec<String> = self.default_features.iter().map(|f| q(f)).collect();
        out.push_str(&format!("default_features = [{}]\n", defaults.join(", ")));
        out
    }
}

/// Converts `terraform providers schema -json` output into the committed
/// JSON Lines form for the provider `source` at `version`.
pub fn import(full_json: &str, source: &str, version: &str) -> Result<String, CodegenError> {
    let mut all = ProviderSchemas::from_json(full_json).map_err(|source| CodegenError::Schema {
        file: "terraform providers schema -json".into(),
        source,
    })?;
    let available = all
        .provider_schemas
        .keys()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let schema = all
        .provider_schemas
        .remove(source)
        .ok_or_else(|| CodegenError::NoProvider {
            source_address: source.to_owned(),
            available,
        })?;
    let header = Header {
        source: source.to_owned(),
        version: version.to_owned(),
    };
    Ok(jsonl::write(&header, &schema))
}

/// The service of each type from `services.txt`: (kind word, type) → feature.
fn parse_services(text: &str) -> Result<BTreeMap<(String, String), String>, CodegenError> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let bad = |message: String| CodegenError::Services {
            line: i + 1,
            message,
        };
        if parts.len() < 3 || !["resource", "data", "ephemeral"].contains(&parts[0]) {
            return Err(bad(format!(
                "expected `<resource|data|ephemeral> <type> <feature> ...`, found {line:?}"
            )));
        }
        if ["default", "full"].contains(&parts[2]) {
            return Err(bad(format!(
                "{:?} is a feature name cargo or tfsynth already uses",
                parts[2]
            )));
        }
        if !parts[2]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(bad(format!("{:?} is not a feature name", parts[2])));
        }
        out.insert(
            (parts[0].to_owned(), parts[1].to_owned()),
            parts[2].to_owned(),
        );
    }
    Ok(out)
}

/// Above this many types, a provider without `services.txt` gets one
/// feature per first word of its type names.
const FEATURES_FROM: usize = 100;

/// Generates every file of a provider crate from its inputs.
pub fn generate(
    spec: &Spec,
    schema_text: &str,
    services_text: Option<&str>,
    checks_text: Option<&str>,
) -> Result<Files, CodegenError> {
    if let Some(text) = checks_text {
        tfsynth_schema::checks::parse(text)?;
    }
    let (header, schema) = jsonl::read(schema_text).map_err(|source| CodegenError::Schema {
        file: "schema.jsonl".into(),
        source,
    })?;
    // What the validator reads: every type's distinct block shapes.
    let validation = jsonl::write_shapes(&header, &schema);
    let (_, entries) = jsonl::index(&validation).map_err(|source| CodegenError::Schema {
        file: "src/validation.jsonl".into(),
        source,
    })?;
    let note = generated_note(COMMAND, "schema.jsonl");
    let services = services_text.map(parse_services).transpose()?;
    let sections: [(TypeKind, &BTreeMap<String, tfsynth_schema::Schema>); 3] = [
        (TypeKind::Resource, &schema.resource_schemas),
        (TypeKind::Data, &schema.data_source_schemas),
        (TypeKind::Ephemeral, &schema.ephemeral_resource_schemas),
    ];
    let type_count: usize = sections.iter().map(|(_, s)| s.len()).sum();
    let feature_of = |kind: TypeKind, ty: &str| -> Result<Option<String>, CodegenError> {
        if let Some(map) = &services {
            return map
                .get(&(kind.module().to_owned(), ty.to_owned()))
                .cloned()
                .map(Some)
                .ok_or_else(|| CodegenError::Services {
                    line: 0,
                    message: format!("no line for {} {ty}", kind.module()),
                });
        }
        if type_count <= FEATURES_FROM {
            return Ok(None);
        }
        let rest = ty
            .strip_prefix(&format!("{}_", spec.local_name))
            .unwrap_or(ty);
        let word = rest.split('_').next().unwrap_or(rest);
        // `default` and `full` are cargo's and ours.
        Ok(Some(match word {
            "default" | "full" => format!("{word}-types"),
            w => w.to_owned(),
        }))
    };

    let mut files = Files::new();
    let mut features = std::collections::BTreeSet::new();
    let mut counts = Vec::new();
    for (kind, types) in sections {
        counts.push((kind, types.len()));
        if types.is_empty() {
            continue;
        }
        let mut entries = Vec::new();
        for (ty, s) in types {
            let model = type_model(kind, ty, s);
            let feature = feature_of(kind, ty)?;
            features.extend(feature.clone());
            let mut exports = vec![model.struct_name.clone(), model.handle_name.clone()];
            exports.extend(model.args_name.clone());
            entries.push(ModEntry {
                module: ty.clone(),
                feature,
                exports,
            });
            files.insert(
                format!("src/{}/{ty}.rs", kind.module()),
                render::type_file(&model, &note),
            );
        }
        files.insert(
            format!("src/{}/mod.rs", kind.module()),
            render::section_mod(kind, &entries, &note),
        );
    }
    for f in &spec.default_features {
        if !features.contains(f) {
            return Err(CodegenError::Spec {
                path: "provider.toml".into(),
                message: format!("default feature {f:?} is not a feature of this provider"),
            });
        }
    }
    if !schema.functions.is_empty() {
        files.insert("src/func.rs".into(), functions_file(spec, &schema, &note));
    }
    files.insert("src/index.rs".into(), index_file(&entries, &note));
    files.insert("src/validation.jsonl".into(), validation);
    files.insert(
        "src/lib.rs".into(),
        lib_file(
            spec,
            &header,
            &schema,
            &counts,
            Inputs {
                services: services.is_some(),
                checks: checks_text.is_some(),
            },
            !features.is_empty(),
            &note,
        ),
    );
    files.insert(
        "Cargo.toml".into(),
        cargo_toml(
            spec,
            &features,
            Inputs {
                services: services.is_some(),
                checks: checks_text.is_some(),
            },
        ),
    );
    format(&mut files)?;
    Ok(files)
}

fn functions_file(spec: &Spec, schema: &ProviderSchema, note: &str) -> String {
    let name = &spec.local_name;
    let mut out = format!(
        "//! Typed helpers for the provider's functions: `provider::{name}::<function>(...)`.\n//!\n//! {note}\n\nuse crate::prelude::*;\n"
    );
    for (fname, f) in &schema.functions {
        let mut params: Vec<String> = f
            .parameters
            .iter()
            .map(|p| {
                format!(
                    "{}: impl Into<Value<{}>>",
                    names::ident(&p.name),
                    marker(&p.ty)
                )
            })
            .collect();
        let mut args: Vec<String> = f
            .parameters
            .iter()
            .map(|p| format!("{}.into().expr()", names::ident(&p.name)))
            .collect();
        if let Some(v) = &f.variadic_parameter {
            params.push(format!(
                "{}: impl IntoIterator<Item = Expr>",
                names::ident(&v.name)
            ));
        }
        let call_args = if args.is_empty() {
            "Vec::new()".to_owned()
        } else {
            format!("vec![{}]", args.join(", "))
        };
        let ret = match marker(&f.return_type) {
            m if m == "Node" => "Expr".to_owned(),
            m => format!("Value<{m}>"),
        };
        let summary = f
            .description
            .as_deref()
            .or(f.summary.as_deref())
            .unwrap_or("");
        let signature: Vec<&str> = f
            .parameters
            .iter()
            .map(|p| p.name.as_str())
            .chain(f.variadic_parameter.iter().map(|v| v.name.as_str()))
            .collect();
        out.push('\n');
        for line in model::doc_lines(
            Some(summary),
            format!(
                "`provider::{name}::{fname}({})`, returning {}.",
                signature.join(", "),
                f.return_type
            ),
        ) {
            out.push_str(&if line.is_empty() {
                "///\n".to_owned()
            } else {
                format!("/// {line}\n")
            });
        }
        if let Some(message) = &f.deprecation_message {
            out.push_str(&format!("#[deprecated(note = {})]\n", literal(message)));
        }
        out.push_str(&format!(
            "pub fn {}({}) -> {ret} {{\n",
            names::ident(fname),
            params.join(", ")
        ));
        if let Some(v) = &f.variadic_parameter {
            out.push_str(&format!("    let mut args: Vec<Expr> = {call_args};\n"));
            out.push_str(&format!("    args.extend({});\n", names::ident(&v.name)));
            args = vec!["args".into()];
        }
        let call = format!(
            "Expr::call(\"provider::{name}::{fname}\", {})",
            if f.variadic_parameter.is_some() {
                args[0].clone()
            } else {
                call_args
            }
        );
        if ret == "Expr" {
            out.push_str(&format!("    {call}\n}}\n"));
        } else {
            out.push_str(&format!("    Value::from({call})\n}}\n"));
        }
    }
    out
}

fn index_file(entries: &[jsonl::Entry], note: &str) -> String {
    let mut out = format!(
        "//! Where each entry of `validation.jsonl` is, so that `tfsynth validate` parses\n//! only the types a configuration uses.\n//!\n//! {note}\n\nuse tfsynth::provider::{{IndexEntry as E, Kind::*}};\n\npub(crate) static ENTRIES: &[E] = &[\n"
    );
    for e in entries {
        let kind = match e.kind {
            Kind::Provider => "Provider",
            Kind::Resource => "Resource",
            Kind::Data => "Data",
            Kind::Ephemeral => "Ephemeral",
            Kind::Function => "Function",
        };
        out.push_str(&format!(
            "    E::new({kind}, {}, {}, {}),\n",
            literal(&e.name),
            e.range.start,
            e.range.end
        ));
    }
    out.push_str("];\n");
    out
}

/// Which optional inputs the crate has.
#[derive(Clone, Copy)]
struct Inputs {
    services: bool,
    checks: bool,
}

#[allow(clippy::too_many_arguments)]
fn lib_file(
    spec: &Spec,
    header: &Header,
    schema: &ProviderSchema,
    counts: &[(TypeKind, usize)],
    inputs: Inputs,
    has_features: bool,
    note: &str,
) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    for (kind, n) in counts {
        if *n == 0 {
            continue;
        }
        let (one, many) = match kind {
            TypeKind::Resource => ("resource", "resources"),
            TypeKind::Data => ("data source", "data sources"),
            TypeKind::Ephemeral => ("ephemeral resource", "ephemeral resources"),
        };
        parts.push(format!("{} ([`{}`])", plural(*n, one, many), kind.module()));
    }
    if !schema.functions.is_empty() {
        parts.push(format!(
            "{} ([`func`])",
            plural(schema.functions.len(), "function", "functions")
        ));
    }
    let mut out = format!(
        "//! Typed tfsynth bindings for the `{}` provider: `{}` {}.\n//!\n//! {note}\n//!\n//! {}.\n",
        spec.local_name,
        header.source,
        header.version,
        parts.join(", ")
    );
    if has_features {
        out.push_str("//! Each service is a cargo feature that enables its types; `full` enables\n//! all of them. [`PROVIDER`] holds the whole schema whatever the features,\n//! so `tfsynth validate` checks every type.\n");
    } else {
        out.push_str("//! [`PROVIDER`] holds the whole schema, for `tfsynth validate`.\n");
    }
    out.push_str("\n#![warn(missing_docs)]\n\n");
    for (kind, n) in counts {
        if *n > 0 {
            out.push_str(&format!("pub mod {};\n", kind.module()));
        }
    }
    if !schema.functions.is_empty() {
        out.push_str("pub mod func;\n");
    }
    out.push_str("mod index;\n\n");
    out.push_str(&format!(
        "/// The provider's whole schema, every type's distinct block shapes\n/// (`validation.jsonl`, generated from `schema.jsonl`), for offline validation.\npub static PROVIDER: tfsynth::provider::ProviderSchemaSource = tfsynth::provider::ProviderSchemaSource {{\n    local_name: {},\n    source: {},\n    version: {},\n    text: include_str!(\"validation.jsonl\"),\n    index: index::ENTRIES,\n    checks: {},\n}};\n",
        literal(&spec.local_name),
        literal(&header.source),
        literal(&header.version),
        if inputs.checks {
            "include_str!(\"../checks.jsonl\")"
        } else {
            "\"\""
        }
    ));
    if inputs.services {
        out.push_str("\n/// The service of every type: `<kind> <type> <feature> ...` lines (`services.txt`).\npub const SERVICES: &str = include_str!(\"../services.txt\");\n");
    }
    out.push_str("\n/// What the generated code imports.\nmod prelude {\n    pub use tfsynth::prelude::*;\n}\n");
    out
}

fn cargo_toml(
    spec: &Spec,
    features: &std::collections::BTreeSet<String>,
    inputs: Inputs,
) -> String {
    let q = |s: &str| literal(s);
    let mut out = format!(
        "# {}\n\n[package]\nname = {}\nversion = {}\nedition = \"2024\"\ndescription = {}\n",
        generated_note(COMMAND, "provider.toml"),
        q(&spec.name),
        q(&spec.version),
        q(&spec.description)
    );
    if let Some(l) = &spec.license {
        out.push_str(&format!("license = {}\n", q(l)));
    }
    if let Some(r) = &spec.repository {
        out.push_str(&format!("repository = {}\n", q(r)));
    }
    let mut include = vec![
        "\"Cargo.toml\"",
        "\"provider.toml\"",
        "\"schema.jsonl\"",
        "\"src/**\"",
    ];
    if inputs.services {
        include.push("\"services.txt\"");
    }
    if inputs.checks {
        include.push("\"checks.jsonl\"");
    }
    out.push_str(&format!("include = [{}]\n", include.join(", ")));
    out.push_str(&format!("\n[dependencies]\ntfsynth = {}\n", spec.tfsynth));
    if !features.is_empty() {
        let list = |items: &mut dyn Iterator<Item = &String>| {
            items.map(|f| q(f)).collect::<Vec<_>>().join(", ")
        };
        out.push_str("\n[features]\n");
        out.push_str(&format!(
            "default = [{}]\n",
            list(&mut spec.default_features.iter())
        ));
        out.push_str(&format!("full = [{}]\n", list(&mut features.iter())));
        for f in features {
            out.push_str(&format!(
                "{} = []\n",
                if f.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    f.clone()
                } else {
                    q(f)
                }
            ));
        }
        out.push_str("\n[package.metadata.docs.rs]\nall-features = true\n");
    }
    out
}

/// Formats every generated Rust file with one rustfmt run over the crate:
/// rustfmt follows `mod` declarations (gated ones too) from `lib.rs`.
fn format(files: &mut Files) -> Result<(), CodegenError> {
    let dir = tempfile::tempdir().map_err(|e| CodegenError::Rustfmt(e.to_string()))?;
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().expect("generated files are in folders"))
            .and_then(|()| std::fs::write(&file, text))
            .map_err(|e| CodegenError::Rustfmt(format!("cannot stage {path}: {e}")))?;
    }
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into());
    let out = Command::new(&rustfmt)
        .args(["--edition", "2024", "--quiet"])
        .arg(dir.path().join("src/lib.rs"))
        .output()
        .map_err(|e| {
            CodegenError::Rustfmt(format!(
                "cannot run {rustfmt} ({e}); install it with `rustup component add rustfmt`"
            ))
        })?;
    if !out.status.success() {
        return Err(CodegenError::Rustfmt(format!(
            "rejected the generated code: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    for (path, text) in files.iter_mut().filter(|(p, _)| p.ends_with(".rs")) {
        *text = std::fs::read_to_string(dir.path().join(path))
            .map_err(|e| CodegenError::Rustfmt(format!("cannot read back {path}: {e}")))?;
    }
    Ok(())
}

/// The inputs of the crate in `dir`, generated.
pub fn generate_crate(dir: &Path) -> Result<Files, CodegenError> {
    let spec = Spec::load(&dir.join("provider.toml"))?;
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).map_err(|source| CodegenError::Read {
            path: dir.join(name),
            source,
        })
    };
    let schema = read("schema.jsonl")?;
    let services = dir
        .join("services.txt")
        .is_file()
        .then(|| read("services.txt"))
        .transpose()?;
    let checks = dir
        .join("checks.jsonl")
        .is_file()
        .then(|| read("checks.jsonl"))
        .transpose()?;
    generate(&spec, &schema, services.as_deref(), checks.as_deref())
}

/// Replaces the generated part of the crate in `dir` (`Cargo.toml` and
/// `src/`) with `files`. `src/` is written beside the old one and swapped
/// in, so a failure leaves the old tree whole.
pub fn write_crate(dir: &Path, files: &Files) -> Result<(), CodegenError> {
    let write_err = |path: PathBuf| move |source| CodegenError::Write { path, source };
    let staging = dir.join(".src.tmp");
    let _ = std::fs::remove_dir_all(&staging);
    for (path, text) in files {
        let Some(rel) = path.strip_prefix("src/") else {
            continue;
        };
        let file = staging.join(rel);
        std::fs::create_dir_all(file.parent().expect("generated files are in folders"))
            .and_then(|()| std::fs::write(&file, text))
            .map_err(write_err(file.clone()))?;
    }
    let src = dir.join("src");
    if src.exists() {
        std::fs::remove_dir_all(&src).map_err(write_err(src.clone()))?;
    }
    std::fs::rename(&staging, &src).map_err(write_err(src.clone()))?;
    if let Some(manifest) = files.get("Cargo.toml") {
        std::fs::write(dir.join("Cargo.toml"), manifest)
            .map_err(write_err(dir.join("Cargo.toml")))?;
    }
    Ok(())
}

/// The generated files of `dir` that differ from what generation makes
/// now: (path, why), empty when the crate is current.
pub fn stale(dir: &Path, expected: &Files) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut on_disk = BTreeMap::new();
    collect(&dir.join("src"), "src", &mut on_disk);
    if let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) {
        on_disk.insert("Cargo.toml".to_owned(), text);
    }
    for (path, text) in expected {
        match on_disk.get(path) {
            None => out.push((path.clone(), "missing")),
            Some(found) if found != text => out.push((path.clone(), "differs")),
            Some(_) => {}
        }
    }
    for path in on_disk.keys().filter(|p| !expected.contains_key(*p)) {
        out.push((path.clone(), "not generated"));
    }
    out
}

fn collect(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            collect(&path, &format!("{prefix}/{name}"), out);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.insert(format!("{prefix}/{name}"), text);
        }
    }
}
