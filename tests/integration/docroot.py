# SPDX-License-Identifier: MIT
"""The document-root tree shared by the integration suites.

make_site() builds, in a fresh temp dir:
    <tmp>/secret.txt            outside the root: must never be served
    <tmp>/outside/              outside the root, a directory a symlink can point at
    <tmp>/www/                  the document root (see SPEC below)
"""

import calendar
import email.utils
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from learnhttpd_harness import (  # noqa: E402
    IMF_FIXDATE, Server, Symlink, binary_path, build_tree, parse_response, pseudo_random_bytes)

SECRET = b"TOP-SECRET-CONTENT outside the document root\n"
A_TXT = b"hello"
INDEX = b"<html><body>root index</body></html>\n"
DIR_INDEX = b"<html><body>dir index</body></html>\n"
BIG = pseudo_random_bytes(3 * 1024 * 1024 + 123, "big")
# A fixed, whole-second mtime so Last-Modified can be predicted exactly.
FIXED_MTIME = calendar.timegm((2020, 1, 2, 3, 4, 5))
FIXED_MTIME_HTTP = "Thu, 02 Jan 2020 03:04:05 GMT"

# The Content-Type each file is sent with by default (charset: utf-8).
TYPED = {
    "page.html": "text/html; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "app.js": "application/javascript; charset=utf-8",
    "module.mjs": "application/javascript; charset=utf-8",
    "data.json": "application/json; charset=utf-8",
    "source.js.map": "application/json; charset=utf-8",
    "feed.xml": "application/xml; charset=utf-8",
    "icon.svg": "image/svg+xml; charset=utf-8",
    "site.webmanifest": "application/manifest+json; charset=utf-8",
    "table.csv": "text/csv; charset=utf-8",
    "readme.md": "text/markdown; charset=utf-8",
    "font.woff2": "font/woff2",
    "code.wasm": "application/wasm",
    "doc.pdf": "application/pdf",
    "photo.jpg": "image/jpeg",
    "photo.jpeg": "image/jpeg",
    "PHOTO.JPG": "image/jpeg",
    "image.png": "image/png",
    "IMAGE.PNG": "image/png",
    "anim.gif": "image/gif",
    "movie.swf": "application/x-shockwave-flash",
    "notes.txt": "text/plain; charset=utf-8",
    "blob.unknownext": "application/octet-stream",
    "noextension": "application/octet-stream",
    "custom.foo": "application/octet-stream",  # until mime_types adds it
}

SPEC = {
    "a.txt": A_TXT,
    "b.txt": b"bravo!",
    "c.txt": b"charlie, the third file",
    "index.html": INDEX,
    "dir": {"index.html": DIR_INDEX, "inner.txt": b"inner file\n"},
    "noindex": {"file.txt": b"a file in a directory without index\n"},
    "space in name.txt": b"spaces are fine\n",
    "text..txt": b"two dots are fine\n",
    "big.bin": BIG,
    "link_inside.txt": Symlink("a.txt"),
    "link_outside.txt": Symlink("../secret.txt"),
    "link_outside_abs.txt": None,  # filled in make_site(): absolute target
    "link_outside_dir": Symlink("../outside"),
    **{name: pseudo_random_bytes(100 + i, name) for i, name in enumerate(TYPED)},
}


def make_site():
    """Returns (TemporaryDirectory, document_root)."""
    tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-site-")
    build_tree(tmp.name, {"secret.txt": SECRET, "outside": {"secret.txt": SECRET}})
    root = os.path.join(tmp.name, "www")
    spec = dict(SPEC)
    spec["link_outside_abs.txt"] = Symlink(os.path.join(tmp.name, "secret.txt"))
    build_tree(root, spec)
    os.utime(os.path.join(root, "a.txt"), (FIXED_MTIME, FIXED_MTIME))
    return tmp, root


def file_bytes(root, name):
    with open(os.path.join(root, name), "rb") as f:
        return f.read()


class ServerTestCase(unittest.TestCase):
    """One server per test class over a fresh make_site() tree; CONFIG overrides the defaults.
    A class may build another tree by overriding make_site() (returning the same pair), build
    its configuration when the class is set up by overriding server_config(), and pass further
    Server arguments (a launcher, say) in SERVER_ARGS."""
    CONFIG = {}
    SERVER_ARGS = {}

    @classmethod
    def make_site(cls):
        return make_site()

    @classmethod
    def server_config(cls):
        return cls.CONFIG

    @classmethod
    def setUpClass(cls):
        cls.site, cls.root = cls.make_site()
        try:
            cls.srv = Server(cls.root, config=cls.server_config(), **cls.SERVER_ARGS)
        except BaseException:
            cls.site.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.srv.stop()
        finally:
            cls.srv.close()
            cls.site.cleanup()

    def assertCommonHeaders(self, resp, connection="close", head=False):
        """Date (IMF-fixdate, now), Server, Connection; Content-Length = body unless HEAD/304."""
        h = resp.headers
        self.assertRegex(h.get("Date", ""), IMF_FIXDATE)
        date = email.utils.parsedate_to_datetime(h["Date"]).timestamp()
        self.assertLess(abs(date - time.time()), 5, h["Date"])
        self.assertEqual(h.get("Server"), "learnhttpd")
        self.assertEqual(h.get("Connection", "").lower(), connection)
        if resp.status != 304:
            self.assertIn("Content-Length", h)
        if resp.status != 304 and not head:
            self.assertEqual(int(h["Content-Length"]), len(resp.body))

    def assertErrorPage(self, resp, status):
        self.assertEqual(resp.status, status, resp)
        self.assertCommonHeaders(resp)
        self.assertGreater(len(resp.body), 0)
        self.assertIn(b"<html", resp.body.lower())

    def assertNoSecret(self, target):
        data = self.srv.raw(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .encode())
        self.assertNotIn(SECRET, data, target)
        return parse_response(data)


class ConfigCheckTestCase(unittest.TestCase):
    """`learnhttpd -t` on a configuration with a mistake: check(yaml, expected) writes a file of
    two valid lines (document_root, user) followed by `yaml`, and asserts that -t fails and
    names "FILE:expected" (the line and key of the mistake)."""

    def check(self, yaml, expected):
        with tempfile.TemporaryDirectory(prefix="learnhttpd-check-") as tmp:
            path = os.path.join(tmp, "bad.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"document_root: {tmp}\nuser: ''\n" + yaml)
            run = subprocess.run([binary_path(), "-t", "-c", path], capture_output=True,
                                 text=True, timeout=10, check=False)
            self.assertEqual(run.returncode, 1, run)
            self.assertIn(f"{path}:{expected}", run.stderr + run.stdout)
