#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the documentation against its sources.

  check-docs.py fields SOURCE_DIR PODS_YAML_5    README's support section is what docs/fields.tsv gives, and
                                                 every field row of it is in the built pods.yaml(5)
  check-docs.py podctl-man PODCTL PODCTL_1_SCD   every verb of `podctl --help` and every flag of each
                                                 `podctl VERB --help` is documented in podctl(1)
"""

import os
import re
import subprocess
import sys


def fail(msg):
        print(msg, file=sys.stderr)
        return 1


def check_fields(source_dir, page):
        gen = os.path.join(source_dir, "man", "gen-fields.py")
        tsv = os.path.join(source_dir, "docs", "fields.tsv")
        rc = subprocess.run([sys.executable, gen, "check-readme", tsv, os.path.join(source_dir, "README.md")]).returncode
        # The roff scdoc wrote, as plain text: escapes and font changes removed.
        with open(page, encoding="utf-8") as f:
                roff = f.read()
        text = re.sub(r"\\f[BIRP]", "", roff).replace("\\-", "-").replace("\\&", "").replace("\\(rs", "\\")
        text = text.replace("\\e", "\\")
        missing = 0
        with open(tsv, encoding="utf-8") as f:
                for line in f:
                        if not line.strip() or line.startswith("#"):
                                continue
                        field, status, systemd, note = line.rstrip("\n").split("\t")
                        for want in (field if field != "-" else "(every container)", note.strip(),
                                     systemd if systemd != "-" else ""):
                                if want and want not in text:
                                        print(f"{page}: missing {want!r} (docs/fields.tsv, {field})", file=sys.stderr)
                                        missing += 1
        if missing or rc:
                return fail(f"pods.yaml(5) or README.md disagree with docs/fields.tsv ({missing} missing in the page)")
        print("README.md and pods.yaml(5) agree with docs/fields.tsv")
        return 0


def help_text(podctl, *args):
        r = subprocess.run([podctl, *args, "--help"], capture_output=True, text=True)
        if r.returncode != 0:
                raise SystemExit(f"{podctl} {' '.join(args)} --help failed with {r.returncode}: {r.stderr}")
        return r.stdout


def check_podctl_man(podctl, scd):
        with open(scd, encoding="utf-8") as f:
                page = f.read()
        main = help_text(podctl)
        verbs = re.findall(r"^  ([a-z]+)\s{2,}", main.split("Commands:", 1)[1].split("\n\n", 1)[0], re.M)
        if not verbs:
                return fail("podctl --help lists no commands")
        problems = []
        for flag in set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", main.split("Options:", 1)[1])):
                if not re.search(r"\*" + re.escape(flag) + r"[*=]", page):
                        problems.append(f"podctl {flag}")
        for verb in verbs:
                if not re.search(r"^\*podctl " + verb + r"\*", page, re.M):
                        problems.append(f"SYNOPSIS has no *podctl {verb}*")
                if not re.search(r"^\*" + verb + r"\*", page, re.M):
                        problems.append(f"COMMANDS has no *{verb}*")
                text = help_text(podctl, verb)
                options = text.split("Options:", 1)[1] if "Options:" in text else ""
                flags = set(re.findall(r"^\s+(?:(-[A-Za-z]) )?(--[\w-]+)", options, re.M))
                if not flags:
                        problems.append(f"podctl {verb} --help lists no options")
                for short, long in flags:
                        for flag in (short, long):
                                # Documented as *--flag*, *--flag*=_VALUE_ or *-f*, in OPTIONS or the SYNOPSIS.
                                if flag and not re.search(r"\*" + re.escape(flag) + r"[*=\[]", page):
                                        problems.append(f"podctl {verb} {flag}")
        for p in problems:
                print(f"{scd}: not documented: {p}", file=sys.stderr)
        if problems:
                return 1
        print(f"podctl(1) documents {len(verbs)} verbs and all their flags")
        return 0


def main(argv):
        if len(argv) == 4 and argv[1] == "fields":
                return check_fields(argv[2], argv[3])
        if len(argv) == 4 and argv[1] == "podctl-man":
                return check_podctl_man(argv[2], argv[3])
        print(__doc__, file=sys.stderr)
        return 2


if __name__ == "__main__":
        sys.exit(main(sys.argv))
