//! Terraform expressions as a closed Rust type.
//!
//! Everything that Terraform evaluates (references, function calls, string
//! templates, operators) is an [`Expr`]. Expressions are never smuggled through
//! plain strings: a literal string stays literal text and is escaped by the
//! serializer, while an expression is rendered once, in HCL syntax, inside
//! `${ … }`. This is what keeps shell scripts and IAM policy variables such as
//! `${aws:username}` from being interpolated by accident.

use std::fmt::{self, Write as _};

use super::value::{Node, Number};

/// The root of a reference: the named object an expression points at.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ref {
    /// A managed resource, `aws_vpc.main`.
    Resource {
        /// Resource type, e.g. `aws_vpc`.
        ty: String,
        /// Block name, e.g. `main`.
        name: String,
    },
    /// A data source, `data.aws_ami.linux`.
    Data {
        /// Data source type, e.g. `aws_ami`.
        ty: String,
        /// Block name.
        name: String,
    },
    /// An ephemeral resource, `ephemeral.aws_ssm_parameter.db`.
    Ephemeral {
        /// Ephemeral resource type.
        ty: String,
        /// Block name.
        name: String,
    },
    /// An input variable, `var.region`.
    Var(String),
    /// A local value, `local.tags`.
    Local(String),
    /// `count.index` inside a block with `count`.
    CountIndex,
    /// `each.key` inside a block with `for_each`.
    EachKey,
    /// `each.value` inside a block with `for_each`.
    EachValue,
    /// `self`: the object itself, in a postcondition.
    SelfObject,
    /// A module call's outputs, `module.network`.
    Module(String),
    /// A name bound by a `for` expression or a `dynamic` block's iterator,
    /// written as is (`s` in `[for s in ... : s.id]`, `rule` in `rule.value`).
    Name(String),
    /// `path.module`: the directory of the configuration being evaluated.
    PathModule,
    /// `path.root`: the directory of the root configuration.
    PathRoot,
    /// `path.cwd`: the directory terraform runs in.
    PathCwd,
    /// `terraform.workspace`: the selected workspace's name.
    Workspace,
}

impl Ref {
    /// Appends the reference's HCL text, without the formatting machinery
    /// (references are the most frequent thing rendered).
    fn write_to(&self, out: &mut String) {
        let pair = |out: &mut String, prefix: &str, ty: &str, name: &str| {
            out.push_str(prefix);
            out.push_str(ty);
            out.push('.');
            out.push_str(name);
        };
        match self {
            Ref::Resource { ty, name } => pair(out, "", ty, name),
            Ref::Data { ty, name } => pair(out, "data.", ty, name),
            Ref::Ephemeral { ty, name } => pair(out, "ephemeral.", ty, name),
            Ref::Var(name) => pair(out, "", "var", name),
            Ref::Local(name) => pair(out, "", "local", name),
            Ref::CountIndex => out.push_str("count.index"),
            Ref::EachKey => out.push_str("each.key"),
            Ref::EachValue => out.push_str("each.value"),
            Ref::SelfObject => out.push_str("self"),
            Ref::Module(name) => pair(out, "", "module", name),
            Ref::Name(name) => out.push_str(name),
            Ref::PathModule => out.push_str("path.module"),
            Ref::PathRoot => out.push_str("path.root"),
            Ref::PathCwd => out.push_str("path.cwd"),
            Ref::Workspace => out.push_str("terraform.workspace"),
        }
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write_to(&mut out);
        f.write_str(&out)
    }
}

/// A binary operator of the Terraform language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinOp {
    /// The operator as Terraform writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// A unary operator of the Terraform language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// Logical negation, `!`.
    Not,
    /// Arithmetic negation, `-`.
    Neg,
}

/// One piece of a string template: literal text or an interpolated expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Literal text, escaped on output.
    Text(String),
    /// An expression, rendered inside `${ … }`.
    Expr(Expr),
}

impl From<&str> for Part {
    fn from(text: &str) -> Self {
        Part::Text(text.to_owned())
    }
}

impl From<String> for Part {
    fn from(text: String) -> Self {
        Part::Text(text)
    }
}

impl From<Expr> for Part {
    fn from(expr: Expr) -> Self {
        match expr {
            Expr::Lit(Node::String(text)) => Part::Text(text),
            other => Part::Expr(other),
        }
    }
}

impl<T> From<super::value::Value<T>> for Part {
    fn from(value: super::value::Value<T>) -> Self {
        Part::from(Expr::from(value))
    }
}

impl<T> From<&super::value::Value<T>> for Part {
    fn from(value: &super::value::Value<T>) -> Self {
        Part::from(Expr::from(value.clone()))
    }
}

/// A Terraform expression.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal value: string, number, bool, null, list or object of literals.
    Lit(Node),
    /// A reference to a named object.
    Ref(Ref),
    /// Attribute access, `expr.name`.
    GetAttr(Box<Expr>, String),
    /// Index access, `expr[key]`.
    Index(Box<Expr>, Box<Expr>),
    /// Splat over a list, `expr[*]`; following attribute accesses apply to each element.
    Splat(Box<Expr>),
    /// A call to one of Terraform's built-in functions.
    Call(String, Vec<Expr>),
    /// A string template mixing literal text and expressions.
    Template(Vec<Part>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A unary operation.
    Unary(UnOp, Box<Expr>),
    /// A conditional, `cond ? then : else`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A tuple constructor, `[a, b]`.
    Tuple(Vec<Expr>),
    /// An object constructor, `{ "k" = v }`.
    Object(Vec<(String, Expr)>),
    /// A `for` expression, `[for s in coll : s.id]` or
    /// `{for k, v in coll : k => v.id}`; built with [`For`].
    For(Box<ForExpr>),
    /// A reference made through a handle of the named stack: written as the
    /// reference itself, and refused by synthesis in any other stack.
    Of(std::sync::Arc<str>, Box<Expr>),
}

/// A `for` expression: what it iterates, the names it binds, and what it
/// makes of each element.
#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    /// The key (or index) name, when bound.
    pub key_name: Option<String>,
    /// The value name.
    pub value_name: String,
    /// The collection iterated.
    pub collection: Expr,
    /// The key of each element, for an object result.
    pub key: Option<Expr>,
    /// The value of each element.
    pub value: Expr,
    /// Only elements for which this holds.
    pub condition: Option<Expr>,
    /// Group values with the same key into lists (`...`), for an object result.
    pub grouped: bool,
}

/// Builds `for` expressions with the names they bind:
///
/// ```
/// # use tfsynth::{Expr, For, Ref};
/// let subnets = Expr::Ref(Ref::Var("subnets".into()));
/// let ids = For::each("s", subnets.clone()).list(|s| s.attr("id"));
/// assert_eq!(ids.to_hcl(), "[for s in var.subnets : s.id]");
/// let by_zone = For::each("s", subnets).map_grouped(|s| (s.attr("az"), s.attr("id")));
/// assert_eq!(by_zone.to_hcl(), "{for s in var.subnets : s.az => s.id...}");
/// ```
///
/// The closures receive the bound names as [`Bound`] handles;
/// [`For::each_pair`] binds the key (or index) too.
#[derive(Clone, Debug)]
pub struct For<V> {
    key_name: Option<String>,
    value_name: String,
    collection: Expr,
    condition: Option<Expr>,
    names: V,
}

/// A name a `for` expression binds, as the closures of [`For`] see it.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound(String);

impl Bound {
    /// The name as an expression.
    pub fn expr(&self) -> Expr {
        Expr::Ref(Ref::Name(self.0.clone()))
    }

    /// `name.attr`.
    pub fn attr(&self, attr: impl Into<String>) -> Expr {
        self.expr().attr(attr)
    }

    /// `name[key]`.
    pub fn index(&self, key: impl Into<Expr>) -> Expr {
        self.expr().index(key)
    }
}

impl From<Bound> for Expr {
    fn from(bound: Bound) -> Expr {
        bound.expr()
    }
}

impl From<&Bound> for Expr {
    fn from(bound: &Bound) -> Expr {
        bound.expr()
    }
}

impl From<Bound> for Node {
    fn from(bound: Bound) -> Node {
        Node::from(bound.expr())
    }
}

impl For<Bound> {
    /// Iterates the values of `collection`, bound to `value`.
    pub fn each(value: impl Into<String>, collection: impl Into<Expr>) -> For<Bound> {
        let value = value.into();
        For {
            key_name: None,
            names: Bound(value.clone()),
            value_name: value,
            collection: collection.into(),
            condition: None,
        }
    }
}

impl For<(Bound, Bound)> {
    /// Iterates the keys (or indexes) and values of `collection`.
    pub fn each_pair(
        key: impl Into<String>,
        value: impl Into<String>,
        collection: impl Into<Expr>,
    ) -> For<(Bound, Bound)> {
        let (key, value) = (key.into(), value.into());
        For {
            names: (Bound(key.clone()), Bound(value.clone())),
            key_name: Some(key),
            value_name: value,
            collection: collection.into(),
            condition: None,
        }
    }
}

impl<V: Clone> For<V> {
    /// Keeps only the elements for which `condition` holds (`if ...`).
    pub fn only<C: Into<Expr>>(mut self, condition: impl FnOnce(V) -> C) -> Self {
        self.condition = Some(condition(self.names.clone()).into());
        self
    }

    /// A list with one element per kept element: `[for ... : value]`.
    pub fn list<W: Into<Expr>>(self, value: impl FnOnce(V) -> W) -> Expr {
        let value = value(self.names.clone()).into();
        self.finish(None, value, false)
    }

    /// An object with one attribute per kept element: `{for ... : key => value}`.
    pub fn map<K: Into<Expr>, W: Into<Expr>>(self, entry: impl FnOnce(V) -> (K, W)) -> Expr {
        let (key, value) = entry(self.names.clone());
        self.finish(Some(key.into()), value.into(), false)
    }

    /// An object of lists, the values of equal keys grouped: `{... : k => v...}`.
    pub fn map_grouped<K: Into<Expr>, W: Into<Expr>>(
        self,
        entry: impl FnOnce(V) -> (K, W),
    ) -> Expr {
        let (key, value) = entry(self.names.clone());
        self.finish(Some(key.into()), value.into(), true)
    }

    fn finish(self, key: Option<Expr>, value: Expr, grouped: bool) -> Expr {
        Expr::For(Box::new(ForExpr {
            key_name: self.key_name,
            value_name: self.value_name,
            collection: self.collection,
            key,
            value,
            condition: self.condition,
            grouped,
        }))
    }
}

impl Expr {
    /// A reference expression.
    pub fn reference(target: Ref) -> Expr {
        Expr::Ref(target)
    }

    /// `path.module`: the directory of this configuration, for files next to it.
    pub fn path_module() -> Expr {
        Expr::Ref(Ref::PathModule)
    }

    /// `path.root`: the directory of the root configuration.
    pub fn path_root() -> Expr {
        Expr::Ref(Ref::PathRoot)
    }

    /// `path.cwd`: the directory terraform runs in.
    pub fn path_cwd() -> Expr {
        Expr::Ref(Ref::PathCwd)
    }

    /// `terraform.workspace`: the name of the selected workspace.
    pub fn workspace() -> Expr {
        Expr::Ref(Ref::Workspace)
    }

    /// `self.<name>`: an attribute of the object itself, in a postcondition.
    pub fn self_attr(name: impl Into<String>) -> Expr {
        Expr::Ref(Ref::SelfObject).attr(name)
    }

    /// `self.name`: access an attribute.
    pub fn attr(self, name: impl Into<String>) -> Expr {
        Expr::GetAttr(Box::new(self), name.into())
    }

    /// `self[key]`: index a list or map.
    pub fn index(self, key: impl Into<Expr>) -> Expr {
        Expr::Index(Box::new(self), Box::new(key.into()))
    }

    /// `self[*]`: a splat, e.g. `aws_subnet.private[*].id`.
    pub fn splat(self) -> Expr {
        Expr::Splat(Box::new(self))
    }

    /// A call to a built-in function; see also [`crate::func`] for typed helpers.
    pub fn call(name: impl Into<String>, args: Vec<Expr>) -> Expr {
        Expr::Call(name.into(), args)
    }

    /// A binary operation.
    pub fn binary(op: BinOp, lhs: impl Into<Expr>, rhs: impl Into<Expr>) -> Expr {
        Expr::Binary(op, Box::new(lhs.into()), Box::new(rhs.into()))
    }

    /// A conditional expression.
    pub fn cond(cond: impl Into<Expr>, then: impl Into<Expr>, otherwise: impl Into<Expr>) -> Expr {
        Expr::Cond(
            Box::new(cond.into()),
            Box::new(then.into()),
            Box::new(otherwise.into()),
        )
    }

    /// Calls `visit` for every reference made through a handle, with the
    /// handle's stack, depth first.
    pub fn visit_stack_refs(&self, visit: &mut dyn FnMut(&str, &Ref)) {
        self.visit_refs_in(None, &mut |stack, r| {
            if let Some(stack) = stack {
                visit(stack, r)
            }
        })
    }

    /// Calls `visit` for every reference in this expression, depth first.
    pub fn visit_refs(&self, visit: &mut dyn FnMut(&Ref)) {
        self.visit_refs_in(None, &mut |_, r| visit(r))
    }

    /// Every reference with the stack of the handle that made it, if one did.
    pub(crate) fn visit_refs_in(
        &self,
        stack: Option<&str>,
        visit: &mut dyn FnMut(Option<&str>, &Ref),
    ) {
        match self {
            Expr::Of(of, inner) => inner.visit_refs_in(Some(of), visit),
            Expr::Lit(node) => node.visit_refs_in(stack, visit),
            Expr::Ref(target) => visit(stack, target),
            Expr::GetAttr(base, _) | Expr::Splat(base) | Expr::Unary(_, base) => {
                base.visit_refs_in(stack, visit)
            }
            Expr::Index(base, key) => {
                base.visit_refs_in(stack, visit);
                key.visit_refs_in(stack, visit);
            }
            Expr::Call(_, args) | Expr::Tuple(args) => {
                args.iter().for_each(|arg| arg.visit_refs_in(stack, visit))
            }
            Expr::Template(parts) => parts.iter().for_each(|part| {
                if let Part::Expr(expr) = part {
                    expr.visit_refs_in(stack, visit)
                }
            }),
            Expr::Binary(_, lhs, rhs) => {
                lhs.visit_refs_in(stack, visit);
                rhs.visit_refs_in(stack, visit);
            }
            Expr::Cond(c, t, e) => {
                c.visit_refs_in(stack, visit);
                t.visit_refs_in(stack, visit);
                e.visit_refs_in(stack, visit);
            }
            Expr::Object(items) => items
                .iter()
                .for_each(|(_, v)| v.visit_refs_in(stack, visit)),
            Expr::For(f) => {
                f.collection.visit_refs_in(stack, visit);
                for e in f.key.iter().chain([&f.value]).chain(f.condition.iter()) {
                    e.visit_refs_in(stack, visit);
                }
            }
        }
    }

    /// Renders this expression in HCL native syntax, as it appears inside `${ … }`.
    pub fn to_hcl(&self) -> String {
        let mut out = String::new();
        self.write_hcl(&mut out);
        out
    }

    /// Whether the expression is a single term that needs no parentheses
    /// when used as an operand or as the base of an attribute access.
    fn is_term(&self) -> bool {
        !matches!(self, Expr::Binary(..) | Expr::Unary(..) | Expr::Cond(..))
    }

    fn write_operand(&self, out: &mut String) {
        if self.is_term() {
            self.write_hcl(out);
        } else {
            out.push('(');
            self.write_hcl(out);
            out.push(')');
        }
    }

    fn write_hcl(&self, out: &mut String) {
        match self {
            Expr::Of(_, inner) => inner.write_hcl(out),
            Expr::Lit(node) => write_literal_hcl(node, out),
            Expr::Ref(target) => target.write_to(out),
            Expr::GetAttr(base, name) => {
                base.write_operand(out);
                out.push('.');
                out.push_str(name);
            }
            Expr::Index(base, key) => {
                base.write_operand(out);
                out.push('[');
                key.write_hcl(out);
                out.push(']');
            }
            Expr::Splat(base) => {
                base.write_operand(out);
                out.push_str("[*]");
            }
            Expr::Call(name, args) => {
                out.push_str(name);
                out.push('(');
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    arg.write_hcl(out);
                }
                out.push(')');
            }
            Expr::Template(parts) => {
                out.push('"');
                for part in parts {
                    match part {
                        Part::Text(text) => push_hcl_string(out, text),
                        Part::Expr(expr) => {
                            out.push_str("${");
                            expr.write_hcl(out);
                            out.push('}');
                        }
                    }
                }
                out.push('"');
            }
            Expr::Binary(op, lhs, rhs) => {
                lhs.write_operand(out);
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                rhs.write_operand(out);
            }
            Expr::Unary(op, operand) => {
                out.push(match op {
                    UnOp::Not => '!',
                    UnOp::Neg => '-',
                });
                operand.write_operand(out);
            }
            Expr::Cond(c, t, e) => {
                c.write_operand(out);
                out.push_str(" ? ");
                t.write_operand(out);
                out.push_str(" : ");
                e.write_operand(out);
            }
            Expr::Tuple(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_hcl(out);
                }
                out.push(']');
            }
            Expr::Object(items) => {
                out.push('{');
                for (i, (key, value)) in items.iter().enumerate() {
                    out.push_str(if i > 0 { ", " } else { " " });
                    out.push('"');
                    push_hcl_string(out, key);
                    out.push_str("\" = ");
                    value.write_hcl(out);
                }
                out.push_str(if items.is_empty() { "}" } else { " }" });
            }
            Expr::For(f) => {
                out.push_str(if f.key.is_some() { "{for " } else { "[for " });
                if let Some(k) = &f.key_name {
                    out.push_str(k);
                    out.push_str(", ");
                }
                out.push_str(&f.value_name);
                out.push_str(" in ");
                f.collection.write_operand(out);
                out.push_str(" : ");
                if let Some(key) = &f.key {
                    key.write_hcl(out);
                    out.push_str(" => ");
                }
                if f.grouped {
                    f.value.write_operand(out);
                    out.push_str("...");
                } else {
                    f.value.write_hcl(out);
                }
                if let Some(c) = &f.condition {
                    out.push_str(" if ");
                    c.write_hcl(out);
                }
                out.push(if f.key.is_some() { '}' } else { ']' });
            }
        }
    }
}

/// Writes a literal node in HCL native syntax.
fn write_literal_hcl(node: &Node, out: &mut String) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => out.push_str(&n.to_string()),
        Node::String(s) => {
            out.push('"');
            push_hcl_string(out, s);
            out.push('"');
        }
        Node::Expr(expr) => expr.write_hcl(out),
        Node::List(items) => {
            Expr::Tuple(items.iter().cloned().map(Expr::from).collect()).write_hcl(out)
        }
        Node::Map(items) => Expr::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), Expr::from(v.clone())))
                .collect(),
        )
        .write_hcl(out),
    }
}

/// Escapes literal text for a Terraform string template (the content of a
/// JSON string value): `${` becomes `$${` and `%{` becomes `%%{`, so that
/// Terraform reads the text back exactly as written.
pub fn escape_template(text: &str) -> String {
    if !text.contains("${") && !text.contains("%{") {
        return text.to_owned();
    }
    text.replace("${", "$${").replace("%{", "%%{")
}

/// Escapes literal text for a quoted string inside an HCL expression:
/// backslashes, quotes and control characters as HCL escapes, then the
/// template escapes of [`escape_template`].
pub fn escape_hcl_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_hcl_string(&mut out, text);
    out
}

/// Appends `text` escaped as by [`escape_hcl_string`], without temporaries.
fn push_hcl_string(out: &mut String, text: &str) {
    push_quoted(out, text, true);
}

/// Escapes the literal text of a template for a quoted string: backslashes,
/// quotes and control characters, leaving its template escapes (`$${`,
/// `%%{`) as they are.
pub(crate) fn escape_quoted_template_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_quoted(&mut out, text, false);
    out
}

/// Appends `text` with HCL's quoted-string escapes; `template_escapes`
/// also doubles the `$` or `%` of each `${` and `%{`.
fn push_quoted(out: &mut String, text: &str, template_escapes: bool) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if template_escapes && chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

impl From<Ref> for Expr {
    fn from(target: Ref) -> Self {
        Expr::Ref(target)
    }
}

impl From<&str> for Expr {
    fn from(text: &str) -> Self {
        Expr::Lit(Node::String(text.to_owned()))
    }
}

impl From<String> for Expr {
    fn from(text: String) -> Self {
        Expr::Lit(Node::String(text))
    }
}

impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Lit(Node::Bool(b))
    }
}

macro_rules! expr_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Expr {
            fn from(n: $t) -> Self {
                Expr::Lit(Node::Number(Number::from(n)))
            }
        }
    )*};
}
expr_from_number!(i32, i64, u8, u16, u32, u64, usize, f64);

impl From<Node> for Expr {
    fn from(node: Node) -> Self {
        match node {
            Node::Expr(expr) => *expr,
            other => Expr::Lit(other),
        }
    }
}

impl From<&Expr> for Expr {
    fn from(expr: &Expr) -> Self {
        expr.clone()
    }
}

/// Builds a string template from literal text and expressions:
/// `interp!["arn:aws:s3:::", bucket.attr("id"), "/*"]`.
///
/// Each item is converted with `Part::from`: string literals stay literal
/// text (and are escaped), expressions are interpolated.
#[macro_export]
macro_rules! interp {
    ($($part:expr),* $(,)?) => {
        $crate::Expr::Template(vec![$($crate::Part::from($part)),*])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vpc() -> Expr {
        Expr::Ref(Ref::Resource {
            ty: "aws_vpc".into(),
            name: "main".into(),
        })
    }

    #[test]
    fn template_escapes() {
        let check =
            |input: &str, expect: &str| assert_eq!(escape_template(input), expect, "{input}");
        check("plain", "plain");
        check("${aws:username}", "$${aws:username}");
        check("100%{x}", "100%%{x}");
        check("$${already}", "$$${already}");
        check("cost $5 and $$ and %d", "cost $5 and $$ and %d");
        check("echo ${HOME} %{ if }", "echo $${HOME} %%{ if }");
    }

    #[test]
    fn hcl_string_escapes() {
        let check =
            |input: &str, expect: &str| assert_eq!(escape_hcl_string(input), expect, "{input}");
        check("a\"b", "a\\\"b");
        check("back\\slash", "back\\\\slash");
        check("line\nnext\ttab\r", "line\\nnext\\ttab\\r");
        check("bell\u{7}", "bell\\u0007");
        check("${x}", "$${x}");
    }

    #[test]
    fn renders_hcl() {
        let check = |expr: Expr, expect: &str| assert_eq!(expr.to_hcl(), expect);
        check(vpc().attr("id"), "aws_vpc.main.id");
        check(
            Expr::Ref(Ref::Data {
                ty: "aws_ami".into(),
                name: "al2".into(),
            })
            .attr("id"),
            "data.aws_ami.al2.id",
        );
        check(Expr::Ref(Ref::Var("region".into())), "var.region");
        check(
            Expr::Ref(Ref::Local("tags".into())).index("Name"),
            "local.tags[\"Name\"]",
        );
        check(
            Expr::call(
                "cidrsubnet",
                vec![
                    vpc().attr("cidr_block"),
                    8.into(),
                    Expr::Ref(Ref::CountIndex),
                ],
            ),
            "cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)",
        );
        check(vpc().splat().attr("id"), "aws_vpc.main[*].id");
        check(
            Expr::binary(BinOp::Mul, Expr::binary(BinOp::Add, 1, 2), 3),
            "(1 + 2) * 3",
        );
        check(
            Expr::cond(
                Expr::binary(BinOp::Eq, Expr::Ref(Ref::Var("env".into())), "prod"),
                3,
                1,
            ),
            "(var.env == \"prod\") ? 3 : 1",
        );
        check(Expr::Unary(UnOp::Not, Box::new(true.into())), "!true");
        check(
            Expr::Template(vec![
                "arn:".into(),
                Part::Expr(vpc().attr("arn")),
                "/${literal}".into(),
            ]),
            "\"arn:${aws_vpc.main.arn}/$${literal}\"",
        );
        check(
            Expr::Object(vec![
                ("a b".into(), 1.into()),
                ("q\"".into(), Expr::Tuple(vec![])),
            ]),
            "{ \"a b\" = 1, \"q\\\"\" = [] }",
        );
        check(Expr::Object(vec![]), "{}");
        check(Expr::Lit(Node::Null), "null");
        check(Expr::from(2.5), "2.5");
    }

    #[test]
    fn renders_for_expressions_and_special_refs_the_parser_reads_back() {
        let list = Expr::Ref(Ref::Var("l".into()));
        let cases = [
            (
                For::each("s", list.clone()).list(|s| s.attr("id")),
                "[for s in var.l : s.id]",
            ),
            (
                For::each_pair("i", "s", list.clone())
                    .only(|(i, _)| Expr::binary(BinOp::Ne, i, 0))
                    .map(|(i, s)| (s.attr("name"), Expr::binary(BinOp::Add, i, 1))),
                "{for i, s in var.l : s.name => i + 1 if i != 0}",
            ),
            (
                For::each("s", list.clone())
                    .map_grouped(|s| (s.attr("az"), Expr::binary(BinOp::Add, s.attr("n"), 1))),
                "{for s in var.l : s.az => (s.n + 1)...}",
            ),
            (
                For::each("o", For::each("i", list).list(|i| i.index(0))).list(|o| o),
                "[for o in [for i in var.l : i[0]] : o]",
            ),
            (
                Expr::Ref(Ref::Module("net".into())).attr("vpc_id"),
                "module.net.vpc_id",
            ),
            (
                Expr::Template(vec![
                    Part::Expr(Expr::path_module()),
                    "/".into(),
                    Part::Expr(Expr::workspace()),
                ]),
                "\"${path.module}/${terraform.workspace}\"",
            ),
            (Expr::path_root(), "path.root"),
            (Expr::path_cwd(), "path.cwd"),
        ];
        for (expr, expected) in cases {
            let text = expr.to_hcl();
            assert_eq!(text, expected);
            crate::hcl::parse_expression(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }

    #[test]
    fn bound_names_are_not_references_to_blocks() {
        let expr = For::each("s", Expr::Ref(Ref::Var("l".into()))).list(|s| s.attr("id"));
        let mut refs = Vec::new();
        expr.visit_refs(&mut |r| refs.push(r.clone()));
        assert_eq!(refs, [Ref::Var("l".into()), Ref::Name("s".into())]);
        let blocks: Vec<_> = refs
            .iter()
            .filter_map(crate::core::Address::of_ref)
            .collect();
        assert_eq!(blocks, [crate::core::Address::Var("l".into())]);
    }

    #[test]
    fn collects_refs() {
        let expr = Expr::call(
            "format",
            vec![
                "%s-%s".into(),
                vpc().attr("id"),
                Expr::Template(vec![Part::Expr(Expr::Ref(Ref::Var("x".into())))]),
            ],
        );
        let mut refs = Vec::new();
        expr.visit_refs(&mut |r| refs.push(r.to_string()));
        assert_eq!(refs, ["aws_vpc.main", "var.x"]);
    }
}
