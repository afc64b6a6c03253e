//! Walking synthesized Terraform JSON, for every tool that reads it after
//! synthesis (validation, policy rules, the graph): the shapes Terraform
//! accepts for a block and the JSON pointers that name a place in it.

use serde_json::{Map, Value as Json};

/// A top-level block of type `kind` may be an object or a list of objects;
/// this yields each object with its pointer.
pub fn each_object<'a>(value: &'a Json, pointer: &str) -> Vec<(String, &'a Map<String, Json>)> {
    match value {
        Json::Object(map) => vec![(pointer.to_owned(), map)],
        Json::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.as_object().map(|m| (format!("{pointer}/{i}"), m)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Escapes one JSON pointer segment.
pub fn pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_segments_escape() {
        assert_eq!(pointer_segment("a/b~c"), "a~1b~0c");
    }

    #[test]
    fn a_block_is_one_object_or_a_list_of_them() {
        let one: Json = serde_json::json!({"a": 1});
        assert_eq!(each_object(&one, "/x").len(), 1);
        assert_eq!(each_object(&one, "/x")[0].0, "/x");
        let many: Json = serde_json::json!([{"a": 1}, 2, {"b": 2}]);
        let pointers: Vec<String> = each_object(&many, "/x")
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(pointers, ["/x/0", "/x/2"]);
        assert!(each_object(&Json::Null, "/x").is_empty());
    }
}
