//! Golden test: `tests/fixture/` is a whole generated provider crate, made
//! from a small schema in the real format that covers every nesting mode,
//! type expression and flag, ephemeral resources, functions, write-only
//! attributes, shared block shapes and names that clash with the engine's.
//! After an intended generator change, refresh it with
//! `TFSYNTH_UPDATE_SNAPSHOTS=1 cargo test -p tfsynth-codegen` and review the diff.

use std::path::Path;

use tfsynth_codegen::{Spec, generate, generate_crate, stale, write_crate};

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture")
}

#[test]
fn fixture_schema_generates_the_golden_crate() {
    let dir = fixture();
    let files = generate_crate(&dir).unwrap();
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Cargo.toml",
            "src/data/aws_fixture.rs",
            "src/data/mod.rs",
            "src/ephemeral/aws_fixture_secret.rs",
            "src/ephemeral/mod.rs",
            "src/func.rs",
            "src/index.rs",
            "src/lib.rs",
            "src/resource/aws_fixture.rs",
            "src/resource/mod.rs",
            "src/validation.jsonl",
        ]
    );
    if std::env::var("TFSYNTH_UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        write_crate(&dir, &files).unwrap();
        return;
    }
    let differs = stale(&dir, &files);
    assert!(
        differs.is_empty(),
        "{differs:?} in {}; if intended: TFSYNTH_UPDATE_SNAPSHOTS=1 cargo test -p tfsynth-codegen",
        dir.display()
    );
}

fn spec() -> Spec {
    Spec {
        name: "x".into(),
        version: "0.1.0".into(),
        description: "d".into(),
        license: None,
        repository: None,
        local_name: "p".into(),
        tfsynth: "\"0.1\"".into(),
        default_features: vec![],
    }
}

#[test]
fn malformed_inputs_are_errors() {
    let head = "[\"tfsynth-schema\",1,{\"source\":\"s\",\"version\":\"1\"}]\n";
    let check = |spec: &Spec, schema: &str, services: Option<&str>, expect: &str| {
        let err = generate(spec, schema, services, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expect), "{err}");
    };
    check(
        &spec(),
        "{",
        None,
        "schema.jsonl: line 1: not a tfsynth schema header",
    );
    check(
        &spec(),
        &format!(
            "{head}[\"resource\",\"p_x\",{{\"block\":{{\"attributes\":{{\"a\":{{\"type\":[\"queue\",\"string\"]}}}}}}}}]\n"
        ),
        None,
        "unknown collection type \"queue\"",
    );
    let one = format!("{head}[\"resource\",\"p_x\",{{\"block\":{{}}}}]\n");
    check(
        &spec(),
        &one,
        Some("resource p_y svc p\n"),
        "services.txt:0: no line for resource p_x",
    );
    check(
        &spec(),
        &one,
        Some("resource p_x\n"),
        "services.txt:1: expected `<resource|data|ephemeral> <type> <feature> ...`",
    );
    let err = generate(
        &spec(),
        &one,
        None,
        Some("{\"resource\": \"p_x\", \"path\": \"a\", \"range\": [3, 1]}\n"),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(err, "checks.jsonl:1: \"range\" takes [min, max]");
    let files = generate(
        &spec(),
        &one,
        None,
        Some("{\"resource\": \"p_x\", \"path\": \"a\", \"range\": [1, 3]}\n"),
    )
    .unwrap();
    assert!(files["src/lib.rs"].contains("checks: include_str!(\"../checks.jsonl\")"));
    assert!(files["Cargo.toml"].contains("\"checks.jsonl\""));
    let mut with_default = spec();
    with_default.default_features = vec!["nope".into()];
    check(
        &with_default,
        &one,
        Some("resource p_x svc p\n"),
        "default feature \"nope\" is not a feature of this provider",
    );
}

#[test]
fn services_become_features() {
    let head = "[\"tfsynth-schema\",1,{\"source\":\"s\",\"version\":\"1\"}]\n";
    let schema = format!(
        "{head}[\"resource\",\"p_a\",{{\"block\":{{}}}}]\n[\"resource\",\"p_b\",{{\"block\":{{}}}}]\n"
    );
    let mut s = spec();
    s.default_features = vec!["alpha".into()];
    let files = generate(
        &s,
        &schema,
        Some("resource p_a alpha p\nresource p_b beta p\n"),
        None,
    )
    .unwrap();
    let manifest = &files["Cargo.toml"];
    assert!(
        manifest.contains(
            "default = [\"alpha\"]\nfull = [\"alpha\", \"beta\"]\nalpha = []\nbeta = []\n"
        ),
        "{manifest}"
    );
    let module = &files["src/resource/mod.rs"];
    assert!(
        module.contains("#[cfg(feature = \"beta\")]\npub mod p_b;"),
        "{module}"
    );
    assert!(
        files["src/lib.rs"]
            .contains("pub const SERVICES: &str = include_str!(\"../services.txt\");")
    );
}
