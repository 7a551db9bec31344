#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""podd's cost of running probes, measured against a real systemd in the integration sandbox.

Boots tests/integration/sandbox.py, installs the build, starts podd.service, and runs:
  - one server pod: tests/integration/servers/bench_http_server.py on port 18080 (single-threaded, records
    every request with its time) and tests/integration/servers/tcp_server.py on port 18081;
  - N pods (default 200), each with 3 probes at periodSeconds=1 that run all the time: container `app`
    (/bin/sleep infinity) with a livenessProbe httpGet http://:18080/p/POD and a readinessProbe tcpSocket
    :18081, container `side` (/bin/sleep infinity) with a readinessProbe exec /bin/true. (A container has at
    most one liveness and one readiness probe, and a startup probe stops once it succeeds: 3 probes that keep
    running need two containers.)
Then, over --seconds (default 60) with all pods Running, it prints:
  - podd's CPU use in % of one core: utime+stime of podd's own process from /proc/PID/stat (exec probes run
    from a pod-probe-agent per container, in the container's cgroup: the agents' CPU and their commands'
    are printed beside it; where podd starts exec probes itself they are its children, printed too), also
    for systemd (PID 1) and dbus-daemon, and podd's with 0 pods for comparison;
  - podd's RSS (VmRSS) at the end and its peak (VmHWM);
  - the probe period jitter: for each pod, the intervals between consecutive httpGet requests the server
    recorded, minus the period (1 s): p50/p95/max lateness, and the requests per second that arrived.

This is a measurement, not a test: there are no thresholds. Run as root:
    python3 bench/probes.py --build-dir build-h3 [--pods 200] [--seconds 60]
"""

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import time

WORK_DIR = "/run/podctl-bench-probes"
HTTP_PORT, TCP_PORT = 18080, 18081
SERVER_POD = "probe-servers"


def pod_doc(name, period, only):
        app = {"name": "app", "command": ["/bin/sleep", "infinity"]}
        side = {"name": "side", "command": ["/bin/sleep", "infinity"]}
        if "http" in only:
                app["livenessProbe"] = {"httpGet": {"path": f"/p/{name}", "port": HTTP_PORT},
                                        "periodSeconds": period, "failureThreshold": 3}
        if "tcp" in only:
                app["readinessProbe"] = {"tcpSocket": {"port": TCP_PORT}, "periodSeconds": period}
        if "exec" in only:
                side["readinessProbe"] = {"exec": {"command": ["/bin/true"]}, "periodSeconds": period}
        return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                           "spec": {"terminationGracePeriodSeconds": 1, "containers": [app, side]}})


def server_doc(servers):
        return json.dumps({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": SERVER_POD},
                "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                        {"name": "http", "command": ["/usr/bin/python3", "-u", f"{servers}/bench_http_server.py", "--port",
                                                     str(HTTP_PORT), "--record", f"{WORK_DIR}/http.rec"]},
                        {"name": "tcp", "command": ["/usr/bin/python3", "-u", f"{servers}/tcp_server.py", "--port",
                                                    str(TCP_PORT)]},
                ]}})


# ---- inside the sandbox ----------------------------------------------------------------------------------

def main_pid(unit):
        out = subprocess.run(["systemctl", "show", "-P", "MainPID", unit], capture_output=True, text=True).stdout
        return int(out.strip() or 0)


def proc_stats(pid):
        """(own CPU s, children's CPU s, VmRSS KiB, VmHWM KiB) of a process, or None if it is gone."""
        try:
                with open(f"/proc/{pid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/status") as f:
                        status = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
                return None
        tck = os.sysconf("SC_CLK_TCK")
        # after the ")": state is fields[0], so utime (field 14) is fields[11]
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        kib = lambda k: int(status[k].split()[0]) if k in status else None
        return ((utime + stime) / tck, (cutime + cstime) / tck, kib("VmRSS"), kib("VmHWM"))


def agent_pids():
        """The pod-probe-agent processes (one per container with exec probes)."""
        found = []
        for d in os.listdir("/proc"):
                try:
                        with open(f"/proc/{d}/comm") as f:
                                if f.read().strip() == "pod-probe-agent":  # comm keeps 15 characters: all of it
                                        found.append(int(d))
                except (OSError, ValueError):
                        pass
        return found


def agents_cpu(pids):
        """CPU seconds of the agents and of the probes they reaped, by PID."""
        out = {}
        for pid in pids:
                st = proc_stats(pid)
                if st:
                        out[pid] = (st[0], st[1])
        return out


def inside_measure(seconds):
        pids = {"podd": main_pid("podd.service"), "systemd": 1, "dbus": main_pid("dbus.service")}
        agents = agent_pids()
        t0 = time.monotonic()
        w0 = time.time()
        before = {k: proc_stats(p) for k, p in pids.items()}
        a0 = agents_cpu(agents)
        time.sleep(seconds)
        after = {k: proc_stats(p) for k, p in pids.items()}
        a1 = agents_cpu(agents)
        wall = time.monotonic() - t0
        w1 = time.time()
        res = {"wall": wall, "from": w0, "to": w1}
        # Agents alive through the whole window only (a restarted container's agent is a new process).
        both = [p for p in a0 if p in a1]
        res["agents"] = {"n": len(both),
                         "cpu_pct": sum(a1[p][0] - a0[p][0] for p in both) / wall * 100,
                         "children_cpu_pct": sum(a1[p][1] - a0[p][1] for p in both) / wall * 100}
        for k in pids:
                if before[k] and after[k]:
                        res[k] = {"cpu_pct": (after[k][0] - before[k][0]) / wall * 100,
                                  "children_cpu_pct": (after[k][1] - before[k][1]) / wall * 100,
                                  "rss_kib": after[k][2], "hwm_kib": after[k][3]}
        return res


def pct(xs, p):
        s = sorted(xs)
        return s[max(0, math.ceil(p / 100 * len(s)) - 1)] if s else None


def inside_jitter(w0, w1, period):
        """Lateness of the httpGet probes the server recorded between w0 and w1, per pod path."""
        by_pod = {}
        try:
                with open(f"{WORK_DIR}/http.rec") as f:
                        for line in f:
                                try:
                                        r = json.loads(line)
                                except ValueError:
                                        continue
                                p = r.get("path", "")
                                if p.startswith("/p/") and w0 <= r["t"] <= w1:
                                        by_pod.setdefault(p, []).append(r["t"])
        except FileNotFoundError:
                pass
        late, sched, missed = [], [], 0
        for ts in by_pod.values():
                ts.sort()
                late += [b - a - period for a, b in zip(ts, ts[1:])]
                # Against the pod's own schedule: tick k is due at phase + k × period, the phase being the
                # earliest offset seen (the best case); a tick more than half a period off counts as the
                # nearest one, and a tick with no request as missed.
                ks = [round((t - ts[0]) / period) for t in ts]
                offsets = [t - k * period for t, k in zip(ts, ks)]
                best = min(offsets)
                sched += [o - best for o in offsets]
                missed += ks[-1] + 1 - len(set(ks))
        n = sum(len(v) for v in by_pod.values())
        return {"pods_seen": len(by_pod), "requests": n, "per_s": n / (w1 - w0),
                "late_p50": pct(late, 50), "late_p95": pct(late, 95), "late_max": max(late) if late else None,
                "early_min": min(late) if late else None, "intervals": len(late),
                "sched_p50": pct(sched, 50), "sched_p95": pct(sched, 95), "sched_max": max(sched) if sched else None,
                "missed": missed}


def inside_main(argv):
        if argv[0] == "measure":
                out = inside_measure(float(argv[1]))
        elif argv[0] == "jitter":
                out = inside_jitter(float(argv[1]), float(argv[2]), float(argv[3]))
        else:
                raise SystemExit(f"unknown inside command {argv[0]}")
        json.dump(out, sys.stdout)
        return 0


# ---- on the host -----------------------------------------------------------------------------------------

def host_main(args):
        source = os.path.abspath(args.source_dir)
        sys.path.insert(0, os.path.join(source, "tests", "integration"))
        from sandbox import Sandbox  # noqa: E402  (lives in the source tree)

        servers = os.path.join(source, "tests", "integration", "servers")
        rows = []

        def row(k, v):
                rows.append((k, v))
                print(f"  {k}: {v}", flush=True)

        def ms(x):
                return f"{x * 1000:.1f} ms" if x is not None else "-"

        sb = Sandbox(os.path.abspath(args.build_dir), source)
        t = time.monotonic()
        sb.boot()
        try:
                sb.install()
                sb.run("mkdir", "-p", WORK_DIR)
                with open(os.path.abspath(__file__)) as f:
                        sb.run("sh", "-c", f"cat > {WORK_DIR}/probes.py", input=f.read())
                sb.run("systemctl", "start", "podd.service")
                sb.wait_until(lambda: sb.run("podctl", "get", "pods", check=False).returncode == 0, timeout=30,
                              what="podd answering")
                print(f"sandbox booted and podd started in {time.monotonic() - t:.1f} s", flush=True)

                def inside(*a, timeout=600):
                        r = sb.run("python3", f"{WORK_DIR}/probes.py", "--inside", *map(str, a), timeout=timeout)
                        return json.loads(r.stdout)

                def pods():
                        out = sb.run("podctl", "get", "pods", "-o", "json", check=False).stdout
                        try:
                                return json.loads(out)["items"]
                        except (ValueError, KeyError):
                                return []

                idle = inside("measure", 10)
                row("podd CPU, 0 pods (10 s)", f"{idle['podd']['cpu_pct']:.2f} % of one core")
                row("podd RSS, 0 pods", f"{idle['podd']['rss_kib'] / 1024:.1f} MiB")

                sb.run("podctl", "apply", "-f", "-", input=server_doc(servers))
                sb.wait_until(lambda: "LISTENING" in sb.journal(f"POD_NAME={SERVER_POD}", "CONTAINER_NAME=http",
                                                                "-o", "cat"), timeout=60, what="HTTP server")
                sb.wait_until(lambda: "LISTENING" in sb.journal(f"POD_NAME={SERVER_POD}", "CONTAINER_NAME=tcp",
                                                                "-o", "cat"), timeout=60, what="TCP server")

                names = [f"pb-{i}" for i in range(args.pods)]
                print(f"applying {args.pods} pods with probes {','.join(args.only)} at periodSeconds={args.period}",
                      flush=True)
                t = time.monotonic()
                sb.run("sh", "-c", f"cat > {WORK_DIR}/pods.yaml",
                       input="---\n".join(pod_doc(n, args.period, args.only) + "\n" for n in names))
                r = sb.run("podctl", "apply", "-f", f"{WORK_DIR}/pods.yaml", check=False, timeout=600)
                if r.returncode != 0:
                        row("podctl apply FAILED", r.stderr.strip()[:300])

                def running():
                        items = [p for p in pods() if p["metadata"]["name"] in set(names)]
                        return sum(1 for p in items if p["status"].get("phase") == "Running")

                sb.wait_until(lambda: running() == args.pods, timeout=120 + args.pods, interval=2,
                              what=f"{args.pods} pods Running")
                row(f"{args.pods} pods Running after", f"{time.monotonic() - t:.1f} s")
                time.sleep(args.settle)

                print(f"measuring for {args.seconds} s", flush=True)
                m = inside("measure", args.seconds, timeout=args.seconds + 120)
                j = inside("jitter", m["from"], m["to"], args.period)
                items = [p for p in pods() if p["metadata"]["name"] in set(names)]
                ready = sum(1 for p in items if all(cs.get("ready") for cs in p["status"].get("containerStatuses", [])))
                restarts = sum(cs.get("restartCount", 0) for p in items for cs in p["status"].get("containerStatuses", []))

                if "podd" not in m:
                        row("PODD DIED during the measurement", f"podd.service's MainPID now "
                                                                f"{sb.run('systemctl', 'show', '-P', 'MainPID', 'podd.service').stdout.strip()}")
                        for line in sb.journal("-u", "podd.service", "-n", "8", "-o", "short-monotonic").splitlines():
                                print("    " + line[:300])
                        for line in sb.journal("_PID=1", "-g", "podd.service", "-o", "short-monotonic").splitlines():
                                print("    " + line[:300])
                        for line in sb.journal("-u", "podd.service", "-g", "(?i)assert|abort|corrupt|free\\(|overflow",
                                               "-o", "short-monotonic", check=False).splitlines()[-10:]:
                                print("    " + line[:300])
                        m["podd"] = {"cpu_pct": float("nan"), "children_cpu_pct": float("nan"), "rss_kib": 0,
                                     "hwm_kib": 0}
                p = m["podd"]
                row(f"podd CPU, {args.pods} pods × {len(args.only)} probes ({m['wall']:.0f} s)",
                    f"{p['cpu_pct']:.2f} % of one core (own; its children, the exec probes: "
                    f"{p['children_cpu_pct']:.2f} %)")
                ag = m.get("agents", {})
                if ag.get("n"):
                        row("  pod-probe-agents (exec probes)",
                            f"{ag['n']} agents: {ag['cpu_pct']:.2f} % of one core (own; the probe commands they "
                            f"run: {ag['children_cpu_pct']:.2f} %)")
                row("  systemd (PID 1), dbus-daemon meanwhile",
                    f"{m['systemd']['cpu_pct']:.2f} %, {m['dbus']['cpu_pct']:.2f} % of one core")
                row("podd RSS at the end", f"{p['rss_kib'] / 1024:.1f} MiB (peak VmHWM {p['hwm_kib'] / 1024:.1f} MiB)")
                expected = args.pods / args.period if "http" in args.only else 0
                if expected:
                        row("httpGet probes received", f"{j['requests']} from {j['pods_seen']}/{args.pods} pods = "
                                                               f"{j['per_s']:.1f}/s (expected {expected:.0f}/s)")
                if j["intervals"]:
                        row("httpGet lateness vs each pod's schedule",
                            f"p50 {ms(j['sched_p50'])}  p95 {ms(j['sched_p95'])}  max {ms(j['sched_max'])}  "
                            f"({j['missed']} ticks without a request)")
                        row("  interval between requests − period",
                            f"p50 {ms(j['late_p50'])}  p95 {ms(j['late_p95'])}  max {ms(j['late_max'])}  "
                            f"(min {ms(j['early_min'])}; {j['intervals']} intervals)")
                elif "http" in args.only:
                        row("httpGet period lateness", "no probe requests recorded: does podd run probes?")
                row("pods all ready / restarts", f"{ready}/{args.pods} ready, {restarts} restarts")
                unready = {}
                for it in items:
                        for cs in it["status"].get("containerStatuses", []):
                                if not cs.get("ready"):
                                        unready[cs["name"]] = unready.get(cs["name"], 0) + 1
                if unready:
                        row("  containers not ready", ", ".join(f"{k} ({'tcpSocket' if k == 'app' else 'exec'} "
                                                                f"readiness): {v}" for k, v in sorted(unready.items())))
                        sample = sb.run("podctl", "describe", "pod", names[0], check=False).stdout
                        for line in sample.splitlines():
                                if re.match(r"\s+(Ready|Liveness|Readiness|Started|Restart Count):", line):
                                        print(f"    {names[0]}: {line.strip()}")
                # What failed, if anything: podd's Unhealthy events in the journal, by message (numbers hidden).
                out = sb.journal("REASON=Unhealthy", "-o", "cat", timeout=120)
                kinds = {}
                for line in out.splitlines():
                        key = re.sub(r"\d+", "N", line)[:160]
                        kinds[key] = kinds.get(key, 0) + 1
                for key, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:5]:
                        row("  Unhealthy event", f"{n} × {key}")
                if args.hold:
                        print(f"holding the sandbox for {args.hold:.0f} s (podd is PID "
                              f"{subprocess.run(['pgrep', '-x', 'podd'], capture_output=True, text=True).stdout.split()} "
                              f"on the host): attach a profiler now", flush=True)
                        time.sleep(args.hold)
        finally:
                sb.shutdown()
                sb.remove_state()

        print()
        print(f"podctl probe figures — {os.cpu_count()} CPUs, kernel {platform.release()}, "
              f"{time.strftime('%Y-%m-%d %H:%M')}")
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
        ap.add_argument("--pods", type=int, default=200)
        ap.add_argument("--seconds", type=float, default=60)
        ap.add_argument("--period", type=int, default=1, help="periodSeconds of every probe")
        ap.add_argument("--settle", type=float, default=10, help="seconds between all Running and the measurement")
        ap.add_argument("--hold", type=float, default=0,
                        help="seconds to keep the sandbox and its pods after the figures, for a profiler")
        ap.add_argument("--only", default="http,tcp,exec",
                        help="which of the probes each pod gets (comma-separated: http, tcp, exec)")
        args = ap.parse_args()
        args.only = [h for h in args.only.split(",") if h]
        if not set(args.only) <= {"http", "tcp", "exec"}:
                ap.error("--only takes http, tcp, exec")
        if os.geteuid() != 0:
                print("probes.py needs root (it boots a sandboxed systemd)", file=sys.stderr)
                return 77
        return host_main(args)


if __name__ == "__main__":
        sys.exit(main())
