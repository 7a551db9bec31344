# SPDX-License-Identifier: LGPL-2.1-or-later
"""The example manifests in manifests/ run as their comments say (README's quick start applies them)."""

import glob
import os

from test_podd import container_status, delete, get_pod, podd, wait_gone, wait_phase  # noqa: F401

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_probes_example(podd):
    """manifests/probes.yaml: `web` becomes Ready once its startup probe passed (liveness httpGet and
    readiness tcpSocket against the python server), `grpc` stays not Ready and is never restarted."""
    podd.run("podctl", "apply", "-f", f"{SRC}/manifests/probes.yaml")
    wait_phase(podd, "probes", "Running")
    podd.wait_until(lambda: container_status(get_pod(podd, "probes"), "web")["ready"], timeout=60,
                    what="web Ready through its startup and readiness probes")
    pod = get_pod(podd, "probes")
    grpc = container_status(pod, "grpc")
    assert grpc["started"] and not grpc["ready"] and grpc["restartCount"] == 0
    assert {c["type"]: c["status"] for c in pod["status"]["conditions"]}["Ready"] == "False"
    web = container_status(pod, "web")
    assert web["podctl.io/probes"]["Startup"]["result"] == "Success"
    assert web["restartCount"] == 0
    desc = podd.run("podctl", "describe", "pod", "probes").stdout
    assert "Liveness:       http-get http://:http/ delay=0s timeout=1s period=10s #success=1 #failure=3" in desc
    assert "Readiness probe failed" in desc  # grpc: nothing listens on 9090
    delete(podd, "probes", "--grace-period=1")
    wait_gone(podd, "probes")


def test_every_example_validates(podd):
    for f in sorted(glob.glob(f"{SRC}/manifests/*.yaml")):
        r = podd.run("podctl", "validate", f, check=False)
        assert r.returncode == 0, (f, r.stdout, r.stderr)
