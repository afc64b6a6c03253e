//! `tfsynth list`: the stacks this program defines.

use std::io::Write;

use crate::app::{App, AppError};

use super::Cli;

/// List the stacks this program defines, with a line on each.
///
/// A stack that reads other stacks' outputs has a second line naming them.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `list`.
pub fn run(app: &App, cli: &Cli, _args: &Args, out: &mut dyn Write) -> Result<(), Vec<AppError>> {
    app.check().map_err(|e| vec![e])?;
    // Dependencies are known only for stacks whose configuration resolves.
    let deps = cli
        .settings(app)
        .map(|settings| app.stack_dependencies(&settings))
        .unwrap_or_default();
    let width = app
        .stacks()
        .iter()
        .map(|d| d.name().len())
        .max()
        .unwrap_or(0);
    for def in app.stacks() {
        let _ = writeln!(out, "{:width$}  {}", def.name(), def.description());
        if let Some((_, reads)) = deps.iter().find(|(n, r)| n == def.name() && !r.is_empty()) {
            let _ = writeln!(
                out,
                "{:width$}  reads the outputs of {}",
                "",
                reads.join(", ")
            );
        }
    }
    Ok(())
}
