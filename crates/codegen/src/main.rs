//! `tfsynth-codegen`: regenerates provider binding crates.
//!
//! ```text
//! tfsynth-codegen generate [DIR]...     rewrite Cargo.toml and src/ of each crate (default: crates/aws)
//! tfsynth-codegen check [DIR]...        exit 1, naming the files, when a crate is stale
//! tfsynth-codegen import FULL.json SOURCE VERSION OUT.jsonl
//!                                       convert `terraform providers schema -json` output
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tfsynth_codegen::{CodegenError, generate_crate, import, stale, write_crate};

fn dirs(args: &[String]) -> Vec<PathBuf> {
    if args.is_empty() {
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../aws")]
    } else {
        args.iter().map(PathBuf::from).collect()
    }
}

fn run(args: &[String]) -> Result<ExitCode, CodegenError> {
    match args.first().map(String::as_str) {
        Some("generate") => {
            for dir in dirs(&args[1..]) {
                let files = generate_crate(&dir)?;
                write_crate(&dir, &files)?;
                println!("wrote {} files to {}", files.len(), dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("check") => {
            let mut ok = true;
            for dir in dirs(&args[1..]) {
                let files = generate_crate(&dir)?;
                for (path, why) in stale(&dir, &files) {
                    eprintln!("error: {}: {path} {why}", dir.display());
                    ok = false;
                }
            }
            if !ok {
                eprintln!("hint: regenerate with `cargo run -p tfsynth-codegen -- generate`");
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Some("import") if args.len() == 5 => {
            let full = std::fs::read_to_string(&args[1]).map_err(|source| CodegenError::Read {
                path: args[1].clone().into(),
                source,
            })?;
            let text = import(&full, &args[2], &args[3])?;
            std::fs::write(&args[4], text).map_err(|source| CodegenError::Write {
                path: args[4].clone().into(),
                source,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!(
                "usage: tfsynth-codegen generate [DIR]... | check [DIR]... | import FULL.json SOURCE VERSION OUT.jsonl"
            );
            Ok(ExitCode::from(2))
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
