//! The serializer: a checked stack becomes Terraform JSON.
//!
//! This is the one place where escaping happens. Literal text (values and
//! the keys of attribute maps, which Terraform also reads as templates) has
//! `${` turned into `$${` and `%{` into `%%{`; expressions are rendered once,
//! inside `${ … }`. Output is deterministic: top-level sections in a fixed
//! order, blocks sorted by type and name, attributes in the order they were
//! set, empty sections omitted, two-space indentation and a final newline.

use std::borrow::Cow;

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json};

use super::block::{
    Address, Condition, DataSource, Dependency, EphemeralResource, IgnoreChanges, Lifecycle, Meta,
    Output, Provider, Resource, SourceLocation, Variable,
};
use super::expr::{Expr, Part, escape_template};
use super::module::Module;
use super::refactor::{Check, Import, Moved, Removed};
use super::terraform::TerraformSettings;
use super::value::Node;

/// Borrowed views of a stack's blocks, plus the dependencies to write.
pub(crate) struct Parts<'a> {
    pub terraform: &'a TerraformSettings,
    pub providers: &'a [Provider],
    pub variables: &'a IndexMap<String, Variable>,
    pub locals: &'a IndexMap<String, (Node, SourceLocation)>,
    pub data: &'a IndexMap<(String, String), DataSource>,
    pub ephemerals: &'a IndexMap<(String, String), EphemeralResource>,
    pub resources: &'a IndexMap<(String, String), Resource>,
    pub modules: &'a IndexMap<String, Module>,
    pub outputs: &'a IndexMap<String, Output>,
    pub moved: &'a [Moved],
    pub imports: &'a [Import],
    pub removed: &'a [Removed],
    pub checks: &'a IndexMap<String, Check>,
    pub kept: &'a IndexMap<Address, Vec<&'a Dependency>>,
}

/// Converts a node to JSON, escaping literal text.
pub fn node_to_json(node: &Node) -> Json {
    match node {
        Node::Null => Json::Null,
        Node::Bool(b) => Json::Bool(*b),
        Node::Number(n) => n.to_json().map(Json::Number).unwrap_or(Json::Null),
        Node::String(text) => Json::String(escape_template_cow(text).into_owned()),
        Node::Expr(expr) => expr_to_json(expr),
        Node::List(items) => Json::Array(items.iter().map(node_to_json).collect()),
        Node::Map(items) => Json::Object(
            items
                .iter()
                .map(|(k, v)| (escape_template(k), node_to_json(v)))
                .collect(),
        ),
    }
}

/// Converts an expression to the JSON string Terraform evaluates.
pub fn expr_to_json(expr: &Expr) -> Json {
    match expr {
        Expr::Lit(node) => node_to_json(node),
        Expr::Template(parts) => {
            let mut text = String::new();
            for part in parts {
                match part {
                    Part::Text(t) => text.push_str(&escape_template(t)),
                    Part::Expr(e) => {
                        text.push_str("${");
                        text.push_str(&e.to_hcl());
                        text.push('}');
                    }
                }
            }
            Json::String(text)
        }
        other => Json::String(format!("${{{}}}", other.to_hcl())),
    }
}

fn object(items: impl IntoIterator<Item = (String, Json)>) -> Json {
    Json::Object(items.into_iter().collect())
}

/// [`escape_template`] without copying text that needs no escaping.
fn escape_template_cow(text: &str) -> Cow<'_, str> {
    if text.contains("${") || text.contains("%{") {
        Cow::Owned(escape_template(text))
    } else {
        Cow::Borrowed(text)
    }
}

fn body_to_json(body: &IndexMap<String, Node>) -> Map<String, Json> {
    body.iter()
        .map(|(k, v)| (k.clone(), node_to_json(v)))
        .collect()
}

fn lifecycle_to_json(lifecycle: &Lifecycle) -> Json {
    let mut out = Map::new();
    if lifecycle.create_before_destroy {
        out.insert("create_before_destroy".into(), Json::Bool(true));
    }
    if lifecycle.prevent_destroy {
        out.insert("prevent_destroy".into(), Json::Bool(true));
    }
    match &lifecycle.ignore_changes {
        Some(IgnoreChanges::All) => {
            out.insert("ignore_changes".into(), Json::String("all".into()));
        }
        Some(IgnoreChanges::Attributes(attrs)) => {
            out.insert(
                "ignore_changes".into(),
                Json::Array(attrs.iter().cloned().map(Json::String).collect()),
            );
        }
        None => {}
    }
    if !lifecycle.replace_triggered_by.is_empty() {
        // References only, written without `${}`: Terraform reads them statically.
        out.insert(
            "replace_triggered_by".into(),
            Json::Array(
                lifecycle
                    .replace_triggered_by
                    .iter()
                    .map(|e| Json::String(e.to_hcl()))
                    .collect(),
            ),
        );
    }
    for (key, conditions) in [
        ("precondition", &lifecycle.preconditions),
        ("postcondition", &lifecycle.postconditions),
    ] {
        if !conditions.is_empty() {
            out.insert(key.into(), conditions_to_json(conditions));
        }
    }
    Json::Object(out)
}

/// Custom conditions: a list of `{condition, error_message}` objects.
pub(crate) fn conditions_to_json(conditions: &[Condition]) -> Json {
    Json::Array(
        conditions
            .iter()
            .map(|c| {
                object([
                    ("condition".to_owned(), expr_to_json(&c.condition)),
                    (
                        "error_message".to_owned(),
                        Json::String(escape_template(&c.error_message)),
                    ),
                ])
            })
            .collect(),
    )
}

/// The `"//"` comment object: reasons for dependencies and policy waivers.
/// Terraform ignores it; `tfsynth graph` and `tfsynth validate` read it.
fn comment(deps: &[&Dependency], waivers: &IndexMap<String, String>) -> Option<Json> {
    let mut out = Map::new();
    if !deps.is_empty() {
        out.insert(
            "depends_on".into(),
            object(
                deps.iter()
                    .map(|d| (d.target.to_string(), Json::String(d.reason.clone()))),
            ),
        );
    }
    if !waivers.is_empty() {
        out.insert(
            "waive".into(),
            object(
                waivers
                    .iter()
                    .map(|(rule, reason)| (rule.clone(), Json::String(reason.clone()))),
            ),
        );
    }
    (!out.is_empty()).then_some(Json::Object(out))
}

fn variable_to_json(var: &Variable) -> Json {
    let mut out = Map::new();
    if let Some(ty) = &var.ty {
        out.insert("type".into(), Json::String(ty.to_string()));
    }
    if let Some(default) = &var.default {
        out.insert("default".into(), node_to_json(default));
    }
    if let Some(description) = &var.description {
        out.insert(
            "description".into(),
            Json::String(escape_template(description)),
        );
    }
    if var.sensitive {
        out.insert("sensitive".into(), Json::Bool(true));
    }
    if let Some(nullable) = var.nullable {
        out.insert("nullable".into(), Json::Bool(nullable));
    }
    if !var.validations.is_empty() {
        out.insert(
            "validation".into(),
            Json::Array(
                var.validations
                    .iter()
                    .map(|(condition, message)| {
                        object([
                            ("condition".to_owned(), expr_to_json(condition)),
                            (
                                "error_message".to_owned(),
                                Json::String(escape_template(message)),
                            ),
                        ])
                    })
                    .collect(),
            ),
        );
    }
    Json::Object(out)
}

fn output_to_json(output: &Output, kept: &[&Dependency]) -> Json {
    let mut out = Map::new();
    out.insert("value".into(), node_to_json(&output.value));
    if let Some(description) = &output.description {
        out.insert(
            "description".into(),
            Json::String(escape_template(description)),
        );
    }
    if output.sensitive {
        out.insert("sensitive".into(), Json::Bool(true));
    }
    if !output.preconditions.is_empty() {
        out.insert(
            "precondition".into(),
            conditions_to_json(&output.preconditions),
        );
    }
    depends_on_to_json(&mut out, kept);
    Json::Object(out)
}

/// The `depends_on` an output or module call keeps, with its reasons in
/// the `"//"` comment.
fn depends_on_to_json(out: &mut Map<String, Json>, kept: &[&Dependency]) {
    if !kept.is_empty() {
        out.insert(
            "depends_on".into(),
            Json::Array(
                kept.iter()
                    .map(|d| Json::String(d.target.to_string()))
                    .collect(),
            ),
        );
    }
    if let Some(c) = comment(kept, &IndexMap::new()) {
        out.insert("//".into(), c);
    }
}

/// A module call: source and version first, then the inputs, then the
/// meta-arguments.
fn module_to_json(module: &Module, kept: &[&Dependency]) -> Json {
    let mut out = Map::new();
    // Terraform reads source and version literally: no template escapes.
    out.insert("source".into(), Json::String(module.source.clone()));
    if let Some(version) = &module.version {
        out.insert("version".into(), Json::String(version.clone()));
    }
    out.extend(body_to_json(&module.inputs));
    if let Some(count) = &module.count {
        out.insert("count".into(), node_to_json(count));
    }
    if let Some(for_each) = &module.for_each {
        out.insert("for_each".into(), node_to_json(for_each));
    }
    if !module.providers.is_empty() {
        out.insert(
            "providers".into(),
            object(
                module
                    .providers
                    .iter()
                    .map(|(name, p)| (name.clone(), Json::String(p.to_string()))),
            ),
        );
    }
    depends_on_to_json(&mut out, kept);
    Json::Object(out)
}

fn providers_to_json(providers: &[Provider]) -> Json {
    let mut sorted: Vec<&Provider> = providers.iter().collect();
    sorted.sort_by(|a, b| (&a.name, &a.alias).cmp(&(&b.name, &b.alias)));
    let mut out = Map::new();
    for provider in sorted {
        let mut body = Map::new();
        if let Some(alias) = &provider.alias {
            body.insert("alias".into(), Json::String(alias.clone()));
        }
        body.extend(body_to_json(&provider.body));
        let entry = out
            .entry(provider.name.clone())
            .or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(list) = entry {
            list.push(Json::Object(body));
        }
    }
    Json::Object(out)
}

/// A node serialized straight to the output, with no JSON tree in between.
struct SerNode<'a>(&'a Node);

impl Serialize for SerNode<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => match n.to_json() {
                Some(number) => number.serialize(s),
                None => s.serialize_unit(),
            },
            Node::String(text) => s.serialize_str(&escape_template_cow(text)),
            Node::Expr(expr) => expr_to_json(expr).serialize(s),
            Node::List(items) => s.collect_seq(items.iter().map(SerNode)),
            Node::Map(items) => {
                let mut map = s.serialize_map(Some(items.len()))?;
                for (key, value) in items {
                    map.serialize_entry(&escape_template_cow(key), &SerNode(value))?;
                }
                map.end()
            }
        }
    }
}

/// A resource or data source block: body, meta-arguments, comment.
struct SerBlock<'a> {
    body: &'a IndexMap<String, Node>,
    meta: &'a Meta,
    kept: &'a [&'a Dependency],
}

impl Serialize for SerBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (key, value) in self.body {
            map.serialize_entry(key, &SerNode(value))?;
        }
        if let Some(count) = &self.meta.count {
            map.serialize_entry("count", &SerNode(count))?;
        }
        if let Some(for_each) = &self.meta.for_each {
            map.serialize_entry("for_each", &SerNode(for_each))?;
        }
        if let Some(provider) = &self.meta.provider {
            map.serialize_entry("provider", &provider.to_string())?;
        }
        if !self.kept.is_empty() {
            let targets: Vec<String> = self.kept.iter().map(|d| d.target.to_string()).collect();
            map.serialize_entry("depends_on", &targets)?;
        }
        if let Some(lifecycle) = &self.meta.lifecycle {
            map.serialize_entry("lifecycle", &lifecycle_to_json(lifecycle))?;
        }
        if let Some(c) = comment(self.kept, &self.meta.waivers) {
            map.serialize_entry("//", &c)?;
        }
        map.end()
    }
}

/// Blocks grouped by type, both levels sorted by name.
struct SerTyped<'a>(Vec<(&'a str, Vec<(&'a str, SerBlock<'a>)>)>);

impl<'a> SerTyped<'a> {
    fn new(blocks: impl Iterator<Item = (&'a str, &'a str, SerBlock<'a>)>) -> Self {
        let mut sorted: Vec<_> = blocks.collect();
        sorted.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let mut groups: Vec<(&str, Vec<(&str, SerBlock)>)> = Vec::new();
        for (ty, name, block) in sorted {
            match groups.last_mut() {
                Some((last, items)) if *last == ty => items.push((name, block)),
                _ => groups.push((ty, vec![(name, block)])),
            }
        }
        SerTyped(groups)
    }
}

impl Serialize for SerTyped<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (ty, items) in &self.0 {
            map.serialize_entry(ty, &SerNamed(items))?;
        }
        map.end()
    }
}

struct SerNamed<'a, 'b>(&'b [(&'a str, SerBlock<'a>)]);

impl Serialize for SerNamed<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, block) in self.0 {
            map.serialize_entry(name, block)?;
        }
        map.end()
    }
}

/// One resource or data source, ready for [`SerTyped::new`]: the two are
/// written alike, only their addresses (and so their kept dependencies) differ.
fn entry<'a>(
    ty: &'a str,
    name: &'a str,
    body: &'a IndexMap<String, Node>,
    meta: &'a Meta,
    kept: &'a [&'a Dependency],
) -> (&'a str, &'a str, SerBlock<'a>) {
    (ty, name, SerBlock { body, meta, kept })
}

/// The whole document, top-level sections in their fixed order.
struct SerRoot<'a> {
    small: Vec<(&'static str, Json)>,
    locals: Vec<(&'a String, &'a Node)>,
    data: Option<SerTyped<'a>>,
    ephemerals: Option<SerTyped<'a>>,
    resources: Option<SerTyped<'a>>,
    modules: Option<Json>,
    outputs: Option<Json>,
    state: Vec<(&'static str, Json)>,
    checks: Vec<(&'a str, SerCheck<'a>)>,
}

/// A check block: its scoped data sources and assertions.
struct SerCheck<'a> {
    data: Option<SerTyped<'a>>,
    asserts: Json,
}

impl Serialize for SerCheck<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(data) = &self.data {
            map.serialize_entry("data", data)?;
        }
        map.serialize_entry("assert", &self.asserts)?;
        map.end()
    }
}

impl Serialize for SerRoot<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (key, value) in &self.small {
            map.serialize_entry(key, value)?;
        }
        if !self.locals.is_empty() {
            map.serialize_entry("locals", &SerLocals(&self.locals))?;
        }
        if let Some(data) = &self.data {
            map.serialize_entry("data", data)?;
        }
        if let Some(ephemerals) = &self.ephemerals {
            map.serialize_entry("ephemeral", ephemerals)?;
        }
        if let Some(resources) = &self.resources {
            map.serialize_entry("resource", resources)?;
        }
        if let Some(modules) = &self.modules {
            map.serialize_entry("module", modules)?;
        }
        if let Some(outputs) = &self.outputs {
            map.serialize_entry("output", outputs)?;
        }
        for (key, value) in &self.state {
            map.serialize_entry(key, value)?;
        }
        if !self.checks.is_empty() {
            map.serialize_entry("check", &SerChecks(&self.checks))?;
        }
        map.end()
    }
}

struct SerChecks<'a, 'b>(&'b [(&'a str, SerCheck<'a>)]);

impl Serialize for SerChecks<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, check) in self.0 {
            map.serialize_entry(name, check)?;
        }
        map.end()
    }
}

/// `moved`, `import` and `removed`, each a list in declaration order.
/// Their addresses are static references, written without `${}`.
fn state_blocks(parts: &Parts<'_>) -> Vec<(&'static str, Json)> {
    let mut out = Vec::new();
    if !parts.moved.is_empty() {
        out.push((
            "moved",
            Json::Array(
                parts
                    .moved
                    .iter()
                    .map(|m| {
                        object([
                            ("from".to_owned(), Json::String(m.from.to_string())),
                            ("to".to_owned(), Json::String(m.to.to_string())),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    if !parts.imports.is_empty() {
        out.push((
            "import",
            Json::Array(
                parts
                    .imports
                    .iter()
                    .map(|i| {
                        let mut items = vec![
                            ("to".to_owned(), Json::String(i.to.to_string())),
                            ("id".to_owned(), node_to_json(&i.id)),
                        ];
                        if let Some(p) = &i.provider {
                            items.push(("provider".to_owned(), Json::String(p.to_string())));
                        }
                        object(items)
                    })
                    .collect(),
            ),
        ));
    }
    if !parts.removed.is_empty() {
        out.push((
            "removed",
            Json::Array(
                parts
                    .removed
                    .iter()
                    .map(|r| {
                        object([
                            ("from".to_owned(), Json::String(r.from.to_string())),
                            (
                                "lifecycle".to_owned(),
                                object([("destroy".to_owned(), Json::Bool(r.destroy))]),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    out
}

struct SerLocals<'a, 'b>(&'b [(&'a String, &'a Node)]);

impl Serialize for SerLocals<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, &SerNode(value))?;
        }
        map.end()
    }
}

/// Renders the whole stack. Resources, data sources and locals, which make
/// up nearly all of a large stack, stream straight into the output.
pub(crate) fn render(parts: &Parts<'_>) -> String {
    let no_deps: Vec<&Dependency> = Vec::new();
    let kept = |address: Address| -> &[&Dependency] {
        parts.kept.get(&address).map_or(&no_deps[..], |v| &v[..])
    };
    let mut small = Vec::new();
    if !parts.terraform.is_empty() {
        small.push(("terraform", node_to_json(&parts.terraform.to_node())));
    }
    if !parts.providers.is_empty() {
        small.push(("provider", providers_to_json(parts.providers)));
    }
    if !parts.variables.is_empty() {
        let mut vars: Vec<_> = parts.variables.iter().collect();
        vars.sort_by(|a, b| a.0.cmp(b.0));
        small.push((
            "variable",
            object(
                vars.into_iter()
                    .map(|(name, var)| (name.clone(), variable_to_json(var))),
            ),
        ));
    }
    let mut locals: Vec<(&String, &Node)> = parts
        .locals
        .iter()
        .map(|(name, (value, _))| (name, value))
        .collect();
    locals.sort_by(|a, b| a.0.cmp(b.0));
    let data = (!parts.data.is_empty()).then(|| {
        SerTyped::new(parts.data.values().map(|b| {
            entry(
                &b.ty,
                &b.name,
                &b.body,
                &b.meta,
                kept(Address::Data {
                    ty: b.ty.clone(),
                    name: b.name.clone(),
                }),
            )
        }))
    });
    let ephemerals = (!parts.ephemerals.is_empty()).then(|| {
        SerTyped::new(parts.ephemerals.values().map(|b| {
            entry(
                &b.ty,
                &b.name,
                &b.body,
                &b.meta,
                kept(Address::Ephemeral {
                    ty: b.ty.clone(),
                    name: b.name.clone(),
                }),
            )
        }))
    });
    let resources = (!parts.resources.is_empty()).then(|| {
        SerTyped::new(parts.resources.values().map(|b| {
            entry(
                &b.ty,
                &b.name,
                &b.body,
                &b.meta,
                kept(Address::Resource {
                    ty: b.ty.clone(),
                    name: b.name.clone(),
                }),
            )
        }))
    });
    let modules = (!parts.modules.is_empty()).then(|| {
        let mut modules: Vec<_> = parts.modules.iter().collect();
        modules.sort_by(|a, b| a.0.cmp(b.0));
        object(modules.into_iter().map(|(name, m)| {
            (
                name.clone(),
                module_to_json(m, kept(Address::Module(name.clone()))),
            )
        }))
    });
    let outputs = (!parts.outputs.is_empty()).then(|| {
        let mut outputs: Vec<_> = parts.outputs.iter().collect();
        outputs.sort_by(|a, b| a.0.cmp(b.0));
        object(outputs.into_iter().map(|(name, o)| {
            (
                name.clone(),
                output_to_json(o, kept(Address::Output(name.clone()))),
            )
        }))
    });
    let no_kept: Vec<&Dependency> = Vec::new();
    let checks = parts
        .checks
        .iter()
        .map(|(name, check)| {
            let data = (!check.scope.data.is_empty()).then(|| {
                SerTyped::new(
                    check
                        .scope
                        .data
                        .values()
                        .map(|b| entry(&b.ty, &b.name, &b.body, &b.meta, &no_kept[..])),
                )
            });
            (
                name.as_str(),
                SerCheck {
                    data,
                    asserts: conditions_to_json(&check.asserts),
                },
            )
        })
        .collect();
    let root = SerRoot {
        small,
        locals,
        data,
        ephemerals,
        resources,
        modules,
        outputs,
        state: state_blocks(parts),
        checks,
    };
    let mut bytes = Vec::with_capacity(64 * 1024);
    serde_json::to_writer_pretty(&mut bytes, &root).expect("serializing to memory cannot fail");
    bytes.push(b'\n');
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::expr::Ref;
    use serde_json::json;

    #[test]
    fn escaping_rules() {
        let check = |node: Node, expect: Json| assert_eq!(node_to_json(&node), expect);
        check(Node::from("plain"), json!("plain"));
        check(Node::from("echo ${HOME}"), json!("echo $${HOME}"));
        check(Node::from("%{ if x }"), json!("%%{ if x }"));
        check(
            Node::from("arn:aws:s3:::b/${aws:username}/*"),
            json!("arn:aws:s3:::b/$${aws:username}/*"),
        );
        check(Node::map_of([("${k}", "v")]), json!({"$${k}": "v"}));
        check(
            Node::from(Expr::Ref(Ref::Var("x".into()))),
            json!("${var.x}"),
        );
        check(
            Node::from(Expr::Template(vec![
                Part::Text("${lit} ".into()),
                Part::Expr(Expr::Ref(Ref::Var("x".into()))),
            ])),
            json!("$${lit} ${var.x}"),
        );
        check(
            Node::from(Expr::call("upper", vec!["${not a ref}".into()])),
            json!("${upper(\"$${not a ref}\")}"),
        );
        check(Node::from(f64::NAN), Json::Null);
        check(Node::list_of([1, 2]), json!([1, 2]));
    }

    #[test]
    fn lifecycle_shapes() {
        assert_eq!(
            lifecycle_to_json(
                &Lifecycle::new()
                    .create_before_destroy()
                    .prevent_destroy()
                    .ignore_changes(["tags"])
            ),
            json!({"create_before_destroy": true, "prevent_destroy": true, "ignore_changes": ["tags"]})
        );
        assert_eq!(
            lifecycle_to_json(&Lifecycle::new().ignore_all_changes()),
            json!({"ignore_changes": "all"})
        );
    }
}
