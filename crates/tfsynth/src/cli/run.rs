//! `tfsynth init|plan|apply|destroy`: synthesize, then run terraform in the
//! stack's directory. One file for the four because they share every step
//! but the last; each has its own `Args` and help text.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::app::{App, AppError, Settings};
use crate::terraform::{self, RunError, StackLock, Terraform, Version};

use super::Cli;

/// Options every terraform command shares.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Use the synthesized files as they are instead of synthesizing first.
    #[arg(long)]
    pub skip_synth: bool,

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
/// as long as the configuration has not changed since.
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
/// terminal and without --auto-approve it refuses. Exits with terraform's
/// exit code.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Stacks to apply, in this order.
    #[arg(value_name = "STACK", required = true)]
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
/// terminal and without --auto-approve it refuses. Never touches state or
/// lock files itself; terraform updates the state.
#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    /// Stacks to destroy, in this order.
    #[arg(value_name = "STACK", required = true)]
    pub stacks: Vec<String>,
    /// Destroy without asking.
    #[arg(long)]
    pub auto_approve: bool,
    /// Options every terraform command shares.
    #[command(flatten)]
    pub common: Common,
}

/// Which terraform command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `init`
    Init,
    /// `plan`
    Plan,
    /// `apply`
    Apply {
        /// Skip the question.
        auto_approve: bool,
    },
    /// `destroy`
    Destroy {
        /// Skip the question.
        auto_approve: bool,
    },
}

fn run_error(e: RunError) -> Vec<AppError> {
    vec![AppError::Run(e)]
}

/// The run's settings, each selected stack with its directory, and the
/// locks on those directories, held until the run ends.
pub type Prepared = (Settings, Vec<(String, PathBuf)>, Vec<StackLock>);

/// Locks the stacks' directories and synthesizes into them (unless
/// skipped); returns each stack's directory. The locks are taken before
/// anything is written, so no other tfsynth command's terraform ever reads
/// a file this one is replacing.
pub fn prepare(
    app: &App,
    cli: &Cli,
    names: &[String],
    common: &Common,
) -> Result<Prepared, Vec<AppError>> {
    let settings = cli.settings(app)?;
    let defs = app.select(names).map_err(|e| vec![e])?;
    let selected: Vec<String> = defs.iter().map(|d| d.name().to_owned()).collect();
    let locks = if common.skip_synth {
        let mut locks = Vec::new();
        for def in &defs {
            let dir = cli.out.join(def.name());
            if !dir.join("main.tf.json").is_file() {
                return Err(run_error(RunError::NotSynthesized {
                    stack: def.name().into(),
                    path: dir.join("main.tf.json"),
                    hint: common.synth_hint.clone(),
                }));
            }
            locks.push(StackLock::acquire(app.name(), def.name(), &dir).map_err(run_error)?);
        }
        locks
    } else {
        app.synth_locked(&selected, &settings, &cli.out)?.1
    };
    let dirs = defs
        .iter()
        .map(|def| (def.name().to_owned(), cli.out.join(def.name())))
        .collect();
    Ok((settings, dirs, locks))
}

/// Locates terraform as the settings say.
pub fn locate(app: &App, settings: &Settings) -> Result<Terraform, Vec<AppError>> {
    Terraform::locate(
        app.name(),
        settings.file.terraform_setting("binary"),
        settings.file.terraform_setting("plugin_dir"),
        settings.file.path().and_then(Path::parent),
    )
    .map_err(run_error)
}

/// Fails when terraform is older than the stack's `required_version`.
pub fn check_version(
    tf: &Terraform,
    stack: &str,
    dir: &Path,
    version: Version,
) -> Result<(), Vec<AppError>> {
    let prefix = crate::config::env_prefix(&tf.program);
    if let Some(required) = terraform::required_version(dir) {
        match terraform::satisfies(version, &required) {
            Ok(true) => {}
            Ok(false) => {
                return Err(run_error(RunError::TooOld {
                    stack: stack.into(),
                    found: version.to_string(),
                    required,
                    prefix,
                }));
            }
            Err(why) => {
                return Err(vec![AppError::Run(RunError::TooOld {
                    stack: stack.into(),
                    found: version.to_string(),
                    required: format!("{required} ({why})"),
                    prefix,
                })]);
            }
        }
    }
    Ok(())
}

/// `-no-color` unless terraform's output goes to a terminal.
fn color_args() -> Vec<String> {
    if std::io::stdout().is_terminal() {
        Vec::new()
    } else {
        vec!["-no-color".to_owned()]
    }
}

/// Runs terraform and turns a failing exit code into the command's result.
/// An interrupt ends the run even when terraform exits 0 after it: nothing
/// more may start once the user has asked to stop.
fn terraform_step(tf: &Terraform, dir: &Path, args: Vec<String>) -> Result<(), Vec<AppError>> {
    let command = args.first().cloned().unwrap_or_default();
    let run = terraform::run_streaming(tf, dir, &args).map_err(run_error)?;
    if let Some(signal) = run.interrupted {
        return Err(run_error(RunError::Interrupted {
            command,
            signal,
            code: run.code,
        }));
    }
    match run.code {
        0 => Ok(()),
        code => Err(vec![AppError::Terraform { code, command }]),
    }
}

fn init(tf: &Terraform, dir: &Path, extra: &[String]) -> Result<(), Vec<AppError>> {
    let mut args = vec!["init".to_owned(), "-input=false".to_owned()];
    args.extend(color_args());
    if let Some(plugins) = &tf.plugin_dir {
        args.push(format!("-plugin-dir={}", plugins.display()));
    }
    args.extend(extra.iter().cloned());
    terraform_step(tf, dir, args)?;
    terraform::record_init(dir, tf).map_err(run_error)
}

fn plan(tf: &Terraform, dir: &Path, extra: &[String], destroy: bool) -> Result<(), Vec<AppError>> {
    let mut args = vec![
        "plan".to_owned(),
        "-input=false".to_owned(),
        format!("-out={}", terraform::PLAN_FILE),
    ];
    if destroy {
        args.push("-destroy".to_owned());
    }
    args.extend(color_args());
    args.extend(extra.iter().cloned());
    terraform_step(tf, dir, args)?;
    terraform::record_plan(dir).map_err(run_error)
}

fn ask(
    stack: &str,
    command: &'static str,
    question: &str,
    expected: &str,
) -> Result<(), Vec<AppError>> {
    if !std::io::stdin().is_terminal() {
        return Err(run_error(RunError::NeedsConfirmation {
            stack: stack.into(),
            command,
        }));
    }
    if terraform::confirm(question, expected).map_err(run_error)? {
        Ok(())
    } else {
        Err(run_error(RunError::Cancelled {
            stack: stack.into(),
            command,
        }))
    }
}

/// Runs one terraform command over the stacks, one after another.
pub fn run(
    app: &App,
    cli: &Cli,
    names: &[String],
    common: &Common,
    kind: Kind,
    out: &mut dyn Write,
) -> Result<(), Vec<AppError>> {
    // Refuse before anything is written or run when there is no one to ask.
    let (needs_answer, command) = match kind {
        Kind::Apply { auto_approve } => (!auto_approve, "apply"),
        Kind::Destroy { auto_approve } => (!auto_approve, "destroy"),
        _ => (false, ""),
    };
    if needs_answer && !std::io::stdin().is_terminal() {
        let stack = names.first().cloned().unwrap_or_default();
        return Err(run_error(RunError::NeedsConfirmation { stack, command }));
    }
    let (settings, dirs, _locks) = prepare(app, cli, names, common)?;
    let tf = locate(app, &settings)?;
    let version = tf.version().map_err(run_error)?;
    for (stack, dir) in &dirs {
        check_version(&tf, stack, dir, version)?;
    }
    for (stack, dir) in &dirs {
        let _ = writeln!(out, "==> {stack}: terraform in {}", dir.display());
        let _ = out.flush();
        if kind == Kind::Init {
            init(&tf, dir, &common.extra)?;
            continue;
        }
        if terraform::needs_init(dir, &tf).map_err(run_error)? {
            init(&tf, dir, &[])?;
        }
        match kind {
            Kind::Init => unreachable!("handled above"),
            Kind::Plan => plan(&tf, dir, &common.extra, false)?,
            Kind::Apply { auto_approve } => {
                if !terraform::plan_is_current(dir).map_err(run_error)? {
                    plan(&tf, dir, &common.extra, false)?;
                }
                if !auto_approve {
                    ask(
                        stack,
                        "apply",
                        &format!("Apply the plan above to stack {stack}? Type yes:"),
                        "yes",
                    )?;
                }
                let mut args = vec!["apply".to_owned(), "-input=false".to_owned()];
                args.extend(color_args());
                args.push(terraform::PLAN_FILE.to_owned());
                let result = terraform_step(&tf, dir, args);
                terraform::forget_plan(dir);
                result?;
            }
            Kind::Destroy { auto_approve } => {
                if !auto_approve {
                    ask(
                        stack,
                        "destroy",
                        &format!(
                            "Destroy every resource of stack {stack}? Type the stack's name to confirm:"
                        ),
                        stack,
                    )?;
                }
                let mut args = vec![
                    "destroy".to_owned(),
                    "-input=false".to_owned(),
                    "-auto-approve".to_owned(),
                ];
                args.extend(color_args());
                args.extend(common.extra.iter().cloned());
                terraform::forget_plan(dir);
                terraform_step(&tf, dir, args)?;
            }
        }
    }
    Ok(())
}
