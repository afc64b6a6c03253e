#!/usr/bin/env python3
"""Benchmarks tfsynth against a baseline measured in the same run.

Usage: bench.py [validate] [synth] [scaling]   (called by scripts/bench.sh,
which builds the release binaries and locates terraform)

validate: `tfsynth validate --file` (a whole process, start-up included)
against `terraform validate` (after `terraform init`, which is not timed) on
the same synthesized JSON: the demo and financial stacks and a generated
1,000-resource stack. With TFSYNTH_BASELINE set to another tfsynth binary
(scripts/bench.sh --baseline REV builds one), that binary is timed on the
same files too.
synth: `tfsynth synth STACK` as a whole process for each stack, with
`terraform validate` on the same output as the baseline for scale.
scaling: synthesizing generated stacks of 100, 1,000 and 10,000 resources:
time, peak memory (the process's maximum resident set), and the ratios
between sizes.
Each prints a Markdown table of medians and ratios measured in this run.
"""
import json
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


def peak_memory_kib(cmd, cwd=None):
    """Runs `cmd` once and returns its maximum resident set size in KiB."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=TF_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode})")
    return usage.ru_maxrss


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
    baseline = os.environ.get("TFSYNTH_BASELINE")
    config = ["--config", os.path.join(ROOT, "tfsynth.toml")]
    cases = [
        ("demo", [TFSYNTH] + config, "demo"),
        ("financial", [TFSYNTH] + config, "financial"),
        ("1,000 resources", [SCALE], "scale_1000"),
    ]
    rows = []
    for label, program, stack in cases:
        run(program + ["synth", stack, "--out", work])
        directory = os.path.join(work, stack)
        run([terraform, "init", "-input=false", "-no-color", "-backend=false", f"-plugin-dir={plugin_dir}"], cwd=directory)
        file = os.path.join(directory, "main.tf.json")
        # Exit code 3 is policy findings only: the generated stacks have some on purpose.
        ours = median_seconds([TFSYNTH, "validate", "--file", file], 20, ok_codes=(0, 3))
        before = median_seconds([baseline, "validate", "--file", file], 20, ok_codes=(0, 2)) if baseline else None
        theirs = median_seconds([terraform, "validate", "-no-color"], 5, cwd=directory)
        rows.append((label, ours, before, theirs))
    if baseline:
        print(f"baseline: {baseline}")
        print("| stack | tfsynth validate | baseline | vs baseline | terraform validate | speed-up |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, ours, before, theirs in rows:
            print(f"| {label} | {fmt(ours)} | {fmt(before)} | {ours / before:.2f}x | {fmt(theirs)} | {theirs / ours:.0f}x |")
    else:
        print("| stack | tfsynth validate | terraform validate | speed-up |")
        print("| --- | ---: | ---: | ---: |")
        for label, ours, _, theirs in rows:
            print(f"| {label} | {fmt(ours)} | {fmt(theirs)} | {theirs / ours:.0f}x |")


def init(directory):
    terraform = os.environ["TFSYNTH_TERRAFORM"]
    plugin_dir = os.environ["TFSYNTH_PLUGIN_DIR"]
    run([terraform, "init", "-input=false", "-no-color", "-backend=false", f"-plugin-dir={plugin_dir}"], cwd=directory)


def bench_synth(work):
    terraform = os.environ["TFSYNTH_TERRAFORM"]
    config = os.path.join(ROOT, "tfsynth.toml")
    print("| stack | resources | tfsynth synth (process) | terraform validate | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for stack in ["demo", "webapp", "financial"]:
        cmd = [TFSYNTH, "--config", config, "synth", stack, "--out", work]
        ours = median_seconds(cmd, 20)
        directory = os.path.join(work, stack)
        with open(os.path.join(directory, "main.tf.json")) as f:
            resources = sum(len(v) for v in json.load(f).get("resource", {}).values())
        init(directory)
        theirs = median_seconds([terraform, "validate", "-no-color"], 5, cwd=directory)
        print(f"| {stack} | {resources} | {fmt(ours)} | {fmt(theirs)} | {theirs / ours:.0f}x |")


def bench_scaling(work):
    rows = []
    for resources, runs in [(100, 20), (1000, 10), (10000, 5)]:
        stack = f"scale_{resources}"
        cmd = [SCALE, "synth", stack, "--out", work]
        seconds = median_seconds(cmd, runs)
        memory = max(peak_memory_kib(cmd) for _ in range(3))
        rows.append((resources, seconds, memory))
    print("| resources | synth (process) | peak memory | time ratio to the size before |")
    print("| ---: | ---: | ---: | ---: |")
    previous = None
    for resources, seconds, memory in rows:
        ratio = f"{seconds / previous:.1f}" if previous else "-"
        print(f"| {resources:,} | {fmt(seconds)} | {memory / 1024:.1f} MiB | {ratio} |")
        previous = seconds


def main():
    what = sys.argv[1:] or ["validate", "synth", "scaling"]
    work = tempfile.mkdtemp(prefix="tfsynth-bench-")
    try:
        for name in what:
            benches = {"validate": bench_validate, "synth": bench_synth, "scaling": bench_scaling}
            if name not in benches:
                sys.exit(f"unknown benchmark {name!r}; known: {', '.join(benches)}")
            print(f"\n{name}:")
            benches[name](work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
