#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Quick start on a fresh Debian 12: install what podctl needs, build it, then run the example pods under
# systemd and show them with podctl, systemctl and journalctl.
#
#   sudo bash scripts/quickstart.sh
#
# Where systemd is PID 1, podctl is installed on this host (meson install, prefix /usr/local) and podd is
# enabled. Where it is not (a container, a CI VM), the same happens inside a private systemd booted in its
# own namespaces (tests/integration/sandbox.py): nothing outside the checkout changes but the Debian
# packages. QUICKSTART_SHELL=1 opens a shell inside that sandbox at the end.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$src/build-quickstart

if [[ $(id -u) -ne 0 ]]; then
        echo "quickstart: run it as root (sudo): it installs packages and runs pods under systemd" >&2
        exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
        meson ninja-build pkg-config gcc libc6-dev libsystemd-dev libyaml-dev libcurl4-openssl-dev \
        libmnl-dev scdoc python3 systemd dbus util-linux iproute2

if [[ -d $build ]]; then
        meson setup --reconfigure "$build" "$src"
else
        meson setup "$build" "$src"
fi
ninja -C "$build"

if [[ -d /run/systemd/system ]]; then
        # systemd is PID 1: install for real.
        meson install -C "$build" --no-rebuild
        systemctl daemon-reload
        systemd-tmpfiles --create /usr/local/lib/tmpfiles.d/podctl.conf || true
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig || true
        journalctl --update-catalog || true
        systemctl enable --now podd.service
        podctl=/usr/local/bin/podctl
        run() { echo; echo "\$ $*"; "$@"; }
        run "$podctl" apply -f "$src/manifests/web.yaml" -f "$src/manifests/init-sidecar.yaml" \
                -f "$src/manifests/probes.yaml"
        for _ in $(seq 100); do
                "$podctl" get pods --no-headers | grep -qv Running || break
                sleep 0.2
        done
        run "$podctl" get pods -o wide
        run "$podctl" describe pod web
        sleep 3 # the probes' first rounds
        run "$podctl" describe pod probes
        run "$podctl" logs web
        run journalctl --no-pager POD_NAME=web -n 20
        echo
        echo "Pods run under systemd now: 'systemctl status pod.slice', 'podctl get pods', 'man podctl'."
        echo "Remove them with: podctl delete pod web init-sidecar probes"
else
        echo
        echo "systemd is not PID 1 here: running the example pods in a private systemd sandbox instead"
        exec /usr/bin/python3 "$src/scripts/quickstart-sandbox.py" "$build" "$src"
fi
