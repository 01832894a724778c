#!/usr/bin/env python3
"""Two JSONPathBenchmark binaries compared filter by filter; run by scripts/bench-jsonpath-ab.sh.

  jsonpath_ab.py wallclock BASE HEAD RUNS      alternating runs, median (BEST=1: best) evals/s
  jsonpath_ab.py instructions BASE HEAD _      callgrind instructions per evaluation
"""
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

EVALUATE = "$s8JSONPath13TriggerFilterV8evaluate"


def filter_names(binary):
    names = []
    out = subprocess.run([binary, "--quick"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[:2] == ["RESULT", "filter"]:
            names.append(parts[2])
    return names


def wallclock(base, head, runs):
    best = os.environ.get("BEST") == "1"
    # 1 s per measurement (QUICK=1: 0.2 s, noisier).
    arguments = ["--quick"] if os.environ.get("QUICK") == "1" else []
    rates = {base: {}, head: {}}
    for run in range(runs):
        for binary in (base, head) if run % 2 == 0 else (head, base):
            out = subprocess.run([binary] + arguments, capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 4 and parts[:2] == ["RESULT", "filter"]:
                    rates[binary].setdefault(parts[2], []).append(float(parts[3]))
    pick = max if best else statistics.median
    print(f"{'filter':24s} {'base evals/s':>14s} {'head evals/s':>14s}  head/base   ({'best' if best else 'median'} of {runs})")
    ratios = []
    for name in rates[base]:
        b, h = pick(rates[base][name]), pick(rates[head][name])
        ratios.append(h / b)
        print(f"{name:24s} {b:14,.0f} {h:14,.0f}  {h / b:9.3f}")
    return ratios


def instructions_per_evaluation(binary, name):
    with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", f"--toggle-collect={EVALUATE}*",
             binary, "--quick", "--only", name],
            capture_output=True, check=True)
        lines = open(out.name).read().splitlines()
    ids = {m.group(1) for l in lines if (m := re.match(r"c?fn=\((\d+)\) (.*)", l)) and EVALUATE in m.group(2)}
    calls = sum(int(lines[i + 1].split()[0][6:]) for i, l in enumerate(lines)
                if (m := re.match(r"cfn=\((\d+)\)", l)) and m.group(1) in ids and lines[i + 1].startswith("calls="))
    total = next(int(l.split()[1]) for l in lines if l.startswith(("summary:", "totals:")))
    return total / calls


def instructions(base, head):
    print(f"{'filter':24s} {'base Ir/eval':>13s} {'head Ir/eval':>13s}  head/base")
    ratios = []
    for name in filter_names(head):
        b, h = instructions_per_evaluation(base, name), instructions_per_evaluation(head, name)
        ratios.append(h / b)
        print(f"{name:24s} {b:13.0f} {h:13.0f}  {h / b:9.3f}")
    return ratios


def main():
    mode, base, head, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ratios = wallclock(base, head, runs) if mode == "wallclock" else instructions(base, head)
    print(f"geometric mean head/base: {math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f}")


if __name__ == "__main__":
    main()
