//! The committed AWS binding crate (`crates/aws/`: `Cargo.toml` and every
//! file of `src/`) is exactly what the generator makes from its committed
//! `provider.toml`, `schema.jsonl` and `services.txt`.

use std::path::Path;

#[test]
fn generated_bindings_are_not_stale() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/aws");
    let expected = tfsynth_codegen::generate_crate(&dir).expect("the committed schema generates");
    assert!(
        expected.len() > 2000,
        "every type has a file: {}",
        expected.len()
    );
    let stale = tfsynth_codegen::stale(&dir, &expected);
    assert!(
        stale.is_empty(),
        "crates/aws is stale: regenerate it with `cargo run -p tfsynth-codegen -- generate` and commit the result: {:?}",
        &stale[..stale.len().min(10)]
    );
}
