#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""learnhttpd(8) says what --help says: every option with its argument and its description,
the help's closing paragraph, and the version of the binary it was generated from.

Usage: check_manpage.py LEARNHTTPD_BINARY MANPAGE"""

import re
import subprocess
import sys

OPTION = re.compile(r"^\s+(?:(-\w), )?\s*(--[\w-]+)(?: ([A-Z|]+))?\s{2,}(\S.*)$")


def flatten_roff(text):
    """The words of a roff page: no requests, fonts or escapes, whitespace collapsed."""
    words = []
    for line in text.splitlines():
        if line.startswith(".\\\"") or line.startswith("'\\\""):
            continue
        if line.startswith("."):
            parts = line.split(None, 1)
            if parts[0] in (".TH", ".SH", ".SS", ".B", ".BR", ".I", ".IR"):
                line = parts[1] if len(parts) > 1 else ""
            else:
                continue
        line = re.sub(r"\\f[BIRP]|\\[,/]", "", line)
        line = line.replace("\\-", "-").replace("\\(aq", "'").replace("\\&", "")
        line = line.replace("\\(bu", "").replace("\\ ", " ").replace('"', "")
        words.append(line)
    return " ".join(" ".join(words).split())


def main(binary, manpage):
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True,
                               check=True).stdout
    version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             check=True).stdout.split()[-1]
    with open(manpage, encoding="utf-8") as f:
        roff = f.read()
    page = flatten_roff(roff)
    problems = []
    if not re.search(r'^\.TH LEARNHTTPD "?8"?', roff, re.M):
        problems.append("not a section-8 page named LEARNHTTPD")
    if version not in page:
        problems.append(f"version {version} missing")
    options = [OPTION.match(line) for line in help_text.splitlines()]
    options = [m for m in options if m]
    if len(options) < 10:
        problems.append(f"--help lists only {len(options)} options: {help_text!r}")
    for m in options:
        short, long, arg, description = m.groups()
        synopsis = ", ".join(filter(None, [short, long])) + (f" {arg}" if arg else "")
        for piece in (synopsis, " ".join(description.split())):
            if piece not in page:
                problems.append(f"{long}: {piece!r} is not in the page")
    closing = help_text.strip().split("\n\n")[-1]
    if " ".join(closing.split()) not in page:
        problems.append(f"closing paragraph missing: {closing!r}")
    for section in ("SIGNALS", "FILES", "ENVIRONMENT", "SEE ALSO"):
        if not re.search(rf"^\.SH \"?{section}\"?$", roff, re.M):
            problems.append(f"section {section} missing")
    for problem in problems:
        print(f"{manpage}: {problem}", file=sys.stderr)
    print(f"{manpage}: {len(options)} options checked against --help, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
