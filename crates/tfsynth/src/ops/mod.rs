//! Operations over the stacks of an [`App`](crate::app::App) that run
//! terraform: resolve and synthesize the selection (`prepare.rs`), run one
//! terraform command over it in dependency order (`run.rs`), each stack on a
//! thread of its own (`job.rs`) and started when `schedule.rs` says, with
//! what tfsynth knows of the stacks' state (`state.rs`). The command-line
//! modules are thin callers of these.

mod job;
mod prepare;
mod run;
mod schedule;
mod state;

pub use prepare::{Prepared, Selection, check_version, locate, prepare, select};
pub use run::{DEFAULT_PARALLEL, Kind, Options, run};
pub use state::stack_env;

use crate::app::AppError;
use crate::terraform::RunError;

fn run_error(e: RunError) -> Vec<AppError> {
    vec![AppError::Run(e)]
}
