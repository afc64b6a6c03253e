#!/usr/bin/env python3
"""Measures the compile-time budget of the bindings, each build cold in a
fresh target directory, with the engine crate alone built the same way in
the same run as the baseline that the ratios are against.

Usage: build_times.py [--quick]   (called by scripts/build-times.sh)

Builds measured:
  engine       `cargo build --release -p tfsynth`: the baseline
  default      `cargo build --release`: the tfsynth binary, default features
  incremental  the same after editing a stack file
  full         `cargo build -p tfsynth-aws --features full` (dev profile): every type
  full check   `cargo check -p tfsynth-aws --features full`
Wall time, and peak memory summed over every process of the build at once
(sampled every 0.1 s from /proc), since cargo runs rustc processes side by
side. Also the size of the generated code. --quick skips the release builds.
Prints Markdown tables.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def descendants(pid):
    """Every process below `pid`, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd, env):
    """Runs `cmd`; returns (seconds, peak total MiB, peak single process MiB)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = {"total": 0, "single": 0}

    def sample():
        while proc.poll() is None:
            sizes = [rss_kib(p) for p in descendants(proc.pid)]
            peak["total"] = max(peak["total"], sum(sizes))
            peak["single"] = max(peak["single"], max(sizes, default=0))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = proc.communicate()
    sampler.join()
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err.decode()[-3000:]}")
    return seconds, peak["total"] / 1024, peak["single"] / 1024


def code_size():
    files = lines = size = fns = structs = 0
    for dirpath, _, names in os.walk(os.path.join(ROOT, "crates/aws/src")):
        for name in names:
            with open(os.path.join(dirpath, name)) as f:
                text = f.read()
            files += 1
            lines += text.count("\n")
            size += len(text.encode())
            fns += text.count("pub fn ")
            structs += text.count("pub struct ")
    return files, lines, size, fns, structs


def main(quick):
    rows = []
    with tempfile.TemporaryDirectory(prefix="tfsynth-build-") as tmp:
        def build(label, cmd, target, edit=None):
            env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(tmp, target), CARGO_TERM_COLOR="never")
            original = None
            if edit:
                # An edit as a user makes one, undone afterwards.
                with open(edit) as f:
                    original = f.read()
                with open(edit, "w") as f:
                    f.write(original + "\n// an edit for the incremental build\n")
            try:
                seconds, total, single = measure(cmd, env)
            finally:
                if edit:
                    with open(edit, "w") as f:
                        f.write(original)
            rows.append((label, " ".join(cmd), seconds, total, single))
            print(f"{label}: {seconds:.1f} s, peak {total:.0f} MiB", file=sys.stderr)

        build("engine (baseline)", ["cargo", "build", "--release", "--locked", "-p", "tfsynth"], "engine")
        if not quick:
            build("default", ["cargo", "build", "--release", "--locked"], "default")
            stack = os.path.join(ROOT, "src/stacks/demo.rs")
            build(
                "incremental (a stack edited)",
                ["cargo", "build", "--release", "--locked"],
                "default",
                edit=stack,
            )
        build("full check", ["cargo", "check", "--locked", "-p", "tfsynth-aws", "--features", "full"], "full-check")
        build("full", ["cargo", "build", "--locked", "-p", "tfsynth-aws", "--features", "full"], "full")
    base = rows[0][2]
    print("| build | command | time | vs engine | peak memory (all processes) | largest process |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, cmd, seconds, total, single in rows:
        print(f"| {label} | `{cmd}` | {seconds:.1f} s | {seconds / base:.1f}x | {total / 1024:.2f} GiB | {single / 1024:.2f} GiB |")
    files, lines, size, fns, structs = code_size()
    print()
    print("| generated code (crates/aws/src) | |")
    print("| --- | --- |")
    print(f"| files | {files:,} |")
    print(f"| lines | {lines:,} |")
    print(f"| bytes | {size / 1e6:.1f} MB |")
    print(f"| functions | {fns:,} |")
    print(f"| structs | {structs:,} |")


if __name__ == "__main__":
    if shutil.which("cargo") is None:
        sys.exit("cargo is not on PATH")
    main("--quick" in sys.argv[1:])
