#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The quick start on a host whose PID 1 is not systemd: boot a private systemd (the integration tests'
sandbox), install the build into it, start podd through its unit, run the example pods and show them the
way a user would look at them. With QUICKSTART_SHELL=1 and a terminal, a shell inside follows."""

import os
import sys
import time

build, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(src, "tests", "integration"))
from sandbox import Sandbox  # noqa: E402


def show(sb, *argv):
    print(f"\n$ {' '.join(argv)}", flush=True)
    r = sb.run(*argv, check=False)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    return r


with Sandbox(build, src) as sb:
    sb.install()
    sb.run("systemctl", "start", "podd.service")
    show(sb, "podctl", "apply", "-f", f"{src}/manifests/web.yaml", "-f", f"{src}/manifests/init-sidecar.yaml",
         "-f", f"{src}/manifests/probes.yaml")
    deadline = time.time() + 60
    while time.time() < deadline:
        out = sb.run("podctl", "get", "pods", "--no-headers", check=False).stdout.splitlines()
        if out and all(" Running " in line for line in out):
            break
        time.sleep(0.2)
    show(sb, "podctl", "get", "pods", "-o", "wide")
    show(sb, "podctl", "describe", "pod", "web")
    time.sleep(3)  # the probes' first rounds
    show(sb, "podctl", "describe", "pod", "probes")
    show(sb, "podctl", "logs", "web")
    show(sb, "journalctl", "--no-pager", "POD_NAME=web", "-n", "20")
    show(sb, "systemctl", "status", "--no-pager", "pod.slice")
    if os.environ.get("QUICKSTART_SHELL") == "1" and sys.stdin.isatty():
        print("\nA shell inside the sandbox (podctl, systemctl, journalctl work); exit to power it off.")
        os.system(f"nsenter -t {sb.pid} -m -p -n -u -i -C -- /bin/bash")
    print("\nThe sandbox powers off now; nothing outside the checkout was changed.")
