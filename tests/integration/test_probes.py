# SPDX-License-Identifier: LGPL-2.1-or-later
"""Startup, liveness and readiness probes against a real systemd (issue 5, k8s-semantics.md §4 and §2.6).

The servers in servers/ run as the pods' containers and record what reached them (one JSON line per request,
accepted connection or gRPC call, with its time), so the tests see the probes from the probed side: how many
attempts came, when, with which headers. Each test has its own directory /run/probetest/POD with the record
and the switch files (`fail`: /healthz answers 500, the TCP listener closes, the gRPC health answers
NOT_SERVING, the exec probe exits 1).

Covered: each probe kind × each handler (httpGet, tcpSocket, grpc, exec); failureThreshold counting and the
worker holding after a liveness failure (§4.3.7–8); successThreshold for readiness; startup gating (liveness
and readiness never run before the startup probe succeeds) and a startup failure's kill; a liveness kill runs
preStop and uses the probe's terminationGracePeriodSeconds (§2.6); READY, RESTARTS, the Ready and
ContainersReady conditions and PodChanged (through `podctl get pods -w`); initialDelaySeconds; an exec probe
that hangs is killed at its timeout; probe errors never restart; kubectl's event wording and counts in
`podctl describe` and `podctl get events`; no probes after a pod's deletion.

Timings: periods of 1 s and waits of 20–40 s; the VM is small and shared. Counts that Kubernetes fixes
(three failures before a liveness kill) are asserted exactly; times only with wide margins.
"""

import itertools
import json
import os
import re
import time

import pytest

from test_podd import apply, container_status, delete, get_pod, podd, unit, wait_gone, wait_phase  # noqa: F401

SERVERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "servers")
RUN = "/run/probetest"
_ports = itertools.count(18100)

HANDLERS = ["httpGet", "tcpSocket", "grpc", "exec"]
KINDS = ["startup", "liveness", "readiness"]


# ---- pods, servers, records ----


def pod_dir(name):
    return f"{RUN}/{name}"


def server_cmd(handler, name, port, ignore_term=False):
    """The container's command for a pod probed by `handler`; every server records to DIR/rec and fails
    while DIR/fail exists."""
    d = pod_dir(name)
    if handler == "httpGet":
        cmd = ["python3", "-u", f"{SERVERS}/http_server.py", "--port", str(port), "--record", f"{d}/rec",
               "--fail-file", f"{d}/fail"]
        return cmd + (["--ignore-term"] if ignore_term else [])
    if handler == "tcpSocket":
        return ["python3", "-u", f"{SERVERS}/tcp_server.py", "--port", str(port), "--record", f"{d}/rec",
                "--close-file", f"{d}/fail"]
    if handler == "grpc":
        return ["python3", "-u", f"{SERVERS}/grpc_health_server.py", "--port", str(port), "--record",
                f"{d}/rec", "--fail-file", f"{d}/fail", "--service", "web"]
    return ["/bin/sh", "-c", "echo LISTENING; exec sleep infinity"]


def exec_probe_cmd(name):
    """An exec probe that records each attempt (as the servers do) and fails while DIR/fail exists."""
    d = pod_dir(name)
    return ["/bin/sh", "-c", f'echo "{{\\"t\\": $(date +%s.%N), \\"event\\": \\"exec\\"}}" >> {d}/rec; '
            f"test ! -e {d}/fail"]


def handler_spec(handler, name, port, path="/healthz"):
    if handler == "httpGet":
        return {"httpGet": {"path": path, "port": port, "httpHeaders": [{"name": "X-Probe", "value": name}]}}
    if handler == "tcpSocket":
        return {"tcpSocket": {"port": port}}
    if handler == "grpc":
        return {"grpc": {"port": port, "service": "web"}}
    return {"exec": {"command": exec_probe_cmd(name)}}


def probe(handler_or_spec, name=None, port=None, **fields):
    """A probe mapping: a handler (its name, or a ready spec) plus periodSeconds 1 and the given fields."""
    spec = dict(handler_or_spec) if isinstance(handler_or_spec, dict) else handler_spec(handler_or_spec, name, port)
    spec.setdefault("periodSeconds", 1)
    spec.update(fields)
    return spec


def probe_pod(name, command, *, grace=2, ports=None, pre_stop=None, restart="Always", **probes):
    """A one-container pod (container `web`); probes: liveness=…, readiness=…, startup=… probe mappings."""
    c = {"name": "web", "command": command}
    if ports:
        c["ports"] = ports
    for kind, p in probes.items():
        c[f"{kind}Probe"] = p
    if pre_stop:
        c["lifecycle"] = {"preStop": pre_stop}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"restartPolicy": restart, "terminationGracePeriodSeconds": grace, "containers": [c]}}
    return json.dumps(pod, indent=1) + "\n"


def prepare(sb, name, failing=False):
    d = pod_dir(name)
    sb.sh(f"rm -rf {d}; mkdir -p {d}" + (f"; touch {d}/fail" if failing else ""))


def set_failing(sb, name, failing):
    sb.sh(f"{'touch' if failing else 'rm -f'} {pod_dir(name)}/fail")


def records(sb, name):
    out = sb.run("cat", f"{pod_dir(name)}/rec", check=False).stdout
    recs = []
    for line in out.splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:  # a line being written
            pass
    return recs


def hits(sb, name):
    """The probe attempts the pod's server saw (or the exec probe ran), oldest first."""
    return [r for r in records(sb, name) if r.get("event") in (None, "accept", "exec")]


def starts(sb, name):
    return [r for r in records(sb, name) if r.get("event") == "start"]


def wait_listening(sb, name, timeout=30):
    sb.wait_until(lambda: "LISTENING" in sb.journal(f"POD_NAME={name}", "-o", "cat"), timeout=timeout,
                  what=f"{name} listening")


def cstatus(sb, name):
    return container_status(get_pod(sb, name), "web")


def conditions(sb, name):
    return {c["type"]: c["status"] for c in get_pod(sb, name)["status"].get("conditions", [])}


def restarts(sb, name):
    return cstatus(sb, name)["restartCount"]


def get_row(sb, name):
    """`podctl get pods NAME` as [NAME, READY, STATUS, RESTARTS, AGE…]."""
    out = sb.run("podctl", "get", "pods", name, "--no-headers", check=False).stdout.split()
    return out


def wait_ready(sb, name, want, timeout=30):
    sb.wait_until(lambda: cstatus(sb, name).get("ready") is want, timeout=timeout, what=f"{name} ready={want}")


def wait_restarts(sb, name, at_least=1, timeout=40):
    sb.wait_until(lambda: restarts(sb, name) >= at_least, timeout=timeout,
                  what=f"{name} restartCount >= {at_least}")


def events(sb, name):
    """podd's events of one pod (ListEvents), oldest first."""
    out = sb.run("busctl", "call", "--json=short", "io.podctl.pod1", "/io/podctl/pod1", "io.podctl.pod1.Manager",
                 "ListEvents", "ss", "default", name).stdout
    return json.loads(json.loads(out)["data"][0])["items"]


def find_events(sb, name, reason, prefix=""):
    return [e for e in events(sb, name) if e.get("reason") == reason and e.get("message", "").startswith(prefix)]


def wait_event(sb, name, reason, prefix="", timeout=30):
    return sb.wait_until(lambda: find_events(sb, name, reason, prefix), timeout=timeout,
                         what=f"{reason} event {prefix!r} of {name}")


def cleanup(sb, name):
    delete(sb, name, "--grace-period=1")
    wait_gone(sb, name)


@pytest.fixture(scope="module")
def grpcio(sandbox):
    r = sandbox.run("python3", "-c", "import grpc", check=False)
    if r.returncode != 0:
        pytest.skip("python3-grpcio is not installed (Debian package python3-grpcio): the grpc probe tests need "
                    "the gRPC health server in servers/grpc_health_server.py")


def need(handler, request):
    if handler == "grpc":
        request.getfixturevalue("grpcio")


# ---- each kind × each handler ----


@pytest.mark.parametrize("handler", HANDLERS)
@pytest.mark.parametrize("kind", KINDS)
def test_kind_handler(podd, request, kind, handler):
    need(handler, request)
    name = f"m-{kind[:4]}-{handler[:4].lower()}"
    port = next(_ports)
    prepare(podd, name, failing=(kind == "startup"))
    if kind == "startup":
        p = probe(handler, name, port, failureThreshold=60)
    elif kind == "liveness":
        # the delay keeps a slow server start (grpc's import) from counting as failures
        p = probe(handler, name, port, failureThreshold=2, initialDelaySeconds=3)
    else:
        p = probe(handler, name, port, failureThreshold=1)
    apply(podd, probe_pod(name, server_cmd(handler, name, port), **{kind: p}))
    wait_phase(podd, name, "Running")
    if kind != "startup":  # a closed TCP listener never says LISTENING
        wait_listening(podd, name)

    if kind == "startup":
        # Failing: the container runs but is neither started nor ready, and is not killed (threshold 60).
        if handler != "tcpSocket":  # a refused connect leaves no record
            podd.wait_until(lambda: len(hits(podd, name)) >= 2, timeout=20, what="two startup attempts")
        else:
            time.sleep(4)
        wait_event(podd, name, "Unhealthy", "Startup probe failed: ")
        st = cstatus(podd, name)
        assert (st["started"], st["ready"], st["restartCount"]) == (False, False, 0), st
        assert conditions(podd, name).get("Ready") == "False"
        set_failing(podd, name, False)
        podd.wait_until(lambda: cstatus(podd, name)["started"], timeout=20, what="started")
        wait_ready(podd, name, True)
        assert restarts(podd, name) == 0
        n = len(hits(podd, name))
        time.sleep(3)
        if handler != "tcpSocket":
            # Once started, the startup probe stops running (§4.3.6).
            assert len(hits(podd, name)) <= n + 1
    elif kind == "liveness":
        podd.wait_until(lambda: len(hits(podd, name)) >= 3, timeout=20, what="three liveness attempts")
        assert restarts(podd, name) == 0
        assert cstatus(podd, name)["ready"] is True  # no readiness probe: ready once started
        assert not find_events(podd, name, "Unhealthy")
        set_failing(podd, name, True)
        wait_restarts(podd, name)
        set_failing(podd, name, False)
        wait_event(podd, name, "Unhealthy", "Liveness probe failed: ")
        kill = wait_event(podd, name, "Killing", "Container web failed liveness probe, will be restarted")
        assert kill[0]["type"] == "Normal"
        assert all(e["type"] == "Warning" for e in find_events(podd, name, "Unhealthy"))
    else:
        wait_ready(podd, name, True)
        set_failing(podd, name, True)
        wait_ready(podd, name, False)
        wait_event(podd, name, "Unhealthy", "Readiness probe failed: ")
        set_failing(podd, name, False)
        wait_ready(podd, name, True)
        assert restarts(podd, name) == 0
        assert not find_events(podd, name, "Killing")

    if handler == "httpGet":
        h = [r for r in hits(podd, name) if r["path"] == "/healthz"]
        assert h
        for r in h:
            assert r["headers"]["User-Agent"].startswith("kube-probe/"), r
            assert r["headers"]["X-Probe"] == name, r
            assert r["headers"]["Accept"] == "*/*", r
    if handler == "grpc":
        assert {r["service"] for r in hits(podd, name)} == {"web"}
    cleanup(podd, name)


# ---- thresholds ----


def test_liveness_failure_threshold_and_events(podd):
    """failureThreshold 3 at 1 s: exactly three 500s reach the server before the kill (the worker then holds
    until the new container, §4.3.8); kubectl's wording in the events, counted, in describe and get events."""
    name, port = "live-count", next(_ports)
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port),
                          liveness=probe("httpGet", name, port, failureThreshold=3, initialDelaySeconds=2)))
    wait_phase(podd, name, "Running")
    podd.wait_until(lambda: len(hits(podd, name)) >= 2, timeout=20, what="two liveness attempts")
    first_pid = starts(podd, name)[0]["pid"]
    set_failing(podd, name, True)
    wait_restarts(podd, name)
    set_failing(podd, name, False)

    # restartCount may go up before the old instance has even had its SIGTERM: wait for the new one.
    podd.wait_until(lambda: [r for r in starts(podd, name) if r["pid"] != first_pid], timeout=20,
                    what="the next instance's start")
    recs = records(podd, name)
    failed = [r for r in recs if r.get("code") == 500 and r["pid"] == first_pid]
    assert len(failed) == 3, failed
    term = [r for r in recs if r.get("event") == "sigterm" and r["pid"] == first_pid]
    assert term, f"the first instance never got SIGTERM: {recs[-8:]}"
    # The kill comes with the third failure: 2 s after the first one, not before.
    assert 1.5 <= term[0]["t"] - failed[0]["t"] <= 8, (failed, term)
    assert failed[-1]["t"] <= term[0]["t"]

    msg = "Liveness probe failed: HTTP probe failed with statuscode: 500"
    unhealthy = find_events(podd, name, "Unhealthy", msg)
    assert unhealthy and unhealthy[0]["type"] == "Warning", events(podd, name)
    assert unhealthy[0]["count"] >= 3
    assert find_events(podd, name, "Killing", "Container web failed liveness probe, will be restarted")

    desc = podd.run("podctl", "describe", "pod", name).stdout
    lines = [l for l in desc.splitlines() if "Unhealthy" in l]
    assert lines and msg in lines[0], desc
    m = re.search(r"\(x(\d+) over [0-9hms]+\)", lines[0])
    assert m and int(m.group(1)) >= 3, lines[0]
    assert any("Killing" in l and "Container web failed liveness probe, will be restarted" in l
               for l in desc.splitlines()), desc

    table = podd.run("podctl", "get", "events").stdout.splitlines()
    mine = [l.split() for l in table if f"pod/{name}" in l]
    assert any(r[1:3] == ["Warning", "Unhealthy"] and msg in " ".join(r) for r in mine), table
    assert any(r[1:3] == ["Normal", "Killing"] for r in mine), table
    assert int(get_row(podd, name)[3]) >= 1
    cleanup(podd, name)


def test_readiness_success_threshold(podd):
    """successThreshold 2: Ready only after two successes in a row; failureThreshold 2: not ready after two
    failures; READY, the conditions and podctl get -w (PodChanged) follow both ways."""
    name, port = "ready-thr", next(_ports)
    prepare(podd, name, failing=True)
    watch = f"{pod_dir(name)}/watch"
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port),
                          readiness=probe("httpGet", name, port, successThreshold=2, failureThreshold=2)))
    podd.run("systemctl", "reset-failed", "probe-watch.service", check=False)
    podd.run("systemd-run", "--unit=probe-watch", "-p", f"StandardOutput=file:{watch}", "podctl", "get", "pods",
             name, "-w")
    try:
        wait_phase(podd, name, "Running")
        podd.wait_until(lambda: len(hits(podd, name)) >= 3, timeout=20, what="three failing readiness attempts")
        assert get_row(podd, name)[1] == "0/1"
        cond = conditions(podd, name)
        assert (cond.get("Ready"), cond.get("ContainersReady")) == ("False", "False"), cond

        t_ok = time.time()
        set_failing(podd, name, False)
        wait_ready(podd, name, True)
        ok_before = [r for r in hits(podd, name) if r["code"] == 200 and r["t"] >= t_ok]
        assert len(ok_before) >= 2, ok_before
        assert get_row(podd, name)[1] == "1/1"
        cond = conditions(podd, name)
        assert (cond.get("Ready"), cond.get("ContainersReady")) == ("True", "True"), cond

        t_fail = time.time()
        set_failing(podd, name, True)
        wait_ready(podd, name, False)
        bad = [r for r in hits(podd, name) if r["code"] == 500 and r["t"] >= t_fail]
        assert len(bad) >= 2, bad
        assert get_row(podd, name)[1] == "0/1"
        cond = conditions(podd, name)
        assert (cond.get("Ready"), cond.get("ContainersReady")) == ("False", "False"), cond
        assert restarts(podd, name) == 0

        # Every change was signalled: the watch printed 0/1, then 1/1, then 0/1 again.
        def seen():
            ready = [l.split()[1] for l in podd.run("cat", watch, check=False).stdout.splitlines()
                     if l.split()[:1] == [name]]
            collapsed = [r for i, r in enumerate(ready) if i == 0 or ready[i - 1] != r]
            return "0/1 1/1 0/1" in " ".join(collapsed)

        podd.wait_until(seen, timeout=10, what="get -w rows 0/1 → 1/1 → 0/1")
    finally:
        podd.run("systemctl", "stop", "probe-watch.service", check=False)
        podd.run("systemctl", "reset-failed", "probe-watch.service", check=False)
    cleanup(podd, name)


# ---- startup gating ----


def test_startup_gates_liveness_and_readiness(podd):
    """Until the startup probe succeeds, liveness (configured to fail at once) and readiness do not run at
    all; afterwards liveness runs, fails, and restarts the container."""
    name, port = "gate", next(_ports)
    prepare(podd, name, failing=True)  # /healthz answers 500 from the start
    d = pod_dir(name)
    startup = probe({"exec": {"command": ["/bin/sh", "-c", f"test -e {d}/started"]}}, failureThreshold=60)
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port), startup=startup,
                          liveness=probe("httpGet", name, port, failureThreshold=1),
                          readiness=probe({"httpGet": {"path": "/ready", "port": port}})))
    wait_phase(podd, name, "Running")
    wait_listening(podd, name)
    time.sleep(6)
    assert hits(podd, name) == [], "liveness or readiness ran before the startup probe succeeded"
    st = cstatus(podd, name)
    assert (st["started"], st["ready"], st["restartCount"]) == (False, False, 0), st
    assert not find_events(podd, name, "Unhealthy", "Liveness")

    t0 = time.time()
    podd.sh(f"touch {d}/started")
    podd.wait_until(lambda: cstatus(podd, name)["started"] or restarts(podd, name) > 0, timeout=20,
                    what="started")
    wait_restarts(podd, name)
    paths = {r["path"] for r in hits(podd, name)}
    assert "/healthz" in paths, paths
    assert min(r["t"] for r in hits(podd, name)) >= t0
    wait_event(podd, name, "Killing", "Container web failed liveness probe, will be restarted")
    cleanup(podd, name)


def test_startup_failure_kills(podd):
    name = "start-kill"
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("exec", name, 0),
                          startup=probe({"exec": {"command": ["/bin/false"]}}, failureThreshold=3)))
    wait_phase(podd, name, "Running")
    wait_restarts(podd, name)
    wait_event(podd, name, "Killing", "Container web failed startup probe, will be restarted")
    assert find_events(podd, name, "Unhealthy", "Startup probe failed")
    assert not cstatus(podd, name)["started"]
    cleanup(podd, name)


# ---- the liveness kill ----


def test_liveness_kill_runs_prestop(podd):
    name, port = "live-prestop", next(_ports)
    prepare(podd, name)
    d = pod_dir(name)
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port), grace=10,
                          pre_stop={"exec": {"command": ["/bin/sh", "-c", f"date +%s.%N >> {d}/prestop"]}},
                          liveness=probe("httpGet", name, port, failureThreshold=1, initialDelaySeconds=2)))
    wait_phase(podd, name, "Running")
    podd.wait_until(lambda: hits(podd, name), timeout=20, what="a liveness attempt")
    assert get_row(podd, name)[3] == "0"
    assert podd.run("test", "-e", f"{d}/prestop", check=False).returncode != 0
    set_failing(podd, name, True)
    wait_restarts(podd, name)
    set_failing(podd, name, False)
    # restartCount may go up before the old instance is stopped (seen): wait for the next instance.
    podd.wait_until(lambda: len(starts(podd, name)) >= 2, timeout=30, what="the next instance's start")
    prestop = podd.run("cat", f"{d}/prestop").stdout.split()
    assert len(prestop) >= 1
    # preStop ran before the server got its SIGTERM
    term = [r["t"] for r in records(podd, name) if r.get("event") == "sigterm"]
    assert term and float(prestop[0]) <= term[0], (prestop, term)
    podd.wait_until(lambda: get_row(podd, name)[3].split("(")[0] not in ("0", ""), timeout=10,
                    what="RESTARTS > 0 in get pods")
    cleanup(podd, name)


def test_liveness_probe_grace_is_used_for_the_kill(podd):
    """A server that ignores SIGTERM, pod grace 60 s, livenessProbe.terminationGracePeriodSeconds 2: the
    kill comes about 2 s after the SIGTERM (§2.6), not 60 s."""
    name, port = "live-grace", next(_ports)
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port, ignore_term=True), grace=60,
                          liveness=probe("httpGet", name, port, failureThreshold=1, initialDelaySeconds=2,
                                         terminationGracePeriodSeconds=2)))
    wait_phase(podd, name, "Running")
    podd.wait_until(lambda: hits(podd, name), timeout=20, what="a liveness attempt")
    u = unit("default", name, "web")
    pid = podd.run("systemctl", "show", "-P", "MainPID", u).stdout.strip()
    assert int(pid) > 0
    set_failing(podd, name, True)
    t_gone = float(podd.sh(f"while kill -0 {pid} 2>/dev/null; do sleep 0.05; done; date +%s.%N",
                           timeout=60).stdout.strip())
    set_failing(podd, name, False)
    term = [r["t"] for r in records(podd, name) if r.get("event") == "sigterm" and r["pid"] == int(pid)]
    assert term
    assert 1.5 <= t_gone - term[0] <= 6, t_gone - term[0]
    cleanup(podd, name)


# ---- timing: initialDelaySeconds, exec timeout ----


def test_initial_delay(podd):
    name, port = "delay", next(_ports)
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port),
                          readiness=probe("httpGet", name, port, initialDelaySeconds=6)))
    wait_phase(podd, name, "Running")
    podd.wait_until(lambda: hits(podd, name), timeout=30, what="the first readiness attempt")
    started = starts(podd, name)[0]["t"]
    first = hits(podd, name)[0]["t"]
    # The server starts a little after the container (python's start-up); the delay counts from the latter.
    assert first - started >= 5.0, first - started
    assert first - started <= 15, first - started
    wait_ready(podd, name, True)
    cleanup(podd, name)


def test_exec_probe_timeout_kills_the_command(podd):
    """An exec probe that hangs (`sleep 101`, timeoutSeconds 1) fails with kubelet's message and its
    process is killed at the timeout: never more than one alive, none older than a few seconds."""
    name = "exec-hang"
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("exec", name, 0),
                          liveness=probe({"exec": {"command": ["sleep", "101"]}}, timeoutSeconds=1,
                                         periodSeconds=2, failureThreshold=100)))
    wait_phase(podd, name, "Running")
    seen = {}
    deadline = time.time() + 12
    max_alive = 0
    while time.time() < deadline:
        pids = podd.run("pgrep", "-x", "-f", "sleep 101", check=False).stdout.split()
        now = time.time()
        max_alive = max(max_alive, len(pids))
        for p in pids:
            seen.setdefault(p, now)
            assert now - seen[p] < 4, f"probe process {p} alive for {now - seen[p]:.1f} s"
        time.sleep(0.2)
    assert len(seen) >= 3, seen
    assert max_alive <= 1, max_alive
    ev = wait_event(podd, name, "Unhealthy", "Liveness probe failed: ")
    assert ev[0]["message"] == 'Liveness probe failed: command "sleep 101" timed out', ev[0]["message"]
    assert restarts(podd, name) == 0
    cleanup(podd, name)
    time.sleep(1)
    assert podd.run("pgrep", "-x", "-f", "sleep 101", check=False).stdout.strip() == ""


# ---- errors, grpc service, deletion ----


def test_probe_error_never_restarts(podd):
    """A liveness httpGet on a port name the container does not declare cannot be attempted: an error, which
    counts neither way (§4.2): no restart, no Killing, a Warning `Liveness probe errored…`."""
    name, port = "perr", next(_ports)
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port), ports=[{"name": "web", "containerPort": port}],
                          liveness=probe({"httpGet": {"path": "/healthz", "port": "nosuch"}}, failureThreshold=1)))
    wait_phase(podd, name, "Running")
    wait_event(podd, name, "Unhealthy", "Liveness probe errored")
    time.sleep(6)
    assert restarts(podd, name) == 0
    assert not find_events(podd, name, "Killing")
    assert hits(podd, name) == []
    cleanup(podd, name)


def test_grpc_unknown_service_never_ready(podd, grpcio):
    name, port = "grpc-unknown", next(_ports)
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("grpc", name, port),
                          readiness=probe({"grpc": {"port": port, "service": "nosuch"}})))
    wait_phase(podd, name, "Running")
    podd.wait_until(lambda: len(hits(podd, name)) >= 2, timeout=20, what="two grpc readiness attempts")
    assert {r["status"] for r in hits(podd, name)} == {"SERVICE_UNKNOWN"}
    wait_event(podd, name, "Unhealthy", "Readiness probe failed: ")
    assert cstatus(podd, name)["ready"] is False
    cleanup(podd, name)


def test_no_probes_after_delete(podd):
    """Readiness runs while the pod terminates (§4.3.4), but nothing once it is gone."""
    name = "probe-del"
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("exec", name, 0),
                          readiness=probe({"exec": {"command": exec_probe_cmd(name)}}),
                          liveness=probe({"exec": {"command": exec_probe_cmd(name)}}, failureThreshold=100)))
    set_failing(podd, name, True)
    wait_phase(podd, name, "Running")
    podd.wait_until(lambda: len(hits(podd, name)) >= 2, timeout=20, what="probe attempts")
    delete(podd, name, "--grace-period=1")
    wait_gone(podd, name)
    n_hits = len(hits(podd, name))
    n_events = len(podd.journal("POD_NAME=" + name, "REASON=Unhealthy", "-o", "cat").splitlines())
    time.sleep(4)
    assert len(hits(podd, name)) == n_hits
    assert len(podd.journal("POD_NAME=" + name, "REASON=Unhealthy", "-o", "cat").splitlines()) == n_events


# ---- HTTP status codes, describe, termination ----


def test_http_status_codes(podd):
    """200–399 is success (a final 3xx with a ProbeWarning event), 400 and above failure (§4.2)."""
    port = next(_ports)
    name_srv = "codes"
    prepare(podd, name_srv)
    cases = {200: True, 399: True, 400: False, 503: False}
    docs = []
    for code, _ in cases.items():
        name = f"code-{code}"
        prepare(podd, name)
        # the first pod serves; the others only probe it (pods share the host's network)
        cmd = server_cmd("httpGet", name_srv, port) if code == 200 else ["/bin/sleep", "infinity"]
        docs.append(probe_pod(name, cmd, readiness=probe({"httpGet": {"path": f"/status/{code}", "port": port}})))
    for d in docs:
        apply(podd, d)
    for code, ok in cases.items():
        wait_phase(podd, f"code-{code}", "Running")
    podd.wait_until(lambda: {int(r["path"].split("/")[-1]) for r in hits(podd, name_srv)} >= set(cases), timeout=30,
                    what="every code probed")
    time.sleep(3)
    for code, ok in cases.items():
        name = f"code-{code}"
        assert cstatus(podd, name)["ready"] is ok, (code, cstatus(podd, name))
        if not ok:
            assert find_events(podd, name, "Unhealthy",
                               f"Readiness probe failed: HTTP probe failed with statuscode: {code}"), events(podd, name)
    assert find_events(podd, "code-399", "ProbeWarning", "Readiness probe warning: "), events(podd, "code-399")
    assert not find_events(podd, "code-200", "ProbeWarning")
    for code in cases:
        delete(podd, f"code-{code}", "--grace-period=1")
    for code in cases:
        wait_gone(podd, f"code-{code}")


def test_describe_shows_probe_lines(podd):
    """kubectl's lines (describe.go describeProbe): http-get URL, tcp-socket HOST:PORT, exec [argv],
    grpc <pod>:PORT SERVICE, each with delay/timeout/period/#success/#failure."""
    name = "desc-probes"
    prepare(podd, name)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {
        "terminationGracePeriodSeconds": 1, "containers": [
            {"name": "web", "command": ["/bin/sleep", "infinity"],
             "livenessProbe": {"httpGet": {"path": "/healthz", "port": 18398}, "initialDelaySeconds": 300},
             "readinessProbe": {"tcpSocket": {"port": 18398}, "periodSeconds": 5, "timeoutSeconds": 2,
                                "successThreshold": 2, "failureThreshold": 4},
             "startupProbe": {"exec": {"command": ["/bin/true", "x"]}, "failureThreshold": 30}},
            {"name": "side", "command": ["/bin/sleep", "infinity"],
             "livenessProbe": {"grpc": {"port": 18399, "service": "web"}, "initialDelaySeconds": 300}}]}}
    apply(podd, json.dumps(pod))
    wait_phase(podd, name, "Running")
    desc = podd.run("podctl", "describe", "pod", name).stdout
    for want in (
        r"Liveness:\s+http-get http://:18398/healthz delay=300s timeout=1s period=10s #success=1 #failure=3\n",
        r"Readiness:\s+tcp-socket :18398 delay=0s timeout=2s period=5s #success=2 #failure=4\n",
        r"Startup:\s+exec \[/bin/true x\] delay=0s timeout=1s period=10s #success=1 #failure=30\n",
        r"Liveness:\s+grpc <pod>:18399 web delay=300s timeout=1s period=10s #success=1 #failure=3\n",
    ):
        assert re.search(want, desc), (want, desc)
    cleanup(podd, name)


def test_during_termination_readiness_runs_and_liveness_stops(podd):
    """§4.3.4: once the pod has a deletionTimestamp, liveness stops and readiness goes on until the
    container is gone. The server ignores SIGTERM, so it lives through the 8 s grace."""
    name, port = "term-probes", next(_ports)
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port, ignore_term=True), grace=8,
                          liveness=probe("httpGet", name, port, failureThreshold=100),
                          readiness=probe({"httpGet": {"path": "/ready", "port": port}})))
    wait_phase(podd, name, "Running")
    wait_ready(podd, name, True)
    t_del = time.time()
    delete(podd, name, "--wait=false")
    wait_gone(podd, name)
    recs = records(podd, name)
    term = [r["t"] for r in recs if r.get("event") == "sigterm"]
    assert term, recs[-5:]
    live_after = [r for r in hits(podd, name) if r["path"] == "/healthz" and r["t"] > t_del + 0.5]
    ready_after = [r for r in hits(podd, name) if r["path"] == "/ready" and r["t"] > term[0] + 0.5]
    assert not live_after, live_after
    seen = [(r.get("event") or r["path"], round(r["t"] - t_del, 2)) for r in recs]
    assert len(ready_after) >= 3, f"after the deletion (s since it): {seen}"


def test_new_instance_starts_unready(podd):
    """§4.3.2: a new container instance starts from the initial result (readiness failure); nothing of the
    old instance's success carries over. initialDelaySeconds 4 leaves a window to see it."""
    name, port = "new-inst", next(_ports)
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("httpGet", name, port),
                          readiness=probe("httpGet", name, port, initialDelaySeconds=4)))
    wait_phase(podd, name, "Running")
    wait_ready(podd, name, True)
    podd.run("systemctl", "kill", "--kill-whom=main", "--signal=SIGKILL", unit("default", name, "web"))
    wait_restarts(podd, name)
    st = cstatus(podd, name)
    assert st["ready"] is False, st
    assert get_row(podd, name)[1] == "0/1"
    wait_ready(podd, name, True)
    cleanup(podd, name)


def test_probe_output_kept_to_10_kib(podd):
    name = "big-output"
    prepare(podd, name)
    apply(podd, probe_pod(name, server_cmd("exec", name, 0), readiness=probe(
        {"exec": {"command": ["/bin/sh", "-c", "head -c 50000 /dev/zero | tr '\\0' x; exit 1"]}})))
    wait_phase(podd, name, "Running")
    ev = wait_event(podd, name, "Unhealthy", "Readiness probe failed: xxx")
    msg = ev[0]["message"]
    body = msg[len("Readiness probe failed: "):]
    assert 1024 <= len(body) <= 10 * 1024, len(body)
    assert set(body.strip()) == {"x"}
    cleanup(podd, name)
