# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every podctl verb and flag against podd in the sandbox: what kubectl would print (words, columns, exit
codes; k8s-semantics.md §2.2 and §5.4, podctl(1)), the error paths, events in the journal with their
catalog entries, the D-Bus policy for unprivileged users, containers naming an image, and the example
manifests. Usage errors exit with 2 as podctl(1) documents (kubectl exits 1 for them)."""

import calendar
import json
import os
import re
import time
import uuid

import pytest

from test_podd import (  # noqa: F401 (podd is a fixture)
    apply,
    container_status,
    delete,
    get_pod,
    pod_yaml,
    podd,
    unit,
    unit_prop,
    wait_gone,
    wait_phase,
)

try:
    import yaml
except ImportError:  # python3-yaml is not a CI dependency: the key lines are checked either way
    yaml = None

SOURCE_DIR = os.environ.get("PODCTL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
# a container that ignores SIGTERM, so only the grace period ends it
STUBBORN = "trap '' TERM; exec sleep 600"


def podctl(sb, *args, **kw):
    return sb.run("podctl", *args, check=False, **kw)


def rows(text):
    return [line.split() for line in text.splitlines() if line.strip()]


def names(sb, *args):
    return podctl(sb, "get", "pods", "-o", "name", *args).stdout.split()


def hostname(sb):
    return sb.run("hostname").stdout.strip()


def manifests_in_etc_pods(sb):
    """The manifest files under /etc/pods (the package puts a README there too)."""
    return sorted(f for f in sb.run("ls", "-A", "/etc/pods").stdout.split() if f.endswith((".yaml", ".yml", ".json")))


def write(sb, path, text):
    sb.sh(f"mkdir -p $(dirname {path}) && cat > {path}", input=text)


def background(sb, cmd, out):
    """Starts the simple command `cmd` detached inside the sandbox, its output in `out` and `out`.err (files
    of its own, so run() does not wait for it); returns its PID in the sandbox."""
    return int(sb.sh(f"{cmd} >{out} 2>{out}.err </dev/null & echo $!").stdout)


def labelled(name, labels, ns=None):
    text = pod_yaml(name, [("c", "exec sleep 600")], ns=ns)
    if labels:
        body = "\n".join(f"    {k}: {v}" for k, v in labels.items())
        text = text.replace(f"  name: {name}\n", f"  name: {name}\n  labels:\n{body}\n")
    return text


# ---- get ----


def test_get_pods_output_formats(podd):
    apply(podd, labelled("fmt", {"app": "web"}) + "---\n" + labelled("fmt2", {}))
    wait_phase(podd, "fmt", "Running")
    wait_phase(podd, "fmt2", "Running")
    pod = get_pod(podd, "fmt")
    host = hostname(podd)

    r = podctl(podd, "get", "pods", "fmt", "-o", "wide")
    assert r.returncode == 0 and r.stderr == ""
    table = rows(r.stdout)
    assert table[0] == [
        "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"]
    ip = pod["status"].get("podIP") or "<none>"
    assert table[1][:4] == ["fmt", "1/1", "Running", "0"]
    assert table[1][5:] == [ip, host, "<none>", "<none>"]

    # one name: the object itself; otherwise a v1 List
    assert json.loads(podctl(podd, "get", "pod", "fmt", "-o", "json").stdout)["kind"] == "Pod"
    lst = json.loads(podctl(podd, "get", "pods", "-o", "json").stdout)
    assert lst["kind"] == "List" and lst["apiVersion"] == "v1"
    assert sorted(i["metadata"]["name"] for i in lst["items"]) == ["fmt", "fmt2"]
    two = json.loads(podctl(podd, "get", "pods", "fmt", "fmt2", "-o", "json").stdout)
    assert [i["metadata"]["name"] for i in two["items"]] == ["fmt", "fmt2"]

    text = podctl(podd, "get", "pod", "fmt", "-o", "yaml").stdout
    lines = text.splitlines()
    for want in ("apiVersion: v1", "kind: Pod", "metadata:", "  name: fmt", "  namespace: default",
                 "  labels:", "    app: web", "status:", "  phase: Running",
                 f"  - containerID: systemd://{unit('default', 'fmt', 'c')}"):
        assert want in lines, (want, text)
    if yaml is not None:
        doc = yaml.safe_load(text)
        assert doc["metadata"]["uid"] == pod["metadata"]["uid"]
        assert doc["status"]["containerStatuses"][0]["state"]["running"]["startedAt"] == \
            pod["status"]["containerStatuses"][0]["state"]["running"]["startedAt"]
        assert yaml.safe_load(podctl(podd, "get", "pods", "-o", "yaml").stdout)["kind"] == "List"

    assert podctl(podd, "get", "pods", "-o", "name").stdout == "pod/fmt\npod/fmt2\n"
    for kind in ("po", "pod", "pods"):
        out = podctl(podd, "get", kind, "--no-headers").stdout
        assert [row[:3] for row in rows(out)] == [["fmt", "1/1", "Running"], ["fmt2", "1/1", "Running"]]

    # names: each found one printed, each missing one an error, exit 1 if any is missing
    r = podctl(podd, "get", "pods", "fmt", "nope")
    assert r.returncode == 1
    assert r.stderr == 'Error from server (NotFound): pods "nope" not found\n'
    assert [row[0] for row in rows(r.stdout)] == ["NAME", "fmt"]
    r = podctl(podd, "get", "pods", "nope", "-o", "json")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == 'Error from server (NotFound): pods "nope" not found\n'


def test_get_pods_namespaces(podd):
    apply(podd, labelled("nsa", {}, ns="team-a") + "---\n" + labelled("nsd", {}))
    wait_phase(podd, "nsa", "Running", ns="team-a")

    assert names(podd) == ["pod/nsd"]
    assert names(podd, "-n", "team-a") == ["pod/nsa"]
    assert names(podd, "--namespace=team-a") == ["pod/nsa"]
    r = podctl(podd, "get", "pods", "-A")
    table = rows(r.stdout)
    assert table[0] == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert ["team-a", "nsa"] in [row[:2] for row in table] and ["default", "nsd"] in [row[:2] for row in table]
    wide = rows(podctl(podd, "get", "pods", "--all-namespaces", "-o", "wide", "--no-headers").stdout)
    assert {row[1] for row in wide} >= {"nsa", "nsd"} and all(len(row) == 10 for row in wide)

    r = podctl(podd, "get", "pods", "-n", "empty")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "No resources found in empty namespace.\n")
    r = podctl(podd, "get", "pods", "-n", "empty", "-o", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["items"] == []
    r = podctl(podd, "get", "pods", "nsa", "-A")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == "error: a resource cannot be retrieved by name across all namespaces\n"
    # a name is looked up in the namespace given, not everywhere
    r = podctl(podd, "get", "pod", "nsa")
    assert r.returncode == 1 and r.stderr == 'Error from server (NotFound): pods "nsa" not found\n'


SELECTORS = [
    ("app=web", ["s1", "s3"]),
    ("app==web", ["s1", "s3"]),
    ("app!=web", ["s2", "s4"]),
    ("app in (web,api)", ["s1", "s2", "s3"]),
    ("app notin (web)", ["s2", "s4"]),
    ("tier", ["s1", "s2"]),
    ("!tier", ["s3", "s4"]),
    ("app=web,tier=fe", ["s1"]),
    ("app in (web),!tier", ["s3"]),
    ("app=nothing", []),
]


def test_get_pods_label_selectors(podd):
    apply(podd, "---\n".join([labelled("s1", {"app": "web", "tier": "fe"}), labelled("s2", {"app": "api", "tier": "be"}),
                              labelled("s3", {"app": "web"}), labelled("s4", {})]))
    for sel, want in SELECTORS:
        r = podctl(podd, "get", "pods", "-l", sel, "-o", "name")
        assert r.returncode == 0, (sel, r.stderr)
        assert r.stdout.split() == [f"pod/{n}" for n in want], sel
        if not want:
            assert r.stderr == "No resources found in default namespace.\n"
    # the long flag and the table agree
    assert [row[0] for row in rows(podctl(podd, "get", "pods", "--selector=tier", "--no-headers").stdout)] == [
        "s1", "s2"]
    # a selector also filters names given
    r = podctl(podd, "get", "pods", "s1", "s3", "-l", "tier", "-o", "name")
    assert r.stdout == "pod/s1\n"
    r = podctl(podd, "get", "pods", "-l", "app in")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("error: unable to parse requirement: ")


def test_get_pods_watch(podd):
    out = f"/run/watch-{uuid.uuid4().hex[:8]}"
    watcher = background(podd, "timeout 10 podctl get pods -w", out)
    time.sleep(0.5)  # the watcher subscribes before it lists
    apply(podd, pod_yaml("watched", [("c", STUBBORN)], grace=2))
    wait_phase(podd, "watched", "Running")
    assert delete(podd, "watched", "--wait=false").returncode == 0
    podd.wait_until(lambda: "Terminating" in podd.run("cat", out).stdout, timeout=5, what="Terminating row")
    wait_gone(podd, "watched", timeout=15)
    time.sleep(0.5)
    seen = rows(podd.run("cat", out).stdout)
    assert podd.run("cat", out + ".err").stdout == "No resources found in default namespace.\n"
    assert seen[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert all(row[0] == "watched" for row in seen[1:])
    statuses = [row[2] for row in seen[1:]]
    assert "Running" in statuses and "Terminating" in statuses
    assert statuses.index("Running") < statuses.index("Terminating")
    # the pod is shown once more when it is removed: the last row repeats the one before
    assert seen[-1][:3] == seen[-2][:3]
    podd.run("kill", str(watcher), check=False)


def test_get_error_paths(podd):
    for argv, code, err in [
        (["get"], 2, "podctl get: missing resource type (pods or events); see 'podctl get --help'\n"),
        (["get", "widgets"], 1, 'error: the server doesn\'t have a resource type "widgets"\n'),
        (["get", "pods", "-o", "table"], 2, 'error: unable to match a printer suitable for the output format '
                                            '"table", allowed formats are: json,name,wide,yaml\n'),
        (["get", "pods", "--bogus"], 2, 'podctl get: unknown flag "--bogus"\n'),
        (["get", "pods", "-n"], 2, 'podctl get: flag "-n" needs a value\n'),
        (["get", "events", "x"], 2, "podctl get events: takes no names\n"),
    ]:
        r = podctl(podd, *argv)
        assert (r.returncode, r.stdout, r.stderr) == (code, "", err), argv


# ---- apply ----


def test_apply_directory_stdin_and_actions(podd):
    d = f"/run/applydir-{uuid.uuid4().hex[:8]}"
    write(podd, f"{d}/a.yaml", pod_yaml("dir-a", [("c", "exec sleep 600")]))
    write(podd, f"{d}/b.yml", pod_yaml("dir-b", [("c", "exec sleep 600")]))
    write(podd, f"{d}/c.json", json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dir-c"},
        "spec": {"containers": [{"name": "c", "command": ["sleep", "600"]}]}}))
    write(podd, f"{d}/notes.txt", "not a manifest")
    write(podd, f"{d}/.hidden.yaml", "not: [a manifest")
    r = podctl(podd, "apply", "-f", d)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "pod/dir-a created\npod/dir-b created\npod/dir-c created\n"
    # podd's warnings (no image) arrive on stderr, kubectl's way
    assert all(line.startswith("Warning: ") for line in r.stderr.splitlines()) and r.stderr
    assert manifests_in_etc_pods(podd) == [
        "default_dir-a.yaml", "default_dir-b.yaml", "default_dir-c.yaml"]
    for n in ("dir-a", "dir-b", "dir-c"):
        wait_phase(podd, n, "Running")

    r = podctl(podd, "apply", "--filename", d)
    assert r.stdout == "pod/dir-a unchanged\npod/dir-b unchanged\npod/dir-c unchanged\n"
    uid = get_pod(podd, "dir-a")["metadata"]["uid"]

    # -f - with a changed spec: configured, and the pod is replaced as a static pod is
    changed = pod_yaml("dir-a", [("c", "exec sleep 601")])
    r = podctl(podd, "apply", "-f", "-", input=changed)
    assert (r.returncode, r.stdout) == (0, "pod/dir-a configured\n")
    podd.wait_until(lambda: get_pod(podd, "dir-a")["metadata"]["uid"] != uid, timeout=30, what="dir-a replaced")
    wait_phase(podd, "dir-a", "Running")
    assert podd.run("cat", "/etc/pods/default_dir-a.yaml").stdout != ""
    assert get_pod(podd, "dir-a")["spec"]["containers"][0]["command"] == ["/bin/sh", "-c", "exec sleep 601"]

    # several -f at once, one of them - too
    r = podctl(podd, "apply", "-f", f"{d}/b.yml", "-f", "-", input=changed)
    assert r.stdout == "pod/dir-b unchanged\npod/dir-a unchanged\n"


def test_apply_dry_run_writes_nothing(podd):
    write(podd, "/run/dry.yaml", pod_yaml("dry", [("c", "exec sleep 600")]))
    before = manifests_in_etc_pods(podd)
    for mode, suffix in (("client", "(dry run)"), ("server", "(server dry run)")):
        r = podctl(podd, "apply", "-f", "/run/dry.yaml", f"--dry-run={mode}")
        assert (r.returncode, r.stdout) == (0, f"pod/dry created {suffix}\n"), r.stderr
        assert manifests_in_etc_pods(podd) == before
        r = podctl(podd, "get", "pod", "dry")
        assert r.returncode == 1
    assert podd.run("systemctl", "is-active", unit("default", "dry", "c"), check=False).stdout.strip() != "active"
    # the server dry run of a pod that exists says what would happen to it
    apply(podd, podd.run("cat", "/run/dry.yaml").stdout)
    r = podctl(podd, "apply", "-f", "/run/dry.yaml", "--dry-run=server")
    assert r.stdout == "pod/dry unchanged (server dry run)\n"
    r = podctl(podd, "apply", "-f", "/run/dry.yaml", "--dry-run=bogus")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == 'error: Invalid dry-run value (bogus). Must be "none", "server", or "client".\n'


BAD = """\
apiVersion: v1
kind: Pod
metadata:
  name: Bad_Name
spec:
  containers:
  - name: c
    bogus: 1
    command: [sleep, "600"]
"""


def test_apply_validation_failure(podd):
    write(podd, "/run/bad.yaml", BAD)
    for mode in ("none", "server", "client"):
        r = podctl(podd, "apply", "-f", "/run/bad.yaml", f"--dry-run={mode}")
        assert (r.returncode, r.stdout) == (1, ""), mode
        errors = [line for line in r.stderr.splitlines() if ": warning: " not in line]
        assert len(errors) == 2, (mode, r.stderr)
        assert errors[0].startswith('/run/bad.yaml:4:9: metadata.name: Invalid value: "Bad_Name": a lowercase '
                                    'RFC 1123 subdomain must consist of'), (mode, r.stderr)
        assert errors[1] == '/run/bad.yaml:8:5: spec.containers[0]: unknown field "bogus"', (mode, r.stderr)
    r = podctl(podd, "apply", "-f", "-", input=BAD)
    assert r.returncode == 1 and '<stdin>:8:5: spec.containers[0]: unknown field "bogus"' in r.stderr
    assert manifests_in_etc_pods(podd) == []
    assert podctl(podd, "get", "pod", "Bad_Name").returncode == 1

    for argv, code, err in [
        (["apply"], 2, "error: must specify one of -f and -k\n"),
        (["apply", "-f", "/run/none.yaml"], 1, None),
        (["apply", "-f", "/run/bad.yaml", "extra"], 2,
         'podctl apply: unexpected argument "extra"; files are given with -f\n'),
        (["apply", "-f", "/run/bad.yaml", "--validate=maybe"], 2,
         'podctl apply: invalid --validate value "maybe": must be strict, warn, ignore, true or false\n'),
    ]:
        r = podctl(podd, *argv)
        assert (r.returncode, r.stdout) == (code, ""), argv
        assert err is None or r.stderr == err, (argv, r.stderr)
        assert err is not None or "/run/none.yaml" in r.stderr


WARN_ONLY = BAD.replace("name: Bad_Name", "name: lenient")


def test_apply_validate_warn_reports_and_succeeds(podd):
    r = podctl(podd, "apply", "-f", "-", "--validate=warn", input=WARN_ONLY)
    assert (r.returncode, r.stdout) == (0, "pod/lenient created\n"), r.stderr
    assert 'Warning: <stdin>:8:5: warning: spec.containers[0]: unknown field "bogus"' in r.stderr.splitlines()
    r = podctl(podd, "apply", "-f", "-", "--validate=ignore", "--dry-run=server", input=WARN_ONLY)
    assert "bogus" not in r.stderr


def test_apply_validate_warn_pod_runs(podd):
    podd.run("podctl", "apply", "-f", "-", "--validate=warn", input=WARN_ONLY.replace("lenient", "lenient2"))
    wait_phase(podd, "lenient2", "Running", timeout=10)
    assert podctl(podd, "get", "pods").stderr == ""
    # what is stored is the object without the unknown field, and applying the same text is unchanged
    assert "bogus" not in podd.run("cat", "/etc/pods/default_lenient2.yaml").stdout
    r = podd.run("podctl", "apply", "-f", "-", "--validate=ignore", input=WARN_ONLY.replace("lenient", "lenient2"))
    assert r.stdout.strip() == "pod/lenient2 unchanged" and "unknown field" not in r.stderr


# ---- delete ----


def test_delete_names_files_and_archive(podd):
    apply(podd, pod_yaml("del-a", [("c", "exec sleep 600")]) + "---\n" + pod_yaml("del-b", [("c", "exec sleep 600")]))
    wait_phase(podd, "del-a", "Running")
    wait_phase(podd, "del-b", "Running")
    stored = podd.run("cat", "/etc/pods/default_del-a.yaml").stdout
    r = podctl(podd, "delete", "pod", "del-a", "del-b", "--grace-period=1")
    assert (r.returncode, r.stdout, r.stderr) == (0, 'pod "del-a" deleted\npod "del-b" deleted\n', "")
    # --wait (the default) returned once they were gone
    for n in ("del-a", "del-b"):
        assert podctl(podd, "get", "pod", n).returncode == 1
        assert podd.run("systemctl", "is-active", unit("default", n, "c"), check=False).stdout.strip() != "active"
    assert manifests_in_etc_pods(podd) == []
    archived = podd.sh("ls /var/lib/pods/removed | grep '^default_del-a\\.yaml'").stdout.split()
    assert archived, podd.run("ls", "/var/lib/pods/removed").stdout
    assert podd.run("cat", f"/var/lib/pods/removed/{archived[-1]}").stdout == stored

    write(podd, "/run/two.yaml", pod_yaml("file-a", [("c", "exec sleep 600")]) + "---\n" +
          pod_yaml("file-b", [("c", "exec sleep 600")]))
    assert podctl(podd, "apply", "-f", "/run/two.yaml").returncode == 0
    r = podctl(podd, "delete", "-f", "/run/two.yaml", "--now")
    assert (r.returncode, r.stdout) == (0, 'pod "file-a" deleted\npod "file-b" deleted\n'), r.stderr
    assert names(podd) == []
    # again: they are gone
    r = podctl(podd, "delete", "-f", "/run/two.yaml")
    assert r.returncode == 1
    assert r.stderr == ('Error from server (NotFound): pods "file-a" not found\n'
                        'Error from server (NotFound): pods "file-b" not found\n')
    # names in another namespace
    apply(podd, pod_yaml("del-ns", [("c", "exec sleep 600")], ns="team-b"))
    r = podctl(podd, "delete", "pods", "del-ns", "-n", "team-b", "--now")
    assert (r.returncode, r.stdout) == (0, 'pod "del-ns" deleted\n')


def test_delete_grace_periods(podd):
    """--wait=false returns at once and leaves the pod Terminating with the grace kubectl would send."""
    cases = [("grace-spec", [], 4), ("grace-n", ["--grace-period=2"], 2), ("grace-now", ["--now"], 1),
             ("grace-zero", ["--grace-period=0"], 1)]
    apply(podd, "---\n".join(pod_yaml(n, [("c", STUBBORN)], grace=4) for n, _, _ in cases))
    for n, _, _ in cases:
        wait_phase(podd, n, "Running")
    for n, args, grace in cases:
        t0 = time.monotonic()
        r = delete(podd, n, "--wait=false", *args)
        assert (r.returncode, r.stdout) == (0, f'pod "{n}" deleted\n'), r.stderr
        assert time.monotonic() - t0 < 2
        pod = get_pod(podd, n)
        assert pod["metadata"]["deletionGracePeriodSeconds"] == grace, n
        assert rows(podctl(podd, "get", "pod", n, "--no-headers").stdout)[0][2] == "Terminating"
    for n, _, grace in cases:
        wait_gone(podd, n, timeout=15)

    # --wait (the default) blocks for the grace period
    apply(podd, pod_yaml("grace-wait", [("c", STUBBORN)], grace=4))
    wait_phase(podd, "grace-wait", "Running")
    t0 = time.monotonic()
    r = delete(podd, "grace-wait", "--grace-period=2")
    took = time.monotonic() - t0
    assert r.returncode == 0 and 1.5 <= took < 10, took
    assert podctl(podd, "get", "pod", "grace-wait").returncode == 1
    assert podd.run("systemctl", "is-active", unit("default", "grace-wait", "c"), check=False).stdout.strip() \
        != "active"


def test_delete_shorter_grace_than_spec(podd):
    """A --grace-period shorter than terminationGracePeriodSeconds is what the container gets (§2.2)."""
    apply(podd, pod_yaml("grace-short", [("c", STUBBORN)], grace=10))
    wait_phase(podd, "grace-short", "Running")
    t0 = time.monotonic()
    r = podd.run("podctl", "delete", "pod", "grace-short", "--grace-period=1", "--timeout=15s", check=False)
    assert r.returncode == 0 and time.monotonic() - t0 < 6, (time.monotonic() - t0, r.stderr)
    assert podctl(podd, "get", "pod", "grace-short").returncode == 1


def test_delete_deletion_timestamp_is_now_plus_grace(podd):
    # stops by itself 2 s after SIGTERM, well within its grace
    apply(podd, pod_yaml("dts", [("c", "trap 'sleep 2; exit 0' TERM; sleep 600 & wait")], grace=30))
    wait_phase(podd, "dts", "Running")
    t0 = time.time()
    delete(podd, "dts", "--wait=false", "--grace-period=20")
    ts = get_pod(podd, "dts")["metadata"]["deletionTimestamp"]
    when = calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))
    assert t0 + 18 <= when <= t0 + 22, (ts, t0)


def test_delete_again_shortens_grace(podd):
    """k8s-semantics.md §2.1 step 6, §2.3: a second delete with a shorter grace shortens the termination under
    way (deletionTimestamp moves back, deletionGracePeriodSeconds shrinks, the stop sequence ends earlier); a
    longer one changes nothing."""
    apply(podd, pod_yaml("shorten", [("c", STUBBORN)], grace=8))
    wait_phase(podd, "shorten", "Running")
    pid = int(podd.run("systemctl", "show", "-P", "MainPID", unit("default", "shorten", "c")).stdout)
    t0 = time.monotonic()
    assert delete(podd, "shorten", "--wait=false").returncode == 0
    meta = get_pod(podd, "shorten")["metadata"]
    assert meta["deletionGracePeriodSeconds"] == 8, meta
    first_ts = meta["deletionTimestamp"]
    # a longer grace changes nothing
    assert delete(podd, "shorten", "--grace-period=20", "--wait=false").returncode == 0
    assert get_pod(podd, "shorten")["metadata"]["deletionGracePeriodSeconds"] == 8
    t1 = time.monotonic()
    assert delete(podd, "shorten", "--grace-period=1", "--wait=false").returncode == 0
    meta = get_pod(podd, "shorten")["metadata"]
    assert meta["deletionGracePeriodSeconds"] == 1, meta
    assert meta["deletionTimestamp"] < first_ts, (meta, first_ts)
    podd.wait_until(lambda: podd.run("kill", "-0", str(pid), check=False).returncode != 0, timeout=15,
                    interval=0.02, what="the container killed")
    killed = time.monotonic()
    print("regrace: killed", round(killed - t0, 2), "s after the first delete,", round(killed - t1, 2),
          "s after the second")
    # SIGTERM went out at the first delete; the shorter grace (1 s → the 2 s floor) ends it ~2 s after the
    # second delete, not at 8 s
    assert killed - t1 < 3.2 and killed - t0 < 4, (killed - t0, killed - t1)
    r = delete(podd, "shorten", "--grace-period=1")
    assert r.returncode in (0, 1), r
    wait_gone(podd, "shorten")


def test_delete_force(podd):
    apply(podd, pod_yaml("forced", [("c", STUBBORN)], grace=30))
    wait_phase(podd, "forced", "Running")
    t0 = time.monotonic()
    r = delete(podd, "forced", "--force", "--grace-period=0")
    assert time.monotonic() - t0 < 3
    assert (r.returncode, r.stdout) == (0, 'pod "forced" force deleted\n')
    assert r.stderr == ("warning: Immediate deletion does not wait for confirmation that the running resource "
                        "has been terminated. The resource may continue to run on the cluster indefinitely.\n")
    r = podctl(podd, "get", "pod", "forced")
    assert r.returncode == 1 and r.stderr == 'Error from server (NotFound): pods "forced" not found\n'
    # the host still stops the container
    u = unit("default", "forced", "c")
    podd.wait_until(lambda: podd.run("systemctl", "is-active", u, check=False).stdout.strip() != "active",
                    timeout=40, what="forced container stopped")
    # --force alone is grace 0 as well
    apply(podd, pod_yaml("forced2", [("c", "exec sleep 600")]))
    r = delete(podd, "forced2", "--force")
    assert r.returncode == 0 and r.stdout == 'pod "forced2" force deleted\n'
    assert podctl(podd, "get", "pod", "forced2").returncode == 1


def test_delete_error_paths(podd):
    write(podd, "/run/one.yaml", pod_yaml("one", [("c", "exec sleep 600")]))
    for argv, code, err in [
        (["pod", "x", "--now", "--grace-period=3"], 2, "error: --now and --grace-period cannot be specified together\n"),
        (["pod", "x", "--force", "--grace-period=3"], 2,
         "error: --force and --grace-period greater than 0 cannot be specified together\n"),
        (["pod"], 2, "error: resource(s) were provided, but no name was specified\n"),
        ([], 2, "error: You must provide one or more resources by argument or filename.\n"),
        (["pod", "x", "-f", "/run/one.yaml"], 2,
         "error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well\n"),
        (["pod", "x", "--grace-period=soon"], 2, 'error: invalid argument "soon" for "--grace-period" flag\n'),
        (["pod", "x", "--wait=maybe"], 2, 'error: invalid argument "maybe" for "--wait" flag\n'),
        (["pod", "x", "--timeout=later"], 2, 'error: invalid argument "later" for "--timeout" flag\n'),
        (["widgets", "x"], 1, 'error: the server doesn\'t have a resource type "widgets"\n'),
        (["pod", "nope"], 1, 'Error from server (NotFound): pods "nope" not found\n'),
        (["pod", "nope", "-n", "team-z"], 1, 'Error from server (NotFound): pods "nope" not found\n'),
    ]:
        r = podctl(podd, "delete", *argv)
        assert (r.returncode, r.stdout, r.stderr) == (code, "", err), argv
    assert podctl(podd, "get", "pod", "one").returncode == 1  # nothing was applied or deleted on the way


def test_delete_refuses_pod_of_operator_file_with_others(podd):
    text = pod_yaml("ops-1", [("c", "exec sleep 600")]) + "---\n" + pod_yaml("ops-2", [("c", "exec sleep 600")])
    write(podd, "/etc/pods/ops.yaml", text)
    wait_phase(podd, "ops-1", "Running")
    r = delete(podd, "ops-1", "--now")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith("Error from server (Conflict): ") and "/etc/pods/ops.yaml" in r.stderr, r.stderr
    assert len(r.stderr.splitlines()) == 1
    time.sleep(0.5)
    assert podd.run("cat", "/etc/pods/ops.yaml").stdout == text
    assert get_pod(podd, "ops-1")["status"]["phase"] == "Running"
    assert "deletionTimestamp" not in get_pod(podd, "ops-1")["metadata"]
    # an operator's file declaring one pod only is removed, and archived
    write(podd, "/etc/pods/solo.yaml", pod_yaml("solo", [("c", "exec sleep 600")]))
    wait_phase(podd, "solo", "Running")
    assert delete(podd, "solo", "--now").returncode == 0
    assert podd.run("test", "-e", "/etc/pods/solo.yaml", check=False).returncode != 0
    assert podd.sh("ls /var/lib/pods/removed | grep -c '^solo\\.yaml'").stdout.strip() != "0"
    podd.run("rm", "/etc/pods/ops.yaml")
    wait_gone(podd, "ops-1")


# ---- describe ----


def test_describe_pod(podd):
    apply(podd, labelled("desc", {"app": "d"}))
    wait_phase(podd, "desc", "Running")
    host = hostname(podd)
    out = podctl(podd, "describe", "pod", "desc").stdout
    for pattern in [
        r"^Name:\s+desc$", r"^Namespace:\s+default$", rf"^Node:\s+{re.escape(host)}(/\S+)?$",
        r"^Start Time:\s+\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$", r"^Labels:\s+app=d$",
        r"^Annotations:\s+podctl.io/source: /etc/pods/default_desc.yaml$", r"^Status:\s+Running$",
        r"^IP:", r"^Containers:$", r"^  c:$",
        rf"^    Container ID:\s+systemd://{re.escape(unit('default', 'desc', 'c'))}$",
        r"^    Command:$", r"^      /bin/sh$", r"^      exec sleep 600$",
        r"^    State:\s+Running$", r"^      Started:\s+\w{3}, ", r"^    Ready:\s+True$", r"^    Restart Count:\s+0$",
        r"^Conditions:$", r"^  Type\s+Status$", r"^  Initialized\s+True\s*$", r"^  Ready\s+True\s*$",
        r"^  ContainersReady\s+True\s*$", r"^  PodScheduled\s+True\s*$",
        r"^Events:$", r"^  Type\s+Reason\s+Age\s+From\s+Message$",
        rf"^  Normal\s+Scheduled\s+\d+s\s+podd\s+Successfully assigned default/desc to {re.escape(host)}$",
        r"^  Normal\s+Created\s+\d+s\s+podd\s+Created container: c$",
        r"^  Normal\s+Started\s+\d+s\s+podd\s+Started container c$",
    ]:
        assert re.search(pattern, out, re.M), (pattern, out)
    sections = [line for line in out.splitlines() if re.match(r"^[A-Z][\w -]*:", line)]
    order = [s.split(":")[0] for s in sections]
    assert order.index("Name") < order.index("Containers") < order.index("Conditions") < order.index("Events")

    r = podctl(podd, "describe", "pod", "nope")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", 'Error from server (NotFound): pods "nope" not found\n')
    r = podctl(podd, "describe", "pod")
    assert (r.returncode, r.stdout) == (2, "")


# ---- logs ----


def test_logs(podd):
    text = pod_yaml("lg", [("a", "echo a-1; echo a-2; echo a-3; exec sleep 600"), ("b", "echo b-1; exec sleep 600")],
                    init=[("i", "echo i-1")])
    apply(podd, text)
    wait_phase(podd, "lg", "Running")
    podd.wait_until(lambda: podctl(podd, "logs", "lg", "-c", "b").stdout == "b-1\n", what="b's line")
    podd.wait_until(lambda: podctl(podd, "logs", "lg", "-c", "a").stdout == "a-1\na-2\na-3\n", what="a's lines")

    r = podctl(podd, "logs", "lg")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("error: a container name must be specified for pod lg, choose one of: [a b] "
                        "or one of the init containers: [i]\n")
    assert podctl(podd, "logs", "lg", "b").stdout == "b-1\n"
    assert podctl(podd, "logs", "pod/lg", "--container=b").stdout == "b-1\n"
    assert podctl(podd, "logs", "lg", "-c", "i").stdout == "i-1\n"
    assert podctl(podd, "logs", "lg", "-c", "a", "--tail", "2").stdout == "a-2\na-3\n"
    assert podctl(podd, "logs", "lg", "-c", "a", "--tail=0").stdout == ""
    assert podctl(podd, "logs", "lg", "-c", "a", "--tail=-1").stdout == "a-1\na-2\na-3\n"
    assert podctl(podd, "logs", "lg", "-c", "a", "--since=1h").stdout == "a-1\na-2\na-3\n"
    time.sleep(2)
    assert podctl(podd, "logs", "lg", "-c", "a", "--since=1s").stdout == ""
    r = podctl(podd, "logs", "lg", "-c", "a", "--timestamps", "--tail=1")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z a-3\n", r.stdout), r.stdout
    # the journal has the same lines under the container's fields
    assert podd.journal("POD_NAME=lg", "CONTAINER_NAME=a", f"_SYSTEMD_UNIT={unit('default', 'lg', 'a')}",
                        "-o", "cat").split() == ["a-1", "a-2", "a-3"]

    for argv, code, err in [
        (["lg", "-c", "zz"], 1, "error: container zz is not valid for pod lg\n"),
        (["nope"], 1, 'Error from server (NotFound): pods "nope" not found\n'),
        (["lg", "-c", "a", "-n", "team-z"], 1, 'Error from server (NotFound): pods "lg" not found\n'),
        ([], 2, "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"),
        (["lg", "-c", "a", "-f", "-p"], 2, "error: only one of follow (-f) or previous (-p) is allowed\n"),
        (["lg", "-c", "a", "--tail=x"], 2, 'error: invalid argument "x" for "--tail" flag\n'),
        (["lg", "-c", "a", "--since=x"], 2, 'error: invalid argument "x" for "--since" flag\n'),
        (["lg", "-c", "a", "-p"], 1,
         'Error from server (BadRequest): previous terminated container "a" in pod "lg" not found\n'),
    ]:
        r = podctl(podd, "logs", *argv)
        assert (r.returncode, r.stdout, r.stderr) == (code, "", err), argv


def test_logs_follow(podd):
    trigger = f"/run/follow-{uuid.uuid4().hex[:8]}"
    apply(podd, pod_yaml("fol", [("c", f"echo before; while [ ! -e {trigger} ]; do sleep 0.1; done; "
                                       "echo after; exec sleep 600")]))
    podd.wait_until(lambda: podctl(podd, "logs", "fol").stdout == "before\n", what="first line")
    out = trigger + ".out"
    # Generous bounds: CI runs this under ASan on a shared machine, where 5 s once did not suffice.
    follower = background(podd, "timeout 60 podctl logs -f fol", out)
    podd.wait_until(lambda: podd.run("cat", out).stdout == "before\n", timeout=20, what="follow shows the past")
    podd.run("touch", trigger)
    podd.wait_until(lambda: podd.run("cat", out).stdout == "before\nafter\n", timeout=20, what="follow shows new")
    # still running: -f only ends when interrupted
    assert podd.run("kill", "-0", str(follower), check=False).returncode == 0
    podd.run("kill", str(follower))
    assert podd.run("cat", out + ".err").stdout == ""


def test_logs_previous_after_restart(podd):
    marker = f"/run/prev-{uuid.uuid4().hex[:8]}"
    cmd = (f"if [ -e {marker} ]; then echo second-run; exec sleep 600; fi; "
           f"echo first-run-1; echo first-run-2; touch {marker}; exit 1")
    apply(podd, pod_yaml("prev", [("c", cmd)]))
    podd.wait_until(lambda: container_status(get_pod(podd, "prev"), "c")["restartCount"] == 1, timeout=40,
                    what="one restart")
    podd.wait_until(lambda: podctl(podd, "logs", "prev").stdout == "second-run\n", what="current run's line")
    r = podctl(podd, "logs", "prev", "--previous")
    assert (r.returncode, r.stdout) == (0, "first-run-1\nfirst-run-2\n"), r.stderr
    assert podctl(podd, "logs", "prev", "-p", "--tail=1").stdout == "first-run-2\n"
    out = podctl(podd, "describe", "pod", "prev").stdout
    for pattern in [r"^    State:\s+Running$", r"^    Last State:\s+Terminated$", r"^      Reason:\s+Error$",
                    r"^      Exit Code:\s+1$", r"^    Restart Count:\s+1$"]:
        assert re.search(pattern, out, re.M), (pattern, out)
    st = container_status(get_pod(podd, "prev"), "c")
    assert st["lastState"]["terminated"]["exitCode"] == 1


def test_logs_chatty_container_loses_nothing(podd):
    apply(podd, pod_yaml("chatty", [("c", "seq 1 20000; exec sleep 600")]))
    u = unit("default", "chatty", "c")
    assert int(unit_prop(podd, u, "LogRateLimitBurst")) >= 20000
    podd.wait_until(lambda: podctl(podd, "logs", "chatty", "--tail", "1").stdout == "20000\n", timeout=30,
                    what="line 20000")
    assert podd.sh("podctl logs chatty | wc -l").stdout.strip() == "20000"
    lines = podctl(podd, "logs", "chatty").stdout.split()
    assert lines == [str(i) for i in range(1, 20001)]


# ---- events ----


def catalog_id(reason_subject):
    text = open(os.path.join(SOURCE_DIR, "units", "podctl.catalog")).read()
    for block in text.split("\n-- ")[1:]:
        head, subject = block.split("\n", 2)[:2]
        if reason_subject in subject:
            return head.strip()
    raise AssertionError(f"no catalog entry with {reason_subject!r}")


def test_events(podd):
    apply(podd, pod_yaml("ev", [("c", STUBBORN)], grace=2) + "---\n" + pod_yaml("ev2", [("c", "exec sleep 600")],
                                                                                   ns="team-e"))
    wait_phase(podd, "ev", "Running")
    wait_phase(podd, "ev2", "Running", ns="team-e")
    out = podctl(podd, "get", "events").stdout
    table = rows(out)
    assert out.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    mine = [row for row in table[1:] if row[3] == "pod/ev"]
    assert [row[2] for row in mine][:3] == ["Scheduled", "Created", "Started"], out
    assert all(row[1] == "Normal" and re.fullmatch(r"\d+s", row[0]) for row in mine)
    assert not [row for row in table if row[3] == "pod/ev2"]

    r = podctl(podd, "get", "events", "-A")
    assert r.stdout.splitlines()[0].split() == ["NAMESPACE", "LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    got = {(row[0], row[4], row[3]) for row in rows(r.stdout)[1:]}
    assert {("default", "pod/ev", "Started"), ("team-e", "pod/ev2", "Started")} <= got
    assert {row[3] for row in rows(podctl(podd, "get", "ev", "-n", "team-e", "--no-headers").stdout)} == {"pod/ev2"}

    # Killing while it terminates
    delete(podd, "ev", "--wait=false")
    podd.wait_until(lambda: any(row[2] == "Killing" and row[3] == "pod/ev"
                                for row in rows(podctl(podd, "get", "events").stdout)), timeout=5, what="Killing")
    wait_gone(podd, "ev")

    # the journal has each event as a structured record with the catalog's MESSAGE_ID
    recs = [json.loads(line) for line in podd.journal("REASON=Started", "POD_NAME=ev", "-o", "json").splitlines()]
    assert len(recs) == 1
    rec = recs[0]
    assert rec["MESSAGE_ID"] == catalog_id("was started")
    assert (rec["TYPE"], rec["POD_NAMESPACE"], rec["CONTAINER_NAME"], rec["MESSAGE"]) == (
        "Normal", "default", "c", "Started container c")
    assert rec["_SYSTEMD_UNIT"] == "podd.service"
    for reason in ("Scheduled", "Created", "Killing"):
        assert podd.journal(f"REASON={reason}", "POD_NAME=ev", "-o", "cat").strip(), reason
    explained = podd.journal("-x", "REASON=Started", "POD_NAME=ev")
    assert "Subject: Container c of pod default/ev was started" in explained, explained
    assert "journalctl POD_NAME=ev CONTAINER_NAME=c" in explained


def test_events_outlive_their_pod(podd):
    apply(podd, pod_yaml("evgone", [("c", "exec sleep 600")]))
    wait_phase(podd, "evgone", "Running")
    delete(podd, "evgone", "--now")
    reasons = [row[2] for row in rows(podctl(podd, "get", "events").stdout) if row[3:4] == ["pod/evgone"]]
    assert "Killing" in reasons


# ---- D-Bus policy ----


def test_unprivileged_user_reads_but_cannot_change(podd):
    apply(podd, pod_yaml("guarded", [("c", "echo guarded-line; exec sleep 600")]))
    wait_phase(podd, "guarded", "Running")
    r = podd.run(*NOBODY, "podctl", "apply", "-f", "-", input=pod_yaml("intruder", [("c", "exec sleep 600")]),
                 check=False)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith("Error from server (Forbidden): ") and "root" in r.stderr, r.stderr
    assert len(r.stderr.splitlines()) == 1
    assert podctl(podd, "get", "pod", "intruder").returncode == 1
    r = podd.run(*NOBODY, "podctl", "delete", "pod", "guarded", check=False)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith('Error from server (Forbidden): pods "guarded" is forbidden: ') and "root" in r.stderr
    assert get_pod(podd, "guarded")["status"]["phase"] == "Running"

    r = podd.run(*NOBODY, "podctl", "get", "pods", check=False)
    assert r.returncode == 0 and rows(r.stdout)[1][:3] == ["guarded", "1/1", "Running"]
    assert podd.run(*NOBODY, "podctl", "describe", "pod", "guarded", check=False).returncode == 0
    assert "Started" in podd.run(*NOBODY, "podctl", "get", "events", check=False).stdout
    # logs come from the journal, which an unprivileged user may not read: say so rather than print nothing
    r = podd.run(*NOBODY, "podctl", "logs", "guarded", check=False)
    assert (r.returncode, r.stdout) == (1, "")
    assert "journal" in r.stderr and "systemd-journal" in r.stderr, r.stderr


# ---- images ----


def test_container_with_image_is_not_started(podd):
    text = pod_yaml("img", [("withimg", "exec sleep 600"), ("plain", "exec sleep 600")]).replace(
        "  - name: withimg\n", "  - name: withimg\n    image: nginx:1.25\n")
    apply(podd, text)
    podd.wait_until(lambda: container_status(get_pod(podd, "img"), "plain")["state"].get("running"),
                    what="plain running")
    pod = get_pod(podd, "img")
    st = container_status(pod, "withimg")
    assert st["state"]["waiting"]["reason"] == "ImagesNotSupported"
    assert st["ready"] is False and st["started"] is False and st["image"] == "nginx:1.25"
    assert pod["status"]["phase"] == "Pending"
    assert rows(podctl(podd, "get", "pod", "img", "--no-headers").stdout)[0][1:3] == ["1/2", "ImagesNotSupported"]
    events = rows(podctl(podd, "get", "events").stdout)
    assert any(row[1:4] == ["Warning", "ImagesNotSupported", "pod/img"] for row in events), events
    # no unit ran for it, and none is loaded; the other container runs
    u = unit("default", "img", "withimg")
    assert unit_prop(podd, u, "LoadState") == "not-found"
    assert unit_prop(podd, unit("default", "img", "plain"), "ActiveState") == "active"
    time.sleep(1)
    assert container_status(get_pod(podd, "img"), "withimg")["restartCount"] == 0


# ---- the examples ----


EXAMPLES = sorted(f for f in os.listdir(os.path.join(SOURCE_DIR, "manifests")) if f.endswith((".yaml", ".yml")))


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_manifest_runs(podd, example):
    path = os.path.abspath(os.path.join(SOURCE_DIR, "manifests", example))
    r = podctl(podd, "apply", "-f", path)
    assert r.returncode == 0, r.stderr
    created = [line.split()[0].split("/", 1)[1] for line in r.stdout.splitlines()]
    assert created and all(line.endswith(" created") for line in r.stdout.splitlines())
    for name in created:
        wait_phase(podd, name, "Running", timeout=30)
        pod = get_pod(podd, name)
        assert all(s["state"].get("running") for s in pod["status"]["containerStatuses"]), pod["status"]
        assert rows(podctl(podd, "get", "pod", name, "--no-headers").stdout)[0][2] == "Running"
    r = podctl(podd, "delete", "-f", path, "--now")
    assert r.returncode == 0, r.stderr
    assert names(podd) == []
