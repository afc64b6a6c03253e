//! Running terraform as a child process: output streamed live, interrupts
//! forwarded, and a lock that keeps two tfsynth commands out of one stack
//! directory.

use std::fs::File;
use std::os::unix::io::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use super::{RunError, Terraform};

/// The last SIGINT or SIGTERM received, not yet forwarded.
static PENDING_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn remember_signal(signal: libc::c_int) {
    PENDING_SIGNAL.store(signal, Ordering::SeqCst);
}

/// Handlers for SIGINT and SIGTERM that only record the signal, so tfsynth
/// stays alive to pass it on and wait; restored when dropped.
struct SignalGuard {
    previous: [(libc::c_int, libc::sighandler_t); 2],
}

impl SignalGuard {
    fn install() -> SignalGuard {
        PENDING_SIGNAL.store(0, Ordering::SeqCst);
        let handler = remember_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: the handler only stores into an atomic, which is async-signal-safe.
        let previous =
            [libc::SIGINT, libc::SIGTERM].map(|sig| (sig, unsafe { libc::signal(sig, handler) }));
        SignalGuard { previous }
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for (sig, old) in self.previous {
            // SAFETY: restores the disposition that was in place before.
            unsafe { libc::signal(sig, old) };
        }
    }
}

/// Runs terraform with `args` in `dir`, its output going straight to this
/// process's terminal, and returns its exit code.
///
/// terraform runs in its own process group, so a Ctrl-C at the terminal
/// reaches only tfsynth, which forwards it exactly once (a second interrupt
/// would make terraform abandon its work). SIGTERM is forwarded the same way.
/// tfsynth then keeps waiting until terraform has finished.
pub fn run_streaming(tf: &Terraform, dir: &Path, args: &[String]) -> Result<i32, RunError> {
    let guard = SignalGuard::install();
    let mut child = Command::new(&tf.bin)
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .process_group(0)
        .spawn()
        .map_err(|source| RunError::Io {
            context: format!("cannot start {}", tf.bin.display()),
            source,
        })?;
    let pid = child.id() as libc::pid_t;
    let status = loop {
        let signal = PENDING_SIGNAL.swap(0, Ordering::SeqCst);
        if signal != 0 {
            // SAFETY: sends a signal to our own child, which we have not reaped yet.
            unsafe { libc::kill(pid, signal) };
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
    Ok(status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(1)))
}

/// An exclusive lock on a stack directory, held while a command runs.
pub struct StackLock {
    _file: File,
    path: PathBuf,
}

impl StackLock {
    /// Takes the lock on `dir`, or fails at once if another process holds it.
    pub fn acquire(stack: &str, dir: &Path) -> Result<StackLock, RunError> {
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
        let first = StackLock::acquire("s", dir.path()).unwrap();
        let second = StackLock::acquire("s", dir.path());
        assert!(matches!(second, Err(RunError::Busy { .. })));
        drop(first);
        assert!(
            StackLock::acquire("s", dir.path()).is_ok(),
            "released with the first"
        );
    }
}
