//! Terraform type constraints, as written in a variable's `type` argument.

use std::fmt;

/// A Terraform type constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `string`
    String,
    /// `number`
    Number,
    /// `bool`
    Bool,
    /// `any`: accept any type.
    Any,
    /// `list(T)`
    List(Box<Type>),
    /// `set(T)`
    Set(Box<Type>),
    /// `map(T)`
    Map(Box<Type>),
    /// `object({ name = T, ... })`, attributes in the given order.
    Object(Vec<(String, Type)>),
    /// `tuple([T, ...])`
    Tuple(Vec<Type>),
}

impl Type {
    /// `list(inner)`
    pub fn list(inner: Type) -> Type {
        Type::List(Box::new(inner))
    }

    /// `set(inner)`
    pub fn set(inner: Type) -> Type {
        Type::Set(Box::new(inner))
    }

    /// `map(inner)`
    pub fn map(inner: Type) -> Type {
        Type::Map(Box::new(inner))
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Any => f.write_str("any"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (name, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name} = {t}")?;
                }
                f.write_str("})")
            }
            Type::Tuple(items) => {
                f.write_str("tuple([")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_type_expressions() {
        let check = |t: Type, expect: &str| assert_eq!(t.to_string(), expect);
        check(Type::String, "string");
        check(Type::list(Type::String), "list(string)");
        check(Type::map(Type::set(Type::Number)), "map(set(number))");
        check(
            Type::Object(vec![
                ("name".into(), Type::String),
                ("size".into(), Type::Number),
            ]),
            "object({name = string, size = number})",
        );
        check(
            Type::Tuple(vec![Type::Bool, Type::Any]),
            "tuple([bool, any])",
        );
    }
}
