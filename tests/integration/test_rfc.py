# SPDX-License-Identifier: MIT
"""HTTP/1.1 message syntax and framing as RFC 9110 / RFC 9112 specify them, through the real
server: the header timeout per request head, Host validation, empty lines before a request,
heads that fill the input buffer, repeated list fields, chunked request bodies (decoded and
discarded), ambiguous framing (refused, then the connection closes) and HTTP/1.x versions."""

import os
import socket
import time
import unittest

from docroot import A_TXT, DIR_INDEX, SECRET, ServerTestCase
from learnhttpd_harness import parse_responses, read_responses, read_until_close


def get(target="/a.txt", host=b"x", extra=b"", method=b"GET", version=b"HTTP/1.1"):
    return (method + b" " + target.encode() + b" " + version + b"\r\nHost: " + host + b"\r\n"
            + extra + b"\r\n")


class RfcTestCase(ServerTestCase):
    def exchange(self, request, methods=(), timeout=5):
        """Sends `request` on a new connection; returns (responses, closed_by_server, data)."""
        with self.srv.connect() as sock:
            sock.sendall(request)
            data, closed = read_until_close(sock, timeout)
        return parse_responses(data, methods), closed, data

    def assertRefusedAndClosed(self, request, status):
        responses, closed, data = self.exchange(request)
        self.assertEqual([r.status for r in responses], [status], data[:300])
        self.assertEqual(responses[0].headers.get("Connection", "").lower(), "close")
        self.assertTrue(closed, "connection left open after a refusal")
        self.assertEqual(self.srv.get("/a.txt").body, A_TXT)  # still serving


class HeaderTimeoutTests(RfcTestCase):
    CONFIG = {"header_timeout": "1s", "keepalive_timeout": "5s"}

    def test_steady_pipelining_never_gets_408(self):
        # Every send completes one request and starts the next, so the server always waits in
        # the middle of a head. Each head arrives within 0.3 s, but the connection is "mid
        # request" for 3 s straight: the timeout must restart with every head.
        start, rest = b"GET /a.txt HT", b"TP/1.1\r\nHost: x\r\n\r\n"
        with self.srv.connect() as sock:
            sock.sendall(start)
            deadline = time.monotonic() + 3.0
            sent = 0
            while time.monotonic() < deadline and sent < 40:  # bounded in time and count
                time.sleep(0.25)
                sock.sendall(rest + start)
                sent += 1
                responses, closed = read_responses(sock, 1)
                self.assertEqual([(r.status, r.body) for r in responses], [(200, A_TXT)],
                                 f"request {sent}")
                self.assertFalse(closed)
            sock.sendall(rest)
            (resp,), _ = read_responses(sock, 1)
            self.assertEqual(resp.status, 200)
        self.assertGreaterEqual(sent, 8)

    def test_one_slow_head_still_times_out(self):
        with self.srv.connect() as sock:
            sock.sendall(b"GET /a.txt HTTP/1.1\r\n")
            started = time.monotonic()
            for _ in range(8):  # a byte every 0.25 s: slower than the 1 s budget allows
                time.sleep(0.25)
                try:
                    sock.sendall(b"X")
                except OSError:
                    break
            data, closed = read_until_close(sock, 5)
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - started, 4.5)
        self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:100])


    def test_a_head_gets_its_whole_budget_across_a_second_boundary(self):
        # The budget was counted in the loop's wall-clock seconds: a head begun at x.9 s and
        # continued at (x+1).05 s had "spent" a whole second and got 408 at once.
        for _ in range(2):
            with self.srv.connect() as sock:
                while time.time() % 1 < 0.9:  # the server's clock is this clock
                    time.sleep(0.01)
                started = time.monotonic()
                sock.sendall(b"GET /a.txt HTTP/1.1\r\n")
                time.sleep(0.15)
                sock.sendall(b"Host: x\r\n")
                data, closed = read_until_close(sock, 5)
                elapsed = time.monotonic() - started
            self.assertTrue(closed)
            self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:100])
            self.assertGreater(elapsed, 0.9, "header_timeout 1s cut the head off early")

    def test_endless_chunked_body_is_cut_off(self):
        # A body is skipped only within header_timeout of the end of its head: a client that
        # keeps sending chunks cannot hold the connection forever.
        data, closed_after = b"", None
        with self.srv.connect() as sock:
            sock.sendall(get(method=b"POST", extra=b"Transfer-Encoding: chunked\r\n"))
            started = time.monotonic()
            sock.settimeout(0.2)
            for _ in range(20):  # 4 s of chunks at most
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    chunk = None
                except ConnectionResetError:
                    chunk = b""
                if chunk == b"":
                    closed_after = time.monotonic() - started
                    break
                data += chunk or b""
                try:
                    sock.sendall(b"1\r\nx\r\n")
                except OSError:
                    pass  # the server may already have stopped reading
        self.assertIsNotNone(closed_after, "an endless chunked body kept the connection open")
        self.assertGreater(closed_after, 0.5)
        self.assertLess(closed_after, 3.5)
        self.assertEqual([r.status for r in parse_responses(data)][:1], [405], data[:200])


class HostTests(RfcTestCase):
    VALID = [b"example.com", b"example.com:8080", b"127.0.0.1", b"127.0.0.1:80", b"[::1]",
             b"[::1]:8080", b"[v1.x]", b"a-b_c~d.e", b"%41x", b"x:", b"sub!$&'()*+,;=x", b""]
    INVALID = [b"exa mple.com", b"x/y", b"x@y", b"[::1", b"::1", b"[::1]x", b"x:8o",
               b"x:80:80", b"%zz", b"%4", b"x?y", b"x#y", b'"x"', b"[x::1]", b"x\\y",
               b"[]", b"x\t1"]

    def test_valid_hosts_are_served(self):
        for host in self.VALID:
            with self.subTest(host=host):
                responses, _, data = self.exchange(get(host=host, extra=b"Connection: close\r\n"))
                self.assertEqual([(r.status, r.body) for r in responses], [(200, A_TXT)],
                                 data[:200])

    def test_invalid_hosts_are_400(self):
        for host in self.INVALID:
            with self.subTest(host=host):
                self.assertRefusedAndClosed(get(host=host), 400)

    def test_two_host_lines_are_400(self):
        self.assertRefusedAndClosed(get(extra=b"Host: x\r\n"), 400)
        self.assertRefusedAndClosed(get(extra=b"host: y\r\n"), 400)

    def test_http11_without_host_is_400(self):
        self.assertRefusedAndClosed(b"GET /a.txt HTTP/1.1\r\n\r\n", 400)


class EmptyLineAndBufferTests(RfcTestCase):
    # The default max_header_bytes (16k): the input buffer holds a head plus 4 KiB.

    def test_a_few_empty_lines_before_the_request_are_skipped(self):
        responses, _, _ = self.exchange(b"\r\n" * 4 + get(extra=b"Connection: close\r\n"))
        self.assertEqual([r.status for r in responses], [200])

    def test_a_few_empty_lines_between_pipelined_requests(self):
        responses, _, _ = self.exchange(get() + b"\r\n\r\n" + get(extra=b"Connection: close\r\n"))
        self.assertEqual([r.status for r in responses], [200, 200])

    def test_a_flood_of_empty_lines_is_answered_400(self):
        # 16000 bytes of empty lines, then a head: never a silent close for lack of buffer.
        self.assertRefusedAndClosed(b"\r\n" * 8000 + get(extra=b"X-Fill: " + b"v" * 6000
                                                         + b"\r\n"), 400)

    def test_a_head_that_fills_the_buffer_is_431(self):
        fill = b"".join(b"X-Fill-%d: " % i + b"v" * 1000 + b"\r\n" for i in range(30))
        self.assertRefusedAndClosed(get(extra=fill), 431)

    def test_a_head_filling_the_buffer_behind_a_pipelined_request(self):
        fill = b"".join(b"X-Fill-%d: " % i + b"v" * 1000 + b"\r\n" for i in range(30))
        responses, closed, data = self.exchange(get() + get(extra=fill))
        self.assertEqual([r.status for r in responses], [200, 431], data[:300])
        self.assertTrue(closed)

    def test_a_long_request_line_is_414(self):
        self.assertRefusedAndClosed(get(target="/" + "a" * 20000), 414)


class ListFieldTests(RfcTestCase):
    def etag(self):
        return self.srv.get("/a.txt").headers["ETag"].encode()

    def test_if_none_match_lines_are_combined(self):
        etag = self.etag()
        for lines in ([b"If-None-Match: " + etag, b'If-None-Match: "other"'],
                      [b'If-None-Match: "other"', b"If-None-Match: " + etag],
                      [b'If-None-Match: "a", ' + etag, b'If-None-Match: "b"']):
            with self.subTest(lines=lines):
                extra = b"".join(line + b"\r\n" for line in lines) + b"Connection: close\r\n"
                responses, _, data = self.exchange(get(extra=extra))
                self.assertEqual([r.status for r in responses], [304], data[:300])

    def test_if_none_match_lines_without_a_match(self):
        extra = b'If-None-Match: "a"\r\nIf-None-Match: "b"\r\nConnection: close\r\n'
        responses, _, _ = self.exchange(get(extra=extra))
        self.assertEqual([(r.status, r.body) for r in responses], [(200, A_TXT)])

    def test_connection_lines_are_combined(self):
        responses, closed, _ = self.exchange(
            get(extra=b"Connection: keep-alive\r\nConnection: close\r\n"), timeout=3)
        self.assertEqual([r.status for r in responses], [200])
        self.assertEqual(responses[0].headers["Connection"].lower(), "close")
        self.assertTrue(closed)

    def test_transfer_encoding_lines_are_combined(self):
        # "chunked" then "gzip": chunked is not the final coding -> 400 (RFC 9112 section 6.3).
        self.assertRefusedAndClosed(
            get(extra=b"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"), 400)
        # "gzip, chunked": a coding we do not know -> 501.
        self.assertRefusedAndClosed(
            get(extra=b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"), 501)

    def test_differing_content_lengths_are_400(self):
        self.assertRefusedAndClosed(
            get(method=b"POST", extra=b"Content-Length: 1\r\nContent-Length: 2\r\n") + b"xy", 400)


CHUNKED = b"Transfer-Encoding: chunked\r\n"


class ChunkedBodyTests(RfcTestCase):
    BODY = (b"5;name=value;flag\r\nhello\r\n"
            b"1A\r\n" + b"z" * 26 + b"\r\n"
            b"0;last\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n")

    def test_chunked_post_is_answered_and_the_connection_goes_on(self):
        request = get(method=b"POST", extra=CHUNKED) + self.BODY
        with self.srv.connect() as sock:
            sock.sendall(request + get(extra=b"Connection: close\r\n"))
            data, closed = read_until_close(sock, 5)
        responses = parse_responses(data)
        self.assertEqual([r.status for r in responses], [405, 200], data[:500])
        self.assertEqual(responses[0].headers["Connection"].lower(), "keep-alive")
        self.assertEqual(responses[1].body, A_TXT)
        self.assertTrue(closed)

    def test_chunked_body_split_into_small_pieces(self):
        request = get(method=b"GET", extra=CHUNKED) + self.BODY + get(extra=b"Connection: close\r\n")
        with self.srv.connect() as sock:
            for i in range(0, len(request), 7):
                sock.sendall(request[i:i + 7])
                time.sleep(0.002)
            data, _ = read_until_close(sock, 5)
        responses = parse_responses(data)
        self.assertEqual([(r.status, r.body) for r in responses], [(200, A_TXT), (200, A_TXT)])

    def test_large_chunked_body_is_discarded(self):
        chunk = b"x" * 65536
        body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(32)) + b"0\r\n\r\n"
        with self.srv.connect(timeout=10) as sock:
            sock.sendall(get(method=b"POST", extra=CHUNKED) + body + get(extra=b"Connection: close\r\n"))
            data, _ = read_until_close(sock, 10)
        self.assertEqual([r.status for r in parse_responses(data)], [405, 200])

    def test_malformed_chunked_body_closes_after_the_answer(self):
        for body in (b"zz\r\nhello\r\n0\r\n\r\n",          # not hex
                     b"5\r\nhelloXX0\r\n\r\n",              # no CRLF after the data
                     b"fffffffffffffffff\r\n",              # size overflows 64 bits
                     b"5\nhello\r\n0\r\n\r\n",              # lone LF
                     b"-5\r\nhello\r\n0\r\n\r\n",           # sign
                     b"0\r\nBad Trailer\r\n\r\n"):          # malformed trailer field
            with self.subTest(body=body):
                request = get(method=b"POST", extra=CHUNKED) + body + get()
                responses, closed, data = self.exchange(request)
                self.assertEqual([r.status for r in responses], [405], data[:300])
                self.assertTrue(closed, "connection left open after a broken chunked body")

    def test_ambiguous_framing_is_refused_and_closed(self):
        cases = {
            "content-length and chunked": (CHUNKED + b"Content-Length: 5\r\n", 400),
            "unknown coding": (b"Transfer-Encoding: gzip\r\n", 501),
            "chunked not last": (b"Transfer-Encoding: chunked, gzip\r\n", 400),
            "chunked twice": (b"Transfer-Encoding: chunked, chunked\r\n", 400),
            "empty coding": (b"Transfer-Encoding: \r\n", 400),
        }
        for name, (extra, status) in cases.items():
            with self.subTest(name):
                self.assertRefusedAndClosed(get(method=b"POST", extra=extra)
                                            + b"5\r\nhello\r\n0\r\n\r\n" + get(), status)

    def test_transfer_encoding_in_http10_is_refused(self):
        self.assertRefusedAndClosed(get(method=b"POST", version=b"HTTP/1.0", extra=CHUNKED)
                                    + b"0\r\n\r\n", 400)


class VersionTests(RfcTestCase):
    def test_higher_http1_minor_versions_are_answered_as_http11(self):
        for version in (b"HTTP/1.2", b"HTTP/1.9"):
            with self.subTest(version=version):
                with self.srv.connect() as sock:
                    sock.sendall(get(version=version) + get(version=version,
                                                            extra=b"Connection: close\r\n"))
                    data, _ = read_until_close(sock, 5)
                responses = parse_responses(data)
                self.assertEqual([(r.version, r.status, r.body) for r in responses],
                                 [("HTTP/1.1", 200, A_TXT)] * 2)
                self.assertEqual(responses[0].headers["Connection"].lower(), "keep-alive")

    def test_other_major_versions_are_505(self):
        for version in (b"HTTP/2.0", b"HTTP/3.0", b"HTTP/0.9"):
            with self.subTest(version=version):
                self.assertRefusedAndClosed(get(version=version), 505)


LAUNCHER = os.environ.get("LEARNHTTPD_NO_OPENAT2")


@unittest.skipUnless(LAUNCHER, "LEARNHTTPD_NO_OPENAT2 (the seccomp launcher) is not set")
class WithoutOpenat2Tests(ServerTestCase):
    """The server under a seccomp filter that makes openat2 fail with ENOSYS (as some systemd
    sandboxes do): it must notice at start-up and resolve paths just as safely without it."""

    SERVER_ARGS = {"launcher": [LAUNCHER]}

    def test_start_up_says_which_resolver_it_uses(self):
        self.assertIsNotNone(self.srv.wait_for_log(r"openat2 .*unavailable", timeout=1))

    def test_files_directories_and_inner_symlinks_are_served(self):
        self.assertEqual((self.srv.get("/a.txt").status, self.srv.get("/a.txt").body),
                         (200, A_TXT))
        self.assertEqual(self.srv.get("/dir/").body, DIR_INDEX)
        self.assertEqual(self.srv.get("/dir").status, 301)
        self.assertEqual(self.srv.get("/link_inside.txt").body, A_TXT)
        self.assertEqual(self.srv.get("/missing.txt").status, 404)
        self.assertEqual(self.srv.get("/a.txt/").status, 404)

    def test_nothing_outside_the_root_is_reachable(self):
        # Symlinks out of the root: 403, as with openat2; ".." above the root: 400 (target.hpp).
        for target, status in (("/link_outside.txt", 403), ("/link_outside_abs.txt", 403),
                               ("/link_outside_dir/secret.txt", 403), ("/../secret.txt", 400),
                               ("/%2e%2e/secret.txt", 400), ("/dir/../../secret.txt", 400)):
            with self.subTest(target=target):
                data = self.srv.raw(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close"
                                    "\r\n\r\n".encode())
                self.assertNotIn(SECRET, data)
                self.assertEqual(parse_responses(data)[0].status, status)


if __name__ == "__main__":
    unittest.main()
