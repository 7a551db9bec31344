#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Quick start on a fresh Debian 12: install the build dependencies, build podctl, then validate the example
# manifests and show the systemd units of one of them. Nothing is installed outside the checkout but the
# Debian packages, and no pod is started (running pods needs podd, which arrives in a later release).
#
#   sudo bash scripts/quickstart.sh
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$src/build-quickstart

if [[ $(id -u) -eq 0 ]]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update
        apt-get install -y --no-install-recommends \
                meson ninja-build pkg-config gcc libc6-dev libsystemd-dev libyaml-dev libcurl4-openssl-dev \
                libmnl-dev scdoc python3
else
        echo "not root: skipping apt-get, assuming the build dependencies are installed" >&2
fi

if [[ -d $build ]]; then
        meson setup --reconfigure "$build" "$src"
else
        meson setup "$build" "$src"
fi
ninja -C "$build"

cd "$src"
echo
echo "\$ podctl validate -v manifests/"
"$build/src/podctl/podctl" validate -v manifests/
echo
echo "\$ podctl render manifests/web.yaml"
"$build/src/podctl/podctl" render manifests/web.yaml
echo
echo "podctl is at $build/src/podctl/podctl ('podctl --help'); its man page: man -l $build/man/podctl.1"
