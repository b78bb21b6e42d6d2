# SPDX-License-Identifier: MIT
"""The process tree: worker count, fast stop on TERM/INT, respawn of a killed worker, and
workers that do not outlive a killed master."""

import os
import signal
import time
import unittest

from docroot import A_TXT, make_site
from learnhttpd_harness import Server, become_subreaper, process_gone, reap, wait_until


def read_text(path):
    try:
        with open(path, encoding="ascii") as f:
            return f.read()
    except FileNotFoundError:
        return ""


class ProcessTests(unittest.TestCase):
    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)

    def start(self, **config):
        srv = Server(self.root, config=config)
        self.addCleanup(srv.close)
        return srv

    def assertServes(self, srv):
        self.assertEqual(srv.get("/a.txt").body, A_TXT)

    def test_forks_configured_worker_count(self):
        srv = self.start(workers=3)
        workers = srv.wait_for_workers(3)
        self.assertEqual(len(workers), 3, workers)
        self.assertNotIn(srv.pid, workers)
        self.assertServes(srv)
        srv.stop()

    def test_term_stops_everything(self):
        srv = self.start(workers=2)
        workers = srv.wait_for_workers(2)
        self.assertServes(srv)
        self.assertEqual(srv.stop(signal.SIGTERM), 0)
        self.assertTrue(all(process_gone(p) for p in workers), workers)

    def test_int_stops_everything(self):
        srv = self.start(workers=2)
        workers = srv.wait_for_workers(2)
        self.assertEqual(srv.stop(signal.SIGINT), 0)
        self.assertTrue(all(process_gone(p) for p in workers), workers)

    def test_term_right_after_start(self):
        # TERM may arrive the moment the 'listening on' line appears, while workers are still
        # being forked and setting up: the master must already handle it (exit 0), and every
        # worker must act on it without waiting for shutdown_timeout to expire.
        for attempt in range(5):
            with self.subTest(attempt=attempt):
                srv = self.start(workers=2, shutdown_timeout="5s")
                started = time.monotonic()
                try:
                    srv.stop(signal.SIGTERM)
                finally:
                    elapsed = time.monotonic() - started
                    srv.close()
                self.assertLess(elapsed, 2.5, "fast stop waited for shutdown_timeout: "
                                + " | ".join(srv.stderr_lines()[-3:]))

    def test_term_with_open_idle_connection(self):
        srv = self.start(workers=1)
        with srv.connect() as sock:
            sock.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.recv(4096)
            self.assertEqual(srv.stop(signal.SIGTERM), 0)

    def test_killed_worker_is_replaced(self):
        srv = self.start(workers=2)
        before = srv.wait_for_workers(2)
        self.assertEqual(len(before), 2)
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        after = wait_until(lambda: (lambda now: len(now) == 2 and victim not in now and now)
                           (srv.worker_pids()), 2.5)
        self.assertTrue(after, f"worker {victim} not replaced within 2.5 s: {srv.worker_pids()}")
        self.assertIn(before[1], after)
        for _ in range(4):  # whichever worker accepts, the answer is right
            self.assertServes(srv)
        srv.stop()

    def test_workers_exit_when_master_dies(self):
        become_subreaper()  # the orphans come to us, so none is left as a zombie
        srv = self.start(workers=2)
        workers = srv.wait_for_workers(2)
        self.assertEqual(len(workers), 2)
        srv.proc.kill()
        srv.proc.wait(5)
        started = time.monotonic()
        gone = wait_until(lambda: all(process_gone(p) for p in workers), 3.0)
        elapsed = time.monotonic() - started
        survivors = [p for p in workers if not process_gone(p)]
        for p in survivors:
            os.kill(p, signal.SIGKILL)
        wait_until(lambda: all(process_gone(p) for p in workers), 2.0)
        reap(workers)
        self.assertTrue(gone, f"workers {survivors} outlived the master by {elapsed:.1f}s")

    def test_pid_file_written(self):
        srv = self.start(workers=1)
        pid_file = srv.config["pid_file"]
        content = wait_until(lambda: read_text(pid_file), 2.0)
        self.assertTrue(content, f"no pid file at {pid_file}")
        self.assertEqual(content.strip(), str(srv.pid))
        srv.stop()


def voluntary_switches(pid):
    """How often the thread `pid` (a worker's loop thread) has gone to sleep: each wake-up of a
    sleeping worker, even one the kernel puts back to sleep before epoll_wait returns, ends
    in one more voluntary context switch."""
    for line in read_text(f"/proc/{pid}/status").splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError(f"worker {pid} is gone")


class AcceptWakeupTests(unittest.TestCase):
    """Several workers share the listening sockets; a new connection must wake one idle
    worker, not every one (the thundering herd: EPOLLEXCLUSIVE, docs/performance.md)."""

    CONNECTIONS = 200

    def setUp(self):
        self.site, self.root = make_site()
        self.addCleanup(self.site.cleanup)

    def test_a_new_connection_wakes_one_idle_worker(self):
        srv = Server(self.root, config={"workers": 2}, args=("-q",))
        self.addCleanup(srv.close)
        workers = srv.wait_for_workers(2)
        self.assertEqual(len(workers), 2, workers)
        srv.get("/a.txt")  # both workers are up and idle in epoll_wait
        time.sleep(0.2)
        before = {pid: voluntary_switches(pid) for pid in workers}
        started = time.monotonic()
        for _ in range(self.CONNECTIONS):
            self.assertEqual(srv.get("/a.txt").body, A_TXT)
            # Until the worker has seen the close of this connection, so that both workers
            # sleep in epoll_wait when the next one comes.
            time.sleep(0.005)
        elapsed = time.monotonic() - started
        woken = {pid: voluntary_switches(pid) - before[pid] for pid in workers}
        # With the herd both workers wake for every connection; without it the worker that is
        # asked first takes nearly all of them and the other one only wakes for its heartbeat
        # (twice a second) and for the few connections that came while the first was busy
        # (a loaded machine may run the first worker late).
        quiet = min(woken.values())
        self.assertLess(quiet, self.CONNECTIONS // 4,
                        f"wake-ups per worker for {self.CONNECTIONS} connections in "
                        f"{elapsed:.1f} s: {woken}")
        srv.stop()


if __name__ == "__main__":
    unittest.main()
