//! The committed bindings in `src/aws/` are exactly what the generator makes
//! from the committed `schema/aws.json`.

use std::collections::BTreeMap;
use std::path::Path;

use super::support::tree;

#[test]
fn generated_bindings_are_not_stale() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read_to_string(root.join("schema/aws.json")).unwrap();
    let expected = tfsynth_codegen::generate(&schema).expect("the committed schema generates");
    let committed: BTreeMap<String, String> = tree(&root.join("src/aws"))
        .into_iter()
        .map(|(path, bytes)| {
            (
                path.to_string_lossy().replace('\\', "/"),
                String::from_utf8(bytes).unwrap(),
            )
        })
        .collect();
    let hint = "src/aws/ is stale: regenerate it with `cargo run -p tfsynth-codegen` and commit the result";
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
        assert!(&committed[path] == text, "{hint} (src/aws/{path} differs)");
    }
}

#[test]
fn every_listed_type_is_in_the_schema_and_bound() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("schema/aws.types")).unwrap();
    for line in list
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
    {
        let (kind, ty) = line.split_once(' ').unwrap();
        let dir = if kind == "data" { "data" } else { "resource" };
        assert!(
            root.join("src/aws")
                .join(dir)
                .join(format!("{ty}.rs"))
                .is_file(),
            "{line} has no binding"
        );
    }
}
