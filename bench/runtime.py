#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""podd runtime figures, measured against a real systemd in the integration sandbox.

Boots tests/integration/sandbox.py, installs the build, starts podd.service and prints:
  1. apply→Running latency of a 1-container pod, then delete→gone latency of the same pod (grace 1 s);
  2. N pods at once (one /etc/pods file, one `podctl apply -f` of N documents, N `podctl apply` calls)
     until all are Running, and until all are gone again;
  3. podd's RSS with 0 and N running pods, and the CPU time podd, systemd (PID 1) and dbus-daemon used;
  4. the same at 1000 pods, checked against systemd's own list of running units.

This is a measurement, not a test: there are no thresholds. Run as root:
    python3 bench/runtime.py --build-dir build-g [--quick]

How it measures: the timing runs in one Python process INSIDE the sandbox (this file, copied in and run with
--inside), so no nsenter or busctl fork sits in the timed path. It talks D-Bus itself (a minimal client
below, standard library only) on one connection: it subscribes to podd's PodChanged/PodRemoved signals
before acting, and answers each PodChanged of a pod it waits for with an asynchronous GetPod; a pod counts
as Running at the moment the PodChanged that preceded the GetPod reply saying phase=Running arrived. A
ListPods sweep after 1 s without progress catches anything a signal would have missed, and is counted.
"""

import argparse
import json
import math
import os
import platform
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

BUS_NAME = "io.podctl.pod1"
BUS_PATH = "/io/podctl/pod1"
BUS_IFACE = "io.podctl.pod1.Manager"
PODS_DIR = "/etc/pods"
WORK_DIR = "/run/podctl-bench"
NS = "default"
MAX_IN_FLIGHT = 32      # dbus-daemon refuses a client's calls from ~150 in flight (DESIGN.md)

# ---- a minimal D-Bus client: SASL EXTERNAL, marshalling of the basic types, async calls, signals --------

_ALIGN = {"y": 1, "g": 1, "v": 1, "n": 2, "q": 2, "b": 4, "i": 4, "u": 4, "s": 4, "o": 4, "a": 4,
          "x": 8, "t": 8, "d": 8, "(": 8, "{": 8, "h": 4}
_FIXED = {"y": "B", "n": "h", "q": "H", "i": "i", "u": "I", "x": "q", "t": "Q", "d": "d", "h": "I"}


def _type_end(sig, i):
        c = sig[i]
        if c == "a":
                return _type_end(sig, i + 1)
        if c in "({":
                close = ")" if c == "(" else "}"
                i += 1
                while sig[i] != close:
                        i = _type_end(sig, i)
                return i + 1
        return i + 1


def split_signature(sig):
        out, i = [], 0
        while i < len(sig):
                j = _type_end(sig, i)
                out.append(sig[i:j])
                i = j
        return out


class _Writer:
        def __init__(self):
                self.b = bytearray()

        def pad(self, n):
                self.b += b"\0" * (-len(self.b) % n)

        def put(self, t, v):
                c = t[0]
                self.pad(_ALIGN[c])
                if c in _FIXED:
                        self.b += struct.pack("<" + _FIXED[c], v)
                elif c == "b":
                        self.b += struct.pack("<I", 1 if v else 0)
                elif c in "so":
                        e = v.encode()
                        self.b += struct.pack("<I", len(e)) + e + b"\0"
                elif c == "g":
                        e = v.encode()
                        self.b += struct.pack("<B", len(e)) + e + b"\0"
                elif c == "v":
                        self.put("g", v[0])
                        self.put(v[0], v[1])
                elif c == "a":
                        at = len(self.b)
                        self.b += b"\0\0\0\0"
                        self.pad(_ALIGN[t[1]])
                        start = len(self.b)
                        items = v.items() if t[1] == "{" else v
                        for item in items:
                                self.put(t[1:], item)
                        self.b[at:at + 4] = struct.pack("<I", len(self.b) - start)
                elif c in "({":
                        for ft, fv in zip(split_signature(t[1:-1]), v):
                                self.put(ft, fv)
                else:
                        raise ValueError(f"cannot marshal {t}")


class _Reader:
        def __init__(self, data, endian, offset=0):
                self.d, self.e, self.o = data, endian, offset

        def align(self, n):
                self.o += -self.o % n

        def get(self, t):
                c = t[0]
                self.align(_ALIGN[c])
                if c in _FIXED or c == "b":
                        fmt = self.e + ("I" if c == "b" else _FIXED[c])
                        (v,) = struct.unpack_from(fmt, self.d, self.o)
                        self.o += struct.calcsize(fmt)
                        return bool(v) if c == "b" else v
                if c in "so":
                        (n,) = struct.unpack_from(self.e + "I", self.d, self.o)
                        v = self.d[self.o + 4:self.o + 4 + n].decode()
                        self.o += 4 + n + 1
                        return v
                if c == "g":
                        n = self.d[self.o]
                        v = self.d[self.o + 1:self.o + 1 + n].decode()
                        self.o += 1 + n + 1
                        return v
                if c == "v":
                        sig = self.get("g")
                        return self.get(sig)
                if c == "a":
                        (n,) = struct.unpack_from(self.e + "I", self.d, self.o)
                        self.o += 4
                        self.align(_ALIGN[t[1]])
                        end, items = self.o + n, []
                        while self.o < end:
                                items.append(self.get(t[1:]))
                        return dict(items) if t[1] == "{" else items
                if c in "({":
                        return tuple(self.get(ft) for ft in split_signature(t[1:-1]))
                raise ValueError(f"cannot unmarshal {t}")


class Message:
        __slots__ = ("type", "serial", "fields", "args", "received")

        def member(self):
                return self.fields.get(3)


class BusError(Exception):
        pass


class Bus:
        """One connection to the system bus. Calls are asynchronous (call_async → callback(msg)) or
        blocking (call); signals go to on_signal(msg). Every message carries its receipt time."""

        def __init__(self, path="/run/dbus/system_bus_socket"):
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                self.sock.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
                line = b""
                while not line.endswith(b"\r\n"):
                        chunk = self.sock.recv(256)
                        if not chunk:
                                raise BusError("bus closed during authentication")
                        line += chunk
                if not line.startswith(b"OK "):
                        raise BusError(f"authentication refused: {line!r}")
                self.sock.sendall(b"BEGIN\r\n")
                self.buf = bytearray()
                self.serial = 0
                self.pending = {}
                self.on_signal = None
                self.in_flight = 0
                self.unique_name = self.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                             "org.freedesktop.DBus", "Hello")[0]

        def fileno(self):
                return self.sock.fileno()

        def _send(self, mtype, fields, sig, args, flags=0):
                body = _Writer()
                for t, v in zip(split_signature(sig), args):
                        body.put(t, v)
                self.serial += 1
                hdr = _Writer()
                hdr.b += struct.pack("<cBBBII", b"l", mtype, flags, 1, len(body.b), self.serial)
                hf = [(code, val) for code, val in fields]
                if sig:
                        hf.append((8, ("g", sig)))
                hdr.put("a(yv)", hf)
                hdr.pad(8)
                self.sock.sendall(bytes(hdr.b) + bytes(body.b))
                return self.serial

        def call_async(self, dest, path, iface, member, sig="", args=(), callback=None):
                fields = [(1, ("o", path)), (2, ("s", iface)), (3, ("s", member)), (6, ("s", dest))]
                serial = self._send(1, fields, sig, args)
                self.pending[serial] = callback
                self.in_flight += 1
                return serial

        def call(self, dest, path, iface, member, sig="", args=(), timeout=30):
                box = []
                self.call_async(dest, path, iface, member, sig, args, box.append)
                deadline = time.monotonic() + timeout
                while not box:
                        left = deadline - time.monotonic()
                        if left <= 0:
                                raise BusError(f"timed out calling {member}")
                        self.process(left)
                m = box[0]
                if m.type == 3:
                        raise BusError(f"{m.fields.get(4)}: {m.args[0] if m.args else ''}")
                return m.args

        def add_match(self, rule):
                self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch",
                          "s", (rule,))

        def _parse(self):
                out = []
                while len(self.buf) >= 16:
                        endian = "<" if self.buf[0:1] == b"l" else ">"
                        mtype, _flags, _ver, body_len, serial, fields_len = struct.unpack_from(
                                endian + "BBBIII", self.buf, 1)
                        hdr_len = 16 + fields_len
                        hdr_len += -hdr_len % 8
                        total = hdr_len + body_len
                        if len(self.buf) < total:
                                break
                        data = bytes(self.buf[:total])
                        del self.buf[:total]
                        m = Message()
                        m.type, m.serial = mtype, serial
                        m.fields = dict(_Reader(data, endian, 12).get("a(yv)"))
                        sig = m.fields.get(8, "")
                        r = _Reader(data[hdr_len:], endian)
                        m.args = [r.get(t) for t in split_signature(sig)]
                        out.append(m)
                return out

        def process(self, timeout):
                """Waits up to TIMEOUT seconds for input, then dispatches every complete message."""
                ready, _, _ = select.select([self.sock], [], [], max(timeout, 0))
                if not ready:
                        return 0
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                        raise BusError("bus connection closed")
                now = time.monotonic()
                self.buf += chunk
                msgs = self._parse()
                for m in msgs:
                        m.received = now
                        if m.type in (2, 3):
                                cb = self.pending.pop(m.fields.get(5), None)
                                self.in_flight -= 1
                                if cb:
                                        cb(m)
                        elif m.type == 4 and self.on_signal:
                                self.on_signal(m)
                return len(msgs)


# ---- inside the sandbox: the measurements -------------------------------------------------------------

def pod_yaml(name):
        return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {NS}\nspec:\n"
                f"  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n"
                f"    command: [/bin/sleep, infinity]\n")


def proc_stats(pid):
        """(cpu seconds user+system, VmRSS KiB, VmHWM KiB) of PID, or None when it is gone."""
        try:
                with open(f"/proc/{pid}/stat") as f:
                        stat = f.read()
                with open(f"/proc/{pid}/status") as f:
                        status = f.read()
        except OSError:
                return None
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        kv = {}
        for line in status.splitlines():
                k, _, v = line.partition(":")
                kv[k] = v.split()[0] if v.split() else ""
        return cpu, int(kv.get("VmRSS", 0)), int(kv.get("VmHWM", 0))


def main_pid(unit):
        out = subprocess.run(["systemctl", "show", "-P", "MainPID", unit], capture_output=True, text=True)
        return int(out.stdout.strip() or 0)


class Watcher:
        """Follows podd's signals for a set of pod names: when each became Running, when each was removed."""

        def __init__(self, bus):
                self.bus = bus
                self.want_running = set()     # names still waited for
                self.want_gone = set()
                self.running_at = {}          # name → time the pod was seen Running (signal receipt)
                self.gone_at = {}
                self.last_signal = {}         # name → receipt time of its latest PodChanged
                self.in_flight = set()        # names with a GetPod outstanding
                self.dirty = set()            # names that changed again while their GetPod was out
                self.queue = []               # names waiting for an in-flight slot
                self.signals = 0
                self.getpods = 0
                self.by_sweep = 0
                self.query_rtt = []           # GetPod reply − the PodChanged it answered
                self.last_progress = time.monotonic()
                bus.on_signal = self.on_signal

        def on_signal(self, m):
                if m.fields.get(2) != BUS_IFACE or len(m.args) < 2 or m.args[0] != NS:
                        return
                self.signals += 1
                name = m.args[1]
                if m.member() == "PodChanged" and name in self.want_running:
                        self.last_signal[name] = m.received
                        if name in self.in_flight:
                                self.dirty.add(name)
                        elif name not in self.queue:
                                self.queue.append(name)
                elif m.member() == "PodRemoved" and name in self.want_gone:
                        self.want_gone.discard(name)
                        self.gone_at[name] = m.received
                        self.last_progress = m.received
                self.pump()

        def pump(self):
                while self.queue and len(self.in_flight) < MAX_IN_FLIGHT:
                        name = self.queue.pop(0)
                        if name not in self.want_running:
                                continue
                        self.in_flight.add(name)
                        self.getpods += 1
                        asked = self.last_signal.get(name)
                        self.bus.call_async(BUS_NAME, BUS_PATH, BUS_IFACE, "GetPod", "ss", (NS, name),
                                            lambda m, n=name, a=asked: self.on_pod(n, a, m))

        def on_pod(self, name, asked, m):
                self.in_flight.discard(name)
                if m.type == 2 and name in self.want_running:
                        phase = json.loads(m.args[0]).get("status", {}).get("phase")
                        if phase == "Running":
                                self.want_running.discard(name)
                                self.running_at[name] = self.last_signal.get(name, m.received)
                                self.last_progress = m.received
                                if asked is not None:
                                        self.query_rtt.append(m.received - asked)
                                self.dirty.discard(name)
                if name in self.dirty:
                        self.dirty.discard(name)
                        self.queue.append(name)
                self.pump()

        def sweep(self):
                """One ListPods: catches a Running pod or a removal whose signal never came."""
                items = json.loads(self.bus.call(BUS_NAME, BUS_PATH, BUS_IFACE, "ListPods", "s", (NS,),
                                                 timeout=60)[0]).get("items", [])
                now = time.monotonic()
                present = set()
                for it in items:
                        name = it["metadata"]["name"]
                        present.add(name)
                        if name in self.want_running and it.get("status", {}).get("phase") == "Running":
                                self.want_running.discard(name)
                                self.running_at[name] = now
                                self.by_sweep += 1
                for name in list(self.want_gone - present):
                        self.want_gone.discard(name)
                        self.gone_at[name] = now
                        self.by_sweep += 1
                self.last_progress = now

        def wait(self, timeout, procs=()):
                """Processes the bus until nothing is waited for; PROCS (Popen) are reaped on the way, their
                end times returned in order. Returns (done, end times)."""
                deadline = time.monotonic() + timeout
                self.last_progress = time.monotonic()
                ends = [None] * len(procs)
                while True:
                        for i, p in enumerate(procs):
                                if ends[i] is None and p.poll() is not None:
                                        ends[i] = time.monotonic()
                        procs_done = all(e is not None for e in ends)
                        if not self.want_running and not self.want_gone and procs_done:
                                return True, ends
                        now = time.monotonic()
                        if now >= deadline:
                                return False, ends
                        self.bus.process(0.002 if not procs_done else min(0.5, deadline - now))
                        if (self.want_running or self.want_gone) and time.monotonic() - self.last_progress > 1.0:
                                self.sweep()


def podctl(*args):
        # stderr to a file, not a pipe: an apply of 1000 image-less pods prints 1000 warnings (176 KB), and a
        # pipe nobody reads while waiting would block podctl once 64 KB are written.
        err = tempfile.TemporaryFile(dir=WORK_DIR)
        p = subprocess.Popen(["podctl", *args], stdout=subprocess.DEVNULL, stderr=err)
        p.err = err
        return p


def stderr_of(p):
        p.err.seek(0)
        return p.err.read().decode(errors="replace")


def settle(bus, seconds=0.3):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
                bus.process(end - time.monotonic())


def count_pod_units():
        """Container services systemd has running, and container services it still has loaded at all."""
        out = subprocess.run(["systemctl", "list-units", "--all", "--plain", "--no-legend", "pod-*.service"],
                             capture_output=True, text=True).stdout.splitlines()
        running = sum(1 for l in out if len(l.split()) > 3 and l.split()[3] == "running")
        return running, len(out)


def wait_no_pod_units(timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
                _, loaded = count_pod_units()
                if loaded == 0:
                        return True
                time.sleep(0.1)
        return False


def unit_of(name):
        esc = lambda s: s.replace("-", "\\x2d")
        return f"pod-{esc(NS)}-{esc(name)}-c.service"


def active_enter(names):
        """name → CLOCK_MONOTONIC seconds at which systemd saw its container unit go active (systemd's own
        ActiveEnterTimestampMonotonic: the same clock as time.monotonic() here)."""
        by_unit = {unit_of(n): n for n in names}
        units = list(by_unit)
        out = {}
        for i in range(0, len(units), 200):
                text = subprocess.run(["systemctl", "show", "-p", "Id,ActiveEnterTimestampMonotonic", "--",
                                       *units[i:i + 200]], capture_output=True, text=True).stdout
                for block in text.split("\n\n"):
                        kv = dict(l.split("=", 1) for l in block.splitlines() if "=" in l)
                        usec = int(kv.get("ActiveEnterTimestampMonotonic") or 0)
                        if kv.get("Id") in by_unit and usec > 0:
                                out[by_unit[kv["Id"]]] = usec / 1e6
        return out


def inside_latency(n, pause):
        """apply→Running then delete→gone of one pod, N times in a row."""
        bus = Bus()
        bus.add_match(f"type='signal',sender='{BUS_NAME}',interface='{BUS_IFACE}',path='{BUS_PATH}'")
        w = Watcher(bus)
        os.makedirs(WORK_DIR, exist_ok=True)
        res = {"apply_running": [], "apply_return": [], "delete_gone": [], "delete_return": [], "failures": [],
               "unit_active": [], "report_lag": []}
        for i in range(n):
                name = f"lat-{i}"
                path = f"{WORK_DIR}/{name}.yaml"
                with open(path, "w") as f:
                        f.write(pod_yaml(name))
                w.want_running = {name}
                t0 = time.monotonic()
                p = podctl("apply", "-f", path)
                ok, ends = w.wait(60, [p])
                if not ok or p.returncode != 0:
                        res["failures"].append(f"{name}: apply rc={p.returncode} {stderr_of(p)!r} "
                                               f"running={not w.want_running}")
                        w.want_running.clear()
                        if len(res["failures"]) >= 3:
                                break
                        continue
                res["apply_running"].append(w.running_at[name] - t0)
                res["apply_return"].append(ends[0] - t0)
                settle(bus, pause)
                act = active_enter([name]).get(name)
                if act:
                        res["unit_active"].append(act - t0)
                        res["report_lag"].append(w.running_at[name] - act)

                w.want_gone = {name}
                t0 = time.monotonic()
                p = podctl("delete", "pod", name, "--grace-period=1")
                ok, ends = w.wait(60, [p])
                if not ok or p.returncode != 0:
                        res["failures"].append(f"{name}: delete rc={p.returncode} {stderr_of(p)!r}")
                        w.want_gone.clear()
                        if len(res["failures"]) >= 3:
                                break
                        continue
                res["delete_gone"].append(w.gone_at[name] - t0)
                res["delete_return"].append(ends[0] - t0)
                settle(bus, pause)
        res["query_rtt"] = w.query_rtt
        res["signals"], res["getpods"], res["by_sweep"] = w.signals, w.getpods, w.by_sweep
        return res


def inside_batch(n, mode, prefix):
        """N pods at once, declared by MODE: 'file' (one /etc/pods file with N documents), 'apply' (one
        podctl apply -f of N documents) or 'apply-each' (N podctl apply calls, one after the other).
        Waits until all are Running, checks them against podd and systemd, then removes them all at once
        and waits until all are gone."""
        bus = Bus()
        bus.add_match(f"type='signal',sender='{BUS_NAME}',interface='{BUS_IFACE}',path='{BUS_PATH}'")
        w = Watcher(bus)
        os.makedirs(WORK_DIR, exist_ok=True)
        names = [f"{prefix}-{i}" for i in range(n)]
        docs = [pod_yaml(name) for name in names]
        if mode == "apply-each":
                for name, doc in zip(names, docs):
                        with open(f"{WORK_DIR}/{name}.yaml", "w") as f:
                                f.write(doc)
        else:
                with open(f"{WORK_DIR}/{prefix}.yaml", "w") as f:
                        f.write("---\n".join(docs))
        podd_pid, dbus_pid = main_pid("podd.service"), main_pid("dbus.service")
        pids = {"podd": podd_pid, "systemd": 1, "dbus": dbus_pid}
        res = {"n": n, "mode": mode}
        before = {k: proc_stats(p) for k, p in pids.items()}
        res["podd_rss_before_kib"] = before["podd"][1]

        w.want_running = set(names)
        timeout = 60 + n * 0.5
        t0 = time.monotonic()
        procs = []
        if mode == "file":
                tmp = f"{PODS_DIR}/.{prefix}.yaml.tmp"
                with open(tmp, "w") as f:
                        f.write("---\n".join(docs))
                        f.flush()
                        os.fsync(f.fileno())
                os.rename(tmp, f"{PODS_DIR}/{prefix}.yaml")
        elif mode == "apply":
                procs = [podctl("apply", "-f", f"{WORK_DIR}/{prefix}.yaml")]
        else:
                for name in names:
                        p = podctl("apply", "-f", f"{WORK_DIR}/{name}.yaml")
                        while p.poll() is None:       # keep receiving signals: their receipt times count
                                bus.process(0.002)
                        if p.returncode != 0:
                                res.setdefault("failures", []).append(stderr_of(p))
                res["apply_calls_s"] = time.monotonic() - t0
        ok, ends = w.wait(timeout, procs)
        t_all = time.monotonic()
        after = {k: proc_stats(p) for k, p in pids.items()}
        if procs:
                res["apply_return_s"] = ends[0] - t0 if ends[0] else None
                if procs[0].returncode:
                        res.setdefault("failures", []).append(stderr_of(procs[0]))
        times = sorted(t - t0 for t in w.running_at.values())
        res["complete"] = ok
        res["running"] = len(times)
        res["first_s"] = times[0] if times else None
        res["half_s"] = times[len(times) // 2] if times else None
        res["all_s"] = times[-1] if ok else t_all - t0
        res["cpu_s"] = {k: after[k][0] - before[k][0] for k in pids if after[k] and before[k]}
        res["podd_rss_kib"] = after["podd"][1] if after["podd"] else None
        res["podd_hwm_kib"] = after["podd"][2] if after["podd"] else None
        res["signals"], res["getpods"], res["by_sweep"] = w.signals, w.getpods, w.by_sweep
        act = active_enter(names)
        res["systemd_active"] = len(act)
        res["systemd_first_s"] = min(act.values()) - t0 if act else None
        res["systemd_all_s"] = max(act.values()) - t0 if act else None
        res["report_lag"] = [w.running_at[n] - act[n] for n in names if n in act and n in w.running_at]

        # the check: podd says Running, systemd has the container running, nothing restarted
        items = json.loads(bus.call(BUS_NAME, BUS_PATH, BUS_IFACE, "ListPods", "s", (NS,), timeout=60)[0])["items"]
        ours = [it for it in items if it["metadata"]["name"] in set(names)]
        res["podd_listed"] = len(ours)
        res["podd_running"] = sum(1 for it in ours if it["status"].get("phase") == "Running")
        res["restarts"] = sum(cs.get("restartCount", 0) for it in ours
                              for cs in it["status"].get("containerStatuses", []))
        res["systemd_running"], _ = count_pod_units()
        if not ok:
                stuck = sorted(w.want_running)
                res["stuck"] = stuck[:10]
                res["stuck_n"] = len(stuck)
                res["stuck_status"] = [it["status"] for it in ours if it["metadata"]["name"] in stuck[:3]]

        # all removed at once
        w.want_running.clear()
        w.want_gone = set(names)
        t0 = time.monotonic()
        files = [f"{PODS_DIR}/{prefix}.yaml"] if mode == "file" else \
                [f"{PODS_DIR}/{NS}_{name}.yaml" for name in names]
        for f in files:
                os.unlink(f)
        gone_ok, _ = w.wait(60 + n * 0.5)
        res["gone_complete"] = gone_ok
        res["gone_s"] = max(w.gone_at.values()) - t0 if w.gone_at else None
        res["units_left"] = not wait_no_pod_units()
        after_gone = proc_stats(podd_pid)
        res["podd_rss_after_kib"] = after_gone[1] if after_gone else None
        return res


def inside_stats():
        pid = main_pid("podd.service")
        s = proc_stats(pid)
        return {"podd_pid": pid, "cpu_s": s[0], "rss_kib": s[1], "hwm_kib": s[2],
                "systemd_version": subprocess.run(["systemctl", "--version"], capture_output=True,
                                                  text=True).stdout.split()[1]}


def inside_main(argv):
        what = argv[0]
        if what == "latency":
                out = inside_latency(int(argv[1]), float(argv[2]))
        elif what == "batch":
                out = inside_batch(int(argv[1]), argv[2], argv[3])
        elif what == "stats":
                out = inside_stats()
        else:
                raise SystemExit(f"unknown inside command {what}")
        json.dump(out, sys.stdout)
        return 0


# ---- on the host: the sandbox and the report ----------------------------------------------------------

def pct(xs, p):
        """Nearest-rank percentile."""
        s = sorted(xs)
        return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def ms(x):
        return f"{x * 1000:.1f} ms"


def dist(xs):
        if not xs:
                return "no samples"
        return f"p50 {ms(pct(xs, 50))}  p95 {ms(pct(xs, 95))}  max {ms(max(xs))}"


def mib(kib):
        return f"{kib / 1024:.1f} MiB" if kib is not None else "?"


def host_main(args):
        source = os.path.abspath(args.source_dir)
        sys.path.insert(0, os.path.join(source, "tests", "integration"))
        from sandbox import Sandbox  # noqa: E402  (lives in the source tree)

        build = os.path.abspath(args.build_dir)
        rows = []

        def row(k, v):
                rows.append((k, v))
                print(f"  {k}: {v}", flush=True)

        sb = Sandbox(build, source)
        t = time.monotonic()
        sb.boot()
        try:
                sb.install()
                sb.run("mkdir", "-p", WORK_DIR)
                with open(os.path.abspath(__file__)) as f:
                        sb.run("sh", "-c", f"cat > {WORK_DIR}/runtime.py", input=f.read())
                sb.run("systemctl", "start", "podd.service")
                sb.wait_until(lambda: sb.run("podctl", "get", "pods", check=False).returncode == 0, timeout=30,
                              what="podd answering")
                print(f"sandbox booted and podd started in {time.monotonic() - t:.1f} s", flush=True)
                settle_s = 1.0

                def inside(*a, timeout=600):
                        r = sb.run("python3", f"{WORK_DIR}/runtime.py", "--inside", *map(str, a), timeout=timeout)
                        return json.loads(r.stdout)

                time.sleep(settle_s)
                st0 = inside("stats")
                row("podd RSS, 0 pods (fresh)", f"{mib(st0['rss_kib'])}")

                print(f"[1] apply→Running and delete→gone, {args.samples} samples", flush=True)
                lat = inside("latency", args.samples, 0.2)
                row(f"apply→Running, 1 pod (n={len(lat['apply_running'])})", dist(lat["apply_running"]))
                row("  podctl apply returned after", dist(lat["apply_return"]))
                row("  systemd had the container active after", dist(lat["unit_active"]))
                row("  unit active → podd reports Running", dist(lat["report_lag"]))
                row(f"delete→gone, grace 1 s (n={len(lat['delete_gone'])})", dist(lat["delete_gone"]))
                row("  podctl delete (waits) returned after", dist(lat["delete_return"]))
                row("  measurement overhead (PodChanged→GetPod reply)", dist(lat["query_rtt"]))
                if lat["by_sweep"]:
                        row("  found by ListPods sweep, not by a signal", str(lat["by_sweep"]))
                for f in lat["failures"]:
                        row("  FAILURE", f)
                st1 = inside("stats")
                row("podd RSS, 0 pods (after the samples)", mib(st1["rss_kib"]))

                batches = [("file", args.batch), ("apply", args.batch), ("apply-each", args.batch)]
                if args.big:
                        batches.append(("file", args.big))
                for i, (mode, n) in enumerate(batches):
                        time.sleep(settle_s)
                        how = {"file": "one /etc/pods file", "apply": "one podctl apply -f",
                               "apply-each": f"{n} podctl apply calls"}[mode]
                        print(f"[{i + 2}] {n} pods at once, {how}", flush=True)
                        b = inside("batch", n, mode, f"b{i}", timeout=int(300 + n))
                        tag = f"{n} pods, {how}"
                        state = "all Running" if b["complete"] else f"ONLY {b['running']}/{n} Running"
                        row(tag, f"{state} in {b['all_s']:.2f} s = {b['running'] / b['all_s']:.1f} pods/s "
                                 f"(first {ms(b['first_s'] or 0)}, half {b['half_s'] or 0:.2f} s)")
                        if "apply_calls_s" in b:
                                row("  the apply calls took", f"{b['apply_calls_s']:.2f} s "
                                                              f"({b['apply_calls_s'] / n * 1000:.1f} ms each)")
                        if b["systemd_all_s"] is not None:
                                row("  systemd had them active", f"first after {ms(b['systemd_first_s'])}, "
                                                                 f"all {b['systemd_active']} after {b['systemd_all_s']:.2f} s")
                                row("  unit active → podd reports Running", dist(b["report_lag"]))
                        if b.get("apply_return_s"):
                                row("  podctl apply returned after", ms(b["apply_return_s"]))
                        cpu = b["cpu_s"]
                        row("  CPU used meanwhile", f"podd {cpu.get('podd', 0):.2f} s, systemd {cpu.get('systemd', 0):.2f} s, "
                                                    f"dbus-daemon {cpu.get('dbus', 0):.2f} s (wall {b['all_s']:.2f} s)")
                        row(f"  podd RSS, {n} running", f"{mib(b['podd_rss_kib'])} (peak {mib(b['podd_hwm_kib'])}; "
                                                      f"before {mib(b['podd_rss_before_kib'])}, "
                                                      f"after removal {mib(b['podd_rss_after_kib'])})")
                        row("  check", f"podd lists {b['podd_listed']}, {b['podd_running']} Running, "
                                       f"{b['restarts']} restarts; systemd runs {b['systemd_running']} containers")
                        gone = f"{b['gone_s']:.2f} s" if b["gone_s"] is not None else "?"
                        row(f"  all {n} removed at once → gone",
                            (gone if b["gone_complete"] else f"NOT ALL GONE after {gone}")
                            + ("; pod units still loaded afterwards" if b["units_left"] else ""))
                        if b["by_sweep"]:
                                row("  found by ListPods sweep, not by a signal", str(b["by_sweep"]))
                        if b.get("stuck"):
                                row("  STUCK", f"{b['stuck_n']} pods, e.g. {b['stuck']}: {json.dumps(b['stuck_status'])[:600]}")
                        for f in b.get("failures", []):
                                row("  FAILURE", f.strip()[:300])
                if args.churn:
                        print(f"[{len(batches) + 2}] {args.churn} more rounds of {args.batch} pods started and removed",
                              flush=True)
                        rss, rates = [], []
                        for r in range(args.churn):
                                time.sleep(settle_s)
                                b = inside("batch", args.batch, "file", f"c{r}", timeout=int(300 + args.batch))
                                rss.append(mib(b["podd_rss_after_kib"]))
                                rates.append(f"{b['running'] / b['all_s']:.0f}" if b["complete"] else "INCOMPLETE")
                        row(f"podd RSS after each of {args.churn} more {args.batch}-pod rounds", ", ".join(rss))
                        row("  pods/s in those rounds", ", ".join(rates))
                st2 = inside("stats")
                row("podd CPU, whole run", f"{st2['cpu_s']:.2f} s")
        finally:
                sb.shutdown()
                sb.remove_state()

        print()
        print(f"podctl runtime figures — {os.cpu_count()} CPUs, kernel {platform.release()}, "
              f"systemd {st0.get('systemd_version', '?')}, {time.strftime('%Y-%m-%d %H:%M')}")
        width = max(len(k) for k, _ in rows)
        for k, v in rows:
                print(f"{k:<{width}}  {v}")
        return 0


def main():
        if len(sys.argv) > 1 and sys.argv[1] == "--inside":
                return inside_main(sys.argv[2:])
        ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
        ap.add_argument("--build-dir", default="build")
        ap.add_argument("--source-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
        ap.add_argument("--quick", action="store_true", help="small counts: 5 samples, 20 pods, no 1000")
        ap.add_argument("--samples", type=int, help="latency samples (default 30, quick 5)")
        ap.add_argument("--batch", type=int, help="pods started at once (default 100, quick 20)")
        ap.add_argument("--big", type=int, help="the large batch (default 1000, quick 0 = skipped)")
        ap.add_argument("--churn", type=int,
                        help="extra rounds of --batch pods at the end, to see whether podd's RSS keeps growing "
                             "(default 5, quick 0)")
        args = ap.parse_args()
        if args.samples is None:
                args.samples = 5 if args.quick else 30
        if args.batch is None:
                args.batch = 20 if args.quick else 100
        if args.big is None:
                args.big = 0 if args.quick else 1000
        if args.churn is None:
                args.churn = 0 if args.quick else 5
        if os.geteuid() != 0:
                print("runtime.py needs root (it boots a sandboxed systemd)", file=sys.stderr)
                return 77
        return host_main(args)


if __name__ == "__main__":
        sys.exit(main())
