//! Before terraform runs: the selection resolved once, the stacks'
//! directories locked and synthesized, terraform located and its version
//! checked against each stack's `required_version`.

use std::path::{Path, PathBuf};

use crate::app::{App, AppError, Settings};
use crate::terraform::{self, RunError, StackLock, Terraform, Version};

use super::{Options, run_error};

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

/// The stacks `names` selects, with the settings they are built with.
pub fn select(app: &App, settings: Settings, names: &[String]) -> Result<Selection, Vec<AppError>> {
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
    out_dir: &Path,
    selection: Selection,
    options: &Options,
) -> Result<Prepared, Vec<AppError>> {
    let Selection { settings, stacks } = selection;
    let locks = if options.skip_synth {
        let mut locks = Vec::new();
        for stack in &stacks {
            let dir = out_dir.join(stack);
            if !dir.join("main.tf.json").is_file() {
                return Err(run_error(RunError::NotSynthesized {
                    stack: stack.clone(),
                    path: dir.join("main.tf.json"),
                    hint: options.synth_hint.clone(),
                }));
            }
            locks.push(StackLock::acquire(app.name(), stack, &dir).map_err(run_error)?);
        }
        locks
    } else {
        app.synth_locked(&stacks, &settings, out_dir)?.1
    };
    let dirs = stacks
        .into_iter()
        .map(|stack| {
            let dir = out_dir.join(&stack);
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
