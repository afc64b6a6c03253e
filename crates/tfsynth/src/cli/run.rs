//! `tfsynth init|plan|apply|destroy`: synthesize, then run terraform in the
//! stack's directory. One file for the four because they share every step
//! but the last; each has its own `Args` and help text.

use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crate::app::{App, AppError, Settings};
use crate::core::Backend;
use crate::terraform::{self, RunError, StackLock, Terraform, Version};

use super::Cli;
use super::schedule::{Outcome, Schedule, Step};

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

/// A command's settings and the stacks it names (all when none), resolved
/// once for every check before anything is written.
pub struct Selection {
    /// The resolved settings.
    pub settings: Settings,
    /// The selected stacks, in the application's order.
    pub stacks: Vec<String>,
}

/// Resolves the settings and the stacks `names` selects.
pub fn select(app: &App, cli: &Cli, names: &[String]) -> Result<Selection, Vec<AppError>> {
    let settings = cli.settings(app)?;
    let stacks = app
        .select(names)
        .map_err(|e| vec![e])?
        .iter()
        .map(|d| d.name().to_owned())
        .collect();
    Ok(Selection { settings, stacks })
}

/// Locks the selected stacks' directories and synthesizes into them
/// (unless skipped); returns each stack's directory. The locks are taken
/// before anything is written, so no other tfsynth command's terraform ever
/// reads a file this one is replacing.
pub fn prepare(
    app: &App,
    cli: &Cli,
    selection: Selection,
    common: &Common,
) -> Result<Prepared, Vec<AppError>> {
    let Selection { settings, stacks } = selection;
    let locks = if common.skip_synth {
        let mut locks = Vec::new();
        for stack in &stacks {
            let dir = cli.out.join(stack);
            if !dir.join("main.tf.json").is_file() {
                return Err(run_error(RunError::NotSynthesized {
                    stack: stack.clone(),
                    path: dir.join("main.tf.json"),
                    hint: common.synth_hint.clone(),
                }));
            }
            locks.push(StackLock::acquire(app.name(), stack, &dir).map_err(run_error)?);
        }
        locks
    } else {
        app.synth_locked(&stacks, &settings, &cli.out)?.1
    };
    let dirs = stacks
        .into_iter()
        .map(|stack| {
            let dir = cli.out.join(&stack);
            (stack, dir)
        })
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

/// What a stack's terraform run sends to the thread that drives the run.
enum Event {
    /// A line terraform (or tfsynth about terraform) printed.
    Line {
        index: usize,
        stderr: bool,
        text: String,
    },
    /// A question for the user; the driving thread asks it, after every line
    /// before it has been printed, and replies.
    Ask {
        question: String,
        expected: String,
        reply: Sender<Result<bool, RunError>>,
    },
    /// The stack's run ended.
    Done {
        index: usize,
        took: Duration,
        result: Result<(), Vec<AppError>>,
    },
}

/// One stack's part of a run, as its thread sees it.
struct Job<'a> {
    index: usize,
    stack: &'a str,
    dir: &'a Path,
    /// Environment terraform gets for this stack (the Terraform Cloud workspace).
    env: Vec<(String, String)>,
    tf: &'a Terraform,
    extra: &'a [String],
    kind: Kind,
    /// Whether the output goes through the driving thread, each line
    /// prefixed with the stack (several stacks in the run).
    labelled: bool,
    events: &'a Sender<Event>,
    /// The stacks this one reads outputs of, each with where its state is.
    producers: Vec<(String, String)>,
    /// What terraform's errors said about the producers' state.
    missing: Mutex<MissingState>,
}

/// Reads terraform's errors for a `terraform_remote_state` that found no
/// state: `Error: Unable to find remote state`, then the block's address.
#[derive(Default)]
struct MissingState {
    in_error: bool,
    producers: Vec<String>,
}

impl MissingState {
    fn read(&mut self, line: &str) {
        let plain = line.trim_start_matches(['│', '╷', '╵', ' ']).trim();
        if plain.contains("Error: Unable to find remote state") {
            self.in_error = true;
        } else if self.in_error
            && let Some(rest) = plain
                .strip_prefix("with data.terraform_remote_state.")
                .map(|r| r.trim_end_matches(','))
        {
            self.in_error = false;
            if !self.producers.iter().any(|p| p == rest) {
                self.producers.push(rest.to_owned());
            }
        }
    }
}

impl Job<'_> {
    /// Runs terraform and turns a failing exit code into the command's
    /// result. An interrupt ends the run even when terraform exits 0 after
    /// it: nothing more may start once the user has asked to stop.
    fn terraform(&self, args: Vec<String>) -> Result<(), Vec<AppError>> {
        let command = args.first().cloned().unwrap_or_default();
        let index = self.index;
        let events = self.events;
        let labelled = self.labelled;
        let sink = move |stderr: bool, text: String| {
            if stderr {
                let plain = terraform::without_colours(&text);
                self.missing
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .read(&plain);
            }
            if labelled {
                let _ = events.send(Event::Line {
                    index,
                    stderr,
                    text,
                });
            } else {
                eprintln!("{text}");
            }
        };
        let output = if self.labelled {
            terraform::Output::Lines(&sink)
        } else {
            terraform::Output::Stderr(&sink)
        };
        let run = terraform::run_streaming(self.tf, self.dir, &args, &self.env, output)
            .map_err(run_error)?;
        if let Some(signal) = run.interrupted {
            return Err(run_error(RunError::Interrupted {
                command,
                signal,
                code: run.code,
            }));
        }
        match run.code {
            0 => Ok(()),
            code => Err(self
                .missing_producers()
                .unwrap_or_else(|| vec![AppError::Terraform { code, command }])),
        }
    }

    /// The clear error for a run that failed because a producer has no
    /// state yet, when terraform said so.
    fn missing_producers(&self) -> Option<Vec<AppError>> {
        let missing = self.missing.lock().unwrap_or_else(|e| e.into_inner());
        let errors: Vec<AppError> = missing
            .producers
            .iter()
            .filter_map(|name| self.producers.iter().find(|(p, _)| p == name))
            .map(|(producer, at)| no_state_yet(&self.tf.program, self.stack, producer, at))
            .collect();
        (!errors.is_empty()).then_some(errors)
    }

    fn init(&self, extra: &[String]) -> Result<(), Vec<AppError>> {
        // Inits sharing a plugin cache must not race: one at a time.
        let _one = INIT.lock().unwrap_or_else(|e| e.into_inner());
        let mut args = vec!["init".to_owned(), "-input=false".to_owned()];
        args.extend(color_args());
        if let Some(plugins) = &self.tf.plugin_dir {
            args.push(format!("-plugin-dir={}", plugins.display()));
        }
        args.extend(extra.iter().cloned());
        self.terraform(args)?;
        terraform::record_init(self.dir, self.tf).map_err(run_error)
    }

    fn plan(&self) -> Result<(), Vec<AppError>> {
        let mut args = vec![
            "plan".to_owned(),
            "-input=false".to_owned(),
            format!("-out={}", terraform::PLAN_FILE),
        ];
        args.extend(color_args());
        args.extend(self.extra.iter().cloned());
        self.terraform(args)?;
        terraform::record_plan(self.dir).map_err(run_error)
    }

    /// Asks through the driving thread, which prints every line before the
    /// question first.
    fn ask(
        &self,
        command: &'static str,
        question: String,
        expected: &str,
    ) -> Result<(), Vec<AppError>> {
        let (reply, answer) = std::sync::mpsc::channel();
        let _ = self.events.send(Event::Ask {
            question,
            expected: expected.to_owned(),
            reply,
        });
        let confirmed = answer.recv().unwrap_or(Ok(false)).map_err(run_error)?;
        if confirmed {
            Ok(())
        } else {
            Err(run_error(RunError::Cancelled {
                stack: self.stack.into(),
                command,
            }))
        }
    }

    /// The stack's step of the command.
    fn run(&self) -> Result<(), Vec<AppError>> {
        if self.kind == Kind::Init {
            return self.init(self.extra);
        }
        if terraform::needs_init(self.dir, self.tf).map_err(run_error)? {
            self.init(&[])?;
        }
        let stack = self.stack;
        match self.kind {
            Kind::Init => unreachable!("handled above"),
            Kind::Plan => self.plan()?,
            Kind::Apply { auto_approve } => {
                if !terraform::plan_is_current(self.dir).map_err(run_error)? {
                    self.plan()?;
                }
                if !auto_approve {
                    self.ask(
                        "apply",
                        format!("Apply the plan above to stack {stack}? Type yes:"),
                        "yes",
                    )?;
                }
                let mut args = vec!["apply".to_owned(), "-input=false".to_owned()];
                args.extend(color_args());
                args.push(terraform::PLAN_FILE.to_owned());
                let result = self.terraform(args);
                terraform::forget_plan(self.dir);
                result?;
            }
            Kind::Destroy { auto_approve } => {
                if !auto_approve {
                    self.ask(
                        "destroy",
                        format!(
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
                args.extend(self.extra.iter().cloned());
                terraform::forget_plan(self.dir);
                self.terraform(args)?;
            }
        }
        Ok(())
    }
}

/// Held around every `terraform init` of the process.
static INIT: Mutex<()> = Mutex::new(());

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

/// The environment terraform runs with for `stack`: the Terraform Cloud
/// workspace when the stack's `cloud` block selects workspaces by tags.
pub fn stack_env(app: &App, settings: &Settings, stack: &str) -> Vec<(String, String)> {
    let backend = app
        .stacks()
        .iter()
        .find(|d| d.name() == stack)
        .and_then(|def| app.configure(def, settings).ok())
        .and_then(|config| config.backend().cloned());
    match backend {
        Some(Backend::Cloud(cloud)) if !cloud.tags.is_empty() => {
            vec![("TF_WORKSPACE".to_owned(), cloud.workspace)]
        }
        _ => Vec::new(),
    }
}

/// Where a producer's state is: a local file, or a place in a remote backend.
enum StatePlace {
    File(PathBuf),
    Remote(String),
}

/// Where `stack`'s state is, from its resolved backend.
fn state_place(app: &App, settings: &Settings, cli: &Cli, stack: &str) -> Option<StatePlace> {
    let def = app.stacks().iter().find(|d| d.name() == stack)?;
    let config = app.configure(def, settings).ok()?;
    Some(match config.backend() {
        None | Some(Backend::Local { path: None }) => {
            StatePlace::File(cli.out.join(stack).join("terraform.tfstate"))
        }
        Some(Backend::Local { path: Some(path) }) => {
            StatePlace::File(cli.out.join(stack).join(path))
        }
        Some(Backend::S3(s3)) => StatePlace::Remote(format!("s3://{}/{}", s3.bucket, s3.key)),
        Some(Backend::Cloud(cloud)) => StatePlace::Remote(format!(
            "Terraform Cloud workspace {}/{}",
            cloud.organization, cloud.workspace
        )),
    })
}

/// The stacks `stack` reads outputs of, each with where its state is.
fn producer_states(
    app: &App,
    settings: &Settings,
    cli: &Cli,
    stack: &str,
) -> Vec<(String, StatePlace)> {
    let reads = app
        .stack_dependencies(settings)
        .into_iter()
        .find(|(n, _)| n == stack)
        .map(|(_, reads)| reads)
        .unwrap_or_default();
    reads
        .into_iter()
        .filter_map(|producer| {
            let place = state_place(app, settings, cli, &producer)?;
            Some((producer, place))
        })
        .collect()
}

/// Destroying a producer while a stack reading it lives on would leave that
/// stack reading outputs that are gone: every such reader outside the
/// selection is an error, unless its local state shows it holds nothing.
/// Readers with remote state count as living (tfsynth cannot look).
fn readers_selected(
    app: &App,
    settings: &Settings,
    cli: &Cli,
    selected: &[String],
) -> Result<(), Vec<AppError>> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (reader, reads) in app.stack_dependencies(settings) {
        if selected.contains(&reader) {
            continue;
        }
        let living = match state_place(app, settings, cli, &reader) {
            Some(StatePlace::File(path)) => holds_resources(&path),
            Some(StatePlace::Remote(_)) => true,
            None => false,
        };
        if living {
            for producer in reads.into_iter().filter(|p| selected.contains(p)) {
                pairs.push((producer, reader.clone()));
            }
        }
    }
    // One command that destroys every reader in the way along with the selection.
    let mut all: Vec<&str> = Vec::new();
    for name in pairs.iter().map(|(_, r)| r).chain(selected) {
        if !all.contains(&name.as_str()) {
            all.push(name);
        }
    }
    let errors: Vec<AppError> = pairs
        .iter()
        .map(|(producer, reader)| {
            AppError::Stacks(format!(
                "stack {producer} is read by stack {reader}, which is not in the selection and may still be deployed (hint: destroy the readers too: {} destroy {})",
                app.name(),
                all.join(" ")
            ))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Whether the local state file at `path` records any resource (an
/// unreadable one counts as holding some).
fn holds_resources(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|state| state["resources"].as_array().map(|r| !r.is_empty()))
        .unwrap_or(true)
}

/// Each producer of `stack` with where its state is, as the messages say it.
fn state_places(app: &App, settings: &Settings, cli: &Cli, stack: &str) -> Vec<(String, String)> {
    producer_states(app, settings, cli, stack)
        .into_iter()
        .map(|(producer, place)| {
            let at = match place {
                StatePlace::File(path) => path.display().to_string(),
                StatePlace::Remote(at) => at,
            };
            (producer, at)
        })
        .collect()
}

/// A clear error when `stack` reads a producer whose local state does not
/// exist yet, before terraform runs; a remote one is known missing only
/// when terraform says so (see [`Job::missing_producers`]).
fn producers_applied(
    app: &App,
    settings: &Settings,
    cli: &Cli,
    stack: &str,
) -> Result<(), Vec<AppError>> {
    for (producer, place) in producer_states(app, settings, cli, stack) {
        if let StatePlace::File(state) = place
            && !state.is_file()
        {
            return Err(vec![no_state_yet(
                app.name(),
                stack,
                &producer,
                state.display(),
            )]);
        }
    }
    Ok(())
}

/// The error for `stack` run while `producer`, whose outputs it reads, has
/// no state at `at` yet: the same whether tfsynth or terraform found it.
fn no_state_yet(program: &str, stack: &str, producer: &str, at: impl Display) -> AppError {
    AppError::Stacks(format!(
        "stack {stack} reads the outputs of stack {producer}, which has no state yet at {at} (hint: apply {producer} first, or both: {program} apply {producer} {stack})"
    ))
}

/// How many stacks run at once when `--parallel` is not given.
pub const DEFAULT_PARALLEL: usize = 4;

/// Runs one terraform command over the stacks: in dependency order, each
/// stack started only when the stacks it waits for succeeded, up to
/// `--parallel` of them at once.
pub fn run(
    app: &App,
    cli: &Cli,
    names: &[String],
    common: &Common,
    kind: Kind,
    out: &mut dyn Write,
    err: &mut dyn Write,
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
    let selection = select(app, cli, names)?;
    if matches!(kind, Kind::Destroy { .. }) {
        readers_selected(app, &selection.settings, cli, &selection.stacks)?;
    }
    let (settings, dirs, _locks) = prepare(app, cli, selection, common)?;
    let tf = locate(app, &settings)?;
    let version = tf.version().map_err(run_error)?;
    for (stack, dir) in &dirs {
        check_version(&tf, stack, dir, version)?;
    }
    let order = run_order(app, &settings, &dirs, matches!(kind, Kind::Destroy { .. }));
    let labelled = order.len() > 1;
    // Questions come one stack at a time, with that stack's plan above them.
    let limit = if needs_answer {
        if labelled && common.parallel.is_some_and(|n| n > 1) {
            let _ = writeln!(
                out,
                "note: {command} asks before each stack, so the stacks run one at a time (--auto-approve lets --parallel run them at once)"
            );
        }
        1
    } else {
        common.parallel.map_or(DEFAULT_PARALLEL, usize::from)
    };
    let width = order.iter().map(|(n, ..)| n.len()).max().unwrap_or(0);
    let mut schedule = Schedule::new(
        order
            .iter()
            .map(|(stack, _, waits)| {
                let waits = waits
                    .iter()
                    .filter_map(|w| order.iter().position(|(n, ..)| n == w))
                    .collect();
                (stack.clone(), waits)
            })
            .collect(),
        limit,
    );
    let mut changes: Vec<Option<String>> = vec![None; order.len()];
    let signals = terraform::SignalGuard::install();
    let (events, inbox) = std::sync::mpsc::channel::<Event>();
    std::thread::scope(|scope| {
        loop {
            while let Some(step) = schedule.next(signals.interrupted()) {
                let index = match step {
                    Step::Start(index) => index,
                    Step::Skip { index, blocker } => {
                        let _ = writeln!(
                            out,
                            "==> {}: not started: stack {} did not succeed",
                            order[index].0, order[blocker].0
                        );
                        continue;
                    }
                };
                let (stack, dir, _) = &order[index];
                if matches!(kind, Kind::Plan | Kind::Apply { .. })
                    && let Err(errors) = producers_applied(app, &settings, cli, stack)
                {
                    schedule.finish(index, Duration::ZERO, Err(errors));
                    continue;
                }
                let _ = writeln!(out, "==> {stack}: terraform in {}", dir.display());
                let _ = out.flush();
                let job = Job {
                    index,
                    stack,
                    dir,
                    env: stack_env(app, &settings, stack),
                    tf: &tf,
                    extra: &common.extra,
                    kind,
                    labelled,
                    events: &events,
                    producers: state_places(app, &settings, cli, stack),
                    missing: Mutex::default(),
                };
                scope.spawn(move || {
                    let started = Instant::now();
                    let result = job.run();
                    let _ = job.events.send(Event::Done {
                        index: job.index,
                        took: started.elapsed(),
                        result,
                    });
                });
            }
            if schedule.running() == 0 {
                break;
            }
            let Ok(event) = inbox.recv() else { break };
            match event {
                Event::Line {
                    index,
                    stderr,
                    text,
                } => {
                    if let Some(found) = terraform::changes_line(&text) {
                        changes[index] = Some(found);
                    }
                    let line = format!("{:width$} | {text}", order[index].0);
                    let _ = if stderr {
                        writeln!(err, "{line}")
                    } else {
                        writeln!(out, "{line}")
                    };
                }
                Event::Ask {
                    question,
                    expected,
                    reply,
                } => {
                    let _ = out.flush();
                    let _ = err.flush();
                    let _ = reply.send(terraform::confirm(&question, &expected));
                }
                Event::Done {
                    index,
                    took,
                    result,
                } => schedule.finish(index, took, result),
            }
        }
    });
    let signal = signals.signal();
    drop(signals);
    let ended = schedule.end();
    if labelled {
        let names: Vec<&str> = order.iter().map(|(n, ..)| n.as_str()).collect();
        summary(&names, &ended.outcomes, &changes, kind, out);
    }
    ended.result(signal)
}

/// The table that ends a run of several stacks.
fn summary(
    names: &[&str],
    outcomes: &[Outcome],
    changes: &[Option<String>],
    kind: Kind,
    out: &mut dyn Write,
) {
    let done = match kind {
        Kind::Init => "initialized",
        Kind::Plan => "planned",
        Kind::Apply { .. } => "applied",
        Kind::Destroy { .. } => "destroyed",
    };
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0).max(5);
    let changes: Vec<&str> = changes
        .iter()
        .map(|c| c.as_deref().unwrap_or("-"))
        .collect();
    let changes_width = changes.iter().map(|c| c.len()).max().unwrap_or(0).max(7);
    let _ = writeln!(
        out,
        "\nsummary:\n  {:width$}  {:<7}  {:changes_width$}  result",
        "stack", "time", "changes"
    );
    for ((stack, outcome), changed) in names.iter().zip(outcomes).zip(changes) {
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
            Outcome::NotStarted(why) => ("-".to_owned(), format!("not started: {why}")),
        };
        let _ = writeln!(
            out,
            "  {stack:width$}  {time:<7}  {changed:changes_width$}  {result}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::MissingState;

    #[test]
    fn terraform_saying_a_remote_state_is_missing_names_the_producer() {
        // As terraform 1.11 prints it without colours, and in a terminal's boxes.
        let plain = "\nError: Unable to find remote state\n\n  with data.terraform_remote_state.platform,\n  on main.tf.json line 1, in data.terraform_remote_state.platform.config:\n\nNo stored state was found for the given workspace in the given backend.\n";
        let boxed = "╷\n│ Error: Unable to find remote state\n│ \n│   with data.terraform_remote_state.network,\n│   on main.tf.json line 1:\n╵\n";
        let mut missing = MissingState::default();
        for line in plain.lines().chain(boxed.lines()).chain(plain.lines()) {
            missing.read(line);
        }
        assert_eq!(missing.producers, ["platform", "network"]);
        // Another error naming a remote state is not this one.
        let mut other = MissingState::default();
        for line in [
            "Error: Unsupported attribute",
            "  with data.terraform_remote_state.platform,",
        ] {
            other.read(line);
        }
        assert!(other.producers.is_empty());
    }
}
