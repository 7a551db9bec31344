#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turns docs/fields.tsv, the manifest support table, into pods.yaml(5)'s field sections and README.md's
support section, so the two never disagree.

  gen-fields.py scdoc TSV TEMPLATE OUT     TEMPLATE with its @FIELDS@ line replaced, written to OUT
  gen-fields.py markdown TSV               README's section, markers included, on stdout
  gen-fields.py check-readme TSV README    exit 1 (with a diff) unless README's section is up to date
  gen-fields.py update-readme TSV README   rewrite README's section in place (appended if missing)
"""

import difflib
import sys

BEGIN = "<!-- BEGIN generated support table (docs/fields.tsv, man/gen-fields.py update-readme); do not edit -->"
END = "<!-- END generated support table -->"

STATUSES = {
        "supported": ("Supported fields", "Decoded, validated as Kubernetes does, and turned into the systemd settings named "
                      "(or into podd's own behaviour)."),
        "accepted": ("Accepted fields", "Decoded and validated exactly as Kubernetes does, so manifests written for a "
                     "cluster load unchanged, but without effect on this host yet."),
        "ignored": ("Ignored fields", "Valid Kubernetes that means nothing on a single host: a warning names the field "
                    "and why, and it is dropped."),
        "rejected": ("Rejected fields", "Valid Kubernetes that podctl cannot honour: an error, and the pod is not run."),
        "dropped": ("Dropped fields", "Set by an API server, not by authors: left out silently, so the output of "
                    "kubectl get -o yaml loads as it is."),
}


def read_rows(path):
        rows = []
        with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                        line = line.rstrip("\n")
                        if not line or line.startswith("#"):
                                continue
                        cols = line.split("\t")
                        if len(cols) != 4 or cols[1] not in STATUSES:
                                sys.exit(f"{path}:{n}: want 4 tab-separated columns and a known status: {line!r}")
                        rows.append(tuple(c.strip() for c in cols))
        return rows


def scdoc_escape(s):
        return s.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def scdoc(rows):
        out = []
        for status, (title, intro) in STATUSES.items():
                sel = [r for r in rows if r[1] == status]
                if not sel:
                        continue
                out += [f"## {title.upper()}", "", intro, ""]
                for field, _, systemd, note in sel:
                        out.append("*" + scdoc_escape(field if field != "-" else "(every container)") + "*")
                        body = []
                        if systemd != "-":
                                body.append("systemd: " + scdoc_escape(systemd) + ".")
                        if note:
                                body.append(scdoc_escape(note) + ".")
                        out.append("\t" + (" ".join(body) or "No unit setting."))
                        out.append("")
        return "\n".join(out).rstrip("\n") + "\n"


def md_escape(s):
        return s.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def markdown(rows):
        out = [BEGIN, "", "## Manifest support", "",
               "What podctl does with each Pod field (details in pods.yaml(5)). *supported*: turned into systemd "
               "settings or podd behaviour; *accepted*: validated, no effect yet; *ignored*: a warning; "
               "*rejected*: an error; *dropped*: server-set, left out silently.", "",
               "| field | status | systemd | notes |", "| --- | --- | --- | --- |"]
        for field, status, systemd, note in rows:
                out.append(f"| `{field}` | {status} | {md_escape(systemd) if systemd != '-' else ''} | {md_escape(note)} |"
                           if field != "-" else
                           f"| (every container) | {status} | {md_escape(systemd)} | {md_escape(note)} |")
        out += ["", END]
        return "\n".join(out) + "\n"


def readme_section(text):
        """(before, section, after) of README text; section is None when the markers are missing."""
        b = text.find(BEGIN)
        e = text.find(END)
        if b < 0 or e < b:
                return text, None, ""
        e += len(END)
        if text[e:e + 1] == "\n":
                e += 1
        return text[:b], text[b:e], text[e:]


def main(argv):
        if len(argv) == 5 and argv[1] == "scdoc":
                with open(argv[3], encoding="utf-8") as f:
                        template = f.read()
                if "@FIELDS@\n" not in template:
                        sys.exit(f"{argv[3]}: no @FIELDS@ line")
                with open(argv[4], "w", encoding="utf-8") as f:
                        f.write(template.replace("@FIELDS@\n", scdoc(read_rows(argv[2]))))
                return 0
        if len(argv) == 3 and argv[1] == "markdown":
                sys.stdout.write(markdown(read_rows(argv[2])))
                return 0
        if len(argv) == 4 and argv[1] in ("check-readme", "update-readme"):
                want = markdown(read_rows(argv[2]))
                with open(argv[3], encoding="utf-8") as f:
                        text = f.read()
                before, have, after = readme_section(text)
                if argv[1] == "check-readme":
                        if have == want:
                                return 0
                        print(f"{argv[3]}: the generated support table is {'missing' if have is None else 'stale'}; "
                              f"run man/gen-fields.py update-readme docs/fields.tsv README.md", file=sys.stderr)
                        sys.stderr.writelines(difflib.unified_diff((have or "").splitlines(True), want.splitlines(True),
                                                                   "README.md", "generated"))
                        return 1
                if have is None:
                        text = text.rstrip("\n") + "\n\n" + want
                else:
                        text = before + want + after
                with open(argv[3], "w", encoding="utf-8") as f:
                        f.write(text)
                return 0
        print(__doc__, file=sys.stderr)
        return 2


if __name__ == "__main__":
        sys.exit(main(sys.argv))
