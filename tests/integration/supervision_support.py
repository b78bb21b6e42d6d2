# SPDX-License-Identifier: MIT
"""Helpers shared by the supervision suites (test_supervision, test_reload, test_daemon,
test_systemd): the master's generation bookkeeping as its error log reports it, free ports,
/proc readings and a slow raw-socket download."""

import os
import signal
import re
import socket
import time
import unittest

from docroot import make_site
from learnhttpd_harness import Server, parse_response, wait_until

STARTED = re.compile(r"master: worker (\d+) started, pid (\d+), generation (\d+)")


def generation_pids(srv, generation):
    """Pids the master reported starting for `generation` (from its error log)."""
    pids = []
    for line in srv.stderr_lines():
        match = STARTED.search(line)
        if match and int(match.group(3)) == generation:
            pids.append(int(match.group(2)))
    return sorted(pids)


def started_count(lines):
    return sum(1 for line in lines if STARTED.search(line))


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connection_refused(port, host="127.0.0.1"):
    try:
        socket.create_connection((host, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def get_on(port, target, host="127.0.0.1", timeout=5.0):
    """GET `target` on an explicit port with Connection: close; the parsed Response."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return parse_response(b"".join(chunks))


def proc_status(pid, field):
    """A field of /proc/PID/status as a list of words, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name == field:
                    return value.split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return []


def open_paths(pid):
    """Targets of the descriptors of `pid` (what readlink /proc/PID/fd/N says)."""
    paths = []
    try:
        entries = os.listdir(f"/proc/{pid}/fd")
    except (FileNotFoundError, ProcessLookupError):
        return paths
    for entry in entries:
        try:
            paths.append(os.readlink(f"/proc/{pid}/fd/{entry}"))
        except OSError:
            pass
    return paths


class SlowDownload:
    """GET of one large file over a raw socket with a small receive buffer, read in `chunk`
    pieces every `pause` seconds, so the server stays in the middle of the response."""

    def __init__(self, port, target, chunk=64 * 1024, pause=0.05, host="127.0.0.1"):
        self.chunk = chunk
        self.pause = pause
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        self.sock.settimeout(10)
        self.sock.connect((host, port))
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                          .encode())
        self.data = b""
        self.closed = False

    def step(self):
        """Reads up to one chunk (blocking); returns False once the server closed."""
        if self.closed:
            return False
        wanted = self.chunk
        while wanted > 0:
            try:
                piece = self.sock.recv(min(wanted, 65536))
            except ConnectionResetError:
                piece = b""
            if not piece:
                self.closed = True
                return False
            self.data += piece
            wanted -= len(piece)
        time.sleep(self.pause)
        return True

    def finish(self, timeout):
        deadline = time.monotonic() + timeout
        while self.step():
            if time.monotonic() > deadline:
                raise AssertionError(f"download still running after {timeout}s "
                                     f"({len(self.data)} bytes)")
        self.sock.close()
        return parse_response(self.data)

    def close(self):
        self.sock.close()


class SiteTestCase(unittest.TestCase):
    """A fresh make_site() tree per test and servers that are always cleaned up."""

    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)

    def start(self, config=None, **kwargs):
        srv = Server(self.root, config=config, **kwargs)
        self.addCleanup(srv.close)
        return srv

    def wait_workers(self, srv, count, timeout=5.0):
        pids = srv.wait_for_workers(count, timeout)
        self.assertEqual(len(pids), count, f"expected {count} workers: {pids}\n"
                         + "\n".join(srv.stderr_lines()[-15:]))
        return pids

    def wait_ready(self, srv, generation, since=0, timeout=5.0):
        """Waits for 'generation N ready' (every worker of N serving); returns N's pids."""
        match = srv.wait_for_log(rf"master: generation {generation} ready\b", timeout, since)
        self.assertTrue(match, f"generation {generation} never became ready:\n"
                        + "\n".join(srv.stderr_lines()[-20:]))
        return generation_pids(srv, generation)

    def assert_only_workers(self, srv, pids, timeout=5.0):
        """The master's children become exactly `pids` (older generations have exited)."""
        wanted = sorted(pids)
        wait_until(lambda: srv.worker_pids() == wanted, timeout)
        now = srv.worker_pids()
        self.assertEqual(now, wanted, "old workers still running:\n"
                         + "\n".join(srv.stderr_lines()[-20:]))


def continue_quietly(pid):
    """SIGCONT a process the test stopped, if it still exists."""
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass
