//! The command line: one file per command, each a clap `Args` struct whose
//! doc comment is the help text, plus a `run` function. Logic lives in the
//! library; this layer parses, calls and reports.
//!
//! **Invariant:** every failure reaches the user as `error: ...` lines on
//! standard error and an exit code (0 success, 2 usage, configuration or
//! validation errors, 1 anything else); never a panic.

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::app::{App, AppError, Settings};
use crate::config::{ConfigFile, Overrides};
use crate::ops::Kind;

pub mod config;
mod examples;
pub mod graph;
pub mod list;
pub mod output;
pub mod run;
pub mod synth;
pub mod validate;

/// Typed Rust infrastructure, synthesized to Terraform JSON.
#[derive(Debug, Parser)]
#[command(version, propagate_version = true)]
struct Top {
    #[command(flatten)]
    globals: Cli,

    #[command(subcommand)]
    command: Command,
}

/// The global options, which every command takes.
#[derive(Debug, clap::Args)]
pub struct Cli {
    /// Directory that receives one folder per stack.
    #[arg(long, global = true, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,

    /// Configuration file (default: <program>.toml in this directory or the nearest parent).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Environment table of the configuration to apply (default: each stack's default_environment).
    #[arg(long = "env", global = true, value_name = "NAME")]
    pub environment: Option<String>,

    /// Override a configuration value: KEY=VALUE for every selected stack, or STACK.KEY=VALUE.
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// A command an application adds to its command line (`tfsynth new` and
/// `tfsynth get` are added this way): its clap definition and what it runs
/// with the global options and its own matches.
pub type ExtensionFn =
    fn(&App, &Cli, &clap::ArgMatches, &mut dyn Write) -> Result<(), Vec<AppError>>;

#[derive(Debug, Subcommand)]
enum Command {
    Synth(synth::Args),
    List(list::Args),
    Validate(validate::Args),
    Config(config::Args),
    Init(run::InitArgs),
    Plan(run::PlanArgs),
    Apply(run::ApplyArgs),
    Destroy(run::DestroyArgs),
    Output(output::Args),
    Graph(graph::Args),
}

impl Cli {
    /// Loads the configuration file and overrides for this run.
    pub fn settings(&self, app: &App) -> Result<Settings, Vec<AppError>> {
        let file = match &self.config {
            Some(path) => ConfigFile::load(path),
            None => std::env::current_dir()
                .map_err(|e| crate::config::ConfigError {
                    location: "the working directory".into(),
                    message: e.to_string(),
                })
                .and_then(|dir| ConfigFile::discover(&dir, app.config_file_name())),
        }
        .map_err(|e| vec![AppError::ConfigFile(e)])?;
        let mut overrides = Overrides::new().with_env(&app.env_prefix(), std::env::vars_os());
        for arg in &self.set {
            overrides = overrides
                .set(arg)
                .map_err(|e| vec![AppError::ConfigFile(e)])?;
        }
        let settings = Settings {
            file,
            environment: self.environment.clone(),
            overrides,
        };
        app.check_settings(&settings)?;
        Ok(settings)
    }
}

/// Parses `args` and runs the command against `app`, printing to the
/// process's standard output and error; returns the exit code.
pub fn run<I, T>(app: &App, args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run_with_output(app, args, &mut std::io::stdout(), &mut std::io::stderr())
}

/// A writer that remembers the first error, so a command's output going
/// nowhere (a full disk, a closed pipe) fails the command.
struct Checked<'a> {
    inner: &'a mut dyn Write,
    error: Option<std::io::Error>,
}

impl Write for Checked<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| {
            self.error
                .get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().inspect_err(|e| {
            self.error
                .get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
        })
    }
}

/// Like [`run`], printing to the given writers instead (for tests and embedding).
pub fn run_with_output<I, T>(app: &App, args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut checked = Checked {
        inner: out,
        error: None,
    };
    let code = dispatch(app, args, &mut checked, err);
    let _ = checked.flush();
    match checked.error {
        // The reader went away (`tfsynth graph | head`): nothing to say.
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Some(e) => {
            let _ = writeln!(err, "error: cannot write the output: {e}");
            code.max(1)
        }
        None => code,
    }
}

/// The first line of a clap error, with its usage line: one line for the
/// user, without the tips that follow.
fn one_line(text: &str) -> String {
    let first = text
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches("error: ");
    match text.lines().find_map(|l| l.trim().strip_prefix("Usage: ")) {
        Some(usage) => format!("error: {first} (usage: {usage})"),
        None => format!("error: {first} (see --help)"),
    }
}

/// The global options that an environment variable `<PREFIX>_<SUFFIX>` sets.
const GLOBAL_VARIABLES: &[(&str, &str)] =
    &[("out", "OUT"), ("config", "CONFIG"), ("environment", "ENV")];

fn dispatch<I, T>(app: &App, args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let prefix = app.env_prefix();
    // The global options read the application's own variables; an empty one
    // is named here, before clap would blame the flag instead.
    for (id, suffix) in GLOBAL_VARIABLES {
        let var = format!("{prefix}_{suffix}");
        let value = std::env::var_os(&var);
        if *id == "environment" && value.as_ref().is_some_and(|v| v.to_str().is_none()) {
            let _ = writeln!(
                err,
                "error: environment variable {var}: the value is not valid UTF-8 (hint: give the environment's name, or unset it)"
            );
            return 2;
        }
        if value.is_some_and(|v| v.is_empty()) {
            let _ = writeln!(
                err,
                "error: environment variable {var} is empty (hint: give {}, or unset it)",
                match *id {
                    "out" => "the output directory",
                    "config" => "the configuration file's path",
                    _ => "the environment's name",
                }
            );
            return 2;
        }
    }
    let mut command = examples::add(
        Top::command()
            .name(app.name().to_owned())
            .bin_name(app.name().to_owned()),
        app,
    );
    for (id, suffix) in GLOBAL_VARIABLES {
        command = command.mut_arg(*id, |a| a.env(format!("{prefix}_{suffix}")));
    }
    for (sub, _) in app.extensions() {
        command = command.subcommand(sub.clone());
    }
    let parsed = command.try_get_matches_from(args).and_then(|m| {
        if let Some((name, sub)) = m.subcommand()
            && let Some((_, run)) = app.extensions().iter().find(|(c, _)| c.get_name() == name)
        {
            let globals = Cli::from_arg_matches(&m)?;
            return Ok(Err((globals, sub.clone(), *run)));
        }
        Top::from_arg_matches(&m).map(Ok)
    });
    let top = match parsed {
        Ok(Ok(top)) => top,
        Ok(Err((globals, sub, run))) => {
            return match run(app, &globals, &sub, out) {
                Ok(()) => 0,
                Err(errors) => report(&errors, err),
            };
        }
        Err(e) => {
            let text = e.render().to_string();
            return if e.use_stderr() {
                let _ = writeln!(err, "{}", one_line(&text));
                2
            } else {
                let _ = write!(out, "{text}");
                0
            };
        }
    };
    let cli = &top.globals;
    let result = match &top.command {
        Command::Synth(args) => synth::run(app, cli, args, out),
        Command::List(args) => list::run(app, cli, args, out),
        Command::Validate(args) => validate::run(app, cli, args, out, err),
        Command::Config(args) => config::run(app, cli, args, out),
        Command::Init(a) => run::run(app, cli, &a.stacks, &a.common, Kind::Init, out, err),
        Command::Plan(a) => run::run(app, cli, &a.stacks, &a.common, Kind::Plan, out, err),
        Command::Apply(a) => run::run(
            app,
            cli,
            &a.stacks,
            &a.common,
            Kind::Apply {
                auto_approve: a.auto_approve,
            },
            out,
            err,
        ),
        Command::Destroy(a) => run::run(
            app,
            cli,
            &a.stacks,
            &a.common,
            Kind::Destroy {
                auto_approve: a.auto_approve,
            },
            out,
            err,
        ),
        Command::Output(a) => output::run(app, cli, a, out),
        Command::Graph(a) => graph::run(app, cli, a, out),
    };
    match result {
        Ok(()) => 0,
        Err(errors) => report(&errors, err),
    }
}

/// Prints each error as `error: ...` lines and returns the exit code.
pub fn report(errors: &[AppError], err: &mut dyn Write) -> u8 {
    for error in errors {
        for line in error.to_string().lines() {
            let _ = writeln!(err, "error: {line}");
        }
    }
    errors.iter().map(AppError::exit_code).max().unwrap_or(1)
}
