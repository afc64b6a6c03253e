//! `tfsynth config`: a stack's resolved configuration and where each value came from.

use std::io::Write;

use crate::app::{App, AppError};
use crate::core::Backend;

use super::Cli;

/// Show a stack's resolved configuration and where each value came from.
///
/// Values are layered: the key's default, the stack's table in the
/// configuration file, the selected environment's table (--env or the
/// stack's default_environment), environment variables
/// <PROGRAM>_<STACK>_<KEY>, and --set. Every value is checked as synth
/// would check it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stack.
    #[arg(value_name = "STACK")]
    pub stack: String,

    /// List the keys the stack accepts, with defaults, as a Markdown table, instead of resolving them.
    #[arg(long)]
    pub keys: bool,
}

fn describe(backend: &Backend) -> String {
    match backend {
        Backend::Local { path: None } => "local".into(),
        Backend::Local { path: Some(p) } => format!("local (path {p})"),
        Backend::S3(s3) => format!(
            "s3 (bucket {}, key {}, region {}{})",
            s3.bucket,
            s3.key,
            s3.region,
            s3.endpoint
                .as_deref()
                .map(|e| format!(", endpoint {e}"))
                .unwrap_or_default()
        ),
        Backend::Cloud(c) => {
            let ws = match c.tags.as_slice() {
                [] => format!("workspace {}", c.workspace),
                tags => format!("workspace {} tagged {}", c.workspace, tags.join(", ")),
            };
            format!("cloud (organization {}, {ws})", c.organization)
        }
    }
}

/// Runs `config`.
pub fn run(app: &App, cli: &Cli, args: &Args, out: &mut dyn Write) -> Result<(), Vec<AppError>> {
    let def = app
        .select(std::slice::from_ref(&args.stack))
        .map_err(|e| vec![e])?[0];
    if args.keys {
        let _ = writeln!(out, "| key | default | meaning |");
        let _ = writeln!(out, "| --- | --- | --- |");
        for key in def.spec().keys() {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                key.name(),
                key.default_text(),
                key.description()
            );
        }
        return Ok(());
    }
    let settings = cli.settings(app)?;
    let config = app.configure(def, &settings)?;
    let env = config
        .environment()
        .map(|e| format!(", environment {e}"))
        .unwrap_or_default();
    let file = settings
        .file
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "no configuration file".into());
    let _ = writeln!(out, "stack {}{env} ({file})", def.name());
    let entries: Vec<_> = config.entries().collect();
    let width = entries
        .iter()
        .map(|(k, ..)| k.len())
        .max()
        .unwrap_or(0)
        .max("backend".len());
    let shown: Vec<String> = entries
        .iter()
        .map(|(_, v, ..)| v.map_or_else(|| "(unset)".to_owned(), ToString::to_string))
        .collect();
    let value_width = shown.iter().map(String::len).max().unwrap_or(0);
    for ((key, _, source, _), value) in entries.iter().zip(&shown) {
        let _ = writeln!(out, "  {key:width$} = {value:value_width$}  # {source}");
    }
    let backend = config
        .backend()
        .map_or_else(|| "local (default)".to_owned(), describe);
    let _ = writeln!(out, "  {:width$} = {backend}", "backend");
    Ok(())
}
