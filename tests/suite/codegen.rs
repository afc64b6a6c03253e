//! The committed bindings in `crates/aws/src/` are exactly what the generator makes
//! from the committed `schema/aws.json`.

use std::collections::BTreeMap;
use std::path::Path;

use super::support::tree;

#[test]
fn generated_bindings_are_not_stale() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read_to_string(root.join("schema/aws.json")).unwrap();
    let expected = tfsynth_codegen::generate(&schema).expect("the committed schema generates");
    let committed: BTreeMap<String, String> = tree(&root.join("crates/aws/src"))
        .into_iter()
        .map(|(path, bytes)| {
            (
                path.to_string_lossy().replace('\\', "/"),
                String::from_utf8(bytes).unwrap(),
            )
        })
        .collect();
    let hint = "crates/aws/src/ is stale: regenerate it with `cargo run -p tfsynth-codegen` and commit the result";
    let extra: Vec<&String> = committed
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let missing: Vec<&String> = expected
        .keys()
        .filter(|k| !committed.contains_key(*k))
        .collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{hint} (extra: {extra:?}, missing: {missing:?})"
    );
    for (path, text) in &expected {
        assert!(
            &committed[path] == text,
            "{hint} (crates/aws/src/{path} differs)"
        );
    }
}

#[test]
fn every_listed_type_is_in_the_schema_and_bound() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("schema/aws.types")).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("schema/aws.json")).unwrap())
            .unwrap();
    let provider = &schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"];
    let mut opaque = 0;
    for line in list
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let ["opaque", kind, ty, path] = words[..] {
            // The block at `path` became an optional "dynamic" attribute.
            let key = if kind == "data" {
                "data_source_schemas"
            } else {
                "resource_schemas"
            };
            let mut block = &provider[key][ty]["block"];
            let (parents, last) = path.rsplit_once('/').unwrap_or(("", path));
            for name in parents.split('/').filter(|n| !n.is_empty()) {
                block = &block["block_types"][name]["block"];
            }
            assert!(
                block["block_types"].get(last).is_none(),
                "{line}: still a block"
            );
            assert_eq!(block["attributes"][last]["type"], "dynamic", "{line}");
            assert_eq!(block["attributes"][last]["optional"], true, "{line}");
            opaque += 1;
            continue;
        }
        let [kind, ty] = words[..] else {
            panic!("{line}: not 'resource TYPE', 'data TYPE' or 'opaque KIND TYPE PATH'");
        };
        let (dir, key) = if kind == "data" {
            ("data", "data_source_schemas")
        } else {
            ("resource", "resource_schemas")
        };
        assert!(
            provider[key].get(ty).is_some(),
            "{line} is not in schema/aws.json"
        );
        assert!(
            root.join("crates/aws/src")
                .join(dir)
                .join(format!("{ty}.rs"))
                .is_file(),
            "{line} has no binding"
        );
    }
    assert!(
        opaque > 0,
        "the WAF ACL's recursive statements are listed as opaque"
    );
}
