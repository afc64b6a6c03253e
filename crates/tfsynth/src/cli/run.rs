//! `tfsynth init|plan|apply|destroy`: one `Args` struct and help text each,
//! over [`ops::run`](crate::ops::run), which synthesizes and runs terraform
//! in each stack's directory.

use std::io::Write;

use crate::app::{App, AppError};
use crate::ops::{self, Kind};

use super::Cli;

/// Options every terraform command shares.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Use the synthesized files as they are instead of synthesizing first.
    #[arg(long)]
    pub skip_synth: bool,

    /// Every stack of the application (instead of naming them).
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

    /// How many independent stacks run at once (default 4); stacks that read
    /// another's outputs still wait for it. Each line terraform prints is
    /// prefixed with its stack when the run has several.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: Option<u16>,

    /// Extra arguments passed to terraform, after `--`.
    #[arg(last = true, value_name = "TERRAFORM_ARGS")]
    pub extra: Vec<String>,

    /// How to synthesize when --skip-synth finds nothing (set by the command).
    #[arg(skip = String::from("run without --skip-synth, or synthesize the stack first"))]
    pub synth_hint: String,
}

/// Initialize stacks' working directories (providers and backend).
///
/// Synthesizes the stacks (default: all), then runs `terraform init` in each
/// stack's directory, one stack after another (inits sharing a plugin cache
/// must not race). Providers come from the plugin directory when one is
/// configured (<PROGRAM>_PLUGIN_DIR or `plugin_dir` in [terraform]), so init
/// works offline. Other commands run init themselves when it is needed.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Stacks (default: all).
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Options every terraform command shares.
    #[command(flatten)]
    pub common: Common,
}

/// Show what terraform would change, and keep the plan for apply.
///
/// Synthesizes, initializes when needed, and runs `terraform plan`, saving
/// the plan in the stack's directory. `apply` applies that saved plan
/// as long as the configuration has not changed since. Stacks that read
/// other stacks' outputs are planned after them; a stack whose producer
/// failed is not started.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Stacks (default: all).
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Options every terraform command shares.
    #[command(flatten)]
    pub common: Common,
}

/// Create or update the stack's infrastructure.
///
/// Applies the saved plan when it is current, otherwise plans first and
/// shows the changes. Asks for confirmation unless --auto-approve; without a
/// terminal and without --auto-approve it refuses. With several stacks,
/// producers are applied before the stacks reading their outputs, a stack
/// whose producer failed is not started, and a summary ends the run. Exits
/// with terraform's exit code.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Stacks to apply (producers go before the stacks reading them).
    #[arg(value_name = "STACK", required_unless_present = "all")]
    pub stacks: Vec<String>,
    /// Apply without asking.
    #[arg(long)]
    pub auto_approve: bool,
    /// Options every terraform command shares.
    #[command(flatten)]
    pub common: Common,
}

/// Destroy everything the stack created.
///
/// Asks you to type the stack's name unless --auto-approve; without a
/// terminal and without --auto-approve it refuses. With several stacks, the
/// stacks reading other stacks' outputs are destroyed first, and a stack
/// still read by one that failed is not started. A stack read by one that
/// is not selected and may still be deployed is refused. Never touches state or
/// lock files itself; terraform updates the state.
#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    /// Stacks to destroy (readers go before the stacks they read).
    #[arg(value_name = "STACK", required_unless_present = "all")]
    pub stacks: Vec<String>,
    /// Destroy without asking.
    #[arg(long)]
    pub auto_approve: bool,
    /// Options every terraform command shares.
    #[command(flatten)]
    pub common: Common,
}

impl Common {
    /// The run's options.
    pub fn options(&self) -> ops::Options {
        ops::Options {
            skip_synth: self.skip_synth,
            parallel: self.parallel.map(usize::from),
            extra: self.extra.clone(),
            synth_hint: self.synth_hint.clone(),
        }
    }
}

/// Runs `kind` over the stacks `names` (all when none).
pub fn run(
    app: &App,
    cli: &Cli,
    names: &[String],
    common: &Common,
    kind: Kind,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Vec<AppError>> {
    let selection = ops::select(app, cli.settings(app)?, names)?;
    ops::run(app, selection, &cli.out, &common.options(), kind, out, err)
}
