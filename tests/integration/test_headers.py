# SPDX-License-Identifier: MIT
"""Response headers by path and custom error pages: `headers` rules add fields to the answers
served from a file by path prefix or extension (every matching rule, a later one overriding a
name), a bad rule is refused at load naming file, line and key, and `error_pages` sends the
page file with the error's status, or the built-in page when the file is missing."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from docroot import ConfigCheckTestCase, ServerTestCase  # noqa: E402
from learnhttpd_harness import Server, build_tree  # noqa: E402

NOT_FOUND_PAGE = b"<html><body>custom: nothing here</body></html>\n"
IMMUTABLE = "public, max-age=31536000, immutable"

CONFIG = {
    "workers": 1,
    "headers": [
        {"match": "/", "set": {"X-Content-Type-Options": "nosniff"}},
        {"match": "/assets/", "set": {"Cache-Control": IMMUTABLE,
                                      "Expires": "Thu, 31 Dec 2037 23:55:55 GMT"}},
        {"match": "*.html", "set": {"Cache-Control": "no-cache"}},
        {"match": "/assets/legacy/", "set": {"X-Frame-Options": "DENY"}},
    ],
    "error_pages": {404: "/errors/404.html", 405: "/errors/missing.html"},
}


def make_site():
    tmp = tempfile.TemporaryDirectory(prefix="learnhttpd-headers-")
    root = os.path.join(tmp.name, "www")
    build_tree(root, {
        "index.html": b"<p>home</p>",
        "a.txt": b"alpha",
        "assets": {"app.js": b"var a;", "page.html": b"<p>asset page</p>",
                   "legacy": {"old.css": b"p{}"}},
        "assetsX.txt": b"not under /assets/",
        "docs": {"INDEX.HTML": b"upper", "guide.HTML": b"<p>guide</p>"},
        "errors": {"404.html": NOT_FOUND_PAGE},
    })
    return tmp, root


class HeadersTest(ServerTestCase):
    CONFIG = CONFIG

    @classmethod
    def make_site(cls):
        return make_site()  # this module's tree

    def test_prefix_rule(self):
        resp = self.srv.get("/assets/app.js")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.headers.get_all("Cache-Control"), [IMMUTABLE])
        self.assertEqual(resp.headers["Expires"], "Thu, 31 Dec 2037 23:55:55 GMT")
        self.assertEqual(resp.headers["X-Content-Type-Options"], "nosniff")
        self.assertNotIn("X-Frame-Options", resp.headers)

    def test_prefix_is_a_path_prefix_not_a_string_prefix(self):
        resp = self.srv.get("/assetsX.txt")
        self.assertNotIn("Cache-Control", resp.headers)
        self.assertEqual(resp.headers["X-Content-Type-Options"], "nosniff")

    def test_extension_rule_and_the_later_rule_wins(self):
        resp = self.srv.get("/assets/page.html")
        self.assertEqual(resp.headers.get_all("Cache-Control"), ["no-cache"])
        resp = self.srv.get("/docs/guide.HTML")  # extensions match case-insensitively
        self.assertEqual(resp.headers.get_all("Cache-Control"), ["no-cache"])

    def test_index_matches_by_its_file_name(self):
        resp = self.srv.get("/")
        self.assertEqual(resp.body, b"<p>home</p>")
        self.assertEqual(resp.headers["Cache-Control"], "no-cache")

    def test_nested_prefix_adds_to_the_outer_one(self):
        resp = self.srv.get("/assets/legacy/old.css")
        self.assertEqual(resp.headers["X-Frame-Options"], "DENY")
        self.assertEqual(resp.headers["Cache-Control"], IMMUTABLE)

    def test_head_range_and_304_carry_the_fields(self):
        head = self.srv.head("/assets/app.js")
        self.assertEqual((head.status, head.headers["Cache-Control"]), (200, IMMUTABLE))
        part = self.srv.get("/assets/app.js", headers={"Range": "bytes=0-1"})
        self.assertEqual((part.status, part.headers["Cache-Control"]), (206, IMMUTABLE))
        etag = part.headers["ETag"]
        cached = self.srv.get("/assets/app.js", headers={"If-None-Match": etag})
        self.assertEqual((cached.status, cached.headers["Cache-Control"]), (304, IMMUTABLE))

    def test_custom_error_page_keeps_the_status(self):
        resp = self.srv.get("/assets/nope.js")
        self.assertEqual(resp.status, 404)
        self.assertEqual(resp.body, NOT_FOUND_PAGE)
        self.assertEqual(resp.headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(int(resp.headers["Content-Length"]), len(NOT_FOUND_PAGE))
        self.assertNotIn("ETag", resp.headers)
        self.assertNotIn("Cache-Control", resp.headers)  # rules are for files served as such
        head = self.srv.head("/nope")
        self.assertEqual((head.status, head.body), (404, b""))
        self.assertEqual(int(head.headers["Content-Length"]), len(NOT_FOUND_PAGE))
        ranged = self.srv.get("/nope", headers={"Range": "bytes=0-3"})
        self.assertEqual((ranged.status, ranged.body), (404, NOT_FOUND_PAGE))

    def test_missing_error_page_falls_back_to_the_built_in_one(self):
        resp = self.srv.request("DELETE", "/a.txt")
        self.assertEqual(resp.status, 405)
        self.assertIn(b"405 Method Not Allowed", resp.body)
        self.assertEqual(resp.headers["Allow"], "GET, HEAD, OPTIONS")


class DisabledPagesTest(unittest.TestCase):
    def test_without_error_pages_the_built_in_page(self):
        site, root = make_site()
        try:
            with Server(root, config={"workers": 1}) as srv:
                resp = srv.get("/nope")
                self.assertEqual(resp.status, 404)
                self.assertIn(b"404 Not Found", resp.body)
                # The built-in pages are ASCII: no charset to name.
                self.assertEqual(resp.headers["Content-Type"], "text/html")
                self.assertNotIn("X-Content-Type-Options", srv.get("/a.txt").headers)
        finally:
            site.cleanup()


class ConfigErrorTest(ConfigCheckTestCase):
    def test_bad_rules_name_file_line_and_key(self):
        self.check('headers:\n  - match: "/a/"\n    set: {"X-A": "one\\r\\nInjected: yes"}\n',
                   "5: headers[0].set[X-A]: ")
        self.check('headers:\n  - match: "/a/"\n    set: {"Bad Name": "x"}\n',
                   "5: headers[0].set: ")
        self.check('headers:\n  - match: "/a/"\n    set: {Content-Length: "1"}\n',
                   "5: headers[0].set: ")
        self.check('headers:\n  - match: "a/"\n    set: {X-A: "1"}\n', "4: headers[0].match: ")
        self.check('error_pages: {200: /ok.html}\n', "3: error_pages: ")
        self.check('error_pages: {404: nope.html}\n', "3: error_pages[404]: ")


if __name__ == "__main__":
    unittest.main()
