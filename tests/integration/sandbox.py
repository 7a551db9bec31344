# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hermetic systemd for integration tests.

Sandbox boots the host's systemd as PID 1 of new pid, mount, net, uts, ipc and cgroup namespaces, with
D-Bus and journald, so podd and podctl can be tested against a real service manager on machines whose own
PID 1 is not systemd. Nothing it does is visible on the host:

  * /usr, /etc and /var are overlayfs mounts whose upper dirs live in the sandbox's state dir, so
    `meson install` lands in the sandbox, and a reboot (poweroff, then a new boot on the same state dir)
    keeps /etc/pods and /var/lib/pods as a real one does. /run, /tmp and /var/tmp are fresh tmpfs mounts
    at every boot.
  * Only a minimal unit set is visible (SYSTEMD_UNIT_PATH), never the host's targets: booting those
    runs the host's services and systemd-tmpfiles, which once wiped the host's /tmp.
  * `container=` is set, so systemd takes its container code paths: no hostname, clock or kernel-module
    setup, and at shutdown no swapoff and no loop/DM detaching.
  * /proc/sys is read-only but for the sandbox's own /proc/sys/net; /dev/console is /dev/null; the sandbox
    gets its own cgroup (a child of the caller's, in a cgroup namespace), machine ID and boot ID, so
    `journalctl -b` means this boot only.
  * Only the PIDs the sandbox started are ever signalled.

The build and source dirs stay visible inside at their own paths, even when they live under /tmp.
Standard library only. As a program, `sandbox.py shell BUILD SOURCE` boots one and opens a shell in it.
"""

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

SYSTEMD = "/lib/systemd/systemd"
SYSTEM_UNIT_DIR = "/lib/systemd/system"
TARGET = "podctl-sandbox.target"
UNIT_DIR = "/run/podctl-sandbox/units"          # rebuilt at every boot
PERSISTENT_UNIT_DIR = "/etc/podctl-sandbox/units"  # the project's units, kept across reboots
WANTS_FILE = "/etc/podctl-sandbox/wants"         # units the target pulls in, one per line, kept too
TMPFILES_DIR = "/etc/podctl-sandbox/tmpfiles.d"  # the project's tmpfiles.d snippets, applied at each boot

# The smallest set with which systemd 252 boots, runs D-Bus and journald, and powers off cleanly.
MINIMAL_UNITS = (
        "dbus.socket", "dbus.service",
        "systemd-journald.socket", "systemd-journald.service", "systemd-journald-dev-log.socket",
        "sysinit.target", "sockets.target", "basic.target", "local-fs.target", "swap.target",
        "slices.target", "shutdown.target", "umount.target", "final.target",
        "exit.target", "systemd-exit.service", "poweroff.target", "systemd-poweroff.service",
        "systemd-journal-flush.service",
)
# The flush service moves the journal to /var/log/journal, in the state dir: it outlives a reboot.
BASE_WANTS = ("dbus.socket", "systemd-journald.socket", "systemd-journald-dev-log.socket",
              "systemd-journal-flush.service")

BOOT_TIMEOUT = 30
SHUTDOWN_TIMEOUT = 30


class SandboxError(Exception):
        pass


# ---- the part that runs inside the new namespaces, as their PID 1, before exec'ing systemd --------------

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1

_libc = None


def _mount(source, target, fstype=None, flags=0, data=None):
        global _libc
        if _libc is None:
                _libc = ctypes.CDLL(None, use_errno=True)
        enc = lambda s: s.encode() if s is not None else None
        if _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
                e = ctypes.get_errno()
                raise OSError(e, f"mount {source} on {target} ({fstype or 'bind'}): {os.strerror(e)}")


def _write(path, text, mode=0o644):
        with open(path, "w") as f:
                f.write(text)
        os.chmod(path, mode)


def _sandbox_init(cfg):
        """Sets up the mounts and units, then becomes systemd. Runs as PID 1 of the new namespaces."""
        state = cfg["state_dir"]

        _mount(None, "/", None, MS_REC | MS_PRIVATE)

        # Keep a handle on each dir the tmpfs mounts below may hide (a checkout under /tmp); they are bound
        # back at their own paths through /proc/self/fd, which the kernel resolves to the directory itself.
        keep = {}
        for path in sorted(set(cfg["visible_dirs"]), key=len):
                keep[path] = os.open(path, os.O_PATH | os.O_DIRECTORY)

        for d in ("usr", "etc", "var"):
                upper = os.path.join(state, "upper", d)
                work = os.path.join(state, "work", d)
                os.makedirs(upper, exist_ok=True)
                os.makedirs(work, exist_ok=True)
                _mount("overlay", "/" + d, "overlay", 0, f"lowerdir=/{d},upperdir={upper},workdir={work}")
        _mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
        _mount("tmpfs", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
        for path, fd in keep.items():
                os.makedirs(path, exist_ok=True)
                _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
                os.close(fd)

        # sysfs of the new network namespace, and the cgroup namespace's own cgroup2 tree.
        _mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC)

        # /proc/sys is the host's but for net/: read-only, so nothing in here can change a host-wide sysctl.
        _mount("/proc/sys", "/proc/sys", None, MS_BIND | MS_REC)
        _mount(None, "/proc/sys", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _mount("/proc/sys/net", "/proc/sys/net", None, MS_BIND | MS_REC)
        _mount(None, "/proc/sys/net", None, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC)

        os.makedirs("/run/podctl-sandbox", exist_ok=True)
        # A boot ID of our own: the kernel's is the host's, and journalctl -b must mean this boot.
        _write("/run/podctl-sandbox/boot_id", str(uuid.uuid4()) + "\n", 0o444)
        _mount("/run/podctl-sandbox/boot_id", "/proc/sys/kernel/random/boot_id", None, MS_BIND)
        # PID 1 writes status and early log lines to /dev/console, and it, journald and systemd-shutdown
        # fall back to /dev/kmsg, and journald reads /dev/kmsg: here those would be the host's.
        _mount("/dev/null", "/dev/console", None, MS_BIND)
        _mount("/dev/null", "/dev/kmsg", None, MS_BIND)

        # A machine ID of our own (kept in the /etc overlay): journald then writes journal files of its own
        # under /var/log/journal/ID instead of appending to, and copying up, the host's.
        with open("/etc/machine-id") as f:
                current = f.read().strip()
        if cfg["machine_id"] != current:
                _write("/etc/machine-id", cfg["machine_id"] + "\n", 0o444)

        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        # The project's tmpfiles.d snippets (/run/pods), and only those: never the host's configuration.
        if os.path.isdir(TMPFILES_DIR):
                snippets = sorted(os.path.join(TMPFILES_DIR, n) for n in os.listdir(TMPFILES_DIR))
                if snippets:
                        subprocess.run(["systemd-tmpfiles", "--create", *snippets], check=False)

        os.makedirs(UNIT_DIR)
        for name in MINIMAL_UNITS:
                shutil.copy(os.path.join(SYSTEM_UNIT_DIR, name), UNIT_DIR)
        if os.path.isdir(PERSISTENT_UNIT_DIR):
                for name in os.listdir(PERSISTENT_UNIT_DIR):
                        shutil.copy(os.path.join(PERSISTENT_UNIT_DIR, name), UNIT_DIR)
        _write(os.path.join(UNIT_DIR, TARGET), target_text(cfg["wants"]))
        os.makedirs("/run/systemd/journald.conf.d")
        _write("/run/systemd/journald.conf.d/podctl-sandbox.conf", "[Journal]\nReadKMsg=no\n")

        env = {
                "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "container": "podctl-sandbox",
                # The transient directory too, as on a host: without it a daemon-reload turns every
                # running transient unit (all of podd's) into a "stub" that a restarted podd cannot adopt.
                "SYSTEMD_UNIT_PATH": UNIT_DIR + ":/run/systemd/transient",
                "LANG": "C.UTF-8",
        }
        os.execve(SYSTEMD, [SYSTEMD, "--system", "--unit=" + TARGET, "--show-status=no"], env)


def read_wants():
        try:
                with open(WANTS_FILE) as f:
                        return [line.strip() for line in f if line.strip()]
        except FileNotFoundError:
                return []


def target_text(extra_wants):
        wants = list(BASE_WANTS) + [w for w in list(extra_wants) + read_wants() if w not in BASE_WANTS]
        return ("[Unit]\n"
                "Description=podctl integration test sandbox\n"
                f"Wants={' '.join(dict.fromkeys(wants))}\n"
                "After=dbus.socket systemd-journald.socket\n"
                "AllowIsolate=yes\n")


# ---- the host side --------------------------------------------------------------------------------------

def _cgroup2_root():
        with open("/proc/self/mountinfo") as f:
                for line in f:
                        fields = line.split()
                        sep = fields.index("-")
                        if fields[sep + 1] == "cgroup2":
                                return fields[4]
        raise SandboxError("no cgroup2 file system is mounted: the sandbox needs one for its own cgroup")


def _own_cgroup2_path():
        with open("/proc/self/cgroup") as f:
                for line in f:
                        if line.startswith("0::"):
                                return line[3:].strip()
        raise SandboxError("this process is in no cgroup2 cgroup")


def _remove_cgroup(path, timeout=10):
        """Removes a cgroup tree bottom-up; its processes are already dead or dying."""
        if not os.path.isdir(path):
                return
        deadline = time.monotonic() + timeout
        while True:
                try:
                        for top, dirs, _ in os.walk(path, topdown=False):
                                for d in dirs:
                                        os.rmdir(os.path.join(top, d))
                        os.rmdir(path)
                        return
                except FileNotFoundError:
                        continue
                except OSError:
                        if time.monotonic() > deadline:
                                raise
                        time.sleep(0.05)


def _remove_stale(parent, prefix, remove):
        """Removes PREFIX<pid>-* entries of PARENT left by a test runner that was killed (its PID is gone).
        When the runner dies, unshare dies with it (PR_SET_PDEATHSIG) and systemd with unshare (--kill-child),
        but their cgroup and state dir stay behind."""
        try:
                names = os.listdir(parent)
        except FileNotFoundError:
                return
        for name in names:
                rest = name[len(prefix):] if name.startswith(prefix) else ""
                pid = rest.split("-", 1)[0]
                if not pid.isdigit() or os.path.exists(f"/proc/{pid}"):
                        continue
                with contextlib.suppress(OSError):
                        remove(os.path.join(parent, name))


class Sandbox:
        """One hermetic systemd. Use as a context manager, or call boot() and, always, shutdown()."""

        def __init__(self, build_dir, source_dir, state_dir=None, wants=()):
                self.build_dir = os.path.realpath(build_dir)
                self.source_dir = os.path.realpath(source_dir)
                self.owns_state_dir = state_dir is None
                if state_dir is None:
                        parent = os.path.join(self.build_dir, "tests", "integration")
                        os.makedirs(parent, exist_ok=True)
                        _remove_stale(parent, "sandbox-", shutil.rmtree)
                        state_dir = tempfile.mkdtemp(prefix=f"sandbox-{os.getpid()}-", dir=parent)
                self.state_dir = os.path.realpath(state_dir)
                for p in (self.build_dir, self.source_dir, self.state_dir):
                        if any(c in p for c in ",:\n"):
                                raise SandboxError(f"{p}: a path with ',', ':' or a newline cannot be mounted")
                os.makedirs(self.state_dir, exist_ok=True)
                self.wants = tuple(wants)
                self.machine_id = self._load_machine_id()
                self.proc = None       # the unshare process
                self.pid = None        # systemd, PID 1 inside, as the host sees it
                self.cgroup = None
                self.boots = 0
                self.boot_seconds = None

        def _load_machine_id(self):
                path = os.path.join(self.state_dir, "machine-id")
                try:
                        with open(path) as f:
                                return f.read().strip()
                except FileNotFoundError:
                        mid = uuid.uuid4().hex
                        _write(path, mid + "\n")
                        return mid

        # -- life cycle --

        def boot(self, timeout=BOOT_TIMEOUT):
                if self.proc is not None:
                        raise SandboxError("already booted")
                start = time.monotonic()
                self.boots += 1
                parent = os.path.join(_cgroup2_root(), _own_cgroup2_path().lstrip("/"))
                _remove_stale(parent, "podctl-sandbox-", lambda p: _remove_cgroup(p, timeout=0))
                self.cgroup = os.path.join(parent, f"podctl-sandbox-{os.getpid()}-{uuid.uuid4().hex[:8]}")
                os.mkdir(self.cgroup)
                cfg = {
                        "state_dir": self.state_dir,
                        "visible_dirs": [self.source_dir, self.build_dir, self.state_dir],
                        "machine_id": self.machine_id,
                        "wants": list(self.wants),
                }
                procs = os.path.join(self.cgroup, "cgroup.procs")

                def enter_cgroup():
                        # Runs in the child before exec: the cgroup namespace unshare makes is rooted here.
                        with open(procs, "w") as f:
                                f.write("0\n")
                        # If the test runner dies, unshare dies, and --kill-child takes systemd with it.
                        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

                console = open(os.path.join(self.state_dir, f"console-{self.boots}.log"), "ab")
                try:
                        self.proc = subprocess.Popen(
                                ["unshare", "--fork", "--pid", "--mount", "--net", "--uts", "--ipc", "--cgroup",
                                 "--mount-proc", "--kill-child=SIGKILL", "--",
                                 sys.executable, "-I", os.path.abspath(__file__), "--init", json.dumps(cfg)],
                                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                                preexec_fn=enter_cgroup, start_new_session=True, close_fds=True)
                finally:
                        console.close()
                try:
                        self.pid = self._find_child(timeout=10)
                        self.wait_until(self._booted, timeout=max(1, timeout - (time.monotonic() - start)),
                                        interval=0.05, what="systemd to finish booting with a working system bus")
                except SandboxError as e:
                        detail = self._boot_diagnostics()
                        with contextlib.suppress(Exception):
                                self.shutdown()
                        raise SandboxError(f"{e}\n{detail}") from None
                except BaseException:
                        self.shutdown()
                        raise
                self.boot_seconds = time.monotonic() - start
                return self

        def _find_child(self, timeout):
                """The host PID of unshare's child, which is PID 1 inside once the init has exec'd systemd."""
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                        if self.proc.poll() is not None:
                                raise SandboxError(f"the sandbox exited during setup ({self.proc.returncode}):\n"
                                                   + self.console_log())
                        try:
                                with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                                        kids = f.read().split()
                        except FileNotFoundError:
                                kids = []
                        if kids:
                                pid = int(kids[0])
                                try:
                                        if os.readlink(f"/proc/{pid}/exe") == os.path.realpath(SYSTEMD):
                                                return pid
                                except OSError:
                                        pass
                        time.sleep(0.01)
                raise SandboxError("systemd did not start in the sandbox:\n" + self.console_log())

        def _booted(self):
                if self.proc.poll() is not None:
                        raise SandboxError(f"systemd exited while booting ({self.proc.returncode}):\n"
                                           + self.console_log())
                r = self.run("systemctl", "is-system-running", check=False, timeout=10)
                if r.stdout.strip() not in ("running", "degraded"):
                        return False
                r = self.run("busctl", "--system", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus", "GetId", check=False, timeout=10)
                return r.returncode == 0

        def _boot_diagnostics(self):
                out = ["--- console log ---", self.console_log()]
                if self.pid is not None and self.proc.poll() is None:
                        for argv in (("systemctl", "is-system-running"), ("systemctl", "list-jobs", "--no-pager"),
                                     ("systemctl", "--failed", "--no-pager"),
                                     ("journalctl", "-b", "--no-pager", "-n", "100")):
                                with contextlib.suppress(Exception):
                                        r = self.run(*argv, check=False, timeout=10)
                                        out += [f"--- {' '.join(argv)} ---", r.stdout + r.stderr]
                return "\n".join(out)

        def console_log(self):
                try:
                        with open(os.path.join(self.state_dir, f"console-{self.boots}.log"),
                                  errors="replace") as f:
                                return f.read()[-20000:]
                except FileNotFoundError:
                        return ""

        def shutdown(self, timeout=SHUTDOWN_TIMEOUT):
                """Powers systemd off (SIGRTMIN+4), SIGKILLs it after timeout; removes the cgroup. Idempotent."""
                clean = True
                if self.proc is not None:
                        if self.proc.poll() is None:
                                if self.pid is not None:
                                        with contextlib.suppress(ProcessLookupError):
                                                os.kill(self.pid, signal.SIGRTMIN + 4)
                                else:
                                        # Still setting up: unshare, which we started, takes its child along.
                                        self.proc.kill()
                        try:
                                self.proc.wait(timeout=timeout)
                        except subprocess.TimeoutExpired:
                                clean = False
                                # Killing PID 1 of the pid namespace kills every process in it.
                                if self.pid is not None:
                                        with contextlib.suppress(ProcessLookupError):
                                                os.kill(self.pid, signal.SIGKILL)
                                try:
                                        self.proc.wait(timeout=10)
                                except subprocess.TimeoutExpired:
                                        self.proc.kill()   # unshare itself, which we started
                                        self.proc.wait(timeout=10)
                        self.proc = None
                        self.pid = None
                if self.cgroup is not None:
                        _remove_cgroup(self.cgroup)
                        self.cgroup = None
                if not clean:
                        raise SandboxError(f"systemd did not power off within {timeout}s and was killed")

        def reboot(self, timeout=BOOT_TIMEOUT):
                """Powers off and boots a new systemd on the same state dir: /etc and /var survive, /run does not."""
                self.shutdown()
                return self.boot(timeout=timeout)

        def remove_state(self):
                if self.proc is not None:
                        raise SandboxError("still running")
                shutil.rmtree(self.state_dir, ignore_errors=True)

        def __enter__(self):
                try:
                        return self.boot()
                except BaseException:
                        self.__exit__(None, None, None)
                        raise

        def __exit__(self, *exc):
                try:
                        self.shutdown()
                finally:
                        if self.owns_state_dir and not os.environ.get("PODCTL_SANDBOX_KEEP"):
                                self.remove_state()

        # -- commands inside --

        def run(self, *argv, check=True, timeout=60, input=None, env=None, cwd=None):
                """Runs argv in the sandbox's namespaces; returns the CompletedProcess (text, output captured)."""
                if self.pid is None:
                        raise SandboxError("not booted")
                cmd = ["nsenter", "-t", str(self.pid), "-m", "-p", "-n", "-u", "-i", "-C"]
                if cwd is not None:
                        cmd.append("--wd=" + cwd)
                full_env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "LANG": "C.UTF-8", "SYSTEMD_PAGER": "", "PAGER": "cat", "SYSTEMD_COLORS": "0"}
                if env:
                        full_env.update(env)
                try:
                        r = subprocess.run(cmd + ["--"] + [str(a) for a in argv], input=input, env=full_env,
                                           capture_output=True, text=True, timeout=timeout,
                                           stdin=None if input is not None else subprocess.DEVNULL)
                except subprocess.TimeoutExpired as e:
                        raise SandboxError(f"timed out after {timeout}s in the sandbox: {' '.join(map(str, argv))}"
                                           f"\nstdout: {e.stdout}\nstderr: {e.stderr}") from None
                if check and r.returncode != 0:
                        raise SandboxError(f"failed with {r.returncode} in the sandbox: {' '.join(map(str, argv))}"
                                           f"\nstdout: {r.stdout}\nstderr: {r.stderr}")
                return r

        def sh(self, script, **kw):
                return self.run("/bin/sh", "-ec", script, **kw)

        def journal(self, *args, **kw):
                """journalctl inside, with --no-pager; returns its stdout."""
                return self.run("journalctl", "--no-pager", *args, **kw).stdout

        def wait_until(self, predicate, timeout=30, interval=0.1, what=""):
                """Calls predicate until it returns a true value, which is returned; raises after timeout."""
                deadline = time.monotonic() + timeout
                last = None
                while True:
                        try:
                                value = predicate()
                                if value:
                                        return value
                        except SandboxError:
                                raise
                        except Exception as e:   # a predicate may fail while the thing it waits for is not there
                                last = e
                        if time.monotonic() >= deadline:
                                msg = f"timed out after {timeout}s waiting for {what or predicate}"
                                if last is not None:
                                        msg += f" (last error: {last!r})"
                                raise SandboxError(msg)
                        time.sleep(interval)

        # -- installing the build --

        def install(self, project_dirs=None):
                """meson install of the build into the sandbox's overlays, then the project's units, D-Bus
                policy, bus activation files, journal catalog and tmpfiles.d snippets where systemd, dbus and
                journalctl look whatever the build's prefix (/usr/local puts them where nothing reads them).
                They are taken from units/ and catalog/ of PROJECT_DIRS (default: the source dir, then the
                build dir, whose generated files win) and tolerated to be missing."""
                self.run("meson", "install", "-C", self.build_dir, "--no-rebuild", "--quiet", timeout=300)
                self.run("mkdir", "-p", PERSISTENT_UNIT_DIR, TMPFILES_DIR, "/etc/dbus-1/system.d",
                         "/usr/share/dbus-1/system-services", "/usr/lib/systemd/catalog")
                if project_dirs is None:
                        project_dirs = (self.source_dir, self.build_dir)
                catalogs = False
                for name, path in _project_files(project_dirs, ("units", "catalog")):
                        with open(path, errors="replace") as f:
                                text = f.read()
                        if name.endswith(".conf") and "<busconfig" in text:
                                dest = "/etc/dbus-1/system.d"
                        elif name.endswith(".conf") and "tmpfiles" in name:
                                # No systemd-tmpfiles-setup.service here (the host's tmpfiles.d once wiped
                                # the host's /tmp): the init applies exactly these files at every boot.
                                dest = TMPFILES_DIR
                                self.run("systemd-tmpfiles", "--create", path)
                        elif name.endswith(".service") and "[D-BUS Service]" in text:
                                dest = "/usr/share/dbus-1/system-services"
                        elif name.endswith((".service", ".socket", ".target", ".timer", ".path", ".slice")):
                                self.run("cp", path, PERSISTENT_UNIT_DIR + "/")
                                dest = UNIT_DIR
                                if _wanted_at_boot(text):
                                        self.enable(name)   # as a package's preset would
                        elif name.endswith(".catalog"):
                                dest = "/usr/lib/systemd/catalog"
                                catalogs = True
                        else:
                                continue
                        self.run("cp", path, dest + "/")
                if catalogs:
                        self.run("journalctl", "--update-catalog")
                self.run("systemctl", "daemon-reload")
                self.run("busctl", "--system", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                         "org.freedesktop.DBus", "ReloadConfig")

        def enable(self, unit):
                """Makes the sandbox's target pull UNIT in at every later boot (as `systemctl enable` would)."""
                self.run("mkdir", "-p", os.path.dirname(WANTS_FILE))
                self.sh(f"grep -qxF '{unit}' {WANTS_FILE} 2>/dev/null || echo '{unit}' >>{WANTS_FILE}")


def _project_files(bases, subdirs):
        """(name, path) of the files in each of BASES/SUBDIRS, a later base winning (the build's generated
        podd.service over the source's podd.service.in, which is skipped like meson.build)."""
        found = {}
        for base in bases:
                for subdir in subdirs:
                        d = os.path.join(base, subdir)
                        if not os.path.isdir(d):
                                continue
                        for name in sorted(os.listdir(d)):
                                p = os.path.join(d, name)
                                if os.path.isfile(p) and not name.endswith((".in", ".build")):
                                        found[name] = p
        return sorted(found.items())


def _wanted_at_boot(text):
        """Whether a unit's [Install] section puts it in multi-user.target or default.target."""
        section = None
        for line in text.splitlines():
                line = line.strip()
                if line.startswith("["):
                        section = line
                elif section == "[Install]" and line.startswith("WantedBy="):
                        if {"multi-user.target", "default.target"} & set(line[9:].split()):
                                return True
        return False


def main(argv):
        if len(argv) == 3 and argv[1] == "--init":
                _sandbox_init(json.loads(argv[2]))
                return 1   # not reached: exec'd systemd
        if len(argv) >= 4 and argv[1] == "shell":
                with Sandbox(argv[2], argv[3]) as sb:
                        print(f"sandbox booted in {sb.boot_seconds:.2f}s, systemd is PID {sb.pid}", file=sys.stderr)
                        if "--install" in argv[4:]:
                                sb.install()
                        return subprocess.call(["nsenter", "-t", str(sb.pid), "-m", "-p", "-n", "-u", "-i", "-C",
                                                "--", "/bin/bash", "-l"])
        print("usage: sandbox.py shell BUILD_DIR SOURCE_DIR [--install]", file=sys.stderr)
        return 2


if __name__ == "__main__":
        sys.exit(main(sys.argv))
