# SPDX-License-Identifier: MIT
"""Validators that run under Debian's own interpreter.

The test dependencies python3-prometheus-client and python3-html5lib are Debian packages: they
install for /usr/bin/python3, which need not be the python3 that CTest found first on PATH (a
developer's pyenv or virtualenv). Each validator is a script in this folder, run as a separate
process like an external tool would be; it reads the text on stdin and exits 0 when it passes,
else 1 with one problem per line."""

import os
import subprocess

DEBIAN_PYTHON = "/usr/bin/python3"
_HERE = os.path.dirname(os.path.abspath(__file__))


def validate(script, text, timeout=30):
    """(ok, problems) from tests/support/SCRIPT run on `text` (bytes) by Debian's python3."""
    result = subprocess.run([DEBIAN_PYTHON, os.path.join(_HERE, script)], input=text,
                            capture_output=True, timeout=timeout)
    problems = (result.stdout + result.stderr).decode("utf-8", "replace").strip()
    return result.returncode == 0, problems
