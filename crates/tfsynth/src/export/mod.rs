//! HCL export: a synthesized stack's Terraform JSON as HCL native syntax
//! (`main.tf`), formatted as `terraform fmt` leaves it, for teams that
//! leave tfsynth or review HCL.
//!
//! Like validation, it reads the JSON Terraform reads, never the in-memory
//! stack. Two things JSON leaves implicit become explicit here:
//!
//! - **Attribute or block.** A JSON object is a nested block or an object
//!   value depending on the provider's schema, so export needs the schemas
//!   `validate` uses; a type whose provider has no schema here is an error
//!   naming it, never a guess.
//! - **Template, literal or expression.** A JSON string is a template in
//!   most places (`"${aws_vpc.main.id}"` becomes `aws_vpc.main.id`), a
//!   literal in some (a variable's default and description: `${` is escaped)
//!   and a bare expression in others (`depends_on`, `provider`, a
//!   variable's `type`).
//!
//! Expressions are copied from the JSON token by token with the formatter's
//! spacing ([`tokens`]), so Terraform reads the same expressions from both
//! files; no HCL library is used because each would re-model expressions
//! it does not need to understand, and still need the schema. Multi-line
//! text becomes a heredoc when it ends with a line break.

mod tokens;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value as Json};
use tfsynth_schema::NestingMode;
use tfsynth_schema::jsonl::Kind;

use crate::hcl::template_code;
use crate::validate::Schemas;
use crate::validate::view::BlockView;

/// What cannot be exported, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportError {
    /// The block address (`aws_s3_bucket.logs`, `terraform`).
    pub address: String,
    /// The key path within the block, `/`-separated.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.address, self.message)
        } else {
            write!(f, "{}: {}: {}", self.address, self.path, self.message)
        }
    }
}

impl std::error::Error for ExportError {}

/// How a JSON string is read in its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// A string template (most values).
    Template,
    /// Literal text (variable defaults, descriptions, backend settings).
    Literal,
    /// A bare expression (`depends_on` entries, `provider`, `type`).
    Expr,
}

/// One entry of a body, rendered: an attribute on one line, or lines that
/// stand alone (blocks, multi-line values).
enum Entry {
    /// `key = value` on one line: aligned with its neighbours.
    Attr(String, String),
    /// Lines of their own, already indented relative to the body.
    Lines(Vec<String>),
}

/// The HCL of the Terraform JSON `json`, whose types are described by
/// `schemas`; every problem is collected.
pub fn to_hcl(json: &str, schemas: &Schemas) -> Result<String, Vec<ExportError>> {
    let root: Map<String, Json> = match serde_json::from_str(json) {
        Ok(Json::Object(root)) => root,
        Ok(_) => return Err(vec![problem("(file)", "", "the file is not a JSON object")]),
        Err(e) => return Err(vec![problem("(file)", "", format!("not JSON: {e}"))]),
    };
    let mut w = Writer {
        schemas,
        required: required_providers(&root),
        errors: Vec::new(),
    };
    let mut sections: Vec<Vec<String>> = Vec::new();
    for (key, value) in &root {
        for item in items(value) {
            w.section(key, item, &mut sections);
        }
    }
    if !w.errors.is_empty() {
        return Err(w.errors);
    }
    let mut out = String::new();
    for (i, lines) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for line in lines {
            out.push_str(line.strip_prefix('\u{0}').unwrap_or(line));
            out.push('\n');
        }
    }
    Ok(out)
}

fn problem(address: &str, path: &str, message: impl Into<String>) -> ExportError {
    ExportError {
        address: address.to_owned(),
        path: path.to_owned(),
        message: message.into(),
    }
}

/// A JSON value that may be one object or an array of objects.
fn items(value: &Json) -> Vec<&Json> {
    match value {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// `required_providers`: local name → source, for finding schemas.
fn required_providers(root: &Map<String, Json>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for terraform in root.get("terraform").map(items).unwrap_or_default() {
        for required in terraform
            .get("required_providers")
            .map(items)
            .unwrap_or_default()
        {
            if let Some(map) = required.as_object() {
                for (local, req) in map {
                    let source = req
                        .get("source")
                        .and_then(Json::as_str)
                        .or_else(|| req.as_str())
                        .unwrap_or(local);
                    out.insert(local.clone(), source.to_owned());
                }
            }
        }
    }
    out
}

/// A block label or a key that is not a plain name, quoted.
fn label(text: &str) -> String {
    format!("\"{}\"", crate::core::expr::escape_hcl_string(text))
}

/// Literal text with template sequences escaped.
fn escape_template(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// Whether `text` can be written as a bare object key or attribute name.
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(text, "true" | "false" | "null" | "for" | "in" | "if")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}/{key}")
    }
}

/// The lines of a body: attributes aligned on `=` in runs, as `terraform
/// fmt` aligns them, everything indented by two spaces.
fn body_lines(entries: Vec<Entry>) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<(String, String)> = Vec::new();
    let flush = |run: &mut Vec<(String, String)>, out: &mut Vec<String>| {
        let width = run
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (key, value) in run.drain(..) {
            let pad = width - key.chars().count();
            // A heredoc's lines follow its first, unindented.
            let mut lines = value.split('\n');
            let first = lines.next().unwrap_or("");
            out.push(format!("  {key}{} = {first}", " ".repeat(pad)));
            out.extend(lines.map(str::to_owned));
        }
    };
    for entry in entries {
        match entry {
            Entry::Attr(key, value) => run.push((key, value)),
            Entry::Lines(lines) => {
                flush(&mut run, &mut out);
                out.extend(lines.into_iter().map(indent));
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `key = value` as an entry of a body: one line, or a heredoc (which
/// `terraform fmt` aligns like one line), or lines of their own.
fn entry(key: String, value: Rendered) -> Entry {
    match value {
        Rendered::Line(text) => Entry::Attr(key, text),
        Rendered::Lines(lines) if lines[0].starts_with("<<") => Entry::Attr(key, lines.join("\n")),
        Rendered::Lines(mut lines) => {
            let first = lines.remove(0);
            let mut out = vec![format!("{key} = {first}")];
            out.extend(lines);
            Entry::Lines(out)
        }
    }
}

/// A block: `header {`, its body, `}`.
fn block(header: String, entries: Vec<Entry>) -> Vec<String> {
    if entries.is_empty() {
        return vec![format!("{header} {{}}")];
    }
    let mut lines = vec![format!("{header} {{")];
    lines.extend(body_lines(entries));
    lines.push("}".to_owned());
    lines
}

/// Marks a line that must not be indented (heredoc content and its end).
fn verbatim(line: &str) -> String {
    format!("\u{0}{line}")
}

struct Writer<'a> {
    schemas: &'a Schemas,
    required: BTreeMap<String, String>,
    errors: Vec<ExportError>,
}

impl Writer<'_> {
    fn error(&mut self, address: &str, path: &str, message: impl Into<String>) {
        self.errors.push(problem(address, path, message));
    }

    /// One top-level key of the file.
    fn section(&mut self, key: &str, value: &Json, out: &mut Vec<Vec<String>>) {
        let Some(map) = value.as_object() else {
            self.error(key, "", "expected an object");
            return;
        };
        match key {
            "terraform" => out.push(block("terraform".into(), self.terraform(map))),
            "locals" => {
                let entries = map
                    .iter()
                    .map(|(k, v)| self.attr("locals", k, k, v, Mode::Template))
                    .collect();
                out.push(block("locals".into(), entries));
            }
            "provider" => {
                for (name, configs) in map {
                    for config in items(configs) {
                        let address = format!("provider.{name}");
                        let schema = self
                            .schemas
                            .provider(name, &self.required)
                            .and_then(|p| p.schema(Kind::Provider, ""));
                        let entries = self.typed_body(&address, "", config, schema, &["alias"]);
                        out.push(block(format!("provider {}", label(name)), entries));
                    }
                }
            }
            "variable" => {
                for (name, body) in map {
                    let entries = self.variable(&format!("var.{name}"), body);
                    out.push(block(format!("variable {}", label(name)), entries));
                }
            }
            "output" => {
                for (name, body) in map {
                    let entries =
                        self.plain_body(&format!("output.{name}"), "", body, &|key| match key {
                            "description" => Mode::Literal,
                            "depends_on" => Mode::Expr,
                            _ => Mode::Template,
                        });
                    out.push(block(format!("output {}", label(name)), entries));
                }
            }
            "resource" | "data" | "ephemeral" => {
                let kind = match key {
                    "resource" => Kind::Resource,
                    "data" => Kind::Data,
                    _ => Kind::Ephemeral,
                };
                for (ty, blocks) in map {
                    let Some(blocks) = blocks.as_object() else {
                        self.error(&format!("{key}.{ty}"), "", "expected an object of blocks");
                        continue;
                    };
                    for (name, body) in blocks {
                        for body in items(body) {
                            let lines = self.typed_block(kind, key, ty, name, body);
                            out.push(lines);
                        }
                    }
                }
            }
            "module" => {
                for (name, body) in map {
                    let entries =
                        self.plain_body(&format!("module.{name}"), "", body, &|key| match key {
                            "source" | "version" => Mode::Literal,
                            "depends_on" | "providers" => Mode::Expr,
                            _ => Mode::Template,
                        });
                    out.push(block(format!("module {}", label(name)), entries));
                }
            }
            "moved" | "import" | "removed" => {
                let entries = self.meta_block(key, value);
                out.push(block(key.to_owned(), entries));
            }
            "check" => {
                for (name, body) in map {
                    let address = format!("check.{name}");
                    let entries = self.check(&address, body);
                    out.push(block(format!("check {}", label(name)), entries));
                }
            }
            other => self.error(other, "", "not a top-level block type tfsynth exports"),
        }
    }

    /// `moved`, `import` and `removed`: references bare, `id` a template.
    fn meta_block(&mut self, key: &str, value: &Json) -> Vec<Entry> {
        self.plain_body(key, "", value, &|k| match k {
            "id" | "for_each" | "identity" => Mode::Template,
            _ => Mode::Expr,
        })
    }

    fn terraform(&mut self, map: &Map<String, Json>) -> Vec<Entry> {
        let mut entries = Vec::new();
        for (key, value) in map {
            match key.as_str() {
                "required_providers" => {
                    for required in items(value) {
                        let inner = self.plain_body("terraform", key, required, &|_| Mode::Literal);
                        entries.push(Entry::Lines(block(key.clone(), inner)));
                    }
                }
                "backend" => {
                    for backend in items(value) {
                        let Some(by_type) = backend.as_object() else {
                            self.error("terraform", key, "expected an object");
                            continue;
                        };
                        for (ty, config) in by_type {
                            let inner =
                                self.plain_body("terraform", &join(key, ty), config, &|_| {
                                    Mode::Literal
                                });
                            entries
                                .push(Entry::Lines(block(format!("backend {}", label(ty)), inner)));
                        }
                    }
                }
                "cloud" => {
                    for cloud in items(value) {
                        let mut inner = Vec::new();
                        for (k, v) in cloud.as_object().into_iter().flatten() {
                            if k == "workspaces" && v.is_object() {
                                let ws =
                                    self.plain_body("terraform", "cloud/workspaces", v, &|_| {
                                        Mode::Literal
                                    });
                                inner.push(Entry::Lines(block("workspaces".into(), ws)));
                            } else {
                                inner.push(self.attr(
                                    "terraform",
                                    &join("cloud", k),
                                    k,
                                    v,
                                    Mode::Literal,
                                ));
                            }
                        }
                        entries.push(Entry::Lines(block("cloud".into(), inner)));
                    }
                }
                "experiments" => entries.push(self.attr("terraform", key, key, value, Mode::Expr)),
                "provider_meta" => {
                    for (name, body) in value.as_object().into_iter().flatten() {
                        let inner = self.plain_body("terraform", key, body, &|_| Mode::Template);
                        entries.push(Entry::Lines(block(
                            format!("provider_meta {}", label(name)),
                            inner,
                        )));
                    }
                }
                "//" => {}
                _ => entries.push(self.attr("terraform", key, key, value, Mode::Literal)),
            }
        }
        entries
    }

    fn variable(&mut self, address: &str, body: &Json) -> Vec<Entry> {
        let mut entries = Vec::new();
        for (key, value) in body.as_object().into_iter().flatten() {
            match key.as_str() {
                "validation" => {
                    for v in items(value) {
                        let inner = self.plain_body(address, key, v, &|_| Mode::Template);
                        entries.push(Entry::Lines(block("validation".into(), inner)));
                    }
                }
                "type" => entries.push(self.attr(address, key, key, value, Mode::Expr)),
                "//" => {}
                _ => entries.push(self.attr(address, key, key, value, Mode::Literal)),
            }
        }
        entries
    }

    fn check(&mut self, address: &str, body: &Json) -> Vec<Entry> {
        let mut entries = Vec::new();
        for (key, value) in body.as_object().into_iter().flatten() {
            match key.as_str() {
                "assert" => {
                    for a in items(value) {
                        let inner = self.plain_body(address, key, a, &|_| Mode::Template);
                        entries.push(Entry::Lines(block("assert".into(), inner)));
                    }
                }
                "data" => {
                    for (ty, blocks) in value.as_object().into_iter().flatten() {
                        for (name, b) in blocks.as_object().into_iter().flatten() {
                            entries.push(Entry::Lines(self.typed_block(
                                Kind::Data,
                                "data",
                                ty,
                                name,
                                b,
                            )));
                        }
                    }
                }
                "//" => {}
                _ => self.error(address, key, "not an argument of a check block"),
            }
        }
        entries
    }

    /// A body whose every object value is an attribute (no schema needed),
    /// except the meta blocks `lifecycle`, `precondition` and `postcondition`.
    fn plain_body(
        &mut self,
        address: &str,
        path: &str,
        body: &Json,
        mode: &dyn Fn(&str) -> Mode,
    ) -> Vec<Entry> {
        let Some(map) = body.as_object() else {
            self.error(address, path, "expected an object");
            return Vec::new();
        };
        let mut entries = Vec::new();
        for (key, value) in map {
            let p = join(path, key);
            match key.as_str() {
                "//" => {}
                "precondition" | "postcondition" => {
                    for c in items(value) {
                        let inner = self.plain_body(address, &p, c, &|_| Mode::Template);
                        entries.push(Entry::Lines(block(key.clone(), inner)));
                    }
                }
                "lifecycle" if value.is_object() => {
                    let inner = self.lifecycle(address, &p, value);
                    entries.push(Entry::Lines(block("lifecycle".into(), inner)));
                }
                _ => entries.push(self.attr(address, &p, key, value, mode(key))),
            }
        }
        entries
    }

    fn lifecycle(&mut self, address: &str, path: &str, value: &Json) -> Vec<Entry> {
        self.plain_body(address, path, value, &|key| match key {
            "ignore_changes" | "replace_triggered_by" => Mode::Expr,
            _ => Mode::Template,
        })
    }

    /// `resource "type" "name" { … }` (or `data`, `ephemeral`).
    fn typed_block(
        &mut self,
        kind: Kind,
        word: &str,
        ty: &str,
        name: &str,
        body: &Json,
    ) -> Vec<String> {
        let address = if word == "resource" {
            format!("{ty}.{name}")
        } else {
            format!("{word}.{ty}.{name}")
        };
        let local = body
            .get("provider")
            .and_then(Json::as_str)
            .map(|p| p.split('.').next().unwrap_or(p).to_owned())
            .unwrap_or_else(|| ty.split('_').next().unwrap_or(ty).to_owned());
        let schema = match self.schemas.provider(&local, &self.required) {
            Some(provider) => match provider.schema(kind, ty) {
                Some(schema) => Some(schema),
                None => {
                    self.error(&address, "", format!("provider {local} has no type {ty}"));
                    return Vec::new();
                }
            },
            None => {
                self.error(
                    &address,
                    "",
                    format!(
                        "provider {local} has no schema here, and HCL export needs it to tell nested blocks from object values (hint: add the provider's bindings to the App with .provider(&<crate>::PROVIDER))"
                    ),
                );
                return Vec::new();
            }
        };
        let entries = self.typed_body(&address, "", body, schema, &[]);
        block(format!("{word} {} {}", label(ty), label(name)), entries)
    }

    /// A body read with its schema: meta-arguments first, then attributes,
    /// then nested blocks, the meta blocks last.
    fn typed_body(
        &mut self,
        address: &str,
        path: &str,
        body: &Json,
        schema: Option<BlockView<'_>>,
        literal: &[&str],
    ) -> Vec<Entry> {
        let Some(map) = body.as_object() else {
            self.error(address, path, "expected an object");
            return Vec::new();
        };
        let mut first = Vec::new();
        let mut attrs = Vec::new();
        let mut blocks = Vec::new();
        let mut last = Vec::new();
        for (key, value) in map {
            let p = join(path, key);
            match key.as_str() {
                "//" => {}
                "count" | "for_each" if path.is_empty() => {
                    first.push(self.attr(address, &p, key, value, Mode::Template))
                }
                "provider" if path.is_empty() => first.push(self.attr(address, &p, key, value, Mode::Expr)),
                "depends_on" if path.is_empty() => last.push(self.attr(address, &p, key, value, Mode::Expr)),
                "lifecycle" if path.is_empty() => {
                    let inner = self.lifecycle(address, &p, value);
                    last.push(Entry::Lines(block("lifecycle".into(), inner)));
                }
                "provisioner" if path.is_empty() => {
                    for by_type in items(value) {
                        for (ty, config) in by_type.as_object().into_iter().flatten() {
                            let inner = self.plain_body(address, &p, config, &|k| match k {
                                "when" | "on_failure" => Mode::Expr,
                                _ => Mode::Template,
                            });
                            last.push(Entry::Lines(block(format!("provisioner {}", label(ty)), inner)));
                        }
                    }
                }
                "connection" if path.is_empty() => {
                    let inner = self.plain_body(address, &p, value, &|_| Mode::Template);
                    last.push(Entry::Lines(block("connection".into(), inner)));
                }
                "dynamic" => {
                    for by_type in items(value) {
                        for (ty, spec) in by_type.as_object().into_iter().flatten() {
                            let nested = schema.and_then(|s| s.block_type(ty)).map(|n| n.block());
                            for spec in items(spec) {
                                let lines = self.dynamic(address, &join(&p, ty), ty, spec, nested);
                                blocks.push(Entry::Lines(lines));
                            }
                        }
                    }
                }
                _ if literal.contains(&key.as_str()) => {
                    attrs.push(self.attr(address, &p, key, value, Mode::Literal))
                }
                _ => match schema {
                    Some(s) if s.attributes().contains_key(key) => {
                        attrs.push(self.attr(address, &p, key, value, Mode::Template))
                    }
                    Some(s) => match s.block_type(key) {
                        Some(nested) => {
                            let inner = nested.block();
                            let mode = nested.nesting_mode();
                            self.nested_blocks(address, &p, key, value, inner, mode, &mut blocks);
                        }
                        None => self.error(
                            address,
                            &p,
                            format!("{key:?} is neither an argument nor a block here (hint: run validate)"),
                        ),
                    },
                    // No schema (a provider block whose provider is not known):
                    // objects are values, which is what a provider's settings are
                    // unless it has nested blocks, which then fail terraform validate.
                    None => attrs.push(self.attr(address, &p, key, value, Mode::Template)),
                },
            }
        }
        first.extend(attrs);
        first.extend(blocks);
        first.extend(last);
        first
    }

    #[allow(clippy::too_many_arguments)]
    fn nested_blocks(
        &mut self,
        address: &str,
        path: &str,
        key: &str,
        value: &Json,
        schema: BlockView<'_>,
        mode: NestingMode,
        out: &mut Vec<Entry>,
    ) {
        match (mode, value) {
            (_, Json::Null) => {}
            (NestingMode::Map, Json::Object(by_label)) => {
                for (l, body) in by_label {
                    let entries = self.typed_body(address, &join(path, l), body, Some(schema), &[]);
                    out.push(Entry::Lines(block(format!("{key} {}", label(l)), entries)));
                }
            }
            (_, Json::Array(bodies)) => {
                for (i, body) in bodies.iter().enumerate() {
                    let entries = self.typed_body(
                        address,
                        &join(path, &i.to_string()),
                        body,
                        Some(schema),
                        &[],
                    );
                    out.push(Entry::Lines(block(key.to_owned(), entries)));
                }
            }
            (_, Json::Object(_)) => {
                let entries = self.typed_body(address, path, value, Some(schema), &[]);
                out.push(Entry::Lines(block(key.to_owned(), entries)));
            }
            (_, other) => {
                // A block given as an expression (`"${…}"`) is not valid Terraform.
                let _ = other;
                self.error(
                    address,
                    path,
                    "a nested block must be an object or an array of objects",
                );
            }
        }
    }

    /// `dynamic "type" { for_each = …, iterator = …, content { … } }`.
    fn dynamic(
        &mut self,
        address: &str,
        path: &str,
        ty: &str,
        spec: &Json,
        schema: Option<BlockView<'_>>,
    ) -> Vec<String> {
        let mut entries = Vec::new();
        let mut content = None;
        for (key, value) in spec.as_object().into_iter().flatten() {
            let p = join(path, key);
            match key.as_str() {
                "content" => {
                    let inner = self.typed_body(address, &p, value, schema, &[]);
                    content = Some(Entry::Lines(block("content".into(), inner)));
                }
                "iterator" => entries.push(self.attr(address, &p, key, value, Mode::Expr)),
                "//" => {}
                _ => entries.push(self.attr(address, &p, key, value, Mode::Template)),
            }
        }
        entries.extend(content);
        block(format!("dynamic {}", label(ty)), entries)
    }

    /// `key = value`, on one line or as lines of their own.
    fn attr(&mut self, address: &str, path: &str, key: &str, value: &Json, mode: Mode) -> Entry {
        let name = if is_name(key) {
            key.to_owned()
        } else {
            label(key)
        };
        let rendered = self.value(address, path, value, mode, true);
        entry(name, rendered)
    }

    /// A value; multi-line text as a heredoc only where `heredoc` allows.
    fn value(
        &mut self,
        address: &str,
        path: &str,
        value: &Json,
        mode: Mode,
        heredoc: bool,
    ) -> Rendered {
        match value {
            Json::Null => Rendered::Line("null".into()),
            Json::Bool(b) => Rendered::Line(b.to_string()),
            Json::Number(n) => Rendered::Line(n.to_string()),
            Json::String(s) => self.string(address, path, s, mode, heredoc),
            Json::Array(items) => {
                let rendered: Vec<Rendered> = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.value(address, &join(path, &i.to_string()), v, mode, false))
                    .collect();
                let multi = items
                    .iter()
                    .any(|v| matches!(v, Json::Object(m) if !m.is_empty()))
                    || rendered.iter().any(|r| matches!(r, Rendered::Lines(_)));
                if !multi {
                    let parts: Vec<String> = rendered
                        .into_iter()
                        .map(|r| match r {
                            Rendered::Line(t) => t,
                            Rendered::Lines(_) => unreachable!("checked above"),
                        })
                        .collect();
                    return Rendered::Line(format!("[{}]", parts.join(", ")));
                }
                let mut lines = vec!["[".to_owned()];
                for r in rendered {
                    match r {
                        Rendered::Line(t) => lines.push(format!("  {t},")),
                        Rendered::Lines(inner) => {
                            let n = inner.len();
                            for (i, l) in inner.into_iter().enumerate() {
                                let l = if i + 1 == n { format!("{l},") } else { l };
                                lines.push(indent(l));
                            }
                        }
                    }
                }
                lines.push("]".to_owned());
                Rendered::Lines(lines)
            }
            Json::Object(map) if map.is_empty() => Rendered::Line("{}".into()),
            Json::Object(map) => {
                let entries: Vec<Entry> = map
                    .iter()
                    .map(|(k, v)| {
                        let p = join(path, k);
                        // Terraform reads the keys of JSON objects as templates,
                        // except where the whole value is literal.
                        let key = if is_name(k) {
                            k.clone()
                        } else if mode == Mode::Template {
                            match template_code(k)
                                .map_err(|e| e.to_string())
                                .and_then(|code| tokens::quoted_template(k, &code))
                            {
                                Ok(toks) => tokens::render(toks),
                                Err(e) => {
                                    self.error(
                                        address,
                                        &p,
                                        format!("the key is not a valid template: {e}"),
                                    );
                                    label(k)
                                }
                            }
                        } else {
                            label(k)
                        };
                        let rendered = self.value(address, &p, v, mode, true);
                        entry(key, rendered)
                    })
                    .collect();
                let mut lines = vec!["{".to_owned()];
                lines.extend(body_lines(entries));
                lines.push("}".to_owned());
                Rendered::Lines(lines)
            }
        }
    }

    fn string(
        &mut self,
        address: &str,
        path: &str,
        text: &str,
        mode: Mode,
        heredoc_ok: bool,
    ) -> Rendered {
        match mode {
            Mode::Literal => literal_string(text, heredoc_ok),
            Mode::Expr => {
                // A reference may be written bare or as a lone interpolation.
                let inner = text
                    .strip_prefix("${")
                    .and_then(|t| t.strip_suffix('}'))
                    .filter(|_| matches!(template_code(text).as_deref(), Ok([r]) if r.start == 0 && r.end == text.len()))
                    .unwrap_or(text);
                match tokens::lex(inner) {
                    Ok(toks) if !toks.is_empty() => Rendered::Line(tokens::render(toks)),
                    Ok(_) => {
                        self.error(address, path, "an empty expression");
                        Rendered::Line("null".into())
                    }
                    Err(e) => {
                        self.error(address, path, format!("not an expression: {e}"));
                        Rendered::Line("null".into())
                    }
                }
            }
            Mode::Template => {
                let code = match template_code(text) {
                    Ok(code) => code,
                    Err(e) => {
                        self.error(address, path, format!("not a valid template: {e}"));
                        return Rendered::Line("null".into());
                    }
                };
                // `"${expr}"` alone is the expression itself, as `terraform fmt` writes it.
                if let [only] = code.as_slice()
                    && only.start == 0
                    && only.end == text.len()
                    && text.starts_with("${")
                    && !text.starts_with("${~")
                    && !text.ends_with("~}")
                {
                    return match tokens::lex(&text[2..text.len() - 1]) {
                        Ok(toks) => Rendered::Line(tokens::render(toks)),
                        Err(e) => {
                            self.error(address, path, format!("not an expression: {e}"));
                            Rendered::Line("null".into())
                        }
                    };
                }
                if heredoc_ok {
                    match heredoc(text, &code) {
                        Ok(Some(lines)) => return Rendered::Lines(lines),
                        Ok(None) => {}
                        Err(e) => {
                            self.error(address, path, format!("not a valid template: {e}"));
                            return Rendered::Line("null".into());
                        }
                    }
                }
                match tokens::quoted_template(text, &code) {
                    Ok(toks) => Rendered::Line(tokens::render(toks)),
                    Err(e) => {
                        self.error(address, path, format!("not a valid template: {e}"));
                        Rendered::Line("null".into())
                    }
                }
            }
        }
    }
}

/// A value on one line, or lines of its own (the first continues the
/// line of its key).
enum Rendered {
    Line(String),
    Lines(Vec<String>),
}

fn indent(line: String) -> String {
    if line.starts_with('\u{0}') {
        line
    } else {
        format!("  {line}")
    }
}

/// Literal text as HCL: a heredoc for multi-line text (where allowed),
/// else a quoted string; template sequences escaped either way.
fn literal_string(text: &str, heredoc_ok: bool) -> Rendered {
    let escaped = escape_template(text);
    if heredoc_ok && let Ok(Some(lines)) = heredoc(&escaped, &[]) {
        return Rendered::Lines(lines);
    }
    Rendered::Line(format!("\"{}\"", tokens::escape_quoted(&escaped)))
}

/// Multi-line template text as a heredoc: only text that ends with a line
/// break (a heredoc always does) and has no carriage returns or other
/// control characters (a heredoc has no escapes); its sequences are spaced
/// as `terraform fmt` spaces them and must each fit on one line.
fn heredoc(text: &str, code: &[std::ops::Range<usize>]) -> Result<Option<Vec<String>>, String> {
    if !text.ends_with('\n')
        || text.len() < 2
        || text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        || code.iter().any(|r| text[r.clone()].contains('\n'))
    {
        return Ok(None);
    }
    let mut rendered = String::with_capacity(text.len());
    let mut at = 0;
    for range in code {
        rendered.push_str(&text[at..range.start]);
        rendered.push_str(&tokens::sequence(text, range.clone())?);
        at = range.end;
    }
    rendered.push_str(&text[at..]);
    let body: Vec<&str> = rendered[..rendered.len() - 1].split('\n').collect();
    let mut marker = "EOT".to_owned();
    while body.iter().any(|l| l.trim() == marker) {
        marker.push('_');
    }
    let mut lines = vec![format!("<<{marker}")];
    lines.extend(body.iter().map(|l| verbatim(l)));
    lines.push(verbatim(&marker));
    Ok(Some(lines))
}

#[cfg(test)]
mod tests;
