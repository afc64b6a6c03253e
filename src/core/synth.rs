//! The serializer: a checked stack becomes Terraform JSON.
//!
//! This is the one place where escaping happens. Literal text (values and
//! the keys of attribute maps, which Terraform also reads as templates) has
//! `${` turned into `$${` and `%{` into `%%{`; expressions are rendered once,
//! inside `${ … }`. Output is deterministic: top-level sections in a fixed
//! order, blocks sorted by type and name, attributes in the order they were
//! set, empty sections omitted, two-space indentation and a final newline.

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

use super::block::{
    Address, DataSource, Dependency, IgnoreChanges, Lifecycle, Meta, Output, Provider, Resource,
    SourceLocation, Variable,
};
use super::expr::{Expr, Part, escape_template};
use super::stack::Stack;
use super::terraform::TerraformSettings;
use super::value::Node;

/// Borrowed views of a stack's blocks, plus the dependencies to write.
pub(crate) struct Parts<'a> {
    pub terraform: &'a TerraformSettings,
    pub providers: &'a [Provider],
    pub variables: &'a IndexMap<String, Variable>,
    pub locals: &'a IndexMap<String, (Node, SourceLocation)>,
    pub data: &'a IndexMap<(String, String), DataSource>,
    pub resources: &'a IndexMap<(String, String), Resource>,
    pub outputs: &'a IndexMap<String, Output>,
    pub kept: &'a IndexMap<Address, Vec<&'a Dependency>>,
}

/// Converts a node to JSON, escaping literal text.
pub fn node_to_json(node: &Node) -> Json {
    match node {
        Node::Null => Json::Null,
        Node::Bool(b) => Json::Bool(*b),
        Node::Number(n) => n.to_json().map(Json::Number).unwrap_or(Json::Null),
        Node::String(text) => Json::String(escape_template(text)),
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
    Json::Object(out)
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

fn block_to_json(body: &IndexMap<String, Node>, meta: &Meta, kept: &[&Dependency]) -> Json {
    let mut out = body_to_json(body);
    if let Some(count) = &meta.count {
        out.insert("count".into(), node_to_json(count));
    }
    if let Some(for_each) = &meta.for_each {
        out.insert("for_each".into(), node_to_json(for_each));
    }
    if let Some(provider) = &meta.provider {
        out.insert("provider".into(), Json::String(provider.to_string()));
    }
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
    if let Some(lifecycle) = &meta.lifecycle {
        out.insert("lifecycle".into(), lifecycle_to_json(lifecycle));
    }
    if let Some(c) = comment(kept, &meta.waivers) {
        out.insert("//".into(), c);
    }
    Json::Object(out)
}

/// Groups blocks by type, both levels sorted by name.
fn typed_blocks<'a, B: 'a>(
    blocks: impl Iterator<Item = (&'a (String, String), &'a B)>,
    mut render: impl FnMut(&'a B) -> Json,
) -> Json {
    let mut sorted: Vec<_> = blocks.collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Map::new();
    for ((ty, name), block) in sorted {
        let entry = out
            .entry(ty.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(by_name) = entry {
            by_name.insert(name.clone(), render(block));
        }
    }
    Json::Object(out)
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

/// Renders the whole stack.
pub(crate) fn render(_stack: &Stack, parts: &Parts<'_>) -> String {
    let no_deps: Vec<&Dependency> = Vec::new();
    let kept = |address: Address| -> &[&Dependency] {
        parts.kept.get(&address).map_or(&no_deps[..], |v| &v[..])
    };
    let mut root = Map::new();
    if !parts.terraform.is_empty() {
        root.insert("terraform".into(), node_to_json(&parts.terraform.to_node()));
    }
    if !parts.providers.is_empty() {
        root.insert("provider".into(), providers_to_json(parts.providers));
    }
    if !parts.variables.is_empty() {
        let mut vars: Vec<_> = parts.variables.iter().collect();
        vars.sort_by(|a, b| a.0.cmp(b.0));
        root.insert(
            "variable".into(),
            object(
                vars.into_iter()
                    .map(|(name, var)| (name.clone(), variable_to_json(var))),
            ),
        );
    }
    if !parts.locals.is_empty() {
        let mut locals: Vec<_> = parts.locals.iter().collect();
        locals.sort_by(|a, b| a.0.cmp(b.0));
        root.insert(
            "locals".into(),
            object(
                locals
                    .into_iter()
                    .map(|(name, (value, _))| (name.clone(), node_to_json(value))),
            ),
        );
    }
    if !parts.data.is_empty() {
        root.insert(
            "data".into(),
            typed_blocks(parts.data.iter(), |b| {
                block_to_json(
                    &b.body,
                    &b.meta,
                    kept(Address::Data {
                        ty: b.ty.clone(),
                        name: b.name.clone(),
                    }),
                )
            }),
        );
    }
    if !parts.resources.is_empty() {
        root.insert(
            "resource".into(),
            typed_blocks(parts.resources.iter(), |b| {
                block_to_json(
                    &b.body,
                    &b.meta,
                    kept(Address::Resource {
                        ty: b.ty.clone(),
                        name: b.name.clone(),
                    }),
                )
            }),
        );
    }
    if !parts.outputs.is_empty() {
        let mut outputs: Vec<_> = parts.outputs.iter().collect();
        outputs.sort_by(|a, b| a.0.cmp(b.0));
        root.insert(
            "output".into(),
            object(outputs.into_iter().map(|(name, o)| {
                (
                    name.clone(),
                    output_to_json(o, kept(Address::Output(name.clone()))),
                )
            })),
        );
    }
    let mut text =
        serde_json::to_string_pretty(&Json::Object(root)).expect("JSON values always serialize");
    text.push('\n');
    text
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
