# SPDX-License-Identifier: MIT
"""The error log's start-up lines and the access log: combined format, one line per request,
nothing at all in quiet mode (-q or log.quiet)."""

import calendar
import os
import re
import signal
import threading
import time
import unittest

from docroot import make_site
from learnhttpd_harness import Server, read_responses

COMBINED = re.compile(
    r'^(?P<host>\S+) - - \[(?P<time>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}) (?P<tz>[+-]\d{4})\] '
    r'"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<bytes>\d+|-) '
    r'"(?P<referer>[^"]*)" "(?P<agent>[^"]*)"$')
LISTENING = re.compile(r"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\] .*\binfo\b.*"
                       r"listening on 127\.0\.0\.1:(\d+)$")


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line for line in f.read().splitlines() if line]


class LoggingTests(unittest.TestCase):
    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)

    def start(self, config=None, args=()):
        config = {"log": {"access_log": "{tmp}/access.log"}, **(config or {})}
        srv = Server(self.root, config=config, args=args)
        self.addCleanup(srv.close)
        return srv, srv.path("access.log")

    def test_listening_line(self):
        srv, _ = self.start()
        matches = [LISTENING.match(line) for line in srv.stderr_lines()]
        ports = [int(m.group(2)) for m in matches if m]
        self.assertEqual(ports, [srv.port], srv.stderr_lines())
        srv.stop()

    def test_access_log_combined_format(self):
        srv, log = self.start()
        started = time.time()
        srv.get("/a.txt", headers={"User-Agent": "probe/1.0"})
        missing = srv.get("/missing.txt", headers={"User-Agent": "probe/2.0",
                                                   "Referer": "http://example.test/x"})
        srv.get("/dir/?q=1", headers={"User-Agent": None})
        srv.stop()  # the log is complete once the server is gone
        lines = read_lines(log)
        self.assertEqual(len(lines), 3, lines)
        entries = {}
        for line in lines:
            match = COMBINED.match(line)
            self.assertTrue(match, f"not combined format: {line!r}")
            entries[match["request"]] = match
        self.assertEqual(set(entries), {"GET /a.txt HTTP/1.1", "GET /missing.txt HTTP/1.1",
                                        "GET /dir/?q=1 HTTP/1.1"})
        a = entries["GET /a.txt HTTP/1.1"]
        self.assertEqual((a["host"], a["status"], a["bytes"], a["referer"], a["agent"]),
                         ("127.0.0.1", "200", "5", "-", "probe/1.0"))
        m = entries["GET /missing.txt HTTP/1.1"]
        self.assertEqual((m["status"], m["bytes"], m["referer"], m["agent"]),
                         ("404", str(len(missing.body)), "http://example.test/x", "probe/2.0"))
        self.assertEqual(entries["GET /dir/?q=1 HTTP/1.1"]["agent"], "-")
        logged = calendar.timegm(time.strptime(a["time"], "%d/%b/%Y:%H:%M:%S"))
        sign = 1 if a["tz"][0] == "+" else -1
        logged -= sign * (int(a["tz"][1:3]) * 3600 + int(a["tz"][3:]) * 60)
        self.assertLess(abs(logged - started), 5, a["time"])

    def test_access_log_one_line_per_keepalive_request(self):
        srv, log = self.start()
        with srv.connect() as sock:
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n" * 3
                         + b"GET /b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            while sock.recv(65536):
                pass
        srv.stop()
        requests = [COMBINED.match(line)["request"] for line in read_lines(log)]
        self.assertEqual(sorted(requests), ["GET /a.txt HTTP/1.1"] * 3 + ["GET /b.txt HTTP/1.1"])

    def test_usr1_under_load_loses_no_line(self):
        """Logs are reopened (logrotate's USR1) while pool threads write access lines: every
        request is answered and logged exactly once. Run under ThreadSanitizer by make
        test-tsan, which fails on any race between the reopen and the writers."""
        srv, log = self.start({"workers": 1, "threads": 4})
        stop = threading.Event()
        counts, failures = [], []

        def client(n):
            done = 0
            try:
                while not stop.is_set():
                    with srv.connect() as sock:  # again after keepalive_requests
                        closing = False
                        while not stop.is_set() and not closing:
                            sock.sendall(f"GET /a.txt?c{n} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                            (resp,), _ = read_responses(sock, 1, timeout=10)
                            if resp.body != b"hello":
                                failures.append(resp)
                            closing = resp.headers.get("Connection", "").lower() == "close"
                            done += 1
            except (AssertionError, OSError) as error:
                failures.append(error)
            counts.append(done)

        clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in clients:
            t.start()
        try:
            for _ in range(60):  # about 1.5 s of reopening, bounded
                srv.signal(signal.SIGUSR1)
                time.sleep(0.025)
        finally:
            stop.set()
            for t in clients:
                t.join(20)
        self.assertEqual(failures, [], [l for l in srv.stderr_lines() if "USR1" not in l])
        self.assertFalse(any(t.is_alive() for t in clients))
        srv.stop()
        lines = read_lines(log)
        for line in lines:
            self.assertRegex(line, COMBINED)
        self.assertEqual(len(lines), sum(counts))
        self.assertGreater(sum(counts), 0)

    def assertQuiet(self, srv, log):
        for _ in range(3):
            self.assertEqual(srv.get("/a.txt").status, 200)
        srv.get("/missing")
        srv.stop()
        self.assertEqual(read_lines(log), [])
        self.assertFalse(any("/a.txt" in line for line in srv.stderr_lines() + srv.stdout_lines()))

    def test_quiet_flag(self):
        self.assertQuiet(*self.start(args=["-q"]))

    def test_quiet_config(self):
        self.assertQuiet(*self.start(config={"log": {"access_log": "{tmp}/access.log",
                                                     "quiet": True}}))


if __name__ == "__main__":
    unittest.main()
