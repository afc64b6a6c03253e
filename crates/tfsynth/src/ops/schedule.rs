//! When each stack of a run of several starts: only once every stack it
//! waits for succeeded, never while the run is stopped, and never more
//! than the limit at once. Pure bookkeeping; the caller runs the stacks and
//! reports back, so the rules are tested here without terraform.

use std::time::Duration;

use crate::app::AppError;
use crate::terraform::RunError;

/// What became of one stack of a run.
#[derive(Debug)]
pub enum Outcome {
    /// It ran and succeeded, in this time.
    Done(Duration),
    /// It ran (or was refused before terraform started) and failed.
    Failed(Duration, Vec<AppError>),
    /// It never started, for this reason.
    NotStarted(String),
}

/// Where a stack of a run is.
#[derive(Debug)]
enum Slot {
    Waiting,
    Running,
    Finished(Outcome),
}

/// What the caller does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Start this stack now; it counts as running until [`Schedule::finish`].
    Start(usize),
    /// This stack will never start: `blocker`, which it waits for, did not
    /// succeed. It is already recorded as not started.
    Skip { index: usize, blocker: usize },
}

/// The stacks of a run, each with the stacks it waits for (as indices).
#[derive(Debug)]
pub struct Schedule {
    names: Vec<String>,
    waits: Vec<Vec<usize>>,
    slots: Vec<Slot>,
    running: usize,
    limit: usize,
    /// The stack whose interrupt or refused question stopped the run.
    stopped_by: Option<usize>,
}

impl Schedule {
    /// Each stack with the indices of the stacks it waits for; at most
    /// `limit` (at least one) run at once.
    pub fn new(stacks: Vec<(String, Vec<usize>)>, limit: usize) -> Self {
        let (names, waits): (Vec<String>, Vec<Vec<usize>>) = stacks.into_iter().unzip();
        let slots = waits.iter().map(|_| Slot::Waiting).collect();
        Schedule {
            names,
            waits,
            slots,
            running: 0,
            limit: limit.max(1),
            stopped_by: None,
        }
    }

    /// The next step, in the stacks' order, or `None` when nothing can
    /// happen until a running stack finishes. Once the run is stopped (or
    /// `interrupted`) nothing starts, though stacks whose producers failed
    /// are still reported as skipped.
    pub fn next(&mut self, interrupted: bool) -> Option<Step> {
        let halted = interrupted || self.stopped_by.is_some();
        for index in 0..self.slots.len() {
            if !matches!(self.slots[index], Slot::Waiting) {
                continue;
            }
            if let Some(&blocker) = self.waits[index].iter().find(|&&w| {
                matches!(
                    self.slots[w],
                    Slot::Finished(Outcome::Failed(..) | Outcome::NotStarted(_))
                )
            }) {
                self.slots[index] = Slot::Finished(Outcome::NotStarted(format!(
                    "{} did not succeed",
                    self.names[blocker]
                )));
                return Some(Step::Skip { index, blocker });
            }
            let ready = self.waits[index]
                .iter()
                .all(|&w| matches!(self.slots[w], Slot::Finished(Outcome::Done(_))));
            if ready && !halted && self.running < self.limit {
                self.slots[index] = Slot::Running;
                self.running += 1;
                return Some(Step::Start(index));
            }
        }
        None
    }

    /// Records how a started stack ended. An interrupt or a refused
    /// question stops the run: nothing more starts.
    pub fn finish(&mut self, index: usize, took: Duration, result: Result<(), Vec<AppError>>) {
        if matches!(self.slots[index], Slot::Running) {
            self.running -= 1;
        }
        self.slots[index] = Slot::Finished(match result {
            Ok(()) => Outcome::Done(took),
            Err(errors) => {
                let stops = errors.iter().any(|e| {
                    matches!(
                        e,
                        AppError::Run(RunError::Interrupted { .. } | RunError::Cancelled { .. })
                    )
                });
                if stops && self.stopped_by.is_none() {
                    self.stopped_by = Some(index);
                }
                Outcome::Failed(took, errors)
            }
        });
    }

    /// How many stacks are running.
    pub fn running(&self) -> usize {
        self.running
    }

    /// Each stack's outcome; a stack still waiting was left out by a stop
    /// or an interrupt.
    pub fn end(self) -> Ended {
        let reason = if self.stopped_by.is_some() {
            "the run was stopped"
        } else {
            "the run was interrupted"
        };
        let left_out = self
            .slots
            .iter()
            .position(|slot| !matches!(slot, Slot::Finished(_)))
            .map(|i| self.names[i].clone());
        let outcomes = self
            .slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Finished(outcome) => outcome,
                Slot::Waiting | Slot::Running => Outcome::NotStarted(reason.to_owned()),
            })
            .collect();
        Ended {
            outcomes,
            stopped_by: self.stopped_by,
            left_out,
        }
    }
}

/// A run's outcomes, in the order of its stacks.
#[derive(Debug)]
pub struct Ended {
    pub outcomes: Vec<Outcome>,
    stopped_by: Option<usize>,
    /// The first stack left out by a stop or an interrupt.
    left_out: Option<String>,
}

impl Ended {
    /// The run's result: the error that stopped it, otherwise the first
    /// failure in order. A run that `signal` interrupted between stacks,
    /// with no terraform running to report it, fails with it all the same.
    pub fn result(self, signal: Option<i32>) -> Result<(), Vec<AppError>> {
        if let (Some(signal), Some(stack), None) = (signal, &self.left_out, self.stopped_by) {
            return Err(vec![AppError::Run(RunError::InterruptedBefore {
                stack: stack.clone(),
                signal,
            })]);
        }
        let mut failed: Vec<(usize, Vec<AppError>)> = self
            .outcomes
            .into_iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                Outcome::Failed(_, errors) => Some((i, errors)),
                _ => None,
            })
            .collect();
        let first = self
            .stopped_by
            .and_then(|s| failed.iter().position(|(i, _)| *i == s))
            .unwrap_or(0);
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.swap_remove(first).1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(1);

    fn failed(code: i32) -> Result<(), Vec<AppError>> {
        Err(vec![AppError::Terraform {
            code,
            command: "apply".into(),
        }])
    }

    /// Stacks a, b, c, … waiting for the stacks at the given indices.
    fn stacks(waits: &[&[usize]]) -> Vec<(String, Vec<usize>)> {
        waits
            .iter()
            .enumerate()
            .map(|(i, w)| (char::from(b'a' + i as u8).to_string(), w.to_vec()))
            .collect()
    }

    fn reasons(ended: &Ended) -> Vec<String> {
        ended
            .outcomes
            .iter()
            .map(|o| match o {
                Outcome::Done(_) => "done".to_owned(),
                Outcome::Failed(..) => "failed".to_owned(),
                Outcome::NotStarted(why) => why.clone(),
            })
            .collect()
    }

    #[test]
    fn independent_stacks_start_together_and_a_reader_after_its_producers() {
        // a, b -> c
        let mut s = Schedule::new(stacks(&[&[], &[], &[0, 1]]), 4);
        assert_eq!(s.next(false), Some(Step::Start(0)));
        assert_eq!(s.next(false), Some(Step::Start(1)));
        assert_eq!(s.next(false), None);
        s.finish(0, T, Ok(()));
        assert_eq!(s.next(false), None, "c still waits for b");
        s.finish(1, T, Ok(()));
        assert_eq!(s.next(false), Some(Step::Start(2)));
        s.finish(2, T, Ok(()));
        assert_eq!(s.running(), 0);
        let ended = s.end();
        assert_eq!(reasons(&ended), ["done", "done", "done"]);
        assert!(ended.result(None).is_ok());
    }

    #[test]
    fn no_more_than_the_limit_run_at_once() {
        let mut s = Schedule::new(stacks(&[&[], &[], &[]]), 2);
        assert_eq!(s.next(false), Some(Step::Start(0)));
        assert_eq!(s.next(false), Some(Step::Start(1)));
        assert_eq!(s.next(false), None);
        assert_eq!(s.running(), 2);
        s.finish(1, T, Ok(()));
        assert_eq!(s.next(false), Some(Step::Start(2)));
        // A limit of 0 still runs one at a time.
        let mut one = Schedule::new(stacks(&[&[], &[]]), 0);
        assert_eq!(one.next(false), Some(Step::Start(0)));
        assert_eq!(one.next(false), None);
    }

    #[test]
    fn a_failure_skips_its_readers_and_theirs_but_not_the_others() {
        // a -> b -> c, and d alone
        let mut s = Schedule::new(stacks(&[&[], &[0], &[1], &[]]), 1);
        assert_eq!(s.next(false), Some(Step::Start(0)));
        s.finish(0, T, failed(3));
        assert_eq!(
            s.next(false),
            Some(Step::Skip {
                index: 1,
                blocker: 0
            })
        );
        assert_eq!(
            s.next(false),
            Some(Step::Skip {
                index: 2,
                blocker: 1
            })
        );
        assert_eq!(s.next(false), Some(Step::Start(3)));
        s.finish(3, T, Ok(()));
        assert_eq!(s.next(false), None);
        let ended = s.end();
        assert_eq!(
            reasons(&ended),
            ["failed", "a did not succeed", "b did not succeed", "done"]
        );
        let errors = ended.result(None).unwrap_err();
        assert_eq!(errors[0].exit_code(), 3);
    }

    #[test]
    fn a_refusal_stops_the_run_and_is_its_result() {
        let mut s = Schedule::new(stacks(&[&[], &[], &[]]), 2);
        assert_eq!(s.next(false), Some(Step::Start(0)));
        assert_eq!(s.next(false), Some(Step::Start(1)));
        s.finish(0, T, failed(1));
        s.finish(
            1,
            T,
            Err(vec![AppError::Run(RunError::Cancelled {
                stack: "b".into(),
                command: "apply",
            })]),
        );
        assert_eq!(s.next(false), None, "nothing starts after a refusal");
        let ended = s.end();
        assert_eq!(reasons(&ended), ["failed", "failed", "the run was stopped"]);
        // The refusal, not the earlier failure, is what the run reports.
        let errors = ended.result(None).unwrap_err();
        assert!(
            matches!(errors[0], AppError::Run(RunError::Cancelled { .. })),
            "{errors:?}"
        );
    }

    #[test]
    fn after_an_interrupt_nothing_starts() {
        let mut s = Schedule::new(stacks(&[&[], &[0]]), 4);
        assert_eq!(s.next(false), Some(Step::Start(0)));
        s.finish(0, T, Ok(()));
        // The interrupt came between the stacks: no terraform saw it.
        assert_eq!(s.next(true), None);
        let ended = s.end();
        assert_eq!(reasons(&ended), ["done", "the run was interrupted"]);
        let errors = ended.result(Some(2)).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "interrupted (signal 2) before stack b started; nothing more was started"
        );
        assert_eq!(errors[0].exit_code(), 130);
        // A run that ended before the interrupt left nothing out.
        let mut s = Schedule::new(stacks(&[&[]]), 4);
        assert_eq!(s.next(false), Some(Step::Start(0)));
        s.finish(0, T, Ok(()));
        assert!(s.end().result(Some(2)).is_ok());
    }
}
