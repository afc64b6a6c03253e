//! What tfsynth knows of the stacks' state before terraform runs: where
//! each producer's state is, whether a local one exists yet, whether a
//! reader left out of a destroy may still be deployed, and the workspace a
//! tagged Terraform Cloud stack runs in.

use std::fmt::Display;
use std::path::{Path, PathBuf};

use crate::app::{App, AppError, Settings};
use crate::core::Backend;
use crate::stacks::StacksError;

/// The environment terraform runs with for `stack`: the Terraform Cloud
/// workspace when the stack's `cloud` block selects workspaces by tags.
pub fn stack_env(app: &App, settings: &Settings, stack: &str) -> Vec<(String, String)> {
    match backend_of(app, settings, stack).flatten() {
        Some(Backend::Cloud(cloud)) if !cloud.tags.is_empty() => {
            vec![("TF_WORKSPACE".to_owned(), cloud.workspace)]
        }
        _ => Vec::new(),
    }
}

/// `stack`'s resolved backend (`None` inside for local state without a
/// backend block), or `None` when its configuration does not resolve.
fn backend_of(app: &App, settings: &Settings, stack: &str) -> Option<Option<Backend>> {
    let def = app.stacks().iter().find(|d| d.name() == stack)?;
    let config = app.configure(def, settings).ok()?;
    Some(config.backend().cloned())
}

/// Where a producer's state is: a local file, or a place in a remote backend.
pub(super) enum StatePlace {
    File(PathBuf),
    Remote(String),
}

impl Display for StatePlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatePlace::File(path) => path.display().fmt(f),
            StatePlace::Remote(at) => f.write_str(at),
        }
    }
}

/// Where `stack`'s state is, from its resolved backend.
fn state_place(app: &App, settings: &Settings, out_dir: &Path, stack: &str) -> Option<StatePlace> {
    Some(match backend_of(app, settings, stack)? {
        None | Some(Backend::Local { path: None }) => {
            StatePlace::File(out_dir.join(stack).join("terraform.tfstate"))
        }
        Some(Backend::Local { path: Some(path) }) => {
            StatePlace::File(out_dir.join(stack).join(&path))
        }
        Some(Backend::S3(s3)) => StatePlace::Remote(format!("s3://{}/{}", s3.bucket, s3.key)),
        Some(Backend::Cloud(cloud)) => StatePlace::Remote(format!(
            "Terraform Cloud workspace {}/{}",
            cloud.organization, cloud.workspace
        )),
    })
}

/// The stacks `stack` reads outputs of, each with where its state is.
pub(super) fn producer_states(
    app: &App,
    settings: &Settings,
    out_dir: &Path,
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
            let place = state_place(app, settings, out_dir, &producer)?;
            Some((producer, place))
        })
        .collect()
}

/// Destroying a producer while a stack reading it lives on would leave that
/// stack reading outputs that are gone: every such reader outside the
/// selection is an error, unless its local state shows it holds nothing.
/// Readers with remote state count as living (tfsynth cannot look).
pub(super) fn readers_selected(
    app: &App,
    settings: &Settings,
    out_dir: &Path,
    selected: &[String],
) -> Result<(), Vec<AppError>> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (reader, reads) in app.stack_dependencies(settings) {
        if selected.contains(&reader) {
            continue;
        }
        let living = match state_place(app, settings, out_dir, &reader) {
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
            AppError::Stacks(Box::new(StacksError::ReaderLeftOut {
                program: app.name().to_owned(),
                producer: producer.clone(),
                reader: reader.clone(),
                all: all.iter().map(|s| (*s).to_owned()).collect(),
            }))
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

/// A clear error when `stack` reads a producer whose local state does not
/// exist yet, before terraform runs; a remote one is known missing only
/// when terraform says so (`Job::missing_producers` in `job.rs`).
pub(super) fn producers_applied(
    program: &str,
    stack: &str,
    producers: &[(String, StatePlace)],
) -> Result<(), Vec<AppError>> {
    for (producer, place) in producers {
        if let StatePlace::File(state) = place
            && !state.is_file()
        {
            return Err(vec![no_state_yet(program, stack, producer, place)]);
        }
    }
    Ok(())
}

/// The error for `stack` run while `producer`, whose outputs it reads, has
/// no state at `at` yet: the same whether tfsynth or terraform found it.
pub(super) fn no_state_yet(
    program: &str,
    stack: &str,
    producer: &str,
    at: impl Display,
) -> AppError {
    AppError::Stacks(Box::new(StacksError::NoStateYet {
        program: program.to_owned(),
        reader: stack.to_owned(),
        producer: producer.to_owned(),
        at: at.to_string(),
    }))
}
