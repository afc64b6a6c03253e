//! `tfsynth output`: the stack's terraform outputs.

use std::io::Write;

use crate::app::{App, AppError};
use crate::{ops, terraform};

use super::Cli;

/// Print a stack's outputs, as terraform reports them.
///
/// Passes `terraform output` through: one NAME after `--` prints just that
/// output; --json prints machine-readable JSON. Does not synthesize unless
/// asked to (outputs come from the state).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stack.
    #[arg(value_name = "STACK")]
    pub stack: String,
    /// Machine-readable JSON.
    #[arg(long)]
    pub json: bool,
    /// Synthesize first (outputs come from the state, so this is rarely needed).
    #[arg(long)]
    pub synth: bool,
    /// Extra arguments passed to terraform, after `--`.
    #[arg(last = true, value_name = "TERRAFORM_ARGS")]
    pub extra: Vec<String>,
}

/// Runs `output`.
pub fn run(app: &App, cli: &Cli, args: &Args, out: &mut dyn Write) -> Result<(), Vec<AppError>> {
    let options = ops::Options {
        skip_synth: !args.synth,
        synth_hint: format!(
            "pass --synth, or `{} synth {}` first; outputs exist once the stack is applied",
            app.name(),
            args.stack
        ),
        ..ops::Options::default()
    };
    let selection = ops::select(app, cli.settings(app)?, std::slice::from_ref(&args.stack))?;
    let (settings, dirs, _locks) = ops::prepare(app, &cli.out, selection, &options)?;
    let (stack, dir) = &dirs[0];
    let tf = ops::locate(app, &settings)?;
    let version = tf.version().map_err(|e| vec![AppError::Run(e)])?;
    ops::check_version(&tf, stack, dir, version)?;
    let _ = out.flush();
    let mut terraform_args = vec!["output".to_owned()];
    if args.json {
        terraform_args.push("-json".to_owned());
    }
    terraform_args.push("-no-color".to_owned());
    terraform_args.extend(args.extra.iter().cloned());
    let env = ops::stack_env(app, &settings, stack);
    let run = terraform::run_streaming(&tf, dir, &terraform_args, &env, terraform::Output::Inherit)
        .map_err(|e| vec![AppError::Run(e)])?;
    match run.code {
        0 => Ok(()),
        code => Err(vec![AppError::Terraform {
            code,
            command: "output".into(),
        }]),
    }
}
