# SPDX-License-Identifier: MIT
"""On-the-fly gzip (config `gzip`): a file of a listed type whose size is within
[min_length, max_length] is compressed per request for a client that accepts gzip (q-values
honoured) and is not served a pre-compressed sidecar, with Content-Encoding, Vary, the
compressed Content-Length and a weak ETag of its own. HEAD gives the same head, a Range that
applies keeps the file's bytes (206), If-None-Match on the gzip tag gives 304, and a bad
`gzip` block is refused at load naming file, line and key."""

import gzip
import os
import sys
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from docroot import ConfigCheckTestCase, ServerTestCase  # noqa: E402
from learnhttpd_harness import build_tree, read_responses  # noqa: E402

T = 1_600_000_000  # every original file's mtime; sidecars are one second newer


def page_text(size, seed=1):
    """Compressible like a web page, not trivially: words of a small vocabulary in a varying
    order."""
    words = [b"<div class=item>", b"static", b"files", b"</div>\n", b"with", b"gzip", b"and",
             b"sendfile", b"<p>", b"</p>\n", b"learnhttpd", b"serves"]
    out, state = bytearray(), seed
    while len(out) < size:
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out += words[(state >> 16) % len(words)] + b" "
    return bytes(out[:size])


PAGE = page_text(20 * 1024)        # past the 16 KiB the file cache keeps: read from the file
CSS = page_text(4 * 1024, 2)       # kept in the file cache: compressed from memory
BIG = page_text(200 * 1024, 3)     # several 64 KiB reads, within max_length
HUGE = page_text(300 * 1024, 4)    # above max_length (256k)
TINY = b"<p>tiny</p>\n" * 20       # 240 bytes: below min_length (256)
PNG = page_text(4 * 1024, 5)       # compressible bytes, but image/png is not in `types`
SIDE = page_text(3000, 6)
SIDE_GZ = b"pretend gzip bytes of side.css"
SIDE_BR = b"pretend brotli bytes of side.css"
STALE = page_text(2000, 7)
LEVEL = 6
CONFIG = {"workers": 1, "gzip": {"enabled": True, "level": LEVEL, "max_length": "256k"}}


def zlib_gzip(data, level=LEVEL):
    """What zlib makes of `data` with the server's settings (windowBits 15 + 16, memLevel 8)."""
    c = zlib.compressobj(level, zlib.DEFLATED, 31, 8)
    return c.compress(data) + c.flush()


def make_site():
    tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-gzip-")
    root = os.path.join(tmp.name, "www")
    build_tree(root, {
        "page.html": PAGE, "style.css": CSS, "big.txt": BIG, "huge.txt": HUGE,
        "tiny.html": TINY, "image.png": PNG, "data.json": CSS, "icon.svg": CSS,
        "side.css": SIDE, "side.css.gz": SIDE_GZ, "side.css.br": SIDE_BR,
        "stale.js": STALE, "stale.js.gz": b"an old sidecar",
        "dir": {"index.html": PAGE},
    })
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            when = T + 1 if name.endswith((".gz", ".br")) else T
            when = T - 10 if name == "stale.js.gz" else when
            os.utime(os.path.join(dirpath, name), (when, when))
    return tmp, root


class GzipTest(ServerTestCase):
    CONFIG = CONFIG

    @classmethod
    def make_site(cls):
        return make_site()

    def get(self, target, accept=None, **headers):
        if accept is not None:
            headers["Accept-Encoding"] = accept
        return self.srv.get(target, headers=headers)

    def assertGzip(self, resp, original):
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.headers.get("Content-Encoding"), "gzip")
        self.assertEqual(resp.headers.get("Vary"), "Accept-Encoding")
        self.assertEqual(int(resp.headers["Content-Length"]), len(resp.body))
        self.assertEqual(gzip.decompress(resp.body), original)
        self.assertRegex(resp.headers["ETag"], r'^W/"[0-9a-f]+-[0-9a-f]+-gzip"$')
        self.assertNotIn("Accept-Ranges", resp.headers)

    def assertIdentity(self, resp, original, vary=True):
        self.assertEqual(resp.status, 200, resp)
        self.assertNotIn("Content-Encoding", resp.headers)
        self.assertEqual(resp.headers.get("Vary"), "Accept-Encoding" if vary else None)
        self.assertEqual(resp.body, original)
        self.assertFalse(resp.headers["ETag"].startswith("W/"))

    def test_restores_byte_for_byte_at_the_configured_level(self):
        for target, original in (("/page.html", PAGE), ("/style.css", CSS), ("/big.txt", BIG),
                                 ("/data.json", CSS), ("/icon.svg", CSS), ("/dir/", PAGE)):
            for _ in range(2):  # the second from the open-file cache
                resp = self.get(target, "gzip, deflate, br")
                self.assertGzip(resp, original)
                self.assertEqual(resp.body, zlib_gzip(original), target)
        # gzip.types name bare types: the charset parameter does not get in the way.
        self.assertEqual(self.get("/page.html", "gzip").headers["Content-Type"],
                         "text/html; charset=utf-8")
        self.assertEqual(self.get("/data.json", "gzip").headers["Content-Type"],
                         "application/json; charset=utf-8")
        self.assertLess(len(self.get("/big.txt", "gzip").body), len(BIG) // 2)

    def test_q_values(self):
        self.assertGzip(self.get("/page.html", "gzip;q=0.5"), PAGE)
        self.assertGzip(self.get("/page.html", "x-gzip"), PAGE)
        self.assertGzip(self.get("/page.html", "*"), PAGE)
        self.assertGzip(self.get("/page.html", "br;q=1, gzip;q=0.1"), PAGE)
        self.assertGzip(self.get("/page.html", "gzip, identity;q=0"), PAGE)
        self.assertIdentity(self.get("/page.html", "gzip;q=0"), PAGE)
        self.assertIdentity(self.get("/page.html", "gzip;q=0, *"), PAGE)
        self.assertIdentity(self.get("/page.html", "*;q=0"), PAGE)
        self.assertIdentity(self.get("/page.html", "gzip;q=0.5, identity"), PAGE)
        self.assertIdentity(self.get("/page.html", "deflate, br"), PAGE)
        self.assertIdentity(self.get("/page.html", "identity;q=0"), PAGE)  # never a 406
        self.assertIdentity(self.get("/page.html"), PAGE)

    def test_size_window_and_type(self):
        self.assertIdentity(self.get("/tiny.html", "gzip"), TINY)
        self.assertIdentity(self.get("/huge.txt", "gzip"), HUGE)
        # precompressed is on, so every file answer varies (see GzipOnlyTest for the type rule)
        self.assertIdentity(self.get("/image.png", "gzip"), PNG)

    def test_sidecar_is_preferred(self):
        resp = self.get("/side.css", "gzip")
        self.assertEqual((resp.headers.get("Content-Encoding"), resp.body), ("gzip", SIDE_GZ))
        self.assertFalse(resp.headers["ETag"].startswith("W/"))  # the sidecar's own, strong
        resp = self.get("/side.css", "gzip, br")
        self.assertEqual((resp.headers.get("Content-Encoding"), resp.body), ("br", SIDE_BR))
        # A sidecar older than its file is ignored: compressed on the fly instead.
        self.assertGzip(self.get("/stale.js", "gzip"), STALE)

    def test_head_gives_the_get_head(self):
        get = self.get("/big.txt", "gzip")
        head = self.srv.head("/big.txt", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(head.status, 200)
        self.assertEqual(head.body, b"")
        for name in ("Content-Length", "Content-Encoding", "ETag", "Vary", "Content-Type",
                     "Last-Modified"):
            self.assertEqual(head.headers.get(name), get.headers.get(name), name)

    def test_range_that_applies_keeps_the_file_bytes(self):
        resp = self.get("/page.html", "gzip", Range="bytes=100-199")
        self.assertEqual(resp.status, 206, resp)
        self.assertNotIn("Content-Encoding", resp.headers)
        self.assertEqual(resp.headers["Content-Range"], f"bytes 100-199/{len(PAGE)}")
        self.assertEqual(resp.headers["Vary"], "Accept-Encoding")
        self.assertEqual(resp.body, PAGE[100:200])
        resp = self.get("/page.html", "gzip", Range=f"bytes={len(PAGE)}-")
        self.assertEqual(resp.status, 416)
        self.assertNotIn("Content-Encoding", resp.headers)
        identity = self.get("/page.html").headers["ETag"]
        resp = self.get("/page.html", "gzip", Range="bytes=0-9", **{"If-Range": identity})
        self.assertEqual((resp.status, resp.body), (206, PAGE[:10]))

    def test_range_that_is_ignored_leaves_gzip(self):
        self.assertGzip(self.get("/page.html", "gzip", Range="bytes=z-1"), PAGE)
        self.assertGzip(self.get("/page.html", "gzip", Range="bytes=0-9",
                                 **{"If-Range": '"not-the-tag"'}), PAGE)
        # The weak gzip tag never satisfies If-Range (a strong comparison).
        tag = self.get("/page.html", "gzip").headers["ETag"]
        self.assertGzip(self.get("/page.html", "gzip", Range="bytes=0-9", **{"If-Range": tag}),
                        PAGE)

    def test_not_modified_on_the_gzip_tag(self):
        tag = self.get("/page.html", "gzip").headers["ETag"]
        identity = self.get("/page.html").headers["ETag"]
        self.assertEqual(tag, "W/" + identity[:-1] + '-gzip"')
        for sent in (tag, tag[2:]):  # If-None-Match compares weakly
            resp = self.get("/page.html", "gzip", **{"If-None-Match": sent})
            self.assertEqual(resp.status, 304, resp)
            self.assertEqual(resp.headers["ETag"], tag)
            self.assertEqual(resp.headers["Vary"], "Accept-Encoding")
            self.assertEqual(resp.body, b"")
        self.assertGzip(self.get("/page.html", "gzip", **{"If-None-Match": identity}), PAGE)
        self.assertIdentity(self.get("/page.html", **{"If-None-Match": tag}), PAGE)

    def test_pipelined_answers(self):
        request = "GET {} HTTP/1.1\r\nHost: t\r\nAccept-Encoding: {}\r\n\r\n"
        with self.srv.connect() as sock:
            sock.sendall("".join(request.format(t, a) for t, a in (
                ("/big.txt", "gzip"), ("/tiny.html", "gzip"), ("/style.css", "gzip"),
                ("/big.txt", "identity"))).encode())
            answers, _ = read_responses(sock, 4)
        self.assertGzip(answers[0], BIG)
        self.assertIdentity(answers[1], TINY)
        self.assertGzip(answers[2], CSS)
        self.assertIdentity(answers[3], BIG)


class GzipOnlyTest(ServerTestCase):
    """precompressed off: only the types gzip may compress vary with Accept-Encoding."""
    CONFIG = {**CONFIG, "precompressed": False}

    @classmethod
    def make_site(cls):
        return make_site()

    def test_vary_only_for_the_listed_types(self):
        accept = {"Accept-Encoding": "gzip"}
        resp = self.srv.get("/image.png", headers=accept)
        self.assertEqual((resp.status, resp.body), (200, PNG))
        self.assertNotIn("Vary", resp.headers)
        self.assertNotIn("Content-Encoding", resp.headers)
        resp = self.srv.get("/tiny.html", headers=accept)  # too small, but of a listed type
        self.assertEqual(resp.headers.get("Vary"), "Accept-Encoding")
        self.assertNotIn("Content-Encoding", resp.headers)
        # Without sidecars the on-the-fly answer stands in for one.
        resp = self.srv.get("/side.css", headers=accept)
        self.assertEqual(resp.headers.get("Content-Encoding"), "gzip")
        self.assertEqual(gzip.decompress(resp.body), SIDE)


class GzipOffTest(ServerTestCase):
    CONFIG = {"workers": 1, "precompressed": False}

    @classmethod
    def make_site(cls):
        return make_site()

    def test_off_by_default(self):
        resp = self.srv.get("/page.html", headers={"Accept-Encoding": "gzip"})
        self.assertEqual((resp.status, resp.body), (200, PAGE))
        self.assertNotIn("Content-Encoding", resp.headers)
        self.assertNotIn("Vary", resp.headers)


class ConfigErrorTest(ConfigCheckTestCase):
    def test_bad_settings_name_file_line_and_key(self):
        self.check("gzip:\n  enabled: true\n  level: 0\n", "5: gzip.level: ")
        self.check("gzip:\n  min_length: 2m\n  max_length: 1m\n", "5: gzip.max_length: ")
        self.check("gzip:\n  types: [text/html, nope]\n", "4: gzip.types: ")
        self.check("gzip:\n  enable: true\n", "4: unknown key 'gzip.enable', did you mean")


if __name__ == "__main__":
    unittest.main()
