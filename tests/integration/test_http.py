# SPDX-License-Identifier: MIT
"""GET/HEAD semantics: headers, methods, path mapping, safety, MIME types, conditionals, big files."""

import email.utils
import os
import unittest

from docroot import (A_TXT, BIG, DIR_INDEX, FIXED_MTIME_HTTP, INDEX, TYPED, ConfigCheckTestCase,
                     ServerTestCase, file_bytes, make_site)
from learnhttpd_harness import IMF_FIXDATE, build_tree, parse_response, read_responses, sha256

METHODS_405 = ("POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "FOO", "options")
ALLOW = "GET, HEAD, OPTIONS"


class GetHeadTests(ServerTestCase):
    def test_get_file(self):
        resp = self.srv.get("/a.txt")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, A_TXT)
        self.assertCommonHeaders(resp)
        self.assertEqual(resp.headers["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(resp.headers["Last-Modified"], FIXED_MTIME_HTTP)

    def test_last_modified_follows_mtime(self):
        path = os.path.join(self.root, "b.txt")
        mtime = int(os.stat(path).st_mtime)
        resp = self.srv.get("/b.txt")
        self.assertRegex(resp.headers["Last-Modified"], IMF_FIXDATE)
        parsed = email.utils.parsedate_to_datetime(resp.headers["Last-Modified"]).timestamp()
        self.assertEqual(int(parsed), mtime)

    def test_keep_alive_connection_header(self):
        with self.srv.connect() as sock:
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            (resp,), _ = read_responses(sock, 1)
        self.assertEqual(resp.status, 200)
        self.assertCommonHeaders(resp, connection="keep-alive")

    def test_head_is_get_without_body(self):
        get = self.srv.get("/page.html")
        data = self.srv.raw(b"HEAD /page.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(data.endswith(b"\r\n\r\n"), "HEAD response carried a body")
        head = parse_response(data, "HEAD")
        self.assertEqual(head.status, 200)
        self.assertCommonHeaders(head, head=True)
        for name in ("Content-Length", "Content-Type", "Last-Modified", "Server"):
            self.assertEqual(head.headers.get(name), get.headers.get(name), name)

    def test_head_big_file_content_length(self):
        resp = self.srv.head("/big.bin")
        self.assertEqual(resp.status, 200)
        self.assertEqual(int(resp.headers["Content-Length"]), len(BIG))

    def test_big_file_byte_exact(self):
        resp = self.srv.get("/big.bin", timeout=20)
        self.assertEqual(resp.status, 200)
        self.assertEqual(int(resp.headers["Content-Length"]), len(BIG))
        self.assertEqual(sha256(resp.body), sha256(BIG))

    def test_other_methods_405(self):
        for method in METHODS_405:
            with self.subTest(method=method):
                resp = self.srv.request(method, "/a.txt")
                self.assertErrorPage(resp, 405)
                self.assertEqual(resp.headers.get("Allow"), ALLOW)

    def test_405_on_missing_file_still_names_allow(self):
        # The method is checked before the path is resolved: 405 whether or not the file exists.
        resp = self.srv.request("DELETE", "/no-such-file")
        self.assertErrorPage(resp, 405)
        self.assertEqual(resp.headers.get("Allow"), ALLOW)

    def test_not_found_error_page(self):
        self.assertErrorPage(self.srv.get("/no-such-file.txt"), 404)

    def test_absolute_form_target(self):
        resp = self.srv.get("http://localhost/a.txt")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, A_TXT)

    def test_http10_request(self):
        data = self.srv.raw(b"GET /a.txt HTTP/1.0\r\n\r\n")
        resp = parse_response(data)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, A_TXT)


class OptionsTests(ServerTestCase):
    """RFC 9110 section 9.3.7: OPTIONS names the methods; a 204 has neither Content-Length nor a
    body (sections 8.6 and 15.3.5)."""

    def assertOptionsAnswer(self, resp, connection="close"):
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(resp.reason, "No Content")
        self.assertEqual(resp.headers.get("Allow"), ALLOW)
        self.assertNotIn("Content-Length", resp.headers)
        self.assertNotIn("Content-Type", resp.headers)
        self.assertEqual(resp.headers.get("Connection", "").lower(), connection)
        self.assertEqual(resp.headers.get("Server"), "learnhttpd")
        self.assertRegex(resp.headers.get("Date", ""), IMF_FIXDATE)

    def test_server_wide_and_per_path(self):
        # The answer is about methods, not files: a missing path gets it too.
        for target in ("*", "/a.txt", "/", "/dir/", "/no-such-file", "http://localhost/a.txt"):
            with self.subTest(target=target):
                data = self.srv.raw(f"OPTIONS {target} HTTP/1.1\r\nHost: x\r\n"
                                    "Connection: close\r\n\r\n".encode())
                self.assertTrue(data.endswith(b"\r\n\r\n"), data)  # nothing after the head
                self.assertOptionsAnswer(parse_response(data, "OPTIONS"))

    def test_keeps_the_connection_and_the_next_answer_follows_the_head(self):
        with self.srv.connect() as sock:
            sock.sendall(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"OPTIONS /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            (star, path, get), _ = read_responses(sock, 3, ("OPTIONS", "OPTIONS", "GET"))
        self.assertOptionsAnswer(star, "keep-alive")
        self.assertOptionsAnswer(path, "keep-alive")
        self.assertEqual((get.status, get.body), (200, A_TXT))
        self.assertTrue(get.raw_head.startswith(b"HTTP/1.1 200 "))

    def test_http10(self):
        data = self.srv.raw(b"OPTIONS * HTTP/1.0\r\n\r\n")
        resp = parse_response(data, "OPTIONS")
        self.assertEqual(resp.version, "HTTP/1.0")
        self.assertOptionsAnswer(resp)

    def test_asterisk_form_is_only_for_options(self):
        # RFC 9112 section 3.2.4: "*" names the server only in OPTIONS; anything else is 400.
        for line in ("GET * HTTP/1.1", "HEAD * HTTP/1.1", "POST * HTTP/1.1",
                     "DELETE * HTTP/1.1", "options * HTTP/1.1", "OPTIONS *x HTTP/1.1",
                     "OPTIONS */a.txt HTTP/1.1", "OPTIONS ** HTTP/1.1"):
            with self.subTest(line=line):
                # A request that cannot be read gets its page whatever the method (HEAD too),
                # and the connection closes.
                data = self.srv.raw(f"{line}\r\nHost: x\r\n\r\n".encode())
                resp = parse_response(data)
                self.assertEqual(resp.status, 400, data)
                self.assertEqual(resp.headers["Connection"], "close")

    def test_a_bad_target_is_still_400(self):
        for target in ("/%zz", "/../secret.txt", "a.txt"):
            with self.subTest(target=target):
                resp = self.srv.request("OPTIONS", target)
                self.assertErrorPage(resp, 400)


class PathTests(ServerTestCase):
    def test_root_index(self):
        resp = self.srv.get("/")
        self.assertEqual((resp.status, resp.body), (200, INDEX))
        self.assertEqual(resp.headers["Content-Type"], "text/html; charset=utf-8")

    def test_directory_index(self):
        resp = self.srv.get("/dir/")
        self.assertEqual((resp.status, resp.body), (200, DIR_INDEX))

    def test_directory_without_slash_redirects(self):
        resp = self.srv.get("/dir")
        self.assertEqual(resp.status, 301)
        self.assertCommonHeaders(resp)
        location = resp.headers.get("Location", "")
        self.assertTrue(location == "/dir/" or location.endswith("://localhost/dir/"), location)

    def test_directory_without_index_404(self):
        self.assertErrorPage(self.srv.get("/noindex/"), 404)

    def test_file_in_directory_without_index(self):
        self.assertEqual(self.srv.get("/noindex/file.txt").status, 200)

    def test_file_with_trailing_slash_404(self):
        self.assertEqual(self.srv.get("/a.txt/").status, 404)

    def test_query_string_ignored(self):
        for target, body in (("/a.txt?x=1", A_TXT), ("/a.txt?", A_TXT),
                             ("/a.txt?a=b&c=%zz", A_TXT), ("/dir/?q=1", DIR_INDEX)):
            with self.subTest(target=target):
                resp = self.srv.get(target)
                self.assertEqual((resp.status, resp.body), (200, body))

    def test_percent_decoding(self):
        resp = self.srv.get("/space%20in%20name.txt")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, file_bytes(self.root, "space in name.txt"))
        self.assertEqual(self.srv.get("/%61%2E%74%78%74").body, A_TXT)

    def test_dots_in_name(self):
        resp = self.srv.get("/text..txt")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, file_bytes(self.root, "text..txt"))

    def test_bad_escapes_400(self):
        for target in ("/a%zz.txt", "/a%0.txt", "/a%", "/a.txt%00", "/a%00.txt"):
            with self.subTest(target=target):
                self.assertErrorPage(self.srv.get(target), 400)

    def test_traversal_never_escapes(self):
        # A ".." that would climb above the root is a bad target (400, http/target.hpp), however
        # it is spelled; a backslash is an ordinary name character (no such file: 404); a
        # symlinked directory leading out of the root is refused by the resolver (403).
        expected = {
            "/../secret.txt": 400, "/dir/../../secret.txt": 400, "/%2e%2e/secret.txt": 400,
            "/%2E%2E/secret.txt": 400, "/..%2fsecret.txt": 400, "/..%2f..%2fsecret.txt": 400,
            "/dir/..%2F..%2Fsecret.txt": 400, "/./../secret.txt": 400, "/..\\secret.txt": 404,
            "/%2e%2e%2fsecret.txt": 400, "/../../../../../../../../etc/passwd": 400,
            "/link_outside_dir/secret.txt": 403, "http://localhost/../secret.txt": 400,
        }
        for target, status in expected.items():
            with self.subTest(target=target):
                resp = self.assertNoSecret(target)
                self.assertErrorPage(resp, status)

    def test_dot_segments_inside_root_are_harmless(self):
        resp = self.assertNoSecret("/dir/../a.txt")
        self.assertEqual((resp.status, resp.body), (200, A_TXT))

    def test_symlink_outside_root_refused(self):
        for target in ("/link_outside.txt", "/link_outside_abs.txt"):
            with self.subTest(target=target):
                resp = self.assertNoSecret(target)
                self.assertErrorPage(resp, 403)

    def test_symlink_inside_root_served(self):
        resp = self.srv.get("/link_inside.txt")
        self.assertEqual((resp.status, resp.body), (200, A_TXT))


class MimeTests(ServerTestCase):
    def test_builtin_types(self):
        for name, ctype in TYPED.items():
            with self.subTest(name=name):
                resp = self.srv.get("/" + name)
                self.assertEqual(resp.status, 200)
                self.assertEqual(resp.headers.get("Content-Type"), ctype)
                self.assertEqual(resp.body, file_bytes(self.root, name))


class ConditionalTests(ServerTestCase):
    def test_if_modified_since_equal_304(self):
        data = self.srv.raw(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                            b"If-Modified-Since: " + FIXED_MTIME_HTTP.encode() + b"\r\n\r\n")
        self.assertTrue(data.endswith(b"\r\n\r\n"), "304 carried a body")
        resp = parse_response(data)
        self.assertEqual(resp.status, 304)
        self.assertNotIn("Content-Length", resp.headers)
        self.assertCommonHeaders(resp)

    def test_if_modified_since_later_304(self):
        resp = self.srv.get("/a.txt", headers={"If-Modified-Since": "Fri, 03 Jan 2020 00:00:00 GMT"})
        self.assertEqual(resp.status, 304)

    def test_if_modified_since_older_200(self):
        resp = self.srv.get("/a.txt", headers={"If-Modified-Since": "Wed, 01 Jan 2020 00:00:00 GMT"})
        self.assertEqual((resp.status, resp.body), (200, A_TXT))

    def test_if_modified_since_garbage_ignored(self):
        resp = self.srv.get("/a.txt", headers={"If-Modified-Since": "not a date"})
        self.assertEqual((resp.status, resp.body), (200, A_TXT))


class ConfiguredServerTests(ServerTestCase):
    CONFIG = {"missing_index_status": 403,
              "mime_types": {".foo": "application/x-foo", ".gif": "image/x-test-gif",
                             ".md": "text/markdown; charset=iso-8859-1",
                             ".csv": "text/csv;Charset=\"UTF-16\"", ".bin": "text/x-bin",
                             ".jsonld": "application/ld+json", ".atom": "application/atom+xml"}}

    def test_missing_index_403(self):
        resp = self.srv.get("/noindex/")
        self.assertEqual(resp.status, 403)
        self.assertIn(b"<html", resp.body.lower())

    def test_index_still_served(self):
        self.assertEqual(self.srv.get("/dir/").body, DIR_INDEX)

    def test_mime_types_added_and_overridden(self):
        self.assertEqual(self.srv.get("/custom.foo").headers.get("Content-Type"),
                         "application/x-foo")
        self.assertEqual(self.srv.get("/anim.gif").headers.get("Content-Type"), "image/x-test-gif")
        self.assertEqual(self.srv.get("/page.html").headers.get("Content-Type"),
                         "text/html; charset=utf-8")

    def test_an_entry_naming_its_charset_is_sent_as_written(self):
        self.assertEqual(self.srv.get("/readme.md").headers.get("Content-Type"),
                         "text/markdown; charset=iso-8859-1")
        self.assertEqual(self.srv.get("/table.csv").headers.get("Content-Type"),
                         'text/csv;Charset="UTF-16"')

    def test_an_entry_without_one_gets_the_charset_by_its_type(self):
        for name, ctype in (("x.bin", "text/x-bin; charset=utf-8"),
                            ("x.jsonld", "application/ld+json; charset=utf-8"),
                            ("x.atom", "application/atom+xml; charset=utf-8")):
            with self.subTest(name=name):
                with open(os.path.join(self.root, name), "wb") as f:
                    f.write(b"x")
                self.assertEqual(self.srv.get("/" + name).headers.get("Content-Type"), ctype)


class CharsetOffTests(ServerTestCase):
    CONFIG = {"charset": "off"}

    def test_types_are_sent_bare(self):
        for name, ctype in TYPED.items():
            with self.subTest(name=name):
                resp = self.srv.get("/" + name)
                self.assertEqual(resp.headers.get("Content-Type"), ctype.split(";")[0])


class CharsetOtherTests(ServerTestCase):
    CONFIG = {"charset": "ISO-8859-1", "mime_types": {".md": "text/markdown; charset=utf-8"}}

    def test_the_configured_name_as_written(self):
        self.assertEqual(self.srv.get("/notes.txt").headers.get("Content-Type"),
                         "text/plain; charset=ISO-8859-1")
        self.assertEqual(self.srv.get("/readme.md").headers.get("Content-Type"),
                         "text/markdown; charset=utf-8")
        self.assertEqual(self.srv.get("/image.png").headers.get("Content-Type"), "image/png")


class CharsetConfigTests(ConfigCheckTestCase):
    def test_a_charset_is_a_token_or_off(self):
        self.check('charset: "utf 8"\n', "3: charset: ")
        self.check("charset: yes\n", "3: charset: ")
        self.check("charset: [utf-8]\n", "3: charset: ")
        self.check('charset: ""\n', "3: charset: ")
        self.check('charset: "utf-8\\r\\nX: y"\n', "3: charset: ")


HIDDEN = b"HIDDEN-c0ffee: a dot file must not be served\n"
ACME_TOKEN = b"acme-token-content\n"
NOT_FOUND_PAGE = b"<html><body>our own 404</body></html>\n"


def make_hidden_site():
    """The usual tree plus dot files and directories (each holding HIDDEN), their sidecars, a
    .well-known directory and a custom 404 page."""
    tmp, root = make_site()
    build_tree(root, {
        ".env": HIDDEN, ".env.gz": HIDDEN, ".htpasswd": HIDDEN,
        ".git": {"config": HIDDEN, "HEAD": HIDDEN, "index.html": HIDDEN},
        ".hiddendir": {"index.html": HIDDEN, "page.txt": HIDDEN},
        "dir": {".hidden.txt": HIDDEN, ".sub": {"x.txt": HIDDEN}},
        ".well-known": {"acme-challenge": {"token": ACME_TOKEN}, ".secret": HIDDEN,
                        ".sub": {"x.txt": HIDDEN}, "security.txt": b"Contact: x\n"},
        "errors": {"404.html": NOT_FOUND_PAGE},
    })
    return tmp, root


HIDDEN_TARGETS = (
    "/.env", "/.git/config", "/.git/HEAD", "/.git", "/.git/", "/.htpasswd", "/.hiddendir",
    "/.hiddendir/", "/.hiddendir/page.txt", "/dir/.hidden.txt", "/dir/.sub/x.txt",
    "/.well-known/.secret", "/.well-known/.sub/x.txt", "/.well-known/../.env",
    # decoding must not get around the test: escapes, dot-segments, repeated slashes, forms
    "/%2egit/config", "/%2Egit/config", "/%2e%65nv", "/a/%2E%2E/.env", "/a/../.env", "//.env",
    "/./.env", "/dir//.hidden.txt", "/.env?x=1", "/.env#f", "http://localhost/.env",
    "/no-such-dir/../.git/config",
)


class HiddenFilesTests(ServerTestCase):
    """hidden_files: deny (the default): a path with a component starting with '.' is answered
    exactly like a missing file, except under /.well-known/ (RFC 8615)."""
    CONFIG = {"error_pages": {404: "/errors/404.html"}}

    @classmethod
    def make_site(cls):
        return make_hidden_site()

    def assertLikeMissing(self, method, target):
        missing = self.srv.request(method, "/no-such-file")
        resp = self.srv.request(method, target, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(resp.status, 404, resp)
        self.assertEqual(resp.body, missing.body)
        self.assertNotIn(HIDDEN, resp.raw_head + resp.body)
        self.assertEqual(sorted(resp.headers.get_all("Content-Type")),
                         sorted(missing.headers.get_all("Content-Type")))
        for name in ("Location", "Last-Modified", "ETag", "Vary", "Content-Encoding"):
            self.assertNotIn(name, resp.headers)
        self.assertEqual(resp.headers["Content-Length"], missing.headers["Content-Length"])

    def test_dot_paths_are_404_like_a_missing_file(self):
        for target in HIDDEN_TARGETS:
            for method in ("GET", "HEAD"):
                with self.subTest(target=target, method=method):
                    self.assertLikeMissing(method, target)

    def test_the_missing_file_answer_is_the_configured_page(self):
        resp = self.srv.get("/.git/config")
        self.assertEqual((resp.status, resp.body), (404, NOT_FOUND_PAGE))

    def test_well_known_is_served(self):
        resp = self.srv.get("/.well-known/acme-challenge/token")
        self.assertEqual((resp.status, resp.body), (200, ACME_TOKEN))
        self.assertEqual(self.srv.get("/.well-known/security.txt").status, 200)
        self.assertEqual(self.srv.get("/%2ewell-known/acme-challenge/token").body, ACME_TOKEN)
        resp = self.srv.get("/.well-known")
        self.assertEqual((resp.status, resp.headers.get("Location")), (301, "/.well-known/"))

    def test_only_a_leading_dot_hides(self):
        for target, body in (("/text..txt", file_bytes(self.root, "text..txt")), ("/a.txt", A_TXT),
                             ("/dir/", DIR_INDEX)):
            with self.subTest(target=target):
                resp = self.srv.get(target)
                self.assertEqual((resp.status, resp.body), (200, body))

    def test_options_on_a_hidden_path_is_404_too(self):
        resp = self.srv.request("OPTIONS", "/.env")
        self.assertEqual((resp.status, resp.body), (404, NOT_FOUND_PAGE))
        self.assertEqual(self.srv.request("OPTIONS", "/.well-known/x").status, 204)

    def test_keep_alive_goes_on(self):
        with self.srv.connect() as sock:
            sock.sendall(b"GET /.env HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            (hidden, visible), closed = read_responses(sock, 2)
        self.assertEqual((hidden.status, visible.status, visible.body), (404, 200, A_TXT))
        self.assertEqual(hidden.headers["Connection"], "keep-alive")


class HiddenFilesAllowedTests(ServerTestCase):
    CONFIG = {"hidden_files": "allow"}

    @classmethod
    def make_site(cls):
        return make_hidden_site()

    def test_dot_files_are_served(self):
        for target in ("/.env", "/.git/config", "/%2egit/config", "/dir/.hidden.txt",
                       "/.hiddendir/", "/.well-known/.secret"):
            with self.subTest(target=target):
                resp = self.srv.get(target)
                self.assertEqual((resp.status, resp.body), (200, HIDDEN))
        self.assertEqual(self.srv.get("/.git").status, 301)


class HiddenFilesConfigTests(ConfigCheckTestCase):
    def test_hidden_index_and_error_pages_are_refused(self):
        self.check("index: .index.html\n", "3: index: ")
        self.check("index: sub/.index.html\n", "3: index: ")
        self.check("error_pages:\n  403: /403.html\n  404: /.errors/404.html\n",
                   "5: error_pages[404]: ")
        self.check("error_pages: {404: /errors/.404.html}\n", "3: error_pages[404]: ")
        self.check("hidden_files: deny\nindex: .index.html\n", "4: index: ")
        self.check("index: .index.html\nhidden_files: deny\n", "3: index: ")

    def test_bad_value_names_the_key(self):
        self.check("hidden_files: yes\n", "3: hidden_files: ")
        self.check("hidden_file: deny\n", "3: unknown key 'hidden_file', did you mean 'hidden_files'?")


if __name__ == "__main__":
    unittest.main()
