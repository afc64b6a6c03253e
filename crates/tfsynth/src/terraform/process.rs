//! Running terraform as a child process: output streamed live, interrupts
//! forwarded, and a lock that keeps two tfsynth commands out of one stack
//! directory.

use std::fs::File;
use std::io::BufRead;
use std::os::unix::io::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::time::Duration;

use super::{RunError, Terraform};

/// Signals received while terraform runs, and the last one's number.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);
static LAST_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn remember_signal(signal: libc::c_int) {
    LAST_SIGNAL.store(signal, Ordering::SeqCst);
    RECEIVED.fetch_add(1, Ordering::SeqCst);
}

/// The signals tfsynth catches while terraform runs: an interrupt from the
/// terminal, a termination request, and a closed terminal.
const CAUGHT: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The dispositions the caught signals had before tfsynth's handlers, and
/// how many guards are alive: the handlers stay installed, and the count
/// of received signals is not reset, from the first guard to the last.
static INSTALLED: Mutex<(usize, Option<Dispositions>)> = Mutex::new((0, None));

/// Each caught signal with the disposition it had before.
type Dispositions = [(libc::c_int, libc::sighandler_t); 3];

/// Handlers for the caught signals that only record them, so tfsynth stays
/// alive to pass them on and wait; restored when the last guard is dropped.
/// A run over several stacks holds one for the whole run, so an interrupt
/// reaches every terraform running at once and no stack starts after it.
pub struct SignalGuard(());

impl SignalGuard {
    /// Installs the handlers, or counts one more holder of them.
    pub fn install() -> SignalGuard {
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        if installed.0 == 0 {
            RECEIVED.store(0, Ordering::SeqCst);
            LAST_SIGNAL.store(0, Ordering::SeqCst);
            let handler = remember_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            // SAFETY: the handler only stores into atomics, which is async-signal-safe.
            installed.1 = Some(CAUGHT.map(|sig| (sig, unsafe { libc::signal(sig, handler) })));
        }
        installed.0 += 1;
        SignalGuard(())
    }

    /// Whether a caught signal arrived since the first guard was installed.
    pub fn interrupted(&self) -> bool {
        RECEIVED.load(Ordering::SeqCst) > 0
    }

    /// The last caught signal, when one arrived since the first guard was
    /// installed.
    pub fn signal(&self) -> Option<i32> {
        self.interrupted()
            .then(|| LAST_SIGNAL.load(Ordering::SeqCst))
            .filter(|s| *s != 0)
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        installed.0 -= 1;
        if installed.0 == 0 {
            for (sig, old) in installed.1.take().into_iter().flatten() {
                // SAFETY: restores the disposition that was in place before.
                unsafe { libc::signal(sig, old) };
            }
        }
    }
}

/// Where terraform's output goes.
#[derive(Clone, Copy)]
pub enum Output<'a> {
    /// Straight to this process's terminal.
    Inherit,
    /// Line by line to a function, with whether the line came from standard
    /// error; tfsynth's own messages about the run go there too. The
    /// function is called from reader threads.
    Lines(&'a (dyn Fn(bool, String) + Sync)),
    /// Standard output straight to the terminal, standard error line by
    /// line to a function (which prints it, and may read it).
    Stderr(&'a (dyn Fn(bool, String) + Sync)),
}

/// How a terraform run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streamed {
    /// terraform's exit code (128 + the signal when a signal ended it).
    pub code: i32,
    /// The first signal tfsynth received and passed on, if any: the run was
    /// interrupted, whatever terraform's exit code says.
    pub interrupted: Option<i32>,
}

/// Runs terraform with `args` in `dir`, with `env` added to its
/// environment and its output going where `output` says, and returns how
/// it ended.
///
/// terraform runs in its own process group, so a Ctrl-C at the terminal
/// reaches only tfsynth. The first interrupt (SIGINT, SIGTERM or SIGHUP) is
/// passed on at once: terraform stops cleanly, releasing its lock and
/// writing its state. tfsynth says so and that a second interrupt would
/// abort terraform; a second one is passed on (terraform then stops without
/// cleaning up); any further ones are not, since terraform is already
/// aborting. tfsynth keeps waiting until terraform has exited. Interrupts
/// received since the outermost [`SignalGuard`] was installed count, so a
/// terraform started during a run that was already interrupted is stopped
/// at once.
pub fn run_streaming(
    tf: &Terraform,
    dir: &Path,
    args: &[String],
    env: &[(String, String)],
    output: Output<'_>,
) -> Result<Streamed, RunError> {
    let guard = SignalGuard::install();
    let mut command = Command::new(&tf.bin);
    command
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .process_group(0);
    match output {
        Output::Inherit => {}
        Output::Lines(_) => {
            command
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
        }
        Output::Stderr(_) => {
            command.stderr(Stdio::piped());
        }
    }
    let mut child = command.spawn().map_err(|source| RunError::Io {
        context: format!("cannot start {}", tf.bin.display()),
        source,
    })?;
    let say = |text: String| match output {
        Output::Inherit => eprintln!("{}: {text}", tf.program),
        Output::Lines(sink) | Output::Stderr(sink) => sink(true, format!("{}: {text}", tf.program)),
    };
    let pipes = (child.stdout.take(), child.stderr.take());
    std::thread::scope(|scope| {
        if let Output::Lines(sink) | Output::Stderr(sink) = output {
            if let Some(pipe) = pipes.0 {
                scope.spawn(move || forward_lines(pipe, false, sink));
            }
            if let Some(pipe) = pipes.1 {
                scope.spawn(move || forward_lines(pipe, true, sink));
            }
        }
        let pid = child.id() as libc::pid_t;
        let mut forwarded = 0;
        let mut first = None;
        let mut told_ignored = false;
        let status = loop {
            let received = RECEIVED.load(Ordering::SeqCst);
            while forwarded < received.min(2) {
                let signal = LAST_SIGNAL.load(Ordering::SeqCst);
                // SAFETY: sends a signal to our own child, which we have not reaped yet.
                unsafe { libc::kill(pid, signal) };
                forwarded += 1;
                first.get_or_insert(signal);
                say(if forwarded == 1 {
                    "passed the interrupt to terraform, which is stopping cleanly; interrupt again to abort it, which may leave the state locked".to_owned()
                } else {
                    "passed the second interrupt to terraform, which aborts now without cleaning up"
                        .to_owned()
                });
            }
            if received > 2 && !told_ignored {
                told_ignored = true;
                say("terraform is already aborting; waiting for it to exit".to_owned());
            }
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(source) => {
                    return Err(RunError::Io {
                        context: "waiting for terraform".into(),
                        source,
                    });
                }
            }
        };
        drop(guard);
        Ok(Streamed {
            code: status
                .code()
                .unwrap_or_else(|| 128 + status.signal().unwrap_or(1)),
            interrupted: first,
        })
    })
}

/// Passes each line read from `pipe` to `sink`, without its line end; a
/// last line without one too. Bytes that are not UTF-8 are replaced.
fn forward_lines(pipe: impl std::io::Read, stderr: bool, sink: &(dyn Fn(bool, String) + Sync)) {
    let mut reader = std::io::BufReader::new(pipe);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                while matches!(line.last(), Some(b'\n' | b'\r')) {
                    line.pop();
                }
                sink(stderr, String::from_utf8_lossy(&line).into_owned());
            }
        }
    }
}

/// An exclusive lock on a stack directory, held while a command runs.
pub struct StackLock {
    _file: File,
    path: PathBuf,
}

impl StackLock {
    /// Takes the lock on `dir` for `program`'s command on `stack`, or fails
    /// at once if another process holds it.
    pub fn acquire(program: &str, stack: &str, dir: &Path) -> Result<StackLock, RunError> {
        let folder = dir.join(".tfsynth");
        std::fs::create_dir_all(&folder).map_err(|source| RunError::Io {
            context: format!("cannot create {}", folder.display()),
            source,
        })?;
        let path = folder.join("lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| RunError::Io {
                context: format!("cannot open {}", path.display()),
                source,
            })?;
        // SAFETY: flock on a file descriptor we own; released when the file closes.
        let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if !taken {
            return Err(RunError::Busy {
                stack: stack.into(),
                dir: dir.to_path_buf(),
                app: program.into(),
            });
        }
        Ok(StackLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_stack_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = StackLock::acquire("tfsynth", "s", dir.path()).unwrap();
        let second = StackLock::acquire("tfsynth", "s", dir.path());
        assert!(matches!(second, Err(RunError::Busy { .. })));
        drop(first);
        assert!(
            StackLock::acquire("tfsynth", "s", dir.path()).is_ok(),
            "released with the first"
        );
    }
}
