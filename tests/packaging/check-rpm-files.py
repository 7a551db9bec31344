#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-rpm-files.py BUILD_DIR SPEC: installs the build with `meson install --destdir` into a scratch dir
and checks that packaging/rpm/podctl.spec's %files lists exactly those files (globs allowed, for the
compressed man pages) and that each %dir is an installed directory. The RPM macros are expanded with the
build's own directories (meson introspect), which is what %meson would configure."""

import fnmatch
import json
import os
import subprocess
import sys
import tempfile


def build_dirs(build_dir):
        out = subprocess.run(["meson", "introspect", "--buildoptions", build_dir], check=True, capture_output=True,
                             text=True).stdout
        opts = {o["name"]: o["value"] for o in json.loads(out)}
        prefix = opts["prefix"]
        d = lambda name: os.path.join(prefix, opts[name])   # absolute values win in join, as in meson
        # As meson.build's PODS_CONFIG_DIR: podd reads /etc/pods under any prefix unless told otherwise.
        sysconfdir = "/etc" if opts["sysconfdir"] == "etc" else d("sysconfdir")
        return {
                "_prefix": prefix, "_bindir": d("bindir"), "_sbindir": d("sbindir"), "_libexecdir": d("libexecdir"),
                "_datadir": d("datadir"), "_mandir": d("mandir"), "_sysconfdir": sysconfdir,
                "_sharedstatedir": d("localstatedir") + "/lib",
        }


def installed_unitdir(files, name):
        for f in files:
                if f.endswith("/" + name):
                        return os.path.dirname(f)
        return None


def spec_files(spec, macros):
        files, dirs = [], []
        in_files = False
        with open(spec, encoding="utf-8") as f:
                for line in f:
                        line = line.strip()
                        if line.startswith("%"):
                                word = line.split()[0]
                                if word == "%files":
                                        in_files = True
                                        continue
                                if word in ("%changelog", "%package", "%description", "%post", "%preun", "%postun"):
                                        in_files = False
                        if not in_files or not line or line.startswith("#"):
                                continue
                        is_dir = False
                        words = line.split()
                        while words and words[0].startswith("%") and not words[0].startswith("%{"):
                                if words[0] == "%dir":
                                        is_dir = True
                                if words[0] in ("%license", "%doc"):
                                        words = []
                                        break
                                words = words[1:]
                        if not words:
                                continue
                        path = words[0]
                        for k, v in sorted(macros.items(), key=lambda kv: -len(kv[0])):
                                path = path.replace("%{" + k + "}", v)
                        if "%" in path:
                                raise SystemExit(f"{spec}: cannot expand {words[0]!r}")
                        (dirs if is_dir else files).append(path)
        return files, dirs


def main(argv):
        if len(argv) != 3:
                print(__doc__, file=sys.stderr)
                return 2
        build_dir, spec = argv[1:]
        with tempfile.TemporaryDirectory(prefix="podctl-rpm-files-") as dest:
                subprocess.run(["meson", "install", "-C", build_dir, "--destdir", dest, "--no-rebuild", "--quiet"],
                               check=True, stdout=subprocess.DEVNULL)
                installed, installed_dirs = set(), set()
                for top, dnames, fnames in os.walk(dest):
                        rel = "/" + os.path.relpath(top, dest)
                        installed_dirs.update(os.path.normpath(os.path.join(rel, n)) for n in dnames)
                        installed.update(os.path.normpath(os.path.join(rel, n)) for n in fnames)
        macros = build_dirs(build_dir)
        # Where the build put them (the .pc files' idea, as the RPM macros are on a real system).
        macros["_unitdir"] = installed_unitdir(installed, "podd.service") or "?"
        macros["_tmpfilesdir"] = installed_unitdir(installed, "podctl.conf") or "?"
        macros["bash_completions_dir"] = installed_unitdir(installed, "completions/podctl") or "?"
        files, dirs = spec_files(spec, macros)
        problems = []
        matched = set()
        for pattern in files:
                hits = {p for p in installed if fnmatch.fnmatchcase(p, pattern)}
                if not hits:
                        problems.append(f"%files lists {pattern}, which meson does not install")
                matched |= hits
        for d in dirs:
                if d not in installed_dirs:
                        problems.append(f"%dir {d} is not a directory meson installs")
        for p in sorted(installed - matched):
                problems.append(f"meson installs {p}, which %files does not list")
        for p in problems:
                print(f"{spec}: {p}", file=sys.stderr)
        if problems:
                return 1
        print(f"{spec}: %files matches the {len(installed)} files meson installs")
        return 0


if __name__ == "__main__":
        sys.exit(main(sys.argv))
