# SPDX-License-Identifier: MIT
"""HTTP/2 through the life of a worker: QUIT, HUP and TTOU ask each connection to go away at its
first pause (GOAWAY naming the last stream; a request sent before the client saw the notice is
still answered), let open streams finish, and a reload under HTTP/2 load loses no request
(h2load, of Debian's nghttp2-client, reports 0 errors across two HUPs). Run by Debian's python3
(python3-h2)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

from docroot import A_TXT, BIG, make_site  # noqa: E402
from h2_client import (  # noqa: E402
    NO_ERROR, DataFrame, PingFrame, RawH2, WindowUpdateFrame, connect)
from learnhttpd_harness import Server, wait_until  # noqa: E402

NOTICE = 2 ** 31 - 1  # the last stream id of RFC 9113's shutdown notice


def owner_pid(srv, sock):
    """The worker process holding the server side of the client socket `sock`."""
    client_port = sock.getsockname()[1]
    inode = None
    with open("/proc/net/tcp", encoding="ascii") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if (int(local.rsplit(":", 1)[1], 16) == srv.port
                    and int(remote.rsplit(":", 1)[1], 16) == client_port):
                inode = fields[9]
    for pid in srv.worker_pids():
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
        except OSError:
            continue
    return None


class LifecycleTestCase(unittest.TestCase):
    CONFIG = {"workers": 1, "http2": {"plain": True}, "shutdown_timeout": "20s"}

    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)

    def start(self, **overrides):
        config = dict(self.CONFIG, **overrides)
        srv = Server(self.root, config=config)
        self.addCleanup(srv.close)
        return srv

    def served(self, raw, stream_id):
        self.assertTrue(raw.read_until(lambda r: r.ended(stream_id)), raw.frames)
        return raw.status(stream_id), raw.body(stream_id)

    def go_away_politely(self, raw, request_after_notice=None):
        """Reads the notice and its PING, optionally sends a request before answering the PING,
        answers it, and reads to the end; returns the final GOAWAY."""
        self.assertTrue(raw.read_until(lambda r: r.goaway() is not None, 10.0), raw.frames)
        self.assertEqual(raw.goaway().last_stream_id, NOTICE)
        self.assertTrue(raw.read_until(lambda r: [p for p in r.of(PingFrame)
                                                  if "ACK" not in p.flags]), raw.frames)
        ping = [p for p in raw.of(PingFrame) if "ACK" not in p.flags][0]
        if request_after_notice is not None:
            raw.send(raw.get(request_after_notice, "/a.txt"))
        raw.send(PingFrame(0, opaque_data=ping.opaque_data, flags=["ACK"]))
        self.assertTrue(raw.read_until_closed(10.0), "the connection stayed open")
        final = raw.goaway()
        self.assertEqual(final.error_code, NO_ERROR)
        return final


class GracefulStop(LifecycleTestCase):
    def test_quit_sends_goaway_naming_the_last_stream(self):
        srv = self.start()
        with RawH2(connect(srv)) as raw:
            raw.ack_settings()
            raw.send(raw.get(1, "/a.txt"))
            self.assertEqual(self.served(raw, 1), (200, A_TXT))
            srv.signal(signal.SIGQUIT)
            # A request the client sent before it saw the notice is still answered.
            final = self.go_away_politely(raw, request_after_notice=3)
            self.assertEqual(final.last_stream_id, 3)
            self.assertEqual((raw.status(3), raw.body(3)), (200, A_TXT))
        self.assertEqual(srv.proc.wait(10), 0)

    def test_quit_lets_a_download_finish(self):
        srv = self.start()
        with RawH2(connect(srv)) as raw:
            raw.ack_settings()
            raw.send(raw.get(1, "/big.bin"))
            self.assertTrue(raw.read_until(lambda r: r.of(DataFrame, 1)))
            srv.signal(signal.SIGQUIT)
            # The client opens its window a little at a time: the answer takes a while.
            credited = 0
            deadline = time.monotonic() + 30
            while not raw.ended(1) and time.monotonic() < deadline and not raw.closed:
                got = len(raw.body(1))
                if got > credited:
                    raw.send(WindowUpdateFrame(1, window_increment=got - credited),
                             WindowUpdateFrame(0, window_increment=got - credited))
                    credited = got
                for ping in [p for p in raw.of(PingFrame) if "ACK" not in p.flags]:
                    raw.send(PingFrame(0, opaque_data=ping.opaque_data, flags=["ACK"]))
                    raw.frames.remove(ping)
                raw.read_until(lambda r: len(r.body(1)) > got or r.ended(1), 0.5)
                time.sleep(0.02)
            self.assertEqual(raw.body(1), BIG)
            self.assertTrue(raw.read_until_closed(10.0))
            self.assertEqual(raw.goaway().last_stream_id, 1)
        self.assertEqual(srv.proc.wait(10), 0)

    def test_hup_moves_clients_to_the_new_generation(self):
        srv = self.start()
        with RawH2(connect(srv)) as raw:
            raw.ack_settings()
            raw.send(raw.get(1, "/a.txt"))
            self.assertEqual(self.served(raw, 1), (200, A_TXT))
            old = owner_pid(srv, raw.sock)
            mark = srv.log_mark()
            srv.signal(signal.SIGHUP)
            self.assertTrue(srv.wait_for_log(r"master: generation 2 ready", 10.0, mark))
            final = self.go_away_politely(raw)
            self.assertEqual(final.last_stream_id, 1)
        with RawH2(connect(srv)) as raw:
            raw.send(raw.get(1, "/a.txt"))
            self.assertEqual(self.served(raw, 1), (200, A_TXT))
            self.assertNotEqual(owner_pid(srv, raw.sock), old)

    def test_ttou_retires_a_worker_politely(self):
        srv = self.start(workers=2)
        self.assertEqual(len(srv.wait_for_workers(2)), 2)
        # A connection on each worker (the kernel chooses the worker of each).
        conns = {}
        for _ in range(40):
            raw = RawH2(connect(srv))
            self.addCleanup(raw.close)
            raw.ack_settings()
            raw.send(raw.get(1, "/a.txt"))
            self.assertEqual(self.served(raw, 1), (200, A_TXT))
            conns.setdefault(owner_pid(srv, raw.sock), raw)
            if len(conns) == 2:
                break
        if len(conns) < 2:
            self.skipTest("every connection went to one worker")
        mark = srv.log_mark()
        srv.signal(signal.SIGTTOU)
        match = srv.wait_for_log(r"retiring worker \d+ \(pid (\d+), generation 1\): TTOU",
                                 10.0, mark)
        self.assertTrue(match, srv.stderr_lines()[-10:])
        retired = int(match.group(1))
        self.assertIn(retired, conns)
        for pid, raw in conns.items():
            if pid == retired:
                self.assertEqual(self.go_away_politely(raw).last_stream_id, 1)
            else:
                raw.send(raw.get(3, "/a.txt"))
                self.assertEqual(self.served(raw, 3), (200, A_TXT))
                self.assertIsNone(raw.goaway())
        self.assertTrue(wait_until(lambda: retired not in srv.worker_pids(), 10.0))


@unittest.skipUnless(shutil.which("h2load"), "h2load (nghttp2-client) is not installed")
class ReloadUnderLoad(LifecycleTestCase):
    CONFIG = {"workers": 2, "http2": {"plain": True}, "shutdown_timeout": "30s",
              "keepalive_requests": 1000000}

    def h2load(self, srv, requests, rate):
        return subprocess.Popen(
            ["h2load", "-n", str(requests), "-c", "4", "-m", "10", "--rps", str(rate),
             f"http://127.0.0.1:{srv.port}/a.txt"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def check(self, run, requests):
        out, _ = run.communicate(timeout=60)
        self.assertEqual(run.returncode, 0, out)
        match = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, "
                          r"(\d+) failed, (\d+) errored, (\d+) timeout", out)
        self.assertTrue(match, out)
        total, done, succeeded, failed, errored, timeout = map(int, match.groups())
        self.assertEqual((total, done, succeeded, failed, errored, timeout),
                         (requests, requests, requests, 0, 0, 0), out)
        self.assertIn(f"status codes: {requests} 2xx", out)

    def test_no_request_lost_across_two_reloads(self):
        srv = self.start()
        # 4 clients at 1000 requests/s each: three seconds of load, bounded in count.
        first = self.h2load(srv, 12000, 1000)
        time.sleep(0.5)
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        self.assertTrue(srv.wait_for_log(r"master: generation 2 ready", 10.0, mark))
        second = self.h2load(srv, 8000, 1000)  # its connections go to generation 2
        time.sleep(0.5)
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        self.assertTrue(srv.wait_for_log(r"master: generation 3 ready", 10.0, mark))
        self.check(first, 12000)
        self.check(second, 8000)
        # The old generations leave once their clients are done with them.
        self.assertTrue(wait_until(lambda: len(srv.worker_pids()) == 2, 20.0),
                        srv.worker_pids())


if __name__ == "__main__":
    unittest.main()
