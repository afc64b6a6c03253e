//! `cargo run -p tfsynth-codegen`: regenerates `src/aws/` from `schema/aws.json`.
//!
//! The folder is owned by the generator: it is wiped and written anew, so a
//! type removed from the schema disappears from the bindings too.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let schema_path = root.join("schema/aws.json");
    let out_dir = root.join("crates/aws/src");
    let result = std::fs::read_to_string(&schema_path)
        .map_err(|e| format!("cannot read {}: {e}", schema_path.display()))
        .and_then(|text| tfsynth_codegen::generate(&text))
        .and_then(|files| {
            // Render everything before touching the folder, so a failure leaves it as it was.
            let tmp = root.join("crates/aws/.src.tmp");
            let _ = std::fs::remove_dir_all(&tmp);
            for (path, text) in &files {
                let file = tmp.join(path);
                std::fs::create_dir_all(file.parent().expect("generated paths have a folder"))
                    .and_then(|()| std::fs::write(&file, text))
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            }
            let _ = std::fs::remove_dir_all(&out_dir);
            std::fs::rename(&tmp, &out_dir)
                .map_err(|e| format!("cannot replace {}: {e}", out_dir.display()))?;
            Ok(files.len())
        });
    match result {
        Ok(n) => {
            println!("wrote {n} files to crates/aws/src/");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
