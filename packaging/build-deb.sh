#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build-deb.sh OUTDIR [SOURCE_DIR]: builds the podctl .deb with `dpkg-buildpackage -b -us -uc` and leaves the
# .deb (and .buildinfo/.changes) in OUTDIR. dpkg-buildpackage wants debian/ at the root of the source tree,
# and ours lives in packaging/debian/, so the tree (default: this checkout; git-tracked and untracked
# files that .gitignore does not exclude, or without git everything but build dirs) is copied to a scratch
# dir with debian/ at its root, and built there: the checkout is never written to.
set -euo pipefail

out=${1:?usage: build-deb.sh OUTDIR [SOURCE_DIR]}
src=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/podctl-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/podctl-0.1.0
mkdir -p "$tree"

if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$src" && git ls-files -z --cached --others --exclude-standard) |
                (cd "$src" && while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done) |
                tar -C "$src" --null -T - -cf - | tar -C "$tree" -xf -
else
        tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$tree" -xf -
fi
# The checkout's own build dirs (build-*) may be untracked but not ignored: never ship them.
rm -rf "$tree"/build "$tree"/build-* "$tree"/debian
cp -a "$tree/packaging/debian" "$tree/debian"

(cd "$tree" && dpkg-buildpackage -b -us -uc)
cp "$work"/podctl_*.deb "$work"/podctl_*.buildinfo "$work"/podctl_*.changes "$out"/
ls "$out"/podctl_*.deb
