#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Stop exactness: how close a deletion's SIGKILL lands to Kubernetes' deadline (k8s-semantics.md §2.4).

Boots tests/integration/sandbox.py, installs the build, starts podd.service, then deletes a pod whose
container ignores SIGTERM, N times (default 30), cycling through four budgets:
  grace 3 s, no preStop                      → SIGKILL at 3 s
  grace 3 s, preStop sleep 1 s               → 3 − 1 = 2 s left → 3 s
  grace 3 s, preStop sleep 2 s               → 3 − 2 = 1 s, floored at 2 → 4 s
  grace 30 s, `podctl delete --grace-period=2` → 2 s
and prints the distribution of (moment the container's main process is gone − Kubernetes' deadline),
p50/p95/max, overall and per budget. systemd alone (TimeoutStopSec= applied to ExecStop= and again to the
stop signal) would be seconds late for the preStop cases.

The clock starts just before `podctl delete` is spawned and stops when a pidfd of the container's main
process becomes readable, both in one Python process INSIDE the sandbox (this file, copied in and run
with --inside). This is a measurement, not a test: there are no thresholds. Run as root:
    python3 bench/stop-exactness.py --build-dir build [--deletions 30]
"""

import argparse
import json
import os
import select
import subprocess
import sys
import time

WORK_DIR = "/run/podctl-bench"
CASES = [
    # (label, spec grace, preStop sleep seconds or None, delete args, Kubernetes' SIGKILL deadline in s)
    ("grace 3, no preStop", 3, None, [], 3.0),
    ("grace 3, preStop 1 s", 3, 1, [], 3.0),
    ("grace 3, preStop 2 s", 3, 2, [], 4.0),
    ("grace 30, --grace-period=2", 30, None, ["--grace-period=2"], 2.0),
]


def sh(*argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout


def pod_yaml(name, grace, pre_stop):
    y = (
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n"
        f"  terminationGracePeriodSeconds: {grace}\n  containers:\n  - name: c\n"
        "    command: [/bin/sh, -c, \"trap '' TERM; exec sleep 600\"]\n"
    )
    if pre_stop is not None:
        y += f"    lifecycle: {{preStop: {{sleep: {{seconds: {pre_stop}}}}}}}\n"
    return y


def unit_of(name):
    return "pod-default-" + name.replace("-", "\\x2d") + "-c.service"


def wait_running(unit, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        props = dict(
            l.split("=", 1) for l in sh("systemctl", "show", "-p", "ActiveState,MainPID", unit).splitlines() if "=" in l
        )
        if props.get("ActiveState") == "active" and int(props.get("MainPID", "0")) > 0:
            return int(props["MainPID"])
        time.sleep(0.05)
    raise RuntimeError(f"{unit} not running after {timeout} s")


def wait_gone(name, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if subprocess.run(["podctl", "get", "pod", name], capture_output=True).returncode != 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"pod {name} still there after {timeout} s")


def inside(n):
    results = []
    for i in range(n):
        label, grace, pre_stop, args, deadline = CASES[i % len(CASES)]
        name = f"stopx-{i}"
        sh("podctl", "apply", "-f", "-", input=pod_yaml(name, grace, pre_stop))
        pid = wait_running(unit_of(name))
        fd = os.pidfd_open(pid)
        time.sleep(0.3)  # let the start settle: the budget is about the stop
        t0 = time.monotonic()
        subprocess.Popen(["podctl", "delete", "pod", name, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        select.select([fd], [], [], 120)
        t1 = time.monotonic()
        os.close(fd)
        results.append({"case": label, "deadline": deadline, "took": t1 - t0})
        wait_gone(name)
    print(json.dumps(results))


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def dist(xs):
    ms = lambda s: f"{s * 1000:+.0f} ms"
    return f"p50 {ms(pct(xs, 50))}  p95 {ms(pct(xs, 95))}  max {ms(max(xs))}  (n={len(xs)})"


def host_main(args):
    source = os.path.abspath(args.source_dir)
    sys.path.insert(0, os.path.join(source, "tests", "integration"))
    from sandbox import Sandbox  # noqa: E402  (lives in the source tree)

    sb = Sandbox(os.path.abspath(args.build_dir), source)
    sb.boot()
    try:
        sb.install()
        sb.run("mkdir", "-p", WORK_DIR)
        with open(os.path.abspath(__file__)) as f:
            sb.run("sh", "-c", f"cat > {WORK_DIR}/stop-exactness.py", input=f.read())
        sb.run("systemctl", "start", "podd.service")
        sb.wait_until(lambda: sb.run("podctl", "get", "pods", check=False).returncode == 0, timeout=30,
                      what="podd answering")
        r = sb.run("python3", f"{WORK_DIR}/stop-exactness.py", "--inside", str(args.deletions), timeout=1800)
        results = json.loads(r.stdout)
    finally:
        sb.shutdown()

    late = [x["took"] - x["deadline"] for x in results]
    print(f"kill time − Kubernetes deadline over {len(late)} deletions of a SIGTERM-ignoring pod:")
    print(f"  all: {dist(late)}")
    for label, *_ in CASES:
        xs = [x["took"] - x["deadline"] for x in results if x["case"] == label]
        if xs:
            print(f"  {label}: {dist(xs)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--source-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--deletions", type=int, default=30)
    ap.add_argument("--inside", type=int, metavar="N", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inside is not None:
        inside(args.inside)
    else:
        host_main(args)


if __name__ == "__main__":
    main()
