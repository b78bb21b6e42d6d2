# SPDX-License-Identifier: MIT
"""Pre-compressed sidecars: FILE.br, FILE.zst or FILE.gz beside FILE is served to a client that
accepts the coding (q-values honoured, br before zstd before gzip), with Content-Encoding, Vary,
its own ETag, and HEAD, Range and 304 applying to the encoded bytes. A sidecar older than its
file, outside the root or not a regular file is ignored; one that appears, changes or goes away
is seen by the next request on the same keep-alive connection (the open-file cache)."""

import gzip
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from docroot import ServerTestCase  # noqa: E402
from learnhttpd_harness import (  # noqa: E402
    Server, Symlink, build_tree, pseudo_random_bytes, read_responses)

T = 1_600_000_000  # every original file's mtime
PAGE = b"<html><body>" + b"compress me " * 200 + b"</body></html>\n"
PAGE_GZ = gzip.compress(PAGE, mtime=0)
PAGE_BR = b"pretend brotli bytes of page.html"
PAGE_ZST = b"pretend zstd bytes of page.html"
BIG = pseudo_random_bytes(200 * 1024, "orig")
BIG_GZ = pseudo_random_bytes(64 * 1024, "gz")  # past the 16 KiB inline limit: sendfile
CSS = b"body { color: red }\n" * 50


def make_site():
    tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-precompressed-")
    build_tree(tmp.name, {"outside.gz": b"SECRET outside the root"})
    root = os.path.join(tmp.name, "www")
    build_tree(root, {
        "page.html": PAGE, "page.html.gz": PAGE_GZ, "page.html.br": PAGE_BR,
        "page.html.zst": PAGE_ZST,
        "style.css": CSS, "style.css.gz": gzip.compress(CSS, mtime=0),
        "plain.txt": b"no sidecar here\n",
        "old.js": b"var fresh = 1;\n", "old.js.gz": gzip.compress(b"var stale = 1;\n"),
        "big.bin": BIG, "big.bin.gz": BIG_GZ,
        "dir": {"index.html": PAGE, "index.html.gz": PAGE_GZ},
        "escape.txt": b"inside", "escape.txt.gz": Symlink("../outside.gz"),
        "isdir.txt": b"a file", "isdir.txt.gz": {"x": b"a directory named like a sidecar"},
    })
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            path = os.path.join(dirpath, name)
            # Sidecars one second newer (equal would do too), except old.js.gz: older.
            sidecar = name.endswith((".gz", ".br", ".zst"))
            when = T + 1 if sidecar else T
            if name == "old.js.gz":
                when = T - 10
            os.utime(path, (when, when), follow_symlinks=False)
    return tmp, root


class PrecompressedTest(ServerTestCase):
    CONFIG = {"workers": 1}

    @classmethod
    def make_site(cls):
        return make_site()  # this module's tree

    def get(self, target, accept=None, **headers):
        fields = dict(headers)
        if accept is not None:
            fields["Accept-Encoding"] = accept
        return self.srv.get(target, headers=fields)

    def assertEncoded(self, resp, coding, body):
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.headers.get("Content-Encoding"), coding)
        self.assertEqual(resp.headers.get("Vary"), "Accept-Encoding")
        self.assertEqual(resp.body, body)
        self.assertEqual(int(resp.headers["Content-Length"]), len(body))
        self.assertTrue(resp.headers["ETag"].endswith(f'-{coding}"'), resp.headers["ETag"])

    def assertIdentity(self, resp, body, vary=True):
        self.assertEqual(resp.status, 200, resp)
        self.assertNotIn("Content-Encoding", resp.headers)
        self.assertEqual(resp.headers.get("Vary"), "Accept-Encoding" if vary else None)
        self.assertEqual(resp.body, body)

    def test_browser_gets_brotli_and_the_original_type(self):
        resp = self.get("/page.html", "gzip, deflate, br, zstd")
        self.assertEncoded(resp, "br", PAGE_BR)
        self.assertEqual(resp.headers["Content-Type"], "text/html; charset=utf-8")

    def test_gzip_sidecar_restores_the_file(self):
        resp = self.get("/style.css", "gzip")
        self.assertEncoded(resp, "gzip", gzip.compress(CSS, mtime=0))
        self.assertEqual(gzip.decompress(resp.body), CSS)
        self.assertEqual(resp.headers["Content-Type"], "text/css; charset=utf-8")

    def test_q_values(self):
        self.assertEncoded(self.get("/page.html", "br;q=0, gzip, zstd"), "zstd", PAGE_ZST)
        self.assertEncoded(self.get("/page.html", "br;q=0.5, gzip;q=0.8"), "gzip", PAGE_GZ)
        self.assertEncoded(self.get("/page.html", "*"), "br", PAGE_BR)
        self.assertEncoded(self.get("/page.html", "x-gzip"), "gzip", PAGE_GZ)
        self.assertEncoded(self.get("/page.html", "gzip, identity;q=0"), "gzip", PAGE_GZ)
        self.assertIdentity(self.get("/page.html", "gzip;q=0, br;q=0, zstd;q=0"), PAGE)
        self.assertIdentity(self.get("/page.html", "*;q=0"), PAGE)
        self.assertIdentity(self.get("/page.html", "gzip;q=0.5, identity"), PAGE)
        self.assertIdentity(self.get("/page.html", "deflate"), PAGE)
        # Refusing identity while accepting nothing we have: the file as it is, not a 406.
        self.assertIdentity(self.get("/page.html", "identity;q=0"), PAGE)

    def test_no_accept_encoding_or_no_sidecar_is_identity_with_vary(self):
        self.assertIdentity(self.get("/page.html"), PAGE)
        self.assertIdentity(self.get("/plain.txt", "gzip, br"), b"no sidecar here\n")

    def test_older_sidecar_is_ignored(self):
        self.assertIdentity(self.get("/old.js", "gzip"), b"var fresh = 1;\n")

    def test_sidecar_outside_the_root_or_not_a_file_is_ignored(self):
        self.assertIdentity(self.get("/escape.txt", "gzip"), b"inside")
        self.assertIdentity(self.get("/isdir.txt", "gzip"), b"a file")

    def test_directory_index_sidecar(self):
        resp = self.get("/dir/", "gzip")
        self.assertEncoded(resp, "gzip", PAGE_GZ)
        self.assertEqual(resp.headers["Content-Type"], "text/html; charset=utf-8")

    def test_head_describes_the_encoded_body(self):
        get = self.get("/big.bin", "gzip")
        self.assertEncoded(get, "gzip", BIG_GZ)
        head = self.srv.head("/big.bin", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(head.status, 200)
        self.assertEqual(head.body, b"")
        for name in ("Content-Length", "Content-Encoding", "ETag", "Vary", "Content-Type",
                     "Last-Modified"):
            self.assertEqual(head.headers.get(name), get.headers.get(name), name)

    def test_range_applies_to_the_encoded_bytes(self):
        for target, body in (("/page.html", PAGE_GZ), ("/big.bin", BIG_GZ)):
            resp = self.get(target, "gzip", Range="bytes=10-40009")
            self.assertEqual(resp.status, 206, resp)
            self.assertEqual(resp.headers["Content-Encoding"], "gzip")
            last = min(40009, len(body) - 1)
            self.assertEqual(resp.headers["Content-Range"], f"bytes 10-{last}/{len(body)}")
            self.assertEqual(resp.body, body[10:last + 1])
        resp = self.get("/big.bin", "gzip", Range=f"bytes={len(BIG_GZ)}-")
        self.assertEqual(resp.status, 416)
        self.assertEqual(resp.headers["Content-Range"], f"bytes */{len(BIG_GZ)}")
        self.assertNotIn("Content-Encoding", resp.headers)

    def test_if_range_compares_the_encoded_etag(self):
        encoded = self.get("/big.bin", "gzip").headers["ETag"]
        identity = self.get("/big.bin").headers["ETag"]
        resp = self.get("/big.bin", "gzip", Range="bytes=0-9", **{"If-Range": encoded})
        self.assertEqual((resp.status, resp.body), (206, BIG_GZ[:10]))
        resp = self.get("/big.bin", "gzip", Range="bytes=0-9", **{"If-Range": identity})
        self.assertEqual((resp.status, resp.body), (200, BIG_GZ))

    def test_not_modified_compares_the_encoded_etag(self):
        encoded = self.get("/page.html", "gzip").headers["ETag"]
        identity = self.get("/page.html").headers["ETag"]
        self.assertNotEqual(encoded, identity)
        resp = self.get("/page.html", "gzip", **{"If-None-Match": encoded})
        self.assertEqual(resp.status, 304, resp)
        self.assertEqual(resp.headers["ETag"], encoded)
        self.assertEqual(resp.headers["Vary"], "Accept-Encoding")
        self.assertEqual(resp.body, b"")
        # The identity tag does not validate the encoded answer, nor the reverse.
        self.assertEncoded(self.get("/page.html", "gzip", **{"If-None-Match": identity}),
                           "gzip", PAGE_GZ)
        self.assertIdentity(self.get("/page.html", **{"If-None-Match": encoded}), PAGE)


class FreshnessTest(unittest.TestCase):
    """One worker and one keep-alive connection: every answer comes from the same cache."""

    def setUp(self):
        self.site, self.root = make_site()
        self.srv = Server(self.root, config={"workers": 1})
        self.sock = self.srv.connect()

    def tearDown(self):
        self.sock.close()
        try:
            self.srv.stop()
        finally:
            self.srv.close()
            self.site.cleanup()

    def get(self, target):
        self.sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n".encode())
        (resp,), _ = read_responses(self.sock, 1)
        self.assertEqual(resp.status, 200, resp)
        return resp.headers.get("Content-Encoding"), resp.body

    def write(self, name, data, when):
        path = os.path.join(self.root, name)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (when, when))

    def test_sidecar_appears_changes_and_goes(self):
        for _ in range(2):  # the second answer is a cache hit
            self.assertEqual(self.get("/plain.txt"), (None, b"no sidecar here\n"))
        self.write("plain.txt.gz", b"gz one", T + 5)
        for _ in range(2):
            self.assertEqual(self.get("/plain.txt"), ("gzip", b"gz one"))
        self.write("plain.txt.gz", b"gz two", T + 5)  # same mtime: only inotify can tell
        self.assertEqual(self.get("/plain.txt"), ("gzip", b"gz two"))
        os.unlink(os.path.join(self.root, "plain.txt.gz"))
        self.assertEqual(self.get("/plain.txt"), (None, b"no sidecar here\n"))

    def test_file_edited_after_its_sidecar(self):
        self.assertEqual(self.get("/style.css")[0], "gzip")
        self.write("style.css", b"p { }\n", T + 100)  # now newer than style.css.gz
        self.assertEqual(self.get("/style.css"), (None, b"p { }\n"))


class DisabledTest(unittest.TestCase):
    def test_off_serves_identity_without_vary(self):
        site, root = make_site()
        try:
            with Server(root, config={"workers": 1, "precompressed": False}) as srv:
                resp = srv.get("/page.html", headers={"Accept-Encoding": "gzip, br"})
                self.assertEqual(resp.status, 200)
                self.assertNotIn("Content-Encoding", resp.headers)
                self.assertNotIn("Vary", resp.headers)
                self.assertEqual(resp.body, PAGE)
        finally:
            site.cleanup()


if __name__ == "__main__":
    unittest.main()
