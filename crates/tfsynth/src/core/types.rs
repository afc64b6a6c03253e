//! Terraform type constraints, as written in a variable's `type` argument.
//!
//! This is the same type the provider schema uses for attributes, so one
//! definition renders both (`list(string)`, `object({name = string})`,
//! `any` for `dynamic`).

pub use tfsynth_schema::TypeExpr as Type;

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
            Type::Object(
                [
                    ("name".to_string(), Type::String),
                    ("size".to_string(), Type::Number),
                ]
                .into(),
            ),
            "object({name = string, size = number})",
        );
        check(
            Type::Tuple(vec![Type::Bool, Type::Dynamic]),
            "tuple([bool, any])",
        );
    }
}
