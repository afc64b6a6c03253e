//! `tfsynth list`: the stacks this program defines.

use std::io::Write;

use crate::app::{App, AppError};

/// List the stacks this program defines, with a line on each.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `list`.
pub fn run(app: &App, _args: &Args, out: &mut dyn Write) -> Result<(), Vec<AppError>> {
    app.check().map_err(|e| vec![e])?;
    let width = app
        .stacks()
        .iter()
        .map(|d| d.name().len())
        .max()
        .unwrap_or(0);
    for def in app.stacks() {
        let _ = writeln!(out, "{:width$}  {}", def.name(), def.description());
    }
    Ok(())
}
