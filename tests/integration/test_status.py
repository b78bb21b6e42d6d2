# SPDX-License-Identifier: MIT
"""The status listener (`status: {listen: ...}`), served by the master: off by default; GET
/status as JSON checked against the real process tree and request counts, during a reload too;
GET /metrics held to the text format's grammar and promtool's lint rules and read by Debian's
prometheus_client parser (check_prometheus_text.py); `learnhttpd -s status`; bad
input answered with the right status; and a client that connects and says nothing never stalls
supervision."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import unittest

from debian_python import validate
from learnhttpd_harness import (
    binary_path, parse_response, read_until_close, wait_until, worker_model)
from supervision_support import SiteTestCase, continue_quietly, free_port

STATUS_LINE = re.compile(r"master: status listener on (\S+):(\d+)")
LOOPBACK_STATUS = {"status": {"listen": "127.0.0.1:0"}}


def listening_ports(pid):
    """TCP ports in LISTEN state on sockets that process `pid` holds open."""
    inodes = set()
    for entry in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{entry}")
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        if match:
            inodes.add(match.group(1))
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: TCP_LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


class StatusTestCase(SiteTestCase):
    def start_with_status(self, config=None, **kwargs):
        srv = self.start(dict(LOOPBACK_STATUS, **(config or {})), **kwargs)
        match = srv.wait_for_log(STATUS_LINE.pattern, 5.0)
        self.assertTrue(match, "no status listener line:\n" + "\n".join(srv.stderr_lines()))
        srv.status_port = int(match.group(2))
        return srv

    def status_raw(self, srv, data, timeout=5.0):
        with socket.create_connection(("127.0.0.1", srv.status_port), timeout=timeout) as sock:
            sock.sendall(data)
            return read_until_close(sock, timeout)[0]

    def status_request(self, srv, method, target, headers=""):
        head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n"
        return parse_response(self.status_raw(srv, head.encode()), method)

    def status_json(self, srv):
        resp = self.status_request(srv, "GET", "/status")
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.headers["Content-Type"], "application/json")
        return json.loads(resp.body)

    def serving_rows(self, srv, count, generation=1):
        """Waits until the JSON shows `count` serving workers of `generation`; returns them."""
        def rows():
            status = self.status_json(srv)
            mine = [w for w in status["workers"]
                    if w["generation"] == generation and w["state"] == "serving"]
            return mine if len(mine) == count else None
        found = wait_until(rows, 5.0, interval=0.05)
        self.assertTrue(found, json.dumps(self.status_json(srv), indent=1))
        return found


class StatusTests(StatusTestCase):
    def test_off_by_default_binds_nothing_more(self):
        srv = self.start({"workers": 1})
        self.wait_workers(srv, 1)
        self.assertEqual(listening_ports(srv.pid), {srv.port})
        self.assertFalse(any("status listener" in line for line in srv.stderr_lines()))
        on = self.start_with_status({"workers": 1})
        self.assertEqual(listening_ports(on.pid), {on.port, on.status_port})
        # The workers do not hold the status port: only the master answers on it. (Checked once
        # a worker serves: between fork and closing it, a child still has the master's copy.)
        for row in self.serving_rows(on, 1):
            self.assertEqual(listening_ports(row["pid"]), {on.port})
        off_cli = subprocess.run([binary_path(), "-c", srv.config_path, "-s", "status"],
                                 capture_output=True, text=True, timeout=10)
        self.assertEqual(off_cli.returncode, 1)
        self.assertIn("the status listener is off", off_cli.stderr)

    def test_json_matches_the_processes_and_counts_requests(self):
        srv = self.start_with_status({"workers": 2, "threads": 3})
        rows = self.serving_rows(srv, 2)
        status = self.status_json(srv)
        self.assertEqual(status["pid"], srv.pid)
        self.assertEqual(status["generation"], 1)
        self.assertEqual(status["workers_wanted"], 2)
        self.assertEqual(status["model"], worker_model())
        self.assertEqual(sorted(w["pid"] for w in rows), srv.worker_pids())
        self.assertEqual(sorted(w["slot"] for w in rows), [0, 1])
        pool = 3 if worker_model() == "threadpool" else 0
        for w in rows:
            self.assertEqual(w["model"], worker_model())
            self.assertLess(w["heartbeat_age_ms"], 2000, w)
            self.assertEqual(w["restarts"], 0)
            self.assertEqual(w["threads"], {"busy": 0, "total": pool}, w)
        before = sum(w["requests"] for w in rows)
        for _ in range(5):
            self.assertEqual(srv.get("/a.txt").status, 200)
        after = self.status_json(srv)
        self.assertEqual(sum(w["requests"] for w in after["workers"]), before + 5)
        self.assertEqual(after["requests_total"], before + 5)
        self.assertEqual(after["decisions"][0]["decision"], "start")
        # An open keep-alive connection shows in its worker's count, and leaves it when closed.
        # (A worker counts a connection closed when it reads the client's close, a moment after
        # the client closed it: the requests above may still be counted for that long.)
        def open_connections():
            return sum(w["connections"] for w in self.status_json(srv)["workers"])
        self.assertTrue(wait_until(lambda: open_connections() == 0, 3.0), open_connections())
        with srv.connect() as sock:
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(sock.recv(65536).startswith(b"HTTP/1.1 200"))
            self.assertEqual(open_connections(), 1)
        self.assertTrue(wait_until(lambda: open_connections() == 0, 3.0), open_connections())

    def test_connections_and_requests_by_protocol(self):
        srv = self.start_with_status({"workers": 1, "http2": {"plain": True}})
        self.serving_rows(srv, 1)
        url = f"http://127.0.0.1:{srv.port}/"
        # Two HTTP/2 connections of two streams each (nghttp, of nghttp2-client, sends the
        # different URLs it is given over one connection), and three HTTP/1.1 connections.
        for _ in range(2):
            run = subprocess.run(["nghttp", "-n", url + "a.txt", url + "b.txt"],
                                 capture_output=True, timeout=20, check=False)
            self.assertEqual(run.returncode, 0, run)
        for _ in range(3):
            self.assertEqual(srv.get("/a.txt").status, 200)

        def protocols():
            return self.status_json(srv)["workers"][0]["protocols"]
        expected = {"http/1.1": {"connections": 3, "open": 0, "requests": 3},
                    "h2": {"connections": 2, "open": 0, "requests": 4}}
        self.assertTrue(wait_until(lambda: protocols() == expected, 5.0), protocols())
        metrics = self.status_request(srv, "GET", "/metrics").body.decode()
        labels = 'worker="0",generation="1"'
        for line in (f'learnhttpd_protocol_requests_total{{{labels},protocol="h2"}} 4',
                     f'learnhttpd_protocol_requests_total{{{labels},protocol="http/1.1"}} 3',
                     f'learnhttpd_protocol_connections_total{{{labels},protocol="h2"}} 2',
                     f'learnhttpd_protocol_connections_total{{{labels},protocol="http/1.1"}} 3',
                     f'learnhttpd_protocol_connections_open{{{labels},protocol="h2"}} 0',
                     f"learnhttpd_requests_total{{{labels}}} 7"):
            self.assertIn(line + "\n", metrics)
        # An HTTP/2 connection held open is counted open as HTTP/2.
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
            sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
            self.assertTrue(sock.recv(65536))  # the server's SETTINGS
            self.assertTrue(wait_until(lambda: protocols()["h2"]["open"] == 1, 5.0), protocols())
        self.assertTrue(wait_until(lambda: protocols()["h2"]["open"] == 0, 5.0), protocols())

    def test_both_generations_visible_during_a_reload(self):
        srv = self.start_with_status({"workers": 1, "shutdown_timeout": "10s"})
        old = self.serving_rows(srv, 1)[0]
        # The old worker, stopped, cannot finish its graceful stop: it stays, retiring, until it
        # is let go — as a worker with a long download in flight would.
        os.kill(old["pid"], signal.SIGSTOP)
        self.addCleanup(continue_quietly, old["pid"])
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        self.wait_ready(srv, 2, since=mark)
        new = self.serving_rows(srv, 1, generation=2)[0]
        status = self.status_json(srv)
        self.assertEqual(status["generation"], 2)
        by_generation = {w["generation"]: w for w in status["workers"]}
        self.assertEqual(sorted(by_generation), [1, 2], status["workers"])
        self.assertEqual(by_generation[1]["pid"], old["pid"])
        self.assertEqual(by_generation[1]["state"], "retiring")
        self.assertEqual(by_generation[2]["pid"], new["pid"])
        self.assertEqual(sorted(w["pid"] for w in status["workers"]), srv.worker_pids())
        kinds = [d["decision"] for d in status["decisions"]]
        self.assertIn("reload", kinds)
        self.assertIn("retire", kinds)
        self.assertEqual(status["decisions_total"]["reload"], 1)
        metrics = self.status_request(srv, "GET", "/metrics").body.decode()
        self.assertIn('learnhttpd_worker_info{worker="0",generation="1",pid="%d",model="%s",'
                      'state="retiring"} 1' % (old["pid"], worker_model()), metrics)
        self.assertIn('learnhttpd_requests_total{worker="0",generation="2"}', metrics)
        os.kill(old["pid"], signal.SIGCONT)
        self.assertTrue(wait_until(
            lambda: [w["generation"] for w in self.status_json(srv)["workers"]] == [2], 5.0))

    def test_metrics_pass_the_prometheus_text_check(self):
        srv = self.start_with_status({"workers": 2})
        rows = self.serving_rows(srv, 2)
        for _ in range(3):
            srv.get("/a.txt")
        resp = self.status_request(srv, "GET", "/metrics")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        # The format's grammar and promtool's lint rules, then Debian's prometheus_client parser.
        ok, problems = validate("check_prometheus_text.py", resp.body)
        self.assertTrue(ok, problems)
        self.assertEqual(problems, "", "lint findings")
        text = resp.body.decode()
        served = sum(int(v) for v in re.findall(
            r'^learnhttpd_requests_total\{worker="\d",generation="1"\} (\d+)$', text, re.M))
        self.assertEqual(served, sum(w["requests"] for w in rows) + 3)
        for w in rows:
            self.assertIn('pid="%d"' % w["pid"], text)

    def test_cli_prints_a_table_per_worker(self):
        port = free_port()
        srv = self.start({"workers": 2, "status": {"listen": f"127.0.0.1:{port}"}})
        self.wait_ready(srv, 1)
        pids = srv.worker_pids()
        out = subprocess.run([binary_path(), "-c", srv.config_path, "-s", "status"],
                             capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertIn(f"master pid {srv.pid}", lines[0])
        self.assertIn(f"generation 1: 2 {worker_model()} worker(s) wanted", out.stdout)
        header = next(line for line in lines if line.split()[:3] == ["WORKER", "GEN", "PID"])
        rows = [line.split() for line in lines[lines.index(header) + 1:] if line.strip()]
        table = {int(r[2]): r for r in rows if r[0].isdigit()}
        self.assertEqual(sorted(table), pids, out.stdout)
        for row in table.values():
            self.assertEqual(row[1], "1")
            self.assertEqual(row[3], worker_model())
            self.assertEqual(row[4], "serving")
        self.assertIn("start", out.stdout)
        srv.stop()
        gone = subprocess.run([binary_path(), "-c", srv.config_path, "-s", "status"],
                              capture_output=True, text=True, timeout=10)
        self.assertEqual(gone.returncode, 1)
        self.assertIn(f"status listener 127.0.0.1:{port}", gone.stderr)

    def test_bad_requests_get_their_status_and_serving_goes_on(self):
        srv = self.start_with_status({"workers": 1})
        cases = [
            (b"hello there\r\n\r\n", 400),
            (b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"x" * 8000 + b"\r\n\r\n",
             431),
            (b"GET /" + b"s" * 2000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
            (b"POST /status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\nabc", 405),
            (b"GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 404),
            (b"GET /status?format=yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
            (b"GET /status HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505),
            (b"GET /status HTTP/1.1\r\n\r\n", 400),  # HTTP/1.1 without Host
            # DNS rebinding: a name other than localhost is refused; literals and localhost not.
            (b"GET /status HTTP/1.1\r\nHost: evil.example:8081\r\n\r\n", 403),
            (b"GET /status HTTP/1.1\r\nHost: LocalHost:1\r\n\r\n", 200),
            (b"GET /status HTTP/1.1\r\nHost: [::1]\r\n\r\n", 200),
            (b"GET /status HTTP/1.0\r\n\r\n", 200),
        ]
        for data, expected in cases:
            with self.subTest(request=data[:40]):
                resp = parse_response(self.status_raw(srv, data))
                self.assertEqual(resp.status, expected, resp)
                self.assertEqual(resp.headers["Connection"], "close")
        resp = self.status_request(srv, "POST", "/status")
        self.assertEqual(resp.headers["Allow"], "GET, HEAD")
        # The site's workers answer OPTIONS; this listener serves GET and HEAD only.
        for target in ("/status", "*"):
            resp = self.status_request(srv, "OPTIONS", target)
            self.assertEqual((resp.status, resp.headers["Allow"]), (405, "GET, HEAD"))
        head = self.status_request(srv, "HEAD", "/metrics")
        self.assertEqual(head.status, 200)
        self.assertGreater(int(head.headers["Content-Length"]), 0)
        self.assertEqual(head.body, b"")
        text = self.status_request(srv, "GET", "/status?format=text")
        self.assertEqual(text.headers["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn(b"WORKER", text.body)
        self.assertEqual(srv.get("/a.txt").status, 200)
        self.assertEqual(self.status_json(srv)["generation"], 1)
        self.assertIsNone(srv.proc.poll())

    def test_silent_clients_do_not_stall_supervision(self):
        srv = self.start_with_status({"workers": 1})
        victim = self.serving_rows(srv, 1)[0]["pid"]
        # More silent clients than the listener serves at once, and one that stops mid-head.
        silent = [socket.create_connection(("127.0.0.1", srv.status_port), timeout=5)
                  for _ in range(6)]
        silent[0].sendall(b"GET /sta")
        for sock in silent:
            self.addCleanup(sock.close)
        started = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        replaced = wait_until(lambda: [p for p in srv.worker_pids() if p != victim], 3.0)
        self.assertTrue(replaced, "the killed worker was not respawned:\n"
                        + "\n".join(srv.stderr_lines()[-10:]))
        self.assertLess(time.monotonic() - started, 3.0)
        # The silent ones are closed when their time is up, without an answer; those that
        # waited in the backlog are served afterwards and time out in turn.
        for sock in silent[:4]:
            data, closed = read_until_close(sock, 5.0)
            self.assertTrue(closed)
            self.assertEqual(data, b"")
        status = self.status_json(srv)
        self.assertEqual(status["workers"][0]["restarts"], 1)
        self.assertEqual(status["decisions_total"]["respawn"], 1)
        self.assertEqual(srv.get("/a.txt").status, 200)


if __name__ == "__main__":
    unittest.main()
