//! Reference checks: every `var.`, `local.`, `data.`, resource and module
//! reference must name something the configuration declares, and an
//! attribute read from a typed block must exist in its schema.

use super::Declared;
use super::schemas::Schemas;
use super::view::BlockView as Block;
use crate::hcl::{Step, Traversal};
use crate::provider::Kind;
use crate::suggest;

/// What a template's surroundings allow.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    /// Inside a block with `count`: `count.index` is allowed.
    pub count: bool,
    /// Inside a block with `for_each`: `each.key` and `each.value` are allowed.
    pub each: bool,
    /// The iterators of the `dynamic` blocks around the template.
    pub iterators: Vec<String>,
}

impl Scope {
    /// Anything a block may refer to, for meta-arguments that allow it all.
    pub fn everything() -> Scope {
        Scope {
            count: true,
            each: true,
            iterators: Vec::new(),
        }
    }
}

fn hint<'a>(input: &str, candidates: impl IntoIterator<Item = &'a String>) -> String {
    suggest::did_you_mean(input, candidates.into_iter().map(String::as_str))
}

fn first_attr(t: &Traversal, n: usize) -> Option<&str> {
    match t.steps.get(n) {
        Some(Step::Attr(name)) => Some(name),
        _ => None,
    }
}

/// The instance key rule for a reference to a declared block: one with
/// `count` or `for_each` is read through an instance key (`[0]`, `["a"]`)
/// or a splat, one without them takes no key.
fn instance_key(
    t: &Traversal,
    skip: usize,
    address: &str,
    d: &Declared,
) -> Option<(&'static str, String)> {
    let repeated = d.repeated.contains(address);
    match t.steps.get(skip) {
        Some(Step::Index(_) | Step::Key(_)) if !repeated => Some((
            "instance-key",
            format!(
                "{address} has no count or for_each, so a reference to it takes no index key: remove the brackets"
            ),
        )),
        Some(Step::Attr(attr)) if repeated => Some((
            "instance-key",
            format!(
                "{address} has count or for_each, so its attributes are read from one instance, as in {address}[0].{attr}, or from all with {address}[*].{attr}"
            ),
        )),
        _ => None,
    }
}

/// Checks an attribute read from a block of a known type.
fn attribute(
    block: Block<'_>,
    t: &Traversal,
    skip: usize,
    what: &str,
) -> Option<(&'static str, String)> {
    let attr = t.attr_after(skip)?;
    if block.has(attr) {
        return None;
    }
    let names: Vec<String> = block
        .attributes()
        .keys()
        .cloned()
        .chain(block.block_types().map(|(k, _)| k.to_owned()))
        .collect();
    Some((
        "unknown-reference-attribute",
        format!("{what} has no attribute {attr:?}{}", hint(attr, &names)),
    ))
}

/// The problem with one reference, if any: (rule, message).
pub(crate) fn check(
    t: &Traversal,
    d: &Declared,
    scope: &Scope,
    schemas: &Schemas,
) -> Option<(&'static str, String)> {
    // The schema of a declared block of type `ty`, from the provider its name implies.
    let schema_of = |kind: Kind, ty: &str| -> Option<Block<'_>> {
        let local = ty.split('_').next().unwrap_or(ty);
        schemas
            .provider(local, &d.required_providers)?
            .schema(kind, ty)
    };
    // `shown` is what the message names; `name` is compared with the declared names.
    let undeclared_as =
        |what: &str, shown: &str, name: &str, declared: &mut dyn Iterator<Item = &String>| {
            let names: Vec<&String> = declared.collect();
            Some((
                "undeclared-reference",
                format!(
                    "reference to undeclared {what} {shown:?}{}",
                    hint(name, names)
                ),
            ))
        };
    let undeclared = |what: &str, name: &str, declared: &mut dyn Iterator<Item = &String>| {
        undeclared_as(what, name, name, declared)
    };
    if scope.iterators.contains(&t.root) {
        return match first_attr(t, 0) {
            Some("key" | "value") => None,
            _ => Some((
                "invalid-reference",
                format!(
                    "{0} is a dynamic block's iterator: use {0}.key or {0}.value",
                    t.root
                ),
            )),
        };
    }
    match t.root.as_str() {
        "var" => {
            let name = first_attr(t, 0)?;
            (!d.variables.contains(name))
                .then(|| undeclared("variable", name, &mut d.variables.iter()))
                .flatten()
        }
        "local" => {
            let name = first_attr(t, 0)?;
            (!d.locals.contains(name))
                .then(|| undeclared("local value", name, &mut d.locals.iter()))
                .flatten()
        }
        "module" => {
            let name = first_attr(t, 0)?;
            (!d.modules.contains(name))
                .then(|| undeclared("module", name, &mut d.modules.iter()))
                .flatten()
        }
        "count" => match first_attr(t, 0) {
            _ if !scope.count => Some((
                "invalid-reference",
                "count.index is only valid in a block with count".into(),
            )),
            Some("index") | None => None,
            Some(other) => Some((
                "invalid-reference",
                format!("count has no attribute {other:?}; only count.index"),
            )),
        },
        "each" => match first_attr(t, 0) {
            _ if !scope.each => Some((
                "invalid-reference",
                "each.key and each.value are only valid in a block with for_each".into(),
            )),
            Some("key" | "value") | None => None,
            Some(other) => Some((
                "invalid-reference",
                format!("each has no attribute {other:?}; only each.key and each.value"),
            )),
        },
        "path" | "terraform" | "self" => None,
        "data" => {
            let (ty, name) = (first_attr(t, 0)?, first_attr(t, 1)?);
            let address = format!("data.{ty}.{name}");
            match d.data.get(ty) {
                Some(names) if names.contains(name) => instance_key(t, 2, &address, d)
                    .or_else(|| attribute(schema_of(Kind::Data, ty)?, t, 2, &address)),
                Some(names) => undeclared_as("data source", &address, name, &mut names.iter()),
                None => undeclared("data source", &address, &mut std::iter::empty()),
            }
        }
        "ephemeral" => {
            let (ty, name) = (first_attr(t, 0)?, first_attr(t, 1)?);
            let address = format!("ephemeral.{ty}.{name}");
            match d.ephemerals.get(ty) {
                Some(names) if names.contains(name) => {
                    attribute(schema_of(Kind::Ephemeral, ty)?, t, 2, &address)
                }
                Some(names) => {
                    undeclared_as("ephemeral resource", &address, name, &mut names.iter())
                }
                None => undeclared("ephemeral resource", &address, &mut std::iter::empty()),
            }
        }
        ty => {
            let Some(name) = first_attr(t, 0) else {
                return Some((
                    "invalid-reference",
                    format!(
                        "{ty:?} is not a value: a reference names a block, as in {ty}.<name>.<attribute>"
                    ),
                ));
            };
            let address = format!("{ty}.{name}");
            match d.resources.get(ty) {
                Some(names) if names.contains(name) => instance_key(t, 1, &address, d)
                    .or_else(|| attribute(schema_of(Kind::Resource, ty)?, t, 1, &address)),
                Some(names) => undeclared_as("resource", &address, name, &mut names.iter()),
                None => {
                    let types: Vec<String> = d.resources.keys().cloned().collect();
                    Some((
                        "undeclared-reference",
                        format!(
                            "reference to undeclared resource {address:?}{}",
                            hint(ty, &types)
                        ),
                    ))
                }
            }
        }
    }
}
