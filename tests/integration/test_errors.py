# SPDX-License-Identifier: MIT
"""Malformed and unsupported requests: each gets the right status, a small HTML error page with a
correct Content-Length, `Connection: close`, a closed connection, and the server keeps serving."""

import unittest

from debian_python import validate
from docroot import A_TXT, ServerTestCase
from learnhttpd_harness import parse_responses, read_until_close

HOST = b"Host: x\r\n"

CASES = {
    # name: (request bytes, expected status)
    "no_target_no_version": (b"GET\r\n" + HOST + b"\r\n", 400),
    "no_version": (b"GET /a.txt\r\n" + HOST + b"\r\n", 400),
    "extra_token": (b"GET /a.txt HTTP/1.1 extra\r\n" + HOST + b"\r\n", 400),
    "bad_method_token": (b"G(T /a.txt HTTP/1.1\r\n" + HOST + b"\r\n", 400),
    "bad_version_token": (b"GET /a.txt HTTX/1.1\r\n" + HOST + b"\r\n", 400),
    "garbage": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
    "header_without_colon": (b"GET /a.txt HTTP/1.1\r\n" + HOST + b"NoColonHere\r\n\r\n", 400),
    "space_in_header_name": (b"GET /a.txt HTTP/1.1\r\n" + HOST + b"Bad Name: v\r\n\r\n", 400),
    "space_before_colon": (b"GET /a.txt HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    "empty_header_name": (b"GET /a.txt HTTP/1.1\r\n" + HOST + b": v\r\n\r\n", 400),
    "lone_lf_line_endings": (b"GET /a.txt HTTP/1.1\nHost: x\n\n", 400),
    "bare_cr_in_header": (b"GET /a.txt HTTP/1.1\r\nHost: x\rEvil: y\r\n\r\n", 400),
    "bare_cr_in_request_line": (b"GET /a.txt\rHTTP/1.1\r\n" + HOST + b"\r\n", 400),
    "missing_host_http11": (b"GET /a.txt HTTP/1.1\r\n\r\n", 400),
    "long_request_line": (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414),
    "header_section_too_large": (b"GET /a.txt HTTP/1.1\r\n" + HOST
                                 + b"".join(b"X-Fill-%d: " % i + b"v" * 500 + b"\r\n"
                                            for i in range(10)) + b"\r\n", 431),
    "http_2_0": (b"GET /a.txt HTTP/2.0\r\n" + HOST + b"\r\n", 505),
    "http_3_0": (b"GET /a.txt HTTP/3.0\r\n" + HOST + b"\r\n", 505),
    "unknown_transfer_coding": (b"POST /a.txt HTTP/1.1\r\n" + HOST
                                + b"Transfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501),
    "chunked_with_content_length": (b"GET /a.txt HTTP/1.1\r\n" + HOST
                                    + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                                    + b"0\r\n\r\n", 400),
    "invalid_host": (b"GET /a.txt HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
}


class ErrorTests(ServerTestCase):
    CONFIG = {"max_header_bytes": "4k"}

    def send(self, request):
        """Sends `request`, returns (responses, closed_by_server)."""
        with self.srv.connect() as sock:
            sock.sendall(request)
            data, closed = read_until_close(sock, 5)
        return parse_responses(data), closed, data

    def assertStillServing(self):
        resp = self.srv.get("/a.txt")
        self.assertEqual((resp.status, resp.body), (200, A_TXT))

    def test_error_cases(self):
        for name, (request, status) in CASES.items():
            with self.subTest(name):
                responses, closed, data = self.send(request)
                self.assertEqual(len(responses), 1, data[:300])
                resp = responses[0]
                self.assertEqual(resp.status, status, data[:300])
                self.assertTrue(resp.complete)
                self.assertEqual(int(resp.headers["Content-Length"]), len(resp.body))
                self.assertIn(b"<html", resp.body.lower())
                self.assertEqual(resp.headers.get("Connection", "").lower(), "close")
                self.assertEqual(resp.headers.get("Server"), "learnhttpd")
                self.assertIn("Date", resp.headers)
                self.assertTrue(closed, "connection left open after an error")
                self.assertStillServing()

    def test_error_pages_are_valid_html5(self):
        pages = {404: self.srv.get("/no-such-file").body,
                 405: self.srv.request("DELETE", "/a.txt").body,
                 400: self.send(CASES["missing_host_http11"][0])[0][0].body}
        for status, body in pages.items():
            with self.subTest(status=status):
                self.assertLess(len(body), 1024)
                self.assertIn(b"<style>", body)
                self.assertIn(b"<footer>learnhttpd</footer>", body)
                ok, problems = validate("check_html5.py", body)
                self.assertTrue(ok, problems)

    def test_header_section_just_under_limit_is_fine(self):
        request = (b"GET /a.txt HTTP/1.1\r\n" + HOST + b"X-Fill: " + b"v" * 3000 + b"\r\n"
                   + b"Connection: close\r\n\r\n")
        responses, _, _ = self.send(request)
        self.assertEqual([r.status for r in responses], [200])

    def test_http10_without_host_is_fine(self):
        responses, _, _ = self.send(b"GET /a.txt HTTP/1.0\r\n\r\n")
        self.assertEqual([(r.status, r.body) for r in responses], [(200, A_TXT)])

    def test_leading_empty_lines_are_skipped(self):
        responses, _, _ = self.send(b"\r\n\r\nGET /a.txt HTTP/1.1\r\n" + HOST
                                    + b"Connection: close\r\n\r\n")
        self.assertEqual([r.status for r in responses], [200])

    def test_error_after_good_request_on_same_connection(self):
        # The request after the bad one must never be answered: the connection is closed.
        good = b"GET /a.txt HTTP/1.1\r\n" + HOST + b"\r\n"
        bad = b"GET /a.txt HTTP/9.9\r\n" + HOST + b"\r\n"
        responses, closed, _ = self.send(good + bad + good)
        self.assertEqual([r.status for r in responses], [200, 505])
        self.assertTrue(closed)

    def test_client_closing_early_does_not_hurt(self):
        for request in (b"GET /big.bin HTTP/1.1\r\n" + HOST + b"\r\n", b"GET /a.tx"):
            with self.srv.connect() as sock:
                sock.sendall(request)
        self.assertStillServing()


if __name__ == "__main__":
    unittest.main()
