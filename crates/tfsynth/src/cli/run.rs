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

    /// Every stack of the application (instead of naming them).
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,

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
/// still read by one that failed is not started. Never touches state or
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

/// What became of one stack of a run.
enum Outcome {
    Done(std::time::Duration),
    Failed(std::time::Duration, Vec<AppError>),
    NotStarted(String),
}

/// The selected stacks in the order the command runs them, each with the
/// selected stacks it waits for: producers before their readers, readers
/// first for destroy.
fn run_order(
    app: &App,
    settings: &Settings,
    dirs: &[(String, PathBuf)],
    destroy: bool,
) -> Vec<(String, PathBuf, Vec<String>)> {
    let selected: Vec<&str> = dirs.iter().map(|(n, _)| n.as_str()).collect();
    let reads: indexmap::IndexMap<String, Vec<String>> = app
        .stack_dependencies(settings)
        .into_iter()
        .filter(|(n, _)| selected.contains(&n.as_str()))
        .map(|(n, r)| {
            let r = r
                .into_iter()
                .filter(|p| selected.contains(&p.as_str()))
                .collect();
            (n, r)
        })
        .collect();
    let mut order = crate::stacks::deploy_order(&reads);
    let waits = |name: &str| -> Vec<String> {
        if destroy {
            reads
                .iter()
                .filter(|(_, r)| r.iter().any(|p| p == name))
                .map(|(n, _)| n.clone())
                .collect()
        } else {
            reads.get(name).cloned().unwrap_or_default()
        }
    };
    if destroy {
        order.reverse();
    }
    order
        .into_iter()
        .filter_map(|name| {
            let dir = dirs.iter().find(|(n, _)| *n == name)?.1.clone();
            let waits = waits(&name);
            Some((name, dir, waits))
        })
        .collect()
}

/// A clear error when `stack` reads a producer whose local state does not
/// exist yet: terraform would fail reading it with a longer story.
fn producers_applied(
    app: &App,
    settings: &Settings,
    cli: &Cli,
    stack: &str,
) -> Result<(), Vec<AppError>> {
    let Some((_, reads)) = app
        .stack_dependencies(settings)
        .into_iter()
        .find(|(n, _)| n == stack)
    else {
        return Ok(());
    };
    for producer in reads {
        let Some(def) = app.stacks().iter().find(|d| d.name() == producer) else {
            continue;
        };
        let Ok(config) = app.configure(def, settings) else {
            continue;
        };
        let state = match config.backend() {
            None | Some(crate::core::Backend::Local { path: None }) => {
                cli.out.join(&producer).join("terraform.tfstate")
            }
            Some(crate::core::Backend::Local { path: Some(path) }) => {
                cli.out.join(&producer).join(path)
            }
            // Remote state: terraform reads it and says what is missing.
            Some(_) => continue,
        };
        if !state.is_file() {
            return Err(vec![AppError::Stacks(format!(
                "stack {stack} reads the outputs of stack {producer}, which has no state yet at {} (hint: apply {producer} first, or both: {} apply {producer} {stack})",
                state.display(),
                app.name()
            ))]);
        }
    }
    Ok(())
}

/// Runs one terraform command over the stacks: in dependency order, each
/// stack started only when the stacks it waits for succeeded.
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
        let stack = names.first().cloned().unwrap_or_else(|| {
            app.stacks()
                .first()
                .map(|d| d.name().to_owned())
                .unwrap_or_default()
        });
        return Err(run_error(RunError::NeedsConfirmation { stack, command }));
    }
    let (settings, dirs, _locks) = prepare(app, cli, names, common)?;
    let tf = locate(app, &settings)?;
    let version = tf.version().map_err(run_error)?;
    for (stack, dir) in &dirs {
        check_version(&tf, stack, dir, version)?;
    }
    let order = run_order(app, &settings, &dirs, matches!(kind, Kind::Destroy { .. }));
    let mut outcomes: Vec<(String, Outcome)> = Vec::new();
    for (stack, dir, waits) in &order {
        let blocked = waits.iter().find(|w| {
            outcomes
                .iter()
                .any(|(n, o)| n == *w && !matches!(o, Outcome::Done(_)))
        });
        if let Some(blocker) = blocked {
            let _ = writeln!(
                out,
                "==> {stack}: not started: stack {blocker} did not succeed"
            );
            outcomes.push((stack.clone(), Outcome::NotStarted(blocker.clone())));
            continue;
        }
        let _ = writeln!(out, "==> {stack}: terraform in {}", dir.display());
        let _ = out.flush();
        let started = std::time::Instant::now();
        let result = run_one(app, &settings, cli, &tf, stack, dir, common, kind);
        let took = started.elapsed();
        match result {
            Ok(()) => outcomes.push((stack.clone(), Outcome::Done(took))),
            Err(errors) => {
                // After an interrupt, or a refusal to confirm, nothing more starts.
                let stop = errors.iter().any(|e| {
                    matches!(
                        e,
                        AppError::Run(RunError::Interrupted { .. } | RunError::Cancelled { .. })
                    )
                });
                if stop || order.len() == 1 {
                    return Err(errors);
                }
                outcomes.push((stack.clone(), Outcome::Failed(took, errors)));
            }
        }
    }
    if order.len() > 1 {
        summary(&outcomes, kind, out);
    }
    let mut failed = outcomes.into_iter().filter_map(|(_, o)| match o {
        Outcome::Failed(_, errors) => Some(errors),
        _ => None,
    });
    match failed.next() {
        Some(errors) => Err(errors),
        None => Ok(()),
    }
}

/// The table that ends a run of several stacks.
fn summary(outcomes: &[(String, Outcome)], kind: Kind, out: &mut dyn Write) {
    let done = match kind {
        Kind::Init => "initialized",
        Kind::Plan => "planned",
        Kind::Apply { .. } => "applied",
        Kind::Destroy { .. } => "destroyed",
    };
    let width = outcomes
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0)
        .max(5);
    let _ = writeln!(
        out,
        "\nsummary:\n  {:width$}  {:<7}  result",
        "stack", "time"
    );
    for (stack, outcome) in outcomes {
        let (time, result) = match outcome {
            Outcome::Done(t) => (format!("{:.1} s", t.as_secs_f64()), done.to_owned()),
            Outcome::Failed(t, errors) => (
                format!("{:.1} s", t.as_secs_f64()),
                format!(
                    "failed (exit {}): {}",
                    errors.first().map_or(1, AppError::exit_code),
                    errors.first().map(ToString::to_string).unwrap_or_default()
                ),
            ),
            Outcome::NotStarted(blocker) => (
                "-".to_owned(),
                format!("not started: {blocker} did not succeed"),
            ),
        };
        let _ = writeln!(out, "  {stack:width$}  {time:<7}  {result}");
    }
}

/// One stack's step of the command.
#[allow(clippy::too_many_arguments)]
fn run_one(
    app: &App,
    settings: &Settings,
    cli: &Cli,
    tf: &Terraform,
    stack: &str,
    dir: &Path,
    common: &Common,
    kind: Kind,
) -> Result<(), Vec<AppError>> {
    if kind == Kind::Init {
        return init(tf, dir, &common.extra);
    }
    if matches!(kind, Kind::Plan | Kind::Apply { .. }) {
        producers_applied(app, settings, cli, stack)?;
    }
    if terraform::needs_init(dir, tf).map_err(run_error)? {
        init(tf, dir, &[])?;
    }
    match kind {
        Kind::Init => unreachable!("handled above"),
        Kind::Plan => plan(tf, dir, &common.extra, false)?,
        Kind::Apply { auto_approve } => {
            if !terraform::plan_is_current(dir).map_err(run_error)? {
                plan(tf, dir, &common.extra, false)?;
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
            let result = terraform_step(tf, dir, args);
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
            terraform_step(tf, dir, args)?;
        }
    }
    Ok(())
}
