#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh [OUTDIR]: the package check .ci/run does in its own step (not a meson test: it builds the whole
# tree again with dpkg-buildpackage). Builds the .deb (packaging/build-deb.sh), runs lintian on it (any
# error fails; overrides must carry a comment saying why) and installs it into a private systemd sandbox
# (smoke.py: podd starts through its unit, a pod runs, the man pages render). Root only (the sandbox).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$src/build-ci/deb}
rm -rf "$out"
mkdir -p "$out"

echo "--- building the .deb in a copy of the tree"
bash "$src/packaging/build-deb.sh" "$out" "$src"
deb=$(ls "$out"/podctl_*.deb)

echo "--- lintian $(basename "$deb")"
# --fail-on error: warnings are printed but allowed; run as root in CI, which lintian only warns about.
lintian --fail-on error --info "$deb" 2>&1 | grep -v 'running with root privileges' || true
lintian --fail-on error "$deb" >/dev/null 2>&1

echo "--- smoke test in a private systemd sandbox"
python3 "$src/tests/package/smoke.py" "$deb"
