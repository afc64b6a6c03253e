//! Rust names for Terraform names: types, fields, keywords, and the names
//! that generated code must not take because the engine or the standard
//! prelude already uses them.

/// Rust keywords that can be raw identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Method names that cannot be raw identifiers, or that the builder, body
/// and handle traits already use; a trailing `_` keeps them apart.
const RESERVED_METHODS: &[&str] = &[
    "self",
    "Self",
    "crate",
    "super",
    "new",
    "raw",
    "raw_mut",
    "body",
    "body_mut",
    "into_body",
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "waive",
    "set",
    "set_path",
    "expr",
    "attr",
    "get",
    "declare",
    "dependency_address",
];

/// Type names that generated code imports or the standard prelude has; a
/// nested block of one of these names gets a `Block` suffix.
pub const RESERVED_TYPES: &[&str] = &[
    "Address",
    "Body",
    "BodyBlock",
    "DataBlock",
    "DataRef",
    "DataSource",
    "Declare",
    "Dependable",
    "EphemeralBlock",
    "EphemeralRef",
    "EphemeralResource",
    "Expr",
    "IndexMap",
    "Node",
    "Number",
    "Resource",
    "ResourceBlock",
    "ResourceRef",
    "Stack",
    "Value",
    "WithLifecycle",
    "Self",
    "String",
    "Vec",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "Iterator",
    "IntoIterator",
    "Extend",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "ToOwned",
    "ToString",
    "AsRef",
    "AsMut",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
];

/// `aws_vpc_endpoint` → `AwsVpcEndpoint`.
pub fn camel(snake: &str) -> String {
    snake
        .split(['_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A Rust method or field name for a Terraform name.
pub fn ident(name: &str) -> String {
    let mut base: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, '_');
    }
    if RESERVED_METHODS.contains(&base.as_str()) {
        format!("{base}_")
    } else if KEYWORDS.contains(&base.as_str()) {
        format!("r#{base}")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let check = |f: fn(&str) -> String, input: &str, expect: &str| {
            assert_eq!(f(input), expect, "{input}")
        };
        check(camel, "aws_vpc_endpoint", "AwsVpcEndpoint");
        check(camel, "ebs", "Ebs");
        check(camel, "x-y", "XY");
        check(ident, "type", "r#type");
        check(ident, "self", "self_");
        check(ident, "count", "count_");
        check(ident, "body", "body_");
        check(ident, "cidr_block", "cidr_block");
        check(ident, "3d", "_3d");
        check(ident, "a-b", "a_b");
    }
}
