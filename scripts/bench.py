#!/usr/bin/env python3
"""Benchmarks tfsynth against a baseline measured in the same run.

Usage: bench.py validate   (called by scripts/bench.sh, which builds the
release binaries and locates terraform)

validate: `tfsynth validate --file` (a whole process, start-up included)
against `terraform validate` (after `terraform init`, which is not timed) on
the same synthesized JSON: the demo stack and a generated 1,000-resource
stack. Prints a Markdown table of medians and the speed-up ratio.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target", "release")
TFSYNTH = os.path.join(RELEASE, "tfsynth")
SCALE = os.path.join(RELEASE, "examples", "scale")
TF_ENV = dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null", CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")


def run(cmd, cwd=None, ok_codes=(0,)):
    proc = subprocess.run(cmd, cwd=cwd, env=TF_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode not in ok_codes:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout.decode()}{proc.stderr.decode()}")
    return proc


def median_seconds(cmd, runs, cwd=None, ok_codes=(0,)):
    """Median wall time of `runs` runs, after one warm-up run."""
    run(cmd, cwd, ok_codes)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run(cmd, cwd, ok_codes)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fmt(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def bench_validate(work):
    terraform = os.environ["TFSYNTH_TERRAFORM"]
    plugin_dir = os.environ["TFSYNTH_PLUGIN_DIR"]
    cases = [("demo", [TFSYNTH], "demo"), ("1,000 resources", [SCALE], "scale_1000")]
    rows = []
    for label, program, stack in cases:
        run(program + ["synth", stack, "--out", work])
        directory = os.path.join(work, stack)
        run([terraform, "init", "-input=false", "-no-color", "-backend=false", f"-plugin-dir={plugin_dir}"], cwd=directory)
        ours = median_seconds([TFSYNTH, "validate", "--file", os.path.join(directory, "main.tf.json")], 20)
        theirs = median_seconds([terraform, "validate", "-no-color"], 5, cwd=directory)
        rows.append((label, ours, theirs))
    print("| stack | tfsynth validate | terraform validate | speed-up |")
    print("| --- | ---: | ---: | ---: |")
    for label, ours, theirs in rows:
        print(f"| {label} | {fmt(ours)} | {fmt(theirs)} | {theirs / ours:.0f}x |")


def main():
    what = sys.argv[1:] or ["validate"]
    work = tempfile.mkdtemp(prefix="tfsynth-bench-")
    try:
        for name in what:
            if name == "validate":
                bench_validate(work)
            else:
                sys.exit(f"unknown benchmark {name!r}; known: validate")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
