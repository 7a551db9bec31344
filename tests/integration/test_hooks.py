# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lifecycle hooks and graceful termination against a real systemd (issue 4): the scenarios of Kubernetes'
e2e lifecycle-hook suite (postStart/preStop exec and httpGet over HTTP and HTTPS, against an HTTP server in a
pod that records every request), preStop sleep against the grace period, and the exact budget of
k8s-semantics.md §2.4 measured from outside: the moment the container's main process disappears, for
`podctl delete`, and for `systemctl stop` of a container unit with podd running and with podd stopped. Also
hooks on sidecars and their reverse stop order (§2.5), host shutdown (poweroff, then the previous boot's
journal) with and without podd, `--force --grace-period=0`, and a delete grace longer than the spec's.

Timing assertions use generous margins (the sandbox's VM is noisy), but tight enough to tell Kubernetes'
one budget from systemd's double TimeoutStopSec= (grace 3 s + preStop 2 s: 5.1 s)."""

import json
import shlex
import time

import pytest

from test_podd import apply, container_status, delete, get_pod, podd, unit, wait_gone, wait_phase  # noqa: F401

SERVER = r"""
import http.server, ssl, sys

class H(http.server.BaseHTTPRequestHandler):
    # Answer a TLS ClientHello (garbage to HTTP) with a status line, as Go's and nginx's servers do; with the
    # default HTTP/0.9 it would be a bare HTML body, which is not "an HTTP response" to the kubelet either.
    default_request_version = "HTTP/1.0"

    def do_GET(self):
        print("REQUEST", self.path, self.headers.get("User-Agent"), self.headers.get("Authorization") or "-",
              flush=True)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass

s = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
if len(sys.argv) > 2:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
print("LISTENING", flush=True)
s.serve_forever()
"""

HOOKDIR = "/var/lib/hooktest"


def hook_pod(name, cmd, *, grace=None, restart="Always", post_start=None, pre_stop=None, extra=""):
    """One container running `sh -c cmd`; post_start/pre_stop are YAML flow mappings of a handler."""
    lines = ["apiVersion: v1", "kind: Pod", "metadata:", f"  name: {name}", "spec:", f"  restartPolicy: {restart}"]
    if grace is not None:
        lines.append(f"  terminationGracePeriodSeconds: {grace}")
    lines += ["  containers:", "  - name: c", f"    command: [/bin/sh, -c, {json.dumps(cmd)}]"]
    if post_start or pre_stop:
        lines.append("    lifecycle:")
        if post_start:
            lines.append(f"      postStart: {post_start}")
        if pre_stop:
            lines.append(f"      preStop: {pre_stop}")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


def hook_pod_sidecar(name, *, grace=None, post_start=None, pre_stop=None):
    """The hooks on a sidecar: init container c (restartPolicy: Always, `exec sleep 600`), then an app."""
    lines = ["apiVersion: v1", "kind: Pod", "metadata:", f"  name: {name}", "spec:"]
    if grace is not None:
        lines.append(f"  terminationGracePeriodSeconds: {grace}")
    lines += ["  initContainers:", "  - name: c", "    restartPolicy: Always", "    command: [sleep, '600']",
              "    lifecycle:"]
    if post_start:
        lines.append(f"      postStart: {post_start}")
    if pre_stop:
        lines.append(f"      preStop: {pre_stop}")
    lines += ["  containers:", "  - name: app", "    command: [sleep, '600']"]
    return "\n".join(lines) + "\n"


def hook_records(sb, pod, hook, field=None):
    """The structured journal records pod-hook wrote for one pod's hook, oldest first."""
    out = sb.journal(f"POD_NAME={pod}", f"HOOK={hook}", "SYSLOG_IDENTIFIER=pod-hook", "-o", "json")
    recs = [json.loads(l) for l in out.splitlines() if l.strip()]
    return [r for r in recs if field is None or field in r]


def hook_result(sb, pod, hook):
    recs = hook_records(sb, pod, hook, "RESULT")
    return recs[-1] if recs else None


def wait_hook_result(sb, pod, hook, timeout=30):
    return sb.wait_until(lambda: hook_result(sb, pod, hook), timeout=timeout, what=f"{hook} record of {pod}")


def journal_json(sb, *match):
    out = sb.journal(*match, "-o", "json")
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def timed_stop(sb, name, how, *args):
    """Stops pod `name`'s container c (`how`: "delete" with podctl args, or "systemctl") and returns the
    seconds from the request to the disappearance of its main process, measured inside the sandbox."""
    u = shlex.quote(unit("default", name, "c"))
    req = f"podctl delete pod {name} {' '.join(args)} >/dev/null" if how == "delete" else f"systemctl stop --no-block {u}"
    out = sb.sh(
        f"""
        pid=$(systemctl show -P MainPID {u})
        [ "$pid" -gt 0 ]
        t0=$(date +%s.%N)
        {req}
        while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
        t1=$(date +%s.%N)
        echo "$t0 $t1"
        """,
        timeout=60,
    ).stdout.split()
    return float(out[1]) - float(out[0])


@pytest.fixture(scope="module")
def server(sandbox):
    """The request recorder's script and a self-signed certificate made now with openssl."""
    sandbox.sh(f"mkdir -p {HOOKDIR}")
    sandbox.run("tee", f"{HOOKDIR}/srv.py", input=SERVER)
    sandbox.sh(
        f"openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        f"-keyout {HOOKDIR}/key.pem -out {HOOKDIR}/cert.pem 2>/dev/null"
    )
    return HOOKDIR


def start_server(sb, name, port, https):
    args = f"{port} {HOOKDIR}/cert.pem {HOOKDIR}/key.pem" if https else f"{port}"
    apply(sb, hook_pod(name, f"exec python3 -u {HOOKDIR}/srv.py {args}", grace=1))
    wait_phase(sb, name, "Running")
    sb.wait_until(lambda: "LISTENING" in sb.journal(f"POD_NAME={name}", "-o", "cat"), what=f"{name} listening")


def requests_seen(sb, server_pod):
    return [l for l in sb.journal(f"POD_NAME={server_pod}", "-o", "cat").splitlines() if l.startswith("REQUEST")]


# ---- the e2e lifecycle-hook scenarios ----


def test_poststart_exec_recorded_before_running(podd):
    apply(podd, hook_pod("ps-exec", "exec sleep 600",
                         post_start="{exec: {command: [/bin/sh, -c, 'echo poststart-output; sleep 1']}}"))
    wait_phase(podd, "ps-exec", "Running")
    # Running only after postStart completed: its output and result are already in the journal.
    lines = [r["MESSAGE"] for r in hook_records(podd, "ps-exec", "postStart")]
    assert "poststart-output" in lines
    res = hook_result(podd, "ps-exec", "postStart")
    assert res["RESULT"] == "success" and res["HANDLER"] == "exec" and res["CONTAINER_NAME"] == "c"
    assert int(res["DURATION_USEC"]) >= 1_000_000
    delete(podd, "ps-exec", "--grace-period=1")
    wait_gone(podd, "ps-exec")


def test_prestop_exec_runs_before_the_stop_signal(podd):
    apply(podd, hook_pod("pre-exec", "trap 'echo got-sigterm; exit 0' TERM; while :; do sleep 0.1; done",
                         grace=15, pre_stop="{exec: {command: [/bin/sh, -c, 'echo prestop-output']}}"))
    wait_phase(podd, "pre-exec", "Running")
    delete(podd, "pre-exec")
    wait_gone(podd, "pre-exec")
    res = wait_hook_result(podd, "pre-exec", "preStop")
    assert res["RESULT"] == "success"
    recs = journal_json(podd, "POD_NAME=pre-exec")
    msgs = [r["MESSAGE"] for r in recs if isinstance(r.get("MESSAGE"), str)]
    assert "prestop-output" in msgs and "got-sigterm" in msgs
    t = {r["MESSAGE"]: int(r["__REALTIME_TIMESTAMP"]) for r in recs if r.get("MESSAGE") in ("prestop-output", "got-sigterm")}
    assert t["prestop-output"] < t["got-sigterm"]


@pytest.mark.parametrize("role", ["container", "sidecar"])
@pytest.mark.parametrize("hook", ["postStart", "preStop"])
@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_http_hooks(podd, server, hook, https, role):
    port = 18080 + (1 if https else 0) + (2 if hook == "preStop" else 0) + (4 if role == "sidecar" else 0)
    srv = f"srv-{hook.lower()}-{'https' if https else 'http'}-{role}"
    start_server(podd, srv, port, https)
    scheme = "HTTPS" if https else "HTTP"
    handler = f"{{httpGet: {{port: {port}, scheme: {scheme}, path: '/echo?msg={hook.lower()}'}}}}"
    name = f"http-{hook.lower()}-{'https' if https else 'http'}-{role}"
    kw = {"post_start": handler} if hook == "postStart" else {"pre_stop": handler}
    if role == "sidecar":
        apply(podd, hook_pod_sidecar(name, grace=15, **kw))
    else:
        apply(podd, hook_pod(name, "exec sleep 600", grace=15, **kw))
    wait_phase(podd, name, "Running")
    if hook == "preStop":
        assert not requests_seen(podd, srv)
        delete(podd, name)
        wait_gone(podd, name)
    podd.wait_until(lambda: requests_seen(podd, srv), timeout=20, what="the hook's request")
    req = requests_seen(podd, srv)
    assert req[0].split()[1] == f"/echo?msg={hook.lower()}"
    assert req[0].split()[2].startswith("kube-lifecycle/")
    res = wait_hook_result(podd, name, hook)
    assert res["RESULT"] == "success" and res["CONTAINER_NAME"] == "c", res
    for n in (name, srv):
        delete(podd, n, "--grace-period=1")
        wait_gone(podd, n)


@pytest.mark.parametrize("hook", ["postStart", "preStop"])
def test_https_hook_answered_in_http_falls_back(podd, server, hook):
    """§1.2: an HTTPS hook whose TLS handshake is answered in plain HTTP is retried over http, without its
    Authorization header, and the success is a Warning event LifecycleHTTPFallback on the pod."""
    port = 18090 + (1 if hook == "preStop" else 0)
    srv = f"srv-fallback-{hook.lower()}"
    start_server(podd, srv, port, False)
    handler = (f"{{httpGet: {{port: {port}, scheme: HTTPS, path: /fallback, "
               f"httpHeaders: [{{name: Authorization, value: Bearer-secret}}, {{name: X-Kept, value: kept}}]}}}}")
    name = f"fallback-{hook.lower()}"
    kw = {"post_start": handler} if hook == "postStart" else {"pre_stop": handler}
    apply(podd, hook_pod(name, "exec sleep 600", grace=15, **kw))
    wait_phase(podd, name, "Running")
    if hook == "preStop":
        delete(podd, name)
        wait_gone(podd, name)
    podd.wait_until(lambda: [r for r in requests_seen(podd, srv) if "/fallback" in r], timeout=20,
                    what="the retried request")
    req = [r.split() for r in requests_seen(podd, srv) if "/fallback" in r]
    assert len(req) == 1 and req[0][3] == "-", req  # one plain request, its Authorization header dropped
    assert wait_hook_result(podd, name, hook)["RESULT"] == "success"
    msg = f"request to HTTPS lifecycle hook 127.0.0.1:{port} got HTTP response, retry with HTTP succeeded"
    podd.wait_until(lambda: msg in podd.run("podctl", "get", "events").stdout, timeout=20, what="the fallback event")
    line = [l.split(None, 4) for l in podd.run("podctl", "get", "events").stdout.splitlines()
            if "LifecycleHTTPFallback" in l and f"pod/{name} " in l]
    assert len(line) == 1 and line[0][1:] == ["Warning", "LifecycleHTTPFallback", f"pod/{name}", msg], line
    if hook == "postStart":
        assert "LifecycleHTTPFallback" in podd.run("podctl", "describe", "pod", name).stdout
        delete(podd, name, "--grace-period=1")
        wait_gone(podd, name)
    delete(podd, srv, "--grace-period=1")
    wait_gone(podd, srv)


# ---- preStop sleep and the grace period (Lifecycle Sleep Hook) ----


def test_prestop_sleep_within_grace(podd):
    apply(podd, hook_pod("sleep-ok", "trap 'exit 0' TERM; while :; do sleep 0.1; done", grace=10,
                         pre_stop="{sleep: {seconds: 2}}"))
    wait_phase(podd, "sleep-ok", "Running")
    t = timed_stop(podd, "sleep-ok", "delete")
    assert 1.9 < t < 3.5, t
    wait_gone(podd, "sleep-ok")


def test_delete_grace_shorter_than_sleep_wins(podd):
    apply(podd, hook_pod("sleep-cut", "trap 'exit 0' TERM; while :; do sleep 0.1; done", grace=30,
                         pre_stop="{sleep: {seconds: 10}}"))
    wait_phase(podd, "sleep-cut", "Running")
    t = timed_stop(podd, "sleep-cut", "delete", "--grace-period=3")
    assert 2.9 < t < 4.5, t  # abandoned at 3 s, then SIGTERM ends it at once
    wait_gone(podd, "sleep-cut")
    assert hook_result(podd, "sleep-cut", "preStop")["RESULT"] == "abandoned"


def test_self_exited_container_skips_prestop(podd):
    apply(podd, hook_pod("self-exit", "sleep 1", restart="Never", grace=30, pre_stop="{sleep: {seconds: 10}}"))
    wait_phase(podd, "self-exit", "Succeeded", timeout=30)
    t0 = time.monotonic()
    delete(podd, "self-exit")
    wait_gone(podd, "self-exit")
    assert time.monotonic() - t0 < 5
    res = hook_result(podd, "self-exit", "preStop")
    assert res is None or res["RESULT"] == "skipped"


def test_prestop_sleep_zero(podd):
    apply(podd, hook_pod("sleep-zero", "trap 'exit 0' TERM; while :; do sleep 0.1; done",
                         pre_stop="{sleep: {seconds: 0}}"))
    wait_phase(podd, "sleep-zero", "Running")
    t = timed_stop(podd, "sleep-zero", "delete")
    assert t < 2, t
    wait_gone(podd, "sleep-zero")
    assert hook_result(podd, "sleep-zero", "preStop")["RESULT"] == "success"


# ---- failure paths ----


def test_prestop_failure_still_terminates(podd):
    apply(podd, hook_pod("pre-fail", "trap 'exit 0' TERM; while :; do sleep 0.1; done", grace=10,
                         pre_stop="{exec: {command: [/bin/sh, -c, 'echo failing; exit 1']}}"))
    wait_phase(podd, "pre-fail", "Running")
    t = timed_stop(podd, "pre-fail", "delete")
    assert t < 2, t
    wait_gone(podd, "pre-fail")
    res = hook_result(podd, "pre-fail", "preStop")
    assert res["RESULT"] == "failure" and res["REASON"] == "FailedPreStopHook"
    assert res["MESSAGE"] == "PreStopHook failed"


def test_poststart_failure_runs_prestop_and_restarts(podd):
    apply(podd, hook_pod(
        "post-fail", "exec sleep 600", grace=5,
        post_start="{exec: {command: [/bin/sh, -c, 'echo poststart-failing; exit 1']}}",
        pre_stop="{exec: {command: [/bin/sh, -c, 'echo prestop-after-poststart']}}"))
    podd.wait_until(lambda: hook_result(podd, "post-fail", "preStop"), timeout=30, what="preStop after postStart")
    post = [r for r in hook_records(podd, "post-fail", "postStart", "RESULT")]
    assert post[0]["RESULT"] == "failure" and post[0]["REASON"] == "FailedPostStartHook"
    assert post[0]["MESSAGE"] == "PostStartHook failed"
    pre = hook_records(podd, "post-fail", "preStop")
    assert "prestop-after-poststart" in [r["MESSAGE"] for r in pre]
    # preStop ran before the container was killed, and systemd restarts it (Restart=always)
    podd.wait_until(lambda: int(podd.run("systemctl", "show", "-P", "NRestarts",
                                         unit("default", "post-fail", "c")).stdout.strip() or 0) > 0,
                    timeout=40, what="a restart after the failed postStart")
    delete(podd, "post-fail", "--grace-period=1")
    wait_gone(podd, "post-fail")


# ---- the one budget (k8s-semantics.md §2.4), measured ----

IGNORE_TERM = "trap '' TERM; exec sleep 600"


@pytest.mark.parametrize(
    "name,grace,pre_stop,args,low,high",
    [
        # preStop 1 s: budget 3 - 1 = 2 → SIGKILL at 3 s (systemd alone: 4 s and more)
        ("budget-1", 3, "{sleep: {seconds: 1}}", (), 2.8, 3.6),
        # preStop 2 s: budget 3 - 2 = 1 → the 2 s floor → SIGKILL at 4 s (systemd alone: 5.1 s)
        ("budget-2", 3, "{sleep: {seconds: 2}}", (), 3.8, 4.6),
        # preStop 10 s (exec: validation caps a sleep handler at the grace): abandoned at 3 s, + the one-time
        # 2 s → 5 s (systemd alone: 6 s)
        ("budget-10", 3, "{exec: {command: [sleep, '10']}}", (), 4.8, 5.6),
        # --grace-period=1 without preStop: the 2 s floor
        ("budget-floor", 30, None, ("--grace-period=1",), 1.8, 2.6),
    ],
)
def test_budget_on_delete(podd, name, grace, pre_stop, args, low, high):
    apply(podd, hook_pod(name, IGNORE_TERM, grace=grace, pre_stop=pre_stop))
    wait_phase(podd, name, "Running")
    t = timed_stop(podd, name, "delete", *args)
    assert low < t < high, t
    wait_gone(podd, name)


@pytest.mark.parametrize("podd_running", [True, False], ids=["podd-running", "podd-stopped"])
def test_budget_on_systemctl_stop(podd, podd_running):
    name = "stop-" + ("up" if podd_running else "down")
    apply(podd, hook_pod(name, IGNORE_TERM, grace=3,
                         pre_stop="{exec: {command: [/bin/sh, -c, 'echo prestop-by-systemctl; sleep 1']}}"))
    wait_phase(podd, name, "Running")
    if not podd_running:
        podd.run("systemctl", "stop", "podd.service")
    t = timed_stop(podd, name, "systemctl")
    assert 2.8 < t < 3.6, t  # preStop 1 s, then budget 2 s
    pre = hook_records(podd, name, "preStop")
    assert "prestop-by-systemctl" in [r["MESSAGE"] for r in pre]
    assert hook_result(podd, name, "preStop")["RESULT"] == "success"
    if not podd_running:
        podd.run("systemctl", "start", "podd.service")
        podd.wait_until(lambda: podd.run("podctl", "get", "pods", check=False).returncode == 0, what="podd back")
    delete(podd, name, "--grace-period=1")
    wait_gone(podd, name)


# ---- hooks on sidecars and the termination order (k8s-semantics.md §2.5) ----


def sidecar_hook_pod(name, log, *, grace):
    """Two sidecars (side1, side2, in that order) and one app container, each with a postStart and a preStop
    exec hook; every hook and every SIGTERM trap appends "<epoch seconds> <what>" to the shared file `log`."""
    def entry(cname, sidecar):
        rec = lambda what: f'echo "$(date +%s.%N) {cname}-{what}" >> {log}'
        cmd = f"{rec('start')}; trap '{rec('term')}; exit 0' TERM; while :; do sleep 0.1; done"
        lines = [f"  - name: {cname}", f"    command: [/bin/sh, -c, {json.dumps(cmd)}]"]
        if sidecar:
            lines.append("    restartPolicy: Always")
        lines += [
            "    lifecycle:",
            f"      postStart: {{exec: {{command: [/bin/sh, -c, {json.dumps(rec('poststart') + f'; echo {cname}-poststart-output')}]}}}}",
            f"      preStop: {{exec: {{command: [/bin/sh, -c, {json.dumps(rec('prestop') + f'; echo {cname}-prestop-output')}]}}}}",
        ]
        return lines

    lines = ["apiVersion: v1", "kind: Pod", "metadata:", f"  name: {name}", "spec:",
             f"  terminationGracePeriodSeconds: {grace}", "  initContainers:"]
    lines += entry("side1", True) + entry("side2", True)
    lines += ["  containers:"] + entry("app", False)
    return "\n".join(lines) + "\n"


def read_records(sb, log):
    """{what: epoch seconds} of the first record of each kind in `log`."""
    out = {}
    for line in sb.run("cat", log, check=False).stdout.splitlines():
        t, _, what = line.partition(" ")
        out.setdefault(what, float(t))
    return out


def test_sidecar_hooks_and_reverse_stop_order(podd):
    log = "/run/sidecar-hooks.log"
    podd.run("rm", "-f", log)
    apply(podd, sidecar_hook_pod("sc-hooks", log, grace=20))
    wait_phase(podd, "sc-hooks", "Running", timeout=60)
    # postStart ran on both sidecars (and the app) and reported success in the journal
    for c in ("side1", "side2", "app"):
        recs = [r for r in hook_records(podd, "sc-hooks", "postStart") if r.get("CONTAINER_NAME") == c]
        assert f"{c}-poststart-output" in [r["MESSAGE"] for r in recs], (c, recs)
        assert [r["RESULT"] for r in recs if "RESULT" in r] == ["success"], (c, recs)
    rec = read_records(podd, log)
    # sidecars start in declaration order, each one's postStart done before the next container starts
    assert rec["side1-start"] < rec["side1-poststart"] < rec["side2-start"] < rec["side2-poststart"] < rec["app-start"], rec

    delete(podd, "sc-hooks")
    wait_gone(podd, "sc-hooks", timeout=60)
    for c in ("side1", "side2", "app"):
        recs = [r for r in hook_records(podd, "sc-hooks", "preStop") if r.get("CONTAINER_NAME") == c]
        assert f"{c}-prestop-output" in [r["MESSAGE"] for r in recs], (c, recs)
        assert [r["RESULT"] for r in recs if "RESULT" in r] == ["success"], (c, recs)
    rec = read_records(podd, log)
    for c in ("side1", "side2", "app"):
        assert rec[f"{c}-prestop"] < rec[f"{c}-term"], (c, rec)  # preStop before that container's SIGTERM
    # the app first, then the sidecars in reverse declaration order
    assert rec["app-term"] < rec["side2-term"] < rec["side1-term"], rec
    # nobody waited out a budget: the containers exit on SIGTERM at once
    assert rec["side1-term"] - rec["app-prestop"] < 10, rec


# ---- host shutdown (systemctl poweroff) runs preStop and the grace, with and without podd ----


@pytest.mark.parametrize("podd_running", [True, False], ids=["podd-running", "podd-stopped"])
def test_host_shutdown_runs_prestop_then_sigterm(make_sandbox, podd_running):
    sb = make_sandbox()
    sb.install()
    sb.run("systemctl", "start", "podd.service")
    sb.wait_until(lambda: sb.run("podctl", "get", "pods", check=False).returncode == 0, what="podd answering")
    name = "shutdown-" + ("up" if podd_running else "down")
    # The container ignores nothing: a SIGTERM it gets is echoed to the journal (/run does not survive).
    apply(sb, hook_pod(name, "trap 'echo got-sigterm; exit 0' TERM; while :; do sleep 0.1; done", grace=5,
                       pre_stop="{exec: {command: [/bin/sh, -c, 'echo prestop-at-shutdown; sleep 2; echo prestop-done']}}"))
    wait_phase(sb, name, "Running")
    if not podd_running:
        sb.run("systemctl", "stop", "podd.service")
    sb.reboot()
    recs = journal_json(sb, "-b", "-1", f"POD_NAME={name}")
    msgs = {r["MESSAGE"]: int(r["__REALTIME_TIMESTAMP"]) for r in recs if isinstance(r.get("MESSAGE"), str)}
    assert "prestop-at-shutdown" in msgs and "prestop-done" in msgs, sorted(msgs)
    assert "got-sigterm" in msgs, sorted(msgs)
    # preStop ran to its end (2 s, within the grace of 5) before the container's SIGTERM
    assert msgs["prestop-at-shutdown"] < msgs["prestop-done"] < msgs["got-sigterm"], msgs
    assert msgs["prestop-done"] - msgs["prestop-at-shutdown"] >= 1_900_000, msgs
    res = [r for r in recs if r.get("HOOK") == "preStop" and "RESULT" in r]
    assert res and res[-1]["RESULT"] == "success", res


# ---- delete-time grace: --force --grace-period=0 and a grace longer than the spec's ----


def test_force_delete_gone_at_once_killed_after_floor(podd):
    name = "force-del"
    apply(podd, hook_pod(name, IGNORE_TERM, grace=30))
    wait_phase(podd, name, "Running")
    u = shlex.quote(unit("default", name, "c"))
    out = podd.sh(
        f"""
        pid=$(systemctl show -P MainPID {u})
        [ "$pid" -gt 0 ]
        t0=$(date +%s.%N)
        podctl delete pod {name} --force --grace-period=0 >/dev/null 2>&1
        rc=0; podctl get pod {name} >/dev/null 2>&1 || rc=$?
        tg=$(date +%s.%N)
        while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
        t1=$(date +%s.%N)
        echo "$t0 $tg $t1 $rc"
        """,
        timeout=60,
    ).stdout.split()
    t0, tg, t1, rc = float(out[0]), float(out[1]), float(out[2]), int(out[3])
    assert rc == 1, "the pod is still in podctl get right after a force delete"
    assert tg - t0 < 1.5, tg - t0  # podctl did not wait for the containers
    assert 1.8 < t1 - t0 < 2.8, t1 - t0  # the 2 s floor, not the spec's 30 s
    wait_gone(podd, name)


def test_delete_grace_longer_than_spec_is_honoured(podd):
    name = "grace-longer"
    apply(podd, hook_pod(name, IGNORE_TERM, grace=2))
    wait_phase(podd, name, "Running")
    t = timed_stop(podd, name, "delete", "--grace-period=6")
    assert 5.8 < t < 6.8, t  # the delete's 6 s, not the spec's 2 s (nor 2 s + a backstop)
    wait_gone(podd, name)


def test_sidecar_prestops_run_at_once_within_one_budget(podd):
    """§2.5: every container's preStop starts at the deletion, and a sidecar's wait for the containers it
    outlives consumes its budget (the kubelet's waitForTurn is capped by what preStop left). Grace 4, every
    preStop `sleep 2`, SIGTERM recorded but ignored everywhere: the app gets SIGTERM at 2 s and SIGKILL at
    2 + 2 = 4 s; side2 waits for the app until 4 s (budget 4 - 2 - 2 → the 2 s floor): SIGTERM at 4, SIGKILL
    at 6; side1 waits for the app and side2 but only for what its preStop left (2 s), so it too gets SIGTERM
    at 4 and SIGKILL at 6. Stopped one after another, each with a fresh budget, it would be 4, 8 and 12 s."""
    name = "sc-budget"
    log = "/run/sc-budget.log"
    podd.run("rm", "-f", log)

    def entry(cname, sidecar):
        rec = lambda what: f'echo "$(date +%s.%N) {cname}-{what}" >> {log}'
        cmd = f"trap '{rec('term')}' TERM; while :; do sleep 0.1; done"
        return [f"  - name: {cname}", f"    command: [/bin/sh, -c, {json.dumps(cmd)}]"] + \
            (["    restartPolicy: Always"] if sidecar else []) + \
            ["    lifecycle:", f"      preStop: {{exec: {{command: [/bin/sh, -c, {json.dumps(rec('prestop') + '; sleep 2')}]}}}}"]

    text = "\n".join(["apiVersion: v1", "kind: Pod", "metadata:", f"  name: {name}", "spec:",
                      "  terminationGracePeriodSeconds: 4", "  initContainers:"]
                     + entry("side1", True) + entry("side2", True) + ["  containers:"] + entry("app", False)) + "\n"
    apply(podd, text)
    wait_phase(podd, name, "Running", timeout=60)
    units = {c: shlex.quote(unit("default", name, c)) for c in ("app", "side1", "side2")}
    out = podd.sh(
        f"""
        pa=$(systemctl show -P MainPID {units['app']}); p1=$(systemctl show -P MainPID {units['side1']})
        p2=$(systemctl show -P MainPID {units['side2']})
        [ "$pa" -gt 0 ] && [ "$p1" -gt 0 ] && [ "$p2" -gt 0 ]
        t0=$(date +%s.%N)
        podctl delete pod {name} >/dev/null 2>&1 &
        ta=; t1=; t2=
        while [ -z "$ta" ] || [ -z "$t1" ] || [ -z "$t2" ]; do
                now=$(date +%s.%N)
                [ -z "$ta" ] && ! kill -0 "$pa" 2>/dev/null && ta=$now
                [ -z "$t1" ] && ! kill -0 "$p1" 2>/dev/null && t1=$now
                [ -z "$t2" ] && ! kill -0 "$p2" 2>/dev/null && t2=$now
                sleep 0.02
        done
        wait
        echo "$t0 $ta $t2 $t1"
        """,
        timeout=60,
    ).stdout.split()
    t0, ta, t2, t1 = (float(x) for x in out)
    wait_gone(podd, name)
    rec = read_records(podd, log)
    kills = (ta - t0, t2 - t0, t1 - t0)
    print("kill times app, side2, side1:", kills, "records:", {k: round(v - t0, 2) for k, v in rec.items()})
    starts = [rec[f"{c}-prestop"] for c in ("app", "side1", "side2")]
    assert max(starts) - min(starts) < 1.0, rec  # the three preStops start together
    terms = tuple(rec[f"{c}-term"] - t0 for c in ("app", "side2", "side1"))
    assert 1.8 < terms[0] < 2.6, terms  # the app's SIGTERM right after its preStop
    assert 3.8 < terms[1] < 4.6 and 3.8 < terms[2] < 4.6, terms  # the sidecars', once the app is gone / budget used
    assert 3.8 < kills[0] < 4.6, kills
    assert 5.8 < kills[1] < 6.6, kills
    assert 5.8 < kills[2] < 6.6, kills


@pytest.mark.parametrize("how", ["slice", "podd-stopped"])
def test_sidecar_waits_for_app_on_slice_stop(podd, how):
    """The ordering holds without podd too: `systemctl stop` of the pod slice (with podd stopped for the
    second case) runs every preStop at once, and the sidecar gets SIGTERM only after the app has exited. The
    app takes 1.5 s to exit after its SIGTERM; nothing waits out a budget (grace 20)."""
    name = f"sc-slice-{how}"
    log = f"/run/{name}.log"
    podd.run("rm", "-f", log)

    def entry(cname, sidecar, linger):
        rec = lambda what: f'echo "$(date +%s.%N) {cname}-{what}" >> {log}'
        cmd = f"trap '{rec('term')}; sleep {linger}; exit 0' TERM; while :; do sleep 0.1; done"
        return [f"  - name: {cname}", f"    command: [/bin/sh, -c, {json.dumps(cmd)}]"] + \
            (["    restartPolicy: Always"] if sidecar else []) + \
            ["    lifecycle:", f"      preStop: {{exec: {{command: [/bin/sh, -c, {json.dumps(rec('prestop'))}]}}}}"]

    text = "\n".join(["apiVersion: v1", "kind: Pod", "metadata:", f"  name: {name}", "spec:",
                      "  terminationGracePeriodSeconds: 20", "  initContainers:"]
                     + entry("side", True, 0) + ["  containers:"] + entry("app", False, 1.5)) + "\n"
    apply(podd, text)
    wait_phase(podd, name, "Running", timeout=60)
    if how == "podd-stopped":
        podd.run("systemctl", "stop", "podd.service")
    slice_ = podd.run("systemctl", "show", "-P", "Slice", unit("default", name, "app")).stdout.strip()
    t0 = time.time()
    podd.run("systemctl", "stop", slice_, timeout=60)
    took = time.time() - t0
    rec = read_records(podd, log)
    print("slice stop took", round(took, 2), {k: round(v - t0, 2) for k, v in rec.items()})
    assert abs(rec["side-prestop"] - rec["app-prestop"]) < 1.0, rec
    assert rec["side-term"] - rec["app-term"] > 1.3, rec  # the app's 1.5 s exit, then the sidecar
    assert took < 6, took
    if how == "podd-stopped":
        podd.run("systemctl", "start", "podd.service")
        podd.wait_until(lambda: podd.run("podctl", "get", "pods", check=False).returncode == 0, what="podd back")
    delete(podd, name, "--grace-period=1")
    wait_gone(podd, name)
