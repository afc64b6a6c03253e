//! Attribute values: the untyped [`Node`] tree that block bodies store, and
//! the typed [`Value<T>`] wrapper that typed APIs accept.
//!
//! A `Node` mirrors Terraform JSON (null, bool, number, string, list, map)
//! plus one more case, an [`Expr`], which the serializer renders as a
//! `${ … }` template. Literal strings are kept as text; escaping happens only
//! in the serializer.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;

use super::expr::{Expr, Ref};

/// A Terraform number: an integer or a finite float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number(Repr);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Repr {
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl Number {
    /// Whether the number can be written to JSON (NaN and infinities cannot).
    pub fn is_finite(&self) -> bool {
        match self.0 {
            Repr::Float(f) => f.is_finite(),
            _ => true,
        }
    }

    /// The number as JSON, or `None` when it is not finite.
    pub fn to_json(&self) -> Option<serde_json::Number> {
        match self.0 {
            Repr::Int(i) => Some(i.into()),
            Repr::UInt(u) => Some(u.into()),
            Repr::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Some((f as i64).into())
            }
            Repr::Float(f) => serde_json::Number::from_f64(f),
        }
    }

    /// The number as a float, for comparisons and arithmetic in checks.
    pub fn as_f64(&self) -> f64 {
        match self.0 {
            Repr::Int(i) => i as f64,
            Repr::UInt(u) => u as f64,
            Repr::Float(f) => f,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_json() {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "{}", self.as_f64()),
        }
    }
}

macro_rules! number_from {
    ($variant:ident as $via:ty: $($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                Number(Repr::$variant(n as $via))
            }
        }
    )*};
}
number_from!(Int as i64: i8, i16, i32, i64);
number_from!(UInt as u64: u8, u16, u32, u64, usize);
number_from!(Float as f64: f32, f64);

/// An untyped attribute value, as stored in a block body.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Node {
    /// JSON `null`: the attribute is explicitly unset.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Number),
    /// Literal text. Never interpreted by Terraform: `${` is escaped on output.
    String(String),
    /// A Terraform expression, rendered as a `${ … }` template.
    Expr(Box<Expr>),
    /// A list, set or tuple; also a sequence of nested blocks.
    List(Vec<Node>),
    /// A map or object; also a nested block body. Keys keep insertion order.
    Map(IndexMap<String, Node>),
}

impl Node {
    /// An empty map node.
    pub fn map() -> Node {
        Node::Map(IndexMap::new())
    }

    /// Builds a map node from key/value pairs, keeping their order.
    pub fn map_of<K: Into<String>, V: Into<Node>>(items: impl IntoIterator<Item = (K, V)>) -> Node {
        Node::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// Builds a list node.
    pub fn list_of<V: Into<Node>>(items: impl IntoIterator<Item = V>) -> Node {
        Node::List(items.into_iter().map(Into::into).collect())
    }

    /// Calls `visit` for every reference inside this node.
    pub fn visit_refs(&self, visit: &mut dyn FnMut(&Ref)) {
        self.visit_refs_in(None, &mut |_, r| visit(r))
    }

    /// Calls `visit` for every reference made through a handle, with the
    /// handle's stack.
    pub fn visit_stack_refs(&self, visit: &mut dyn FnMut(&str, &Ref)) {
        self.visit_refs_in(None, &mut |stack, r| {
            if let Some(stack) = stack {
                visit(stack, r)
            }
        })
    }

    pub(crate) fn visit_refs_in(
        &self,
        stack: Option<&str>,
        visit: &mut dyn FnMut(Option<&str>, &Ref),
    ) {
        match self {
            Node::Expr(expr) => expr.visit_refs_in(stack, visit),
            Node::List(items) => items
                .iter()
                .for_each(|item| item.visit_refs_in(stack, visit)),
            Node::Map(items) => items
                .values()
                .for_each(|item| item.visit_refs_in(stack, visit)),
            Node::Null | Node::Bool(_) | Node::Number(_) | Node::String(_) => {}
        }
    }

    /// Whether any number below this node cannot be written to JSON.
    pub fn has_non_finite(&self) -> bool {
        match self {
            Node::Number(n) => !n.is_finite(),
            Node::List(items) => items.iter().any(Node::has_non_finite),
            Node::Map(items) => items.values().any(Node::has_non_finite),
            _ => false,
        }
    }

    /// Calls `visit` with the dotted path of every number that cannot be
    /// written to JSON.
    pub fn visit_non_finite(&self, path: &str, visit: &mut dyn FnMut(&str)) {
        if !self.has_non_finite() {
            return;
        }
        match self {
            Node::Number(n) if !n.is_finite() => visit(path),
            Node::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    item.visit_non_finite(&format!("{path}[{i}]"), visit);
                }
            }
            Node::Map(items) => {
                for (key, item) in items {
                    item.visit_non_finite(&format!("{path}.{key}"), visit);
                }
            }
            _ => {}
        }
    }

    /// Sets `value` at a dotted `path` below this map node, creating
    /// intermediate maps. Returns `false` when a non-map value is in the way.
    pub fn set_path(&mut self, path: &[&str], value: Node) -> bool {
        let Node::Map(items) = self else {
            return false;
        };
        match path {
            [] => false,
            [last] => {
                items.insert((*last).to_owned(), value);
                true
            }
            [first, rest @ ..] => items
                .entry((*first).to_owned())
                .or_insert_with(Node::map)
                .set_path(rest, value),
        }
    }
}

impl From<&str> for Node {
    fn from(text: &str) -> Self {
        Node::String(text.to_owned())
    }
}

impl From<String> for Node {
    fn from(text: String) -> Self {
        Node::String(text)
    }
}

impl From<&String> for Node {
    fn from(text: &String) -> Self {
        Node::String(text.clone())
    }
}

impl From<bool> for Node {
    fn from(b: bool) -> Self {
        Node::Bool(b)
    }
}

impl From<Number> for Node {
    fn from(n: Number) -> Self {
        Node::Number(n)
    }
}

macro_rules! node_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Node {
            fn from(n: $t) -> Self {
                Node::Number(Number::from(n))
            }
        }
    )*};
}
node_from_number!(i32, i64, u8, u16, u32, u64, usize, f64);

impl From<Expr> for Node {
    fn from(expr: Expr) -> Self {
        match expr {
            Expr::Lit(node) => node,
            other => Node::Expr(Box::new(other)),
        }
    }
}

impl From<&Expr> for Node {
    fn from(expr: &Expr) -> Self {
        Node::from(expr.clone())
    }
}

impl<T> From<Value<T>> for Node {
    fn from(value: Value<T>) -> Self {
        value.node
    }
}

impl<T> From<&Value<T>> for Node {
    fn from(value: &Value<T>) -> Self {
        value.node.clone()
    }
}

impl<V: Into<Node>> From<Vec<V>> for Node {
    fn from(items: Vec<V>) -> Self {
        Node::List(items.into_iter().map(Into::into).collect())
    }
}

impl<K: Into<String>, V: Into<Node>> From<IndexMap<K, V>> for Node {
    fn from(items: IndexMap<K, V>) -> Self {
        Node::map_of(items)
    }
}

impl<K: Into<String>, V: Into<Node>> From<BTreeMap<K, V>> for Node {
    fn from(items: BTreeMap<K, V>) -> Self {
        Node::map_of(items)
    }
}

/// A typed attribute value: either a literal of type `T` or an expression
/// that Terraform evaluates to a `T`.
///
/// `T` is a marker: `String`, [`Number`], `bool`, `Vec<T>` for lists and
/// sets, `IndexMap<String, T>` for maps. Typed APIs take `impl Into<Value<T>>`
/// so both `"10.0.0.0/16"` and `vpc.attr("cidr_block")` fit.
pub struct Value<T> {
    node: Node,
    ty: PhantomData<fn() -> T>,
}

impl<T> Value<T> {
    /// Wraps an untyped node. The caller vouches for its type.
    pub fn from_node(node: Node) -> Self {
        Value {
            node,
            ty: PhantomData,
        }
    }

    /// The untyped node.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Converts into the untyped node.
    pub fn into_node(self) -> Node {
        self.node
    }

    /// This value as an expression (a literal becomes a literal expression).
    pub fn expr(&self) -> Expr {
        Expr::from(self.node.clone())
    }
}

impl<T> Clone for Value<T> {
    fn clone(&self) -> Self {
        Value::from_node(self.node.clone())
    }
}

impl<T> fmt::Debug for Value<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

impl<T> PartialEq for Value<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T> From<Expr> for Value<T> {
    fn from(expr: Expr) -> Self {
        Value::from_node(Node::from(expr))
    }
}

impl<T> From<&Expr> for Value<T> {
    fn from(expr: &Expr) -> Self {
        Value::from_node(Node::from(expr.clone()))
    }
}

impl<T> From<&Value<T>> for Value<T> {
    fn from(value: &Value<T>) -> Self {
        value.clone()
    }
}

impl<T> From<Value<T>> for Expr {
    fn from(value: Value<T>) -> Self {
        Expr::from(value.node)
    }
}

impl<T> From<&Value<T>> for Expr {
    fn from(value: &Value<T>) -> Self {
        Expr::from(value.node.clone())
    }
}

impl From<Node> for Value<Node> {
    fn from(node: Node) -> Self {
        Value::from_node(node)
    }
}

impl From<&str> for Value<String> {
    fn from(text: &str) -> Self {
        Value::from_node(Node::from(text))
    }
}

impl From<String> for Value<String> {
    fn from(text: String) -> Self {
        Value::from_node(Node::String(text))
    }
}

impl From<&String> for Value<String> {
    fn from(text: &String) -> Self {
        Value::from_node(Node::String(text.clone()))
    }
}

impl From<bool> for Value<bool> {
    fn from(b: bool) -> Self {
        Value::from_node(Node::Bool(b))
    }
}

macro_rules! value_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Value<Number> {
            fn from(n: $t) -> Self {
                Value::from_node(Node::Number(Number::from(n)))
            }
        }
    )*};
}
value_from_number!(i32, i64, u8, u16, u32, u64, usize, f64);

impl<T, V: Into<Value<T>>> From<Vec<V>> for Value<Vec<T>> {
    fn from(items: Vec<V>) -> Self {
        Value::from_node(Node::List(
            items.into_iter().map(|item| item.into().node).collect(),
        ))
    }
}

impl<T, V: Into<Value<T>>, const N: usize> From<[V; N]> for Value<Vec<T>> {
    fn from(items: [V; N]) -> Self {
        Value::from_node(Node::List(
            items.into_iter().map(|item| item.into().node).collect(),
        ))
    }
}

impl<T, K: Into<String>, V: Into<Value<T>>> From<IndexMap<K, V>> for Value<IndexMap<String, T>> {
    fn from(items: IndexMap<K, V>) -> Self {
        Value::from_node(Node::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().node))
                .collect(),
        ))
    }
}

impl<T, K: Into<String>, V: Into<Value<T>>> From<BTreeMap<K, V>> for Value<IndexMap<String, T>> {
    fn from(items: BTreeMap<K, V>) -> Self {
        Value::from_node(Node::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().node))
                .collect(),
        ))
    }
}

impl<T, K: Into<String>, V: Into<Value<T>>> From<Vec<(K, V)>> for Value<IndexMap<String, T>> {
    fn from(items: Vec<(K, V)>) -> Self {
        Value::from_node(Node::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().node))
                .collect(),
        ))
    }
}

impl<T, K: Into<String>, V: Into<Value<T>>, const N: usize> From<[(K, V); N]>
    for Value<IndexMap<String, T>>
{
    fn from(items: [(K, V); N]) -> Self {
        Value::from_node(Node::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().node))
                .collect(),
        ))
    }
}

/// Appends `block` to the list at `key`, starting one if needed.
/// A nested block's body as an object: a map as it is, an object
/// constructor as the map of its entries (literals stay literals); anything
/// else would render as a string or list where terraform wants an object,
/// and is returned as what it is.
pub(crate) fn block_body(node: Node) -> Result<Node, &'static str> {
    match node {
        Node::Map(_) => Ok(node),
        Node::Expr(expr) => match *expr {
            Expr::Object(entries) => Ok(Node::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, Node::from(v)))
                    .collect(),
            )),
            _ => Err("an expression"),
        },
        Node::Null => Err("null"),
        Node::Bool(_) => Err("a bool"),
        Node::Number(_) => Err("a number"),
        Node::String(_) => Err("a string"),
        Node::List(_) => Err("a list"),
    }
}

/// Why a nested block of type `key` cannot take `given`, for messages.
pub(crate) fn not_a_body(given: &str) -> String {
    format!(
        "was given {given}, but a block body must be an object of arguments (hint: pass a Node::map_of(..), an Expr::Object, or a typed block builder; for blocks from a list, use .dynamic(..))"
    )
}

/// Adds `dynamic "<block_type>"` with its `for_each`, optional iterator name
/// and content to a block body; a second one of the same type makes a list.
pub(crate) fn insert_dynamic(
    body: &mut IndexMap<String, Node>,
    block_type: &str,
    iterator: Option<&str>,
    for_each: Node,
    content: Node,
) {
    let mut spec = IndexMap::new();
    spec.insert("for_each".to_owned(), for_each);
    if let Some(name) = iterator {
        spec.insert("iterator".to_owned(), Node::String(name.to_owned()));
    }
    spec.insert("content".to_owned(), content);
    let dynamic = body.entry("dynamic".to_owned()).or_insert_with(Node::map);
    if !matches!(dynamic, Node::Map(_)) {
        *dynamic = Node::map();
    }
    if let Node::Map(by_type) = dynamic {
        match by_type.get_mut(block_type) {
            None => {
                by_type.insert(block_type.to_owned(), Node::Map(spec));
            }
            Some(Node::List(items)) => items.push(Node::Map(spec)),
            Some(first) => *first = Node::List(vec![std::mem::take(first), Node::Map(spec)]),
        }
    }
}

pub(crate) fn push_into(body: &mut IndexMap<String, Node>, key: &str, block: Node) {
    let slot = body
        .entry(key.to_owned())
        .or_insert_with(|| Node::List(Vec::new()));
    match slot {
        Node::List(items) => items.push(block),
        other => *other = Node::List(vec![std::mem::take(other), block]),
    }
}

/// Puts `block` under `label` in the map at `key`, starting one if needed.
pub(crate) fn insert_keyed_into(
    body: &mut IndexMap<String, Node>,
    key: &str,
    label: String,
    block: Node,
) {
    let slot = body.entry(key.to_owned()).or_insert_with(Node::map);
    if !matches!(slot, Node::Map(_)) {
        *slot = Node::map();
    }
    if let Node::Map(items) = slot {
        items.insert(label, block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_render_without_needless_fraction() {
        let check = |n: Number, expect: &str| assert_eq!(n.to_string(), expect);
        check(Number::from(80), "80");
        check(Number::from(80.0), "80");
        check(Number::from(0.5), "0.5");
        check(Number::from(u64::MAX), "18446744073709551615");
        assert!(!Number::from(f64::NAN).is_finite());
        assert!(Number::from(f64::INFINITY).to_json().is_none());
    }

    #[test]
    fn literal_expr_collapses_to_literal_node() {
        assert_eq!(Node::from(Expr::from("x")), Node::String("x".into()));
        let v: Value<String> = Expr::from(3).into();
        assert_eq!(v.node(), &Node::from(3));
    }

    #[test]
    fn set_path_creates_maps() {
        let mut body = Node::map();
        assert!(body.set_path(&["a", "b"], Node::from(1)));
        assert!(body.set_path(&["a", "c"], Node::from("x")));
        assert!(
            !body.set_path(&["a", "b", "c"], Node::Null),
            "number in the way"
        );
        assert!(!body.set_path(&[], Node::Null));
        assert_eq!(
            body,
            Node::map_of([(
                "a",
                Node::map_of([("b", Node::from(1)), ("c", Node::from("x"))])
            )])
        );
    }

    #[test]
    fn non_finite_paths() {
        let node = Node::map_of([("a", Node::list_of([Node::from(1.0), Node::from(f64::NAN)]))]);
        let mut found = Vec::new();
        node.visit_non_finite("body", &mut |p| found.push(p.to_owned()));
        assert_eq!(found, ["body.a[1]"]);
    }
}
