# SPDX-License-Identifier: LGPL-2.1-or-later
"""The harness is real, hermetic, and the systemd facts podd relies on hold in it."""

import json
import os
import shlex
import shutil
import subprocess
import tempfile
import uuid

import pytest


def lines_json(text):
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_systemd_is_pid1_in_a_container(sandbox):
        assert sandbox.run("cat", "/proc/1/comm").stdout.strip() == "systemd"
        assert os.path.basename(sandbox.run("readlink", "/proc/1/exe").stdout.strip()) == "systemd"
        # The host sees a different PID for it, and it is the one the harness signals.
        with open(f"/proc/{sandbox.pid}/comm") as f:
                assert f.read().strip() == "systemd"
        assert sandbox.run("systemctl", "is-system-running").stdout.strip() == "running"
        # container= makes systemd skip host-wide setup (clock, hostname, swap, loop devices at shutdown).
        assert sandbox.run("systemd-detect-virt", "--container").stdout.strip() == "container-other"
        # Only the sandbox's own processes are visible.
        pids = [int(p) for p in sandbox.run("ps", "-e", "-o", "pid=").stdout.split()]
        assert 1 in pids and len(pids) < 50


def test_system_bus_and_manager_version(sandbox):
        names = sandbox.run("busctl", "--system", "list", "--no-legend", "--acquired").stdout
        assert "org.freedesktop.DBus" in names
        assert "org.freedesktop.systemd1" in names
        r = sandbox.run("busctl", "--system", "get-property", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                        "org.freedesktop.systemd1.Manager", "Version")
        version = shlex.split(r.stdout)
        assert version[0] == "s" and version[1][:3].isdigit()


def test_cgroup_and_boot_id_are_the_sandboxs_own(sandbox):
        # systemd sees a unified cgroup tree rooted at its own cgroup (a cgroup namespace).
        assert sandbox.run("stat", "-f", "-c", "%T", "/sys/fs/cgroup").stdout.strip() == "cgroup2fs"
        assert "0::/init.scope" in sandbox.run("cat", "/proc/1/cgroup").stdout.splitlines()
        with open("/proc/sys/kernel/random/boot_id") as f:
                host_boot_id = f.read().strip()
        assert sandbox.run("cat", "/proc/sys/kernel/random/boot_id").stdout.strip() != host_boot_id
        # Host-wide sysctls are read-only inside, the network namespace's own ones are not.
        # (Writing back the value read: harmless even if the guard were missing.)
        r = sandbox.sh("cat /proc/sys/kernel/pid_max >/proc/sys/kernel/pid_max", check=False)
        assert r.returncode != 0 and "Read-only file system" in r.stderr
        sandbox.sh("cat /proc/sys/net/ipv4/ip_forward >/proc/sys/net/ipv4/ip_forward")


def test_journal_finds_systemd_cat_message(sandbox):
        token = f"podctl-it-{uuid.uuid4().hex}"
        sandbox.run("systemd-cat", "-t", "podctl-it", "echo", token)
        entries = sandbox.wait_until(
                lambda: [e for e in lines_json(sandbox.journal("-b", "-t", "podctl-it", "-o", "json"))
                         if e.get("MESSAGE") == token],
                timeout=10, what="the systemd-cat message in the journal")
        assert entries[0]["SYSLOG_IDENTIFIER"] == "podctl-it"
        assert entries[0]["_BOOT_ID"] == sandbox.run("cat", "/proc/sys/kernel/random/boot_id").stdout.strip() \
                .replace("-", "")


def test_transient_service_in_slice_with_log_extra_fields(sandbox):
        unit = "pod-test-x.service"
        sandbox.run("systemd-run", "--unit=pod-test-x", "--property=LogExtraFields=POD_NAME=web",
                    "--slice=pod-test.slice", "/bin/sh", "-c", "echo hello; exec sleep infinity")
        try:
                sandbox.wait_until(lambda: sandbox.run("systemctl", "is-active", unit, check=False).stdout.strip()
                                   == "active", timeout=10, what=f"{unit} to be active")
                # A '-' in a slice name nests: pod-test.slice lives in pod.slice.
                assert sandbox.run("systemctl", "show", "-P", "Slice", unit).stdout.strip() == "pod-test.slice"
                assert sandbox.run("systemctl", "show", "-P", "ControlGroup", unit).stdout.strip() == \
                        "/pod.slice/pod-test.slice/pod-test-x.service"
                status = sandbox.run("systemctl", "status", "--no-pager", "--lines=0", "pod-test.slice").stdout
                assert "Active: active" in status
                assert unit in status and "sleep infinity" in status

                entries = sandbox.wait_until(
                        lambda: [e for e in lines_json(sandbox.journal("-b", "POD_NAME=web", "-o", "json"))
                                 if e.get("MESSAGE") == "hello"],
                        timeout=10, what="the service's output under POD_NAME=web")
                assert entries[0]["_SYSTEMD_UNIT"] == unit
                assert entries[0]["_SYSTEMD_SLICE"] == "pod-test.slice"
                assert "hello" in sandbox.journal("-b", "POD_NAME=web", "-o", "cat")
        finally:
                sandbox.run("systemctl", "stop", unit, check=False)
        assert sandbox.run("systemctl", "is-active", unit, check=False).stdout.strip() in ("inactive", "failed")


def test_start_transient_unit_over_dbus(sandbox):
        # The call podd makes, without systemd-run: StartTransientUnit with ExecStart, Slice and LogExtraFields.
        unit = "pod-test-bus.service"
        sandbox.run("busctl", "--system", "--", "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                    "org.freedesktop.systemd1.Manager", "StartTransientUnit", "ssa(sv)a(sa(sv))",
                    unit, "fail", "4",
                    "ExecStart", "a(sasb)", "1", "/bin/sh", "3", "/bin/sh", "-c", "echo via-bus", "false",
                    "Slice", "s", "pod-test.slice",
                    "LogExtraFields", "aay", "1", "14", *[str(b) for b in b"POD_NAME=busy1"],
                    "Type", "s", "oneshot",
                    "0")
        entries = sandbox.wait_until(
                lambda: [e for e in lines_json(sandbox.journal("-b", "POD_NAME=busy1", "-o", "json"))
                         if e.get("MESSAGE") == "via-bus"],
                timeout=10, what="the D-Bus-started unit's output")
        assert entries[0]["_SYSTEMD_UNIT"] == unit
        assert sandbox.run("systemctl", "show", "-P", "Result", unit).stdout.strip() == "success"


def test_network_namespace_is_private(sandbox):
        links = sandbox.run("ip", "-o", "link", "show").stdout
        assert links.splitlines()[0].split(":")[1].strip() == "lo"
        assert "UP" in sandbox.run("ip", "link", "show", "lo").stdout.split(">")[0]
        name = "pt" + uuid.uuid4().hex[:8]
        sandbox.run("ip", "link", "add", name, "type", "bridge")
        try:
                assert name in sandbox.run("ip", "-o", "link", "show").stdout
                host = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
                assert name not in host
        finally:
                sandbox.run("ip", "link", "del", name, check=False)


def test_install_lands_in_the_sandbox_only(sandbox):
        # The session fixture ran meson install inside: the build's programs are on PATH there, and the
        # files were written to the sandbox's overlay (its upper dir), not to the host's /usr.
        path = sandbox.sh("command -v podd").stdout.strip()
        assert path.endswith("/sbin/podd")
        assert os.path.isfile(os.path.join(sandbox.state_dir, "upper", path.lstrip("/")))
        # The build dir is visible inside at its own path; the installed copy is the built one.
        sandbox.run("cmp", os.path.join(sandbox.build_dir, "src", "podd", "podd"), path)
        # The project's unit and D-Bus files are where systemd and dbus-daemon read them.
        if os.path.exists(os.path.join(sandbox.build_dir, "units", "podd.service")):
                assert sandbox.run("systemctl", "show", "-P", "LoadState", "podd.service").stdout.strip() == "loaded"
                assert sandbox.run("systemctl", "show", "-P", "ExecStart", "podd.service").stdout.find(path) >= 0
                sandbox.run("test", "-f", "/etc/dbus-1/system.d/io.podctl.pod1.conf")
                sandbox.run("test", "-f", "/usr/share/dbus-1/system-services/io.podctl.pod1.service")
                sandbox.run("test", "-d", "/run/pods")


def test_host_tmp_is_untouched(make_sandbox):
        fd, marker = tempfile.mkstemp(prefix="podctl-it-marker-", dir="/tmp")
        os.write(fd, b"host\n")
        os.close(fd)
        try:
                sb = make_sandbox()
                # /tmp inside is a fresh tmpfs: the host's files are not there, and writes stay inside.
                assert sb.run("test", "-e", marker, check=False).returncode == 1
                inside = f"/tmp/podctl-it-inside-{uuid.uuid4().hex}"
                sb.sh(f"echo sandbox >{inside}; touch /var/tmp/{os.path.basename(inside)}")
                pid, cgroup = sb.pid, sb.cgroup
                sb.shutdown()
                assert not os.path.exists(f"/proc/{pid}")
                assert not os.path.exists(cgroup)
                with open(marker) as f:
                        assert f.read() == "host\n"
                assert not os.path.exists(inside)
                assert not os.path.exists(f"/var/tmp/{os.path.basename(inside)}")
        finally:
                os.unlink(marker)


def test_reboot_keeps_etc_and_var_and_drops_run(make_sandbox):
        sb = make_sandbox()
        token = uuid.uuid4().hex
        sb.sh(f"mkdir -p /etc/pods /var/lib/pods /run/pods; echo {token} >/etc/pods/it.yaml; "
              f"echo {token} >/var/lib/pods/state; echo {token} >/run/pods/runtime")
        boot_id = sb.run("cat", "/proc/sys/kernel/random/boot_id").stdout.strip()
        machine_id = sb.run("cat", "/etc/machine-id").stdout.strip()
        old_pid = sb.pid
        sb.reboot()
        assert sb.pid != old_pid and not os.path.exists(f"/proc/{old_pid}")
        assert sb.run("cat", "/etc/pods/it.yaml").stdout.strip() == token
        assert sb.run("cat", "/var/lib/pods/state").stdout.strip() == token
        assert sb.run("test", "-e", "/run/pods/runtime", check=False).returncode == 1
        assert sb.run("cat", "/etc/machine-id").stdout.strip() == machine_id
        assert sb.run("cat", "/proc/sys/kernel/random/boot_id").stdout.strip() != boot_id
        # The persistent journal spans both boots; -b is this one only.
        boots = json.loads(sb.journal("--list-boots", "-o", "json"))
        assert len(boots) == 2
        assert boots[-1]["boot_id"] == sb.run("cat", "/proc/sys/kernel/random/boot_id").stdout.strip().replace("-", "")
        assert sb.run("systemctl", "is-system-running").stdout.strip() == "running"
        # None of it reached the host.
        assert not os.path.exists("/etc/pods/it.yaml") or open("/etc/pods/it.yaml").read().strip() != token


def test_a_podd_crash_is_seen_in_the_journal(make_sandbox):
        # Every sandbox's journal is checked for crashes and sanitizer reports when it shuts down
        # (conftest.py): podd.service restarts a podd that aborted, so nothing else would notice. This makes
        # sure the check matches what systemd really logs.
        from conftest import journal_problems

        sb = make_sandbox()
        sb.install()
        sb.run("systemctl", "start", "podd.service")
        assert journal_problems(sb) == ""
        sb.crash_expected = True
        sb.run("systemctl", "kill", "--signal=SIGABRT", "podd.service")
        found = sb.wait_until(lambda: journal_problems(sb), timeout=30, what="podd's abort in the journal")
        assert "podd.service: Main process exited" in found and "6/ABRT" in found


@pytest.mark.parametrize("unit", ["dbus.service", "systemd-journald.service"])
def test_core_services_running(sandbox, unit):
        sandbox.run("busctl", "--system", "list")  # activates dbus if nothing has yet
        assert sandbox.run("systemctl", "is-active", unit).stdout.strip() == "active"


def test_install_places_units_policy_and_catalog_and_enable_survives_reboot(make_sandbox):
        # A stand-in source tree with the kinds of files units/ will hold: a service, a D-Bus policy, a bus
        # activation file and a journal catalog. install() must put each where systemd, dbus and journalctl
        # look, and enable() must make the service start at every later boot, as podd.service will.
        build = os.environ["PODCTL_BUILD_DIR"]
        src = tempfile.mkdtemp(prefix="fake-source-", dir=os.path.join(build, "tests", "integration"))
        try:
                units = os.path.join(src, "units")
                os.mkdir(units)
                files = {
                        "podctl-it.service": "[Unit]\nDescription=podctl it\n[Service]\n"
                                             "ExecStart=/bin/sh -c 'echo podctl-it-up; exec sleep infinity'\n",
                        # Enabled by install() itself, as a package's preset enables podd.service.
                        "podctl-it-preset.service": "[Service]\nExecStart=/bin/sleep infinity\n"
                                                    "[Install]\nWantedBy=multi-user.target\n",
                        "io.podctl.it1.conf": '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus '
                                              'Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/'
                                              '1.0/busconfig.dtd">\n<busconfig><policy user="root">'
                                              '<allow own="io.podctl.it1"/></policy></busconfig>\n',
                        "io.podctl.it1.service": "[D-BUS Service]\nName=io.podctl.it1\nExec=/bin/false\n"
                                                 "User=root\nSystemdService=podctl-it.service\n",
                        "podctl-it-tmpfiles.conf": "d /run/podctl-it 0750 root root -\n",
                        "podctl-it.catalog": "-- 0b1f5c1e2c8a4a3e9a6a0b6c7d8e9f00\nSubject: podctl it test entry\n"
                                             "\nThe podctl integration test's catalog entry.\n",
                }
                for name, text in files.items():
                        with open(os.path.join(units, name), "w") as f:
                                f.write(text)
                sb = make_sandbox()
                sb.install(project_dirs=[src])
                assert sb.run("test", "-f", "/etc/dbus-1/system.d/io.podctl.it1.conf").returncode == 0
                assert sb.run("test", "-f", "/usr/share/dbus-1/system-services/io.podctl.it1.service").returncode == 0
                assert "podctl it test entry" in sb.journal("--list-catalog", "0b1f5c1e2c8a4a3e9a6a0b6c7d8e9f00")
                sb.run("systemctl", "start", "podctl-it.service")
                assert sb.run("systemctl", "is-active", "podctl-it.service").stdout.strip() == "active"

                assert sb.run("stat", "-c", "%a", "/run/podctl-it").stdout.strip() == "750"
                # A D-Bus policy only: the tmpfiles snippet, also a .conf, must not end up there.
                assert sb.run("test", "-e", "/etc/dbus-1/system.d/podctl-it-tmpfiles.conf",
                              check=False).returncode == 1

                sb.enable("podctl-it.service")
                sb.reboot()
                # /run is new, and the snippet made its directory again, as systemd-tmpfiles-setup would.
                assert sb.run("stat", "-c", "%a", "/run/podctl-it").stdout.strip() == "750"
                assert sb.run("systemctl", "is-active", "podctl-it.service").stdout.strip() == "active"
                assert sb.run("systemctl", "is-active", "podctl-it-preset.service").stdout.strip() == "active"
                sb.wait_until(lambda: "podctl-it-up" in sb.journal("-b", "-u", "podctl-it.service", "-o", "cat"),
                              timeout=10, what="the enabled service's output after the reboot")
        finally:
                shutil.rmtree(src, ignore_errors=True)
