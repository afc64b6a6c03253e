//! Golden test: the generator's exact output for a small fixture schema in
//! the real format that covers every nesting mode, type expression and flag.
//! Refresh after an intended template change with
//! `TFSYNTH_UPDATE_SNAPSHOTS=1 cargo test -p tfsynth-codegen` and review the diff.

use std::path::Path;

#[test]
fn fixture_schema_generates_the_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let schema = std::fs::read_to_string(dir.join("fixture.schema.json")).unwrap();
    let files = tfsynth_codegen::generate(&schema).unwrap();
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "data/aws_fixture.rs",
            "data/mod.rs",
            "lib.rs",
            "resource/aws_fixture.rs",
            "resource/mod.rs"
        ]
    );
    for (name, text) in &files {
        let golden = dir.join(name.replace('/', "__"));
        if std::env::var("TFSYNTH_UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
            std::fs::write(&golden, text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert!(
            &expected == text,
            "{name} differs from {}; if intended: TFSYNTH_UPDATE_SNAPSHOTS=1 cargo test -p tfsynth-codegen",
            golden.display()
        );
    }
}

#[test]
fn malformed_schemas_are_errors() {
    let check = |text: &str, expect: &str| {
        let err = tfsynth_codegen::generate(text).unwrap_err();
        assert!(err.contains(expect), "{err}");
    };
    check("{", "schema JSON");
    check(
        r#"{"format_version": "1.0", "provider_schemas": {}}"#,
        "the schema has no provider",
    );
    check(
        r#"{"format_version": "1.0", "provider_schemas": {"registry.terraform.io/hashicorp/aws": {"provider": {"block": {}},
            "resource_schemas": {"aws_x": {"block": {"attributes": {"a": {"type": ["queue", "string"]}}}}}}}}"#,
        "unknown collection type \"queue\"",
    );
}
