//! A parser for the Terraform expression language as it appears in JSON
//! string values: string templates (`"a-${x}"`, `%{ if }` directives) and the
//! expressions inside them.
//!
//! Everything after synthesis (validation, the dependency graph) reads the
//! JSON that Terraform reads, so references are recovered from the text,
//! never from the in-memory stack. The parser never panics: any input gives
//! a syntax tree or a [`ParseError`] with the byte offset.

mod parse;

pub use parse::{ParseError, parse_expression, parse_template, template_code};

use crate::core::BinOp;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Hcl {
    /// A number literal, as written.
    Number(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A quoted string template.
    Template(Vec<Segment>),
    /// A variable: the root of a traversal (`var`, `aws_vpc`, `each`, a `for` name).
    Var(String),
    /// `expr.name`
    GetAttr(Box<Hcl>, String),
    /// `expr[key]`
    Index(Box<Hcl>, Box<Hcl>),
    /// `expr[*]` or `expr.*`
    Splat(Box<Hcl>),
    /// `name(args...)`; `expand` when the last argument ends in `...`.
    Call {
        /// The function name (may contain `::` for provider functions).
        name: String,
        /// The arguments.
        args: Vec<Hcl>,
        /// Whether the last argument is expanded.
        expand: bool,
    },
    /// `[a, b]`
    Tuple(Vec<Hcl>),
    /// `{ k = v }`
    Object(Vec<(Hcl, Hcl)>),
    /// `[for k, v in coll : body if cond]` or `{for k, v in coll : key => value... if cond}`.
    For(Box<ForExpr>),
    /// A binary operation.
    Binary(BinOp, Box<Hcl>, Box<Hcl>),
    /// `!x`
    Not(Box<Hcl>),
    /// `-x`
    Neg(Box<Hcl>),
    /// `c ? a : b`
    Cond(Box<Hcl>, Box<Hcl>, Box<Hcl>),
}

/// The parts of a `for` expression.
#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    /// The key (or index) name, when two names are given.
    pub key_var: Option<String>,
    /// The value name.
    pub value_var: String,
    /// The collection iterated over.
    pub collection: Hcl,
    /// For an object `for`, the key expression.
    pub key: Option<Hcl>,
    /// The value (or element) expression.
    pub value: Hcl,
    /// The filter, `if cond`.
    pub condition: Option<Hcl>,
}

/// A piece of a string template.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// Literal text, escapes resolved.
    Text(String),
    /// `${ expr }`
    Interp(Hcl),
    /// `%{ if cond }then%{ else }else%{ endif }`
    If(Hcl, Vec<Segment>, Vec<Segment>),
    /// `%{ for k, v in coll }body%{ endfor }`
    For(Option<String>, String, Hcl, Vec<Segment>),
}

/// One step of a traversal after its root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `.name`.
    Attr(String),
    /// `["name"]`: a literal key, an attribute of an object or the instance
    /// key of a block with `for_each`.
    Key(String),
    /// `[0]` with a literal number.
    Index(u64),
    /// `[*]` or `.*`.
    Splat,
    /// An index whose key is computed; the traversal's known part ends here.
    Dynamic,
}

/// A reference: a root variable and the steps taken from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traversal {
    /// The root name: `var`, `local`, `data`, `aws_vpc`, `count`, ...
    pub root: String,
    /// The steps.
    pub steps: Vec<Step>,
}

impl Traversal {
    /// The leading attribute names, up to the first non-attribute step.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map_while(|s| match s {
            Step::Attr(name) | Step::Key(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// The attribute names after skipping the first `n` steps and any instance
    /// keys (`[0]`, `["a"]` on a counted block, `[*]`) that follow them.
    pub fn attr_after(&self, n: usize) -> Option<&str> {
        let mut rest = self.steps.iter().skip(n);
        loop {
            match rest.next()? {
                Step::Attr(name) => return Some(name),
                Step::Index(_) | Step::Key(_) | Step::Splat => continue,
                Step::Dynamic => return None,
            }
        }
    }
}

impl Hcl {
    /// Every traversal in the expression whose root is not a name bound by
    /// an enclosing `for`, in source order.
    pub fn traversals(&self) -> Vec<Traversal> {
        let mut out = Vec::new();
        collect(self, &mut Vec::new(), &mut out);
        out
    }
}

/// A function call found in an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The function's name, `provider::aws::arn_parse` for a provider function.
    pub name: String,
    /// The number of arguments written.
    pub args: usize,
    /// Whether the last argument is expanded with `...` (its count is unknown).
    pub expand: bool,
}

/// Every function call in template parts, outermost first. The walk keeps its
/// own stack, so a chain of any length cannot overflow the thread's.
pub fn template_calls(parts: &[Segment]) -> Vec<Call> {
    enum Item<'a> {
        Expr(&'a Hcl),
        Parts(&'a [Segment]),
    }
    let mut out = Vec::new();
    let mut stack = vec![Item::Parts(parts)];
    while let Some(item) = stack.pop() {
        let expr = match item {
            Item::Parts(parts) => {
                for part in parts.iter().rev() {
                    match part {
                        Segment::Text(_) => {}
                        Segment::Interp(e) => stack.push(Item::Expr(e)),
                        Segment::If(c, a, b) => {
                            stack.push(Item::Parts(b));
                            stack.push(Item::Parts(a));
                            stack.push(Item::Expr(c));
                        }
                        Segment::For(_, _, coll, body) => {
                            stack.push(Item::Parts(body));
                            stack.push(Item::Expr(coll));
                        }
                    }
                }
                continue;
            }
            Item::Expr(e) => e,
        };
        match expr {
            Hcl::Number(_) | Hcl::Bool(_) | Hcl::Null | Hcl::Var(_) => {}
            Hcl::Template(parts) => stack.push(Item::Parts(parts)),
            Hcl::GetAttr(base, _) | Hcl::Splat(base) | Hcl::Not(base) | Hcl::Neg(base) => {
                stack.push(Item::Expr(base))
            }
            Hcl::Index(a, b) | Hcl::Binary(_, a, b) => {
                stack.push(Item::Expr(b));
                stack.push(Item::Expr(a));
            }
            Hcl::Call { name, args, expand } => {
                out.push(Call {
                    name: name.clone(),
                    args: args.len(),
                    expand: *expand,
                });
                stack.extend(args.iter().rev().map(Item::Expr));
            }
            Hcl::Tuple(items) => stack.extend(items.iter().rev().map(Item::Expr)),
            Hcl::Object(items) => {
                for (k, v) in items.iter().rev() {
                    stack.push(Item::Expr(v));
                    stack.push(Item::Expr(k));
                }
            }
            Hcl::For(f) => {
                if let Some(c) = &f.condition {
                    stack.push(Item::Expr(c));
                }
                stack.push(Item::Expr(&f.value));
                if let Some(k) = &f.key {
                    stack.push(Item::Expr(k));
                }
                stack.push(Item::Expr(&f.collection));
            }
            Hcl::Cond(c, a, b) => {
                stack.push(Item::Expr(b));
                stack.push(Item::Expr(a));
                stack.push(Item::Expr(c));
            }
        }
    }
    out
}

/// Every traversal in template parts; see [`Hcl::traversals`].
pub fn template_traversals(parts: &[Segment]) -> Vec<Traversal> {
    let mut out = Vec::new();
    collect_parts(parts, &mut Vec::new(), &mut out);
    out
}

fn collect_parts(parts: &[Segment], bound: &mut Vec<String>, out: &mut Vec<Traversal>) {
    for part in parts {
        match part {
            Segment::Text(_) => {}
            Segment::Interp(e) => collect(e, bound, out),
            Segment::If(c, a, b) => {
                collect(c, bound, out);
                collect_parts(a, bound, out);
                collect_parts(b, bound, out);
            }
            Segment::For(k, v, coll, body) => {
                collect(coll, bound, out);
                let before = bound.len();
                bound.extend(k.iter().cloned());
                bound.push(v.clone());
                collect_parts(body, bound, out);
                bound.truncate(before);
            }
        }
    }
}

/// Flattens a chain of attribute/index/splat steps down to its root variable.
fn chain(expr: &Hcl) -> Option<(&str, Vec<Step>, Vec<&Hcl>)> {
    let mut steps = Vec::new();
    let mut dynamic = Vec::new();
    let mut current = expr;
    loop {
        match current {
            Hcl::Var(name) => {
                steps.reverse();
                return Some((name, steps, dynamic));
            }
            Hcl::GetAttr(base, name) => {
                steps.push(Step::Attr(name.clone()));
                current = base;
            }
            Hcl::Splat(base) => {
                steps.push(Step::Splat);
                current = base;
            }
            Hcl::Index(base, key) => {
                steps.push(match key.as_ref() {
                    Hcl::Number(n) => n.parse().map(Step::Index).unwrap_or(Step::Dynamic),
                    Hcl::Template(parts) => match parts.as_slice() {
                        [Segment::Text(t)] => Step::Key(t.clone()),
                        [] => Step::Key(String::new()),
                        _ => {
                            dynamic.push(key.as_ref());
                            Step::Dynamic
                        }
                    },
                    other => {
                        dynamic.push(other);
                        Step::Dynamic
                    }
                });
                current = base;
            }
            _ => return None,
        }
    }
}

fn collect(expr: &Hcl, bound: &mut Vec<String>, out: &mut Vec<Traversal>) {
    if let Some((root, steps, dynamic)) = chain(expr) {
        if !bound.iter().any(|b| b == root) {
            out.push(Traversal {
                root: root.to_owned(),
                steps,
            });
        }
        for key in dynamic {
            collect(key, bound, out);
        }
        return;
    }
    match expr {
        Hcl::Number(_) | Hcl::Bool(_) | Hcl::Null | Hcl::Var(_) => {}
        Hcl::Template(parts) => collect_parts(parts, bound, out),
        Hcl::GetAttr(base, _) | Hcl::Splat(base) | Hcl::Not(base) | Hcl::Neg(base) => {
            collect(base, bound, out)
        }
        Hcl::Index(base, key) => {
            collect(base, bound, out);
            collect(key, bound, out);
        }
        Hcl::Call { args, .. } | Hcl::Tuple(args) => {
            args.iter().for_each(|a| collect(a, bound, out))
        }
        Hcl::Object(items) => items.iter().for_each(|(k, v)| {
            // A bare identifier as an object key is a literal name, not a reference.
            if !matches!(k, Hcl::Var(_)) {
                collect(k, bound, out);
            }
            collect(v, bound, out);
        }),
        Hcl::For(f) => {
            collect(&f.collection, bound, out);
            let before = bound.len();
            bound.extend(f.key_var.iter().cloned());
            bound.push(f.value_var.clone());
            if let Some(k) = &f.key {
                collect(k, bound, out);
            }
            collect(&f.value, bound, out);
            if let Some(c) = &f.condition {
                collect(c, bound, out);
            }
            bound.truncate(before);
        }
        Hcl::Binary(_, a, b) => {
            collect(a, bound, out);
            collect(b, bound, out);
        }
        Hcl::Cond(c, a, b) => {
            collect(c, bound, out);
            collect(a, bound, out);
            collect(b, bound, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(template: &str) -> Vec<String> {
        let parts = parse_template(template).unwrap_or_else(|e| panic!("{template}: {e}"));
        template_traversals(&parts)
            .into_iter()
            .map(|t| {
                let mut s = t.root.clone();
                for step in &t.steps {
                    match step {
                        Step::Attr(a) => s.push_str(&format!(".{a}")),
                        Step::Index(i) => s.push_str(&format!("[{i}]")),
                        Step::Key(k) => s.push_str(&format!("[{k:?}]")),
                        Step::Splat => s.push_str("[*]"),
                        Step::Dynamic => s.push_str("[?]"),
                    }
                }
                s
            })
            .collect()
    }

    #[test]
    fn references_in_templates() {
        let check = |t: &str, expect: &[&str]| assert_eq!(refs(t), expect, "{t}");
        check("plain text", &[]);
        check("$${not.a.ref} and %%{ nor this }", &[]);
        check("${aws_vpc.main.id}", &["aws_vpc.main.id"]);
        check(
            "arn:${data.aws_partition.p.partition}:s3:::${var.bucket}/*",
            &["data.aws_partition.p.partition", "var.bucket"],
        );
        check("${aws_subnet.private[0].id}", &["aws_subnet.private[0].id"]);
        check("${aws_subnet.private[*].id}", &["aws_subnet.private[*].id"]);
        check("${aws_subnet.private.*.id}", &["aws_subnet.private[*].id"]);
        check("${local.m[\"key\"]}", &["local.m[\"key\"]"]);
        check(
            "${aws_subnet.s[count.index].id}",
            &["aws_subnet.s[?].id", "count.index"],
        );
        check(
            "${cidrsubnet(var.cidr, 8, count.index + 1)}",
            &["var.cidr", "count.index"],
        );
        check(
            "${[for s in aws_subnet.a : s.id if s.tags != null]}",
            &["aws_subnet.a"],
        );
        check("${{for k, v in var.m : k => v.x...}}", &["var.m"]);
        check(
            "${{ name = var.n, (local.k) = 1, \"q\" = path.module }}",
            &["var.n", "local.k", "path.module"],
        );
        check(
            "${var.a ? local.b : -var.c * 2 % 3}",
            &["var.a", "local.b", "var.c"],
        );
        check(
            "%{ if var.on }${local.x}%{ else }none%{ endif }",
            &["var.on", "local.x"],
        );
        check(
            "%{ for i, s in var.list }${s}-${i}-${local.sep}%{ endfor }",
            &["var.list", "local.sep"],
        );
        check(
            "${jsonencode({\"Statement\" = [{\"Resource\" = \"${aws_s3_bucket.b.arn}/*\"}]})}",
            &["aws_s3_bucket.b.arn"],
        );
        check("${provider::aws::arn_parse(var.arn).region}", &["var.arn"]);
        check("${max(var.list...)}", &["var.list"]);
        check("${1.5e3 > 2 && !true || null == false}", &[]);
        check("${ /* comment */ var.x # trailing\n}", &["var.x"]);
    }

    #[test]
    fn calls_in_templates() {
        let calls = |t: &str| -> Vec<(String, usize, bool)> {
            template_calls(&parse_template(t).unwrap())
                .into_iter()
                .map(|c| (c.name, c.args, c.expand))
                .collect()
        };
        assert_eq!(
            calls("a ${upper(provider::aws::arn_parse(var.a).region)} %{ if f(1, 2) }x%{ endif }"),
            [
                ("upper".to_owned(), 1, false),
                ("provider::aws::arn_parse".to_owned(), 1, false),
                ("f".to_owned(), 2, false)
            ]
        );
        assert_eq!(calls("${max(var.l...)}"), [("max".to_owned(), 1, true)]);
    }

    #[test]
    fn syntax_errors_name_the_offset() {
        let check = |t: &str, expect: &str| {
            let err = parse_template(t).unwrap_err().to_string();
            assert_eq!(err, expect, "{t}");
        };
        check(
            "${",
            "at byte 2: expected an expression, found the end of the text",
        );
        check(
            "${var.x",
            "at byte 7: expected `}`, found the end of the text",
        );
        check(
            "${var.}",
            "at byte 6: expected an attribute name after `.`, found `}`",
        );
        check("${f(1,}", "at byte 6: expected an expression, found `}`");
        check("${\"abc}", "at byte 2: unterminated string");
        check(
            "%{ if x }a",
            "at byte 10: expected `%{ endif }`, found the end of the text",
        );
        check("%{ endfor }", "at byte 0: `endfor` without `for`");
        check("${a ? b}", "at byte 7: expected `:`, found `}`");
        check("${[for x in y]}", "at byte 13: expected `:`, found `]`");
        check("${1 @ 2}", "at byte 4: expected `}`, found `@`");
    }

    #[test]
    fn hostile_nesting_is_an_error_not_a_stack_overflow() {
        for opener in ["(", "[", "{ a = ", "!", "-", "\"${", "f("] {
            let text = format!("${{{}}}", opener.repeat(100_000));
            let err = parse_template(&text).unwrap_err();
            assert!(
                err.message.contains("nested too deeply") || err.message.starts_with("expected"),
                "{opener}: {err}"
            );
        }
        let deep = format!("{}1{}", "(".repeat(50), ")".repeat(50));
        assert!(
            parse_expression(&deep).is_ok(),
            "legitimate nesting still parses"
        );
    }

    #[test]
    fn long_operator_chains_are_an_error_not_a_stack_overflow() {
        for op in ["+", "&&", "==", "*"] {
            let text = format!("${{{}1}}", format!("1 {op} ").repeat(50_000));
            let err = parse_template(&text).unwrap_err();
            assert!(
                err.message.starts_with("more than 256 operators in a row"),
                "{op}: {err}"
            );
        }
        let fine = format!("${{{}1}}", "1 + ".repeat(200));
        assert!(parse_template(&fine).is_ok());
    }

    #[test]
    fn expressions_parse() {
        let e = parse_expression("a.b[0]").unwrap();
        assert_eq!(
            e,
            Hcl::Index(
                Box::new(Hcl::GetAttr(Box::new(Hcl::Var("a".into())), "b".into())),
                Box::new(Hcl::Number("0".into()))
            )
        );
        assert!(
            parse_expression("a b").is_err(),
            "trailing tokens are an error"
        );
        assert_eq!(
            parse_expression("aws_vpc.main").unwrap().traversals()[0].root,
            "aws_vpc"
        );
    }
}
