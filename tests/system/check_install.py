#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`cmake --install BUILD --prefix P` puts every file under P, and DESTDIR=D puts them under
D/P: the binary, both man pages, the example configuration and conf.d, the documentation, the
default site, and a systemd unit whose commands name the installed binary and configuration.

Usage: check_install.py CMAKE BUILD_DIR"""

import os
import re
import subprocess
import sys
import tempfile

EXPECTED = [
    "sbin/learnhttpd",
    "etc/learnhttpd/learnhttpd.yaml",
    "etc/learnhttpd/conf.d/00-example.yaml",
    "etc/logrotate.d/learnhttpd",
    "lib/systemd/system/learnhttpd.service",
    "share/man/man8/learnhttpd.8",
    "share/man/man5/learnhttpd.yaml.5",
    "share/doc/learnhttpd/README.md",
    "share/doc/learnhttpd/operations.md",
    "share/doc/learnhttpd/models.md",
    "share/doc/learnhttpd/models.png",
    "share/learnhttpd/www/index.html",
]


def install(cmake, build, prefix, destdir=None):
    env = dict(os.environ)
    env.pop("DESTDIR", None)
    if destdir:
        env["DESTDIR"] = destdir
    result = subprocess.run([cmake, "--install", build, "--prefix", prefix], env=env,
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SystemExit(f"cmake --install failed:\n{result.stdout}{result.stderr}")


def files_under(root):
    found = []
    for folder, _, names in os.walk(root):
        found += [os.path.relpath(os.path.join(folder, n), root) for n in names]
    return sorted(found)


def check(root, prefix, installed=None):
    """Problems with an installation for `prefix` whose files are under `root` (DESTDIR, or
    the folder that holds the prefix): nothing else under `root`, every expected file there.
    `installed`: the prefix the unit must name, when not `prefix` itself."""
    installed = installed or prefix
    problems = []
    base = root + prefix
    outside = [f for f in files_under(root) if not ("/" + f).startswith(prefix + "/")]
    if outside:
        problems.append(f"files outside {prefix}: {outside[:5]}")
    for path in EXPECTED:
        if not os.path.isfile(os.path.join(base, path)):
            problems.append(f"{prefix}/{path} missing")
    binary = os.path.join(base, "sbin/learnhttpd")
    if os.path.isfile(binary) and not os.access(binary, os.X_OK):
        problems.append(f"{prefix}/sbin/learnhttpd is not executable")
    unit_path = os.path.join(base, "lib/systemd/system/learnhttpd.service")
    if os.path.isfile(unit_path):
        with open(unit_path, encoding="utf-8") as f:
            unit = f.read()
        config = f"{installed}/etc/learnhttpd/learnhttpd.yaml"
        wanted = {
            "ExecStartPre": f"{installed}/sbin/learnhttpd -t -c {config}",
            "ExecStart": f"{installed}/sbin/learnhttpd -c {config}",
            "ExecReload": f"{installed}/sbin/learnhttpd -c {config} -s reload",
        }
        for key, value in wanted.items():
            lines = re.findall(rf"^{key}=(.*)$", unit, re.M)
            if lines != [value]:
                problems.append(f"unit {key}= is {lines}, expected [{value!r}]")
        if prefix != "/usr" and re.search(r"/usr/sbin|(?<![\w/])/etc/learnhttpd", unit):
            problems.append("the unit still names /usr/sbin or /etc/learnhttpd")
    return problems


def main(cmake, build):
    problems = []
    with tempfile.TemporaryDirectory(prefix="learnhttpd-install-") as tmp:
        # DESTDIR first: it catches every file, even one with an absolute destination, which a
        # plain --prefix install would write into this machine's /etc or /lib.
        destdir = os.path.join(tmp, "dest")
        install(cmake, build, "/opt/learnhttpd", destdir)
        problems += [f"DESTDIR: {p}" for p in check(destdir, "/opt/learnhttpd")]
        if problems:
            problems.append("--prefix: not tried, it would install outside the prefix")
        else:
            # --prefix ROOT/opt/x, checked as the prefix /opt/x of the root ROOT.
            root = os.path.join(tmp, "plain")
            install(cmake, build, root + "/opt/x")
            problems += [f"--prefix: {p}" for p in check(root, "/opt/x", installed=root + "/opt/x")]
        version = subprocess.run([os.path.join(destdir, "opt/learnhttpd/sbin/learnhttpd"), "-V"],
                                 capture_output=True, text=True, timeout=10)
        if version.returncode != 0 or not version.stdout.startswith("learnhttpd "):
            problems.append(f"the installed binary does not run: {version}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"cmake --install: {len(EXPECTED)} files checked under --prefix and DESTDIR, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
