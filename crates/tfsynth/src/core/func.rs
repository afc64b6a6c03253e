//! Typed helpers for Terraform's built-in functions.
//!
//! Each helper builds an [`Expr::Call`]; arguments accept literals, typed
//! values and expressions alike. Functions without a helper here are still
//! reachable through [`Expr::call`].

use super::expr::Expr;

fn call<const N: usize>(name: &str, args: [Expr; N]) -> Expr {
    Expr::Call(name.to_owned(), args.into())
}

/// `jsonencode(value)`: a JSON string of the value, e.g. an IAM policy built from expressions.
pub fn jsonencode(value: impl Into<Expr>) -> Expr {
    call("jsonencode", [value.into()])
}

/// `cidrsubnet(prefix, newbits, netnum)`: the `netnum`-th subnet of `prefix`
/// with `newbits` more prefix bits.
pub fn cidrsubnet(
    prefix: impl Into<Expr>,
    newbits: impl Into<Expr>,
    netnum: impl Into<Expr>,
) -> Expr {
    call("cidrsubnet", [prefix.into(), newbits.into(), netnum.into()])
}

/// `element(list, index)`: the element at `index`, wrapping around.
pub fn element(list: impl Into<Expr>, index: impl Into<Expr>) -> Expr {
    call("element", [list.into(), index.into()])
}

/// `length(value)`: the number of elements or characters.
pub fn length(value: impl Into<Expr>) -> Expr {
    call("length", [value.into()])
}

/// `format(spec, args...)`: printf-style formatting.
pub fn format(spec: impl Into<Expr>, args: impl IntoIterator<Item = Expr>) -> Expr {
    let mut all = vec![spec.into()];
    all.extend(args);
    Expr::Call("format".to_owned(), all)
}

/// `join(separator, list)`.
pub fn join(separator: impl Into<Expr>, list: impl Into<Expr>) -> Expr {
    call("join", [separator.into(), list.into()])
}

/// `lookup(map, key, default)`.
pub fn lookup(map: impl Into<Expr>, key: impl Into<Expr>, default: impl Into<Expr>) -> Expr {
    call("lookup", [map.into(), key.into(), default.into()])
}

/// `merge(maps...)`.
pub fn merge(maps: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Call("merge".to_owned(), maps.into_iter().collect())
}

/// `concat(lists...)`.
pub fn concat(lists: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Call("concat".to_owned(), lists.into_iter().collect())
}

/// `tostring(value)`.
pub fn tostring(value: impl Into<Expr>) -> Expr {
    call("tostring", [value.into()])
}

/// `slice(list, start, end)`.
pub fn slice(list: impl Into<Expr>, start: impl Into<Expr>, end: impl Into<Expr>) -> Expr {
    call("slice", [list.into(), start.into(), end.into()])
}

/// `base64encode(text)`: for attributes such as a launch template's `user_data`.
pub fn base64encode(text: impl Into<Expr>) -> Expr {
    call("base64encode", [text.into()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::expr::Ref;

    #[test]
    fn helpers_render() {
        let var = |n: &str| Expr::Ref(Ref::Var(n.into()));
        let check = |e: Expr, expect: &str| assert_eq!(e.to_hcl(), expect);
        check(cidrsubnet(var("cidr"), 8, 2), "cidrsubnet(var.cidr, 8, 2)");
        check(
            element(var("azs"), Expr::Ref(Ref::CountIndex)),
            "element(var.azs, count.index)",
        );
        check(
            jsonencode(Expr::Object(vec![("a".into(), var("x"))])),
            "jsonencode({ \"a\" = var.x })",
        );
        check(
            format("%s-%d", [var("a"), 3.into()]),
            "format(\"%s-%d\", var.a, 3)",
        );
        check(join(",", var("l")), "join(\",\", var.l)");
        check(merge([var("a"), var("b")]), "merge(var.a, var.b)");
        check(concat([var("a")]), "concat(var.a)");
        check(lookup(var("m"), "k", "d"), "lookup(var.m, \"k\", \"d\")");
        check(length(var("l")), "length(var.l)");
        check(tostring(1), "tostring(1)");
        check(slice(var("l"), 0, 2), "slice(var.l, 0, 2)");
        check(base64encode("x"), "base64encode(\"x\")");
    }
}
