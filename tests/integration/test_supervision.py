# SPDX-License-Identifier: MIT
"""The master's signals and supervision: QUIT (graceful), TERM/INT (fast), USR1 (reopen logs),
TTIN/TTOU, respawn with crash back-off, replacement of a stuck worker, a boot failure that stops
the master, and the privilege drop of the workers."""

import os
import pwd
import re
import signal
import socket
import sys
import threading
import time
import unittest

from docroot import A_TXT
from learnhttpd_harness import (
    ServerError, build_tree, children_of, process_gone, pseudo_random_bytes, read_responses,
    sha256, stop_process, wait_until)
from supervision_support import (
    SiteTestCase, SlowDownload, continue_quietly, open_paths, proc_status, started_count)

def _max_send_buffer():
    """The most a server socket can hold unsent (tcp_wmem's maximum), so a file larger than
    that keeps the worker mid-response however the kernel sizes its buffers."""
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem", encoding="ascii") as f:
            return int(f.read().split()[2])
    except (OSError, ValueError, IndexError):
        return 4 * 1024 * 1024


# The server can neither buffer this file in the kernel nor finish it before the client has
# read at least 2 MiB of it.
BIG_SIZE = _max_send_buffer() + 2 * 1024 * 1024 + 11


class StopTests(SiteTestCase):
    @classmethod
    def setUpClass(cls):
        cls.big = pseudo_random_bytes(BIG_SIZE, "slow-download")

    def start_download(self):
        build_tree(self.root, {"big.bin": self.big})
        srv = self.start({"workers": 2, "shutdown_timeout": "20s"})
        self.wait_ready(srv, 1)
        download = SlowDownload(srv.port, "/big.bin")
        self.addCleanup(download.close)
        for _ in range(4):  # a quarter of a megabyte in: the worker is mid-response
            self.assertTrue(download.step(), "download ended early")
        return srv, download

    def test_quit_finishes_downloads_then_exits(self):
        srv, download = self.start_download()
        workers = srv.worker_pids()
        srv.signal(signal.SIGQUIT)
        self.assertTrue(srv.wait_for_log(r"worker \d+: graceful stop", 5.0))
        for _ in range(10):  # half a second more of slow reading: nobody may give up on us
            self.assertTrue(download.step(), "download cut short by QUIT")
        self.assertIsNone(srv.proc.poll(), "master exited with a download in flight")
        download.pause = 0  # then the rest at full speed
        resp = download.finish(timeout=30)
        self.assertEqual(resp.status, 200)
        self.assertTrue(resp.complete, resp)
        self.assertEqual(sha256(resp.body), sha256(self.big))
        self.assertEqual(srv.proc.wait(10), 0, srv.stderr_lines()[-10:])
        self.assertTrue(wait_until(lambda: all(process_gone(p) for p in workers), 2.0), workers)
        srv.stop()  # collects the exit code and checks nothing is left

    def test_quit_turns_new_connections_away(self):
        srv, download = self.start_download()
        workers = srv.worker_pids()
        srv.signal(signal.SIGQUIT)
        # Every worker must have taken the QUIT (closing its copy of the listening socket)
        # before a late client can expect to be turned away.
        for pid in workers:
            self.assertTrue(srv.wait_for_log(rf"\[{pid}\] worker \d+: graceful stop", 5.0), pid)
        late = LateClient(srv.port)
        late.start()
        for _ in range(30):  # 1.5 s of the download still in flight, the master alive
            self.assertTrue(download.step(), "download cut short by QUIT")
            if not late.is_alive():
                break
        in_flight = srv.proc.poll() is None
        download.pause = 0
        self.assertTrue(download.finish(timeout=30).complete)
        late.join(10)
        self.assertFalse(late.is_alive(), "a connection made after QUIT is still open")
        self.assertEqual(late.received, b"", "a connection made after QUIT was served")
        print(f"\n  late connection {late.outcome} after {late.seconds:.2f} s", file=sys.stderr)
        self.assertTrue(in_flight)
        self.assertIn(late.outcome, ("refused", "closed"))
        self.assertLess(late.seconds, 1.5, "a connection made after QUIT hung until the master "
                        "exited: the listening sockets stay open during a graceful stop")
        srv.stop()

    def test_fast_stop_does_not_wait_for_downloads(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig.name):
                srv, download = self.start_download()
                started = time.monotonic()
                self.assertEqual(srv.stop(sig, timeout=5), 0)
                self.assertLess(time.monotonic() - started, 3.0, srv.stderr_lines()[-5:])
                download.pause = 0
                resp = download.finish(timeout=10)
                self.assertLess(len(resp.body), BIG_SIZE, "fast stop let the download finish")


class LateClient(threading.Thread):
    """Connects after QUIT and sends a request: it must be refused, or closed unanswered."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.received = b""
        self.outcome = None
        self.seconds = None  # from connect() to being refused or closed

    def run(self):
        started = time.monotonic()
        try:
            self.attempt()
        finally:
            self.seconds = time.monotonic() - started

    def attempt(self):
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        except ConnectionRefusedError:
            self.outcome = "refused"
            return
        with sock:
            try:
                sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    self.received += chunk
            except (ConnectionResetError, BrokenPipeError):
                pass
            except socket.timeout:
                self.outcome = "timed out"
                return
        self.outcome = "closed"


class SignalTests(SiteTestCase):
    def test_usr1_reopens_access_log(self):
        srv = self.start({"workers": 2, "log": {"access_log": "{tmp}/access.log"}})
        workers = self.wait_workers(srv, 2)
        log, rotated = srv.path("access.log"), srv.path("access.log.1")
        srv.get("/a.txt?before")
        self.assertTrue(wait_until(lambda: "?before" in read(log), 3.0), read(log))
        os.rename(log, rotated)
        srv.signal(signal.SIGUSR1)
        # Every worker has reopened once none holds the renamed file and all hold the new one.
        reopened = wait_until(lambda: all(
            rotated not in open_paths(p) and log in open_paths(p) for p in workers), 5.0)
        self.assertTrue(reopened, {p: open_paths(p) for p in workers})
        srv.get("/b.txt?after")
        self.assertTrue(wait_until(lambda: "?after" in read(log), 3.0),
                        f"new file: {read(log)!r}")
        self.assertNotIn("?after", read(rotated))
        self.assertIn("?before", read(rotated))
        self.assertEqual(srv.worker_pids(), workers, "USR1 must not restart workers")
        srv.stop()

    def test_usr1_reaches_a_connection_opened_before_it(self):
        """After logrotate's rename and USR1, nothing writes to the rotated file any more, as
        with nginx: not even the process that serves a keep-alive connection opened before the
        signal (in process-per-connection, a child of the worker that lives as long as it)."""
        srv = self.start({"workers": 1, "log": {"access_log": "{tmp}/access.log"}})
        self.wait_workers(srv, 1)
        log, rotated = srv.path("access.log"), srv.path("access.log.1")
        with srv.connect() as sock:
            sock.sendall(b"GET /a.txt?before HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_responses(sock, 1)[0][0].status, 200)
            self.assertTrue(wait_until(lambda: "?before" in read(log), 3.0), read(log))
            os.rename(log, rotated)
            srv.signal(signal.SIGUSR1)

            def holders():  # every process under the master that still writes the old file
                tree, todo = [], children_of(srv.pid)
                while todo:
                    pid = todo.pop()
                    tree.append(pid)
                    todo.extend(children_of(pid))
                return [p for p in tree if rotated in open_paths(p)]
            wait_until(lambda: not holders(), 5.0)
            self.assertEqual(holders(), [], "still writing to the rotated access log")
            sock.sendall(b"GET /a.txt?after HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_responses(sock, 1)[0][0].status, 200)
        self.assertTrue(wait_until(lambda: "?after" in read(log), 3.0),
                        f"new file: {read(log)!r}, rotated: {read(rotated)!r}")
        self.assertNotIn("?after", read(rotated))
        srv.stop()

    def test_ttin_ttou_change_worker_count(self):
        srv = self.start({"workers": 2})
        first = self.wait_workers(srv, 2)
        srv.signal(signal.SIGTTIN)
        three = self.wait_workers(srv, 3)
        self.assertTrue(set(first) < set(three), (first, three))
        for count in (2, 1):
            srv.signal(signal.SIGTTOU)
            self.wait_workers(srv, count)
        mark = srv.log_mark()
        srv.signal(signal.SIGTTOU)
        self.assertTrue(srv.wait_for_log(r"TTOU", 3.0, mark), "TTOU not handled")
        time.sleep(0.5)  # a wrongly retired last worker would be exiting by now
        self.assertEqual(len(srv.worker_pids()), 1, srv.stderr_lines()[mark:])
        self.assertEqual(srv.get("/a.txt").body, A_TXT)
        srv.stop()

    def test_killed_worker_respawns_with_backoff(self):
        srv = self.start({"workers": 2})
        before = self.wait_workers(srv, 2)
        victim, bystander = before
        backoffs = []
        for _ in range(2):  # each victim dies young: a crash loop
            mark = srv.log_mark()
            os.kill(victim, signal.SIGKILL)
            replaced = wait_until(lambda: (lambda now: len(now) == 2 and victim not in now and now)
                                  (srv.worker_pids()), 2.0)
            self.assertTrue(replaced, f"worker {victim} not replaced: {srv.worker_pids()}")
            self.assertIn(bystander, replaced, "the other worker was touched")
            match = srv.wait_for_log(r"respawn in (\d+) ms", 2.0, mark)
            self.assertTrue(match, srv.stderr_lines()[mark:])
            backoffs.append(int(match.group(1)))
            victim = [p for p in replaced if p != bystander][0]
        self.assertGreater(backoffs[1], backoffs[0], backoffs)
        self.assertEqual(srv.get("/a.txt").body, A_TXT)
        srv.stop()

    def test_reload_keeps_the_count_ttin_set_unless_the_file_changes_it(self):
        # Before, a reload silently went back to the file's `workers`, undoing TTIN/TTOU.
        srv = self.start({"workers": 2})
        self.wait_ready(srv, 1)
        srv.signal(signal.SIGTTIN)
        self.wait_workers(srv, 3)
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        self.assertTrue(srv.wait_for_log(r"reload keeps 3 worker\(s\) set by TTIN/TTOU", 5.0,
                                         mark), srv.stderr_lines()[mark:])
        self.assertEqual(len(self.wait_ready(srv, 2, mark)), 3)
        mark = srv.log_mark()
        srv.write_config({"workers": 1})
        srv.signal(signal.SIGHUP)
        self.assertTrue(srv.wait_for_log(r"workers 2 -> 1 in the configuration replaces the 3",
                                         5.0, mark), srv.stderr_lines()[mark:])
        self.assertEqual(len(self.wait_ready(srv, 3, mark)), 1)
        srv.stop()

    def test_a_crash_in_a_generation_being_replaced_is_not_called_a_respawn(self):
        # HUP starts generation 2 while 1 serves; a worker of 1 that dies before 2 is ready is
        # not replaced (its configuration is gone; 2 takes over). Before, the log said
        # "respawning" and nothing was respawned. The master is stopped while the worker is
        # killed and the HUP is sent, so both are handled in one wake-up, in that order.
        srv = self.start({"workers": 1})
        (old,) = self.wait_ready(srv, 1)
        mark = srv.log_mark()
        self.assertTrue(stop_process(srv.pid))
        try:
            srv.signal(signal.SIGHUP)
            os.kill(old, signal.SIGKILL)
            self.assertTrue(wait_until(lambda: process_gone(old), 5.0))
        finally:
            os.kill(srv.pid, signal.SIGCONT)
        line = srv.wait_for_log(rf"worker 0 \(pid {old}, generation 1\).*unexpectedly", 5.0, mark)
        self.assertTrue(line, srv.stderr_lines()[mark:])
        self.wait_ready(srv, 2, mark)
        lines = "\n".join(srv.stderr_lines()[mark:])
        self.assertNotRegex(lines, rf"pid {old}, generation 1\)[^\n]*respawn", lines)
        self.assertRegex(lines, rf"pid {old}, generation 1\)[^\n]*not replaced: generation 2")
        self.assertEqual(srv.get("/a.txt").body, A_TXT)
        srv.stop()

    def test_crashes_in_a_row_are_counted_per_worker(self):
        # Before, the streak was the master's: worker 1's first crash after worker 0's was
        # reported as "2 in a row", and held worker 1's slot back for the doubled delay.
        srv = self.start({"workers": 2})
        self.wait_ready(srv, 1)
        first, second = self.wait_workers(srv, 2)
        for victim in (first, second):
            os.kill(victim, signal.SIGKILL)
            self.assertTrue(wait_until(lambda: victim not in srv.worker_pids(), 3.0))
        # Both died within the crash window of their start (a second or so after it).
        self.assertTrue(srv.wait_for_log(r"worker \d crashed", 3.0))
        self.wait_workers(srv, 2)
        lines = srv.stderr_lines()
        streaks = {}
        for line in lines:
            match = re.search(r"worker (\d) crashed within \d+ s of starting \((\d+) in a row\)",
                              line)
            if match:
                streaks.setdefault(int(match.group(1)), []).append(int(match.group(2)))
        self.assertEqual(streaks, {0: [1], 1: [1]}, lines[-20:])
        srv.stop()

    def test_stuck_worker_is_replaced(self):
        srv = self.start({"workers": 2, "worker_timeout": "2s"})
        stuck, other = self.wait_workers(srv, 2)
        os.kill(stuck, signal.SIGSTOP)
        self.addCleanup(continue_quietly, stuck)
        # Until it has really stopped it may still wait in epoll_wait, and with EPOLLEXCLUSIVE
        # the kernel would give the next connection's wake-up to it alone.
        self.assertTrue(wait_until(lambda: (proc_status(stuck, "State") or ["?"])[0] == "T", 5.0))
        started = time.monotonic()
        served = 0
        while not (srv.wait_for_log(rf"\(pid {stuck}\) sent no heartbeat", 0.2)
                   and process_gone(stuck) and len(srv.worker_pids()) == 2):
            self.assertLess(time.monotonic() - started, 9.0, srv.stderr_lines()[-10:])
            self.assertEqual(srv.get("/a.txt", timeout=3).body, A_TXT)  # still serving
            served += 1
        self.assertLess(time.monotonic() - started, 8.5)
        self.assertIn(other, srv.worker_pids())
        self.assertNotIn(stuck, srv.worker_pids())
        self.assertGreater(served, 0)
        srv.stop()


class BootTests(SiteTestCase):
    def test_unknown_user_stops_the_start(self):
        # The start's check (the one -t runs) refuses it before any worker is forked; a worker
        # that cannot boot all the same stops the master (the policy's unit tests).
        started = time.monotonic()
        with self.assertRaises(ServerError) as caught:
            self.start({"workers": 2, "user": "no-such-user-xyz"})
        self.assertLess(time.monotonic() - started, 5)
        text = str(caught.exception)
        self.assertIn("exited with 1", text)
        self.assertIn("user 'no-such-user-xyz' does not exist", text)
        self.assertEqual(started_count(text.splitlines()), 0, "a worker was started")

    @unittest.skipUnless(os.geteuid() == 0, "needs root to drop privileges")
    def test_workers_drop_to_configured_user(self):
        nobody = pwd.getpwnam("nobody")
        os.chmod(self.site.name, 0o755)  # the document root's parent; temp dirs start 0700
        srv = self.start({"workers": 2, "user": "nobody"})
        # Ready means every worker stamped a heartbeat, which it does only after switching user.
        self.wait_ready(srv, 1)
        workers = self.wait_workers(srv, 2)
        self.assertEqual(srv.get("/a.txt").body, A_TXT)
        for pid in workers:
            self.assertEqual(proc_status(pid, "Uid"), [str(nobody.pw_uid)] * 4, pid)
            self.assertEqual(proc_status(pid, "Gid"), [str(nobody.pw_gid)] * 4, pid)
        self.assertEqual(proc_status(srv.pid, "Uid"), ["0"] * 4)
        srv.stop()


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""



if __name__ == "__main__":
    unittest.main()
