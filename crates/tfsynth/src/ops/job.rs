//! One stack's part of a run, on a thread of its own: init when needed,
//! plan, ask through the driving thread, apply or destroy. Its terraform
//! lines and questions go to the driving thread as [`Event`]s.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::Sender;
use std::time::Duration;

use crate::app::AppError;
use crate::terraform::{self, RunError, Terraform};

use super::run::Kind;
use super::run_error;
use super::state::{StatePlace, no_state_yet};

/// `-no-color` unless terraform's output goes to a terminal.
fn color_args() -> Vec<String> {
    if std::io::stdout().is_terminal() {
        Vec::new()
    } else {
        vec!["-no-color".to_owned()]
    }
}

/// What a stack's terraform run sends to the thread that drives the run.
pub(super) enum Event {
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
pub(super) struct Job<'a> {
    pub(super) index: usize,
    pub(super) stack: &'a str,
    pub(super) dir: &'a Path,
    /// Environment terraform gets for this stack (the Terraform Cloud workspace).
    pub(super) env: Vec<(String, String)>,
    pub(super) tf: &'a Terraform,
    pub(super) extra: &'a [String],
    pub(super) kind: Kind,
    /// Whether the output goes through the driving thread, each line
    /// prefixed with the stack (several stacks in the run).
    pub(super) labelled: bool,
    pub(super) events: &'a Sender<Event>,
    /// The stacks this one reads outputs of, each with where its state is.
    pub(super) producers: Vec<(String, StatePlace)>,
    /// What terraform's errors said about the producers' state.
    pub(super) missing: Mutex<MissingState>,
}

/// Reads terraform's errors for a `terraform_remote_state` that found no
/// state: `Error: Unable to find remote state`, then the block's address.
#[derive(Default)]
pub(super) struct MissingState {
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
    pub(super) fn run(&self) -> Result<(), Vec<AppError>> {
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
