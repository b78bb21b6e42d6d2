# SPDX-License-Identifier: MIT
"""What the thread-pool model must get right, checked against both models: idle keep-alive
connections never pin a thread, a slow download does not stop short requests, and more ready
connections than the pool's queue holds are all served (back-pressure, not failure). And, for
the thread pool alone, that `threads: MIN..MAX` grows the pool while work waits and shrinks it
back to MIN when idle."""

import hashlib
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
import unittest

from docroot import A_TXT, ServerTestCase, make_site
from learnhttpd_harness import (
    Server, build_tree, pseudo_random_bytes, read_responses, read_until_close, stop_process,
    wait_until, worker_model)

GET_A = b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
DOWNLOAD = pseudo_random_bytes(24 * 1024 * 1024, "download")
PROMPT = 2.0  # seconds; generous on a loaded machine, far below any timeout in play


class SmallPoolTestCase(ServerTestCase):
    """One worker with two threads (the event model ignores `threads`)."""

    CONFIG = {"workers": 1, "threads": 2}

    @classmethod
    def make_site(cls):
        site = tempfile.TemporaryDirectory(prefix="learnhttpd-tp-")
        root = build_tree(os.path.join(site.name, "www"),
                          {"a.txt": A_TXT, "download.bin": DOWNLOAD})
        return site, root

    def timed_get(self):
        started = time.monotonic()
        with self.srv.connect(timeout=PROMPT * 5) as sock:
            sock.sendall(GET_A)
            (resp,), _ = read_responses(sock, 1, timeout=PROMPT * 5)
        return resp, time.monotonic() - started


class IdleConnectionTests(SmallPoolTestCase):
    def test_idle_keepalive_connections_do_not_starve_a_new_one(self):
        idle = []
        try:
            for _ in range(200):
                sock = self.srv.connect()
                sock.sendall(GET_A)  # a served request: the connection is now idle keep-alive
                (resp,), closed = read_responses(sock, 1)
                self.assertEqual(resp.status, 200)
                self.assertFalse(closed)
                idle.append(sock)
            resp, elapsed = self.timed_get()
            self.assertEqual((resp.status, resp.body), (200, A_TXT))
            self.assertLess(elapsed, PROMPT, f"{worker_model()}: a new request waited "
                            f"{elapsed:.2f}s behind 200 idle connections")
            for sock in (idle[0], idle[-1]):  # and the idle ones are still served
                sock.sendall(GET_A)
                (resp,), _ = read_responses(sock, 1)
                self.assertEqual(resp.body, A_TXT)
        finally:
            for sock in idle:
                sock.close()


class SlowDownloadTests(SmallPoolTestCase):
    def test_a_slow_download_does_not_stop_short_requests(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as slow:
            # A small receive window makes the server's send block long before the body ends.
            slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            slow.settimeout(10)
            slow.connect((self.srv.host, self.srv.port))
            slow.sendall(b"GET /download.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            head = slow.recv(1024)  # the answer has started: a thread is sending it
            self.assertTrue(head.startswith(b"HTTP/1.1 200"), head[:100])
            for _ in range(10):
                resp, elapsed = self.timed_get()
                self.assertEqual((resp.status, resp.body), (200, A_TXT))
                self.assertLess(elapsed, PROMPT, f"{worker_model()}: a short request waited "
                                f"{elapsed:.2f}s behind a slow download")
            data = head + self.read_all(slow)
        body = data[data.index(b"\r\n\r\n") + 4:]
        self.assertEqual(len(body), len(DOWNLOAD))
        self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(DOWNLOAD).digest())

    @staticmethod
    def read_all_until(sock, body_size):
        """Reads a keep-alive answer: head plus `body_size` bytes of body."""
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + body_size:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            data += chunk
        return data

    @staticmethod
    def read_all(sock):
        chunks = []
        while chunk := sock.recv(1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)


class BackPressureTests(SmallPoolTestCase):
    CONFIG = {"workers": 1, "threads": 1}  # a queue of a few slots
    COUNT, ROUNDS = 60, 5

    def test_more_ready_connections_than_queue_slots_are_all_served(self):
        count, rounds = self.COUNT, self.ROUNDS
        socks = [self.srv.connect() for _ in range(count)]
        failures = []

        def client(sock):
            try:
                for _ in range(rounds):
                    sock.sendall(GET_A)
                    (resp,), _ = read_responses(sock, 1, timeout=10)
                    if resp.body != A_TXT:
                        failures.append(resp)
            except (AssertionError, OSError) as error:
                failures.append(error)

        threads = [threading.Thread(target=client, args=(s,)) for s in socks]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
        finally:
            for s in socks:
                s.close()
        self.assertEqual(failures, [])
        self.assertFalse(any(t.is_alive() for t in threads))


class ManyHandOversTests(BackPressureTests):
    """Thousands of hand-overs between the loop and a few threads, with the pauses between
    requests that let threads fall asleep: a lost wake-up shows up as a client that hangs."""
    CONFIG = {"workers": 1, "threads": 4}
    COUNT, ROUNDS = 40, 50


class NonReadingClientsTests(SmallPoolTestCase):
    """Clients that ask for a large file and then never read must not take the pool's threads:
    with the send buffers full, the answers wait in the loop (bounded by send_timeout), and
    everyone else is served at once. send_timeout is long, so waiting it out shows."""
    CONFIG = {"workers": 1, "threads": 4, "send_timeout": "30s"}
    CLIENTS = 64

    def test_non_reading_clients_do_not_starve_others(self):
        stuck = []
        try:
            for _ in range(self.CLIENTS):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                stuck.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.settimeout(10)
                sock.connect((self.srv.host, self.srv.port))
                sock.sendall(b"GET /download.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            latencies = []
            for _ in range(5):
                resp, elapsed = self.timed_get()
                self.assertEqual((resp.status, resp.body), (200, A_TXT))
                latencies.append(elapsed)
            print(f"\n  {worker_model()}: behind {self.CLIENTS} non-reading clients: "
                  + ", ".join(f"{t * 1000:.0f} ms" for t in latencies), file=sys.stderr)
            self.assertLess(max(latencies), PROMPT, f"{worker_model()}: requests waited "
                            f"{latencies} s behind {self.CLIENTS} clients that do not read")
            # A stalled download resumes when its client reads again, and arrives whole.
            data = SlowDownloadTests.read_all_until(stuck[0], len(DOWNLOAD))
            body = data[data.index(b"\r\n\r\n") + 4:]
            self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(DOWNLOAD).digest())
        finally:
            for sock in stuck:
                sock.close()


class SendTimeoutTests(SmallPoolTestCase):
    """The wait for a client that stopped reading is bounded by send_timeout in both models."""
    CONFIG = {"workers": 1, "threads": 2, "send_timeout": "1s"}

    def test_a_client_that_stops_reading_is_closed_after_send_timeout(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect((self.srv.host, self.srv.port))
            sock.sendall(b"GET /download.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(2.5)  # the stimulus: a client that reads nothing for 2.5 send_timeouts
            data, closed = read_until_close(sock, 20)
        self.assertTrue(closed, "the connection is still open")
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:100])
        self.assertLess(len(data), len(DOWNLOAD), "the whole file arrived: no send_timeout")
        resp, elapsed = self.timed_get()  # and the worker serves on
        self.assertEqual((resp.status, resp.body), (200, A_TXT))


def task_count(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


@unittest.skipUnless(worker_model() == "threadpool", "the thread pool's own pool sizing")
class GrowingPoolTests(unittest.TestCase):
    """`threads: 1..8`: a worker starts one pool thread; while more connections are ready at
    once than the running threads take in turn, the pool grows; once the load is gone it shrinks
    back to one thread after thread_idle_timeout (1 s here). The load: bursts in which every one
    of CLIENTS keep-alive clients sends PIPELINE requests at the same moment, so a connection
    keeps a thread busy for PIPELINE answers while the others wait in the queue. (Slow clients
    would not do: the pool never waits on a client, so they never hold a thread.) The count is
    seen three ways: the worker's threads in /proc, the log line and the systemd STATUS=."""

    CLIENTS, PIPELINE, BURSTS = 32, 40, 5
    PAUSE = 0.3  # seconds between bursts: the load lasts beyond the next status tick
    CONFIG = {"workers": 1, "threads": "1..8", "thread_idle_timeout": "1s"}

    def setUp(self):
        from test_systemd import NotifySocket
        self.notify = NotifySocket()
        self.addCleanup(self.notify.close)
        site, root = make_site()
        self.addCleanup(site.cleanup)
        self.srv = Server(root, config=self.CONFIG, env={"NOTIFY_SOCKET": self.notify.path})
        self.addCleanup(self.srv.close)

    def status_threads(self):
        """The pool sizes the STATUS= lines have shown so far, in order."""
        with self.notify.cond:
            statuses = [f.get("STATUS", "") for _, f in self.notify.messages]
        return [int(m.group(1)) for s in statuses
                if (m := re.search(r"pool threads (\d+)/8\b", s))]

    def burst(self, pid, socks):
        """Every client sends its requests at once, then every answer is read and checked. The
        worker is stopped while they are sent, so it finds all of them ready together however
        slowly this client sends on a loaded machine (else one pool thread could answer each
        connection before the next one's requests arrive, and the pool would rightly not grow)."""
        self.assertTrue(stop_process(pid), pid)
        try:
            for sock in socks:
                sock.sendall(GET_A * self.PIPELINE)
        finally:
            os.kill(pid, signal.SIGCONT)
        wrong = []
        for sock in socks:
            resps, closed = read_responses(sock, self.PIPELINE, timeout=30)
            wrong += [(r.status, r.body[:20]) for r in resps if (r.status, r.body) != (200, A_TXT)]
            if closed:
                wrong.append("closed")
        return wrong

    def most_threads_during(self, pid, work):
        """Runs work() while sampling the worker's thread count; (result, the highest count)."""
        samples, done = [task_count(pid)], threading.Event()

        def sample():
            while not done.wait(0.005):
                samples.append(task_count(pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            result = work()
        finally:
            done.set()
            sampler.join()
        return result, max(samples)

    def test_pool_grows_under_load_and_shrinks_to_min_when_idle(self):
        (pid,) = self.srv.wait_for_workers(1)
        self.assertTrue(self.srv.wait_for_log(r"threadpool pool started: 1 thread\(s\) \(1\.\.8\)"),
                        self.srv.stderr_lines())
        self.assertTrue(wait_until(lambda: self.status_threads()[-1:] == [1], 5.0),
                        self.notify.messages)
        self.assertFalse([line for line in self.srv.stderr_lines() if "does not grow" in line])
        base = task_count(pid)  # the loop thread and MIN = 1 pool thread (and a sanitizer's)
        mark = self.srv.log_mark()
        started = time.monotonic()

        socks = [self.srv.connect(timeout=30) for _ in range(self.CLIENTS)]
        try:
            def load():
                wrong = []
                for i in range(self.BURSTS):
                    if i:
                        time.sleep(self.PAUSE)
                    wrong += self.burst(pid, socks)
                return wrong

            wrong, most = self.most_threads_during(pid, load)
        finally:
            for sock in socks:
                sock.close()
        self.assertEqual(wrong, [])

        grew = self.srv.wait_for_log(r"threadpool pool grew: (\d+) thread\(s\) \(1\.\.8\)",
                                     2.0, since=mark)
        self.assertTrue(grew, "\n".join(self.srv.stderr_lines()[mark:]))
        self.assertGreater(int(grew.group(1)), 1)
        self.assertGreater(most, base, "no pool thread was added under load")
        self.assertLessEqual(most, base + 7, "more than MAX = 8 pool threads")

        # Back to MIN once idle: the threads exit (and are joined), the log and STATUS say so.
        shrank = self.srv.wait_for_log(r"threadpool pool shrank: 1 thread\(s\) \(1\.\.8\)",
                                       8.0, since=mark)
        self.assertTrue(shrank, "\n".join(self.srv.stderr_lines()[mark:]))
        self.assertTrue(wait_until(lambda: task_count(pid) == base, 2.0),
                        f"{task_count(pid)} threads, {base} before the load")
        self.assertTrue(wait_until(lambda: self.status_threads()[-1:] == [1], 5.0),
                        self.status_threads())
        self.assertGreater(max(self.status_threads()), 1, "STATUS= never showed the grown pool")

        # The size is logged at most once a second, however often it changed.
        lines = [line for line in self.srv.stderr_lines()[mark:]
                 if re.search(r"pool (grew|shrank)", line)]
        self.assertLessEqual(len(lines), time.monotonic() - started + 2, lines)

        # And the pool at MIN serves on.
        with self.srv.connect() as sock:
            sock.sendall(GET_A)
            (resp,), _ = read_responses(sock, 1)
        self.assertEqual((resp.status, resp.body), (200, A_TXT))
        self.assertEqual(self.srv.stop(), 0)


if __name__ == "__main__":
    unittest.main()
