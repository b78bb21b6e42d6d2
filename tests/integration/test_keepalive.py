# SPDX-License-Identifier: MIT
"""Persistent connections: HTTP/1.1 and 1.0 rules, pipelining, request and idle limits,
slow-header cut-off, and many simultaneous keep-alive clients."""

import socket
import threading
import time
import unittest

from docroot import A_TXT, ServerTestCase
from learnhttpd_harness import parse_responses, read_responses, read_until_close

GET_A = b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"


class PersistenceTests(ServerTestCase):
    def test_http11_is_persistent(self):
        with self.srv.connect() as sock:
            for _ in range(3):
                sock.sendall(GET_A)
                (resp,), closed = read_responses(sock, 1)
                self.assertEqual((resp.status, resp.body), (200, A_TXT))
                self.assertEqual(resp.headers["Connection"].lower(), "keep-alive")
                self.assertFalse(closed)

    def test_http11_connection_close(self):
        with self.srv.connect() as sock:
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            (resp,), _ = read_responses(sock, 1)
            self.assertEqual(resp.headers["Connection"].lower(), "close")
            rest, closed = read_until_close(sock, 3)
            self.assertEqual(rest, b"")
            self.assertTrue(closed, "server kept the connection open after Connection: close")

    def test_http10_closes_by_default(self):
        with self.srv.connect() as sock:
            sock.sendall(b"GET /a.txt HTTP/1.0\r\n\r\n")
            (resp,), _ = read_responses(sock, 1)
            self.assertEqual(resp.headers["Connection"].lower(), "close")
            self.assertTrue(read_until_close(sock, 3)[1], "HTTP/1.0 connection left open")

    def test_http10_keep_alive(self):
        request = b"GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        with self.srv.connect() as sock:
            for _ in range(2):
                sock.sendall(request)
                (resp,), closed = read_responses(sock, 1)
                self.assertEqual((resp.status, resp.body), (200, A_TXT))
                self.assertEqual(resp.headers["Connection"].lower(), "keep-alive")
                self.assertFalse(closed)

    def test_pipelined_requests_answered_in_order(self):
        batch = (b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"HEAD /b.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /c.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        with self.srv.connect() as sock:
            sock.sendall(batch)
            data, closed = read_until_close(sock, 5)
        responses = parse_responses(data, ["GET", "HEAD", "GET", "GET", "GET"])
        self.assertTrue(closed)
        self.assertEqual([r.status for r in responses], [200, 200, 200, 404, 200])
        self.assertEqual(responses[0].body, A_TXT)
        self.assertEqual(int(responses[1].headers["Content-Length"]), len(b"bravo!"))
        self.assertEqual(responses[1].body, b"")
        self.assertEqual(responses[2].body, b"charlie, the third file")
        self.assertEqual(responses[4].body, b"bravo!")
        self.assertTrue(all(r.complete for r in responses))

    def test_request_split_across_packets(self):
        with self.srv.connect() as sock:
            for i in range(0, len(GET_A), 7):
                sock.sendall(GET_A[i:i + 7])
                time.sleep(0.01)
            (resp,), _ = read_responses(sock, 1)
            self.assertEqual((resp.status, resp.body), (200, A_TXT))

    def test_many_simultaneous_keepalive_clients(self):
        clients, rounds = 200, 3
        barrier = threading.Barrier(clients, timeout=30)
        failures = []

        def client(index):
            try:
                with self.srv.connect(timeout=20) as sock:
                    barrier.wait()  # every connection is open before any request is sent
                    for _ in range(rounds):
                        sock.sendall(GET_A)
                        (resp,), _ = read_responses(sock, 1, timeout=20)
                        if (resp.status, resp.body) != (200, A_TXT):
                            failures.append((index, resp))
            except (OSError, AssertionError, threading.BrokenBarrierError) as exc:
                failures.append((index, repr(exc)))
                barrier.abort()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertFalse(any(t.is_alive() for t in threads), "client threads hung")
        self.assertEqual(failures, [])


class LimitTests(ServerTestCase):
    CONFIG = {"keepalive_requests": 3, "keepalive_timeout": "1s", "header_timeout": "1s"}

    def test_keepalive_requests_limit(self):
        with self.srv.connect() as sock:
            sock.sendall(GET_A)
            sock.sendall(GET_A)
            first, second = read_responses(sock, 2)[0]
            self.assertEqual(first.headers["Connection"].lower(), "keep-alive")
            self.assertEqual(second.headers["Connection"].lower(), "keep-alive")
            sock.sendall(GET_A)
            (third,), _ = read_responses(sock, 1)
            self.assertEqual((third.status, third.body), (200, A_TXT))
            self.assertEqual(third.headers["Connection"].lower(), "close")
            self.assertTrue(read_until_close(sock, 3)[1], "not closed after the last request")

    def test_idle_keepalive_timeout(self):
        with self.srv.connect() as sock:
            sock.sendall(GET_A)
            read_responses(sock, 1)
            started = time.monotonic()
            rest, closed = read_until_close(sock, 5)
            elapsed = time.monotonic() - started
        self.assertTrue(closed, "idle connection not closed within 5 s (keepalive_timeout 1s)")
        self.assertEqual(rest, b"")
        self.assertGreater(elapsed, 0.5, "closed long before keepalive_timeout")

    def test_slow_header_cut_off(self):
        with self.srv.connect() as sock:
            sock.sendall(b"GET /a.txt HT")
            started = time.monotonic()
            data, closed = read_until_close(sock, 5)
            elapsed = time.monotonic() - started
        self.assertTrue(closed, "a stalled request head was not cut off (header_timeout 1s)")
        self.assertGreater(elapsed, 0.5)
        if data:
            self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:100])

    def test_active_client_not_cut_off(self):
        # Several requests spread over more than header_timeout on one connection all succeed
        # as long as each one arrives promptly (the limits are per request / per idle spell).
        with self.srv.connect() as sock:
            for _ in range(2):
                sock.sendall(GET_A)
                read_responses(sock, 1)
                time.sleep(0.55)
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            (resp,), _ = read_responses(sock, 1)
            self.assertEqual(resp.status, 200)

    def test_server_still_serves_after_timeouts(self):
        stalled = socket.create_connection((self.srv.host, self.srv.port))
        try:
            stalled.sendall(b"GET /")
            self.assertEqual(self.srv.get("/a.txt").body, A_TXT)
        finally:
            stalled.close()


if __name__ == "__main__":
    unittest.main()
