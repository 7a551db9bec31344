#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs the integration tests (pytest, tests/integration/test_*.py) against a hermetic systemd booted in
# namespaces by sandbox.py. Needs root, unshare/nsenter, overlayfs and cgroup2; without them it says why
# and exits 77, which meson counts as skipped. Installs nothing on the host.
#
#   PODCTL_BUILD_DIR=build PODCTL_SOURCE_DIR=. tests/integration/run-integration.sh [pytest args…]
#
# meson test runs it with both set (suite 'integration').
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PODCTL_SOURCE_DIR=${PODCTL_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
if [[ -z ${PODCTL_BUILD_DIR:-} ]]; then
        echo "PODCTL_BUILD_DIR is not set: point it at a built meson build dir" >&2
        exit 2
fi
export PODCTL_BUILD_DIR

skip() {
        echo "SKIP: $*" >&2
        exit 77
}

[[ $(id -u) -eq 0 ]] || skip "the integration tests boot systemd in namespaces and need root"
# Debian's python3, which python3-pytest belongs to, even when another python3 comes first on PATH.
python=${PYTHON:-/usr/bin/python3}
[[ -x $python ]] || python=python3
for cmd in unshare nsenter "$python" ip busctl systemctl journalctl systemd-run systemd-cat dbus-daemon meson; do
        command -v "$cmd" >/dev/null || skip "$cmd is not installed"
done
[[ -x /lib/systemd/systemd ]] || skip "/lib/systemd/systemd is not installed (package systemd)"
"$python" -c 'import pytest' 2>/dev/null || skip "python3-pytest is not installed for $python"
grep -qw cgroup2 /proc/self/mountinfo || skip "no cgroup2 file system is mounted"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || grep -qw overlay /proc/filesystems ||
        skip "the kernel has no overlayfs"

# The namespaces and an overlay whose upper dir is in the build dir, as the sandbox will make them.
probe=$(mktemp -d "$PODCTL_BUILD_DIR/integration-probe.XXXXXX") || skip "cannot write to $PODCTL_BUILD_DIR"
mkdir -p "$probe"/{lower,upper,work,merged}
if ! out=$(timeout 20 unshare --fork --pid --mount --net --uts --ipc --cgroup --mount-proc -- \
        sh -c 'mount --make-rprivate / &&
               mount -t overlay overlay -o "lowerdir=$1/lower,upperdir=$1/upper,workdir=$1/work" "$1/merged" &&
               touch "$1/merged/x" && ip link set lo up' probe "$probe" 2>&1); then
        rm -rf "$probe"
        skip "cannot make namespaces or an overlay here: $out"
fi
rm -rf "$probe"

cd "$PODCTL_SOURCE_DIR" || exit 2
export PYTHONDONTWRITEBYTECODE=1
# The whole directory, unless the arguments name tests of their own (a file, a dir, FILE::TEST).
paths=("$here")
for arg in "$@"; do
        [[ $arg != -* && -e ${arg%%::*} ]] && paths=()
done
"$python" -m pytest -q -p no:cacheprovider "${paths[@]}" "$@"
rc=$?
if [[ $rc -eq 5 ]]; then
        echo "pytest collected no tests: that is a failure here" >&2
        exit 1
fi
exit $rc
