# SPDX-License-Identifier: LGPL-2.1-or-later
"""1000 pods declared at once must all start: podd bounds its calls in flight and the jobs it queues in
systemd (dbus-daemon refuses a client past ~150 calls in flight; systemd drops JobRemoved past ~500
queued jobs), so none may be lost to LimitsExceeded or a missing JobRemoved."""

import json
import time

from test_podd import podd  # noqa: F401  (fixture)

N = 1000


def running_count(sb):
    out = sb.run("podctl", "get", "pods", "-n", "scale", "-o", "json", timeout=120).stdout
    items = json.loads(out)["items"]
    return len(items), sum(1 for p in items if p["status"]["phase"] == "Running")


def test_thousand_pods_all_start(podd):  # noqa: F811
    docs = []
    for i in range(N):
        docs.append(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p%04d, namespace: scale}\n"
            "spec:\n  terminationGracePeriodSeconds: 1\n"
            "  containers: [{name: c, command: [/bin/sleep, infinity]}]\n" % i
        )
    podd.sh("cat > /etc/pods/scale.yaml", input="---\n".join(docs))
    start = time.monotonic()
    podd.wait_until(lambda: running_count(podd) == (N, N), timeout=600, interval=2,
                    what=f"all {N} pods Running")
    took = time.monotonic() - start
    print(f"{N} pods Running after {took:.1f}s ({N / took:.1f} pods/s)")
    # systemd agrees: one running service per pod, in its own slice
    units = podd.run("systemctl", "list-units", "--state=running", "--no-legend", "--plain",
                     "pod-scale-*.service").stdout.splitlines()
    assert len(units) == N
    # no call refused on the way
    log = podd.journal("-u", "podd.service", "-o", "cat")
    assert "LimitsExceeded" not in log

    podd.sh("rm /etc/pods/scale.yaml")
    podd.wait_until(lambda: running_count(podd)[0] == 0, timeout=600, interval=2, what="all pods gone")
    assert podd.run("systemctl", "list-units", "--all", "--no-legend", "--plain",
                    "pod-scale-*.service").stdout.strip() == ""
