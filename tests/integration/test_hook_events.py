# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hook failures become Kubernetes events and status: pod-hook reports them in the journal, podd turns them
into FailedPostStartHook / Killing / FailedPreStopHook events and the PostStartHookError waiting reason."""

from test_podd import apply, container_status, delete, get_pod, podd, wait_gone  # noqa: F401


def hook_pod(name, post_start="true", pre_stop="true", restart="Always"):
    return f"""apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  restartPolicy: {restart}
  terminationGracePeriodSeconds: 3
  containers:
  - name: c
    command: [/bin/sh, -c, "exec sleep 600"]
    lifecycle:
      postStart: {{exec: {{command: [/bin/sh, -c, "{post_start}"]}}}}
      preStop: {{exec: {{command: [/bin/sh, -c, "{pre_stop}"]}}}}
"""


def events_of(sb, name):
    return sb.run("podctl", "describe", "pod", name).stdout


def test_failed_post_start_events_and_reason(podd):  # noqa: F811
    apply(podd, hook_pod("pshook", post_start="echo broken-hook-output; exit 1"))
    podd.wait_until(lambda: "FailedPostStartHook" in events_of(podd, "pshook"), timeout=30,
                    what="FailedPostStartHook event")
    desc = events_of(podd, "pshook")
    assert "PostStartHook failed" in desc
    assert "broken-hook-output" not in desc.split("Events:")[1]  # output stays out of events
    rows = [l.split() for l in desc.split("Events:")[1].splitlines()]
    assert any(r[:2] == ["Normal", "Killing"] and r[-1] == "FailedPostStartHook" for r in rows if len(r) > 2)
    podd.wait_until(
        lambda: container_status(get_pod(podd, "pshook"), "c")["state"].get("waiting", {}).get("reason")
        == "PostStartHookError", timeout=20, what="waiting reason PostStartHookError")
    delete(podd, "pshook", "--grace-period=1")
    wait_gone(podd, "pshook")


def test_failed_pre_stop_event(podd):  # noqa: F811
    apply(podd, hook_pod("pshook2", pre_stop="exit 7"))
    podd.wait_until(lambda: get_pod(podd, "pshook2")["status"]["phase"] == "Running", what="running")
    r = podd.run("podctl", "delete", "pod", "pshook2", "--wait=false", check=False)
    assert r.returncode == 0, r.stderr
    podd.wait_until(lambda: "FailedPreStopHook" in podd.run("podctl", "get", "events").stdout, timeout=20,
                    what="FailedPreStopHook event")
    assert "PreStopHook failed" in podd.run("podctl", "get", "events").stdout
    wait_gone(podd, "pshook2")
