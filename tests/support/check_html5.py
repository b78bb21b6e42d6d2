#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads an HTML document on stdin; exits 0 when the WHATWG HTML parser (html5lib, strict)
meets no parse error, else prints each error with its line and column and exits 1. Needs
Debian's python3-html5lib (run it with /usr/bin/python3)."""

import sys

try:
    import html5lib
except ImportError:
    print("python3-html5lib is not installed (packaging/install-deps.sh test installs it)")
    sys.exit(1)


def problems(data):
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(data)
    return [f"line {line}, column {col}: {code} {args or ''}".rstrip()
            for (line, col), code, args in parser.errors]


if __name__ == "__main__":
    found = problems(sys.stdin.buffer.read())
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
