# SPDX-License-Identifier: LGPL-2.1-or-later
"""Exec probes run with the container's restrictions (k8s-semantics.md §4; CRI ExecSync runs the command
inside the container), seen from the probe itself.

podd starts exec probes itself, so each test has the probe write what it is (/proc/self/cgroup,
/proc/self/status, id, pwd, env) into /run/probetest-exec/POD (mode 1777: the container's user may write
there) and compares it with the container's unit (`systemctl show -P ControlGroup`) and its main process
(/proc/MAINPID/status). Covered: cgroup, uid/gid/supplementary groups, the capability sets (bounding,
effective, permitted, inheritable, ambient), NoNewPrivs, environment and workingDir for a non-root container
with capabilities dropped and allowPrivilegeEscalation false; CapEff 0 for a root container with
`capabilities: {drop: [ALL]}`; a timed-out exec probe's whole process group (a background child included)
is killed inside the container's cgroup.

Not reproduced, by design of the kernel: a seccomp filter cannot be copied from another process (podctl's
container units set none today). podd.service sets nothing a child inherits (no NoNewPrivileges=, no
seccomp-based options) so that the probes get exactly the container's restrictions, which the tests assert.
"""

import json
import re
import shlex
import time

from test_podd import apply, delete, podd, unit, wait_gone, wait_phase  # noqa: F401

RUN = "/run/probetest-exec"
PRIV_KEYS = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")


def pod_dir(name):
    return f"{RUN}/{name}"


def prepare(sb, name):
    d = pod_dir(name)
    sb.sh(f"rm -rf {d}; mkdir -p {d}; chmod 1777 {d}")


def report_cmd(name):
    """A probe that writes what it is into the pod's directory, then succeeds (`done` last: complete)."""
    d = pod_dir(name)
    return ["/bin/sh", "-c",
            f"cat /proc/self/cgroup > {d}/cgroup; cat /proc/self/status > {d}/status; id > {d}/id; "
            f"pwd > {d}/pwd; env > {d}/env; touch {d}/done"]


def exec_pod(name, probe_cmd, *, security=None, pod_security=None, env=None, working_dir=None,
             timeout=1, period=1, initial_delay=0):
    c = {"name": "web", "command": ["/bin/sh", "-c", "exec sleep infinity"],
         "readinessProbe": {"exec": {"command": probe_cmd}, "periodSeconds": period, "timeoutSeconds": timeout,
                            "failureThreshold": 100, "initialDelaySeconds": initial_delay}}
    if security:
        c["securityContext"] = security
    if env:
        c["env"] = [{"name": k, "value": v} for k, v in env.items()]
    if working_dir:
        c["workingDir"] = working_dir
    spec = {"restartPolicy": "Always", "terminationGracePeriodSeconds": 1, "containers": [c]}
    if pod_security:
        spec["securityContext"] = pod_security
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}) + "\n"


def show(sb, u, prop):
    return sb.run("systemctl", "show", "-P", prop, u).stdout.strip()


def privileges(status_text):
    """The privilege lines of a /proc/PID/status, as {key: value with whitespace normalised}."""
    out = {}
    for line in status_text.splitlines():
        k, _, v = line.partition(":")
        if k in PRIV_KEYS:
            out[k] = " ".join(v.split())
    return out


def read(sb, name, what):
    return sb.run("cat", f"{pod_dir(name)}/{what}").stdout


def wait_report(sb, name):
    sb.wait_until(lambda: sb.run("test", "-e", f"{pod_dir(name)}/done", check=False).returncode == 0,
                  timeout=30, what=f"{name}: the exec probe's report")


def main_status(sb, u):
    pid = int(show(sb, u, "MainPID"))
    assert pid > 0, f"{u} has no main process"
    return pid, sb.run("cat", f"/proc/{pid}/status").stdout


def cleanup(sb, name):
    delete(sb, name, "--grace-period=1")
    wait_gone(sb, name)
    sb.sh(f"rm -rf {pod_dir(name)}", check=False)


def test_exec_probe_runs_in_the_containers_cgroup_credentials_and_capabilities(podd):
    name = "exec-restricted"
    u = unit("default", name, "web")
    prepare(podd, name)
    apply(podd, exec_pod(name, report_cmd(name),
                         security={"runAsUser": 65534, "runAsGroup": 65534, "allowPrivilegeEscalation": False,
                                   "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CHOWN"]}},
                         pod_security={"supplementalGroups": [100]},
                         env={"PROBE_ENV": "from-the-container"}, working_dir=pod_dir(name)))
    wait_phase(podd, name, "Running")
    wait_report(podd, name)

    # The cgroup: the container unit's own (a probe in podd's cgroup would say podd.service).
    cg = show(podd, u, "ControlGroup")
    assert cg.endswith("/" + u), cg
    lines = read(podd, name, "cgroup").splitlines()
    assert f"0::{cg}" in lines, (cg, lines)

    # uid/gid/groups, capabilities and NoNewPrivs: exactly the main process's.
    pid, main = main_status(podd, u)
    want, got = privileges(main), privileges(read(podd, name, "status"))
    assert set(want) >= {"Uid", "Gid", "Groups", "CapBnd", "CapEff", "NoNewPrivs"}, want
    assert got == want, f"probe {got}\ncontainer's main process {pid} {want}"
    # And that is the restricted context the pod asked for, not podd's.
    assert want["Uid"].split()[1] == "65534" and want["Gid"].split()[1] == "65534", want
    assert "100" in want["Groups"].split(), want
    assert want["NoNewPrivs"] == "1", want
    assert int(want["CapBnd"], 16) == (1 << 0) | (1 << 10), want  # CHOWN, NET_BIND_SERVICE
    assert int(want["CapEff"], 16) == 0, want  # non-root: nothing effective
    ident = read(podd, name, "id")
    assert re.match(r"uid=65534\b.* gid=65534\b", ident), ident

    # Environment and working directory: the container's.
    env = read(podd, name, "env").splitlines()
    assert "PROBE_ENV=from-the-container" in env, env
    assert read(podd, name, "pwd").strip() == pod_dir(name)

    cleanup(podd, name)


def test_exec_probe_of_a_root_container_without_capabilities(podd):
    name = "exec-root-noncaps"
    u = unit("default", name, "web")
    prepare(podd, name)
    apply(podd, exec_pod(name, report_cmd(name), security={"capabilities": {"drop": ["ALL"]}}))
    wait_phase(podd, name, "Running")
    wait_report(podd, name)

    pid, main = main_status(podd, u)
    want, got = privileges(main), privileges(read(podd, name, "status"))
    assert want["Uid"].split()[1] == "0", want
    assert want["NoNewPrivs"].strip() == "0", want
    assert got == want, f"probe {got}\ncontainer's main process {pid} {want}"
    for k in ("CapEff", "CapPrm", "CapBnd"):
        assert int(got[k], 16) == 0, (k, got)
    assert read(podd, name, "id").startswith("uid=0(")
    assert f"0::{show(podd, u, 'ControlGroup')}" in read(podd, name, "cgroup").splitlines()

    cleanup(podd, name)


def cgroup_sleepers(sb, cg, what):
    """PIDs in the cgroup (and below it) whose command line is `what`."""
    # Quoted: unit names have backslashes (\x2d).
    script = (f"for f in $(find {shlex.quote('/sys/fs/cgroup' + cg)} -name cgroup.procs); do "
              "for p in $(cat \"$f\"); do "
              f"  [ \"$(tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null)\" = '{what} ' ] && echo $p; "
              "done; done; true")
    return sb.sh(script).stdout.split()


def test_exec_probe_timeout_kills_the_whole_process_group_in_the_container_cgroup(podd):
    """`sleep 100 & sleep 100` with timeoutSeconds 1: both sleeps run in the container's cgroup (the probe
    joined it before it forked), and both are gone a few seconds after the timeout."""
    name = "exec-pgrp"
    u = unit("default", name, "web")
    prepare(podd, name)
    # The first attempt comes once the test watches; a long period: its processes are watched without a
    # second attempt starting new ones.
    apply(podd, exec_pod(name, ["/bin/sh", "-c", "sleep 100 & sleep 100"], timeout=1, period=30, initial_delay=4))
    wait_phase(podd, name, "Running")
    cg = show(podd, u, "ControlGroup")

    seen = podd.wait_until(lambda: (lambda s: s if len(s) >= 2 else None)(cgroup_sleepers(podd, cg, "sleep 100")),
                           timeout=20, what="the probe's two sleeps in the container's cgroup")
    t0 = time.time()
    assert len(seen) == 2, seen
    podd.wait_until(lambda: not cgroup_sleepers(podd, cg, "sleep 100"), timeout=5,
                    what="no `sleep 100` left in the container's cgroup after the timeout")
    assert time.time() - t0 < 5
    # Nowhere else either (a member of the group that escaped the cgroup would show here).
    assert podd.run("pgrep", "-x", "-f", "sleep 100", check=False).stdout.strip() == ""
    # The container itself is untouched.
    assert show(podd, u, "ActiveState") == "active"

    cleanup(podd, name)
