# SPDX-License-Identifier: MIT
"""GET/HEAD semantics: headers, methods, path mapping, safety, MIME types, conditionals, big files."""

import email.utils
import os
import unittest

from docroot import (A_TXT, BIG, DIR_INDEX, FIXED_MTIME_HTTP, INDEX, TYPED, ServerTestCase,
                     file_bytes)
from learnhttpd_harness import IMF_FIXDATE, parse_response, read_responses, sha256

METHODS_405 = ("POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "FOO", "options")
ALLOW = "GET, HEAD, OPTIONS"


class GetHeadTests(ServerTestCase):
    def test_get_file(self):
        resp = self.srv.get("/a.txt")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, A_TXT)
        self.assertCommonHeaders(resp)
        self.assertEqual(resp.headers["Content-Type"], "text/plain")
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
        self.assertEqual(resp.headers["Content-Type"], "text/html")

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
              "mime_types": {".foo": "application/x-foo", ".gif": "image/x-test-gif"}}

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
        self.assertEqual(self.srv.get("/page.html").headers.get("Content-Type"), "text/html")


if __name__ == "__main__":
    unittest.main()
