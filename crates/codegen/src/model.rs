//! The binding model of one provider type: its constructor arguments,
//! setters, getters and nested block structs.
//!
//! Nested blocks with the same shape share one struct within a type. The
//! AWS provider repeats whole subtrees (a QuickSight dashboard nests the
//! same formatting blocks thousands of times); sharing turns its 49,419
//! nested blocks into 5,362 structs, which is most of the difference
//! between a binding that compiles in minutes and one that does not.

use std::collections::{BTreeMap, HashMap};

use tfsynth_schema::{Attribute, Block, NestedBlock, NestingMode, Schema, TypeExpr};

use crate::names::{RESERVED_TYPES, camel, ident};

/// Which top-level section a type lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeKind {
    /// `resource`
    Resource,
    /// `data`
    Data,
    /// `ephemeral`
    Ephemeral,
}

impl TypeKind {
    /// The module the type's file goes in.
    pub fn module(self) -> &'static str {
        match self {
            TypeKind::Resource => "resource",
            TypeKind::Data => "data",
            TypeKind::Ephemeral => "ephemeral",
        }
    }

    /// The kind in words.
    pub fn words(self) -> &'static str {
        match self {
            TypeKind::Resource => "resource",
            TypeKind::Data => "data source",
            TypeKind::Ephemeral => "ephemeral resource",
        }
    }

    /// The struct name prefix: `Data` for `DataAwsAmi`.
    pub fn prefix(self) -> &'static str {
        match self {
            TypeKind::Resource => "",
            TypeKind::Data => "Data",
            TypeKind::Ephemeral => "Ephemeral",
        }
    }

    /// The engine's raw builder, handle and builder trait.
    pub fn engine(self) -> (&'static str, &'static str, &'static str) {
        match self {
            TypeKind::Resource => ("Resource", "ResourceRef", "ResourceBlock"),
            TypeKind::Data => ("DataSource", "DataRef", "DataBlock"),
            TypeKind::Ephemeral => ("EphemeralResource", "EphemeralRef", "EphemeralBlock"),
        }
    }
}

/// How a nested block argument is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// At most one: the setter replaces it.
    Single,
    /// A list or set: each call adds one.
    Repeated,
    /// Keyed by a label.
    Map,
}

/// What a member sets.
#[derive(Clone, Debug)]
pub enum MemberKind {
    /// An attribute of this `Value<T>` marker.
    Attr {
        /// The marker, `String`, `Vec<Number>`, ...
        marker: String,
    },
    /// A nested block given as this struct.
    Block {
        /// The struct's name.
        struct_name: String,
        /// How it is given.
        mode: Mode,
    },
}

/// One argument or nested block of a block.
#[derive(Clone, Debug)]
pub struct Member {
    /// The Terraform name.
    pub name: String,
    /// The Rust name.
    pub ident: String,
    /// What it sets.
    pub kind: MemberKind,
    /// Documentation lines.
    pub doc: Vec<String>,
    /// Deprecated by the provider.
    pub deprecated: bool,
}

/// The members of one block.
#[derive(Clone, Debug, Default)]
pub struct Members {
    /// Constructor arguments.
    pub required: Vec<Member>,
    /// Builder methods.
    pub optional: Vec<Member>,
}

/// A nested block struct.
#[derive(Clone, Debug)]
pub struct Nested {
    /// The struct's name.
    pub struct_name: String,
    /// The name of its required-arguments struct, when it has two or more.
    pub args_name: Option<String>,
    /// Documentation lines.
    pub doc: Vec<String>,
    /// Its members.
    pub members: Members,
    /// Other names for the same shape where a block of another name uses it:
    /// (alias, the alias of the args struct when there is one).
    pub aliases: Vec<(String, Option<String>)>,
}

/// One getter of a handle.
#[derive(Clone, Debug)]
pub struct Getter {
    /// The Terraform name.
    pub name: String,
    /// The Rust name.
    pub ident: String,
    /// `Some(marker)` for `Value<marker>`, `None` for an `Expr`.
    pub marker: Option<String>,
    /// The one-line doc.
    pub doc: String,
}

/// Everything one type's file holds.
#[derive(Clone, Debug)]
pub struct TypeModel {
    /// Its section.
    pub kind: TypeKind,
    /// The Terraform type name.
    pub tf_type: String,
    /// The builder struct.
    pub struct_name: String,
    /// The handle struct.
    pub handle_name: String,
    /// The required-arguments struct, when there are two or more.
    pub args_name: Option<String>,
    /// Documentation lines.
    pub doc: Vec<String>,
    /// The top-level members.
    pub members: Members,
    /// The handle's getters.
    pub getters: Vec<Getter>,
    /// The nested block structs, in order of first use.
    pub nested: Vec<Nested>,
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
pub fn doc_lines(description: Option<&str>, summary: String) -> Vec<String> {
    let mut lines = vec![summary];
    if let Some(text) = description.map(str::trim).filter(|t| !t.is_empty()) {
        lines.push(String::new());
        let mut in_fence = false;
        for line in text.lines().map(str::trim_end) {
            if line.trim_start().starts_with("```") {
                lines.push(if in_fence { "```" } else { "```text" }.to_owned());
                in_fence = !in_fence;
            } else if in_fence {
                lines.push(line.replace('\t', "    "));
            } else {
                // Leading spaces would make an indented code block, which
                // rustdoc compiles as a test; tabs are what clippy refuses.
                lines.push(line.trim_start().replace('<', "&lt;").replace('[', "\\["));
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
    if attr.write_only {
        parts.push("write-only: never stored in plan or state, may take an ephemeral value".into());
    }
    if attr.deprecated {
        parts.push("deprecated".into());
    }
    parts.join(", ")
}

/// Whether configuration can set anything in a block: blocks of only
/// computed attributes are read-only, but an empty block is a marker whose
/// presence is the setting (WAF's `none {}`, `count {}`, `allow {}`).
fn settable(block: &Block) -> bool {
    (block.attributes.is_empty() && block.block_types.is_empty())
        || block.attributes.values().any(Attribute::settable)
        || block.block_types.values().any(|b| settable(&b.block))
}

fn mode(nested: &NestedBlock) -> Mode {
    match nested.nesting_mode {
        NestingMode::Map => Mode::Map,
        _ if nested.is_single() => Mode::Single,
        _ => Mode::Repeated,
    }
}

/// Interns block shapes: equal shapes get one id.
#[derive(Default)]
struct Interner<'s> {
    ids: HashMap<String, usize>,
    /// Per id: the block of its first occurrence and its settable children's ids.
    blocks: Vec<(&'s Block, BTreeMap<&'s str, usize>)>,
}

impl<'s> Interner<'s> {
    /// The id of `block`'s shape, interning its settable children first.
    fn intern(&mut self, block: &'s Block) -> usize {
        let mut children = BTreeMap::new();
        let mut shape = String::new();
        for (name, a) in &block.attributes {
            shape.push_str(&format!(
                "a{name}:{}:{}{}{}{}{}{};",
                a.value_type(),
                u8::from(a.required),
                u8::from(a.optional),
                u8::from(a.computed),
                u8::from(a.sensitive),
                u8::from(a.deprecated),
                u8::from(a.write_only)
            ));
        }
        for (name, nested) in &block.block_types {
            if !settable(&nested.block) {
                continue;
            }
            let id = self.intern(&nested.block);
            children.insert(name.as_str(), id);
            shape.push_str(&format!(
                "b{name}:{:?}:{}:{}:{}:{id};",
                nested.nesting_mode,
                nested.min_items,
                nested.max_items,
                u8::from(nested.block.deprecated)
            ));
        }
        let next = self.blocks.len();
        let id = *self.ids.entry(shape).or_insert(next);
        if id == next {
            self.blocks.push((block, children));
        }
        id
    }
}

/// Walks settable nested blocks in pre-order, recording each shape's first path.
fn first_paths<'s>(
    block: &'s Block,
    interner: &Interner<'s>,
    children: &BTreeMap<&'s str, usize>,
    path: &mut Vec<&'s str>,
    out: &mut Vec<(usize, Vec<&'s str>, &'s NestedBlock)>,
    seen: &mut Vec<bool>,
) {
    for (name, id) in children {
        let nested = &block.block_types[*name];
        path.push(name);
        if !seen[*id] {
            seen[*id] = true;
            out.push((*id, path.clone(), nested));
            let grandchildren = &interner.blocks[*id].1;
            first_paths(&nested.block, interner, grandchildren, path, out, seen);
        }
        path.pop();
    }
}

/// Walks every settable nested block in pre-order and calls `visit` with
/// its shape id and path; a shape's subtree is walked once per block name.
fn all_paths<'s>(
    interner: &Interner<'s>,
    children: &BTreeMap<&'s str, usize>,
    path: &mut Vec<&'s str>,
    walked: &mut std::collections::HashSet<(usize, &'s str)>,
    visit: &mut dyn FnMut(usize, &[&'s str]),
) {
    for (name, id) in children {
        path.push(name);
        if walked.insert((*id, name)) {
            visit(*id, path);
            all_paths(interner, &interner.blocks[*id].1, path, walked, visit);
        }
        path.pop();
    }
}

fn attr_member(name: &str, attr: &Attribute) -> Member {
    Member {
        name: name.to_owned(),
        ident: ident(name),
        kind: MemberKind::Attr {
            marker: marker(&attr.value_type()),
        },
        doc: doc_lines(
            attr.description.as_deref(),
            format!("`{name}` ({}).", flags(attr)),
        ),
        deprecated: attr.deprecated,
    }
}

fn block_member(name: &str, nested: &NestedBlock, struct_name: &str) -> Member {
    let limits = match (nested.min_items, nested.max_items) {
        (0, 0) => String::new(),
        (min, 0) => format!(", at least {min}"),
        (min, max) => format!(", {min} to {max}"),
    };
    let words = format!("{:?}", nested.nesting_mode).to_lowercase();
    let how = match mode(nested) {
        Mode::Single => "",
        Mode::Repeated => " Each call adds one block.",
        Mode::Map => " Adds the block under `key`.",
    };
    Member {
        name: name.to_owned(),
        ident: ident(name),
        kind: MemberKind::Block {
            struct_name: struct_name.to_owned(),
            mode: mode(nested),
        },
        doc: doc_lines(
            nested.block.description.as_deref(),
            format!("The `{name}` block ({words}{limits}).{how}"),
        ),
        deprecated: nested.block.deprecated,
    }
}

/// The members of `block`, whose settable children have the given struct names.
fn members(block: &Block, top_level: bool, child_structs: &BTreeMap<&str, String>) -> Members {
    let mut out = Members::default();
    for (name, attr) in &block.attributes {
        // The SDK marks every resource's own `id` optional and computed; it is
        // the provider's to set. Inside nested blocks `id` is a real argument.
        if top_level && name == "id" && attr.computed {
            continue;
        }
        if attr.required {
            out.required.push(attr_member(name, attr));
        } else if attr.optional {
            out.optional.push(attr_member(name, attr));
        }
    }
    for (name, struct_name) in child_structs {
        let nested = &block.block_types[*name];
        let member = block_member(name, nested, struct_name);
        if nested.is_required() && nested.nesting_mode != NestingMode::Map {
            out.required.push(member);
        } else {
            out.optional.push(member);
        }
    }
    out
}

/// Picks a name unused so far: the shortest suffix of the path, camel-cased.
fn pick_name(path: &[&str], taken: &mut Vec<String>) -> String {
    for k in 1..=path.len() {
        let mut name = camel(&path[path.len() - k..].join("_"));
        if RESERVED_TYPES.contains(&name.as_str()) {
            name.push_str("Block");
        }
        if !RESERVED_TYPES.contains(&name.as_str())
            && !taken.contains(&name)
            && !taken.contains(&format!("{name}Args"))
        {
            taken.push(name.clone());
            return name;
        }
    }
    let base = camel(&path.join("_"));
    let mut n = 2;
    while taken.contains(&format!("{base}{n}")) {
        n += 1;
    }
    let name = format!("{base}{n}");
    taken.push(name.clone());
    name
}

/// Builds the model of one type.
pub fn type_model<'s>(kind: TypeKind, tf_type: &str, schema: &'s Schema) -> TypeModel {
    let struct_name = format!("{}{}", kind.prefix(), camel(tf_type));
    let handle_name = format!("{struct_name}Ref");
    let mut interner = Interner::default();
    let mut top_children = BTreeMap::new();
    for (name, nested) in &schema.block.block_types {
        if settable(&nested.block) {
            top_children.insert(name.as_str(), interner.intern(&nested.block));
        }
    }
    let mut order = Vec::new();
    let mut seen = vec![false; interner.blocks.len()];
    first_paths(
        &schema.block,
        &interner,
        &top_children,
        &mut Vec::new(),
        &mut order,
        &mut seen,
    );
    let mut taken = vec![
        struct_name.clone(),
        handle_name.clone(),
        format!("{struct_name}Args"),
    ];
    let mut names: Vec<String> = vec![String::new(); interner.blocks.len()];
    for (id, path, _) in &order {
        names[*id] = pick_name(path, &mut taken);
    }
    // A shape used under another block name gets that name too, as an
    // alias, so that `principals(...)` takes `Principals` even when the shape
    // was first met, and named, as `not_principals`.
    let mut aliases: HashMap<(usize, String), String> = HashMap::new();
    let mut alias_list: Vec<Vec<String>> = vec![Vec::new(); interner.blocks.len()];
    all_paths(
        &interner,
        &top_children,
        &mut Vec::new(),
        &mut Default::default(),
        &mut |id, path| {
            let last = path[path.len() - 1];
            let key = (id, last.to_owned());
            if aliases.contains_key(&key) {
                return;
            }
            let own = camel(last);
            let canonical = &names[id];
            if *canonical == own || *canonical == format!("{own}Block") {
                aliases.insert(key, canonical.clone());
                return;
            }
            let alias = pick_name(path, &mut taken);
            alias_list[id].push(alias.clone());
            aliases.insert(key, alias);
        },
    );
    let structs_of = |children: &BTreeMap<&'s str, usize>| -> BTreeMap<&'s str, String> {
        children
            .iter()
            .map(|(name, id)| {
                let name_of = aliases
                    .get(&(*id, (*name).to_owned()))
                    .cloned()
                    .unwrap_or_else(|| names[*id].clone());
                (*name, name_of)
            })
            .collect()
    };
    let nested = order
        .iter()
        .map(|(id, path, first)| {
            let (block, children) = &interner.blocks[*id];
            let members = members(block, false, &structs_of(children));
            let struct_name = names[*id].clone();
            let args_name = (members.required.len() >= 2).then(|| format!("{struct_name}Args"));
            let at = path.join(".");
            let aliases = alias_list[*id]
                .iter()
                .map(|a| (a.clone(), args_name.as_ref().map(|_| format!("{a}Args"))))
                .collect();
            Nested {
                aliases,
                doc: doc_lines(
                    first.block.description.as_deref(),
                    format!("The `{}` block (at `{at}`).", path[path.len() - 1]),
                ),
                struct_name,
                args_name,
                members,
            }
        })
        .collect();
    let members = members(&schema.block, true, &structs_of(&top_children));
    let args_name = (members.required.len() >= 2).then(|| format!("{struct_name}Args"));
    let mut getters: Vec<Getter> = schema
        .block
        .attributes
        .iter()
        // A write-only attribute is never stored, so it reads as null.
        .filter(|(_, attr)| !attr.write_only)
        .map(|(name, attr)| {
            let m = marker(&attr.value_type());
            Getter {
                name: name.clone(),
                ident: ident(name),
                marker: (m != "Node").then_some(m),
                doc: format!("`{name}` ({}).", flags(attr)),
            }
        })
        .collect();
    getters.extend(schema.block.block_types.iter().map(|(name, b)| Getter {
        name: name.clone(),
        ident: ident(name),
        marker: None,
        doc: format!("The `{name}` block ({:?}).", b.nesting_mode).to_lowercase(),
    }));
    getters.sort_by(|a, b| a.name.cmp(&b.name));
    TypeModel {
        kind,
        tf_type: tf_type.to_owned(),
        doc: doc_lines(
            schema.block.description.as_deref(),
            format!("The `{tf_type}` {}.", kind.words()),
        ),
        struct_name,
        handle_name,
        args_name,
        members,
        getters,
        nested,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
            Some("Use it:\n```hcl\nx = 1\n```\n<b>bold</b> [link]"),
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
                "&lt;b>bold&lt;/b> \\[link]"
            ]
        );
    }

    #[test]
    fn equal_shapes_share_a_struct_and_names_stay_short() {
        let label = json!({"nesting_mode": "single", "block": {"attributes": {"text": {"type": "string", "optional": true}}}});
        let other = json!({"nesting_mode": "single", "block": {"attributes": {"size": {"type": "number", "optional": true}}}});
        let schema: Schema = serde_json::from_value(json!({"block": {"block_types": {
            "x_axis": {"nesting_mode": "list", "max_items": 1, "block": {"block_types": {"label": label}}},
            "y_axis": {"nesting_mode": "list", "max_items": 1, "block": {"block_types": {"label": label}}},
            "legend": {"nesting_mode": "single", "block": {"block_types": {"label": other}}},
            "value": {"nesting_mode": "single", "block": {}},
            "computed_only": {"nesting_mode": "list", "block": {"attributes": {"c": {"type": "string", "computed": true}}}}
        }}}))
        .unwrap();
        let m = type_model(TypeKind::Resource, "aws_chart", &schema);
        let names: Vec<&str> = m.nested.iter().map(|n| n.struct_name.as_str()).collect();
        // x_axis and y_axis have one shape; legend's label differs from
        // theirs, and took the short name first; `value` would shadow Value.
        assert_eq!(
            names,
            ["Legend", "Label", "ValueBlock", "XAxis", "XAxisLabel"]
        );
        let setters: Vec<(&str, String)> = m
            .members
            .optional
            .iter()
            .map(|s| match &s.kind {
                MemberKind::Block { struct_name, .. } => (s.name.as_str(), struct_name.clone()),
                MemberKind::Attr { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(
            setters,
            [
                ("legend", "Legend".to_owned()),
                ("value", "ValueBlock".to_owned()),
                ("x_axis", "XAxis".to_owned()),
                ("y_axis", "YAxis".to_owned())
            ]
        );
        let x_axis = m.nested.iter().find(|n| n.struct_name == "XAxis").unwrap();
        assert_eq!(
            x_axis.aliases,
            [("YAxis".to_owned(), None)],
            "y_axis takes YAxis, the same struct"
        );
    }
}
