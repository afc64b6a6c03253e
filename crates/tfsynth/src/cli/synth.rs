//! `tfsynth synth`: write Terraform JSON for stacks.

use std::io::Write;

use crate::app::{App, AppError, Format};
use crate::fsio::WriteOutcome;

use super::Cli;

/// Synthesize stacks to Terraform JSON.
///
/// Writes <out>/<stack>/main.tf.json for each named stack (default: every
/// stack), or main.tf in HCL with --format hcl. All stacks are checked
/// first: if any has a problem, nothing is written. Each file is replaced
/// atomically; nothing else in the stack's directory (.terraform/, the lock
/// file, state) is touched, except that writing one format removes the
/// other's file, which terraform would read too.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Stacks to synthesize (default: all).
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// json writes main.tf.json (what plan and apply use); hcl writes
    /// main.tf in HCL native syntax, formatted as terraform fmt would.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write nothing: list each file synthesis would change, and exit 1 if
    /// there is any (for committed output that terraform runs on, as in
    /// VCS-driven Terraform Cloud workspaces).
    #[arg(long)]
    pub check: bool,
}

/// Runs `synth`.
pub fn run(app: &App, cli: &Cli, args: &Args, out: &mut dyn Write) -> Result<(), Vec<AppError>> {
    let settings = cli.settings(app)?;
    if args.check {
        let stale = app.check_written(&args.stacks, &settings, &cli.out, args.format)?;
        if stale.is_empty() {
            let _ = writeln!(out, "up to date: {}", cli.out.display());
            return Ok(());
        }
        for s in &stale {
            let _ = writeln!(out, "{s}");
        }
        return Err(vec![AppError::Stale {
            count: stale.len(),
            app: app.name().to_owned(),
        }]);
    }
    let written = app.synth_as(&args.stacks, &settings, &cli.out, args.format)?;
    for w in &written {
        let s = &w.synthesized;
        let state = match w.outcome {
            WriteOutcome::Written => "wrote",
            WriteOutcome::Unchanged => "unchanged",
        };
        let _ = writeln!(
            out,
            "{state} {} ({}, {})",
            w.path.display(),
            plural(s.resources, "resource"),
            plural(s.data_sources, "data source")
        );
        for d in &s.dropped {
            let _ = writeln!(
                out,
                "  note: dropped depends_on {} -> {}: references already order them ({})",
                d.from, d.to, d.reason
            );
        }
    }
    Ok(())
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
