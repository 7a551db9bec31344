#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""smoke.py DEB: installs the podctl .deb with dpkg -i into a private systemd sandbox (tests/integration/
sandbox.py: /usr, /etc and /var are overlays in a scratch dir, so neither dpkg's database nor any file of the
host changes) and checks that podd starts through the packaged unit, runs a pod, and the man pages render."""

import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

from sandbox import Sandbox, UNIT_DIR  # noqa: E402

POD = """apiVersion: v1
kind: Pod
metadata:
  name: smoke
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    command: ["/bin/sh", "-c", "echo smoke test running; exec sleep 600"]
"""


def step(msg):
        print(f"--- {msg}", flush=True)


def main(argv):
        if len(argv) != 2:
                print(__doc__, file=sys.stderr)
                return 2
        deb = os.path.abspath(argv[1])
        scratch = tempfile.mkdtemp(prefix="podctl-smoke-")
        try:
                shutil.copy(deb, scratch)
                deb_in = os.path.join(scratch, os.path.basename(deb))
                with open(os.path.join(scratch, "smoke.yaml"), "w") as f:
                        f.write(POD)
                with Sandbox(scratch, SOURCE) as sb:
                        step("dpkg -i " + os.path.basename(deb))
                        r = sb.run("dpkg", "-i", deb_in, timeout=300)
                        print(r.stdout + r.stderr)
                        sb.run("test", "-f", "/etc/pods/README")
                        sb.run("test", "-d", "/var/lib/pods")
                        # The postinst enabled podd (dh_installsystemd); the sandbox's systemd only loads units
                        # from its own unit path, so the packaged unit file is linked there before starting it.
                        sb.run("test", "-L", "/etc/systemd/system/multi-user.target.wants/podd.service")
                        unit = sb.run("sh", "-c", "ls /lib/systemd/system/podd.service").stdout.strip()
                        sb.run("ln", "-sf", unit, UNIT_DIR + "/podd.service")
                        sb.run("systemctl", "daemon-reload")
                        sb.run("busctl", "--system", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "ReloadConfig")
                        step("systemctl start podd.service")
                        sb.run("systemctl", "start", "podd.service", timeout=60)
                        print(sb.run("systemctl", "status", "--no-pager", "podd.service", check=False).stdout)
                        sb.run("systemctl", "is-active", "podd.service")
                        if sb.run("readlink", "-f", "/usr/sbin/podd").stdout.strip() not in sb.run(
                                        "systemctl", "show", "-P", "ExecStart", "podd.service").stdout:
                                raise SystemExit("podd.service does not run the packaged /usr/sbin/podd")

                        step("podctl apply -f smoke.yaml")
                        print(sb.run("/usr/bin/podctl", "apply", "-f", os.path.join(scratch, "smoke.yaml")).stdout)

                        def running():
                                out = sb.run("/usr/bin/podctl", "get", "pods", check=False).stdout
                                return out if any(line.split()[:3] == ["smoke", "1/1", "Running"]
                                                  for line in out.splitlines()) else None
                        print(sb.wait_until(running, timeout=60, what="pod smoke to be Running"))
                        sb.wait_until(lambda: "smoke test running" in sb.run("/usr/bin/podctl", "logs", "smoke",
                                                                             check=False).stdout,
                                      timeout=30, what="the pod's output in podctl logs")

                        step("man pages")
                        for page in ("man1/podctl.1.gz", "man8/podd.8.gz", "man5/pods.yaml.5.gz"):
                                text = sb.run("man", "-l", "/usr/share/man/" + page,
                                              env={"MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"}).stdout
                                if "SEE ALSO" not in text or "EXAMPLES" not in text:
                                        raise SystemExit(f"man -l {page} did not render:\n{text[:2000]}")
                                print(f"{page}: {len(text.splitlines())} lines")
                        step("podctl delete pod smoke")
                        sb.run("/usr/bin/podctl", "delete", "pod", "smoke", timeout=60)
                        step("dpkg --purge podctl keeps /etc/pods and its manifests")
                        sb.run("cp", os.path.join(scratch, "smoke.yaml"), "/etc/pods/kept.yaml")
                        sb.run("systemctl", "stop", "podd.service")
                        sb.run("dpkg", "--purge", "podctl", timeout=120)
                        sb.run("test", "-f", "/etc/pods/kept.yaml")
                print("smoke test passed")
                return 0
        finally:
                shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
        sys.exit(main(sys.argv))
