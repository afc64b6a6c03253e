//! One terraform command over the selected stacks, in dependency order,
//! several at once; the driving thread prints every line and asks every
//! question, and a summary ends a run of several stacks.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::app::{App, AppError, Settings};
use crate::terraform::{self, RunError};

use super::job::{Event, Job};
use super::prepare::{Selection, check_version, locate, prepare};
use super::run_error;
use super::schedule::{Outcome, Schedule, Step};
use super::state::{producer_states, producers_applied, readers_selected, stack_env};

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

/// How a run goes, whatever the command.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Use the synthesized files as they are instead of synthesizing first.
    pub skip_synth: bool,
    /// How many independent stacks run at once (default [`DEFAULT_PARALLEL`]).
    pub parallel: Option<usize>,
    /// Extra arguments passed to terraform.
    pub extra: Vec<String>,
    /// How to synthesize when `skip_synth` finds nothing.
    pub synth_hint: String,
}

/// The selected stacks in the order the command runs them, each with the
/// selected stacks it waits for (as indices into the order): producers
/// before their readers, readers first for destroy.
fn run_order(
    app: &App,
    settings: &Settings,
    dirs: &[(String, PathBuf)],
    destroy: bool,
) -> Vec<(String, PathBuf, Vec<usize>)> {
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
    let order: Vec<(String, PathBuf)> = order
        .into_iter()
        .filter_map(|name| {
            let dir = dirs.iter().find(|(n, _)| *n == name)?.1.clone();
            Some((name, dir))
        })
        .collect();
    order
        .iter()
        .map(|(name, dir)| {
            let waits = waits(name)
                .iter()
                .filter_map(|w| order.iter().position(|(n, _)| n == w))
                .collect();
            (name.clone(), dir.clone(), waits)
        })
        .collect()
}

/// How many stacks run at once when `--parallel` is not given.
pub const DEFAULT_PARALLEL: usize = 4;

/// Runs one terraform command over the stacks: in dependency order, each
/// stack started only when the stacks it waits for succeeded, up to
/// `--parallel` of them at once.
pub fn run(
    app: &App,
    selection: Selection,
    out_dir: &Path,
    options: &Options,
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
        let stack = selection.stacks.first().cloned().unwrap_or_default();
        return Err(run_error(RunError::NeedsConfirmation { stack, command }));
    }
    if matches!(kind, Kind::Destroy { .. }) {
        readers_selected(app, &selection.settings, out_dir, &selection.stacks)?;
    }
    let (settings, dirs, _locks) = prepare(app, out_dir, selection, options)?;
    let tf = locate(app, &settings)?;
    let version = tf.version().map_err(run_error)?;
    for (stack, dir) in &dirs {
        check_version(&tf, stack, dir, version)?;
    }
    let order = run_order(app, &settings, &dirs, matches!(kind, Kind::Destroy { .. }));
    let labelled = order.len() > 1;
    // Questions come one stack at a time, with that stack's plan above them.
    let limit = if needs_answer {
        if labelled && options.parallel.is_some_and(|n| n > 1) {
            let _ = writeln!(
                out,
                "note: {command} asks before each stack, so the stacks run one at a time (--auto-approve lets --parallel run them at once)"
            );
        }
        1
    } else {
        options.parallel.unwrap_or(DEFAULT_PARALLEL)
    };
    let width = order.iter().map(|(n, ..)| n.len()).max().unwrap_or(0);
    let mut schedule = Schedule::new(
        order
            .iter()
            .map(|(stack, _, waits)| (stack.clone(), waits.clone()))
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
                let producers = producer_states(app, &settings, out_dir, stack);
                if matches!(kind, Kind::Plan | Kind::Apply { .. })
                    && let Err(errors) = producers_applied(app.name(), stack, &producers)
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
                    extra: &options.extra,
                    kind,
                    labelled,
                    events: &events,
                    producers,
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
